"""Language identification with py3langid's packaged model, its scoring compiled.

py3langid walks its byte automaton in a Python loop and scores through a Counter and numpy: 0.21 ms
for the 400 characters an article is judged on, a twentieth of the time preparing an article
takes. The same automaton and the same naive Bayes tables, walked and summed by one numba kernel,
take 0.04 ms and give every language the same score (tests/test_extract.py compares them with
py3langid's ``rank`` on texts of eleven languages). When the installed py3langid keeps its model
in another shape, py3langid's own ``classify`` is used.

Two costs are paid once per process, not per text, and both are kept off a short command such as
``provenance check``:

- py3langid's model is a 4.5 MB xz-compressed npz; decompressing it and widening its float16
  table took 0.6 s. Its arrays are converted once into plain ``.npy`` files in the user's cache
  folder (``PROVENANCE_CACHE_DIR``, else ``$XDG_CACHE_HOME/provenance`` or ``~/.cache/provenance``;
  about 70 MB), which later processes map into memory in a millisecond and read only the rows a
  text needs. Where no cache folder can be written, the model is read from py3langid as before.
- Loading the compiled kernel, even from numba's on-disk cache, took 0.23-0.5 s (numba's import
  and its CPU target). A process scores its first texts with plain Python and NumPy instead (the
  same float32 operations in the same order, so the same scores to the bit: 0.5 ms a text) and
  switches to the kernel once numba is loaded anyway or it has scored ``COMPILED_AFTER_TEXTS``.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import py3langid
import py3langid.langid as langid_model

LANGUAGE_SAMPLE_CHARS = 400
"""Characters of a text the language is judged on: py3langid is as sure on them as on the whole
text, at a tenth of the cost.
"""

CACHE_ENV = "PROVENANCE_CACHE_DIR"
"""The folder for files made once and reused by later processes (the converted language model); the
user's cache folder by default.
"""

COMPILED_AFTER_TEXTS = 300
"""Texts a process scores in plain Python before it loads the compiled kernel (unless numba is
loaded already): about what loading it costs.
"""

_CACHE_FORMAT = 1
_ARRAYS = (
    "next_move",
    "row_base",
    "output",
    "feature_class",
    "class_prior",
    "classes",
    "alias_pairs",
)
_interpreted_left = COMPILED_AFTER_TEXTS


@dataclass(frozen=True)
class _Model:
    """py3langid's automaton and naive Bayes tables as arrays a compiled kernel can read."""

    next_move: npt.NDArray[np.uint32]
    row_base: npt.NDArray[np.int64]
    output: npt.NDArray[np.int64]
    feature_class: npt.NDArray[np.float16] | npt.NDArray[np.float32]
    """One row per feature, one column per class: py3langid's float16 table (each value exact in
    float32, which the kernel reads).
    """
    class_prior: npt.NDArray[np.float32]
    classes: tuple[str, ...]
    alias_pairs: tuple[tuple[int, int], ...]
    encode: Callable[[str], bytes]
    """py3langid's own text preparation: lower case when all upper case, NFC, UTF-8."""

    @cached_property
    def kernel_arrays(self) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int32]]:
        """The feature table in float32 (numba reads no float16; exact in float32), and the kernel's scratch space, one slot per feature.

        The kernel holds the GIL, so one process-wide scratch array serves every thread.
        """
        return np.ascontiguousarray(self.feature_class, dtype=np.float32), np.zeros(
            len(self.feature_class), dtype=np.int32
        )

    @cached_property
    def automaton(self) -> tuple[memoryview, memoryview, memoryview]:
        """The automaton's arrays as memoryviews, whose items Python reads as ints faster than
        NumPy's scalars.
        """
        return (
            np.ascontiguousarray(self.next_move).data,
            np.ascontiguousarray(self.row_base).data,
            np.ascontiguousarray(self.output).data,
        )


