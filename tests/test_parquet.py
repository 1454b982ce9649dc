"""Parquet in and out: a row is read as its JSONL record is (text or HTML, times of any Parquet
type), a bad file or row is one line and the rest is stored, and `audit --parquet` writes typed
tables that hold what the audit's JSON holds; on the census syndication corpus too.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import os
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from provenance.audit import run_audit
from provenance.audit.parquet import (
    ARTICLES_SCHEMA,
    ATTRIBUTIONS_SCHEMA,
    CLUSTERS_SCHEMA,
    LINKS_SCHEMA,
    PASSAGES_SCHEMA,
    QUOTES_SCHEMA,
    write_parquet,
)
from provenance.cli import cli
from provenance.knowledge import load_registry
from provenance.read import Document, documents_from_jsonl, documents_from_parquet
from provenance.store import Store

from .conftest import ROOT, SEEDS

CORPORA = ROOT.parent / "shared" / "corpora"
SCHEMAS = {
    "articles": ARTICLES_SCHEMA,
    "links": LINKS_SCHEMA,
    "clusters": CLUSTERS_SCHEMA,
    "passages": PASSAGES_SCHEMA,
    "attributions": ATTRIBUTIONS_SCHEMA,
    "quotes": QUOTES_SCHEMA,
}
UNCOMPARED = {"id", "origin", "format", "ingested_at"}
"""What a stored article's input, not its content, decides."""


def _seed(number: int) -> str:
    return next(SEEDS.glob(f"00{number}_*.txt")).read_text(encoding="utf-8")


def _records() -> list[dict[str, Any]]:
    """Five seed articles and a later copy of seed 001 (one link), as JSON records."""
    records: list[dict[str, Any]] = [
        {
            "url": f"https://example.org/seed/{number}",
            "title": f"Seed {number}",
            "text": _seed(number),
            "published": f"2024-05-0{number + 1}T10:30:00+02:00",
            "outlet": "Example Daily",
        }
        for number in range(5)
    ]
    records[2].pop("title")  # a missing optional column: the title is the text's first line
    records.append(
        {
            "url": "https://copies.example.net/seed-1",
            "text": _seed(1),
            "published": "2024-05-09T08:00:00Z",
            "outlet": "Copies",
        }
    )
    return records


def _write_jsonl(records: list[dict[str, Any]], path: Path) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _write_parquet(records: list[dict[str, Any]], path: Path, **columns: pa.Array) -> Path:
    """The records as a Parquet table, with the given columns in place of theirs."""
    table = pa.Table.from_pylist(records)
    for name, array in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, array)
    pq.write_table(table, path)
    return path


def _run(*args: str, db: str | None = None, stdin: bytes | None = None) -> Result:
    """The CLI on the test's default SQLite database, or on `db`."""
    options = ["--db", db] if db else []
    return CliRunner().invoke(cli, [*options, *args], input=stdin)


def _stored(db: str) -> list[dict[str, Any]]:
    """The stored articles, in id order, without what only their input decides."""
    store = Store(db)
    try:
        with store.reader() as reader:
            articles = reader.all_articles()
    finally:
        store.close()
    return [
        {key: value for key, value in asdict(a).items() if key not in UNCOMPARED} for a in articles
    ]


def _read(path: Path, max_bytes: int = 50 * 1024 * 1024) -> list[Any]:
    return list(documents_from_parquet(path, str(path), max_bytes))


# ---- rows are read as their JSONL records --------------------------------------------------


