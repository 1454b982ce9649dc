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

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from provenance.config import Settings
from provenance.sketch.fingerprint import SketchParams, densify, shingle_batch
from provenance.sketch.index import TRANSLATION_NAMESPACE, Banding
from provenance.translation.anchors import Anchor

# Jaccard similarity of two texts' anchor-feature sets that the translation LSH is tuned for
# (64 bands of 2 rows at 128 permutations); and how many hashed copies each anchor token gets.
TRANSLATION_LSH_THRESHOLD = 0.1
FEATURE_REPLICAS = 8

# ---------------------------------------------------------------------------------------------
# Features and LSH keys.
# ---------------------------------------------------------------------------------------------


_SKELETON_STEPS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(.)\1+", r"\1"),
        (r"shch|tsch|sch|tch|sh|zh|ch|ts|tz|cz|sz|x", "s"),
        (r"^kh", "h"),
        (r"kh|ck|q", "k"),
        (r"ph|w|f", "v"),
        (r"ng", "n"),
        (r"z", "s"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"[aeiouyjh]", ""),
    )
)
# Russian renders a foreign h or a Korean j as х or ч ("Пхеньян", "Ким Чен Ын"): a second skeleton
# drops them.
_HUSHED = re.compile(r"tsch|tch|ch|kh")


@lru_cache(maxsize=65536)
def name_skeleton(key: str, hushed: bool = False) -> str:
    """A coarse sound skeleton of a name key, equal across transliterations (``pjongjang``, ``pyongyang`` -> ``pnn``).

    The ``hushed`` variant drops ch, kh and tsch first, so that ``pkhenian`` and ``kim chen yn``
    meet ``pjongjang`` and ``kim jong un``.
    """
    words = []
    for word in key.split():
        if hushed:
            word = _HUSHED.sub("", word)
        for pattern, replacement in _SKELETON_STEPS:
            word = pattern.sub(replacement, word)
        words.append(word)
    return " ".join(words)


@lru_cache(maxsize=65536)
def _key_tokens(kind: str, key: str) -> tuple[str, ...]:
    """Word-character tokens for an anchor's kind and key, which the shingle tokeniser keeps whole.

    A name gives the sound skeleton of each of its words (``Wladimir Putin`` -> ``evldmr eptn``), so
    that spellings across scripts and a name with or without its first name share tokens; other
    anchors give their key with punctuation spelled out (``6.5e6`` -> ``n6p5e6``).
    """
    if kind == "entity":
        skeletons = (name_skeleton(word) for word in key.split())
        return tuple(f"e{skeleton}" for skeleton in skeletons if len(skeleton) >= 3)
    body = "".join(ch if ch.isalnum() else _ESCAPES.get(ch, "x") for ch in key.casefold())
    return (f"{kind[0]}{body}",)


@lru_cache(maxsize=65536)
def _replicated(token: str) -> str:
    """A feature token in its ``FEATURE_REPLICAS`` copies, space-separated."""
    return " ".join([token, *(f"{token}z{replica}" for replica in range(1, FEATURE_REPLICAS))])


_ESCAPES = {".": "p", "-": "m", "%": "pc", ":": "c", "/": "s", "@": "a"}


def anchor_features(anchors: Sequence[Anchor]) -> str:
    """The anchors as one space-separated string of letter-and-digit tokens for the translation LSH.

    Each anchor gives one token (``n15000``, ``n6p5e6``, ``ekrsk``) in ``FEATURE_REPLICAS`` copies
    (``ekrsk ekrskz1 ekrskz2`` ...): the copies hash apart, so a text of a dozen anchors fills most
    of a one-permutation signature's slots instead of a few (whose densified copies make the bands of
    one signature agree or disagree together), while the Jaccard similarity of two texts' token sets
    stays what it is without them.
    """
    return " ".join(
        [_replicated(token) for anchor in anchors for token in _key_tokens(anchor.kind, anchor.key)]
    )


def translation_signatures(
    anchor_texts: Sequence[str], settings: Settings
) -> npt.NDArray[np.uint32]:
    """Densified MinHash signatures of anchor-feature strings, one row each (shingles of one token)."""
    batch = shingle_batch(
        anchor_texts,
        SketchParams(settings.num_perm, settings.seed, shingle_size=1),
        with_sets=False,
    )
    return densify(batch.raw_signatures)


def translation_banding(settings: Settings) -> Banding:
    """The banding of the translation LSH, tuned for ``TRANSLATION_LSH_THRESHOLD``."""
    return Banding.for_threshold(
        TRANSLATION_LSH_THRESHOLD, settings.num_perm, TRANSLATION_NAMESPACE
    )


def translation_keys(
    anchor_texts: Sequence[str], settings: Settings
) -> list[npt.NDArray[np.int64]]:
    """LSH band keys for each anchor-feature string; a text with no anchors gets no keys."""
    if not anchor_texts:
        return []
    keys = translation_banding(settings).keys(translation_signatures(anchor_texts, settings))
    return [
        keys[index] if text.strip() else np.empty(0, dtype=np.int64)
        for index, text in enumerate(anchor_texts)
    ]
