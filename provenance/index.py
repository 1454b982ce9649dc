"""LSH band keys over MinHash signatures; candidates from them are verified before they are matches."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from datasketch import MinHashLSH

from .fingerprint import U32, fmix64

BODY_NAMESPACE = 1
PARAGRAPH_NAMESPACE = 2
TRANSLATION_NAMESPACE = 3
_MIX = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=32)
def _optimal_banding(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's (b, r) for a threshold: it integrates the error curves, so it is worth caching."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


@dataclass(frozen=True)
class Banding:
    """How a signature is cut into bands for LSH, with parameters from datasketch's MinHashLSH.

    Args:
        bands: number of bands (datasketch's ``b``).
        rows: signature rows per band (datasketch's ``r``).
        namespace: keeps body and paragraph keys apart in one table.

    Examples:
        >>> Banding.for_threshold(0.5, 128, BODY_NAMESPACE).bands
        25
    """

    bands: int
    rows: int
    namespace: int

    @classmethod
    def for_threshold(cls, threshold: float, num_perm: int, namespace: int) -> Banding:
        """The banding datasketch's MinHashLSH picks for this Jaccard threshold (computed once per parameters)."""
        bands, rows = _optimal_banding(threshold, num_perm)
        return cls(bands=bands, rows=rows, namespace=namespace)

    def keys(self, signatures: U32) -> npt.NDArray[np.int64]:
        """One signed 64-bit bucket key per band for each signature row: shape (rows, bands)."""
        count = signatures.shape[0]
        used = signatures[:, : self.bands * self.rows].reshape(count, self.bands, self.rows).astype(np.uint64)
        combined = np.full((count, self.bands), (self.namespace * int(_MIX)) % (1 << 64), dtype=np.uint64)
        for row in range(self.rows):
            combined = (combined ^ used[:, :, row]) * _MIX
        combined = combined ^ (np.arange(self.bands, dtype=np.uint64) << np.uint64(40))
        return fmix64(combined).view(np.int64)
