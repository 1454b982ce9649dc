"""LSH band keys over MinHash signatures; candidates from them are verified before they are matches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from provenance.sketch.fingerprint import U32, fmix64

BODY_NAMESPACE = 1
PARAGRAPH_NAMESPACE = 2
TRANSLATION_NAMESPACE = 3
_MIX = np.uint64(0x9E3779B97F4A7C15)


KNOWN_BANDINGS: dict[tuple[float, int], tuple[int, int]] = {
    (0.1, 128): (64, 2),  # the translation LSH (TRANSLATION_LSH_THRESHOLD)
    (0.4, 128): (32, 4),  # the body LSH (Settings.body_threshold)
    (0.5, 128): (25, 5),
}
"""datasketch's MinHashLSH (b, r) for the (threshold, num_perm) in use, as ``datasketch.lsh._optimal_param`` computes
them (tests/test_fingerprint.py compares them). datasketch computes them with scipy's ``quad``, and
importing scipy took 0.45 s of the 4-5 s of ``provenance check`` on a 2-core machine."""


@lru_cache(maxsize=32)
def _optimal_banding(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's (b, r) for a threshold: from KNOWN_BANDINGS, or computed as datasketch does without scipy (then cached).

    Like datasketch's MinHashLSH: a threshold outside [0, 1] and fewer than 2 bands are refused with its ValueError.
    """
    if threshold > 1.0 or threshold < 0.0:
        raise ValueError("threshold must be in [0.0, 1.0]")
    if num_perm < 2:
        raise ValueError("Too few permutation functions")
    bands, rows = KNOWN_BANDINGS.get((threshold, num_perm)) or optimal_banding(threshold, num_perm)
    if bands < 2:
        raise ValueError("The number of bands are too small (b < 2)")
    return bands, rows


def optimal_banding(
    threshold: float,
    num_perm: int,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """The (b, r) with b * r <= num_perm that minimise the weighted areas of false positives and false negatives, as datasketch's ``_optimal_param``.

    datasketch integrates each pair's curves with scipy's adaptive ``quad``; the integrands,
    ``1 - (1 - s**r)**b`` and its complement, are polynomials of degree ``b * r <= num_perm``,
    which Gauss-Legendre quadrature of ``num_perm // 2 + 1`` nodes integrates exactly (to
    rounding). Pairs are tried in datasketch's order and the first with the least error wins.

    Examples:
        >>> optimal_banding(0.4, 128)
        (32, 4)
    """
    from numpy.polynomial.legendre import leggauss

    pairs = np.array(
        [(b, r) for b in range(1, num_perm + 1) for r in range(1, int(num_perm / b) + 1)],
        dtype=np.float64,
    )
    b, r = pairs[:, 0:1], pairs[:, 1:2]
    nodes, weights = leggauss(num_perm // 2 + 1)
    below = threshold / 2 * (nodes + 1)  # on [0, threshold]
    above = threshold + (1 - threshold) / 2 * (nodes + 1)  # on [threshold, 1]
    false_positive = threshold / 2 * ((1 - (1 - below**r) ** b) @ weights)
    false_negative = (1 - threshold) / 2 * ((1 - (1 - (1 - above**r) ** b)) @ weights)
    error = false_positive * false_positive_weight + false_negative * false_negative_weight
    best = int(np.argmin(error))
    return int(pairs[best, 0]), int(pairs[best, 1])


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
        """The banding datasketch's MinHashLSH picks for this Jaccard threshold (computed once per
        parameters).
        """
        bands, rows = _optimal_banding(threshold, num_perm)
        return cls(bands=bands, rows=rows, namespace=namespace)

    def keys(self, signatures: U32) -> npt.NDArray[np.int64]:
        """One signed 64-bit bucket key per band for each signature row: shape (rows, bands)."""
        count = signatures.shape[0]
        used = (
            signatures[:, : self.bands * self.rows]
            .reshape(count, self.bands, self.rows)
            .astype(np.uint64)
        )
        combined = np.full(
            (count, self.bands), (self.namespace * int(_MIX)) % (1 << 64), dtype=np.uint64
        )
        for row in range(self.rows):
            combined = (combined ^ used[:, :, row]) * _MIX
        combined = combined ^ (np.arange(self.bands, dtype=np.uint64) << np.uint64(40))
        return fmix64(combined).view(np.int64)


class Members(NamedTuple):
    """Stored articles under LSH bucket keys, as two aligned arrays sorted by key, then by id.

    Args:
        keys: the bucket key of each row.
        article_ids: the stored article under that key.
    """

    keys: npt.NDArray[np.int64]
    article_ids: npt.NDArray[np.int64]

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[int, int]]) -> Members:
        """Rows of (key, article id) from the database, sorted by key, then by id.

        Each backend reads a key's rows in its own order (SQLite ascending ids, PostgreSQL
        descending); sorting them makes ties between candidates fall the same way on both, and as
        the batch engine's index in memory has them.
        """
        if not rows:
            return NO_MEMBERS
        table = np.array(rows, dtype=np.int64).reshape(-1, 2)
        order = np.lexsort((table[:, 1], table[:, 0]))
        return cls(table[order, 0], table[order, 1])

    @classmethod
    def joined(cls, parts: Sequence[Members]) -> tuple[Members, list[int]]:
        """Several members tables end to end, and where each one starts."""
        if not parts:
            return NO_MEMBERS, [0]
        starts = np.cumsum([0, *(len(part.keys) for part in parts)]).tolist()
        return cls(
            np.concatenate([part.keys for part in parts]),
            np.concatenate([part.article_ids for part in parts]),
        ), starts


