"""Signatures: one compiled pass per batch, datasketch LeanMinHash objects, no pickle, estimates
that track Jaccard.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from datasketch import LeanMinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.config import Settings
from provenance.ingest.preparation import Fingerprinter
from provenance.sketch.fingerprint import (
    SketchParams,
    densify,
    merge_raw,
    shingle_batch,
    signature_bytes,
    signature_from_bytes,
    sorted_unique,
    text_signature,
    to_minhash,
)
from provenance.sketch.index import BODY_NAMESPACE, PARAGRAPH_NAMESPACE, Banding

PARAMS = SketchParams(128, 1, 3)
words = st.lists(
    st.sampled_from([f"w{i}" for i in range(300)] + ["Kursk", "Курск", "東京", "Grüße"]),
    min_size=1,
    max_size=120,
)


def exact_jaccard(first: np.ndarray, second: np.ndarray) -> float:
    """Jaccard similarity of two shingle sets."""
    return len(np.intersect1d(first, second)) / len(np.union1d(first, second))


@settings(max_examples=60, deadline=None)
@given(st.lists(words, min_size=1, max_size=6))
def test_batch_equals_one_text_at_a_time(texts: list[list[str]]) -> None:
    joined = [" ".join(text) for text in texts]
    batch = shingle_batch(joined, PARAMS)
    for index, text in enumerate(joined):
        alone = shingle_batch([text], PARAMS)
        assert np.array_equal(batch.sets[index], alone.sets[0])
        assert np.array_equal(batch.raw_signatures[index], alone.raw_signatures[0])
        assert batch.word_counts[index] == sum(
            1 if word.isascii() or word == "Grüße" or word == "Курск" else len(word)
            for word in text.split()
        )


@settings(max_examples=40, deadline=None)
@given(words, words)
def test_signature_of_a_union_is_the_merge_of_signatures(
    first: list[str], second: list[str]
) -> None:
    batch = shingle_batch([" ".join(first), " ".join(second)], PARAMS)
    merged = densify(merge_raw(batch.raw_signatures, [[0, 1]]))[0]
    shingles, signature = text_signature(" ".join(first) + "\n" + " ".join(second), PARAMS)
    assert np.array_equal(merged, signature)
    assert np.array_equal(shingles, np.union1d(batch.sets[0], batch.sets[1]))


@settings(max_examples=40, deadline=None)
@given(words)
def test_signature_bytes_are_leanminhash_bytes(text: list[str]) -> None:
    _, row = text_signature(" ".join(text), PARAMS)
    data = signature_bytes(row, 1)
    reference = to_minhash(row, 1)
    buffer = bytearray(reference.bytesize(byteorder="<"))
    reference.serialize(buffer, byteorder="<")
    assert data == bytes(buffer)
    restored = signature_from_bytes(data)
    assert isinstance(restored, LeanMinHash)
    assert np.array_equal(restored.hashvalues, row) and restored.jaccard(reference) == 1.0


@pytest.mark.parametrize("changed", [0.0, 0.1, 0.3, 0.6])
def test_estimated_jaccard_tracks_the_exact_one(changed: float) -> None:
    rng = np.random.default_rng(7)
    errors = []
    for _ in range(40):
        base = [f"w{value}" for value in rng.integers(0, 5000, size=400)]
        edited = list(base)
        for index in rng.choice(len(edited), size=int(len(edited) * changed), replace=False):
            edited[index] = f"x{index}"
        (first, _), (second, _) = (
            text_signature(" ".join(base), PARAMS),
            text_signature(" ".join(edited), PARAMS),
        )
        rows = [text_signature(" ".join(text), PARAMS)[1] for text in (base, edited)]
        errors.append(
            abs(
                to_minhash(rows[0], 1).jaccard(to_minhash(rows[1], 1))
                - exact_jaccard(first, second)
            )
        )
    assert float(np.mean(errors)) < 0.05


def test_shingles_ignore_case_and_punctuation() -> None:
    fingerprinter = Fingerprinter(Settings())
    assert np.array_equal(
        fingerprinter.shingles("Das schreibt, unter anderem, der Spiegel."),
        fingerprinter.shingles("das schreibt unter anderem der SPIEGEL"),
    )


def test_chinese_and_japanese_characters_are_words_of_their_own() -> None:
    batch = shingle_batch(["東京の天気", "Kim Jong-un"], PARAMS)
    assert list(batch.word_counts) == [5, 3]


def test_empty_text_has_an_empty_signature() -> None:
    batch = shingle_batch(["", "   ...   "], PARAMS)
    assert [len(s) for s in batch.sets] == [0, 0]
    assert (densify(batch.raw_signatures) == 0xFFFFFFFF).all()


def test_band_keys_are_deterministic_and_namespaced() -> None:
    _, row = text_signature(" ".join(f"w{i}" for i in range(50)), PARAMS)
    rows = row[None, :]
    body = Banding.for_threshold(0.5, 128, BODY_NAMESPACE)
    paragraph = Banding.for_threshold(0.5, 128, PARAGRAPH_NAMESPACE)
    assert (body.bands, body.rows) == (25, 5)
    assert np.array_equal(body.keys(rows), body.keys(rows.copy()))
    assert not set(body.keys(rows).ravel()) & set(paragraph.keys(rows).ravel())
    assert len(set(body.keys(rows).ravel())) == 25


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=300),
    st.integers(min_value=1, max_value=5),
)
def test_sorted_unique_is_what_np_unique_gives(values: list[int], repeats: int) -> None:
    """Shingles (uint64) and LSH keys (int64), with runs of equal values: the distinct values in
    order, dtype kept.
    """
    hashes = np.array(values * repeats, dtype=np.uint64)
    keys = hashes.view(np.int64)
    for array in (hashes, keys):
        found = sorted_unique(array)
        assert found.dtype == array.dtype and np.array_equal(found, np.unique(array))


MASK64 = 2**64 - 1


def reference_fmix(value: int) -> int:
    """MurmurHash3's 64-bit finaliser, in plain integers."""
    value ^= value >> 33
    value = value * 0xFF51AFD7ED558CCD & MASK64
    value ^= value >> 33
    value = value * 0xC4CEB9FE1A85EC53 & MASK64
    return value ^ value >> 33


