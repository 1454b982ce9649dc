"""A short command's start: what `provenance check` computes without numba, scipy (datasketch), alembic and the compiled patterns gives the same values.

Every database's LSH index holds keys made from the signatures, so the plain-Python paths must
give the compiled kernels' shingles, signatures and keys bit for bit, and the banding must be
the one datasketch's MinHashLSH picks.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import provenance.read.language as language
import provenance.sketch.fingerprint as fingerprint
from provenance.config import Settings
from provenance.read.language import detect_language
from provenance.sketch.fingerprint import (
    EMPTY_SLOT,
    SketchParams,
    densify,
    merge_raw,
    shingle_batch,
)
from provenance.sketch.index import (
    BODY_NAMESPACE,
    KNOWN_BANDINGS,
    PARAGRAPH_NAMESPACE,
    Banding,
    _optimal_banding,
    optimal_banding,
)
from provenance.translation import anchors
from provenance.translation.anchors import extract_anchors
from provenance.translation.keys import TRANSLATION_LSH_THRESHOLD, anchor_features, translation_keys
from provenance.translation.patterns import _DATE_WORDS

from .conftest import ROOT, SEEDS

CORPUS = sorted(SEEDS.glob("*.txt")) + sorted((ROOT / "tests" / "data").rglob("*.txt"))


def _kernels():  # noqa: ANN202 - the compiled module, imported here only
    from provenance.sketch import kernels

    return kernels


# ---- banding: datasketch's parameters without scipy ----------------------------------------


def test_the_bandings_in_use_are_datasketchs() -> None:
    from datasketch import MinHashLSH
    from datasketch.lsh import _optimal_param

    in_use = {
        (Settings().body_threshold, Settings().num_perm),
        (TRANSLATION_LSH_THRESHOLD, Settings().num_perm),
        *KNOWN_BANDINGS,
    }
    for threshold, num_perm in in_use:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert (
            _optimal_banding(threshold, num_perm)
            == (lsh.b, lsh.r)
            == _optimal_param(threshold, num_perm, 0.5, 0.5)
        )
        assert optimal_banding(threshold, num_perm) == (lsh.b, lsh.r)


@pytest.mark.parametrize("num_perm", [16, 64, 100, 128, 256])
def test_computed_banding_is_datasketchs(num_perm: int) -> None:
    from datasketch.lsh import _optimal_param

    for threshold in np.round(np.arange(0.05, 1.0, 0.05), 2).tolist():
        assert optimal_banding(threshold, num_perm) == _optimal_param(
            threshold, num_perm, 0.5, 0.5
        ), threshold


def test_banding_is_refused_as_datasketch_refuses_it() -> None:
    from datasketch import MinHashLSH

    for threshold, num_perm in ((0.99, 128), (0.95, 16), (1.5, 128)):
        with pytest.raises(ValueError) as ours:
            _optimal_banding(threshold, num_perm)
        with pytest.raises(ValueError) as theirs:
            MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert str(ours.value) == str(theirs.value)


# ---- shingles and signatures: plain Python and compiled kernels -----------------------------


letters = st.sampled_from(
    list("abz AZ09 .,-\n'\x00")
    + [
        "ä",
        "ß",
        "É",
        "ж",
        "Ё",
        "Σ",
        "東",
        "の",
        "😀",
        "\U00030001",
        "İ",
        "ﬁ",
        "²",
        "Ⅻ",
        "_",
        "\ud800",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(letters, max_size=80), min_size=1, max_size=6),
    st.integers(min_value=1, max_value=5),
    st.sampled_from([16, 64, 128]),
    st.booleans(),
)
def test_plain_python_shingles_and_signs_as_the_kernel(
    texts: list[str], size: int, num_perm: int, with_sets: bool
) -> None:
    params = SketchParams(num_perm, 7, size)
    plain = fingerprint._shingle_interpreted(texts, params, with_sets)
    compiled = _compiled_batch(texts, params, with_sets)
    assert (
        np.array_equal(plain.raw_signatures, compiled.raw_signatures)
        and plain.raw_signatures.dtype == compiled.raw_signatures.dtype
    )
    assert np.array_equal(plain.word_counts, compiled.word_counts)
    assert len(plain.sets) == len(compiled.sets)
    for ours, theirs in zip(plain.sets, compiled.sets, strict=True):
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)


def _compiled_batch(
    texts: list[str], params: SketchParams, with_sets: bool
) -> fingerprint.ShingledBatch:
    """shingle_batch through the compiled kernels, whatever the process has shingled before."""
    budget = fingerprint._interpreted_budget
    fingerprint._interpreted_budget = -1
    try:
        _kernels()
        return shingle_batch(texts, params, with_sets)
    finally:
        fingerprint._interpreted_budget = budget


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=12),
    st.sampled_from([16, 64, 128]),
    st.floats(min_value=0.0, max_value=1.0),
    st.integers(min_value=0, max_value=2**32),
)
def test_plain_densify_fills_as_the_kernel(
    rows: int, slots: int, empty_share: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 2**32 - 1, size=(rows, slots), dtype=np.uint32)
    raw[rng.random((rows, slots)) < empty_share] = EMPTY_SLOT
    raw[0, :] = EMPTY_SLOT  # a row with nothing to borrow
    if rows > 1:
        raw[1, :] = EMPTY_SLOT
        raw[1, rng.integers(0, slots)] = (
            7  # one filled slot: most probes miss, rotation fills the rest
        )
    expected = np.empty_like(raw)
    _kernels().densify_kernel(raw, fingerprint._probes(slots), expected)
    assert np.array_equal(
        fingerprint._densify_interpreted(raw, fingerprint._probes(slots)), expected
    )


def test_plain_character_entries_are_the_tables() -> None:
    table = fingerprint._character_table()
    saved = dict(fingerprint._character_infos)
    try:
        assert [
            fingerprint._character_info(chr(point)) for point in range(len(table))
        ] == table.tolist()
        assert fingerprint._character_info("\U00030001") == int(fingerprint._WORD_BIT) | 0x30001
    finally:
        fingerprint._character_infos.clear()
        fingerprint._character_infos.update(saved)


def _corpus_digest() -> str:
    """Shingles, signatures, LSH keys (body, paragraph, translation), languages and anchors of the
    seeds and test data, hashed.
    """
    texts = [path.read_text(encoding="utf-8") for path in CORPUS]
    digest = hashlib.sha256()
    lines = [text.split("\n") for text in texts]
    batch = shingle_batch([line for group in lines for line in group], SketchParams(128, 1, 3))
    for part in (*batch.sets, batch.raw_signatures, batch.word_counts):
        digest.update(np.ascontiguousarray(part).tobytes())
    groups, first = [], 0
    for group in lines:
        groups.append(range(first, first + len(group)))
        first += len(group)
    bodies = densify(merge_raw(batch.raw_signatures, groups))
    digest.update(bodies.tobytes())
    digest.update(Banding.for_threshold(0.4, 128, BODY_NAMESPACE).keys(bodies).tobytes())
    digest.update(Banding(3, 5, PARAGRAPH_NAMESPACE).keys(densify(batch.raw_signatures)).tobytes())
    languages = [detect_language(text) for text in texts]
    digest.update(repr(languages).encode())
    anchor_texts = [
        anchor_features(extract_anchors(text, lang)) if lang else ""
        for text, lang in zip(texts, languages, strict=True)
    ]
    digest.update("\0".join(anchor_texts).encode())
    for keys in translation_keys(anchor_texts, Settings()):
        digest.update(keys.tobytes())
    return digest.hexdigest()


CORPUS_DIGEST = "0f37824094bf599e426923ae1048ca2a449dca964d721ca6670fdeee95c83615"
"""_corpus_digest() as the code before these changes made it (numba kernels, datasketch's banding,
patterns compiled at import): stored keys must not change.
"""


@pytest.mark.parametrize("path", ["plain", "compiled"])
def test_stored_signatures_and_keys_are_unchanged(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(CORPUS) == 83
    if path == "plain":
        monkeypatch.setattr(fingerprint, "_kernels", lambda work: None)
        monkeypatch.setattr(language, "_use_compiled", lambda: False)
    else:
        monkeypatch.setattr(fingerprint, "_kernels", lambda work: _kernels())
        monkeypatch.setattr(language, "_use_compiled", lambda: True)
    assert _corpus_digest() == CORPUS_DIGEST


# ---- language: plain scores, the converted model --------------------------------------------


def _samples() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in CORPUS] + [
        "@@@ ### $$$",
        "ОЧЕНЬ ГРОМКО СКАЗАНО ЗДЕСЬ",
        "東京の天気は晴れです",
    ]
    return [
        text[start : start + language.LANGUAGE_SAMPLE_CHARS]
        for text in texts
        for start in range(0, min(len(text), 1500), 211)
    ]


def test_plain_language_scores_are_the_kernels_to_the_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    samples = _samples()
    monkeypatch.setattr(language, "_use_compiled", lambda: False)
    plain = [language._folded_scores(sample) for sample in samples]
    monkeypatch.setattr(language, "_use_compiled", lambda: True)
    compiled = [language._folded_scores(sample) for sample in samples]
    assert sum(found is None for found in plain) == 1
    for ours, theirs in zip(plain, compiled, strict=True):
        assert (ours is None) == (theirs is None)
        if ours is not None and theirs is not None:
            assert (
                ours[1].dtype == theirs[1].dtype == np.float32
                and ours[1].tobytes() == theirs[1].tobytes()
            )


def test_the_converted_model_is_py3langids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import py3langid.langid as langid_model

    samples = _samples()
    expected = [language.classify(sample) for sample in samples]
    monkeypatch.setenv(language.CACHE_ENV, str(tmp_path / "cache"))
    try:
        monkeypatch.setattr(langid_model, "IDENTIFIER", None)  # not loaded yet: converted and saved
        language._model.cache_clear()
        converted = language._model()
        assert converted is not None
        [saved] = (tmp_path / "cache").iterdir()
        assert sorted(path.name for path in saved.iterdir()) == sorted(
            f"{name}.npy" for name in language._ARRAYS
        )
        monkeypatch.setattr(
            langid_model, "IDENTIFIER", None
        )  # a later process: mapped from the cache
        language._model.cache_clear()
        mapped = language._model()
        assert mapped is not None and mapped is not converted
        assert langid_model.IDENTIFIER is None  # py3langid's own model was not read
        for name in ("next_move", "row_base", "output", "feature_class", "class_prior"):
            ours, theirs = getattr(mapped, name), getattr(converted, name)
            assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)
        assert (mapped.classes, mapped.alias_pairs) == (converted.classes, converted.alias_pairs)
        assert [language.classify(sample) for sample in samples] == expected
        (saved / "classes.npy").write_bytes(
            b"not an array"
        )  # a damaged copy is removed and made again
        monkeypatch.setattr(langid_model, "IDENTIFIER", None)
        language._model.cache_clear()
        assert language._model() is not None
        assert np.load(saved / "classes.npy").tolist() == list(converted.classes)
        assert [language.classify(sample) for sample in samples] == expected
    finally:
        language._model.cache_clear()


def test_an_unwritable_cache_folder_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import py3langid.langid as langid_model

    monkeypatch.setenv(language.CACHE_ENV, "/proc/provenance-cache")
    monkeypatch.setattr(langid_model, "IDENTIFIER", None)
    language._model.cache_clear()
    try:
        assert language.classify("Das ist ein deutscher Satz über das Wetter in Berlin.") == "de"
    finally:
        language._model.cache_clear()


# ---- patterns made on first use -------------------------------------------------------------


def test_patterns_are_made_once_and_keep_their_old_names() -> None:
    assert anchors._ANCHOR_GERMAN is anchors._anchor_pattern(
        True
    ) and anchors._ANCHOR is anchors._anchor_pattern(False)
    assert anchors._ANCHOR_STARTS is anchors._anchor_starts(
        False
    ) and anchors._ANCHOR_STARTS_GERMAN is anchors._anchor_starts(True)
    assert (
        anchors._DATE_WORD is anchors._date_word()
        and anchors._DATE_WORD_SCANNER is anchors._date_word_scanner()
    )
    with pytest.raises(AttributeError):
        _ = anchors._NO_SUCH_PATTERN


DATE_PIECES = [
    " ",
    "  ",
    "\n",
    ".",
    ",",
    "-",
    "'",
    "may",
    "mayor",
    "march",
    "marching",
    "5",
    "15",
    "2022",
    "one",
    "someone",
    "two",
    "million",
    "januar",
    "january",
    "jan",
    "quarante",
    "quaranta",
    "апреля",
    "апрель",
    "abc",
    "x",
    "sonntags",
    "montag",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(DATE_PIECES + sorted(_DATE_WORDS)[::7]), min_size=1, max_size=24).map(
        "".join
    )
)
def test_the_date_word_scanner_finds_what_finditer_finds(text: str) -> None:
    scanner = anchors._date_word_scanner()
    assert scanner is not None
    expected = [(match.span(), match.groupdict()) for match in anchors._date_word().finditer(text)]
    assert [(match.span(), match.groupdict()) for match in scanner.finditer(text)] == expected


# ---- the database's revision, told without alembic ------------------------------------------


def test_the_scripts_head_is_alembics() -> None:
    from provenance.store.engine import _head_of_scripts, head_revision

    assert _head_of_scripts() == head_revision()


def test_check_loads_no_numba_scipy_alembic_or_trafilatura(tmp_path: Path) -> None:
    """`provenance check` of a text file against a database at the head revision: none of the
    modules that took seconds to import.
    """
    url = f"sqlite:///{tmp_path / 'check.sqlite'}"
    environment = {**os.environ, language.CACHE_ENV: str(tmp_path / "cache")}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "provenance",
            "--db",
            url,
            "ingest",
            str(SEEDS / "000_f710a17709038b17.txt"),
        ],
        check=True,
        capture_output=True,
        env=environment,
    )
    script = (
        "import sys\n"
        "from provenance.cli import cli\n"
        f"try:\n    cli(['--db', {url!r}, 'check', {str(SEEDS / '003_4153c0ff2f4fab2a.txt')!r}, '--json'])\n"
        "except SystemExit as stop:\n    code = stop.code\n"
        "heavy = sorted(name for name in ('numba', 'scipy', 'datasketch', 'alembic', 'trafilatura', 'provenance.sketch.kernels') if name in sys.modules)\n"
        "print(f'exit {code}; loaded: {heavy}', file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=environment
    )
    assert done.stderr.splitlines()[-1] == "exit 1; loaded: []"  # a copy of seed 000
    assert '"verdict": "copy"' in done.stdout
