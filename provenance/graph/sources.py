"""The sources known to the database: how often each is cited, credited as wire, or copied."""

from __future__ import annotations

from dataclasses import dataclass, field

from provenance.knowledge.registry import Registry
from provenance.store.store import Store

_CITED = ("cites", "quotes")


@dataclass
class SourceUse:
    """How one source is used across the stored articles.

    Args:
        name: the registry name, or the name as written when unknown.
        kind: its registry kind, if known.
        country: its country, if known.
        cited: attributions that cite or quote it.
        wire: attributions that credit it as the wire service.
        copied: copies of its articles, from copy links and repost markers.
        image_credits: image credits, which are never counted as text sources.
    """

    name: str
    kind: str | None = None
    country: str | None = None
    cited: int = 0
    wire: int = 0
    copied: int = 0
    image_credits: int = 0
    other: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Every use as a text source (image credits excluded)."""
        return self.cited + self.wire + self.copied


def source_uses(
    store: Store, registry: Registry, include_registry: bool = False
) -> list[SourceUse]:
    """Sources named in the stored articles (or the whole registry), most used first."""
    uses: dict[str, SourceUse] = {}

    def use(name: str) -> SourceUse:
        entry = registry.by_name(name) or registry.resolve(name)
        key = entry.name if entry else name
        if key not in uses:
            uses[key] = SourceUse(
                key, entry.kind if entry else None, entry.country if entry else None
            )
        return uses[key]

    with store.reader() as reader:
        for name, kind, _source_kind, count in reader.attribution_counts():
            item = use(name)
            if kind in _CITED:
                item.cited += count
            elif kind == "wire":
                item.wire += count
            elif kind == "copied_from":
                item.copied += count
            elif kind == "image_credit":
                item.image_credits += count
            else:
                item.other[kind] = item.other.get(kind, 0) + count
        for domain, count in reader.copied_domains():
            entry = registry.by_domain(domain)
            use(entry.name if entry else domain).copied += count
    if include_registry:
        for entry in registry.entries:
            use(entry.name)
    return sorted(
        uses.values(), key=lambda item: (-item.total, -item.image_credits, item.name.casefold())
    )