@lru_cache(maxsize=1)
def _model() -> _Model | None:
    """The packaged model's arrays, or None when this py3langid keeps them otherwise (or normalises its scores).

    Mapped from the converted copy in the cache folder when py3langid has not loaded its model in
    this process (it may have been changed there: ``set_languages``); converted from py3langid's
    and saved there otherwise.
    """
    try:
        fresh = langid_model.IDENTIFIER is None
        if fresh and (cached := _cached_model()) is not None:
            return cached
        identifier: Any = langid_model._get_identifier()
        if identifier._norm_probs or identifier.min_confidence is not None:
            return None
        model = _Model(
            next_move=np.frombuffer(identifier.tk_nextmove, dtype=np.uint32),
            row_base=np.asarray(identifier._rowbase, dtype=np.int64),
            output=np.asarray(identifier.tk_output, dtype=np.int64),
            feature_class=np.ascontiguousarray(identifier.nb_ptc),
            class_prior=np.asarray(identifier.nb_pc, dtype=np.float32),
            classes=tuple(identifier.nb_classes),
            alias_pairs=tuple(
                (int(first), int(second)) for first, second in identifier._alias_pairs
            ),
            encode=langid_model.LanguageIdentifier._encode,
        )
    except (AttributeError, TypeError, ValueError):
        return None
    if fresh:  # the packaged model, loaded here: not one changed in this process
        _save_model(model)
    return model


def _cache_folder() -> Path | None:
    """The folder for the converted model, None when there is no home to put it in."""
    if configured := os.environ.get(CACHE_ENV):
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.path.join(home, ".cache") if (home := os.path.expanduser("~")) != "~" else None
    )
    return Path(base) / "provenance" if base else None


def _cache_path() -> Path | None:
    """Where the converted model of the installed py3langid is kept: named after the model file and
    py3langid's loader (path, size, time changed).
    """
    folder = _cache_folder()
    if folder is None:
        return None
    model_file = Path(langid_model.MODEL_DIR) / langid_model.MODEL_FILE
    parts = [str(_CACHE_FORMAT), np.__version__.split(".")[0]]
    for path in (
        model_file,
        Path(langid_model.__file__),
        Path(langid_model._load_model_file.__code__.co_filename),
    ):
        stat = path.stat()
        parts += [str(path.resolve()), str(stat.st_size), str(stat.st_mtime_ns)]
    return folder / f"py3langid-{hashlib.sha256(chr(0).join(parts).encode()).hexdigest()[:24]}"


def _cached_model() -> _Model | None:
    """The model mapped from its converted copy, None when there is none (or it cannot be read, when
    it is removed to be made again).
    """
    try:
        path = _cache_path()
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    if path is None or not path.is_dir():
        return None
    try:
        arrays = {
            name: np.load(path / f"{name}.npy", mmap_mode="c", allow_pickle=False)
            for name in _ARRAYS
        }
        _features, classes = arrays["feature_class"].shape
        if not (
            arrays["row_base"].shape == arrays["output"].shape
            and arrays["class_prior"].shape == (classes,) == arrays["classes"].shape
            and arrays["alias_pairs"].shape[1:] == (2,)
        ):
            raise ValueError("arrays of inconsistent shapes")
        return _Model(
            next_move=arrays["next_move"].view(np.ndarray),
            row_base=arrays["row_base"].view(np.ndarray),
            output=arrays["output"].view(np.ndarray),
            feature_class=arrays["feature_class"].view(np.ndarray),
            class_prior=np.array(arrays["class_prior"]),
            classes=tuple(arrays["classes"].tolist()),
            alias_pairs=tuple(
                (int(first), int(second)) for first, second in arrays["alias_pairs"].tolist()
            ),
            encode=langid_model.LanguageIdentifier._encode,
        )
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        shutil.rmtree(path, ignore_errors=True)
        return None