@pytest.mark.parametrize("column", ["text", "html"])
def test_a_parquet_file_stores_the_articles_its_jsonl_records_would(
    tmp_path: Path, column: str
) -> None:
    records = _records()
    if column == "html":
        records = [
            {
                **{k: v for k, v in r.items() if k != "text"},
                "html": "<html><body><nav>Home | News</nav><article>"
                + "".join(f"<p>{line}</p>" for line in r["text"].splitlines() if line.strip())
                + "</article><footer>Share this</footer></body></html>",
            }
            for r in records
        ]
    records[0]["ignored"] = 7  # a column no reader knows is not read
    jsonl_db, parquet_db = (f"sqlite:///{tmp_path / name}.sqlite" for name in ("jsonl", "pq"))
    from_jsonl = _run("ingest", str(_write_jsonl(records, tmp_path / "a.jsonl")), db=jsonl_db)
    from_parquet = _run(
        "ingest", str(_write_parquet(records, tmp_path / "a.parquet")), db=parquet_db
    )
    assert from_jsonl.exit_code == from_parquet.exit_code == 0, from_parquet.output
    assert from_parquet.stdout == from_jsonl.stdout
    assert "6 added" in from_parquet.stdout and "new copy links: 1" in from_parquet.stdout
    stored = _stored(parquet_db)
    assert stored == _stored(jsonl_db) and len(stored) == 6
    if column == "html":
        assert all("Share this" not in article["body"] for article in stored)


@pytest.mark.parametrize(
    ("array", "as_json"),
    [
        (
            pa.array([dt.datetime(2024, 5, 2, 8, 30, tzinfo=dt.UTC)], pa.timestamp("us", "UTC")),
            "2024-05-02T08:30:00Z",
        ),
        (
            pa.array([dt.datetime(2024, 5, 2, 8, 30)], pa.timestamp("ms", "Europe/Berlin")),
            "2024-05-02T10:30:00+02:00",
        ),
        (pa.array([1714638600123456789], pa.timestamp("ns")), "2024-05-02T08:30:00"),
        (pa.array([dt.datetime(2024, 5, 2, 8, 30)], pa.timestamp("s")), "2024-05-02T08:30"),
        (pa.array([dt.date(2024, 5, 4)], pa.date32()), "2024-05-04"),
        (pa.array([dt.date(2024, 5, 4)], pa.date64()), "2024-05-04"),
        (pa.array(["Thu, 02 May 2024 10:30:00 +0200"]), "Thu, 02 May 2024 10:30:00 +0200"),
    ],
    ids=["utc", "zoned", "naive-ns", "naive-s", "date32", "date64", "text"],
)
def test_a_time_of_any_parquet_type_is_read_as_its_iso_text(
    tmp_path: Path, array: pa.Array, as_json: str
) -> None:
    record = {"url": "https://example.org/a", "text": _seed(0), "published": None}
    path = _write_parquet([record], tmp_path / "a.parquet", published=array)
    (document,) = _read(path)
    (expected,) = documents_from_jsonl(json.dumps({**record, "published": as_json}), "a.jsonl")
    assert isinstance(document, Document) and isinstance(expected, Document)
    assert document == replace(expected, origin=f"{path}:row 1", format="parquet")
    assert document.published is not None and not document.notes


