"""Passage reuse, incrementally: passages shared by articles of different outlets gathered into passage clusters.

passim (dasmiq/passim) aligns pairs of documents that share rare n-grams and joins the aligned
passages into clusters wherever two of them overlap in one document; TextPAIR reports the aligned
passage pairs themselves. Here the pairs come from the copy index (articles sharing a paragraph's
LSH band), their passages from a word alignment (compare.shared_spans: at least PASSAGE_WORDS
words, gaps of a few words allowed), and each new pair joins the clusters it touches: a witness of
a passage is an article and the character span it holds it at. Passages of one outlet's articles
are not recorded: reuse within an outlet is its boilerplate or its own versions of a story.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from provenance.match.compare import SharedSpan

MIN_SPAN_OVERLAP = 0.5
"""Two spans of one article are one passage when they overlap by this share of the shorter."""


@dataclass(frozen=True)
class Witness:
    """An article's span holding a passage; `passage` is a stored id, or a negative id for one not
    stored yet.
    """

    passage: int
    article_id: int
    start: int
    end: int


@dataclass(frozen=True)
class SpanPair:
    """A passage two articles share, found by aligning them: (first, its span) and (second, its
    span).
    """

    first_id: int
    second_id: int
    span: SharedSpan


@dataclass
class PassageChanges:
    """What a batch of new pairs does to the stored passage clusters: new passages, new witnesses,
    and clusters merged into others.
    """

    new_passages: list[int] = field(default_factory=list)
    witnesses: list[Witness] = field(default_factory=list)
    merged: dict[int, int] = field(default_factory=dict)
    """drop -> keep: every witness of `drop` belongs to `keep` now."""


def _overlap(first: tuple[int, int], second: tuple[int, int]) -> bool:
    shared = min(first[1], second[1]) - max(first[0], second[0])
    shorter = min(first[1] - first[0], second[1] - second[0])
    return shorter > 0 and shared >= MIN_SPAN_OVERLAP * shorter


class PassageClusters:
    """The passage clusters of some articles, to which new pairs are added (union-find over passage ids).

    Args:
        witnesses: the stored witnesses of the articles the new pairs touch.
    """

    def __init__(self, witnesses: Iterable[Witness]) -> None:
        self.by_article: dict[int, list[Witness]] = defaultdict(list)
        for witness in witnesses:
            self.by_article[witness.article_id].append(witness)
        self.parent: dict[int, int] = {}
        self.changes = PassageChanges()
        self._next_new = -1

    def _find(self, passage: int) -> int:
        while self.parent.get(passage, passage) != passage:
            passage = self.parent[passage]
        return passage

    def _holding(self, article_id: int, span: tuple[int, int]) -> int | None:
        for witness in self.by_article.get(article_id, ()):
            if _overlap((witness.start, witness.end), span):
                return self._find(witness.passage)
        return None

    def _join(self, first: int, second: int) -> int:
        """One cluster of two; a stored id is kept over a new one, the smaller over the larger."""
        keep, drop = sorted((first, second), key=lambda passage: (passage < 0, abs(passage)))
        self.parent[drop] = keep
        return keep

    def _witness(self, passage: int, article_id: int, span: tuple[int, int]) -> None:
        witness = Witness(passage, article_id, *span)
        self.by_article[article_id].append(witness)
        self.changes.witnesses.append(witness)

    def add(self, pair: SpanPair) -> int:
        """Add a shared passage of two articles: the cluster it joins, or a new one; returns the
        cluster's id.
        """
        first_span = (pair.span.first_start, pair.span.first_end)
        second_span = (pair.span.second_start, pair.span.second_end)
        first, second = (
            self._holding(pair.first_id, first_span),
            self._holding(pair.second_id, second_span),
        )
        if first is not None and second is not None and first != second:
            passage = self._join(first, second)
        else:
            passage = first if first is not None else second if second is not None else self._new()
        if first is None:
            self._witness(passage, pair.first_id, first_span)
        if second is None:
            self._witness(passage, pair.second_id, second_span)
        return passage

    def _new(self) -> int:
        passage, self._next_new = self._next_new, self._next_new - 1
        self.changes.new_passages.append(passage)
        return passage

    def result(self) -> PassageChanges:
        """The changes, every witness under its cluster's final id."""
        final = [
            Witness(self._find(w.passage), w.article_id, w.start, w.end)
            for w in self.changes.witnesses
        ]
        merged = {
            drop: self._find(drop) for drop in self.parent if drop >= 0 and self._find(drop) != drop
        }
        new = [passage for passage in self.changes.new_passages if self._find(passage) == passage]
        return PassageChanges(new, final, merged)


def cluster_pairs(pairs: Sequence[SpanPair], stored: Iterable[Witness]) -> PassageChanges:
    """What new shared passages do to the passage clusters of the stored witnesses they touch."""
    clusters = PassageClusters(stored)
    for pair in pairs:
        clusters.add(pair)
    return clusters.result()


# ---- reading the clusters back ---------------------------------------------------------------


@dataclass(frozen=True)
class ReusedPassage:
    """A passage cluster as reports give it: its witnesses in time order, its text, the first witness and the source the texts name.

    Args:
        id: the stored passage id.
        witnesses: the witnesses, earliest first (undated ones last).
        outlets: how many distinct outlets hold it.
        text: the passage as the first witness has it.
        first: the earliest witness's article id, or None when the times do not tell.
        first_reason: why.
        source: the source the witnesses credit for it (a wire credit, or a source cited inside it), if any.
    """

    id: int
    witnesses: list[Witness]
    outlets: int
    text: str
    first: int | None
    first_reason: str
    source: str | None
