"""The compiled (numba) kernels of provenance.sketch.fingerprint, imported only when a process has enough text to sign.

Importing numba and loading these kernels from its on-disk cache take about half a second (numba's
import, its CPU target, the cached machine code), more than ``provenance check`` spends on the
rest of its work; fingerprint.py signs small batches with plain-Python equivalents that give the
same values, and imports this module when a batch is large enough to pay for it.

The kernels read the scheme's constants from fingerprint.py. numba's cache sees changes to this
file only: a change to those constants, which changes every stored signature and LSH key and so
needs a schema migration anyway, must come with a change here (as simple as this line) so that
cached machine code compiled with the old values is not used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from numba import njit

from provenance.sketch.fingerprint import (
    _CJK_BIT,
    _CODE_MASK,
    _COMBINE,
    _DENSIFY,
    _FNV_OFFSET,
    _FNV_PRIME,
    _LOW32,
    _MIX1,
    _MIX2,
    _RING,
    _SHIFT,
    _WORD_BIT,
    EMPTY_SLOT,
    I64,
    U32,
    U64,
)

F = TypeVar("F", bound=Callable[..., Any])


def _jit(**options: Any) -> Callable[[F], F]:
    """numba's ``njit`` with its on-disk cache, or without it where numba finds no writable cache
    folder (which it refuses with a RuntimeError).
    """

    def decorate(function: F) -> F:
        try:
            return njit(cache=True, **options)(function)  # type: ignore[no-any-return]
        except RuntimeError:  # "cannot cache function ...: no locator available": compiled anew in each process instead
            return njit(cache=False, **options)(function)  # type: ignore[no-any-return]

    return decorate


@_jit(inline="always")
def _fmix(value: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    value ^= value >> _SHIFT
    value *= _MIX1
    value ^= value >> _SHIFT
    value *= _MIX2
    value ^= value >> _SHIFT
    return value


@_jit(inline="always")
def _emit(
    shingle: np.uint64,
    text: int,
    salt: np.uint64,
    slots: np.uint64,
    shingles: U64,
    owners: I64,
    signatures: U32,
    count: int,
    keep: bool,
) -> int:  # pragma: no cover - compiled
    if keep:
        shingles[count] = shingle
        owners[count] = text
    mixed = shingle ^ salt
    slot = ((mixed >> np.uint64(32)) * slots) >> np.uint64(32)
    value = np.uint32(mixed & _LOW32)
    kept = signatures[text, slot]
    signatures[text, slot] = (
        value if value < kept else kept
    )  # stored either way, without a branch (see shingle_kernel)
    return count + 1


@_jit(inline="always")
def _shingle_of(ring: U64, words: int, size: int) -> np.uint64:  # pragma: no cover - compiled
    value = ring[(words - size) & (_RING - 1)]
    for offset in range(1, size):
        value = value * _COMBINE + ring[(words - size + offset) & (_RING - 1)]
    return _fmix(value)


@_jit(inline="always")
def _end_word(
    word_hash: np.uint64,
    ring: U64,
    words: int,
    size: int,
    text: int,
    salt: np.uint64,
    slots: np.uint64,
    shingles: U64,
    owners: I64,
    signatures: U32,
    count: int,
    keep: bool,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """Close a word: push its hash on the ring and emit the shingle it completes; the new word and
    shingle counts.
    """
    ring[words & (_RING - 1)] = _fmix(word_hash)
    words += 1
    if words >= size:
        count = _emit(
            _shingle_of(ring, words, size),
            text,
            salt,
            slots,
            shingles,
            owners,
            signatures,
            count,
            keep,
        )
    return words, count


@_jit(inline="always")
def _decode(
    data: npt.NDArray[np.uint8], index: int
) -> tuple[np.uint32, int]:  # pragma: no cover - compiled
    """The code point of the UTF-8 sequence at index, and the index after it."""
    lead = data[index]
    if lead < 0x80:
        return np.uint32(lead), index + 1
    if lead < 0xE0:
        return (np.uint32(lead & 0x1F) << np.uint32(6)) | np.uint32(
            data[index + 1] & 0x3F
        ), index + 2
    if lead < 0xF0:
        return (np.uint32(lead & 0x0F) << np.uint32(12)) | (
            np.uint32(data[index + 1] & 0x3F) << np.uint32(6)
        ) | np.uint32(data[index + 2] & 0x3F), index + 3
    return (np.uint32(lead & 0x07) << np.uint32(18)) | (
        np.uint32(data[index + 1] & 0x3F) << np.uint32(12)
    ) | (np.uint32(data[index + 2] & 0x3F) << np.uint32(6)) | np.uint32(
        data[index + 3] & 0x3F
    ), index + 4


@_jit(inline="always")
def _character_info(table: U32, code: np.uint32) -> np.uint32:  # pragma: no cover - compiled
    """A code point's entry in the character table (lower case and flags); past the table, a letter
    of its own.
    """
    return table[code] if code < table.shape[0] else (_WORD_BIT | code)


@_jit()
def shingle_kernel(
    data: npt.NDArray[np.uint8],
    table: U32,
    size: int,
    salt: np.uint64,
    slots: int,
    shingles: U64,
    owners: I64,
    signatures: U32,
    word_counts: I64,
    keep: bool,
) -> int:  # pragma: no cover - compiled
    """Decode UTF-8, tokenise, shingle and sign every text of a batch in one pass; texts are separated by byte 0.

    A word is a run of letters and digits (lower-cased); each Chinese or Japanese character is a
    word of its own. Each word is hashed (FNV-1a over its code points, then mixed) onto a ring of
    the last words, and each run of ``size`` words is one shingle. A text of fewer words than
    ``size`` is one shingle of all its words. Shingles go to ``shingles`` and ``owners`` only when
    ``keep`` is set.

    The outer loop skips to a word's first character; an inner loop reads the rest of the word
    (ASCII without decoding) and leaves the character that ends it to the outer loop, and a
    slot keeps its minimum without a branch. On the 21 MB of bench_ingest.py's 5,000 texts this
    took 0.17-0.18 s against 0.20-0.21 s for the one loop of a character at a time that it
    replaced (the minimum without a branch alone: 0.18-0.19 s), for the same signatures.
    """
    ring = np.zeros(_RING, dtype=np.uint64)
    wide_slots = np.uint64(slots)
    count = 0
    text = 0
    words = 0
    total = data.shape[0]
    index = 0
    while index <= total:
        code = np.uint32(0)
        if index < total:
            code, index = _decode(data, index)
        else:
            index += 1  # past the end: the last text ends here
        if code == 0:
            if 0 < words < size:
                count = _emit(
                    _shingle_of(ring, words, words),
                    text,
                    salt,
                    wide_slots,
                    shingles,
                    owners,
                    signatures,
                    count,
                    keep,
                )
            word_counts[text] = words
            words = 0
            if index <= total:
                text += 1
            continue
        info = _character_info(table, code)
        if not info & _WORD_BIT:
            continue
        word_hash = (_FNV_OFFSET ^ np.uint64(info & _CODE_MASK)) * _FNV_PRIME
        if not info & _CJK_BIT:
            while index < total:
                lead = data[index]
                if lead < 0x80:
                    info = table[lead]
                    if not info & _WORD_BIT:
                        break
                    index += 1
                else:
                    code, after = _decode(data, index)
                    info = _character_info(table, code)
                    if not info & _WORD_BIT or info & _CJK_BIT:
                        break
                    index = after
                word_hash = (word_hash ^ np.uint64(info & _CODE_MASK)) * _FNV_PRIME
        words, count = _end_word(
            word_hash,
            ring,
            words,
            size,
            text,
            salt,
            wide_slots,
            shingles,
            owners,
            signatures,
            count,
            keep,
        )
    return count


@_jit()
def unique_runs(
    shingles: U64, owners: I64, count: int, texts: int
) -> tuple[I64, I64]:  # pragma: no cover - compiled
    """Sort and deduplicate each text's run of shingles in place; the start and length of each
    unique run.
    """
    starts = np.zeros(texts, dtype=np.int64)
    lengths = np.zeros(texts, dtype=np.int64)
    index = 0
    write = 0
    while index < count:
        text = owners[index]
        end = index
        while end < count and owners[end] == text:
            end += 1
        run = np.sort(shingles[index:end])
        starts[text] = write
        unique = 0
        for position in range(run.shape[0]):
            if position == 0 or run[position] != run[position - 1]:
                shingles[write] = run[position]
                write += 1
                unique += 1
        lengths[text] = unique
        index = end
    return starts, lengths


@_jit()
def densify_kernel(raw: U32, probes: I64, result: U32) -> None:  # pragma: no cover - compiled
    """Optimal densification of every row, then rotation for the slots whose probes all missed."""
    rows, slots = raw.shape
    width = probes.shape[1]
    for row in range(rows):
        missed = 0
        for slot in range(slots):
            value = raw[row, slot]
            if value == EMPTY_SLOT:
                for probe in range(width):
                    borrowed = raw[row, probes[slot, probe]]
                    if borrowed != EMPTY_SLOT:
                        value = borrowed
                        break
                if value == EMPTY_SLOT:
                    missed += 1
            result[row, slot] = value
        if missed == 0 or missed == slots:
            continue
        filled = result[row].copy()
        for slot in range(slots):
            if filled[slot] != EMPTY_SLOT:
                continue
            for distance in range(1, slots):
                source = filled[(slot + distance) % slots]
                if source != EMPTY_SLOT:
                    result[row, slot] = np.uint32(
                        (np.uint64(source) + np.uint64(distance) * np.uint64(_DENSIFY)) & _LOW32
                    )
                    break