def test_the_offset_of_a_zoned_timestamp_is_kept(tmp_path: Path) -> None:
    moment = dt.datetime(2024, 5, 2, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    path = _write_parquet(
        [{"text": _seed(0)}],
        tmp_path / "a.parquet",
        text=pa.array([_seed(0)]),
    )
    table = pq.read_table(path).append_column(
        "published", pa.array([moment], pa.timestamp("us", "America/New_York"))
    )
    pq.write_table(table, path)
    (document,) = _read(path)
    assert isinstance(document, Document) and document.published is not None
    assert document.published.iso() == "2024-05-03T03:30:00Z"
    assert document.published.offset == -240
    assert document.published.local_date == dt.date(2024, 5, 2)


def test_a_timestamp_outside_the_dates_read_is_stored_without_a_date(tmp_path: Path) -> None:
    record = {"url": "https://example.org/a", "text": _seed(0), "published": None}
    path = _write_parquet(
        [record], tmp_path / "a.parquet", published=pa.array([2**62], pa.timestamp("us"))
    )
    done = _run("ingest", str(path))
    assert done.exit_code == 3  # as for a JSONL record: stored, with a warning
    assert "1 added" in done.stdout
    assert done.stderr == (
        f"warning: {path}:row 1: 'published' is not a date "
        '("<value out of range: 4611686018427387904>"): stored without a publication date\n'
    )


# ---- where Parquet comes from ----------------------------------------------------------------


def test_parquet_on_standard_input_is_recognised_by_its_bytes(tmp_path: Path) -> None:
    path = _write_parquet(_records(), tmp_path / "a.parquet")
    done = _run("ingest", "-", "--json", stdin=path.read_bytes())
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["added"] == 6


def test_a_gzipped_parquet_file_and_a_folder_of_them_are_read(tmp_path: Path) -> None:
    records = _records()
    folder = tmp_path / "corpus"
    (folder / "deeper").mkdir(parents=True)
    _write_parquet(records[:3], folder / "first.parquet")
    packed = _write_parquet(records[3:], tmp_path / "second.parquet").read_bytes()
    (folder / "deeper" / "second.parquet.gz").write_bytes(gzip.compress(packed))
    done = _run("ingest", str(folder), "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["added"] == 6


# ---- bad input: one line each, the rest stored ---------------------------------------------


def _damage_row_group(path: Path, group: int) -> None:
    """Overwrite the start of a row group's text column with bytes no reader can decode."""
    chunk = pq.ParquetFile(path).metadata.row_group(group).column(1)
    data = bytearray(path.read_bytes())
    data[chunk.data_page_offset : chunk.data_page_offset + 40] = b"\xff" * 40
    path.write_bytes(bytes(data))


def test_bad_parquet_files_and_rows_are_one_line_each_and_the_rest_is_stored(
    tmp_path: Path,
) -> None:
    records = _records()
    good = _write_parquet([records[0], {**records[1], "text": ""}], tmp_path / "good.parquet")
    lists = _write_parquet(
        [{"url": "x", "text": records[2]["text"]}, {"url": "x", "text": records[3]["text"]}],
        tmp_path / "lists.parquet",
        url=pa.array([[1, 2], None], pa.list_(pa.int64())),
    )
    no_body = _write_parquet([{"url": "x", "title": "t"}], tmp_path / "no_body.parquet")
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(good.read_bytes()[:-40])
    not_parquet = tmp_path / "notes.parquet"
    not_parquet.write_text("these are notes, not a table", encoding="utf-8")
    empty = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"text": pa.array([], pa.string())}), empty)
    damaged = tmp_path / "damaged.parquet"
    table = pa.Table.from_pylist([{"url": r["url"], "text": r["text"]} for r in records[4:]])
    pq.write_table(table, damaged, row_group_size=1, compression="none")
    _damage_row_group(damaged, 1)
    done = _run("ingest", str(tmp_path), "--json")
    assert done.exit_code == 3 and "Traceback" not in done.output
    assert json.loads(done.stdout)["added"] == 3
    errors = done.stderr.splitlines()
    assert errors[1].startswith(f"error: {damaged}: Parquet row group 2 (rows 2 to 2) is damaged: ")
    assert errors[:1] + errors[2:] == [
        f"error: {cut}: is not a readable Parquet file: Parquet magic bytes not found in footer. "
        "Either the file is corrupted or this is not a parquet file.",
        f"error: {empty}: Parquet file holds no rows",
        f"error: {good}:row 2: record has no 'text' or 'html' field",
        f"error: {lists}:row 1: field 'url' holds a list that is not all text, not text",
        f"error: {no_body}: Parquet file has no 'text' or 'html' column",
        f"error: {not_parquet}: is not a readable Parquet file: Parquet magic bytes not found in "
        "footer. Either the file is corrupted or this is not a parquet file.",
    ]
    store = Store(f"sqlite:///{tmp_path / 'default.sqlite'}")
    with store.reader() as reader:
        origins = [a.origin for a in reader.all_articles()]
    store.close()
    assert sorted(origins) == [f"{damaged}:row 1", f"{good}:row 1", f"{lists}:row 2"]


