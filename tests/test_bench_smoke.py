"""Every bench entry point runs as a module on about 50 articles and prints its figures; bench/ and the
library meet only at the sub-packages' ``__all__``, which import nothing until a name is used.

The benches read the shared corpora beside the repository (``../shared/corpora``, where CI has
them too); some use the PostgreSQL and Redis servers that CI starts.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from .conftest import ROOT

BENCH = ROOT / "bench"
CORPORA = ROOT.parent / "shared" / "corpora"
PACKAGES = (
    "read",
    "text",
    "sketch",
    "translation",
    "knowledge",
    "match",
    "ingest",
    "graph",
    "render",
    "audit",
    "store",
    "batch",
)
RUN_SECONDS = 120
"""A deadline for one bench run (each takes a few seconds to some 20 on two cores)."""

STORE_MODELS: dict[str, set[str]] = {}
"""Benches allowed to import a store module beyond ``provenance.store``'s ``__all__``: none, since
the store's reader and writer replaced its models (a bench measuring storage itself uses
``Store.engine`` with SQL).
"""


# ---- running a bench --------------------------------------------------------------------


def run_bench(module: str, *args: str | Path) -> str:
    """Run ``python -m bench.<module> ARGS`` from the repository's root; its stdout, once it exited
    0.
    """
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert done.returncode == 0, (
        f"bench.{module} exited {done.returncode}\n--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
    )
    return done.stdout


def lines_matching(pattern: str, text: str) -> list[str]:
    """The lines of `text` that `pattern` matches from their start."""
    return [line for line in text.splitlines() if re.match(pattern, line)]


def expect(text: str, *patterns: str) -> None:
    """Each pattern matches at least one line of `text`."""
    for pattern in patterns:
        assert lines_matching(pattern, text), f"no line matches {pattern!r} in:\n{text[-3000:]}"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """bench_ingest's output on 50 articles a part, and its work folder, which keeps the database of
    its ingest part (ingest.sqlite).
    """
    workdir = tmp_path_factory.mktemp("bench_ingest")
    out = run_bench(
        "bench_ingest",
        "--corpus",
        CORPORA,
        "--parts",
        "signatures,ingest,check,profile,split",
        "--texts",
        "50",
        "--repeats",
        "1",
        "--pairs",
        "10",
        "--size",
        "50",
        "--check-corpus",
        "50",
        "--queries",
        "10",
        "--profile-size",
        "50",
        "--workdir",
        workdir,
    )
    return out, workdir / "ingest.sqlite"


def smoke_corpus(_request: pytest.FixtureRequest, _tmp: Path) -> str:
    out = run_bench("corpus", "--corpus", CORPORA, "--count", "2")
    expect(out, r'  "en": \{')
    assert len(lines_matching(r"--- (en|de|fr|ru) \S+ \d+ words https://", out)) == 2, out
    return out


def smoke_article_size(_request: pytest.FixtureRequest, _tmp: Path) -> str:
    out = run_bench(
        "bench_article_size", "--corpus", CORPORA, "--sizes", "0.05", "--kinds", "text,html"
    )
    for kind in ("text", "html"):
        assert (
            len(
                lines_matching(
                    rf"{kind}\s+0\.05\s+[\d.]+ (extract|prepare|sign)\s+[\d.]+\s+[\d.]+\s+\d+\s+-?\d+$",
                    out,
                )
            )
            == 3
        ), out
    assert "skipped" not in out
    return out


def smoke_audit(_request: pytest.FixtureRequest, _tmp: Path) -> str:
    out = run_bench("bench_audit", "--corpus", CORPORA, "--sizes", "50", "--workers", "1")
    expect(
        out,
        r"=== 50 articles \(6 known copies",
        r"ingest\s+[\d.]+ s \(",
        r"links stored\s+\d+ \(true \d+",
        r"recall\s+[\d.]+ \(\d+/6\)",
        r"targets met\s+\{",
    )
    return out


def smoke_floor(request: pytest.FixtureRequest, tmp: Path) -> str:
    _, source = request.getfixturevalue("ingested")
    postgres = request.getfixturevalue("postgres_url")
    out = run_bench(
        "bench_floor",
        f"sqlite:///{source}",
        "--db",
        f"sqlite:///{tmp / 'floor.sqlite'}",
        "--db",
        postgres,
    )
    for dialect in ("sqlite", "postgresql"):
        expect(out, rf"== {dialect} ==")
    assert (
        lines_matching(r"  articles\s+50$", out)
        and len(lines_matching(r"  rows_as_in_source\s+True$", out)) == 2
    ), out
    expect(out, r"  articles_per_s\s+[\d.]+", r"  cpu_ms_per_article\s+\{")
    return out


def smoke_growth(request: pytest.FixtureRequest, tmp: Path) -> str:
    outs = []
    for dialect, url in (
        ("sqlite", f"sqlite:///{tmp / 'growth.sqlite'}"),
        ("postgresql", request.getfixturevalue("postgres_url")),
    ):
        out = run_bench(
            "bench_growth",
            "--corpus",
            CORPORA,
            "--db",
            url,
            "--milestones",
            "50",
            "--queries",
            "10",
        )
        expect(
            out,
            rf"== {dialect}, 50 articles ==",
            r"  stage_records_per_s\s+[\d.]+",
            r"  check_all_ms\s+\{'n': 10",
            r"  db_bytes_per_article\s+\d+",
        )
        outs.append(out)
    expect(outs[1], r"  server\s+\{'autovacuum': ")
    return "".join(outs)


def smoke_hostile(_request: pytest.FixtureRequest, _tmp: Path) -> str:
    out = run_bench("bench_hostile", "--quick")
    expect(out, r"build: installed: ", r"\| case \| exit \| s \| MiB \| stored \| note \|")
    rows = lines_matching(r"\| (jsonl-bad-dates|warc-cut-header) \|", out)
    assert len(rows) == 2, out
    for row in rows:
        case, exit_code, seconds, _mib, _stored, note = (
            cell.strip() for cell in row.strip("|").split("|")[:6]
        )
        assert exit_code.isdigit() and exit_code != "70" and re.fullmatch(r"[\d.]+", seconds), row
        assert not any(
            sign in note
            for sign in ("bench error", "setup failed", "[traceback]", "internal error")
        ), row
    return out


def smoke_index(request: pytest.FixtureRequest, _tmp: Path) -> str:
    postgres = request.getfixturevalue("postgres_url")
    out = run_bench(
        "bench_index",
        "--corpus",
        CORPORA,
        "--size",
        "50",
        "--queries",
        "10",
        "--backends",
        "db-sqlite,db-postgresql,redis",
        "--postgres",
        postgres,
    )
    expect(out, r"== shared LSH index: 50 articles, 10 queries ==")
    for backend in ("db-sqlite", "db-postgresql", "redis"):
        expect(
            out,
            rf"  {backend}\s+insert_articles_per_s=[\d.]+, .*median_ms=[\d.]+, p99_ms=[\d.]+, found_self=1\.0",
        )
    return out


def smoke_index_growth(request: pytest.FixtureRequest, tmp: Path) -> str:
    outs = []
    for url in (f"sqlite:///{tmp / 'index.sqlite'}", request.getfixturevalue("postgres_url")):
        out = run_bench(
            "bench_index_growth",
            "--db",
            url,
            "--sizes",
            "50",
            "--batch",
            "20",
            "--batches",
            "2",
            "--keys-per-article",
            "30",
        )
        expect(
            out,
            r"articles \| index_rows \| fill_seconds \| lookup_ms_per_article",
            r"50 \| 1,500 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+$",
        )
        outs.append(out)
    return "".join(outs)


def smoke_ingest(request: pytest.FixtureRequest, _tmp: Path) -> str:
    out, _ = request.getfixturevalue("ingested")
    for part in ("environment", "signatures", "ingest", "check", "profile", "split"):
        expect(out, rf"== {part} ==")
    expect(
        out,
        r"  row_check\s+texts=50, leanminhash=50, bytes_round_trip=50, ok=True",
        r"  articles_in_db\s+50$",
        r"  latency_all\s+n=10, median_ms=[\d.]+",
        r"  top 15 by cumulative:",
        r"  write_records_per_s\s+[\d.]+",
    )
    return out


def smoke_serve(_request: pytest.FixtureRequest, tmp: Path) -> str:
    out = run_bench(
        "bench_serve",
        "--corpus",
        CORPORA,
        "--sizes",
        "50",
        "--workers",
        "1",
        "--requests",
        "10",
        "--warmup",
        "2",
        "--count",
        "16",
        "--workdir",
        tmp,
    )
    expect(
        out,
        r"=== 50 articles \(50 stored, 6 known copies",
        r"server: .* serve --port \d+",
        r"keep-alive \(1 client\)\s+all\s+10\s+[\d.]+\s+[\d.]+\s+[\d.]+",
        r"new connection \(1 client\)\s+all\s+10\s+[\d.]+",
        r"concurrent \(8 clients\)\s+all\s+16\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+",
        r"new\s+original\s+\d+/5\s+\d+/5\s+\d+/\d+",
        r"non-200\s+none\s+0\s+0\s+0",
        r"target: keep-alive p50 <= 50 ms at 100,000: [\d.]+ ms",
    )
    return out


def smoke_startup(_request: pytest.FixtureRequest, tmp: Path) -> str:
    out = run_bench("bench_startup", "--db-dir", tmp, "--runs", "1", "--top", "5")
    expect(
        out,
        r"provenance check, median of 1:\s+[\d.]+ s wall",
        r"python -c pass, median of 1:\s+[\d.]+ s wall",
        r"ratio check / pass:\s+[\d.]+",
        r"\s+[\d.]+ ms\s+[\d.]+ ms\s+provenance",
    )
    return out


def smoke_trace(request: pytest.FixtureRequest, _tmp: Path) -> str:
    _, database = request.getfixturevalue("ingested")
    out = run_bench("bench_trace", database, "--queries", "10")
    expect(
        out,
        r"articles\s+50$",
        r"queries\s+\{'exact': 5, 'variant': 5, 'absent': 1\}",
        r"latency_ms\s+\{'median': [\d.]+",
        r"source_article_found\s+\{'exact': [\d.]+",
    )
    return out


def smoke_eval_attribution(_request: pytest.FixtureRequest, _tmp: Path) -> str:
    out = run_bench("eval_attribution", CORPORA / "polnear", "--limit", "50")
    expect(
        out,
        r"== PolNeAR dev: 50 articles",
        r"  agency named as wire\s+\d+/\d+",
        r"  layout\s+\d+\s+\d+ \|\s+[\d.]+",
        r"  precision [\d.]+ \(\d+/\d+",
        r"Time per article: layout pass mean [\d.]+ ms",
    )
    return out


def smoke_eval_clusters(_request: pytest.FixtureRequest, _tmp: Path) -> str:
    out = run_bench("eval_clusters", CORPORA, "--scale", "0.1")
    found = lines_matching(
        r"labelled corpus: (\d+) articles in \d+ true groups; audit [\d.]+ s", out
    )
    assert found and 40 <= int(found[0].split()[2]) <= 80, out
    expect(
        out,
        r"clusters \d+, largest \d+; pairwise P [\d.]+ R [\d.]+ F1 [\d.]+",
        r"passages: \d+ found, \d+ right",
        r"boilerplate box: 6 articles",
    )
    return out


def smoke_eval_extraction(_request: pytest.FixtureRequest, _tmp: Path) -> str:
    out = run_bench("eval_extraction", CORPORA / "aeb", "--limit", "50")
    expect(
        out,
        r"article-extraction-benchmark: 50 pages, \d+ failures",
        r"bag of words, mean/page\s+Prepared\.body \(split\)\s+[\d.]+\s+[\d.]+\s+[\d.]+",
        r"AEB 4-gram \(leaderboard\)",
    )
    return out


def smoke_eval_syndication(_request: pytest.FixtureRequest, _tmp: Path) -> str:
    out = run_bench("eval_syndication", CORPORA / "census" / "census_articles.csv")
    expect(
        out,
        r"census syndication: \d+ rows, \d+ stored, \d+ already stored, 0 failures, ingest [\d.]+ s",
        r"links: \d+ \{",
        r"relations between stories \(\d+\):",
    )
    return out


def smoke_eval_translation(_request: pytest.FixtureRequest, _tmp: Path) -> str:
    out = run_bench("eval_translation", CORPORA / "wmt22", "--limit", "8")
    for name in ("de-fr", "fr-de", "ru-en"):
        expect(out, rf"{name}\s+16\s+\d+\s+8\s+\d+\s+\d+\s+\d+\s+[\d.]+\s+[\d.]+")
    expect(
        out,
        r"mix: 3 sets \+ hand-written texts\s+\d+",
        r"hard set: documents\s+every pair",
        r"held-out same-day reports\s+lsh candidates",
    )
    return out


def smoke_batch(_request: pytest.FixtureRequest, _tmp: Path) -> str:
    out = run_bench(
        "bench_batch", "--corpus", CORPORA, "--sizes", "50", "--workers", "1", "--profile"
    )
    expect(
        out,
        r"=== 50 articles \(6 known copies, 1 file\(s\); 1 workers; 1 round\(s\)\) ===",
        r"incremental\s+1\s+[\d.]+\s+[\d.]+\s+[\d.]+ \+ [\d.]+\s+[\d.]+\s+\d+",
        r"batch\s+1\s+[\d.]+\s+[\d.]+\s+[\d.]+ \+ [\d.]+\s+[\d.]+\s+\d+",
        r"naive\s+1\s+[\d.]+\s+[\d.]+\s+[\d.]+ \+ [\d.]+\s+[\d.]+\s+\d+.*candidates",
        r"incremental / batch wall time: [\d.]+x of the medians",
        r"naive / batch wall time: [\d.]+x of the medians",
        r"links only in batch: 0, only in incremental: 0",
        r"batch links vs known copies: precision [\d.]+ \(strict [\d.]+\), recall [\d.]+",
        r"prepare\+store\s+[\d.]+\s+[\d.]+\s+[\d.]+$",
        r"build_audit\s+[\d.]+\s+[\d.]+\s+[\d.]+$",
        r"targets met: \{",
        r"profile of the batch engine's main process: [\d.]+ s wall",
        r"\s+ncalls\s+tottime\s+percall\s+cumtime",
    )
    return out


def smoke_naive(_request: pytest.FixtureRequest, tmp: Path) -> str:
    """Three records with the same text: each later one finds the earlier ones, 3 pairs in all."""
    corpus = tmp / "c.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"url": f"https://e.org/{n}", "text": "one two three four five six " * 9})
            for n in range(3)
        )
        + "\n",
        encoding="utf-8",
    )
    out = run_bench("naive_minhash", corpus, "--db", tmp / "naive.sqlite")
    expect(out, r"3 records, 3 candidate pairs, [\d.]+ s")
    with closing(sqlite3.connect(tmp / "naive.sqlite")) as db:
        count, shortest, longest = db.execute(
            "SELECT count(*), min(length(signature)), max(length(signature)) FROM articles"
        ).fetchone()
        assert count == 3 and shortest == longest and shortest in (128 * 4, 128 * 8)
        assert sorted(db.execute("SELECT * FROM candidates")) == [(0, 1), (0, 2), (1, 2)]
    return out


SMOKES: dict[str, Callable[[pytest.FixtureRequest, Path], str]] = {
    "bench_article_size": smoke_article_size,
    "bench_audit": smoke_audit,
    "bench_batch": smoke_batch,
    "naive_minhash": smoke_naive,
    "bench_floor": smoke_floor,
    "bench_growth": smoke_growth,
    "bench_hostile": smoke_hostile,
    "bench_index": smoke_index,
    "bench_index_growth": smoke_index_growth,
    "bench_ingest": smoke_ingest,
    "bench_serve": smoke_serve,
    "bench_startup": smoke_startup,
    "bench_trace": smoke_trace,
    "corpus": smoke_corpus,
    "eval_attribution": smoke_eval_attribution,
    "eval_clusters": smoke_eval_clusters,
    "eval_extraction": smoke_eval_extraction,
    "eval_syndication": smoke_eval_syndication,
    "eval_translation": smoke_eval_translation,
}


def entry_points() -> list[str]:
    """The bench modules with a main() (cpu.py and corpus' helpers aside, each is a script)."""
    return sorted(
        path.stem
        for path in BENCH.glob("*.py")
        if re.search(r"^def main\(", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    )


def test_every_entry_point_has_a_smoke_run() -> None:
    assert entry_points() == sorted(SMOKES)
    assert CORPORA.is_dir(), f"the shared corpora are not at {CORPORA}"


@pytest.mark.parametrize("module", sorted(SMOKES))
def test_bench_runs_small_and_prints_its_figures(
    module: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    SMOKES[module](request, tmp_path)


# ---- the public API the benches use -------------------------------------------------------


def provenance_imports(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line, module, name) of every ``from provenance... import name`` in a file, at any depth."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] == "provenance"
        ):
            for alias in node.names:
                yield node.lineno, node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("provenance."):
                    yield node.lineno, alias.name, ""


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda path: path.name)
def test_bench_imports_only_public_names(path: Path) -> None:
    """A bench imports provenance's names from a sub-package's __all__ (or provenance.config and
    .errors), never a submodule's or a private one; siblings as bench.<name>.
    """
    wrong = []
    for line, module, name in provenance_imports(path):
        parts = module.split(".")
        if module in STORE_MODELS.get(path.name, set()):
            continue
        if module in ("provenance.config", "provenance.errors"):
            public = not name.startswith("_")
        elif len(parts) == 2 and parts[1] in PACKAGES:
            public = name in importlib.import_module(module).__all__
        else:
            public = module == "provenance" and name in importlib.import_module(module).__all__
        if not public:
            wrong.append(f"{path.name}:{line}: from {module} import {name}")
    assert not wrong, "\n".join(wrong)
    source = path.read_text(encoding="utf-8")
    assert "sys.path.insert" not in source
    assert not re.search(
        r"^from (corpus|cpu|bench_\w+|eval_\w+) import", source, flags=re.MULTILINE
    )


def type_checking_names(package: str) -> set[str]:
    """The names a sub-package's ``__init__`` imports under ``if TYPE_CHECKING:``, as it binds them."""
    tree = ast.parse((ROOT / "provenance" / package / "__init__.py").read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING"
        ):
            for inner in node.body:
                assert (
                    isinstance(inner, ast.ImportFrom)
                    and inner.module
                    and inner.module.startswith(f"provenance.{package}.")
                ), ast.dump(inner)
                names.update(alias.asname or alias.name for alias in inner.names)
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_each_public_name_resolves_and_is_declared_for_mypy(package: str) -> None:
    module = importlib.import_module(f"provenance.{package}")
    exported = list(module.__all__)
    assert len(exported) == len(set(exported)) and all(
        not name.startswith("_") for name in exported
    )
    assert module.__doc__ and module.__doc__.startswith(f"{package}: ")
    submodules = {path.stem for path in (ROOT / "provenance" / package).glob("*.py")} | {
        path.name for path in (ROOT / "provenance" / package).iterdir() if path.is_dir()
    }
    assert not set(exported) & submodules, (
        "a public name that is also a submodule's means one or the other by import order"
    )
    for name in exported:
        assert getattr(module, name) is not None
    assert set(dir(module)) >= set(exported)
    if package != "render":  # imported eagerly, as before the lazy exports
        assert type_checking_names(package) == set(exported)
    assert not hasattr(module, "no_such_name")


def test_importing_the_sub_packages_loads_none_of_their_modules() -> None:
    lazy = [package for package in PACKAGES if package != "render"]
    script = (
        "import sys\n"
        f"for package in {lazy!r}:\n"
        "    __import__(f'provenance.{package}')\n"
        "loaded = [name for name in sys.modules if name.count('.') >= 2 and name.startswith('provenance.')]\n"
        "heavy = [name for name in ('numba', 'numpy', 'datasketch', 'sqlalchemy', 'trafilatura', 'lxml') if name in sys.modules]\n"
        "print(sorted(loaded + heavy))\n"
        "import provenance.sketch\n"
        "provenance.sketch.SketchParams\n"
        "print('provenance.sketch.fingerprint' in sys.modules, 'provenance.store.store' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.splitlines() == ["[]", "True False"]
