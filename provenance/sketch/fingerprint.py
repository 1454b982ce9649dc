"""Shingles and MinHash signatures for a whole batch of texts at once, as datasketch LeanMinHash objects.

One compiled pass (numba, in kernels.py; plain Python for a small batch) lower-cases and tokenises
every text, hashes its word 3-grams and signs it with one-permutation MinHash (Li, Owen and Zhang
2012): each shingle is hashed once into one of ``num_perm`` slots and each slot keeps its minimum,
which costs one hash per shingle instead of ``num_perm``. Empty slots are filled by rotation
densification (Shrivastava and Li 2014): each borrows from the next filled slot to its right. As with classic MinHash, the share of equal
slots estimates the Jaccard similarity, so the signatures work with datasketch's
``LeanMinHash.jaccard`` and with MinHash LSH banding; they are not comparable with signatures that
datasketch's own ``MinHash.update`` makes. Signatures are mergeable: the slot-wise minimum of
the raw signatures of two sets is the raw signature of their union.
"""

from __future__ import annotations

import struct
import sys
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from datasketch import LeanMinHash

SCHEME = "affine32"
SCHEME_CODE = 1
BYTE_ORDER = "<"
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
ScalarT = TypeVar("ScalarT", bound=np.generic)
I64 = npt.NDArray[np.int64]

EMPTY_SLOT = np.uint32(0xFFFFFFFF)
_FNV_PRIME = np.uint64(0x100000001B3)
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_COMBINE = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT = np.uint64(33)
_LOW32 = np.uint64(0xFFFFFFFF)
_DENSIFY = np.uint32(0x9E3779B1)
_TABLE_SIZE = 0x30000
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_RING = 16
_PROBES = 48


def fmix64(values: U64) -> U64:
    """The MurmurHash3 64-bit finaliser on an array: an avalanching bijection."""
    values = values ^ (values >> _SHIFT)
    values = values * _MIX1
    values = values ^ (values >> _SHIFT)
    values = values * _MIX2
    return values ^ (values >> _SHIFT)


_WORD_BIT = np.uint32(1 << 31)
_CJK_BIT = np.uint32(1 << 30)
_CODE_MASK = np.uint32((1 << 30) - 1)


@lru_cache(maxsize=1)
def _character_table() -> U32:
    """For each code point below ``_TABLE_SIZE``: its lower case, with a bit for word characters
    (letters and digits) and one for Chinese or Japanese (a word each).
    """
    lower = np.fromiter(
        (ord(folded) if len(folded := chr(cp).lower()) == 1 else cp for cp in range(_TABLE_SIZE)),
        dtype=np.uint32,
        count=_TABLE_SIZE,
    )
    word = np.fromiter(
        (unicodedata.category(chr(cp))[0] in "LN" for cp in range(_TABLE_SIZE)),
        dtype=np.bool_,
        count=_TABLE_SIZE,
    )
    cjk = np.zeros(_TABLE_SIZE, dtype=np.bool_)
    for low, high in _CJK_RANGES:
        cjk[low : high + 1] = True
    return (
        lower
        | np.where(word, _WORD_BIT, 0).astype(np.uint32)
        | np.where(cjk, _CJK_BIT, 0).astype(np.uint32)
    )