def test_a_file_or_a_row_group_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    limit = 100_000
    packed = tmp_path / "packed.parquet"  # small, but a row group of 190,000 characters
    text = "Der Rat hat den Haushalt beschlossen. " * 5000
    pq.write_table(pa.table({"text": [text]}), packed, compression="zstd")
    unpacked = packed.stat().st_size
    large = tmp_path / "large.parquet"  # hexadecimal digits do not compress below half
    pq.write_table(pa.table({"text": [os.urandom(limit).hex()]}), large)
    small = _write_parquet([_records()[0]], tmp_path / "small.parquet")
    assert unpacked < limit < large.stat().st_size
    done = _run("--max-size", str(limit), "ingest", str(tmp_path))
    assert done.exit_code == 3
    grouped = pq.ParquetFile(packed).metadata.row_group(0).column(0).total_uncompressed_size
    assert done.stderr.splitlines() == [
        f"error: {large}: file is {large.stat().st_size:,} bytes, over the limit of 100,000 "
        "(raise it with --max-size)",
        f"error: {packed}: a row group is {grouped:,} bytes uncompressed, over the limit of "
        "100,000 (raise it with --max-size)",
    ]
    assert [a["url"] for a in _stored(f"sqlite:///{tmp_path / 'default.sqlite'}")] == [
        "https://example.org/seed/0"
    ]
    assert small.stat().st_size < limit


# ---- audit --parquet -------------------------------------------------------------------------


def _tables(folder: Path) -> dict[str, pa.Table]:
    return {name: pq.read_table(folder / f"{name}.parquet") for name in SCHEMAS}


def test_audit_writes_typed_tables_that_hold_what_its_json_holds(tmp_path: Path) -> None:
    path = _write_parquet(_records(), tmp_path / "a.parquet")
    out = tmp_path / "out"  # made
    done = _run("audit", str(path), "--parquet", str(out), "--json", str(tmp_path / "a.json"))
    assert done.exit_code == 0, done.output
    audit = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{name}.parquet" for name in SCHEMAS)
    tables = _tables(out)
    for name, table in tables.items():
        assert table.schema.equals(SCHEMAS[name]), name
    articles = tables["articles"].to_pylist()
    assert [{k: v for k, v in row.items() if k != "published_at"} for row in articles] == audit[
        "articles"
    ]
    assert articles[0]["published_at"] == dt.datetime(2024, 5, 1, 8, 30, tzinfo=dt.UTC)
    assert audit["articles"][0]["published"] == "2024-05-01T08:30:00Z"
    assert tables["links"].to_pylist() == [
        {
            **{k: v for k, v in link.items() if k not in ("shared_passages", "changed_passages")},
            "cluster_id": cluster["id"],
        }
        for cluster in audit["clusters"]
        for link in cluster["links"]
    ]
    assert tables["links"].num_rows == 1
    assert tables["clusters"].to_pylist() == [
        {
            "cluster_id": c["id"],
            "size": c["size"],
            "title": c["title"],
            "origin_id": c["origin"]["article_id"],
            "origin_determined": c["origin"]["determined"],
            "origin_reason": c["origin"]["reason"],
            "members": [m["article_id"] for m in c["members"]],
        }
        for c in audit["clusters"]
    ]
    assert tables["quotes"].num_rows > 0 and tables["attributions"].num_rows > 0


