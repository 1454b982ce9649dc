"""The command line: exact output and exit codes of success and error paths."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from provenance.cli import cli
from provenance.store.engine import head_revision, migrate
from provenance.store.store import Store

from .conftest import (
    MERKUR_TITLE,
    MERKUR_URL,
    POSTGRES_URL,
    SEED_003,
    SEEDS,
    seed_body_without_footer,
)
from .helpers import article_html, jsonl, serve_folder, warc_bytes

FOOTER = f"Информация на этой странице взята из источника: {MERKUR_URL}"


def test_ingest_seeds_prints_a_summary(run_cli: Any) -> None:
    result = run_cli("ingest", str(SEEDS))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "5 read, 5 added, 0 already stored, 0 new versions, 0 failed; new copy links: none\n",
        "",
    )
    again = run_cli("ingest", str(SEEDS), "--json")
    assert json.loads(again.stdout) == {
        "read": 5,
        "added": 0,
        "already_stored": 5,
        "new_versions": 0,
        "links": {},
        "failures": [],
        "warnings": [],
    }


def test_check_seed_003_names_the_footer(run_cli: Any) -> None:
    run_cli("ingest", str(SEEDS))
    result = run_cli("check", str(SEED_003))
    assert result.exit_code == 1
    assert result.stdout == (
        f"{SEED_003}: {MERKUR_TITLE}\n"
        f"verdict: stored as #4 {SEED_003.name}\n"
        "  published: no date found\n"
        f"  stored relations: it names where it was taken from ({MERKUR_URL})\n"
        f"  evidence: source footer [ru]: {FOOTER}\n"
        "    the page it names is not stored: ingest it to compare the texts\n"
    )
    others = run_cli("ingest", str(SEEDS))
    assert others.exit_code == 0
    fresh = run_cli(
        "check",
        "-",
        input=SEED_003.read_bytes().replace(b"Blut, Leben und Tod", b"Blut und Tod"),
    )
    assert fresh.exit_code == 1
    assert fresh.stdout.splitlines()[1:4] == [
        f"verdict: copy of {MERKUR_URL} (repost named by a marker; the original is not stored)",
        "  published: no date found",
        f"  evidence: source footer [ru]: {FOOTER}",
    ]


def test_check_seed_003_against_the_stored_original(run_cli: Any, tmp_path: Path) -> None:
    original = tmp_path / "merkur.jsonl"
    original.write_text(
        jsonl(
            [
                {
                    "url": MERKUR_URL,
                    "title": MERKUR_TITLE,
                    "text": seed_body_without_footer(),
                    "published": "2025-01-02T09:00:00",
                }
            ]
        ),
        encoding="utf-8",
    )
    run_cli("ingest", str(original))
    result = run_cli("check", str(SEED_003))
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert lines[1:8] == [
        f"verdict: copy of #1 {MERKUR_URL} (repost)",
        "  published: no date found",
        f'  why: the checked article names #1 (merkur.de) as its source: "{FOOTER}"',
        f"  evidence: source footer [ru]: {FOOTER}",
        f'  repost of #1 {MERKUR_URL}  "{MERKUR_TITLE}"',
        "    published: 2025-01-02 09:00 (no time zone)",
        "    similarity 1.00 (Jaccard); 1.00 of this article is in #1, 1.00 of #1 is in this article",
    ]
    assert (
        lines[8]
        == f'    direction: evidence: the checked article names #1 (merkur.de) as its source: "{FOOTER}"'
    )


def test_check_original_exits_zero_and_json_schema(run_cli: Any) -> None:
    run_cli("ingest", str(SEEDS))
    result = run_cli("check", str(next(SEEDS.glob("000_*.txt"))), "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0
    assert data["schema"] == "provenance.check/2"
    [item] = data["results"]
    assert (item["verdict"], item["kind"], item["matches"], item["markers"]) == (
        "stored",
        None,
        [],
        [],
    )
    assert item["of"]["article_id"] == 1 and item["copies_something"] is False
    assert set(item["article"]) == {
        "title",
        "url",
        "canonical_url",
        "outlet",
        "domain",
        "author",
        "published",
        "published_precision",
        "seen_at",
        "language",
        "format",
        "paragraphs",
        "furniture",
    }
    new = run_cli(
        "check",
        "-",
        "--json",
        input="Ein neuer Artikel\nDer Stadtrat von Springfield hat am Dienstag beschlossen, die alte Brücke für zwei Jahre zu sperren.\n",
    )
    [item] = json.loads(new.stdout)["results"]
    assert (new.exit_code, item["verdict"], item["of"], item["copies_something"]) == (
        0,
        "original",
        None,
        False,
    )


def test_check_reads_stdin_and_a_url(run_cli: Any, tmp_path: Path) -> None:
    run_cli("ingest", str(next(SEEDS.glob("000_*.txt"))))
    piped = run_cli("check", "-", input=SEED_003.read_bytes())
    assert piped.exit_code == 1 and "verdict: copy of https://www.merkur.de/" in piped.stdout
    (tmp_path / "a.html").write_text(article_html(url=None))
    with serve_folder(tmp_path) as base:
        fetched = run_cli("--allow-private-urls", "check", f"{base}/a.html", "--json")
    assert fetched.exit_code == 0
    assert json.loads(fetched.stdout)["results"][0]["article"]["url"] == f"{base}/a.html"


def test_check_store_flag_ingests(run_cli: Any) -> None:
    run_cli("check", str(SEED_003), "--store")
    assert "1 already stored" in run_cli("ingest", str(SEED_003)).stdout


def make_bad_inputs(folder: Path) -> dict[str, Path]:
    """One file of each kind of bad input."""
    files = {
        "empty": folder / "empty.txt",
        "binary": folder / "binary.txt",
        "nohtml": folder / "nav.html",
        "truncated": folder / "crawl.warc",
        "big": folder / "big.txt",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(bytes(range(256)) * 8)
    files["nohtml"].write_text("<html><body><nav>Home</nav></body></html>")
    whole = warc_bytes(
        [
            ("https://one.example/a", article_html()),
            ("https://two.example/b", article_html(title="Second")),
        ],
        gzip=False,
    )
    files["truncated"].write_bytes(whole[:-400])
    files["big"].write_text("Title\n" + "word " * 50_000)
    return files


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing", "Error: {folder}/missing.txt: no such file or folder\n"),
        ("empty", "Error: {folder}/empty.txt: empty file\n"),
        ("binary", "Error: {folder}/binary.txt: binary file, not text, HTML, JSONL or WARC\n"),
        (
            "nohtml",
            "Error: {folder}/nav.html: HTML holds no article text that trafilatura could find (1 words)\n",
        ),
        (
            "big",
            "Error: {folder}/big.txt: file is 250,006 bytes, over the limit of 100,000 (raise it with --max-size)\n",
        ),
    ],
)
def test_check_bad_input_is_one_line_and_exit_3(
    tmp_path: Path, sqlite_url: str, kind: str, message: str
) -> None:
    files = make_bad_inputs(tmp_path)
    path = files.get(kind, tmp_path / "missing.txt")
    Store(sqlite_url).close()
    result = CliRunner().invoke(
        cli, ["--db", sqlite_url, "--max-size", "100000", "check", str(path)]
    )
    assert (result.exit_code, result.stdout, result.stderr) == (
        3,
        "",
        message.format(folder=tmp_path),
    )


def test_ingest_reports_each_bad_file_and_keeps_the_good(tmp_path: Path, run_cli: Any) -> None:
    make_bad_inputs(tmp_path)
    (tmp_path / "dump.jsonl").write_text(
        jsonl(
            [
                {
                    "url": "https://a.example/1",
                    "text": "Erster Text mit genug Wörtern für einen Artikel.",
                }
            ]
        )
        + "{oops\n",
        encoding="utf-8",
    )
    (tmp_path / "good.txt").write_text(SEED_003.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli("--max-size", "100000", "ingest", str(tmp_path))
    assert result.exit_code == 3
    assert (
        result.stdout
        == "9 read, 3 added, 0 already stored, 0 new versions, 6 failed; new copy links: none\n"
    )
    assert result.stderr.splitlines() == [
        f"error: {tmp_path}/big.txt: file is 250,006 bytes, over the limit of 100,000 (raise it with --max-size)",
        f"error: {tmp_path}/binary.txt: binary file, not text, HTML, JSONL or WARC",
        f"error: {tmp_path}/crawl.warc@1896: truncated WARC: its response record is cut short (396 bytes missing) after 1 pages read",
        f"error: {tmp_path}/dump.jsonl:2: line 2 is not valid JSON: Expecting property name enclosed in double quotes",
        f"error: {tmp_path}/empty.txt: empty file",
        f"error: {tmp_path}/nav.html: HTML holds no article text that trafilatura could find (1 words)",
    ]


def test_ingest_empty_folder_and_no_arguments(tmp_path: Path, run_cli: Any) -> None:
    result = run_cli("ingest", str(tmp_path))
    assert (result.exit_code, result.stderr) == (
        3,
        f"error: {tmp_path}: folder holds no readable articles (.txt, .html, .jsonl, .parquet, .warc[.gz])\n",
    )
    usage = CliRunner().invoke(cli, ["ingest"])
    assert usage.exit_code == 2 and "Missing argument" in usage.stderr


def test_unreachable_url_is_one_line(run_cli: Any) -> None:
    run_cli("ingest", str(SEED_003))
    result = run_cli("--allow-private-urls", "check", "http://127.0.0.1:9/story.html")
    assert result.exit_code == 3
    assert (
        result.stderr
        == "Error: http://127.0.0.1:9/story.html: could not fetch: Failed to establish a new connection: [Errno 111] Connection refused\n"
    )
    refused = run_cli("check", "http://127.0.0.1:9/story.html")
    assert (refused.exit_code, refused.stderr) == (
        3,
        "Error: http://127.0.0.1:9/story.html: could not fetch: 127.0.0.1 is a private, loopback or reserved address (127.0.0.1); give --allow-private-urls to fetch it\n",
    )


@pytest.mark.parametrize(
    ("url", "code", "message"),
    [
        (
            "nonsense",
            4,
            "Error: not a database URL: 'nonsense' (try sqlite:///db/provenance.sqlite or postgresql+psycopg://user@host/db)\n",
        ),
        (
            "foo://x/y",
            4,
            "Error: unsupported database URL 'foo://x/y': Can't load plugin: sqlalchemy.dialects:foo\n",
        ),
    ],
)
def test_wrong_database_url(url: str, code: int, message: str) -> None:
    result = CliRunner().invoke(cli, ["--db", url, "check", str(SEED_003)])
    assert (result.exit_code, result.stderr) == (code, message)


def test_a_database_of_an_older_schema_is_upgraded_with_a_line_on_stderr(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    migrate(engine, "0008")
    engine.dispose()
    result = CliRunner().invoke(cli, ["--db", url, "ingest", str(SEED_003)])
    assert result.exit_code == 0
    assert (
        result.stderr == f"provenance: upgrading database schema from 0008 to {head_revision()}\n"
    )
    again = CliRunner().invoke(cli, ["--db", url, "ingest", str(SEED_003)])
    assert (again.exit_code, again.stderr) == (0, "")


def test_database_url_from_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    result = CliRunner().invoke(cli, ["ingest", str(SEED_003)], env={"PROVENANCE_DB": url})
    assert result.exit_code == 0
    assert (tmp_path / "env.sqlite").exists()


def test_broken_patterns_file_is_a_config_error(tmp_path: Path, run_cli: Any) -> None:
    broken = tmp_path / "p.toml"
    broken.write_text("[[marker]]\npattern = '(x'\n")
    result = CliRunner().invoke(cli, ["--patterns", str(broken), "ingest", str(SEED_003)])
    assert result.exit_code == 5
    assert result.stderr.startswith(f"Error: {broken}: bad pattern '(x'")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_help_ends_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert f"provenance {command}" in result.stdout.split("Example:")[1]


def test_help_does_not_load_the_pipeline() -> None:
    """`provenance --help` answers without importing the pipeline (numba, datasketch, SQLAlchemy:
    seconds on a small machine).
    """
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from provenance.cli import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\n"
        "assert result.exit_code == 0 and 'Commands:' in result.stdout, result.output\n"
        "heavy = sorted(name for name in ('provenance.ingest.run', 'provenance.store.store', 'provenance.translation.anchors', 'datasketch', 'numba', 'sqlalchemy') if name in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout == "\n"


def test_chain_text_json_dot_and_prov(run_cli: Any) -> None:
    run_cli("ingest", str(SEEDS))
    text = run_cli("chain", str(SEED_003))
    assert text.exit_code == 0
    assert text.stdout.splitlines()[:3] == [
        f"Chain for #4 {SEED_003}: {MERKUR_TITLE}",
        "KCNA  [agency, KP]",
        "└─ reported → Der Spiegel  [outlet, DE]   confidence 0.80",
    ]
    data = json.loads(run_cli("chain", "003", "--json").stdout)
    assert data["schema"] == "provenance.chain/2"
    assert [next(n["label"] for n in data["nodes"] if n["key"] == key) for key in data["path"]] == [
        "KCNA",
        "Der Spiegel",
        "merkur.de",
        f"#4 {SEED_003.name}",
    ]
    assert run_cli("chain", "003", "--format", "dot").stdout.startswith("digraph chain_4 {")
    prov = json.loads(run_cli("chain", "003", "--format", "prov-json").stdout)
    assert set(prov) >= {"prefix", "entity", "agent", "wasDerivedFrom", "wasAttributedTo"}


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (
            "999",
            "Error: no stored article is '999' (give an id, a URL or a file name; see 'provenance ingest')\n",
        ),
        (
            "missing.txt",
            "Error: no stored article is 'missing.txt' (give an id, a URL or a file name; see 'provenance ingest')\n",
        ),
    ],
)
def test_chain_unknown_reference_exits_6(run_cli: Any, reference: str, message: str) -> None:
    run_cli("ingest", str(SEED_003))
    result = run_cli("chain", reference)
    assert (result.exit_code, result.stdout, result.stderr) == (6, "", message)


def test_chain_on_an_unreadable_file_exits_3(run_cli: Any, tmp_path: Path) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    run_cli("ingest", str(SEED_003))
    result = run_cli("chain", str(binary))
    assert (result.exit_code, result.stderr) == (
        3,
        f"Error: {binary}: binary file, not text, HTML, JSONL or WARC\n",
    )


def test_broken_user_registry_exits_5_with_its_line(tmp_path: Path, sqlite_url: str) -> None:
    registry = tmp_path / "sources.toml"
    registry.write_text(
        "[[source]]\nname = 'X'\nkind = 'blog'\ncountry = 'DE'\ndomains = []\naliases = ['X']\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["--db", sqlite_url, "--sources", str(registry), "ingest", str(SEED_003)]
    )
    assert result.exit_code == 5
    assert (
        result.stderr
        == f"Error: {registry}, line 1: kind must be one of agency, state_media, outlet, broadcaster, aggregator, got 'blog'\n"
    )


def test_sources_lists_citations_apart_from_image_credits(run_cli: Any) -> None:
    run_cli("ingest", str(SEEDS))
    data = {row["name"]: row for row in json.loads(run_cli("sources", "--json").stdout)}
    assert (data["KCNA"]["cited"] > 0, data["dpa"]["wire"], data["merkur.de"]["copied"]) == (
        True,
        1,
        1,
    )
    assert (data["KNS"]["cited"], data["KNS"]["image_credits"]) == (0, 3)
    table = run_cli("sources").stdout.splitlines()
    assert table[0].split() == [
        "source",
        "kind",
        "country",
        "cited",
        "wire",
        "copied",
        "image",
        "credits",
    ]


def test_sources_table_cuts_a_long_name_and_json_keeps_it(tmp_path: Path) -> None:
    name = "The International Consortium of Investigative Journalists and its Partner Network"
    registry = tmp_path / "sources.toml"
    registry.write_text(
        f"[[source]]\nname = '{name}'\nkind = 'outlet'\ncountry = 'INT'\ndomains = []\naliases = ['ICIJ Network']\n",
        encoding="utf-8",
    )
    corpus = tmp_path / "story.jsonl"
    corpus.write_text(
        jsonl(
            [
                {
                    "url": "https://news.example/leak",
                    "title": "Leak",
                    "text": "The files show payments to three companies in Cyprus over six years, according to the ICIJ Network, which shared them with reporters in forty countries.",
                }
            ]
        ),
        encoding="utf-8",
    )
    options = ["--db", f"sqlite:///{tmp_path / 'db.sqlite'}", "--sources", str(registry)]
    assert CliRunner().invoke(cli, [*options, "ingest", str(corpus)]).exit_code == 0
    assert [
        row["name"]
        for row in json.loads(CliRunner().invoke(cli, [*options, "sources", "--json"]).stdout)
    ] == [name]
    table = CliRunner().invoke(cli, [*options, "sources"]).stdout.splitlines()
    assert table[1].startswith(name[:59] + "…  outlet")
    assert max(len(line) for line in table) < 120


def test_sources_on_an_empty_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    Store(url).close()
    result = CliRunner().invoke(cli, ["--db", url, "sources"])
    assert (result.exit_code, result.stdout) == (
        0,
        "no sources named yet: run 'provenance ingest' first\n",
    )


def test_trace_text_and_json(run_cli: Any) -> None:
    run_cli("ingest", str(SEEDS))
    result = run_cli("trace", "Blut, Leben und Tod")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        '"Blut, Leben und Tod": 1 appearance(s), 1 exact, 0 variant(s)',
        "origin: KCNA (1 of 1 article(s) attribute the quote to KCNA, as reported by Der Spiegel, merkur.de)",
        f"first appearance: #4 {SEED_003.name} (the only appearance in the corpus; it has no publication date)",
    ]
    data = json.loads(run_cli("trace", "heldenhaften", "--json").stdout)
    assert data["schema"] == "provenance.trace/2"
    assert data["wording_differs"] is True
    assert [(a["quote"], a["source"], a["undated"]) for a in data["appearances"]] == [
        ("heldenhaften Beitrag", "KCNA", True),
        ("heldenhaften Einsatz", "KCNA", True),
    ]


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        (
            "Diese Worte stehen nirgendwo",
            6,
            "Error: the quote 'Diese Worte stehen nirgendwo' appears in none of the 5 stored articles\n",
        ),
        (
            "",
            3,
            'Error: the quote is empty: give the words to trace, such as provenance trace "Blut, Leben und Tod"\n',
        ),
        (
            "und",
            3,
            "Error: the quote 'und' is too short to be meaningful: give at least 6 letters and one word of 4 or more\n",
        ),
    ],
)
def test_trace_errors(run_cli: Any, query: str, code: int, message: str) -> None:
    run_cli("ingest", str(SEEDS))
    result = run_cli("trace", query)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", message)


def test_trace_on_an_empty_database(run_cli: Any, db_url: str) -> None:
    Store(db_url).close()
    result = run_cli("trace", "Blut, Leben und Tod")
    assert (result.exit_code, result.stderr) == (
        3,
        "Error: the database holds no articles: run 'provenance ingest' first\n",
    )


def test_quotes_lists_speaker_and_source(run_cli: Any) -> None:
    run_cli("ingest", str(SEEDS))
    result = run_cli("quotes", "003")
    assert result.exit_code == 0
    assert (
        "  „die unbesiegbare Freundschaft“   (speaker: den russischen Machthaber; source: KCNA)"
        in result.stdout.splitlines()
    )
    data = json.loads(run_cli("quotes", "003", "--json").stdout)
    assert (
        data["quotes"][0]["normalized"]
        == "das teilen von blut leben und tod im selben schützengraben"
    )


def test_audit_seeds_prints_the_summary_and_writes_json_and_csv(
    run_cli: Any, tmp_path: Path
) -> None:
    result = run_cli(
        "audit", str(SEEDS), "--json", str(tmp_path / "audit.json"), "--csv", str(tmp_path / "out")
    )
    assert result.exit_code == 0
    assert "Reposts found by their markers" in result.stdout and "merkur.de" in result.stdout
    data = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    assert (data["schema"], data["counts"]["articles"], data["counts"]["clusters"]) == (
        "provenance.audit/2",
        5,
        0,
    )
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "articles.csv",
        "attributions.csv",
        "clusters.csv",
        "links.csv",
        "passages.csv",
        "quotes.csv",
    ]
    piped = run_cli("audit", str(SEEDS), "--json", "-")
    assert json.loads(piped.stdout)["corpus"]["already_stored"] == 5


def test_audit_summary_prints_the_first_rows_of_long_tables_and_how_many_it_leaves_out(
    run_cli: Any, tmp_path: Path
) -> None:
    vocabulary = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8").split()
    rng = random.Random(5)
    records = [
        {
            "url": f"https://news{n}.example/story",
            "title": f"Story {n}",
            "text": " ".join(rng.choices(vocabulary, k=80)),
        }
        for n in range(1, 26)
    ]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(jsonl(records), encoding="utf-8")
    default = run_cli("audit", str(corpus))
    assert default.exit_code == 0
    words = " ".join(default.stdout.split())
    # The 25 articles and the 25 undated ones: 20 rows each by default, then what is left out.
    assert (
        words.count("20 of 25 shown: --rows 0 shows all; --json, --csv and --report list all") == 2
    )
    assert "#20 " in default.stdout and "#21 " not in default.stdout
    everything = run_cli("audit", str(corpus), "--rows", "0")
    assert everything.exit_code == 0
    assert "shown:" not in everything.stdout and everything.stdout.count("#25 ") == 2
    three = " ".join(run_cli("audit", str(corpus), "--rows", "3").stdout.split())
    assert three.count("3 of 25 shown") == 2


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (
            "empty",
            [],
            "Error: {folder}: folder holds no readable articles (.txt, .html, .jsonl, .parquet, .warc[.gz])\n",
        ),
        (
            "seeds",
            ["--report", "/nonexistent/dir/audit.html"],
            "Error: cannot write /nonexistent/dir/audit.html: folder /nonexistent/dir does not exist\n",
        ),
        ("seeds", ["--report", "{folder}"], "Error: cannot write {folder}: it is a folder\n"),
    ],
)
def test_audit_bad_input_is_one_line(
    run_cli: Any, tmp_path: Path, setup: str, args: list[str], message: str
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    target = str(folder) if setup == "empty" else str(SEEDS)
    result = run_cli("audit", target, *[arg.format(folder=folder) for arg in args])
    assert result.exit_code == 3
    assert result.stderr.endswith(message.format(folder=folder))


def test_audit_writes_the_html_report(run_cli: Any, tmp_path: Path) -> None:
    report = tmp_path / "audit.html"
    result = run_cli("audit", str(SEEDS), "--report", str(report))
    assert result.exit_code == 0
    html = report.read_text(encoding="utf-8")
    assert (
        html.startswith("<!DOCTYPE html>")
        and "Информация на этой странице взята из источника" in html
    )
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html


# ---- databases: one line and exit 4, never created by a reader ------------------------------

READERS = [
    ["check", str(SEED_003)],
    ["trace", "Blut, Leben und Tod"],
    ["chain", "1"],
    ["quotes", "1"],
    ["sources"],
]


@pytest.mark.parametrize("command", [*READERS, ["ingest", str(SEED_003)]], ids=lambda c: c[0])
def test_a_file_that_is_not_a_database_is_one_line_and_exit_4(
    tmp_path: Path, command: list[str]
) -> None:
    not_a_database = tmp_path / "README.md"
    not_a_database.write_text(
        "# provenance\n\nArticle deduplication and provenance tracking for news.\n" * 40,
        encoding="utf-8",
    )
    before = not_a_database.read_bytes()
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{not_a_database}", *command])
    assert (result.exit_code, result.stdout, result.stderr) == (
        4,
        "",
        f"Error: cannot open database sqlite:///{not_a_database}: file is not a database\n",
    )
    assert not_a_database.read_bytes() == before


@pytest.mark.parametrize("command", READERS, ids=lambda c: c[0])
@pytest.mark.parametrize("where", ["file", "folder"])
def test_a_reader_never_creates_a_database_or_a_folder(
    tmp_path: Path, command: list[str], where: str
) -> None:
    path = (
        tmp_path / "x.sqlite" if where == "file" else tmp_path / "nonexistent" / "dir" / "x.sqlite"
    )
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{path}", *command])
    message = f"Error: no database at {path}: nothing is stored yet (run 'provenance ingest' to create it; this command never creates one)\n"
    assert (result.exit_code, result.stdout, result.stderr) == (4, "", message)
    assert list(tmp_path.iterdir()) == []


def test_a_writer_does_not_make_a_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "nonexistent" / "dir" / "x.sqlite"
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{path}", "ingest", str(SEED_003)])
    assert (result.exit_code, result.stderr) == (
        4,
        f"Error: cannot create database {path}: folder {path.parent} does not exist\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_the_default_database_folder_is_made_by_a_writer_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROVENANCE_DB")
    monkeypatch.chdir(tmp_path)
    reader = CliRunner().invoke(cli, ["check", str(SEED_003)])
    assert (reader.exit_code, list(tmp_path.iterdir())) == (4, [])
    writer = CliRunner().invoke(cli, ["ingest", str(SEED_003)])
    assert writer.exit_code == 0 and (tmp_path / "db" / "provenance.sqlite").exists()


@pytest.mark.parametrize("command", READERS, ids=lambda c: c[0])
def test_a_reader_on_an_empty_postgresql_schema_creates_nothing(
    postgres_url: str, command: list[str]
) -> None:
    result = CliRunner().invoke(cli, ["--db", postgres_url, *command])
    assert (result.exit_code, result.stderr) == (
        4,
        "Error: the database holds no provenance data yet: run 'provenance ingest' to create it (this command never creates one)\n",
    )
    engine = create_engine(postgres_url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_a_postgresql_database_that_does_not_exist_is_one_line() -> None:
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/no_such_database_here"
    result = CliRunner().invoke(cli, ["--db", url, "ingest", str(SEED_003)])
    assert result.exit_code == 4
    assert (
        result.stderr.startswith("Error: cannot open database postgresql+psycopg://")
        and result.stderr.count("\n") == 1
    )
    assert 'database "no_such_database_here" does not exist' in result.stderr


def test_check_on_an_empty_database_says_so(run_cli: Any, db_url: str) -> None:
    Store(db_url).close()
    result = run_cli("check", str(next(SEEDS.glob("001_*.txt"))))
    assert (result.exit_code, result.stdout.splitlines()[1]) == (
        0,
        "verdict: original (the database is empty: there is nothing to compare with)",
    )
    assert (
        result.stderr
        == "provenance: the database holds no articles yet: the verdict rests on the article's own markers only\n"
    )
    assert (
        json.loads(run_cli("check", str(SEED_003), "--json").stdout)["results"][0]["database_empty"]
        is True
    )


@pytest.mark.parametrize("command", [["chain", "1"], ["quotes", "1"]], ids=lambda c: c[0])
def test_chain_and_quotes_on_an_empty_database_say_so(
    run_cli: Any, db_url: str, command: list[str]
) -> None:
    Store(db_url).close()
    result = run_cli(*command)
    assert (result.exit_code, result.stderr) == (
        6,
        "Error: the database holds no articles yet: run 'provenance ingest' first\n",
    )


def test_an_unforeseen_error_is_one_line_and_exit_70(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    Store(sqlite_url).close()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr("provenance.ingest.verdicts.check", broken)
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "check", str(SEED_003)])
    assert (result.exit_code, result.stdout, result.stderr) == (
        70,
        "",
        "Error: internal error: RuntimeError: a bug over two lines (run with --debug for the traceback, and please report it)\n",
    )
    debug = CliRunner().invoke(cli, ["--db", sqlite_url, "--debug", "check", str(SEED_003)])
    assert isinstance(debug.exception, RuntimeError) and debug.exit_code != 70
