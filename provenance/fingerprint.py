"""MinHash signatures (datasketch) for many texts at once, their bytes, and exact shingle sets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xxhash
from datasketch import LeanMinHash, MinHash

SCHEME = "affine32"
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]

# Constants of the shingle combiner and of the MurmurHash3 64-bit finaliser.
_COMBINE = np.uint64(0x9E3779B97F4A7C15)
_FMIX64 = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))
_CHUNK_ROWS = 65_536


def fmix64(values: U64) -> U64:
    """The MurmurHash3 finaliser on 64-bit values: an avalanching bijection."""
    shift, first, second = _FMIX64
    values = values ^ (values >> shift)
    values = values * first
    values = values ^ (values >> shift)
    values = values * second
    return values ^ (values >> shift)


def _fmix32(values: U32) -> U32:
    """The MurmurHash3 32-bit finaliser, exactly as datasketch's affine32 scheme applies it."""
    s1, m1, s2, m2 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s1)


class TokenHasher:
    """Hashes word tokens with xxhash, remembering the hash of every token seen."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def hashes(self, words: Sequence[str]) -> U64:
        """The 64-bit hash of each token, in order."""
        cache = self._cache
        out = np.empty(len(words), dtype=np.uint64)
        for position, word in enumerate(words):
            value = cache.get(word)
            if value is None:
                value = xxhash.xxh64_intdigest(word.encode("utf-8"))
                if len(cache) < 2_000_000:
                    cache[word] = value
            out[position] = value
        return out


def shingle_set(token_hashes: U64, size: int) -> U64:
    """The sorted, unique 64-bit hashes of every run of `size` consecutive tokens."""
    count = len(token_hashes)
    if count == 0:
        return np.empty(0, dtype=np.uint64)
    width = min(size, count)
    combined = token_hashes[: count - width + 1].copy()
    for offset in range(1, width):
        combined = combined * _COMBINE + token_hashes[offset : count - width + 1 + offset]
    return np.unique(fmix64(combined))


def minhash_inputs(shingles: U64) -> U32:
    """The 32-bit values a MinHash consumes for a shingle set (the high half of each hash)."""
    return (shingles >> np.uint64(32)).astype(np.uint32)


@dataclass(frozen=True)
class Permutations:
    """datasketch's affine32 permutation parameters for a seed and size.

    Args:
        num_perm: the number of permutations.
        seed: the seed datasketch draws them from.

    Examples:
        >>> Permutations.create(64, 1).a.shape
        (64,)
    """

    num_perm: int
    seed: int
    a: U32
    b: U32

    @classmethod
    def create(cls, num_perm: int, seed: int) -> Permutations:
        """The same permutations `datasketch.MinHash(num_perm, seed)` uses."""
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
        return cls(num_perm, seed, np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32))


def signature_matrix(inputs: Sequence[U32], permutations: Permutations) -> U32:
    """One MinHash signature per input set, computed for all sets in one vectorised pass.

    Row i equals ``MinHash(num_perm, seed, hashfunc=int).update_batch(inputs[i]).hashvalues``.
    """
    rows = len(inputs)
    empty = np.iinfo(np.uint32).max
    out = np.full((rows, permutations.num_perm), empty, dtype=np.uint32)
    lengths = np.fromiter((len(values) for values in inputs), dtype=np.int64, count=rows)
    start = 0
    while start < rows:
        stop, total = start, 0
        while stop < rows and (total == 0 or total + lengths[stop] <= _CHUNK_ROWS):
            total += int(lengths[stop])
            stop += 1
        _fill_chunk(out, inputs, lengths, start, stop, permutations)
        start = stop
    return out


def _fill_chunk(out: U32, inputs: Sequence[U32], lengths: npt.NDArray[np.int64], start: int, stop: int, permutations: Permutations) -> None:
    """Signatures of inputs[start:stop] into out, skipping empty sets (they stay at the maximum)."""
    present = [index for index in range(start, stop) if lengths[index] > 0]
    if not present:
        return
    values = _fmix32(np.concatenate([inputs[index] for index in present]).astype(np.uint32))
    permuted = values[:, None] * permutations.a[None, :] + permutations.b[None, :]
    offsets = np.concatenate(([0], np.cumsum(lengths[present])[:-1]))
    out[present] = np.minimum.reduceat(permuted, offsets, axis=0)


def to_minhash(row: U32, seed: int) -> LeanMinHash:
    """A datasketch LeanMinHash holding one signature row."""
    return LeanMinHash(seed=seed, hashvalues=row, scheme=SCHEME)


def signature_bytes(row: U32, seed: int) -> bytes:
    """A signature serialised with LeanMinHash.serialize (no pickle)."""
    minhash = to_minhash(row, seed)
    buffer = bytearray(minhash.bytesize())
    minhash.serialize(buffer)
    return bytes(buffer)


def signature_from_bytes(data: bytes) -> LeanMinHash:
    """A LeanMinHash from bytes written by signature_bytes."""
    return LeanMinHash.deserialize(data)
