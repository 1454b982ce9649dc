"""MinHash signatures: equal to datasketch's, serialised without pickle, LSH keys stable."""

from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash, MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.config import Settings
from provenance.fingerprint import Permutations, minhash_inputs, signature_bytes, signature_from_bytes, signature_matrix, to_minhash
from provenance.index import BODY_NAMESPACE, PARAGRAPH_NAMESPACE, Banding
from provenance.pipeline import Fingerprinter

PERMUTATIONS = Permutations.create(128, 1)
uint32_sets = st.lists(st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=60), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(uint32_sets)
def test_batch_signatures_equal_datasketch_minhash(sets: list[list[int]]) -> None:
    matrix = signature_matrix([np.array(values, dtype=np.uint32) for values in sets], PERMUTATIONS)
    for row, values in zip(matrix, sets):
        expected = MinHash(num_perm=128, seed=1, hashfunc=int)
        expected.update_batch(values)
        assert np.array_equal(row, expected.hashvalues)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=1, max_size=50))
def test_signature_bytes_round_trip(values: list[int]) -> None:
    row = signature_matrix([np.array(values, dtype=np.uint32)], PERMUTATIONS)[0]
    restored = signature_from_bytes(signature_bytes(row, 1))
    assert isinstance(restored, LeanMinHash)
    assert np.array_equal(restored.hashvalues, row)
    assert restored.jaccard(to_minhash(row, 1)) == 1.0


def test_estimated_jaccard_tracks_the_exact_one() -> None:
    fingerprinter = Fingerprinter(Settings())
    words = [f"w{i}" for i in range(400)]
    first = fingerprinter.shingles(" ".join(words))
    second = fingerprinter.shingles(" ".join(words[:300] + [f"x{i}" for i in range(100)]))
    exact = len(np.intersect1d(first, second)) / len(np.union1d(first, second))
    rows = signature_matrix([minhash_inputs(first), minhash_inputs(second)], fingerprinter.permutations)
    estimate = to_minhash(rows[0], 1).jaccard(to_minhash(rows[1], 1))
    assert abs(estimate - exact) < 0.12


def test_shingles_ignore_case_and_punctuation() -> None:
    fingerprinter = Fingerprinter(Settings())
    assert np.array_equal(fingerprinter.shingles("Das schreibt, unter anderem, der Spiegel."), fingerprinter.shingles("das schreibt unter anderem der SPIEGEL"))


def test_band_keys_are_deterministic_and_namespaced() -> None:
    rows = signature_matrix([np.arange(50, dtype=np.uint32)], PERMUTATIONS)
    body = Banding.for_threshold(0.5, 128, BODY_NAMESPACE)
    paragraph = Banding.for_threshold(0.5, 128, PARAGRAPH_NAMESPACE)
    assert (body.bands, body.rows) == (25, 5)
    assert np.array_equal(body.keys(rows), body.keys(rows.copy()))
    assert not set(body.keys(rows).ravel()) & set(paragraph.keys(rows).ravel())
    assert len(set(body.keys(rows).ravel())) == 25
