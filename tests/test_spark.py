"""The Spark engine in local[2]: the same links and clusters as the in-process engine on real
syndication (census) and on a 1,000-article bench corpus; Parquet tables; the result loaded into
SQLite and PostgreSQL audits as the in-process engine's; bad inputs are failures, not crashes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from provenance.audit import audit_json, build_audit
from provenance.batch import ingest_bulk
from provenance.config import Settings
from provenance.errors import InputError
from provenance.knowledge import load_registry
from provenance.spark import SparkResult, run_spark_audit, spark_session
from provenance.store import Store

from .conftest import ROOT

CORPORA = ROOT.parent / "shared" / "corpora"


def _bench(name: str) -> Any:
    sys.path.insert(0, str(ROOT))
    try:
        return __import__(f"bench.{name}", fromlist=["_"])
    finally:
        sys.path.remove(str(ROOT))


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def census(tmp_path_factory: pytest.TempPathFactory) -> Path:
    syndication = _bench("eval_syndication")
    path = tmp_path_factory.mktemp("census") / "census.jsonl"
    syndication.write_jsonl(syndication.read_rows(CORPORA / "census" / "census_articles.csv"), path)
    return path


@pytest.fixture(scope="module")
def bench_1000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    audit, corpus = _bench("bench_audit"), _bench("corpus")
    folder = tmp_path_factory.mktemp("bench1000")
    return Path(
        audit.build_corpus(corpus.load_pools(CORPORA), 1000, 0.12, 11, folder / "c", 1000).paths[0]
    )


def _in_process(
    url: str, path: Path
) -> tuple[set[tuple[Any, ...]], list[list[str]], dict[str, Any]]:
    """Links (by URL) and clusters (member URLs) of the batch engine, and its audit's JSON."""
    store = Store(url)
    try:
        report = ingest_bulk(store, [str(path)], Settings(), workers=2)
        audit = build_audit(store, load_registry(), report, [str(path)])
        with store.reader() as reader:
            urls = {i: s.url for i, s in reader.article_summaries(reader.article_ids()).items()}
            links = {
                (urls[k.origin_id], urls[k.copy_id], k.kind, k.jaccard, k.containment, k.direction)
                for k in reader.all_links()
            }
        clusters = sorted(
            sorted(urls[m.article_id] or "" for m in c.members) for c in audit.clusters
        )
        found = audit_json(audit)
        found.pop("generated_at")
        return links, clusters, found
    finally:
        store.close()


def _of_spark(result: SparkResult) -> tuple[set[tuple[Any, ...]], list[list[str]]]:
    url = {article_id: article["url"] for article_id, article in result.articles.items()}
    links = {
        (url[k.origin_id], url[k.copy_id], k.kind, k.jaccard, k.containment, k.direction)
        for k in result.links
    }
    clusters = sorted(sorted(url[m] or "" for m in c) for c in result.clusters)
    return links, clusters


def test_census_gives_the_in_process_links_clusters_and_audit_loaded_into_postgresql(
    spark: Any, census: Path, tmp_path: Path, postgres_url: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "https://e.org/a", "text": ""}\nnot json\n', encoding="utf-8")
    missing = tmp_path / "missing.jsonl"
    links, clusters, expected = _in_process(f"sqlite:///{tmp_path / 'ref.sqlite'}", census)
    store = Store(postgres_url)
    try:
        result = run_spark_audit(
            [str(census), str(bad), str(missing)],
            Settings(),
            spark=spark,
            parquet_dir=tmp_path / "pq",
            store=store,
        )
        assert _of_spark(result) == (links, clusters)
        assert len(links) == 14 and len(clusters) == 5  # the real AP and Reuters syndication
        reasons = {failure.origin: failure.reason for failure in result.failures}
        assert reasons[str(missing)] == "no such file or folder"
        assert reasons[f"{bad}:2"].startswith("line 2 is not valid JSON")
        assert f"{bad}:1" in reasons and len(reasons) == 3
        assert result.report is not None
        audit = audit_json(build_audit(store, load_registry(), result.report, [str(census)]))
        audit.pop("generated_at")
        audit["failures"] = expected["failures"]  # the bad inputs are the Spark run's alone
        audit["corpus"] = expected["corpus"]
        assert audit == expected
        with store.reader() as reader:
            assert reader.pending_rebuilds() == {}
        with pytest.raises(InputError, match="empty database"):
            run_spark_audit([str(census)], Settings(), spark=spark, store=store)
    finally:
        store.close()
    tables = {
        name: pq.read_table(tmp_path / "pq" / name)
        for name in ("articles", "links", "clusters", "passages")
    }
    assert tables["articles"].num_rows == 32
    assert tables["links"].num_rows == 14
    assert sorted(len(m) for m in tables["clusters"].column("members").to_pylist()) == sorted(
        len(c) for c in clusters
    )
    assert tables["passages"].num_rows == len(result.passages) > 0


def test_a_1000_article_bench_corpus_gives_the_in_process_links_and_clusters(
    spark: Any, bench_1000: Path, tmp_path: Path
) -> None:
    result = run_spark_audit([str(bench_1000)], Settings(), spark=spark)
    links, clusters, _ = _in_process(f"sqlite:///{tmp_path / 'ref.sqlite'}", bench_1000)
    assert _of_spark(result) == (links, clusters)
    kinds = {kind for _, _, kind, *_ in links}
    assert {"repost", "partial"} <= kinds and len(clusters) > 50
