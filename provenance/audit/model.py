"""The audit as typed data: what build_audit makes and the JSON, CSV, text and HTML renderers read.

Each class is one object of the provenance.audit/2 JSON schema, its fields that object's keys in
their order (a field's ``json`` metadata names a key that is no Python name: a hop's ``from``).
audit_json writes an audit as that JSON; audit_from_json reads it back.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache
from typing import Any, TypeVar

from provenance.errors import InputError

AUDIT_SCHEMA = "provenance.audit/2"

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class InputProblem:
    """An input that could not be ingested (a failure), or was stored with something left out (a
    warning), and why.
    """

    origin: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Corpus:
    """What the audit read: the targets as given and the ingest's counts."""

    targets: tuple[str, ...]
    read: int
    added: int
    already_stored: int
    failures: tuple[InputProblem, ...]
    warnings: tuple[InputProblem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Counts:
    """The audit's counts, in the order the reports list them."""

    articles: int
    unique_stories: int
    clusters: int
    originals: int
    reposts: int
    duplicates: int
    members_order_undetermined: int
    partial_copies: int
    relations: int
    reused_passages: int
    boilerplate_lines: int
    translations: int
    undetermined_links: int
    undated: int

    def items(self) -> list[tuple[str, int]]:
        """Each count's name and value, in order."""
        return [(item.name, getattr(self, item.name)) for item in fields(self)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """An article of a cluster, with its role there (origin, repost, duplicate, partial, translation or member).

    `published` is ISO 8601 as Published.iso() gives it (a date only, a zoned time ending in Z, or
    a time with no zone); `published_precision` says how much of it is known.
    """

    article_id: int
    title: str | None
    url: str | None
    outlet: str | None
    domain: str | None
    published: str | None
    published_precision: str
    language: str | None
    role: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """An article the audit read: a member's fields, its cluster (None when it has no copy) and the
    sources it cites.
    """

    article_id: int
    title: str | None
    url: str | None
    outlet: str | None
    domain: str | None
    published: str | None
    published_precision: str
    language: str | None
    cluster_id: int | None
    role: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """A copy link: the two articles, the scores, the direction and the passages they share or word differently.

    A translation has an `alignment_score` and no `jaccard`; every other kind the reverse.
    """

    origin_id: int
    copy_id: int
    kind: str
    jaccard: float | None
    alignment_score: float | None
    containment: float
    reverse_containment: float
    direction: str
    direction_reason: str
    shared_passages: tuple[str, ...]
    changed_passages: tuple[tuple[str, str], ...]
    """(what the origin says, what the copy says instead); one side empty when the other added or
    left it out.
    """


@dataclass(frozen=True, slots=True, kw_only=True)
class Origin:
    """A cluster's origin article, or why it is not determined."""

    article_id: int | None
    determined: bool
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainNode:
    """A point of a source chain: a source, a page named by a repost marker, or a stored article."""

    key: str
    label: str
    type: str
    source_kind: str | None
    country: str | None
    article_id: int | None
    url: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainHop:
    """A step of a source chain, from an upstream node's key to a downstream one's, with its
    evidence.
    """

    source: str = field(metadata={"json": "from"})
    target: str = field(metadata={"json": "to"})
    kind: str
    confidence: float
    evidence: tuple[str, ...]
    note: str | None
    main: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Chain:
    """A cluster's source chain: the main path's node keys (origin first), the nodes, the hops and
    what is not determined.
    """

    path: tuple[str, ...]
    nodes: tuple[ChainNode, ...]
    hops: tuple[ChainHop, ...]
    undetermined: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Cluster:
    """One story and its copies: members in time order, the links among them, the origin and the
    chain.
    """

    id: int
    size: int
    title: str | None
    origin: Origin
    members: tuple[Member, ...]
    links: tuple[Link, ...]
    chain: Chain


@dataclass(frozen=True, slots=True, kw_only=True)
class Story:
    """A side of a relation: a cluster (cluster_id set, its size) or a single article (article_id
    set, size 1).
    """

    cluster_id: int | None
    article_id: int | None
    title: str | None
    size: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Share:
    """The largest share of one article's text found in the other story, and whose text it is."""

    article_id: int
    share: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Relation:
    """Text one story takes from another where neither is a copy of the other: the partial copies
    between them.
    """

    source: Story
    taker: Story
    determined: bool
    kinds: tuple[str, ...]
    links: tuple[Link, ...]
    largest_share: Share
    shared_passages: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Witness:
    """An article holding a reused passage, and the passage's character offsets in it."""

    article_id: int
    outlet: str | None
    title: str | None
    published: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FirstWitness:
    """The earliest witness of a passage, or None and why the times do not tell."""

    article_id: int | None
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Passage:
    """A passage reused across outlets: its text (shortened), witnesses in time order, the first one
    and the source they credit.
    """

    id: int
    words: int
    text: str
    outlets: int
    witnesses: tuple[Witness, ...]
    first: FirstWitness
    source: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Boilerplate:
    """The lines learned as furniture of an outlet's articles."""

    outlet: str
    outlet_key: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkerRepost:
    """An article whose repost marker names the page it was copied from, with the marker's line."""

    article_id: int
    title: str | None
    copied_from: str
    url: str | None
    line: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OutletCopies:
    """An outlet and how many copies of another outlet's articles it published."""

    outlet: str
    copies: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OutletCopied:
    """An outlet and how many times an article of its was copied."""

    outlet: str
    copied: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceCited:
    """A source (its registry kind, if listed) and how often the corpus cites it."""

    source: str
    kind: str | None
    cited: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Audit:
    """The audit of a corpus. The JSON adds the schema first and the corpus' failures again last."""

    generated_at: str
    """When, as ``2025-03-12T07:15:00Z``."""
    corpus: Corpus
    counts: Counts
    clusters: tuple[Cluster, ...]
    """Largest first."""
    relations: tuple[Relation, ...]
    passages: tuple[Passage, ...]
    boilerplate: tuple[Boilerplate, ...]
    reposts_by_marker: tuple[MarkerRepost, ...]
    articles: tuple[Article, ...]
    """Every article read, by id."""
    top_copying_outlets: tuple[OutletCopies, ...]
    top_copied_outlets: tuple[OutletCopied, ...]
    top_sources: tuple[SourceCited, ...]
    undated: tuple[int, ...]
    """The ids of the articles with no publication date."""

    @property
    def failures(self) -> tuple[InputProblem, ...]:
        """The inputs that could not be ingested."""
        return self.corpus.failures


# --- JSON -----------------------------------------------------------------------------------------


def audit_json(audit: Audit) -> dict[str, Any]:
    """The audit as the JSON document of the provenance.audit/2 schema (plain dicts, lists and
    values, keys in order).
    """
    document: dict[str, Any] = {"schema": AUDIT_SCHEMA}
    document |= to_json(audit)
    document["failures"] = to_json(audit.failures)
    return document


def to_json(value: object) -> Any:
    """A model object (or a tuple of them, or a plain value) as JSON data: a dataclass is a dict of
    its fields, a tuple a list.
    """
    if isinstance(value, tuple):
        return [to_json(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {key: to_json(getattr(value, name)) for name, key, _ in _fields(type(value))}
    return value


def audit_from_json(data: object) -> Audit:
    """An audit read back from its JSON (schema provenance.audit/2).

    A key the document lacks, or a null where the model has no None, reads as empty (no items,
    0, ''), as an audit written by an earlier version has it.

    Raises:
        InputError: the document is of another schema, or a value is of the wrong type.
    """
    schema = data.get("schema", AUDIT_SCHEMA) if isinstance(data, dict) else None
    if schema != AUDIT_SCHEMA:
        raise InputError(f"not an audit: the schema is {schema!r}, expected {AUDIT_SCHEMA!r}")
    return from_json(Audit, data)


def from_json(kind: type[T], data: object) -> T:
    """A model object of this class read from JSON data, as audit_from_json reads an audit."""
    value: T = _read(kind, data, kind.__name__)
    return value


@cache
def _fields(kind: type) -> tuple[tuple[str, str, Any], ...]:
    """A model class's fields: (attribute, JSON key, type)."""
    hints = typing.get_type_hints(kind)
    return tuple(
        (item.name, item.metadata.get("json", item.name), hints[item.name]) for item in fields(kind)
    )


def _read(hint: Any, value: object, where: str) -> Any:
    """A value of the type `hint` from JSON data; `where` names it in an error."""
    if value is None:
        return _empty(hint, where)
    if isinstance(hint, types.UnionType):  # X | None
        [inner] = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _read(inner, value, where)
    if typing.get_origin(hint) is tuple:
        if not isinstance(value, list | tuple):
            raise _wrong(value, hint, where)
        args = typing.get_args(hint)
        if args[1:] == (Ellipsis,):
            return tuple(
                _read(args[0], item, f"{where}[{index}]") for index, item in enumerate(value)
            )
        if len(value) != len(args):
            raise _wrong(value, hint, where)
        return tuple(
            _read(arg, item, f"{where}[{index}]")
            for index, (arg, item) in enumerate(zip(args, value))
        )
    if isinstance(hint, type) and is_dataclass(hint):
        if not isinstance(value, dict):
            raise _wrong(value, hint, where)
        return hint(
            **{
                name: _read(kind, value.get(key), f"{where}.{key}")
                for name, key, kind in _fields(hint)
            }
        )
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if hint is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if hint in (str, bool) and isinstance(value, hint):
        return value
    raise _wrong(value, hint, where)


def _empty(hint: Any, where: str) -> Any:
    """What a missing or null value of the type `hint` reads as."""
    if isinstance(hint, types.UnionType):
        return None
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        return () if args[1:] == (Ellipsis,) else tuple(_empty(arg, where) for arg in args)
    if isinstance(hint, type) and is_dataclass(hint):
        return _read(hint, {}, where)
    return {int: 0, float: 0.0, str: "", bool: False}[hint]


def _wrong(value: object, hint: Any, where: str) -> InputError:
    kind = hint.__name__ if isinstance(hint, type) else str(hint)
    return InputError(f"not an audit: {where} is {value!r:.60}, not {kind}")
