"""Verification of candidates: overlap scores, the kind of copy, its direction, and aligned
evidence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from rapidfuzz.distance import Indel, Opcodes

from provenance.config import Settings
from provenance.knowledge.attribution import sentences
from provenance.knowledge.outlets import Outlet, registered_domain
from provenance.read.dates import Published, publication_order
from provenance.sketch.fingerprint import U64
from provenance.text.normalize import shorten

_WORD_SPLIT = re.compile(r"(\w+(?:[-'’]\w+)*)", re.UNICODE)
"""A word, hyphenated and elided parts included, as a group: ``split`` gives the words and the text
between them.
"""


@dataclass(frozen=True)
class Overlap:
    """How much two shingle sets share.

    Args:
        jaccard: shared shingles over all shingles of both.
        containment: share of the first set inside the second.
        reverse_containment: share of the second set inside the first.
        shared: number of shared shingles.
        first_size: shingles in the first set.
        second_size: shingles in the second set.
    """

    jaccard: float
    containment: float
    reverse_containment: float
    shared: int
    first_size: int
    second_size: int


def overlap(first: U64, second: U64) -> Overlap:
    """Exact Jaccard similarity and containment of two sorted unique shingle sets."""
    if len(first) == 0 or len(second) == 0:
        return Overlap(0.0, 0.0, 0.0, 0, len(first), len(second))
    shared = int(np.intersect1d(first, second, assume_unique=True).size)
    union = len(first) + len(second) - shared
    return Overlap(
        shared / union, shared / len(first), shared / len(second), shared, len(first), len(second)
    )


FULL_COPY_KINDS = frozenset(("duplicate", "repost"))
"""The kinds of a copy of a whole text (partial copies aside)."""


def copy_kind(scores: Overlap, same_outlet: bool, settings: Settings) -> str | None:
    """``duplicate``, ``repost`` or ``partial`` for a verified overlap, or None when it is no copy."""
    smaller = min(scores.first_size, scores.second_size)
    needed = min(settings.min_shared_shingles, max(3, int(0.9 * smaller)))
    if scores.shared < needed:
        return None
    if (
        min(scores.containment, scores.reverse_containment) >= settings.duplicate_jaccard
        or scores.jaccard >= settings.duplicate_jaccard
    ):
        return "duplicate" if same_outlet else "repost"
    if max(scores.containment, scores.reverse_containment) >= settings.partial_containment:
        return "partial"
    return None


@dataclass(frozen=True)
class SourceMark:
    """A marker in an article naming where it was copied from: a URL or an outlet."""

    line: str
    url: str | None = None
    outlet: str | None = None


@dataclass(frozen=True)
class Facts:
    """What direction-finding needs to know of an article.

    Args:
        label: how reasons name it (``#6 (merkur.de)``, ``the checked article``).
        published: its publication time with its precision.
        urls: its URL and canonical URL.
        outlet: the outlet that published it, if known.
        marks: the repost markers it carries.
    """

    label: str
    published: Published | None
    urls: tuple[str, ...] = ()
    outlet: Outlet | None = None
    marks: tuple[SourceMark, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Direction:
    """Which of two articles is the origin, how that was decided, and why.

    Args:
        origin: ``first``, ``second``, or None when undetermined.
        status: ``evidence`` (a marker names the other), ``dated`` (publication dates), or ``undetermined``.
        reason: one sentence a person can check.
    """

    origin: str | None
    status: str
    reason: str


def url_key(url: str) -> str:
    """A URL reduced for comparison: no scheme, no ``www.``, no query, fragment or trailing slash."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}".lower()


def _names_the_other(mark: SourceMark, other: Facts) -> bool:
    """Whether a repost marker names the other article: its URL, or the outlet that published it."""
    if mark.url:
        target = url_key(mark.url)
        if any(url_key(url) == target for url in other.urls):
            return True
        return (
            other.outlet is not None
            and other.outlet.domain is not None
            and registered_domain(mark.url) == other.outlet.domain
        )
    if mark.outlet and other.outlet is not None:
        return other.outlet.named_in(mark.outlet)
    return False


def _marker_naming(copy: Facts, origin: Facts) -> SourceMark | None:
    return next((mark for mark in copy.marks if _names_the_other(mark, origin)), None)


def decide_direction(first: Facts, second: Facts) -> Direction:
    """The origin of a copied pair, from explicit markers first and publication dates second."""
    if mark := _marker_naming(first, second):
        return Direction(
            "second", "evidence", f'{first.label} names {second.label} as its source: "{mark.line}"'
        )
    if mark := _marker_naming(second, first):
        return Direction(
            "first", "evidence", f'{second.label} names {first.label} as its source: "{mark.line}"'
        )
    if first.published and second.published:
        order = publication_order(first.published, second.published, first.label, second.label)
        if order.earlier is not None:
            return Direction(order.earlier, "dated", order.reason)
        return Direction(
            None, "undetermined", f"{order.reason}; neither names the other as its source"
        )
    undated = [facts.label for facts in (first, second) if facts.published is None]
    return Direction(
        None,
        "undetermined",
        f"{' and '.join(undated)} {'has' if len(undated) == 1 else 'have'} no publication date and neither names the other as its source",
    )


def _word_spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The case-folded words of a text and their character spans.

    ``split`` and running sums of the parts' lengths, not a Match object per word: half the time
    for an article of 700 words, and the writer aligns the two texts of every copy link it stores.
    """
    parts = _WORD_SPLIT.split(text)
    offsets = list(accumulate(map(len, parts), initial=0))
    words = [word.casefold() for word in parts[1::2]]
    return words, list(zip(offsets[1::2], offsets[2::2]))


@dataclass(frozen=True)
class Alignment:
    """The passages two texts share and the ones where they differ.

    Args:
        shared: the longest passages both have word for word, longest first.
        changed: pairs of what the first text has and what the second has instead, largest first;
            one side is empty where the other only added or only left out a passage.
        shared_words: words in all shared runs.
    """

    shared: list[str]
    changed: list[tuple[str, str]]
    shared_words: int

    def as_evidence(self) -> dict[str, Any]:
        """The passages as a link's or a match's JSON evidence, in the order they were aligned."""
        return {
            "shared_passages": self.shared,
            "changed_passages": [list(pair) for pair in self.changed],
            "shared_words": self.shared_words,
        }


def align(first: str, second: str, min_words: int = 6, limit: int = 3) -> Alignment:
    """The longest passages shared word for word, and the changed passages between them."""
    words_a, spans_a = _word_spans(first)
    words_b, spans_b = _word_spans(second)
    shared: list[tuple[int, str]] = []
    changed: list[tuple[int, tuple[str, str]]] = []
    total = 0
    for tag, a0, a1, b0, b1 in _runs(Indel.opcodes(words_a, words_b)):
        if tag == "equal":
            total += a1 - a0
            if a1 - a0 >= min_words:
                shared.append((a1 - a0, first[spans_a[a0][0] : spans_a[a1 - 1][1]]))
        elif max(a1 - a0, b1 - b0) <= 40:
            changed.append(
                (
                    a1 - a0 + b1 - b0,
                    (_passage(first, spans_a, a0, a1), _passage(second, spans_b, b0, b1)),
                )
            )
    shared.sort(key=lambda item: -item[0])
    changed.sort(key=lambda item: -item[0])
    return Alignment(
        [_clip(text) for _, text in shared[:limit]],
        [(_clip(a), _clip(b)) for _, (a, b) in changed[:limit]],
        total,
    )


PASSAGE_WORDS = 40
"""Words a passage shared by two texts must have to count as reused text (passim's and TextPAIR's
scale: a paragraph).
"""
PASSAGE_GAP = 3
"""Words either side may differ by inside a passage (a changed word, a dropped comma-word) before it
is two passages.
"""


@dataclass(frozen=True)
class SharedSpan:
    """A passage two texts share: character offsets in each, and its length in words of the first."""

    first_start: int
    first_end: int
    second_start: int
    second_end: int
    words: int


def shared_spans(
    first: str, second: str, min_words: int = PASSAGE_WORDS, max_gap: int = PASSAGE_GAP
) -> list[SharedSpan]:
    """The passages of at least `min_words` two texts share, word for word but for gaps of up to `max_gap` words, with their offsets.

    Examples:
        >>> common = " ".join(f"word{n}" for n in range(50))
        >>> [span.words for span in shared_spans("Intro here. " + common, common + " and an end", min_words=40)]
        [50]
    """
    words_a, spans_a = _word_spans(first)
    words_b, spans_b = _word_spans(second)
    runs: list[list[list[int]]] = []  # each a list of equal blocks [a0, a1, b0, b1]
    blocks: list[list[int]] = []
    for tag, a0, a1, b0, b1 in _runs(Indel.opcodes(words_a, words_b)):
        if tag == "equal":
            blocks.append([a0, a1, b0, b1])
        elif blocks and max(a1 - a0, b1 - b0) > max_gap:
            runs.append(blocks)
            blocks = []
    if blocks:
        runs.append(blocks)
    found = []
    floor = (0, 0)
    for blocks in runs:
        # A word or two that match by chance before a gap are not the passage's edge.
        while len(blocks) > 1 and blocks[0][1] - blocks[0][0] < SOLID_WORDS:
            blocks.pop(0)
        while len(blocks) > 1 and blocks[-1][1] - blocks[-1][0] < SOLID_WORDS:
            blocks.pop()
        head, tail = blocks[0], blocks[-1]
        # Grow the edges over equal words that the alignment gave to other places (an article's
        # first words matched elsewhere), never into the passage before it.
        while (
            head[0] > floor[0]
            and head[2] > floor[1]
            and words_a[head[0] - 1] == words_b[head[2] - 1]
        ):
            head[0], head[2] = head[0] - 1, head[2] - 1
        while (
            tail[1] < len(words_a)
            and tail[3] < len(words_b)
            and words_a[tail[1]] == words_b[tail[3]]
        ):
            tail[1], tail[3] = tail[1] + 1, tail[3] + 1
        # The end of another paragraph that reads alike ("... zu unterstützen.") is not the passage
        # either.
        cut = _words_before_break(first, spans_a, head[0], head[1], max_gap) or _words_before_break(
            second, spans_b, head[2], head[3], max_gap
        )
        head[0], head[2] = head[0] + cut, head[2] + cut
        cut = _words_after_break(first, spans_a, tail[0], tail[1], max_gap) or _words_after_break(
            second, spans_b, tail[2], tail[3], max_gap
        )
        tail[1], tail[3] = tail[1] - cut, tail[3] - cut
        equal = sum(block[1] - block[0] for block in blocks)
        a0, a1, b0, b1 = head[0], tail[1], head[2], tail[3]
        if equal >= min_words:
            floor = (a1, b1)
            found.append(
                SharedSpan(
                    spans_a[a0][0], spans_a[a1 - 1][1], spans_b[b0][0], spans_b[b1 - 1][1], a1 - a0
                )
            )
    return found


SOLID_WORDS = 3
"""Equal words an edge of a passage must hold before a gap: fewer ("die", "the") match by chance."""


def _break_between(text: str, spans: list[tuple[int, int]], index: int) -> bool:
    """Whether a line break stands between word index - 1 and word index."""
    return "\n" in text[spans[index - 1][1] : spans[index][0]]


def _words_before_break(
    text: str, spans: list[tuple[int, int]], start: int, end: int, limit: int
) -> int:
    """How many of the first words of [start, end) stand before a line break (at most `limit`, and
    never all); 0 when none.
    """
    return next(
        (
            index - start
            for index in range(start + 1, min(start + limit + 1, end))
            if _break_between(text, spans, index)
        ),
        0,
    )


def _words_after_break(
    text: str, spans: list[tuple[int, int]], start: int, end: int, limit: int
) -> int:
    """How many of the last words of [start, end) stand after a line break (at most `limit`, and
    never all); 0 when none.
    """
    return next(
        (
            end - index
            for index in range(end - 1, max(end - limit - 1, start), -1)
            if _break_between(text, spans, index)
        ),
        0,
    )


def _passage(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """The text of words start to end (exclusive), punctuation between them kept; empty for no
    words.
    """
    return text[spans[start][0] : spans[end - 1][1]] if end > start else ""


def _runs(opcodes: Opcodes) -> Iterator[tuple[str, int, int, int, int]]:
    """The equal runs of an alignment, and between them one ``differ`` run of what either side has instead.

    An Indel alignment has no substitutions: a replaced word is a deletion next to an insertion,
    which together are one changed passage.
    """
    pending: tuple[int, int, int, int] | None = None
    for opcode in opcodes:
        if opcode.tag == "equal":
            if pending is not None:
                yield ("differ", *pending)
                pending = None
            yield ("equal", opcode.src_start, opcode.src_end, opcode.dest_start, opcode.dest_end)
        elif pending is None:
            pending = (opcode.src_start, opcode.src_end, opcode.dest_start, opcode.dest_end)
        else:
            pending = (pending[0], opcode.src_end, pending[2], opcode.dest_end)
    if pending is not None:
        yield ("differ", *pending)


def translated_passages(
    first: str, second: str, anchor_positions: Sequence[tuple[int, int]], limit: int = 3
) -> list[tuple[str, str]]:
    """Sentences of a text and of its translation that render each other: the pairs most aligned anchors join, most first.

    Each sentence is in one pair at most, and a pair needs two aligned anchors: one shared name
    or number can stand in unrelated sentences.
    """
    first_sentences, second_sentences = sentences(first), sentences(second)
    first_starts, second_starts = (
        [span.start for span in first_sentences],
        [span.start for span in second_sentences],
    )
    joins = Counter(
        (bisect_right(first_starts, a) - 1, bisect_right(second_starts, b) - 1)
        for a, b in anchor_positions
    )
    pairs: list[tuple[str, str]] = []
    used_first, used_second = set(), set()
    for (i, j), count in sorted(joins.items(), key=lambda item: (-item[1], item[0])):
        if count < 2 or i < 0 or j < 0 or i in used_first or j in used_second:
            continue
        used_first.add(i)
        used_second.add(j)
        pairs.append((_clip(first_sentences[i].text), _clip(second_sentences[j].text)))
        if len(pairs) == limit:
            break
    return pairs


def _clip(text: str, limit: int = 300) -> str:
    """One line of at most `limit` characters."""
    return shorten(" ".join(text.split()), limit)
