"""Ingest: idempotent, versioned, transactional, and linking copies with their direction."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from provenance.config import Settings
from provenance.ingest import run as pipeline
from provenance.ingest import writer as batch_writer
from provenance.ingest.run import ingest
from provenance.read.document import Failure
from provenance.read.inputs import iter_documents
from provenance.store import store as store_module
from provenance.store.records import LinkRecord
from provenance.store.store import Store

from .conftest import MERKUR_TITLE, MERKUR_URL, SEEDS, seed_body_without_footer
from .helpers import jsonl


def body_lines(seed: str) -> list[str]:
    """The long lines (paragraphs) of a seed file."""
    path = next(SEEDS.glob(f"{seed}_*.txt"))
    return [
        line for line in path.read_text(encoding="utf-8").splitlines() if len(line.split()) > 12
    ]


def write_jsonl(folder: Path, name: str, records: list[dict[str, Any]]) -> str:
    """Write records to a JSONL file and return its path."""
    path = folder / name
    path.write_text(jsonl(records), encoding="utf-8")
    return str(path)


def links(store: Store) -> list[LinkRecord]:
    """Every stored copy link."""
    with store.reader() as reader:
        return reader.all_links()


def article_ids_by_url(store: Store) -> dict[str | None, int]:
    """Article ids keyed by URL."""
    with store.reader() as reader:
        return {article.url: article.id for article in reader.all_articles()}


def test_seeds_are_stored_once_and_not_linked(store: Store) -> None:
    first = ingest(store, [str(SEEDS)])
    second = ingest(store, [str(SEEDS)])
    assert (first.read, first.added, first.already_stored, dict(first.links)) == (5, 5, 0, {})
    assert (second.read, second.added, second.already_stored) == (5, 0, 5)
    assert store.count_articles() == 5
    assert links(store) == []


def test_same_url_with_changed_content_is_a_new_version(store: Store, tmp_path: Path) -> None:
    text = "\n".join(body_lines("000"))
    url = "https://www.news.de/politik/putin-kim.html"
    ingest(store, [write_jsonl(tmp_path, "v1.jsonl", [{"url": url, "title": "T", "text": text}])])
    report = ingest(
        store,
        [
            write_jsonl(
                tmp_path,
                "v2.jsonl",
                [
                    {
                        "url": url,
                        "title": "T",
                        "text": text + "\nUpdate: Der Kreml bestätigte den Brief am Abend.",
                    }
                ],
            )
        ],
    )
    assert (report.added, report.new_versions) == (1, 1)
    with store.reader() as reader:
        versions = sorted(
            (article for article in reader.all_articles() if article.url == url),
            key=lambda article: article.version,
        )
    assert [(a.version, a.previous_version_id) for a in versions] == [
        (1, None),
        (2, versions[0].id),
    ]
    [link] = links(store)
    assert (link.kind, link.origin_id, link.copy_id) == (
        "duplicate",
        versions[0].id,
        versions[1].id,
    )


def test_repost_with_a_footer_in_another_language_matches_at_one(
    store: Store, tmp_path: Path
) -> None:
    original = write_jsonl(
        tmp_path,
        "merkur.jsonl",
        [
            {
                "url": MERKUR_URL,
                "title": MERKUR_TITLE,
                "text": seed_body_without_footer(),
                "published": "2025-01-02T10:00:00",
            }
        ],
    )
    ingest(store, [original])
    report = ingest(store, [str(next(SEEDS.glob("003_*.txt")))])
    assert dict(report.links) == {"repost": 1}
    [link] = links(store)
    ids = article_ids_by_url(store)
    assert (
        link.origin_id,
        link.kind,
        link.jaccard,
        link.containment,
        link.reverse_containment,
    ) == (ids[MERKUR_URL], "repost", 1.0, 1.0, 1.0)
    assert link.direction == "evidence"
    assert "Информация на этой странице взята из источника" in link.direction_reason
    assert link.evidence["shared_passages"]


def test_documents_prepared_apart_are_stored_and_linked_as_ingest_does(
    store: Store, tmp_path: Path
) -> None:
    """store_prepared is ingest's writing half: it takes prepared documents from any stream,
    failures among them.
    """
    original = write_jsonl(
        tmp_path,
        "merkur.jsonl",
        [
            {
                "url": MERKUR_URL,
                "title": MERKUR_TITLE,
                "text": seed_body_without_footer(),
                "published": "2025-01-02T10:00:00",
            }
        ],
    )
    settings = Settings()
    prepared = list(
        pipeline.prepared_stream(
            iter_documents([original, str(SEEDS)], settings.max_file_bytes), settings
        )
    )
    report = pipeline.store_prepared(
        store, [*prepared, Failure("broken.jsonl:3", "not JSON")], settings
    )
    assert (report.read, report.added, [failure.origin for failure in report.failures]) == (
        7,
        6,
        ["broken.jsonl:3"],
    )
    assert dict(report.links) == {"repost": 1}
    [link] = links(store)
    assert (
        link.origin_id == article_ids_by_url(store)[MERKUR_URL]
        and "Информация на этой странице взята из источника" in link.direction_reason
    )
    assert pipeline.store_prepared(store, prepared, settings).already_stored == 6


@pytest.mark.parametrize(
    ("first_date", "second_date", "direction", "origin_index"),
    [
        ("2025-01-01T08:00:00", "2025-01-02T08:00:00", "dated", 0),
        ("2025-01-03T08:00:00", "2025-01-02T08:00:00", "dated", 1),
        (None, "2025-01-02T08:00:00", "undetermined", 0),
        (None, None, "undetermined", 0),
    ],
)
def test_direction_from_dates_or_undetermined(
    store: Store,
    tmp_path: Path,
    first_date: str | None,
    second_date: str | None,
    direction: str,
    origin_index: int,
) -> None:
    text = "\n".join(body_lines("004"))
    urls = ["https://www.euronews.com/a", "https://copy.example/b"]
    records = [
        {"url": urls[0], "title": "A", "text": text, "published": first_date},
        {"url": urls[1], "title": "B", "text": text, "published": second_date},
    ]
    ingest(store, [write_jsonl(tmp_path, "pair.jsonl", records)])
    [link] = links(store)
    ids = article_ids_by_url(store)
    assert (link.kind, link.direction, link.origin_id) == (
        "repost",
        direction,
        ids[urls[origin_index]],
    )
    if direction == "undetermined":
        assert "no publication date and neither names the other" in link.direction_reason


def test_partial_copy_is_linked_to_each_article_it_takes_from(store: Store, tmp_path: Path) -> None:
    ingest(store, [str(SEEDS)])
    patchwork = (
        body_lines("002")[1:4]
        + body_lines("004")[2:5]
        + [
            "Ein eigener Absatz des Aggregators mit einer kurzen Einordnung der Lage in Nordkorea und Russland."
        ]
    )
    report = ingest(
        store,
        [
            write_jsonl(
                tmp_path,
                "patch.jsonl",
                [
                    {
                        "url": "https://aggregator.example/x",
                        "title": "Mix",
                        "text": "\n".join(patchwork),
                    }
                ],
            )
        ],
    )
    assert dict(report.links) == {"partial": 2}
    found = links(store)
    assert {link.kind for link in found} == {"partial"}
    assert all(link.direction == "undetermined" for link in found)
    assert all(0.2 <= max(link.containment, link.reverse_containment) < 0.8 for link in found)


def test_malformed_jsonl_line_is_reported_and_the_rest_stored(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = jsonl(
        [
            {"url": "https://a.example/1", "text": "\n".join(body_lines("000"))},
            {"url": "https://b.example/2", "text": "\n".join(body_lines("001"))},
        ]
    )
    lines = good.splitlines()
    path.write_text(lines[0] + "\n{broken\n" + lines[1] + "\n", encoding="utf-8")
    report = ingest(store, [str(path)])
    assert report.added == 2
    assert [(f.origin, f.reason.split(":")[0]) for f in report.failures] == [
        (f"{path}:2", "line 2 is not valid JSON")
    ]


def test_a_broken_unicode_escape_in_jsonl_is_replaced_not_fatal(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "escapes.jsonl"
    text = "\n".join(body_lines("000"))
    broken = json.dumps(
        {
            "url": "https://a.example/1",
            "title": "Kim \ud800",
            "text": text.replace("Präsident ", "Präsident \ud800 ", 1),
        }
    )
    path.write_text(
        broken
        + "\n"
        + jsonl([{"url": "https://b.example/2", "text": "\n".join(body_lines("001"))}]),
        encoding="utf-8",
    )
    assert "\\ud800" in broken
    report = ingest(store, [str(path)], workers=2)
    assert (report.added, report.failures) == (2, [])
    with store.reader() as reader:
        stored = reader.all_articles()
    titles = {article.title for article in stored}
    bodies = [article.body for article in stored]
    assert "Kim \ufffd" in titles
    assert sum("\ufffd" in body for body in bodies) == 1


def test_workers_run_at_a_lower_priority_than_the_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The single writer is the slower side of a large ingest: the workers yield the CPU to it."""
    monkeypatch.setattr(
        pipeline, "_prepare_all", lambda documents, settings: [os.nice(0) for _ in documents]
    )
    documents = [Failure(f"input {number}", "unread") for number in range(3)]
    assert (
        list(pipeline.prepared_stream(documents, Settings(), workers=2))
        == [min(os.nice(0) + pipeline.WORKER_NICENESS, 19)] * 3
    )