def test_the_parquet_tables_hold_the_rows_of_the_csv_files(tmp_path: Path) -> None:
    path = _write_parquet(_records(), tmp_path / "a.parquet")
    done = _run("audit", str(path), "--parquet", str(tmp_path / "pq"), "--csv", str(tmp_path / "c"))
    assert done.exit_code == 0, done.output
    tables = _tables(tmp_path / "pq")
    for name in ("attributions", "quotes", "clusters", "passages"):
        with (tmp_path / "c" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == tables[name].num_rows, name
    with (tmp_path / "c" / "quotes.csv").open(encoding="utf-8", newline="") as handle:
        assert [row["text"] for row in csv.DictReader(handle)] == tables["quotes"].column(
            "text"
        ).to_pylist()


def test_a_parquet_folder_whose_parent_is_missing_is_refused_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "no" / "such"
    done = _run("audit", str(SEEDS), "--parquet", str(folder))
    assert done.exit_code == 3
    assert done.output == (
        f"Error: cannot write Parquet files to {folder}: folder {tmp_path / 'no'} does not exist\n"
    )


def test_a_parquet_folder_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("", encoding="utf-8")
    done = _run("audit", str(SEEDS), "--parquet", str(taken))
    assert done.exit_code == 2
    assert done.output.splitlines()[-1] == (
        f"Error: Invalid value for '--parquet': Directory '{taken}' is a file."
    )


def test_write_parquet_replaces_the_old_tables_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'default.sqlite'}")
    try:
        audit = run_audit(store, [str(SEEDS)], load_registry())
        folder = tmp_path / "pq"
        folder.mkdir()
        (folder / "articles.parquet").write_text("an older table", encoding="utf-8")
        written = write_parquet(audit, store, folder)
    finally:
        store.close()
    assert written == [folder / f"{name}.parquet" for name in SCHEMAS]
    assert sorted(folder.iterdir()) == sorted(written)
    assert pq.read_table(written[0]).column("article_id").to_pylist() == [1, 2, 3, 4, 5]


# ---- the census corpus as Parquet --------------------------------------------------------------


@pytest.fixture(scope="module")
def census(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The census corpus as JSONL (times as text) and Parquet (times as zoned timestamps)."""
    sys.path.insert(0, str(ROOT))
    try:
        from bench import eval_syndication
    finally:
        sys.path.remove(str(ROOT))
    folder = tmp_path_factory.mktemp("census")
    rows = eval_syndication.read_rows(CORPORA / "census" / "census_articles.csv")
    records = [row.record(scrape_time_as_date=True) for row in rows]
    moments = [dt.datetime.fromisoformat(r["published"]) for r in records]
    jsonl = _write_jsonl(records, folder / "census.jsonl")
    parquet = _write_parquet(
        records, folder / "census.parquet", published=pa.array(moments, pa.timestamp("us", "UTC"))
    )
    return jsonl, parquet


def test_census_as_parquet_gives_the_links_and_clusters_of_census_as_jsonl(
    tmp_path: Path, census: tuple[Path, Path]
) -> None:
    found = {}
    for path in census:
        out, db = tmp_path / path.suffix[1:], f"sqlite:///{tmp_path / path.suffix[1:]}.sqlite"
        done = _run("audit", str(path), "--parquet", str(out), "--json", f"{out}.json", db=db)
        assert done.exit_code == 0, done.output
        tables = _tables(out)
        url = {row["article_id"]: row["url"] for row in tables["articles"].to_pylist()}
        audit = json.loads(Path(f"{out}.json").read_text(encoding="utf-8"))
        in_json = {
            (url[link["origin_id"]], url[link["copy_id"]], link["kind"], link["direction"])
            for cluster in audit["clusters"]
            for link in cluster["links"]
        }
        links = {
            (url[row["origin_id"]], url[row["copy_id"]], row["kind"], row["direction"])
            for row in tables["links"].to_pylist()
            if row["cluster_id"] is not None
        }
        assert links == in_json
        clusters = sorted(
            sorted(url[m] for m in row["members"]) for row in tables["clusters"].to_pylist()
        )
        found[path.suffix] = (links, clusters, tables["passages"].num_rows)
    assert found[".parquet"] == found[".jsonl"]
    links, clusters, passages = found[".parquet"]
    assert len(links) >= 5 and len(clusters) >= 3 and passages > 0