def reference_words(text: str) -> list[list[int]]:
    """The code points of each word as the fingerprint module documents them: runs of letters and
    digits, lower-cased, each Chinese or Japanese character a word of its own (code points past
    U+2FFFF count as letters, unchanged).
    """
    cjk = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
    words: list[list[int]] = []
    current: list[int] = []
    for character in text:
        point = ord(character)
        if point >= 0x30000:
            current.append(point)
            continue
        if character == "\x00" or unicodedata.category(character)[0] not in "LN":
            if current:
                words.append(current)
            current = []
            continue
        lowered = character.lower()
        point = ord(lowered) if len(lowered) == 1 else point
        if any(low <= ord(character) <= high for low, high in cjk):
            if current:
                words.append(current)
            words.append([point])
            current = []
        else:
            current.append(point)
    if current:
        words.append(current)
    return words


def reference_shingles(text: str, params: SketchParams) -> tuple[set[int], np.ndarray]:
    """A text's shingle hashes and raw signature, computed one word at a time in plain Python from
    the documented scheme.
    """
    hashes = []
    for word in reference_words(text):
        value = 0xCBF29CE484222325
        for point in word:
            value = (value ^ point) * 0x100000001B3 & MASK64
        hashes.append(reference_fmix(value))
    size = min(params.shingle_size, len(hashes))
    shingles = set()
    for start in range(len(hashes) - size + 1 if hashes else 0):
        value = hashes[start]
        for following in hashes[start + 1 : start + size]:
            value = (value * 0x9E3779B97F4A7C15 + following) & MASK64
        shingles.add(reference_fmix(value))
    signature = np.full(params.num_perm, 0xFFFFFFFF, dtype=np.uint64)
    for shingle in shingles:
        mixed = shingle ^ int(params.salt)
        slot = ((mixed >> 32) * params.num_perm) >> 32
        signature[slot] = min(int(signature[slot]), mixed & 0xFFFFFFFF)
    return shingles, signature.astype(np.uint32)


letters = st.sampled_from(
    list("abz AZ09 .,-\n'\x00")
    + ["ä", "ß", "É", "ж", "Ё", "東", "の", "😀", "\U00030001", "İ", "ﬁ", "²", "Ⅻ", "_"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(letters, max_size=60), min_size=1, max_size=5),
    st.integers(min_value=1, max_value=4),
)
def test_compiled_pass_gives_the_documented_hashes(texts: list[str], size: int) -> None:
    """The stored shingles and signatures must not change with the code that makes them: every
    database's LSH index depends on them.
    """
    params = SketchParams(64, 7, size)
    batch = shingle_batch(texts, params)
    for index, text in enumerate(texts):
        shingles, signature = reference_shingles(text.replace("\x00", " "), params)
        assert set(batch.sets[index].tolist()) == shingles
        assert np.array_equal(batch.raw_signatures[index], signature)
        assert batch.word_counts[index] == len(reference_words(text))


def test_threads_that_load_the_kernels_at_once_all_get_them_whole() -> None:
    """A server signs in several threads: the first to need the compiled kernels imports them while the others wait, none sees a half-imported module."""
    import subprocess
    import sys

    script = (
        "import threading\n"
        "from provenance.sketch import fingerprint\n"
        "from provenance.config import Settings\n"
        "from provenance.ingest.preparation import Fingerprinter\n"
        "fingerprint._interpreted_budget = 0\n"
        "params = Fingerprinter(Settings()).params\n"
        "errors = []\n"
        "def sign():\n"
        "    try:\n"
        "        fingerprint.shingle_batch(['ein Text mit einigen Wörtern ' * 20] * 4, params)\n"
        "    except Exception as error:\n"
        "        errors.append(repr(error))\n"
        "threads = [threading.Thread(target=sign) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(errors)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_malformed_url_names_no_domain() -> None:
    from provenance.read.document import domain_of

    assert domain_of("http://[") is None and domain_of("https://www.merkur.de/x") == "merkur.de"