def test_interrupted_ingest_leaves_nothing_half_written_and_can_be_rerun(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*args: Any) -> None:
        raise KeyboardInterrupt

    real_links = batch_writer._links_of_batch
    monkeypatch.setattr(batch_writer, "_links_of_batch", interrupt)
    with pytest.raises(KeyboardInterrupt):
        ingest(store, [str(SEEDS)])
    with store.reader() as reader:
        rows = reader.row_counts()
    counts = [rows[table] for table in ("articles", "paragraphs", "lsh_buckets")]
    assert counts == [0, 0, 0]
    monkeypatch.setattr(batch_writer, "_links_of_batch", real_links)
    assert ingest(store, [str(SEEDS)]).added == 5


def test_small_batches_commit_as_they_go(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    progress: list[int] = []
    ingest(
        store, [str(SEEDS)], Settings(), on_progress=lambda _stage, count: progress.append(count)
    )
    assert progress == [2, 2, 1]


def test_an_ingest_leaves_the_garbage_collector_as_it_found_it(store: Store) -> None:
    before = gc.get_threshold()
    ingest(store, [str(SEEDS)])
    assert gc.get_threshold() == before


def test_bulk_load_on_postgresql_leaves_planner_statistics_and_visibility_map_current(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "BULK_LOAD", 3)
    store = Store(postgres_url)

    def table_state(table: str) -> tuple[float, int]:
        with store.engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT reltuples, relallvisible FROM pg_class WHERE oid = CAST(:table AS regclass)"
                ),
                {"table": table},
            ).one()
        return float(row[0]), int(row[1])

    assert table_state("articles") == (-1.0, 0)  # never analyzed: the planner guesses
    ingest(store, [str(SEEDS)])
    assert table_state("articles") == (5.0, 1)
    assert table_state("lsh_buckets")[0] > 0 and table_state("lsh_buckets")[1] > 0
    with store.reader() as reader:
        buckets = reader.row_counts()["lsh_buckets"]
    assert table_state("lsh_buckets")[0] == buckets
    store.close()