NO_MEMBERS = Members(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))


@dataclass(frozen=True)
class CandidateQuery:
    """The LSH keys of a batch of articles, to rank the articles that share them.

    Args:
        keys: every article's unique keys, end to end, article after article.
        owners: for each key, the position of its article in the batch.
        article_ids: the id of each article of the batch (0 for one not stored).
        languages: each article's language code, for translation candidates; None for copy candidates.
    """

    keys: npt.NDArray[np.int64]
    owners: npt.NDArray[np.int64]
    article_ids: npt.NDArray[np.int64]
    languages: npt.NDArray[np.int64] | None = None

    @classmethod
    def of(
        cls,
        keys_per_article: Sequence[npt.NDArray[np.int64]],
        article_ids: Sequence[int],
        languages: npt.NDArray[np.int64] | None = None,
    ) -> CandidateQuery:
        """The query for articles given their key arrays (each unique and sorted, as
        ``sorted_unique`` makes them).
        """
        counts = [len(keys) for keys in keys_per_article]
        keys = np.concatenate(keys_per_article) if keys_per_article else np.empty(0, dtype=np.int64)
        owners = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        return cls(
            keys.astype(np.int64, copy=False),
            owners,
            np.asarray(article_ids, dtype=np.int64),
            languages,
        )


class MemberParts(NamedTuple):
    """Members read in parts (one per language): which part each key of a query is to be found in, and where each part starts.

    Args:
        of_key: for each key of the query, the index of its part.
        starts: where each part starts in the joined members, and where the last one ends.
    """

    of_key: npt.NDArray[np.int64]
    starts: list[int]


def rank_candidates(
    query: CandidateQuery,
    members: Members,
    limit: int,
    min_shared: int = 1,
    batch_per_key: int = 0,
    parts: MemberParts | None = None,
) -> list[list[int]]:
    """For each article of a batch, the articles sharing the most of its keys (at least `min_shared`), most first, at most `limit`.

    Candidates are the stored `members` under each key and, when `batch_per_key` is set, the
    newest `batch_per_key` earlier articles of the batch under it. Ties keep the order in which
    the candidates first came up (key order, stored before batch). With languages, only articles
    of another language are candidates from the batch; stored members were read per language
    (`parts`), each from the articles of another language than the ones asking.
    """
    if not len(query.keys):
        return [[] for _ in query.article_ids]
    owners, candidates = _candidate_rows(query, members, batch_per_key, parts)
    return _most_shared(owners, candidates, len(query.article_ids), limit, min_shared)


