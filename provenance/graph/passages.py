"""Reading passage clusters back for reports: which passages of some articles travelled to other
outlets, and where first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from provenance.knowledge.outlets import outlet_of
from provenance.knowledge.registry import Registry
from provenance.match.passages import ReusedPassage, Witness
from provenance.read.dates import publication_order, sort_key
from provenance.store.reader import StoreReader
from provenance.store.records import ArticleSummary, AttributionRecord

WIRE_KINDS = ("wire",)
INSIDE_KINDS = ("cites", "quotes")


def _outlet_key(article: ArticleSummary, registry: Registry) -> str:
    outlet = outlet_of(article, registry)
    return outlet.key if outlet is not None else f"article:{article.id}"


def _first(
    witnesses: Sequence[Witness], articles: Mapping[int, ArticleSummary]
) -> tuple[int | None, str]:
    """The earliest witness, if the publication times single it out: every witness dated, and the
    earliest before all others.
    """
    dated = [w for w in witnesses if articles[w.article_id].published is not None]
    if not dated:
        return None, "not determined: no witness has a publication date"
    earliest, *others = dated
    published = articles[earliest.article_id].published
    assert published is not None
    undated = len(witnesses) - len(dated)
    if undated:
        return (
            None,
            f"not determined: {undated} of {len(witnesses)} witnesses have no date (the earliest dated, #{earliest.article_id}, was published {published.text()})",
        )
    for other in others:
        order = publication_order(
            published,
            articles[other.article_id].published or published,
            f"#{earliest.article_id}",
            f"#{other.article_id}",
        )
        if order.earlier != "first":
            return None, f"not determined: {order.reason}"
    return earliest.article_id, f"the earliest witness, published {published.text()}"


def _source(
    witnesses: Sequence[Witness], attributions: Mapping[int, list[AttributionRecord]]
) -> str | None:
    """The source most witnesses credit for the passage: a wire credit of the article ("(AP) —"), else a medium cited inside the passage.

    Of sources credited by as many witnesses, the one the earliest witness (in witness order)
    credits first: Counter keeps insertion order, which is made the order of the records.
    """
    wire: Counter[str] = Counter()
    cited: Counter[str] = Counter()
    for witness in witnesses:
        records = attributions.get(witness.article_id, ())
        wire.update(list(dict.fromkeys(a.source_name for a in records if a.kind in WIRE_KINDS)))
        cited.update(
            list(
                dict.fromkeys(
                    a.source_name
                    for a in records
                    if a.kind in INSIDE_KINDS
                    and a.source_kind is not None
                    and a.start is not None
                    and witness.start <= a.start < witness.end
                )
            )
        )
    found = wire or cited
    return found.most_common(1)[0][0] if found else None


def reused_passages(
    reader: StoreReader, article_ids: Iterable[int], registry: Registry, min_outlets: int = 2
) -> list[ReusedPassage]:
    """The passage clusters holding any of these articles that reach `min_outlets` outlets, most
    widely reused first.
    """
    held = reader.passage_witnesses(article_ids)
    clusters = reader.witnesses_of_passages({w.passage for w in held})
    if not clusters:
        return []
    everyone = {w.article_id for found in clusters.values() for w in found}
    articles = reader.article_summaries(everyone)
    attributions: dict[int, list[AttributionRecord]] = {}
    for record in reader.attribution_records(everyone):
        attributions.setdefault(record.article_id, []).append(record)
    found = []
    for passage_id, witnesses in clusters.items():
        witnesses = [w for w in witnesses if w.article_id in articles]
        outlets = len({_outlet_key(articles[w.article_id], registry) for w in witnesses})
        if outlets < min_outlets:
            continue
        ordered = sorted(
            witnesses, key=lambda w: (*sort_key(articles[w.article_id].published), w.article_id)
        )
        first, reason = _first(ordered, articles)
        found.append(
            ReusedPassage(
                passage_id, ordered, outlets, "", first, reason, _source(ordered, attributions)
            )
        )
    texts = reader.stored_texts({passage.witnesses[0].article_id for passage in found})
    found = [
        _with_text(passage, texts[passage.witnesses[0].article_id].body)
        for passage in found
        if passage.witnesses[0].article_id in texts
    ]
    found.sort(key=lambda passage: (-passage.outlets, -len(passage.witnesses), passage.id))
    return found


def _with_text(passage: ReusedPassage, body: str) -> ReusedPassage:
    first = passage.witnesses[0]
    return ReusedPassage(
        passage.id,
        passage.witnesses,
        passage.outlets,
        body[first.start : first.end],
        passage.first,
        passage.first_reason,
        passage.source,
    )


@dataclass(frozen=True)
class PassageElsewhere:
    """A passage of one article that other articles hold: its span in the article, and where else it is, earliest first.

    Args:
        start: character offset of the passage in the article's body.
        end: its end.
        text: the passage.
        elsewhere: the other articles holding it (their spans), earliest first.
        first: the earliest of them all (the article itself included; 0 for a checked article not stored), or None when the times do not tell.
        first_reason: why.
        passage_id: the stored passage cluster, if the passage is stored.
    """

    start: int
    end: int
    text: str
    elsewhere: list[tuple[Witness, ArticleSummary]]
    first: int | None
    first_reason: str
    passage_id: int | None = None


def _merge_spans(spans: Sequence[tuple[int, int, Witness]]) -> list[tuple[int, int, list[Witness]]]:
    """Spans of one article that overlap, joined, each with the witnesses elsewhere found for them."""
    merged: list[tuple[int, int, list[Witness]]] = []
    for start, end, witness in sorted(spans, key=lambda item: (item[0], -item[1])):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), [*last[2], witness])
        else:
            merged.append((start, end, [witness]))
    return merged


def passages_elsewhere(
    reader: StoreReader,
    body: str,
    found: Sequence[tuple[int, int, int, int, int]],
    own: ArticleSummary | None = None,
) -> list[PassageElsewhere]:
    """The passages of a text found in other articles, from (start, end, other id, other start, other end) spans, with the stored clusters they belong to.

    `own` is the text's stored article, if it is stored: it takes part in telling which came first.
    """
    others = {other for _, _, other, _, _ in found}
    clusters = reader.witnesses_of_passages({w.passage for w in reader.passage_witnesses(others)})
    by_article: dict[int, list[Witness]] = {}
    for witnesses in clusters.values():
        for witness in witnesses:
            by_article.setdefault(witness.article_id, []).append(witness)
    spans: list[tuple[int, int, Witness]] = []
    for start, end, other, other_start, other_end in found:
        spans.append((start, end, Witness(-1, other, other_start, other_end)))
        for stored in by_article.get(other, ()):
            if min(stored.end, other_end) - max(stored.start, other_start) > 0:
                spans.extend(
                    (start, end, witness)
                    for witness in clusters[stored.passage]
                    if witness.article_id != (own.id if own else None)
                )
    articles = reader.article_summaries({w.article_id for _, _, w in spans})
    if own is not None:
        articles[own.id] = own
    result = []
    for start, end, witnesses in _merge_spans(spans):
        unique = list({w.article_id: w for w in witnesses if w.article_id in articles}.values())
        ordered = sorted(
            unique, key=lambda w: (*sort_key(articles[w.article_id].published), w.article_id)
        )
        together = sorted(
            [*ordered, Witness(-1, own.id, start, end)] if own else ordered,
            key=lambda w: (*sort_key(articles[w.article_id].published), w.article_id),
        )
        first, reason = _first(together, articles)
        passage = next((w.passage for w in witnesses if w.passage >= 0), None)
        result.append(
            PassageElsewhere(
                start,
                end,
                body[start:end],
                [(w, articles[w.article_id]) for w in ordered],
                first,
                reason,
                passage,
            )
        )
    return result
