"""Hostile and broken input: compression bombs, endless streams, bad records and fields, unsafe URLs and output cells.

Each bad input gets one line naming it and the reason, every other article is stored, and the
command exits 3; nothing ends in a traceback.
"""

from __future__ import annotations

import csv
import gzip
import http.server
import io
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.errors import FetchError
from provenance.read import fetch
from provenance.read.document import Document, Failure
from provenance.read.inputs import iter_documents
from provenance.store.store import Store

from .conftest import SEED_003, SEEDS
from .helpers import QuietHandler, StreamHandler, article_html, jsonl, serving, warc_bytes

MEGABYTE = 1024 * 1024


def good_file(folder: Path) -> Path:
    """A good article beside the bad input: it must be stored."""
    path = folder / "good.txt"
    path.write_text(next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8"), encoding="utf-8")
    return path


def ingest(db_url: str, *args: str) -> Any:
    """`provenance ingest` with a 1 MB size limit, through click's runner."""
    return CliRunner().invoke(cli, ["--db", db_url, "--max-size", str(MEGABYTE), "ingest", *args])


def stored_origins(db_url: str) -> list[str]:
    """The origins of the stored articles, in order."""
    store = Store(db_url)
    with store.reader() as reader:
        origins = [str(article.origin) for article in reader.all_articles()]
    store.close()
    return origins


def test_a_gzip_bomb_is_refused_once_it_passes_the_limit(tmp_path: Path, db_url: str) -> None:
    bomb = tmp_path / "bomb.html.gz"
    with gzip.open(bomb, "wb") as handle:
        for _ in range(64):
            handle.write(bytes(MEGABYTE))
    assert bomb.stat().st_size < MEGABYTE // 8
    good = good_file(tmp_path)
    result = ingest(db_url, str(tmp_path))
    assert result.exit_code == 3
    assert (
        result.stderr
        == f"error: {bomb}: decompresses to more than the limit of {MEGABYTE:,} bytes (raise it with --max-size)\n"
    )
    assert stored_origins(db_url) == [str(good)]


def test_a_warc_record_over_the_limit_is_refused_and_the_others_read(
    tmp_path: Path, db_url: str
) -> None:
    huge = article_html(title="Huge", paragraphs=["word " * 60_000] * 4)
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(
        warc_bytes(
            [
                ("https://one.example/a", article_html()),
                ("https://two.example/huge", huge),
                (
                    "https://three.example/c",
                    article_html(
                        title="Third",
                        paragraphs=[
                            "A third story about the harbour ferry and its new timetable for the winter months."
                        ]
                        * 3,
                    ),
                ),
            ]
        )
    )
    result = ingest(db_url, str(crawl))
    assert result.exit_code == 3
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {crawl}@") and line.endswith(
        f"WARC record's page is over the limit of {MEGABYTE:,} bytes (raise it with --max-size)"
    )
    assert len(stored_origins(db_url)) == 2


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_a_device_is_refused_without_reading(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "pipe.txt"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    started = time.monotonic()
    [failure] = list(iter_documents([str(path)], MEGABYTE))
    assert (
        isinstance(failure, Failure)
        and failure.reason == "not a regular file (a device, FIFO or socket): refused"
    )
    assert time.monotonic() - started < 2


def test_bad_fields_of_jsonl_records_are_named_and_the_rest_stored(
    tmp_path: Path, db_url: str
) -> None:
    text = "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke über den Fluss für zwei Jahre zu sperren."
    records = [
        {"url": "https://a.example/1", "title": {"nested": "object"}, "text": text},
        {"url": "https://a.example/2", "title": "Zwei", "text": text + " Zwei.", "published": 1e20},
        {
            "url": "https://a.example/3",
            "title": "Drei",
            "text": text + " Drei.",
            "published": "0001-01-01T00:00:00+01:00",
        },
        {"url": "https://a.example/4", "title": "Vier", "text": text + " Vier.", "published": True},
        {
            "url": "https://a.example/5",
            "title": "Fünf",
            "text": ["Erster Absatz: " + text, "Zweiter Absatz."],
            "author": ["A. Autor", "B. Autorin"],
        },
    ]
    corpus = tmp_path / "dump.jsonl"
    corpus.write_text(
        jsonl(records)
        + '{"url": "https://a.example/6", "title": "Sechs", "text": "'
        + text
        + ' Sechs.", "published": Infinity}\n',
        encoding="utf-8",
    )
    result = ingest(db_url, str(corpus))
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        f"error: {corpus}:1: field 'title' holds a JSON object, not text",
        f"warning: {corpus}:2: 'published' is not a date (1e+20): stored without a publication date",
        f"warning: {corpus}:3: 'published' is not a date (\"0001-01-01T00:00:00+01:00\"): stored without a publication date",
        f"warning: {corpus}:4: 'published' is not a date (true): stored without a publication date",
        f"warning: {corpus}:6: 'published' is not a date (Infinity): stored without a publication date",
    ]
    store = Store(db_url)
    with store.reader() as reader:
        rows = {row.url: row for row in reader.all_articles()}
    store.close()
    assert sorted(rows) == [f"https://a.example/{n}" for n in (2, 3, 4, 5, 6)]
    assert all(row.published is None for row in rows.values())
    assert (rows["https://a.example/5"].author, rows["https://a.example/5"].body.count("\n")) == (
        "A. Autor, B. Autorin",
        1,
    )


