"""Language identification with py3langid's packaged model, its scoring compiled.

py3langid walks its byte automaton in a Python loop and scores through a Counter and numpy: 0.21 ms
for the 400 characters an article is judged on, a twentieth of the time preparing an article
takes. The same automaton and the same naive Bayes tables, walked and summed by one numba kernel,
take 0.04 ms and give every language the same score (tests/test_extract.py compares them with
py3langid's ``rank`` on texts of eleven languages). When the installed py3langid keeps its model
in another shape, py3langid's own ``classify`` is used.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import py3langid
import py3langid.langid as langid_model
from numba import njit

LANGUAGE_SAMPLE_CHARS = 400
"""Characters of a text the language is judged on: py3langid is as sure on them as on the whole text, at a tenth of the cost."""


@dataclass(frozen=True)
class _Model:
    """py3langid's automaton and naive Bayes tables as arrays a compiled kernel can read."""

    next_move: npt.NDArray[np.uint32]
    row_base: npt.NDArray[np.int64]
    output: npt.NDArray[np.int64]
    feature_class: npt.NDArray[np.float32]
    class_prior: npt.NDArray[np.float32]
    classes: tuple[str, ...]
    alias_pairs: tuple[tuple[int, int], ...]
    encode: Callable[[str], bytes]
    """py3langid's own text preparation: lower case when all upper case, NFC, UTF-8."""
    counts: npt.NDArray[np.int32]
    """Scratch space of the kernel, one slot per feature. The kernel holds the GIL, so one process-wide array serves every thread."""


@lru_cache(maxsize=1)
def _model() -> _Model | None:
    """The packaged model's arrays, or None when this py3langid keeps them otherwise (or normalises its scores)."""
    try:
        identifier: Any = langid_model._get_identifier()
        if identifier._norm_probs or identifier.min_confidence is not None:
            return None
        return _Model(
            next_move=np.frombuffer(identifier.tk_nextmove, dtype=np.uint32),
            row_base=np.asarray(identifier._rowbase, dtype=np.int64),
            output=np.asarray(identifier.tk_output, dtype=np.int64),
            feature_class=np.ascontiguousarray(identifier.nb_ptc, dtype=np.float32),  # numba reads no float16; exact in float32
            class_prior=np.asarray(identifier.nb_pc, dtype=np.float32),
            classes=tuple(identifier.nb_classes),
            alias_pairs=tuple((int(first), int(second)) for first, second in identifier._alias_pairs),
            encode=langid_model.LanguageIdentifier._encode,
            counts=np.zeros(len(identifier.nb_ptc), dtype=np.int32),
        )
    except (AttributeError, TypeError, ValueError):
        return None


@njit(cache=True)
def _scores(data: npt.NDArray[np.uint8], next_move: npt.NDArray[np.uint32], row_base: npt.NDArray[np.int64], output: npt.NDArray[np.int64], feature_class: npt.NDArray[np.float32], class_prior: npt.NDArray[np.float32], counts: npt.NDArray[np.int32]) -> npt.NDArray[np.float32]:  # pragma: no cover - compiled
    """Naive Bayes scores of every class (empty when no feature is found): the features the automaton emits over the bytes, counted, each weighted by log(1 + count).

    `counts` is a zeroed scratch array with a slot per feature; it is left zeroed again.
    """
    found = np.empty(len(data), dtype=np.int64)
    distinct = 0
    state = 0
    for byte in data:
        state = next_move[row_base[state] + byte]
        feature = output[state]
        if feature >= 0:
            if counts[feature] == 0:
                found[distinct] = feature
                distinct += 1
            counts[feature] += 1
    scores = class_prior.copy()
    if distinct == 0:
        return scores[:0]
    for number in range(distinct):
        feature = found[number]
        weight = np.float32(math.log1p(counts[feature]))
        counts[feature] = 0
        row = feature_class[feature]
        for index in range(scores.shape[0]):
            scores[index] += weight * row[index]
    return scores


def preload() -> None:
    """Load the model now: worker processes forked afterwards share it instead of each reading it (about half a second)."""
    _model()


def _folded_scores(text: str) -> tuple[_Model, npt.NDArray[np.float32]] | None:
    """The model and the kernel's scores of a text, a label the model has twice (a script variant) scored once in its first column; None when the kernel cannot score it (no model arrays, no feature found)."""
    model = _model()
    if model is None:
        return None
    data = np.frombuffer(model.encode(text), dtype=np.uint8)
    scores = _scores(data, model.next_move, model.row_base, model.output, model.feature_class, model.class_prior, model.counts)
    if not len(scores):
        return None
    for first, second in model.alias_pairs:
        scores[first] = max(scores[first], scores[second])
        scores[second] = -np.inf
    return model, scores


def class_scores(text: str) -> dict[str, float] | None:
    """Each language's naive Bayes score of a text, as py3langid's ``rank`` gives them; None when the kernel cannot score it."""
    if (scored := _folded_scores(text)) is None:
        return None
    model, scores = scored
    return {language: score for language, score in zip(model.classes, scores.tolist()) if score != -np.inf}


def classify(text: str) -> str:
    """The language code py3langid gives a text, scored by the compiled kernel when it can."""
    if (scored := _folded_scores(text)) is None:  # py3langid's own answer, also for a text with no feature of the model
        return str(py3langid.classify(text)[0])
    model, scores = scored
    return model.classes[int(scores.argmax())]


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language (judged on its first 400 characters); None for fewer than three words."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if len(sample.split()) < 3:
        return None
    return classify(sample)