def _save_model(model: _Model) -> None:
    """Write the model's arrays to the cache folder for later processes: into a new folder, renamed
    into place when whole (another process may win the race: then its copy stays).
    """
    try:
        path = _cache_path()
        if path is None or path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".py3langid-", dir=path.parent))
    except (OSError, ValueError, TypeError, AttributeError):
        return
    try:
        arrays: dict[str, npt.NDArray[Any]] = {
            "next_move": model.next_move,
            "row_base": model.row_base,
            "output": model.output,
            "feature_class": model.feature_class,
            "class_prior": model.class_prior,
            "classes": np.array(model.classes, dtype=np.str_),
            "alias_pairs": np.array(model.alias_pairs, dtype=np.int64).reshape(-1, 2),
        }
        for name in _ARRAYS:
            np.save(staging / f"{name}.npy", arrays[name], allow_pickle=False)
        os.rename(staging, path)
    except OSError:
        pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _scores(
    data: npt.NDArray[np.uint8],
    next_move: npt.NDArray[np.uint32],
    row_base: npt.NDArray[np.int64],
    output: npt.NDArray[np.int64],
    feature_class: npt.NDArray[np.float32],
    class_prior: npt.NDArray[np.float32],
    counts: npt.NDArray[np.int32],
) -> npt.NDArray[np.float32]:  # pragma: no cover - compiled
    """Naive Bayes scores of every class (empty when no feature is found): the features the automaton emits over the bytes, counted, each weighted by log(1 + count).

    `counts` is a zeroed scratch array with a slot per feature; it is left zeroed again. Compiled
    by _compiled_scores; _interpreted_scores does the same in Python and NumPy.
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


@lru_cache(maxsize=1)
def _compiled_scores() -> Callable[..., npt.NDArray[np.float32]]:
    """_scores compiled by numba, with its on-disk cache (without it where numba finds no writable
    cache folder).
    """
    from numba import njit

    try:
        return njit(cache=True)(_scores)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return njit(cache=False)(_scores)


def _interpreted_scores(data: bytes, model: _Model) -> npt.NDArray[np.float32]:
    """_scores in Python and NumPy: the features in the order first found, each row weighted and
    added in float32 as the kernel adds it.
    """
    next_move, row_base, output = model.automaton
    counts: dict[int, int] = {}
    state = 0
    for byte in data:
        state = next_move[row_base[state] + byte]
        feature = output[state]
        if feature >= 0:
            counts[feature] = counts.get(feature, 0) + 1
    scores = model.class_prior.copy()
    if not counts:
        return scores[:0]
    rows = model.feature_class[np.fromiter(counts, dtype=np.int64, count=len(counts))].astype(
        np.float32
    )
    for row, count in zip(rows, counts.values(), strict=True):
        scores += np.float32(math.log1p(count)) * row
    return scores


def _use_compiled() -> bool:
    """Whether to score with the compiled kernel: once numba is loaded anyway, or after
    COMPILED_AFTER_TEXTS texts.
    """
    global _interpreted_left
    if "numba" in sys.modules or _interpreted_left <= 0:
        return True
    _interpreted_left -= 1
    return False


def preload() -> None:
    """Load the model and import numba now: worker processes forked afterwards (an ingest's) share both instead of each loading them.

    The kernel itself is loaded in each worker, on its first text.
    """
    _model()
    _compiled_scores()


def _folded_scores(text: str) -> tuple[_Model, npt.NDArray[np.float32]] | None:
    """The model and the kernel's scores of a text, a label the model has twice (a script variant)
    scored once in its first column; None when the kernel cannot score it (no model arrays, no
    feature found).
    """
    model = _model()
    if model is None:
        return None
    encoded = model.encode(text)
    if _use_compiled():
        feature_class, counts = model.kernel_arrays
        data = np.frombuffer(encoded, dtype=np.uint8)
        scores = _compiled_scores()(
            data,
            model.next_move,
            model.row_base,
            model.output,
            feature_class,
            model.class_prior,
            counts,
        )
    else:
        scores = _interpreted_scores(encoded, model)
    if not len(scores):
        return None
    for first, second in model.alias_pairs:
        scores[first] = max(scores[first], scores[second])
        scores[second] = -np.inf
    return model, scores


def class_scores(text: str) -> dict[str, float] | None:
    """Each language's naive Bayes score of a text, as py3langid's ``rank`` gives them; None when
    the kernel cannot score it.
    """
    if (scored := _folded_scores(text)) is None:
        return None
    model, scores = scored
    return {
        language: score
        for language, score in zip(model.classes, scores.tolist())
        if score != -np.inf
    }


def classify(text: str) -> str:
    """The language code py3langid gives a text, scored by the compiled kernel when it can."""
    if (
        scored := _folded_scores(text)
    ) is None:  # py3langid's own answer, also for a text with no feature of the model
        return str(py3langid.classify(text)[0])
    model, scores = scored
    return model.classes[int(scores.argmax())]


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language (judged on its first 400 characters); None for fewer
    than three words.
    """
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if len(sample.split()) < 3:
        return None
    return classify(sample)
