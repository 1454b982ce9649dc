"""The LSH index of a corpus being loaded, held in memory as sorted columnar arrays.

The incremental path looks each batch's keys up in the database's index and writes the batch's
keys into it before the next batch. The batch engine keeps the keys of the articles it has
loaded in two sorted arrays instead, answers the same questions (the newest members of each
key, of another language for translation keys) with ``searchsorted``, and writes the whole index
once, in key order, at the end.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from provenance.sketch.index import NO_MEMBERS, Members
from provenance.store.reader import ANCHOR_MEMBERS, ANCHOR_SCAN, BUCKET_MEMBERS, StoreReader

Int64s = npt.NDArray[np.int64]


def _ranges(lo: Int64s, hi: Int64s) -> tuple[Int64s, Int64s]:
    """For ranges [lo, hi) laid end to end: each element's range and its position in the arrays."""
    counts = hi - lo
    which = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    offsets = np.cumsum(counts) - counts
    return which, lo[which] + np.arange(len(which), dtype=np.int64) - offsets[which]


class SortedKeys:
    """Rows of (key, article id[, language code]) sorted by key, then by id, growing batch by batch.

    Ids grow from batch to batch, so a batch's rows go after the rows of the same key already
    held: merging is one ``searchsorted`` and one ``insert`` per array.
    """

    def __init__(self, with_languages: bool = False) -> None:
        self.keys: Int64s = np.empty(0, dtype=np.int64)
        self.ids: Int64s = np.empty(0, dtype=np.int64)
        self.languages: Int64s | None = np.empty(0, dtype=np.int64) if with_languages else None

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, keys: Int64s, ids: Int64s, languages: Int64s | None = None) -> None:
        """Add a batch's rows (with their language codes, if the rows have languages); their ids
        are above every id held.
        """
        if not len(keys):
            return
        order = np.lexsort((ids, keys))
        keys, ids = keys[order], ids[order]
        at = np.searchsorted(self.keys, keys, side="right")
        self.keys = np.insert(self.keys, at, keys)
        self.ids = np.insert(self.ids, at, ids)
        if self.languages is not None:
            assert languages is not None
            self.languages = np.insert(self.languages, at, languages[order])

    def newest(self, keys: Int64s, scan: int) -> tuple[Int64s, Int64s]:
        """Of each wanted key's rows, the positions of the newest `scan`: (the wanted key's index,
        the row), ascending ids within a key.
        """
        lo = np.searchsorted(self.keys, keys, side="left")
        hi = np.searchsorted(self.keys, keys, side="right")
        return _ranges(np.maximum(lo, hi - scan), hi)


def _unique(keys: Iterable[int] | Int64s) -> Int64s:
    return np.unique(
        np.fromiter(keys, dtype=np.int64) if not isinstance(keys, np.ndarray) else keys
    )


class CorpusIndex:
    """The copy and translation LSH keys of the articles loaded so far, answering the candidate
    lookups of ``StoreReader`` (``bucket_members``, ``foreign_anchor_members``) from memory.

    Articles the database held before the load are looked up there (`prior`), and their members
    come before the loaded ones, which are newer.

    Examples:
        >>> index = CorpusIndex()
        >>> index.add(np.array([7, 7, 9]), np.array([1, 2, 2]), np.array([], dtype=np.int64),
        ...           np.array([], dtype=np.int64), np.array([], dtype=np.int64))
        >>> index.bucket_members([7]).article_ids.tolist()
        [1, 2]
    """

    def __init__(self, prior: StoreReader | None = None) -> None:
        self.copies = SortedKeys()
        self.anchors = SortedKeys(with_languages=True)
        self.language_codes: dict[str, int] = {}
        self.prior = prior

    def code_of(self, language: str) -> int:
        """A small integer standing for a language in the arrays."""
        return self.language_codes.setdefault(language, len(self.language_codes))

    def add(
        self,
        keys: Int64s,
        key_ids: Int64s,
        anchor_keys: Int64s,
        anchor_ids: Int64s,
        codes: Int64s,
    ) -> None:
        """Add a batch's copy keys and translation keys (with each key's language code, from
        ``code_of``).
        """
        self.copies.add(keys.astype(np.int64, copy=False), key_ids.astype(np.int64, copy=False))
        self.anchors.add(
            anchor_keys.astype(np.int64, copy=False), anchor_ids.astype(np.int64, copy=False), codes
        )

    def bucket_members(
        self, keys: Iterable[int] | Int64s, per_key: int = BUCKET_MEMBERS
    ) -> Members:
        """The articles under each of these copy keys, the newest `per_key`, as the store's
        ``bucket_members`` answers.
        """
        wanted = _unique(keys)
        if not len(wanted):
            return NO_MEMBERS
        which, rows = self.copies.newest(wanted, per_key)
        found = Members(wanted[which], self.copies.ids[rows])
        if self.prior is None:
            return found
        return _newest_of(self.prior.bucket_members(wanted, per_key), found, per_key)

    def foreign_anchor_members(
        self,
        keys: Iterable[int] | Int64s,
        language: str,
        scan: int = ANCHOR_SCAN,
        per_key: int = ANCHOR_MEMBERS,
    ) -> Members:
        """Of each translation key's newest `scan` articles, the newest `per_key` of another language
        than `language`, as the store's ``foreign_anchor_members`` answers.
        """
        wanted = _unique(keys)
        if not len(wanted):
            return NO_MEMBERS
        which, rows = self.anchors.newest(wanted, scan)
        own = self.language_codes.get(language, -1)
        assert self.anchors.languages is not None
        foreign = self.anchors.languages[rows] != own
        found = _newest_of(
            NO_MEMBERS, Members(wanted[which[foreign]], self.anchors.ids[rows[foreign]]), per_key
        )
        if self.prior is None:
            return found
        return _newest_of(
            self.prior.foreign_anchor_members(wanted, language, scan, per_key), found, per_key
        )


def _newest_of(older: Members, newer: Members, per_key: int) -> Members:
    """Two members tables of distinct ids (every id of `newer` above those of `older`) as one, the
    newest `per_key` of each key, ascending ids within a key.
    """
    keys = np.concatenate([older.keys, newer.keys])
    ids = np.concatenate([older.article_ids, newer.article_ids])
    if not len(keys):
        return NO_MEMBERS
    order = np.lexsort((-ids, keys))
    keys, ids = keys[order], ids[order]
    first = np.searchsorted(keys, keys, side="left")
    kept = np.arange(len(keys)) - first < per_key
    keys, ids = keys[kept], ids[kept]
    order = np.lexsort((ids, keys))
    return Members(keys[order], ids[order])