def _candidate_rows(
    query: CandidateQuery, members: Members, batch_per_key: int, parts: MemberParts | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every (article, candidate) pair a shared key makes, in the order they come up: per article,
    key by key, stored members then the batch's.
    """
    stored_lo, stored_hi = _stored_ranges(query, members, parts)
    stored_counts = stored_hi - stored_lo
    batch_starts, batch_counts, batch_owners = _earlier_in_batch(query, batch_per_key)
    which, index = _ranges(stored_counts + batch_counts)
    from_batch = index >= stored_counts[which]
    stored = ~from_batch
    candidates = np.empty(len(which), dtype=np.int64)
    candidates[stored] = members.article_ids[stored_lo[which[stored]] + index[stored]]
    earlier = batch_owners[
        batch_starts[which[from_batch]] + index[from_batch] - stored_counts[which[from_batch]]
    ]
    candidates[from_batch] = query.article_ids[earlier]
    owners = query.owners[which]
    keep = candidates != query.article_ids[owners]
    if query.languages is not None:
        keep[from_batch] &= query.languages[earlier] != query.languages[owners[from_batch]]
    return owners[keep], candidates[keep]


def _ranges(counts: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For ranges of these lengths laid end to end: each element's range and its index within the
    range.
    """
    which = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    offsets = np.cumsum(counts) - counts
    return which, np.arange(len(which), dtype=np.int64) - offsets[which]


def _stored_ranges(
    query: CandidateQuery, members: Members, parts: MemberParts | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Where each key's stored members are in `members`: [lo, hi), searched in the key's own part
    when the members come in parts.
    """
    if parts is None:
        return np.searchsorted(members.keys, query.keys, side="left"), np.searchsorted(
            members.keys, query.keys, side="right"
        )
    lo = np.zeros(len(query.keys), dtype=np.int64)
    hi = np.zeros(len(query.keys), dtype=np.int64)
    for part, (start, end) in enumerate(zip(parts.starts, parts.starts[1:])):
        rows = np.flatnonzero(parts.of_key == part)
        within = members.keys[start:end]
        lo[rows] = start + np.searchsorted(within, query.keys[rows], side="left")
        hi[rows] = start + np.searchsorted(within, query.keys[rows], side="right")
    return lo, hi


def _earlier_in_batch(
    query: CandidateQuery, per_key: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For each key of the query, its newest `per_key` earlier articles of the batch under the same key: where they start and how many
    in the batch's articles sorted by (key, position), which is the third array."""
    order = np.lexsort((query.owners, query.keys))
    sorted_keys = query.keys[order]
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = sorted_keys[1:] != sorted_keys[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(len(order)), 0))
    rank = np.arange(len(order)) - group_start
    count = np.minimum(rank, per_key)
    starts = np.empty(len(order), dtype=np.int64)
    counts = np.empty(len(order), dtype=np.int64)
    starts[order] = group_start + rank - count
    counts[order] = count
    return starts, counts, query.owners[order]


def _most_shared(
    owners: npt.NDArray[np.int64],
    candidates: npt.NDArray[np.int64],
    articles: int,
    limit: int,
    min_shared: int,
) -> list[list[int]]:
    """Per owner, its candidates by how often they came up (most first, then first come), at least
    `min_shared` times, at most `limit`.
    """
    ranked: list[list[int]] = [[] for _ in range(articles)]
    if not len(candidates):
        return ranked
    sequence = np.arange(len(candidates), dtype=np.int64)
    order = np.lexsort((sequence, candidates, owners))
    grouped_owners, grouped_candidates = owners[order], candidates[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (grouped_owners[1:] != grouped_owners[:-1]) | (
        grouped_candidates[1:] != grouped_candidates[:-1]
    )
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(order)))
    pair_owner, pair_candidate, pair_first_seen = (
        grouped_owners[starts],
        grouped_candidates[starts],
        sequence[order][starts],
    )
    enough = counts >= min_shared
    pair_owner, pair_candidate, pair_first_seen, counts = (
        pair_owner[enough],
        pair_candidate[enough],
        pair_first_seen[enough],
        counts[enough],
    )
    best = np.lexsort((pair_first_seen, -counts, pair_owner))
    pair_owner, pair_candidate = pair_owner[best], pair_candidate[best]
    owner_start = np.searchsorted(pair_owner, pair_owner, side="left")
    within = np.arange(len(pair_owner)) - owner_start < limit
    for owner, candidate in zip(
        pair_owner[within].tolist(), pair_candidate[within].tolist(), strict=True
    ):
        ranked[owner].append(candidate)
    return ranked