def test_an_ingest_small_beside_the_stored_articles_leaves_the_statistics_to_autovacuum(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "BULK_LOAD", 1)
    store = Store(postgres_url)
    text_of = "\n".join(body_lines("000"))
    records = [
        {"url": f"https://news.example/{number}", "title": "T", "text": text_of}
        for number in range(11)
    ]

    def analyzed_articles() -> float:
        with store.engine.connect() as connection:
            return float(
                connection.execute(
                    text("SELECT reltuples FROM pg_class WHERE oid = CAST('articles' AS regclass)")
                ).scalar_one()
            )

    stages: list[str] = []
    ingest(
        store,
        [write_jsonl(tmp_path, "ten.jsonl", records[:10])],
        on_progress=lambda stage, _count: stages.append(stage),
    )
    assert analyzed_articles() == 10 and stages[-1] == "statistics"
    stages.clear()
    ingest(
        store,
        [write_jsonl(tmp_path, "one.jsonl", records[10:])],
        on_progress=lambda stage, _count: stages.append(stage),
    )
    assert (
        store.count_articles() == 11 and analyzed_articles() == 10
    )  # 1 of 11 is less than a tenth
    assert "statistics" not in stages
    store.close()


def test_a_pair_of_one_batch_is_counted_once(store: Store, tmp_path: Path) -> None:
    """A copy that names its original's URL, ahead of it in one batch: each finds the other, and the
    summary counts one link.
    """
    text = "\n".join(body_lines("004"))
    records = [
        {
            "url": "https://copy.example/b",
            "title": "B",
            "text": text + "\nQuelle: https://www.euronews.com/a",
            "published": "2025-01-02T08:00:00",
        },
        {
            "url": "https://www.euronews.com/a",
            "title": "A",
            "text": text,
            "published": "2025-01-01T08:00:00",
        },
    ]
    report = ingest(store, [write_jsonl(tmp_path, "pair.jsonl", records)])
    assert (dict(report.links), len(links(store))) == ({"repost": 1}, 1)
