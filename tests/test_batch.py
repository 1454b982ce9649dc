"""The batch engine (ingest --bulk, audit --engine batch) stores what the incremental ingest stores.

Same articles, links (kinds, scores, directions, evidence), passages, LSH index and audit, on
corpora with every kind of copy, translations, keys shared by more articles than a lookup reads,
several batches, and a database that already holds articles; an interrupted load is refused by
other commands and started over by a rerun.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from provenance.audit import audit_json, build_audit
from provenance.batch import ingest_bulk
from provenance.config import Settings
from provenance.ingest import BATCH_SIZE, ingest
from provenance.knowledge import load_registry
from provenance.store import Store

from .conftest import POSTGRES_URL, ROOT, SEEDS

CORPORA = ROOT.parent / "shared" / "corpora"
TRANSLATIONS = ROOT / "tests" / "data" / "translation"


@pytest.fixture(scope="module")
def bench_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 articles of real sentences with 30% known copies of every kind, in four languages."""
    sys.path.insert(0, str(ROOT))
    try:
        from bench.bench_audit import build_corpus
        from bench.corpus import load_pools
    finally:
        sys.path.remove(str(ROOT))
    folder = tmp_path_factory.mktemp("bench")
    corpus = build_corpus(load_pools(CORPORA), 400, 0.3, 7, folder / "corpus", 400)
    return corpus.paths[0]


@pytest.fixture(scope="module")
def crowded_corpus(tmp_path_factory: pytest.TempPathFactory, bench_corpus: Path) -> Path:
    """200 articles of the bench corpus and one story reposted by 110 outlets: more articles under
    its keys than a lookup reads (100), and more candidates than are verified (50).
    """
    records = bench_corpus.read_text(encoding="utf-8").splitlines()[:200]
    story = json.loads(records[0])
    words = story["text"].split()[:160]
    reposts = [
        json.dumps(
            {
                "url": f"https://outlet{number}.example/news/story",
                "title": story["title"],
                "text": " ".join(words),
                "published": f"2024-03-{1 + number // 24:02d}T{number % 24:02d}:00:00+00:00",
            }
        )
        for number in range(110)
    ]
    path = tmp_path_factory.mktemp("crowded") / "crowded.jsonl"
    path.write_text("\n".join(records[1:100] + reposts + records[100:]) + "\n", encoding="utf-8")
    return path


def _load(url: str, targets: list[str], bulk: bool, workers: int = 1) -> dict[str, Any]:
    """Load targets into a fresh database with one engine; what it stored, by URL and origin."""
    store = Store(url)
    try:
        load = ingest_bulk if bulk else ingest
        report = load(store, targets, Settings(), workers=workers)
        return _stored(store, report)
    finally:
        store.close()


def _stored(store: Store, report: Any) -> dict[str, Any]:
    audit = audit_json(build_audit(store, load_registry(), report, []))
    audit.pop("generated_at", None)
    with store.engine.connect() as connection:
        names = {
            int(row[0]): str(row[1])
            for row in connection.execute(text("SELECT id, coalesce(url, origin) FROM articles"))
        }

        def keyed(table: str, columns: str) -> list[tuple[Any, ...]]:
            rows = connection.execute(text(f"SELECT {columns}, article_id FROM {table}"))
            return sorted((*row[:-1], names[row[-1]]) for row in rows)

        links = sorted(
            (
                names[origin],
                names[copy],
                kind,
                jaccard,
                containment,
                reverse,
                direction,
                reason,
                json.dumps(
                    json.loads(evidence) if isinstance(evidence, str) else evidence,
                    sort_keys=True,
                ),
            )
            for origin, copy, kind, jaccard, containment, reverse, direction, reason, evidence in connection.execute(
                text(
                    "SELECT origin_id, copy_id, kind, jaccard, containment, reverse_containment, "
                    "direction, direction_reason, evidence FROM copy_links"
                )
            )
        )
        return {
            "report": {**report.as_dict(), "links": dict(sorted(report.links.items()))},
            "links": links,
            "copy_keys": keyed("lsh_buckets", "key"),
            "anchor_keys": keyed("anchor_buckets", "key, language"),
            "passages": keyed("passage_witnesses", 'start, "end"'),
            "audit": audit,
        }


def _same(incremental: dict[str, Any], bulk: dict[str, Any]) -> None:
    for part in ("report", "links", "copy_keys", "anchor_keys", "passages"):
        assert bulk[part] == incremental[part], part
    assert bulk["audit"] == incremental["audit"]


