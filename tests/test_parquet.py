"""Parquet in and out: rows read as their JSONL records would be, bad files one line each, and the
audit's articles, links, clusters and passages written as typed tables.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.config import Settings
from provenance.ingest import ingest
from provenance.store import Store

from .conftest import SEEDS

BODY = (
    "The city council approved the new budget on Tuesday after a long debate about schools.\n\n"
    "Council members said the plan adds money for teachers and repairs two old buildings.\n\n"
    "The mayor called it a fair compromise and promised to publish the accounts every month."
)


def _records() -> list[dict[str, Any]]:
    return [
        {
            "url": "https://example.org/budget",
            "title": "Council approves budget",
            "text": BODY,
            "published": "2024-05-02T10:30:00+02:00",
            "outlet": "Example Daily",
        },
        {
            "url": "https://news.example.net/budget-copy",
            "title": "Budget approved",
            "text": BODY + "\n\nSource: https://example.org/budget",
            "published": "2024-05-03T08:00:00",
            "outlet": "Example Net",
        },
        {
            "url": "https://third.example.com/other",
            "title": "Harbour reopens",
            "text": SEEDS.joinpath("000_f710a17709038b17.txt").read_text(encoding="utf-8"),
            "published": "2024-05-04",
            "outlet": None,
        },
    ]


def _ingest(url: str, path: Path) -> Any:
    store = Store(url)
    try:
        return ingest(store, [str(path)], Settings())
    finally:
        store.close()


def _stored(url: str) -> list[tuple[Any, ...]]:
    store = Store(url)
    with store.reader() as reader:
        found = [
            (a.url, a.title, a.outlet, a.published, a.body, a.language, len(a.attributions))
            for a in reader.all_articles()
        ]
    store.close()
    return found


def test_a_parquet_file_stores_the_articles_its_jsonl_records_would(
    tmp_path: Path, db_url: str
) -> None:
    records = _records()
    jsonl = tmp_path / "articles.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    as_parquet = [
        {
            **record,
            "published": {
                0: dt.datetime(2024, 5, 2, 8, 30, tzinfo=dt.UTC),  # a timestamp with its zone
                1: dt.datetime(2024, 5, 3, 8, 0),  # a naive timestamp
                2: "2024-05-04",  # text
            }[index],
            "extra": 7,  # a column no reader knows is not read
        }
        for index, record in enumerate(records)
    ]
    table = pa.Table.from_pylist(
        [
            {**r, "published": r["published"] if index < 2 else None}
            for index, r in enumerate(as_parquet)
        ]
    )
    table = table.set_column(
        table.schema.get_field_index("published"),
        "published",
        pa.array(
            [
                as_parquet[0]["published"],
                as_parquet[1]["published"].replace(tzinfo=None),
                dt.datetime(2024, 5, 4),
            ],
            type=pa.timestamp("us"),
        ),
    )
    zoned = pa.Table.from_pylist(as_parquet[:1])
    path = tmp_path / "articles.parquet"
    pq.write_table(table, path)
    pq.write_table(zoned, tmp_path / "zoned.parquet")
    from_jsonl = f"sqlite:///{tmp_path / 'jsonl.sqlite'}"
    report = _ingest(from_jsonl, jsonl)
    assert report.added == 3 and report.links
    parquet_report = _ingest(db_url, path)
    assert parquet_report.added == 3 and dict(parquet_report.links) == dict(report.links)
    jsonl_rows, parquet_rows = _stored(from_jsonl), _stored(db_url)
    # the naive timestamp of row 1 and the date of row 2 read as their JSONL text does; row 0 was
    # written as a UTC timestamp of the same moment
    assert [row[:3] + row[4:] for row in parquet_rows] == [row[:3] + row[4:] for row in jsonl_rows]
    assert parquet_rows[0][3] == jsonl_rows[0][3]
    assert parquet_rows[1][3] == jsonl_rows[1][3]
    zoned_url = f"sqlite:///{tmp_path / 'zoned.sqlite'}"
    _ingest(zoned_url, tmp_path / "zoned.parquet")
    assert _stored(zoned_url)[0][3] == jsonl_rows[0][3]


def test_an_html_column_is_extracted_like_a_page(tmp_path: Path, sqlite_url: str) -> None:
    page = (
        "<html><head><title>Harbour reopens | Example</title>"
        '<meta property="article:published_time" content="2024-06-01T09:00:00Z"></head>'
        "<body><nav>Home | News</nav><article><h1>Harbour reopens</h1>"
        + "".join(f"<p>{line}</p>" for line in BODY.split("\n\n"))
        + "</article><footer>Share this</footer></body></html>"
    )
    path = tmp_path / "pages.parquet"
    pq.write_table(pa.Table.from_pylist([{"url": "https://example.org/h", "html": page}]), path)
    report = _ingest(sqlite_url, path)
    assert report.added == 1 and not report.failures
    stored = Store(sqlite_url)
    with stored.reader() as reader:
        (article,) = reader.all_articles()
    stored.close()
    assert article.format == "parquet"
    assert "fair compromise" in article.body and "Share this" not in article.body
    assert article.published is not None
    assert article.published.replace(tzinfo=None) == dt.datetime(2024, 6, 1, 9, 0)  # UTC


def test_bad_parquet_files_and_rows_are_one_line_each_and_the_rest_is_stored(
    tmp_path: Path, run_cli: Any
) -> None:
    good = tmp_path / "good.parquet"
    pq.write_table(
        pa.Table.from_pylist(_records()[:1] + [{"url": "https://e.org/x", "text": ""}]), good
    )
    no_text = tmp_path / "no_text.parquet"
    pq.write_table(pa.Table.from_pylist([{"url": "https://e.org/y", "title": "t"}]), no_text)
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(good.read_bytes()[:-40])
    not_parquet = tmp_path / "notes.parquet"
    not_parquet.write_text("these are notes, not a table", encoding="utf-8")
    done = run_cli("ingest", str(tmp_path), "--json")
    assert done.exit_code == 3
    summary = json.loads(done.stdout)
    assert summary["added"] == 1
    reasons = {f["origin"]: f["reason"] for f in summary["failures"]}
    assert reasons[f"{good}:row 2"] == "record has no 'text' or 'html' field"
    assert reasons[str(no_text)] == "Parquet file has no 'text' or 'html' column"
    assert reasons[str(damaged)].startswith("is not a readable Parquet file")
    assert reasons[str(not_parquet)].startswith("is not a readable Parquet file")
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 4 and "Traceback" not in done.output


def test_parquet_on_standard_input_is_recognised(tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(_records()), path)
    done = run_cli("ingest", "-", "--json", input=path.read_bytes())
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["added"] == 3


def test_audit_writes_four_typed_parquet_tables_that_match_its_json(
    tmp_path: Path, run_cli: Any
) -> None:
    path = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(_records()), path)
    out = tmp_path / "out"
    done = run_cli("audit", str(path), "--parquet", str(out), "--json", str(tmp_path / "a.json"))
    assert done.exit_code == 0, done.output
    audit = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    tables = {
        name: pq.read_table(out / f"{name}.parquet")
        for name in ("articles", "links", "clusters", "passages")
    }
    assert sorted(p.name for p in out.iterdir()) == [
        "articles.parquet",
        "clusters.parquet",
        "links.parquet",
        "passages.parquet",
    ]
    assert tables["articles"].num_rows == 3
    assert tables["articles"].schema.field("article_id").type == pa.int64()
    assert tables["articles"].schema.field("sources").type == pa.list_(pa.string())
    assert tables["links"].schema.field("jaccard").type == pa.float64()
    links = {(r["origin_id"], r["copy_id"], r["kind"]) for r in tables["links"].to_pylist()}
    in_json = {
        (link["origin_id"], link["copy_id"], link["kind"])
        for cluster in audit["clusters"]
        for link in cluster["links"]
    }
    assert links == in_json and len(links) == 1
    clusters = tables["clusters"].to_pylist()
    assert [sorted(c["members"]) for c in clusters] == [
        sorted(m["article_id"] for m in cluster["members"]) for cluster in audit["clusters"]
    ]


def test_a_parquet_folder_that_cannot_be_made_is_refused_in_one_line(
    tmp_path: Path, run_cli: Any
) -> None:
    missing = tmp_path / "no" / "such" / "folder"
    done = run_cli("audit", str(SEEDS), "--parquet", str(missing))
    assert done.exit_code == 3
    assert f"cannot write Parquet files to {missing}: folder" in done.output
    assert "Traceback" not in done.output