@dataclass(frozen=True)
class SketchParams:
    """The size and seed of the signatures.

    Args:
        num_perm: slots per signature (datasketch's ``num_perm``).
        seed: mixed into every shingle hash; signatures of different seeds cannot be compared.
        shingle_size: words per shingle.

    Examples:
        >>> SketchParams(128, 1, 3).num_perm
        128
    """

    num_perm: int
    seed: int
    shingle_size: int = 3

    @property
    def salt(self) -> np.uint64:
        """The seed as a 64-bit value mixed into shingle hashes."""
        return np.uint64((self.seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF)


@dataclass(frozen=True)
class ShingledBatch:
    """Shingle sets, raw (undensified) signatures and word counts of a batch of texts."""

    sets: list[U64]
    raw_signatures: U32
    word_counts: I64


COMPILED_AFTER_CHARS = 200_000
"""Characters a process shingles in plain Python before it loads the compiled kernels (kernels.py).

Loading them costs about half a second even from numba's on-disk cache (numba's import, its CPU
target, the cached machine code): more than ``provenance check`` spends on everything else. The
plain-Python pass takes about 0.4 µs a character (2 ms for an article) against the kernels' few
nanoseconds, so a process loads them once it has text enough to pay for it (a batch past this
size, or batches adding up to it) and signs everything after with them. Both passes give the
same shingles, signatures and word counts (tests/test_fingerprint.py).
"""
_interpreted_budget = COMPILED_AFTER_CHARS
_loaded_kernels: ModuleType | None = None
"""The compiled kernels once wholly imported (sys.modules holds a module while it is still being imported)."""
_kernels_lock = threading.Lock()


def _kernels(work: int) -> ModuleType | None:
    """The compiled kernels for a batch of `work` characters, or None while plain Python is cheaper
    (see COMPILED_AFTER_CHARS).
    """
    global _interpreted_budget, _loaded_kernels
    if _loaded_kernels is not None:
        return _loaded_kernels
    with _kernels_lock:  # a server checks in several threads: none may see the module half imported
        if _loaded_kernels is None:
            if work <= _interpreted_budget:
                _interpreted_budget -= work
                return None
            from provenance.sketch import kernels

            _loaded_kernels = kernels
        return _loaded_kernels


def preload_kernels() -> None:
    """Load the compiled kernels now: before forking processes that will shingle many texts one at a
    time (each would otherwise shingle its first 200,000 characters in plain Python, then import
    numba on its own).
    """
    _kernels(sys.maxsize)


def shingle_batch(
    texts: Sequence[str], params: SketchParams, with_sets: bool = True
) -> ShingledBatch:
    """Sorted unique shingle hashes (unless with_sets is False), raw signatures and word counts of
    every text, in one compiled pass (plain Python for a small batch).
    """
    count = len(texts)
    if count == 0:
        return ShingledBatch(
            [],
            np.full((0, params.num_perm), EMPTY_SLOT, dtype=np.uint32),
            np.zeros(0, dtype=np.int64),
        )
    if params.shingle_size > _RING:  # the compiled ring of recent words is the reference here
        kernels = _kernels(sys.maxsize)
    else:
        kernels = _kernels(sum(map(len, texts)))
    if kernels is None:
        return _shingle_interpreted(texts, params, with_sets)
    # Encoded one by one: joining the str first would widen every text to the widest one's code unit
    # size.
    # Byte 0 ends a text, so one inside a text is read as a space. It is looked for in each text's
    # bytes, where memchr finds it: 3 ms against 17 ms in the str for bench_ingest.py's 5,000 texts.
    encoded = [text.encode("utf-8", "surrogatepass") for text in texts]
    joined = b"\x00".join(
        [part.replace(b"\x00", b" ") if b"\x00" in part else part for part in encoded]
    )
    data = np.frombuffer(joined, dtype=np.uint8)
    capacity = data.size + count + 1 if with_sets else 1
    shingles = np.empty(capacity, dtype=np.uint64)
    owners = np.empty(capacity, dtype=np.int64)
    signatures = np.full((count, params.num_perm), EMPTY_SLOT, dtype=np.uint32)
    word_counts = np.zeros(count, dtype=np.int64)
    produced = kernels.shingle_kernel(
        data,
        _character_table(),
        params.shingle_size,
        params.salt,
        params.num_perm,
        shingles,
        owners,
        signatures,
        word_counts,
        with_sets,
    )
    if not with_sets:
        return ShingledBatch([], signatures, word_counts)
    starts, lengths = kernels.unique_runs(shingles, owners, produced, count)
    sets = [shingles[starts[i] : starts[i] + lengths[i]].copy() for i in range(count)]
    return ShingledBatch(sets, signatures, word_counts)


_character_infos: dict[str, int] = {}
"""The character table's entries (see _character_table) of the characters met by the plain-Python
pass, made one character at a time.
"""


def _character_info(character: str) -> int:
    """A character's entry in the character table, made as _character_table makes it; past the
    table, a letter of its own.
    """
    point = ord(character)
    if point >= _TABLE_SIZE:
        info = int(_WORD_BIT) | point
    else:
        folded = character.lower()
        info = ord(folded) if len(folded) == 1 else point
        if unicodedata.category(character)[0] in "LN":
            info |= int(_WORD_BIT)
        if any(low <= point <= high for low, high in _CJK_RANGES):
            info |= int(_CJK_BIT)
    _character_infos[character] = info
    return info


def _word_hashes(text: str) -> list[int]:
    """The FNV-1a hash of each word of a text (before mixing), as the compiled pass makes them: runs
    of word characters, each Chinese or Japanese one a word of its own.
    """
    infos = _character_infos
    word_bit, cjk_bit, code_mask = int(_WORD_BIT), int(_CJK_BIT), int(_CODE_MASK)
    offset, prime, mask = int(_FNV_OFFSET), int(_FNV_PRIME), 0xFFFFFFFFFFFFFFFF
    hashes: list[int] = []
    word = -1  # the hash of the word being read; -1 between words
    for character in text:
        info = infos.get(character)
        if info is None:
            info = _character_info(character)
        if not info & word_bit:  # byte 0 too: the compiled pass reads it as a space
            if word >= 0:
                hashes.append(word)
                word = -1
        elif info & cjk_bit:
            if word >= 0:
                hashes.append(word)
                word = -1
            hashes.append(((offset ^ (info & code_mask)) * prime) & mask)
        elif word < 0:
            word = ((offset ^ (info & code_mask)) * prime) & mask
        else:
            word = ((word ^ (info & code_mask)) * prime) & mask
    if word >= 0:
        hashes.append(word)
    return hashes


def _shingle_interpreted(
    texts: Sequence[str], params: SketchParams, with_sets: bool
) -> ShingledBatch:
    """shingle_batch's result made in plain Python and NumPy, one text at a time: the same shingles,
    signatures and word counts as the compiled pass.
    """
    signatures = np.full((len(texts), params.num_perm), EMPTY_SLOT, dtype=np.uint32)
    word_counts = np.zeros(len(texts), dtype=np.int64)
    sets: list[U64] = []
    slots = np.uint64(params.num_perm)
    for index, text in enumerate(texts):
        words = fmix64(np.array(_word_hashes(text), dtype=np.uint64))
        word_counts[index] = len(words)
        size = min(
            params.shingle_size, len(words)
        )  # a text of fewer words is one shingle of all of them
        runs = len(words) - size + 1 if len(words) else 0
        combined = words[:runs]
        for following in range(1, size):
            combined = combined * _COMBINE + words[following : following + runs]
        shingles = fmix64(combined)
        mixed = shingles ^ params.salt
        np.minimum.at(
            signatures[index],
            (((mixed >> np.uint64(32)) * slots) >> np.uint64(32)).astype(np.intp),
            (mixed & _LOW32).astype(np.uint32),
        )
        if with_sets:
            sets.append(sorted_unique(shingles))
    return ShingledBatch(sets, signatures, word_counts)


@lru_cache(maxsize=8)
def _probes(slots: int) -> npt.NDArray[np.int64]:
    """For each slot, a fixed random sequence of other slots to borrow from when it is empty."""
    return np.random.default_rng(0x5EED).integers(0, slots, size=(slots, _PROBES), dtype=np.int64)


def densify(raw: U32) -> U32:
    """Fill empty slots by optimal densification (Shrivastava 2017): each borrows from a random filled slot.

    Each slot probes a fixed random sequence of slots and copies the first filled one, so the
    empty slots of a short text borrow from independent shingles and similar texts still agree
    slot by slot with probability equal to their Jaccard similarity. A slot whose probes all
    miss (a text of one or two shingles) falls back to rotation: it borrows from the next filled
    slot to its right, offset by the distance. A row with no filled slot stays empty.
    """
    if raw.shape[0] == 0 or not (raw == EMPTY_SLOT).any():
        return raw
    kernels = _kernels(0) if raw.shape[0] <= DENSIFY_INTERPRETED_ROWS else _kernels(sys.maxsize)
    if kernels is None:
        return _densify_interpreted(raw, _probes(raw.shape[1]))
    result = np.empty_like(raw)
    kernels.densify_kernel(np.ascontiguousarray(raw), _probes(raw.shape[1]), result)
    return result


DENSIFY_INTERPRETED_ROWS = 256
"""Rows densify fills in NumPy, unless the compiled kernels are loaded already (see
COMPILED_AFTER_CHARS): a checked article has one signature and a few dozen paragraphs.
"""


def _densify_interpreted(raw: U32, probes: I64) -> U32:
    """densify's result made with NumPy, a row at a time: the same values as the compiled kernel."""
    result = np.array(raw, dtype=np.uint32, order="C")
    slots = raw.shape[1]
    empty = result == EMPTY_SLOT
    for row in np.flatnonzero(empty.any(axis=1)).tolist():
        values = result[row].copy()
        missing = np.flatnonzero(empty[row])
        borrowed = values[probes[missing]]  # each empty slot's probes, in order
        hit = borrowed != EMPTY_SLOT
        first = hit.argmax(axis=1)
        found = hit[np.arange(len(missing)), first]
        result[row, missing[found]] = borrowed[np.arange(len(missing))[found], first[found]]
        missed = missing[~found]
        if len(missed) == 0 or len(missed) == slots:
            continue
        filled = result[row].copy()
        for slot in missed.tolist():
            for distance in range(1, slots):
                source = int(filled[(slot + distance) % slots])
                if source != EMPTY_SLOT:
                    result[row, slot] = (source + distance * int(_DENSIFY)) & 0xFFFFFFFF
                    break
    return result


def merge_raw(raw: U32, groups: Sequence[Sequence[int]]) -> U32:
    """Raw signatures of unions: the slot-wise minimum over each group of rows."""
    merged = np.full((len(groups), raw.shape[1]), EMPTY_SLOT, dtype=np.uint32)
    for index, rows in enumerate(groups):
        if len(rows):
            merged[index] = raw[list(rows)].min(axis=0)
    return merged


def sorted_unique(values: npt.NDArray[ScalarT]) -> npt.NDArray[ScalarT]:
    """The distinct values in ascending order, as ``np.unique`` gives them: sorted, each run kept once.

    ``np.unique`` of NumPy 2.4.6 (the version measured) took 55 µs against 16 µs for an article's
    800 shingle hashes, and 32-126 ms against 8-15 ms for a batch's 130,000 LSH keys.
    """
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    first_of_run = np.empty(ordered.size, dtype=np.bool_)
    first_of_run[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first_of_run[1:])
    return ordered[first_of_run]


def text_signature(text: str, params: SketchParams) -> tuple[U64, U32]:
    """The shingle set and the densified signature of one text, its lines shingled apart."""
    batch = shingle_batch(text.split("\n"), params)
    shingles = (
        sorted_unique(np.concatenate(batch.sets)) if batch.sets else np.empty(0, dtype=np.uint64)
    )
    return shingles, densify(merge_raw(batch.raw_signatures, [range(len(batch.sets))]))[0]


def to_minhash(row: U32, seed: int) -> LeanMinHash:
    """A datasketch LeanMinHash holding one signature row (datasketch is imported here: it imports
    scipy, 0.45 s).
    """
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=row, scheme=SCHEME)


def signature_bytes(row: U32, seed: int) -> bytes:
    """A signature in LeanMinHash's serialised form (little-endian), without building the object: no
    pickle.
    """
    return (
        struct.pack(f"{BYTE_ORDER}qiB", seed, -len(row), SCHEME_CODE)
        + row.astype(f"{BYTE_ORDER}u4").tobytes()
    )


def signature_from_bytes(data: bytes) -> LeanMinHash:
    """A LeanMinHash from bytes written by signature_bytes (datasketch is imported here: it imports
    scipy, 0.45 s).
    """
    from datasketch import LeanMinHash

    return LeanMinHash.deserialize(data, byteorder=BYTE_ORDER)