def test_a_bulk_load_stores_what_ingest_stores_on_a_corpus_with_every_kind_of_copy(
    postgres_url: str, bench_corpus: Path, tmp_path: Path
) -> None:
    """On PostgreSQL, against ingest on PostgreSQL (SQLite: the tests below)."""
    admin = create_engine(POSTGRES_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        incremental = _load(
            f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", [str(bench_corpus)], False
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    bulk = _load(postgres_url, [str(bench_corpus)], True)
    _same(incremental, bulk)
    kinds = incremental["report"]["links"]
    assert kinds.get("repost", 0) > 50 and kinds.get("partial", 0) > 10
    assert len(incremental["passages"]) > 10


def test_translations_and_seeds_are_linked_as_ingest_links_them(tmp_path: Path) -> None:
    targets = [str(SEEDS), str(TRANSLATIONS)]
    incremental = _load(f"sqlite:///{tmp_path / 'a.sqlite'}", targets, False)
    bulk = _load(f"sqlite:///{tmp_path / 'b.sqlite'}", targets, True)
    _same(incremental, bulk)
    assert incremental["report"]["links"].get("translation", 0) >= 3


def test_several_batches_and_keys_shared_past_the_lookup_cap_give_the_same_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crowded_corpus: Path
) -> None:
    import provenance.batch.engine as engine
    import provenance.ingest.run as run

    monkeypatch.setattr(run, "BATCH_SIZE", 40)
    monkeypatch.setattr(engine, "BATCH_SIZE", 40)
    targets = [str(crowded_corpus)]
    incremental = _load(f"sqlite:///{tmp_path / 'a.sqlite'}", targets, False)
    bulk = _load(f"sqlite:///{tmp_path / 'b.sqlite'}", targets, True, workers=2)
    _same(incremental, bulk)
    store = Store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    with store.engine.connect() as connection:
        crowded = connection.execute(
            text("SELECT max(n) FROM (SELECT count(*) AS n FROM lsh_buckets GROUP BY key) AS k")
        ).scalar_one()
    store.close()
    assert crowded > 100  # the story's keys hold more articles than a lookup reads


def test_a_bulk_load_into_a_database_that_holds_articles_links_to_them(
    sqlite_url: str, tmp_path: Path, bench_corpus: Path
) -> None:
    db_url, twin_url = sqlite_url, f"sqlite:///{tmp_path / 'twin.sqlite'}"
    records = bench_corpus.read_text(encoding="utf-8").splitlines()
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("\n".join(records[:200]) + "\n", encoding="utf-8")
    second.write_text("\n".join(records[200:]) + "\n", encoding="utf-8")
    results = []
    for url, bulk in ((twin_url, False), (db_url, True)):
        store = Store(url)
        ingest(store, [str(first)], Settings())
        load = ingest_bulk if bulk else ingest
        report = load(store, [str(second)], Settings())
        report.article_ids = list(range(1, 401))
        results.append(_stored(store, report))
        store.close()
    _same(*results)
    assert results[1]["report"]["links"]


BULK = [sys.executable, "-m", "provenance"]


def _provenance(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BULK, "--db", db_url, *args], capture_output=True, text=True, timeout=300, check=False
    )


class Stop(KeyboardInterrupt):
    """Ctrl-C, as the terminal sends it, after the first batch of a load is stored."""


def test_an_interrupted_bulk_load_is_refused_by_other_commands_and_started_over_by_a_rerun(
    db_url: str, run_cli: Any, bench_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import provenance.batch.engine as engine

    monkeypatch.setattr(engine, "BATCH_SIZE", 200)

    def stop_after_first_batch(stage: str, count: int) -> None:
        raise Stop

    store = Store(db_url)
    try:
        with pytest.raises(Stop):
            ingest_bulk(store, [str(bench_corpus)], Settings(), on_progress=stop_after_first_batch)
        assert store.count_articles() == 200  # the first batch was committed, the rest not
        refused = run_cli("list")
        assert refused.exit_code == 4
        assert "bulk load" in refused.output and "did not finish" in refused.output
        assert run_cli("check", str(SEEDS / "000_f710a17709038b17.txt")).exit_code == 4
        again = run_cli("ingest", "--bulk", "--workers", "2", str(bench_corpus), "--json")
        assert again.exit_code == 0, again.output
        assert json.loads(again.stdout)["added"] == 400
        assert store.count_articles() == 400
        assert run_cli("list").exit_code == 0
    finally:
        store.close()
    assert BATCH_SIZE == 2000


def test_reindex_removes_the_articles_of_an_interrupted_bulk_load(sqlite_url: str) -> None:
    db_url = sqlite_url
    store = Store(db_url)
    ingest(store, [str(SEEDS)], Settings())
    added = ingest(store, [str(TRANSLATIONS)], Settings()).added
    with store.writer() as writer:  # what a load stopped after storing the translations leaves
        writer.start_rebuild("bulk_load", 5)
    store.close()
    refused = _provenance(db_url, "check", str(SEEDS / "000_f710a17709038b17.txt"))
    assert refused.returncode == 4
    done = _provenance(db_url, "reindex", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rebuilt"]["bulk_load"] == added > 10
    store = Store(db_url)
    assert store.count_articles() == 5
    store.close()


def test_audit_with_the_batch_engine_prints_what_the_incremental_engine_prints(
    tmp_path: Path,
) -> None:
    outputs = []
    for engine in ("incremental", "batch"):
        db = f"sqlite:///{tmp_path / engine}.sqlite"
        done = _provenance(
            db, "audit", "--engine", engine, str(SEEDS), str(TRANSLATIONS), "--json", "-"
        )
        assert done.returncode == 0, done.stderr
        audit = json.loads(done.stdout)
        audit.pop("generated_at")
        outputs.append(audit)
    assert outputs[0] == outputs[1]
    kinds = {
        link["kind"]
        for group in outputs[0]["clusters"] + outputs[0]["relations"]
        for link in group["links"]
    }
    assert "translation" in kinds