def test_values_a_database_cannot_hold_are_cleaned_alike_on_both_backends(
    tmp_path: Path, db_url: str
) -> None:
    """PostgreSQL refuses NUL and over-long values; every rerun stopped at the same record. Now they
    are cleaned or cut, with a note.
    """
    outlet, host = "O" * 300, "h" * 60 + "." + "x" * 250 + ".example"
    records = [
        {
            "url": "https://nul.example/1",
            "title": "Null\u0000byte",
            "text": "Ein Text mit einem\u0000NUL-Zeichen mitten im Satz und genug Wörtern.",
        },
        {
            "url": "https://lang.example/2",
            "title": "Sprache",
            "text": "Ein Text mit einer zu langen Sprachangabe und genug Wörtern.",
            "language": "german-as-spoken-in-bavaria-x",
        },
        {
            "url": "https://outlet.example/3",
            "title": "Outlet",
            "text": "Ein Text mit einem sehr langen Namen der Website und genug Wörtern.",
            "outlet": outlet,
        },
        {
            "url": f"https://{host}/4",
            "title": "Host",
            "text": "Ein Text auf einem sehr langen Host und mit genug Wörtern darin.",
        },
    ]
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text(jsonl(records), encoding="utf-8")
    result = ingest(db_url, str(corpus))
    assert "Traceback" not in result.output and result.stdout.startswith("4 read, 4 added")
    store = Store(db_url)
    with store.reader() as reader:
        rows = {str(row.url).split("/")[2]: row for row in reader.all_articles()}
    store.close()
    assert rows["nul.example"].title == "Nullbyte" and "\x00" not in rows["nul.example"].body
    assert rows["lang.example"].language == "de"
    assert rows["outlet.example"].outlet == "O" * 255
    assert rows[host].domain == host[:255]
    assert (
        f"warning: {corpus}:3: outlet cut to the column's length (255 characters)" in result.stderr
    )
    assert (
        f"warning: {corpus}:1: control characters or lone surrogates removed from its text"
        in result.stderr
    )
    assert (
        f"warning: {corpus}:2: 'language' is not a language code (german-as-spoken-in-bavaria-x): the language is detected instead"
        in result.stderr
    )


def test_a_warc_cut_inside_a_record_header_keeps_what_came_before(
    tmp_path: Path, db_url: str
) -> None:
    whole = warc_bytes(
        [
            ("https://one.example/a", article_html()),
            ("https://two.example/b", article_html(title="Second")),
        ],
        gzip=False,
    )
    second = whole.index(b"WARC/1", 10)
    crawl = tmp_path / "cut.warc"
    crawl.write_bytes(whole[: second + 40])
    good = good_file(tmp_path)
    result = ingest(db_url, str(crawl), str(good))
    assert result.exit_code == 3 and "Traceback" not in result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {crawl}") and "after 1 pages read" in line
    assert len(stored_origins(db_url)) == 2


