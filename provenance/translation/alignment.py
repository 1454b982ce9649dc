"""Translated copies across languages: language-independent anchors, their LSH keys, and an order-aware alignment.

A translation keeps what does not translate: numbers (``15.000`` = ``15,000`` = ``15 000``), dates
(``15. August 2022`` = ``15 août 2022`` = ``15 августа 2022``), names (``Kursk`` = ``Курск``),
URLs and @handles, and it keeps them in the same order and density. ``extract_anchors`` finds
these anchors and gives each a normal form that does not depend on the language;
``translation_keys`` turns a text's anchors into MinHash LSH band keys (namespace
``TRANSLATION_NAMESPACE``) so that candidates come from an index, not from comparing every pair;
``compare_translation`` aligns two anchor sequences in order (the heaviest chain of matching
anchors, names matched fuzzily across scripts) and calls the pair a translation only when the
alignment covers most anchors of both texts, keeps their order and leaves no long stretch
unaligned. Two independent reports of one event share names and numbers too, but in another
order and with long stretches that have no counterpart, and are not called translations. Short
reports of one day written apart (a weather warning, a ministry's statement) share its date, a
number and a name in the order news tells them, so an alignment of fewer than
``STRONG_ALIGNED_ANCHORS`` anchors must show more: more than dates aligned, the numbers of both
texts found in the other, and a higher score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from provenance.translation.anchors import Anchor, base_language
from provenance.translation.keys import name_skeleton
from provenance.translation.languages import _EXONYM_FORMS

# The decision, chosen by measurement on the WMT22 news test sets (see bench/eval_translation.py).
TRANSLATION_SCORE_THRESHOLD = 0.095
# Aligned weight (the mean of both texts') needed before a score counts at all, and the weight under
# which a pair must align almost completely: two or three anchors say little unless nothing
# contradicts them.
MIN_ALIGNED_WEIGHT = 1.5
CONFIDENT_ALIGNED_WEIGHT = 2.5
SMALL_ALIGNMENT_SCORE = 0.5
STRONG_ALIGNED_ANCHORS = 9
"""An alignment of this many anchors in order is a translation on its score alone; a shorter one must also pass the checks below.