@pytest.mark.parametrize("cut", ["in a request record", "in a page's body"])
def test_a_warc_cut_anywhere_is_reported(tmp_path: Path, cut: str) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            "https://one.example/a",
            "response",
            payload=io.BytesIO(article_html().encode()),
            http_headers=headers,
        )
    )
    if cut == "in a request record":
        request = StatusAndHeaders(
            "GET /b HTTP/1.1", [("Host", "two.example")], is_http_request=True
        )
        writer.write_record(
            writer.create_warc_record(
                "https://two.example/b",
                "request",
                payload=io.BytesIO(b"x" * 500),
                http_headers=request,
            )
        )
    else:
        writer.write_record(
            writer.create_warc_record(
                "https://two.example/b",
                "response",
                payload=io.BytesIO(article_html(title="Second").encode()),
                http_headers=headers,
            )
        )
    crawl = tmp_path / "cut.warc"
    crawl.write_bytes(buffer.getvalue()[:-200])
    items = list(iter_documents([str(crawl)], MEGABYTE))
    assert isinstance(items[0], Document)
    assert (
        isinstance(items[-1], Failure)
        and items[-1].reason.startswith("truncated WARC: its")
        and "cut short (" in items[-1].reason
    )


def test_a_file_name_that_is_not_utf8_is_stored_with_a_replacement_character(
    tmp_path: Path, db_url: str
) -> None:
    raw = os.fsencode(str(tmp_path)) + b"/caf\xe9.txt"
    with open(raw, "wb") as handle:
        handle.write(next(SEEDS.glob("002_*.txt")).read_bytes())
    result = ingest(db_url, str(tmp_path))
    assert (result.exit_code, "Traceback" in result.output) == (0, False)
    assert stored_origins(db_url) == [f"{tmp_path}/caf\ufffd.txt"]


# ---- URLs --------------------------------------------------------------------------------


class GzipBomb(QuietHandler):
    """Answers with 8 MB of zeros, gzip-encoded to a few KB."""

    def do_GET(self) -> None:
        body = gzip.compress(bytes(8 * MEGABYTE))
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Endless(StreamHandler):
    """A body that never ends."""

    def pieces(self) -> Iterator[bytes]:
        while True:
            yield b"<p>" + b"x" * 65_536 + b"</p>"


class Trickle(StreamHandler):
    """A byte every 0.2 s, for ever."""

    def pieces(self) -> Iterator[bytes]:
        while True:
            yield b"x"
            time.sleep(0.2)


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        (
            GzipBomb,
            f"could not fetch: the body is over the limit of {MEGABYTE:,} bytes once decoded (raise it with --max-size)",
        ),
        (
            Endless,
            f"could not fetch: the body is over the limit of {MEGABYTE:,} bytes once decoded (raise it with --max-size)",
        ),
    ],
)
def test_a_fetched_body_is_limited_once_decoded(
    handler: type[http.server.BaseHTTPRequestHandler], reason: str
) -> None:
    with serving(handler) as base, pytest.raises(FetchError) as error:
        fetch.fetch_url(f"{base}/page.html", MEGABYTE, allow_private=True)
    assert error.value.reason == reason


def test_a_fetch_has_a_deadline() -> None:
    with serving(Trickle) as base:
        started = time.monotonic()
        with pytest.raises(FetchError, match="did not arrive whole within"):
            fetch.fetch_url(f"{base}/slow.html", MEGABYTE, allow_private=True, deadline_seconds=2)
    assert time.monotonic() - started < 4


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/a",
        "http://localhost:9/a",
        "http://[::1]:9/a",
        "http://10.1.2.3/a",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_private_and_loopback_addresses_are_refused(url: str) -> None:
    with pytest.raises(
        FetchError,
        match="is a private, loopback or reserved address .*give --allow-private-urls to fetch it",
    ):
        fetch.fetch_url(url, MEGABYTE)


def test_a_redirect_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = fetch.checked_address

    class Redirect(QuietHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/internal")
            self.end_headers()

    with serving(Redirect) as base:
        port = base.rsplit(":", 1)[1]

        def public_name(host: str, port: int, allow_private: bool) -> str:
            """The test server stands for a public host named public.test; every other host is
            checked as usual.
            """
            return "127.0.0.1" if host == "public.test" else checked(host, port, allow_private)

        monkeypatch.setattr(fetch, "checked_address", public_name)
        with pytest.raises(
            FetchError, match="127.0.0.1 is a private, loopback or reserved address"
        ):
            fetch.fetch_url(f"http://public.test:{port}/story", MEGABYTE)


# ---- what the tool writes ------------------------------------------------------------------


def test_csv_cells_cannot_run_as_formulas_and_a_missing_folder_is_not_made(
    tmp_path: Path, sqlite_url: str
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        jsonl(
            [
                {
                    "url": "https://a.example/1",
                    "title": '=HYPERLINK("https://evil.example","click")',
                    "text": "Ein gewöhnlicher Artikel mit genug Wörtern für die Prüfung hier.",
                }
            ]
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "audit", str(corpus), "--csv", str(out)])
    assert result.exit_code == 0
    with (out / "articles.csv").open(encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["title"] == '\'=HYPERLINK("https://evil.example","click")'
    missing = tmp_path / "no" / "such" / "folder"
    refused = CliRunner().invoke(
        cli, ["--db", sqlite_url, "audit", str(corpus), "--csv", str(missing)]
    )
    assert (refused.exit_code, refused.stderr) == (
        3,
        f"Error: cannot write CSV files to {missing}: folder {missing.parent} does not exist\n",
    )
    assert not (tmp_path / "no").exists()


def test_titles_with_terminal_escapes_or_markup_are_printed_as_text(
    tmp_path: Path, sqlite_url: str
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        jsonl(
            [
                {
                    "url": "https://a.example/1",
                    "title": "Harmless\u001b]0;owned\u0007\u001b[2J [bold red]loud[/]",
                    "text": "Ein gewöhnlicher Artikel mit genug Wörtern für die Prüfung hier.",
                }
            ]
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "audit", str(corpus), "--rows", "0"])
    assert result.exit_code == 0
    assert "\u001b" not in result.stdout and "\u0007" not in result.stdout
    assert "[bold red]loud[/]" in " ".join(result.stdout.split())
    checked = CliRunner().invoke(cli, ["--db", sqlite_url, "check", str(corpus)])
    assert "\u001b" not in checked.stdout


def test_report_dash_writes_the_page_to_stdout(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "audit", str(SEED_003), "--report", "-"])
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>")
    assert not (tmp_path / "-").exists()
    both = CliRunner().invoke(
        cli, ["--db", sqlite_url, "audit", str(SEED_003), "--report", "-", "--json", "-"]
    )
    assert (
        both.exit_code == 2 and "only one of --report and --json can write to stdout" in both.stderr
    )


def test_json_output_of_a_stored_article_with_bad_fields_is_valid(
    tmp_path: Path, sqlite_url: str
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        jsonl(
            [
                {
                    "url": "https://a.example/1",
                    "title": "Tab\tand\u0000NUL",
                    "text": "Ein gewöhnlicher Artikel mit genug Wörtern für die Prüfung hier.",
                }
            ]
        ),
        encoding="utf-8",
    )
    stored = CliRunner().invoke(cli, ["--db", sqlite_url, "ingest", str(corpus)])
    assert (stored.exit_code, stored.stderr) == (
        3,
        f"warning: {corpus}:1: control characters or lone surrogates removed from its title\n",
    )
    data = json.loads(
        CliRunner().invoke(cli, ["--db", sqlite_url, "check", str(corpus), "--json"]).stdout
    )
    assert data["results"][0]["article"]["title"] == "Tab\tandNUL"


@pytest.mark.parametrize("pattern", ["^(a+)+$", "^(x*y?)*quelle$"])
def test_a_user_pattern_that_can_take_exponential_time_is_refused(
    tmp_path: Path, sqlite_url: str, pattern: str
) -> None:
    patterns = tmp_path / "patterns.toml"
    patterns.write_text(f"[[marker]]\npattern = '{pattern}'\nlang = \"en\"\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--db", sqlite_url, "--patterns", str(patterns), "ingest", str(SEED_003)]
    )
    assert (result.exit_code, result.stderr) == (
        5,
        f"Error: {patterns}: pattern {pattern!r} repeats something that repeats (like (a+)+), which can take exponential time on one line: rewrite it without the nested repeat\n",
    )


def test_a_page_nested_deeper_than_trafilatura_handles_is_read_whole_block_by_block() -> None:
    from provenance.read.html import document_from_html

    paragraphs = [
        f"<div><p>Absatz {number} über die Sperrung der alten Brücke und den Verkehr im Hafen.</p>"
        for number in range(400)
    ]
    page = f"<html><head><title>Brücke</title><meta property='og:site_name' content='Hafenblatt'></head><body><article>{''.join(paragraphs)}</article></body></html>"
    document = document_from_html(page, "deep.html", "https://hafenblatt.example/bruecke")
    assert (document.title, document.outlet) == ("Brücke", "Hafenblatt")
    assert document.text.splitlines()[0].startswith("Absatz 0 ") and document.text.splitlines()[
        -1
    ].startswith("Absatz 399 ")
    assert document.notes == (
        "a page nested more than 64 deep: its text read block by block, not by trafilatura, whose extraction slows down on such pages",
    )