Two reports of one day written independently (a weather warning, a ministry's statement) share
its date, a number and a name or two, in the order news tells them: on the hard set of
``bench/eval_translation.py`` such pairs aligned up to 8 anchors in order and scored up to 0.34.
"""
SHORT_ALIGNMENT_SCORE = 0.2
"""The score a shorter alignment needs: twice what a long one needs, so it covers more of both
texts.
"""
MIN_NUMBER_PRESENCE = 0.85
"""In a shorter alignment, the share of each text's numbers and dates (by weight) that the other text has too, in any order.

A translation renders its numbers (a unit converted, "320 Kilometer" as "200 milles", is the
exception); a report written independently has numbers of its own: how many firefighters came,
at what time, the total so far.
"""
MIN_ALIGNED_BEYOND_DATES = 1
"""In a shorter alignment, the aligned anchors that are not dates or weekdays: "Sunday, 12 December"
is what every report of the day shares.
"""


# ---------------------------------------------------------------------------------------------
# Alignment and decision.
# ---------------------------------------------------------------------------------------------

# How much an anchor says: a URL or a full date pins a text down, a weekday or a lone digit hardly.
_URL_WEIGHT = 3.0
_FULL_DATE_WEIGHT = 2.0
_PLAIN_WEIGHT = 1.0
_SPECIFIC_NUMBER_WEIGHT = 1.5
_WEAK_WEIGHT = 0.5
# German capitalises every noun: a one-word German "name" is often a common noun that no translation
# keeps.
_GERMAN_WORD_WEIGHT = 0.4


def anchor_weight(anchor: Anchor, language: str | None) -> float:
    """How much one anchor counts in an alignment, before repeated keys are discounted."""
    key = anchor.key
    if anchor.kind in ("url", "handle"):
        return _URL_WEIGHT
    if anchor.kind == "date":
        return (
            _FULL_DATE_WEIGHT
            if key[:1].isdigit() or (key.startswith("--") and len(key) > 4)
            else _PLAIN_WEIGHT
        )
    if anchor.kind == "number":
        digits = sum(ch.isdigit() for ch in key)
        if digits == 1:
            return _WEAK_WEIGHT
        if key.isdigit() and (len(key) == 2 or len(key) == 4 and 1900 <= int(key) <= 2100):
            return _PLAIN_WEIGHT
        return _SPECIFIC_NUMBER_WEIGHT
    if key in _EXONYM_FORMS:
        return _WEAK_WEIGHT
    if base_language(language) == "de" and " " not in key and not anchor.surface.isupper():
        return _GERMAN_WORD_WEIGHT
    return _PLAIN_WEIGHT


def anchor_weights(anchors: Sequence[Anchor], language: str | None) -> npt.NDArray[np.float64]:
    """Each anchor's weight, divided by the square root of how often its key occurs in the text."""
    return _discounted(anchors, _raw_weights(anchors, language))


def _raw_weights(anchors: Sequence[Anchor], language: str | None) -> npt.NDArray[np.float64]:
    """Each anchor's weight before repeated keys are discounted."""
    return np.array([anchor_weight(anchor, language) for anchor in anchors], dtype=np.float64)


def _discounted(
    anchors: Sequence[Anchor], weights: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Weights divided by the square root of how often each anchor's key occurs in the text."""
    counts: dict[str, int] = {}
    for anchor in anchors:
        counts[anchor.key] = counts.get(anchor.key, 0) + 1
    return (
        weights / np.sqrt(np.array([counts[anchor.key] for anchor in anchors], dtype=np.float64))
        if anchors
        else weights
    )


_NAME_RATIO = 84.0


@dataclass(frozen=True)
class TranslationEvidence:
    """Whether two texts in two languages are translations of each other, and the aligned anchors that show it.

    Args:
        score: 0..1, how completely and in how good an order the anchors align (``translation_score``).
        pairs: aligned anchors as written, first text's then second's, e.g. ``("15.000", "15,000")``.
        aligned: number of aligned anchors.
        coverage_first: share of the first text's anchor weight that is aligned (see ``anchor_weight``).
        coverage_second: share of the second text's anchor weight that is aligned.
        order_agreement: share of the anchors with a counterpart in the other text that align in order.
        is_translation: the decision.
        reason: one sentence a person can check.
        positions: where each pair's anchors stand, as character offsets in the first and second text.

    Examples:
        >>> first = extract_anchors("Am 15.08.2022 kamen 15.000 Menschen nach Kursk.", "de")
        >>> second = extract_anchors("On 15 August 2022, 15,000 people came to Kursk.", "en")
        >>> compare_translation(first, second, "de", "en").pairs[0]
        ('15.08.2022', '15 August 2022')
    """

    score: float
    pairs: list[tuple[str, str]]
    aligned: int
    coverage_first: float
    coverage_second: float
    order_agreement: float
    is_translation: bool
    reason: str
    positions: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class AnchorAlignment:
    """The order-preserving alignment of two anchor sequences.

    Args:
        chain: pairs of indices (first text, second text) of the aligned anchors, increasing in both.
        weights_first: each anchor's weight in the first text.
        weights_second: each anchor's weight in the second text.
        matchable_first: which anchors of the first text match some anchor of the second, in any order.
        matchable_second: the same for the second text.
        numeric_first: which anchors of the first text are numbers, dates, URLs or handles.
        numeric_second: the same for the second text.
        specific_first: which of the first text's numeric anchors pin something down (weight 1 or more: not a lone digit).
        specific_second: the same for the second text.
        beyond_dates: aligned pairs whose anchors are no dates or weekdays.
    """

    chain: list[tuple[int, int]]
    weights_first: npt.NDArray[np.float64]
    weights_second: npt.NDArray[np.float64]
    matchable_first: npt.NDArray[np.bool_]
    matchable_second: npt.NDArray[np.bool_]
    numeric_first: npt.NDArray[np.bool_]
    numeric_second: npt.NDArray[np.bool_]
    specific_first: npt.NDArray[np.bool_]
    specific_second: npt.NDArray[np.bool_]
    beyond_dates: int


def anchors_match(first: Anchor, second: Anchor) -> bool:
    """Whether two anchors stand for the same thing: equal keys, or names equal across spellings and
    scripts.
    """
    if first.kind != second.kind:
        return False
    if first.kind != "entity":
        return first.key == second.key
    return _names_match(first.key, second.key)


@lru_cache(maxsize=65536)
def _names_match(first: str, second: str) -> bool:
    """Name keys equal, close in spelling, equal in sound skeleton, or one name's words all inside
    the other's.
    """
    if first == second:
        return True
    if _words_match(first.replace(" ", ""), second.replace(" ", "")):
        return True
    shorter, longer = sorted((first.split(), second.split()), key=len)
    if len(shorter) == len(longer) or " ".join(shorter) in _EXONYM_FORMS:
        return False
    return (
        all(any(_words_match(word, other) for other in longer) for word in shorter)
        and len("".join(shorter)) >= 4
    )


@lru_cache(maxsize=65536)
def _words_match(first: str, second: str) -> bool:
    """Two name words (or names without spaces) are one name in two spellings."""
    if first == second:
        return True
    if min(len(first), len(second)) < 3:
        return False
    skeleton_first, skeleton_second = name_skeleton(first), name_skeleton(second)
    if skeleton_first == skeleton_second and len(skeleton_first) >= 3:
        return True
    hushed = name_skeleton(first, hushed=True)
    if hushed == name_skeleton(second, hushed=True) and len(hushed) >= 3:
        return True
    if fuzz.ratio(first, second) >= _NAME_RATIO:
        return True
    shorter, longer = sorted((first, second), key=len)
    if len(shorter) >= 4 and longer.startswith(shorter) and len(longer) - len(shorter) <= 3:
        return True
    return len(skeleton_first) >= 4 and fuzz.ratio(skeleton_first, skeleton_second) >= 88


def _matching_pairs(
    first: Sequence[Anchor], second: Sequence[Anchor]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every pair (index in the first text, index in the second) of matching anchors, sorted; keys
    are compared once per distinct pair.
    """
    keys_first = {(anchor.kind, anchor.key) for anchor in first}
    keys_second = {(anchor.kind, anchor.key) for anchor in second}
    partners: dict[tuple[str, str], list[tuple[str, str]]] = {
        key: [key] for key in keys_first & keys_second
    }
    names_first = sorted(key for kind, key in keys_first if kind == "entity")
    names_second = sorted(key for kind, key in keys_second if kind == "entity")
    if names_first and names_second:
        close = cdist(names_first, names_second, scorer=fuzz.ratio, score_cutoff=40.0)
        for row, column in zip(*np.nonzero(close), strict=True):
            left, right = names_first[row], names_second[column]
            if left != right and _names_match(left, right):
                partners.setdefault(("entity", left), []).append(("entity", right))
    positions_second: dict[tuple[str, str], list[int]] = {}
    for column, anchor in enumerate(second):
        positions_second.setdefault((anchor.kind, anchor.key), []).append(column)
    rows: list[int] = []
    columns: list[int] = []
    for row, anchor in enumerate(first):
        for partner in partners.get((anchor.kind, anchor.key), ()):
            found = positions_second[partner]
            rows.extend([row] * len(found))
            columns.extend(found)
    return np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64)


def _heaviest_chain(
    rows: npt.NDArray[np.int64],
    columns: npt.NDArray[np.int64],
    weights_first: npt.NDArray[np.float64],
    weights_second: npt.NDArray[np.float64],
) -> list[tuple[int, int]]:
    """The heaviest set of matching pairs increasing in both texts: a weighted LCS, over the matches
    only, with a Fenwick tree of prefix maxima.
    """
    if rows.size == 0:
        return []
    order = np.lexsort((-columns, rows))
    size = len(weights_second)
    tree_value = [0.0] * (size + 1)
    tree_index = [-1] * (size + 1)
    best = [0.0] * rows.size
    back = [-1] * rows.size
    for position in order:
        column = int(columns[position])
        value, previous = 0.0, -1
        cursor = column
        while cursor > 0:
            if tree_value[cursor] > value:
                value, previous = tree_value[cursor], tree_index[cursor]
            cursor -= cursor & -cursor
        best[position] = value + float(weights_first[rows[position]] + weights_second[column])
        back[position] = previous
        cursor = column + 1
        while cursor <= size:
            if best[position] > tree_value[cursor]:
                tree_value[cursor], tree_index[cursor] = best[position], int(position)
            cursor += cursor & -cursor
    end = int(np.argmax(best))
    chain = []
    while end >= 0:
        chain.append((int(rows[end]), int(columns[end])))
        end = back[end]
    return chain[::-1]


def align_anchors(
    first: Sequence[Anchor],
    second: Sequence[Anchor],
    first_language: str | None = None,
    second_language: str | None = None,
) -> AnchorAlignment:
    """The order-preserving alignment of two anchor sequences, the heaviest by anchor weight."""
    rows, columns = _matching_pairs(first, second)
    raw_first, raw_second = (
        _raw_weights(first, first_language),
        _raw_weights(second, second_language),
    )
    weights_first, weights_second = _discounted(first, raw_first), _discounted(second, raw_second)
    chain = _heaviest_chain(rows, columns, weights_first, weights_second)
    numeric_first = np.array([anchor.kind != "entity" for anchor in first], dtype=np.bool_)
    numeric_second = np.array([anchor.kind != "entity" for anchor in second], dtype=np.bool_)
    matchable_first = np.zeros(len(first), dtype=np.bool_)
    matchable_first[rows] = True
    matchable_second = np.zeros(len(second), dtype=np.bool_)
    matchable_second[columns] = True
    dated = [anchor.kind == "date" for anchor in first]
    return AnchorAlignment(
        chain,
        weights_first,
        weights_second,
        matchable_first,
        matchable_second,
        numeric_first,
        numeric_second,
        numeric_first & (raw_first >= _PLAIN_WEIGHT),
        numeric_second & (raw_second >= _PLAIN_WEIGHT),
        sum(not dated[i] for i, _ in chain),
    )


@dataclass(frozen=True)
class AlignmentMeasures:
    """What an alignment of two anchor sequences shows, with each anchor counted by its weight.

    Args:
        aligned: aligned anchor pairs.
        coverage_first: aligned weight over all weight in the first text.
        coverage_second: the same in the second text.
        order_agreement: aligned weight over the weight of anchors that have a counterpart at all.
        largest_gap: the largest stretch of unaligned weight between aligned anchors, as a share of its text's weight.
        aligned_weight: the aligned weight, both texts together.
        number_coverage: the smaller share of number and date weight aligned, or None when a text has none.
        number_presence: the smaller share, over the texts that have some, of the weight of numbers and dates
            (lone digits left out) that the other text has too, in any order; None when neither has any.
        aligned_beyond_dates: aligned pairs that are no dates or weekdays (names, numbers, URLs, handles).
    """

    aligned: int
    coverage_first: float
    coverage_second: float
    order_agreement: float
    largest_gap: float
    aligned_weight: float
    number_coverage: float | None
    number_presence: float | None = None
    aligned_beyond_dates: int = 0


def _largest_gap(indices: list[int], weights: npt.NDArray[np.float64]) -> float:
    """The heaviest run of unaligned anchors before, between or after the aligned ones, as a share
    of all weight.
    """
    total = float(weights.sum())
    if total == 0:
        return 1.0
    cumulative = np.concatenate(([0.0], np.cumsum(weights)))
    bounds = [-1, *indices, len(weights)]
    return (
        max(
            float(cumulative[end] - cumulative[start + 1])
            for start, end in zip(bounds, bounds[1:], strict=False)
        )
        / total
    )


def _number_coverage(alignment: AnchorAlignment) -> float | None:
    """The smaller share of number and date weight that is aligned, or None when either text has no
    number or date.
    """
    shares = []
    for weights, numeric, indices in (
        (alignment.weights_first, alignment.numeric_first, [i for i, _ in alignment.chain]),
        (alignment.weights_second, alignment.numeric_second, [j for _, j in alignment.chain]),
    ):
        total = float(weights[numeric].sum())
        if total == 0:
            return None
        aligned = np.zeros(len(weights), dtype=np.bool_)
        aligned[indices] = True
        shares.append(float(weights[numeric & aligned].sum()) / total)
    return min(shares)


def _number_presence(alignment: AnchorAlignment) -> float | None:
    """The smaller share, over the texts that have numbers or dates (lone digits left out), of their
    weight that the other text has too.
    """
    shares = []
    for weights, specific, matchable in (
        (alignment.weights_first, alignment.specific_first, alignment.matchable_first),
        (alignment.weights_second, alignment.specific_second, alignment.matchable_second),
    ):
        total = float(weights[specific].sum())
        if total:
            shares.append(float(weights[specific & matchable].sum()) / total)
    return min(shares) if shares else None


def measure_alignment(alignment: AnchorAlignment) -> AlignmentMeasures:
    """Weighted coverage, order agreement, the largest unaligned stretch and the number coverage of
    an alignment.
    """
    rows = [i for i, _ in alignment.chain]
    columns = [j for _, j in alignment.chain]
    first, second = alignment.weights_first, alignment.weights_second
    aligned_first, aligned_second = float(first[rows].sum()), float(second[columns].sum())
    total_first, total_second = float(first.sum()), float(second.sum())
    matchable = float(
        first[alignment.matchable_first].sum() + second[alignment.matchable_second].sum()
    )
    return AlignmentMeasures(
        aligned=len(alignment.chain),
        coverage_first=aligned_first / total_first if total_first else 0.0,
        coverage_second=aligned_second / total_second if total_second else 0.0,
        order_agreement=(aligned_first + aligned_second) / matchable if matchable else 0.0,
        largest_gap=max(_largest_gap(rows, first), _largest_gap(columns, second)),
        aligned_weight=aligned_first + aligned_second,
        number_coverage=_number_coverage(alignment),
        number_presence=_number_presence(alignment),
        aligned_beyond_dates=alignment.beyond_dates,
    )


def compare_translation(
    first: Sequence[Anchor],
    second: Sequence[Anchor],
    first_language: str | None,
    second_language: str | None,
) -> TranslationEvidence:
    """Whether one text translates the other: anchors aligned in order, covering both, with no long
    unaligned stretch.
    """
    lang_first, lang_second = base_language(first_language), base_language(second_language)
    if lang_first is not None and lang_first == lang_second:
        return TranslationEvidence(
            0.0,
            [],
            0,
            0.0,
            0.0,
            0.0,
            False,
            f"both texts are in the same language ({lang_first}); a translation is in another language",
        )
    alignment = align_anchors(first, second, lang_first, lang_second)
    measures = measure_alignment(alignment)
    pairs = [(first[i].surface, second[j].surface) for i, j in alignment.chain]
    positions = [(first[i].position, second[j].position) for i, j in alignment.chain]
    score = translation_score(measures)
    is_translation, reason = _decision(measures, score)
    return TranslationEvidence(
        round(score, 4),
        pairs,
        measures.aligned,
        round(measures.coverage_first, 4),
        round(measures.coverage_second, 4),
        round(measures.order_agreement, 4),
        is_translation,
        reason,
        positions,
    )


def translation_score(measures: AlignmentMeasures) -> float:
    """0..1: the smaller coverage, times the order agreement squared, the root of what the largest gap leaves, and the number agreement.

    Numbers and dates carry over into a translation almost always, so when both texts have some,
    the score is multiplied by (1 + the share of them aligned) / 2: halved when none aligns.
    """
    coverage = min(measures.coverage_first, measures.coverage_second)
    numbers = 1.0 if measures.number_coverage is None else (1.0 + measures.number_coverage) / 2
    return (
        coverage
        * measures.order_agreement**2
        * math.sqrt(max(0.0, 1.0 - measures.largest_gap))
        * numbers
    )


def _decision(measures: AlignmentMeasures, score: float) -> tuple[bool, str]:
    """The verdict on a measured alignment and one sentence saying why."""
    numbers = (
        ""
        if measures.number_coverage is None
        else f"{measures.number_coverage:.0%} of the numbers and dates align; "
    )
    summary = (
        f"{measures.aligned} anchors align in order, covering {measures.coverage_first:.0%} and {measures.coverage_second:.0%} "
        f"of the two texts' anchor weight; {measures.order_agreement:.0%} of the anchors they share keep their order; "
        f"{numbers}the largest unaligned stretch holds {measures.largest_gap:.0%} of a text's anchor weight"
    )
    weight = measures.aligned_weight / 2
    if weight < MIN_ALIGNED_WEIGHT:
        return False, f"too few anchors align to tell ({measures.aligned}): {summary}"
    needed = (
        TRANSLATION_SCORE_THRESHOLD if weight >= CONFIDENT_ALIGNED_WEIGHT else SMALL_ALIGNMENT_SCORE
    )
    if score < needed:
        return False, f"not a translation (score {score:.2f}, needs {needed:.2f}): {summary}"
    doubt = (
        _short_alignment_doubt(measures, score)
        if measures.aligned < STRONG_ALIGNED_ANCHORS
        else None
    )
    if doubt is not None:
        return False, f"not a translation ({doubt}): {summary}"
    return True, f"translation (score {score:.2f}): {summary}"


def _short_alignment_doubt(measures: AlignmentMeasures, score: float) -> str | None:
    """Why an alignment of fewer than STRONG_ALIGNED_ANCHORS anchors may be two reports of one day
    rather than a translation, or None.
    """
    if measures.aligned_beyond_dates < MIN_ALIGNED_BEYOND_DATES:
        return "only dates align, which every report of that day shares"
    if measures.number_presence is not None and measures.number_presence < MIN_NUMBER_PRESENCE:
        return f"{1 - measures.number_presence:.0%} of one text's numbers and dates are missing from the other, as in a report written apart"
    if score < SHORT_ALIGNMENT_SCORE:
        return f"score {score:.2f}, and an alignment of {measures.aligned} anchors needs {SHORT_ALIGNMENT_SCORE:.2f}"
    return None


def translation_direction(
    first_language: str | None,
    second_language: str | None,
    first_published: datetime | None,
    second_published: datetime | None,
) -> tuple[str | None, str]:
    """Which text is the origin (``first``, ``second`` or None) and why: the earlier publication
    date decides.
    """
    lang_first, lang_second = (
        base_language(first_language) or "an unknown language",
        base_language(second_language) or "an unknown language",
    )
    if first_published and second_published and first_published != second_published:
        earlier, later = (
            ("first", "second") if first_published < second_published else ("second", "first")
        )
        dates = {"first": first_published, "second": second_published}
        langs = {"first": lang_first, "second": lang_second}
        return earlier, (
            f"the {earlier} text ({langs[earlier]}) was published {dates[earlier]:%Y-%m-%d %H:%M}, "
            f"before the {later} ({langs[later]}, {dates[later]:%Y-%m-%d %H:%M}), so the {later} is the translation"
        )
    if first_published and second_published:
        return (
            None,
            "undetermined: both were published at the same time, and the anchors do not say which language came first",
        )
    undated = [
        name
        for name, date in (
            ("the first text", first_published),
            ("the second text", second_published),
        )
        if date is None
    ]
    verb = "has" if len(undated) == 1 else "have"
    return (
        None,
        f"undetermined: {' and '.join(undated)} {verb} no publication date, and the anchors do not say which language came first",
    )
