"""Hostile input and interrupted runs: what one provenance build does with each, measured from outside.

Each case builds its input in a folder of its own (where it makes sense with a good article
beside the bad input: seed 001 as good.txt, to show whether it is still stored), runs the build's
command line as a subprocess (with `--workers 1` where the command takes it, so the peak is that
of the one process doing the work) and reports, one row per measurement:

  exit     the exit code; a signal's name if the process died of one; "timeout" if the bench
           killed it at its deadline
  s        seconds from its start to its end (for sigterm and ctrl-c: from the signal)
  MiB      its peak resident memory, ru_maxrss from os.wait4 (children it reaped included)
  stored   rows of `articles` in the case's own database afterwards ("a→b": after the first
           run and after the second)
  note     what the case observed, then what the run printed: the first stderr line starting
           "Error"/"error" (else, for a traceback, its exception line; else the first line), cut
           to 100 characters, marked [traceback] if a Python traceback appeared

Every process runs with a deadline (--timeout, default 120 s; 20 s for /dev/zero and the FIFO)
and an address-space cap (RLIMIT_AS, --memory-cap, default 6 GiB, set in preexec_fn), so a
build that reads a bomb into memory meets a MemoryError instead of taking the machine down; a
process stopped by either says so in its note. It starts with SIGINT and SIGTERM at their
defaults, even when the bench runs in the background (where a shell has SIGINT ignored).

Cases (--cases, comma-separated names; all by default, in this order):

  upgrade-killed      a SQLite database of schema 0005 holding 3,000 articles (raw INSERTs);
                      `ingest good.txt` killed (SIGKILL) 1 s after it prints "provenance:
                      rebuilding", then the same command again: the second run is reported
  gzip-bomb           a folder of a ~2 MB .html.gz of zeros (~2 GB inflated) and good.txt
  warc-huge-record    a .warc.gz holding one ~300 MB HTML response record and one normal one
  http-gzip-bomb      `check URL` of a local server's ~1 GB of gzip-encoded zeros
  http-endless        `check URL` of an endless body without a length
  http-trickle        `check URL` of a body sent one byte a second, for ever
                      (the http cases run against a database holding the seeds; a build with
                      the global option --allow-private-urls gets it, and a second row, named
                      "... (default)", runs it without, as a user would)
  dev-zero, fifo      `ingest /dev/zero good.txt`, `ingest FIFO good.txt` (FIFO without writer)
  big-text            a 2 MB plain text of quoted sentences with attributions
  jsonl-bad-dates     JSONL records whose `published` is 1e20, Infinity, year 1, true, and one
                      whose `title` is a JSON object, among good records
  warc-cut-header     a 3-record uncompressed WARC cut inside its 2nd record's header,
  warc-cut-body       inside the 2nd (HTML) record's body,
  warc-cut-nonhtml    inside the 2nd record, a request record (and good.txt)
  non-utf8-name       a folder of a seed named caf\\xe9.txt (not UTF-8) and good.txt
  pg-bad-values       (PostgreSQL) 5,001 records: #2,001 has a NUL in its text, #3,001 a
                      40-character language, #4,001 a 300-character outlet; ingested twice
  killed-workers      `ingest --workers 2` of 3,000 articles killed (SIGKILL, the main process
                      only) 2 s after its workers exist: how many workers are alive 5 s later,
                      and whether a second ingest finishes within 60 s (SQLite; PostgreSQL too)
  concurrent-first-use  4 processes ingesting different seeds at once into a database that
                      does not exist yet (SQLite; an empty PostgreSQL schema too), in 3 rounds,
                      each on a new database (the race differs from round to round)
  sigterm, ctrl-c     `ingest --workers 2` of the 3,000 articles stopped 3 s after its workers
                      exist (its start, imports included, takes some 2.5 s: 3 s after the start
                      nothing was read yet) by SIGTERM to the main process, or SIGINT to its
                      process group (what a terminal's Ctrl-C sends); then the same ingest again
  small               six rows: a user marker pattern '^(a+)+$' against 30 a's and a "!";
                      audit --csv of a title =HYPERLINK(...) (the cell as written); --csv into a
                      folder whose parent does not exist; a title holding ESC [2J printed by
                      audit; audit --report - (does a file named '-' appear?); a copy and its
                      original in one batch (summary's "new copy links" against copy_links rows)

The build under test is the `provenance` package first on the path: --pythonpath DIR is put in
front of PYTHONPATH for every run (the code of a git worktree, for instance); without it, the one
installed in this interpreter's environment. Python runs with -P and the case folder as working
directory, so the checkout the bench is started from never shadows the build under test.

Run it from the repository's root (the table to stdout, progress to stderr):

    .venv/bin/python -m bench.bench_hostile --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python -m bench.bench_hostile --pythonpath /tmp/basewt --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python -m bench.bench_hostile --cases gzip-bomb,fifo,small --json
    .venv/bin/python -m bench.bench_hostile --quick    # the installed build only, on QUICK_CASES (the smoke test's)

Without --postgres the PostgreSQL cases and rows are skipped, each with a line saying so. With
it, each gets a schema of its own (bench_hostile_<pid>_<case>), dropped afterwards (one that
cannot be dropped is tried again at the end, and named on stderr if it stays). Inputs that take a
while to build (the .html.gz bomb, the 300 MB record, the quoted text, the corpus) are kept in
WORKDIR/inputs and reused when --workdir is given; without it everything goes in a temporary
folder, removed at the end (also when the bench is stopped by Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import functools
import gzip
import http.server
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

MIB = 1024 * 1024
GIB = 1024 * MIB
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ENTRY = "from provenance.cli import cli; cli(prog_name='provenance')"
CORPUS_ARTICLES = 3000
"""Articles of the corpus that the interruption cases ingest: about 10 s with two workers."""
UPGRADE_ARTICLES = 3000
"""Articles of the schema-0005 database: its index rebuild (about 2 ms an article) runs some
seconds.
"""
CONCURRENT_ROUNDS = 3
"""Rounds of concurrent first use, each on a new database: whether processes collide differs from
round to round.
"""
DEVICE_TIMEOUT = 20.0
"""Seconds allowed to `ingest /dev/zero` and `ingest FIFO`."""
NOTE_CHARS = 100

OLD_DATABASE = """
import sys
from pathlib import Path
from sqlalchemy import create_engine, text
try:
    from provenance.store.engine import migrate  # sub-packages: the function shares its module's name, so provenance.store does not export it
except ImportError:
    from provenance.store import migrate  # the flat layout before them
url, seeds, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
engine = create_engine(url)
migrate(engine, "0005")
bodies = [path.read_text(encoding="utf-8") for path in sorted(seeds.glob("*.txt"))]
rows = [{"key": f"k{n}", "body": f"{bodies[n % len(bodies)]}\\nArtikel {n}.", "signature": b"x", "url": f"https://old.example/{n}"} for n in range(count)]
with engine.begin() as connection:
    connection.execute(text(
        "INSERT INTO articles (identity_key, content_hash, body, furniture, origin, format, version, shingle_count, signature, ingested_at, url, language)"
        " VALUES (:key, :key, :body, '[]', 'old.txt', 'text', 1, 1, :signature, '2025-01-01 00:00:00', :url, 'de')"
    ), rows)
engine.dispose()
"""
"""A database of schema 0005 holding stored articles (tests/test_interruptions.py's old_database),
made by the build under test.
"""


# ---- processes ---------------------------------------------------------------------------


@dataclass
class Running:
    """A provenance process started by the bench, its output going to two files."""

    process: subprocess.Popen[bytes]
    started: float
    stdout: Path
    stderr: Path
    ended: float | None = None
    status: int = 0
    maxrss_kib: int = 0
    timed_out: bool = False


@dataclass(frozen=True)
class Outcome:
    """How a finished process ended and what it printed."""

    code: int
    timed_out: bool
    seconds: float
    ended: float
    peak_mib: float
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    case: str
    exit: str
    seconds: str
    mib: str
    stored: str
    note: str


@dataclass(frozen=True)
class Database:
    """A case's own database: a SQLite file or a PostgreSQL schema."""

    url: str
    sqlite_path: Path | None = None
    schema: str | None = None


@dataclass
class Bench:
    """The build under test, where cases put their files, and the limits of every run."""

    python: str
    pythonpath: str | None
    run_folder: Path
    inputs: Path
    timeout: float
    memory_cap: int
    postgres: str | None
    started: list[Running] = field(default_factory=list)
    counter: int = 0
    help_text: str | None = None
    engine: Engine | None = None
    schemas: set[str] = field(default_factory=set)

    def env(self) -> dict[str, str]:
        """The environment of every run: PYTHONPATH with --pythonpath first, no PROVENANCE_*
        settings.
        """
        env = {key: value for key, value in os.environ.items() if not key.startswith("PROVENANCE_")}
        if self.pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(
                part for part in (self.pythonpath, os.environ.get("PYTHONPATH", "")) if part
            )
        env["PYTHONUNBUFFERED"] = "1"
        env.setdefault("COLUMNS", "200")
        return env

    def start(self, args: list[str], folder: Path, python_code: str = ENTRY) -> Running:
        """Start the build's command line (or other code) with these arguments, in its own session,
        under the memory cap.
        """
        self.counter += 1
        out, err = folder / f"run{self.counter}.out", folder / f"run{self.counter}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(
                [self.python, "-P", "-c", python_code, *args],
                cwd=folder,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
                preexec_fn=functools.partial(prepare_child, self.memory_cap),
            )
        running = Running(process, time.monotonic(), out, err)
        self.started.append(running)
        return running

    def ended(self, running: Running) -> bool:
        """Whether the process has ended (it is reaped, and its status and peak kept, when it has)."""
        if running.ended is not None:
            return True
        pid, status, usage = os.wait4(running.process.pid, os.WNOHANG)
        if pid == 0:
            return False
        running.ended, running.status, running.maxrss_kib = (
            time.monotonic(),
            status,
            usage.ru_maxrss,
        )
        running.process.returncode = os.waitstatus_to_exitcode(status)
        return True

    def finish(self, running: Running, timeout: float | None = None) -> Outcome:
        """Wait for the process to end; kill its process group at the deadline (seconds from its
        start).
        """
        deadline = running.started + (timeout or self.timeout)
        while not self.ended(running):
            if time.monotonic() >= deadline:
                running.timed_out = True
                kill_group(running)
                while not self.ended(running):
                    time.sleep(0.02)
                break
            time.sleep(0.02)
        assert running.ended is not None
        return Outcome(
            code=os.waitstatus_to_exitcode(running.status),
            timed_out=running.timed_out,
            seconds=running.ended - running.started,
            ended=running.ended,
            peak_mib=running.maxrss_kib / 1024,
            stdout=read_text(running.stdout),
            stderr=read_text(running.stderr).replace(
                f"{running.stderr.parent}/", ""
            ),  # paths in the case folder, shown relative
        )

    def run(self, args: list[str], folder: Path, timeout: float | None = None) -> Outcome:
        """Run the build's command line to its end."""
        return self.finish(self.start(args, folder), timeout)

    def wait_for_line(self, running: Running, prefix: str, seconds: float) -> bool:
        """Whether the process prints a stderr line starting with `prefix` within `seconds`, while
        it runs.
        """
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(line.startswith(prefix) for line in read_text(running.stderr).splitlines()):
                return True
            if self.ended(running):
                return False
            time.sleep(0.02)
        return False

    def wait_for_workers(self, running: Running, count: int, seconds: float = 60) -> set[int]:
        """The process's children once it has `count` of them (empty if it never has)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.ended(running):
            children = children_of(running.process.pid)
            if len(children) >= count:
                return children
            time.sleep(0.05)
        return set()

    def stop_leftovers(self) -> None:
        """Kill every process still left in the process groups the bench started, and reap its own
        children.
        """
        for running in self.started:
            kill_group(running)
            if running.ended is None:
                while not self.ended(running):
                    time.sleep(0.02)
        self.started.clear()

    def has_option(self, option: str) -> bool:
        """Whether the build's `provenance --help` lists this global option."""
        if self.help_text is None:
            folder = self.run_folder / "help"
            folder.mkdir(exist_ok=True)
            self.help_text = self.run(["--help"], folder, 60).stdout
        return option in self.help_text

    def sqlite(self, folder: Path, name: str = "db.sqlite") -> Database:
        """A SQLite database file in the case folder, not created yet."""
        path = folder / name
        return Database(f"sqlite:///{path}", sqlite_path=path)

    @contextmanager
    def postgres_schema(self, case: str) -> Iterator[Database]:
        """An empty PostgreSQL schema of the case's own, dropped afterwards (its processes killed
        first).
        """
        assert self.postgres is not None
        if self.engine is None:
            self.engine = create_engine(self.postgres)
        schema = re.sub(r"[^a-z0-9]+", "_", f"bench_hostile_{os.getpid()}_{case}".lower())[:63]
        self.schemas.add(schema)
        with self.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in self.postgres else "?"
        try:
            yield Database(
                f"{self.postgres}{separator}options=-csearch_path%3D{schema}", schema=schema
            )
        finally:
            self.stop_leftovers()
            self.drop_schema(schema)

    def drop_schema(self, schema: str) -> None:
        """Drop a schema the bench made (waiting up to 60 s for the locks of processes it killed to
        go).
        """
        assert self.engine is not None
        with self.engine.begin() as connection:
            connection.execute(text("SET lock_timeout = '60s'"))
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.schemas.discard(schema)

    def drop_schemas_left(self) -> None:
        """At the end, try again to drop the schemas a case could not drop (it says so in its row);
        name any still there.
        """
        for schema in sorted(self.schemas):
            try:
                self.drop_schema(schema)
            except Exception as error:  # noqa: BLE001 - the others are still tried
                log(
                    f"PostgreSQL schema {schema} left behind: {type(error).__name__}: {cut(str(error), 120)}"
                )

    def count(self, database: Database, table: str = "articles") -> str:
        """Rows of a table of the case's database, or why there is no number."""
        try:
            if database.sqlite_path is not None:
                if not database.sqlite_path.exists():
                    return "no db"
                with closing(
                    sqlite3.connect(f"file:{database.sqlite_path}?mode=ro", uri=True, timeout=30)
                ) as connection:
                    return str(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            assert self.engine is not None
            with self.engine.connect() as connection:
                connection.execute(
                    text("SET lock_timeout = '30s'")
                )  # a table locked by a process left behind must not hang the bench
                return str(
                    connection.execute(
                        text(f'SELECT count(*) FROM "{database.schema}".{table}')
                    ).scalar()
                )
        except Exception as error:  # noqa: BLE001 - a missing table is a result here
            return (
                "no table"
                if "no such table" in str(error) or "does not exist" in str(error)
                else f"? {type(error).__name__}"
            )

    def cached(self, name: str, build: Callable[[Path], None]) -> Path:
        """An input file kept in the inputs folder, built the first time it is asked for."""
        path = self.inputs / name
        if not path.exists():
            partial = path.with_name(path.name + ".part")
            log(f"building {name}")
            build(partial)
            partial.rename(path)
        return path

    def corpus(self) -> Path:
        """The JSONL corpus of CORPUS_ARTICLES distinct articles of the interruption cases."""
        return self.cached(
            "corpus.jsonl",
            lambda path: write_jsonl(path, random_records(CORPUS_ARTICLES, "many", 25)),
        )


BENCH_STARTED = time.time()


def prepare_child(memory_cap: int) -> None:
    """In a new process, before the build starts: the address-space cap, and SIGINT and SIGTERM at their defaults.

    A signal ignored stays ignored across exec, and a shell starts a background job with SIGINT
    ignored: a bench run so would pass that on, and the build would never see the ctrl-c case's SIGINT.
    """
    resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)


def kill_group(running: Running) -> None:
    """SIGKILL every process left in the process group of a process the bench started (each by its id, if younger than the bench).

    The group's id is the id of the process that made it. While members of the group live, the
    kernel gives that id to no other process; so once the bench has reaped the process, another
    process holding its id means the group is gone and the id reused: nothing is killed then.
    """
    pgid = running.process.pid
    if running.ended is not None and psutil.pid_exists(pgid):
        return
    for process in psutil.process_iter():
        try:
            if (
                process.pid != os.getpid()
                and os.getpgid(process.pid) == pgid
                and process.create_time() >= BENCH_STARTED - 1
            ):
                os.kill(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue


def children_of(pid: int) -> set[int]:
    """The ids of a process's child processes (Linux /proc)."""
    found: set[int] = set()
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found.update(int(child) for child in (task / "children").read_text().split())
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, which only waits to be reaped, does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return "\nState:\tZ" not in status


def read_text(path: Path) -> str:
    """A file's text, bytes that are not UTF-8 replaced."""
    return path.read_bytes().decode("utf-8", errors="replace") if path.exists() else ""


def log(message: str) -> None:
    """A progress line on stderr."""
    print(f"[bench_hostile] {message}", file=sys.stderr, flush=True)


# ---- what a run printed ------------------------------------------------------------------


def escaped(line: str) -> str:
    """The line with control characters shown as \\xNN."""
    return "".join(
        f"\\x{ord(char):02x}" if ord(char) < 32 or ord(char) == 127 else char for char in line
    )


def cut(line: str, chars: int = NOTE_CHARS) -> str:
    """The line cut to `chars` characters, with an ellipsis if it was longer."""
    return line if len(line) <= chars else line[: chars - 1] + "…"


EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)(:|$)")
"""A traceback's exception line, such as `sqlalchemy.exc.IntegrityError: ...` (SQLAlchemy adds lines
after it).
"""


def printed(stderr: str, chars: int = NOTE_CHARS) -> str:
    """The first stderr line that says Error/error (else a traceback's exception line, else the
    first line), cut, marked [traceback] if one appeared.
    """
    lines = [line for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "(stderr empty)"
    traceback = any(line.startswith("Traceback (most recent call last)") for line in lines)
    errors = [line for line in lines if line.lower().startswith("error")]
    if errors:
        first = errors[0]
    elif traceback:
        first = next((line for line in reversed(lines) if EXCEPTION_LINE.match(line)), lines[0])
    else:
        first = lines[0]
    return ("[traceback] " if traceback else "") + cut(escaped(first), chars)


def limits_met(outcome: Outcome, timeout: float) -> str:
    """Which limits of the bench the process met: its deadline, the memory cap."""
    met = f"[killed at the {timeout:g} s timeout] " if outcome.timed_out else ""
    if any(
        sign in outcome.stderr
        for sign in ("MemoryError", "Cannot allocate memory", "std::bad_alloc", "out of memory")
    ):
        met += "[memory cap met] "
    return met


def exit_text(outcome: Outcome) -> str:
    """The exit code, a signal's name, or "timeout"."""
    if outcome.timed_out:
        return "timeout"
    if outcome.code < 0:
        return signal.Signals(-outcome.code).name
    return str(outcome.code)


def make_row(
    case: str, outcome: Outcome, stored: str, observed: str = "", timeout: float = 0
) -> Row:
    """A table row of one measured run: what the case observed, then what the run printed."""
    prefix = f"{observed}; " if observed else ""
    return Row(
        case,
        exit_text(outcome),
        f"{outcome.seconds:.1f}",
        f"{outcome.peak_mib:.0f}",
        stored,
        prefix + limits_met(outcome, timeout) + printed(outcome.stderr),
    )


def setup_failed(case: str, outcome: Outcome) -> Row:
    """A row saying the case's setup, run by the build, failed."""
    return Row(
        case,
        "-",
        "-",
        "-",
        "-",
        f"setup failed (exit {exit_text(outcome)}): {printed(outcome.stderr)}",
    )


# ---- inputs ------------------------------------------------------------------------------


def seed_paths() -> list[Path]:
    """The seed articles, in order."""
    return sorted(SEEDS.glob("*.txt"))


def seed_text(number: int) -> str:
    """The text of seed article `number`."""
    return seed_paths()[number].read_text(encoding="utf-8")


def good_file(folder: Path) -> Path:
    """A good article beside the bad input (seed 001 as good.txt): it should be stored."""
    path = folder / "good.txt"
    path.write_text(seed_text(1), encoding="utf-8")
    return path


def vocabulary() -> list[str]:
    """The alphabetic words of the seeds, sorted."""
    return sorted(
        {
            word
            for path in seed_paths()
            for word in path.read_text(encoding="utf-8").split()
            if word.isalpha()
        }
    )


def random_text(rng: random.Random, words: list[str], paragraphs: int = 5) -> str:
    """Paragraphs of 40 random words each."""
    return "\n".join(" ".join(rng.choices(words, k=40)) + "." for _ in range(paragraphs))


def random_records(count: int, host: str, seed: int) -> list[dict[str, Any]]:
    """JSONL records of distinct articles of random seed words (tests/test_interruptions.py's
    big_corpus).
    """
    words, rng = vocabulary(), random.Random(seed)
    return [
        {
            "url": f"https://{host}.example/{number}",
            "title": f"Artikel {number}",
            "text": random_text(rng, words),
        }
        for number in range(count)
    ]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    """Write records as JSON lines."""
    path.write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records),
        encoding="utf-8",
    )


def page_html(title: str, body: str, url: str) -> str:
    """A news page: headline, publication time, one paragraph per line of `body`, some furniture."""
    paragraphs = "\n".join(f"<p>{line}</p>" for line in body.splitlines() if line.strip())
    return (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{title}</title><meta property="og:url" content="{url}">'
        f'<meta property="article:published_time" content="2025-01-02T09:00:00+01:00"></head><body><nav><a href="/">Start</a></nav>'
        f"<article><h1>{title}</h1>{paragraphs}</article><footer><p>Impressum</p></footer></body></html>"
    )


def seed_page(number: int, url: str) -> bytes:
    """Seed article `number` as an HTML page."""
    title, _, body = seed_text(number).partition("\n")
    return page_html(title, body, url).encode("utf-8")


def html_headers() -> Any:
    """HTTP response headers of an HTML page, for a WARC record."""
    from warcio.statusandheaders import StatusAndHeaders

    return StatusAndHeaders(
        "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
    )


def gzip_zeros(path: Path, inflated: int) -> None:
    """A gzip file of `inflated` zero bytes (about 1/1000 of that on disk)."""
    chunk = bytes(MIB)
    with gzip.open(path, "wb", compresslevel=9) as handle:
        for _ in range(inflated // MIB):
            handle.write(chunk)


def gzip_zeros_bytes(inflated: int) -> bytes:
    """`inflated` zero bytes, gzip-encoded, in memory."""
    encoder, chunk, parts = zlib.compressobj(9, zlib.DEFLATED, 31), bytes(MIB), []
    for _ in range(inflated // MIB):
        parts.append(encoder.compress(chunk))
    parts.append(encoder.flush())
    return b"".join(parts)


def huge_warc(path: Path, size: int = 300 * 1000 * 1000) -> None:
    """A .warc.gz of one HTML response record of `size` bytes of <p>words</p>, then one normal
    record, written streaming.
    """
    from warcio.warcwriter import WARCWriter

    words, rng = vocabulary(), random.Random(3)
    # 20 paragraphs (about 9 KB) repeated: within deflate's 32 KB window, so the file stays a few
    # MB, under the default size limit
    paragraphs = [
        ("<p>" + " ".join(rng.choices(words, k=60)) + ".</p>\n").encode("utf-8") for _ in range(20)
    ]
    payload_path = path.with_name(path.name + ".payload")
    with payload_path.open("wb") as payload:
        payload.write(
            b'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Huge</title></head><body><article><h1>Huge</h1>\n'
        )
        while payload.tell() < size:
            payload.write(b"".join(paragraphs))
        payload.write(b"</article></body></html>\n")
    try:
        with path.open("wb") as out, payload_path.open("rb") as payload:
            writer = WARCWriter(out, gzip=True)
            length = payload_path.stat().st_size
            writer.write_record(
                writer.create_warc_record(
                    "https://huge.example/page",
                    "response",
                    payload=payload,
                    length=length,
                    http_headers=html_headers(),
                )
            )
            normal = seed_page(4, "https://normal.example/page")
            writer.write_record(
                writer.create_warc_record(
                    "https://normal.example/page",
                    "response",
                    payload=io.BytesIO(normal),
                    length=len(normal),
                    http_headers=html_headers(),
                )
            )
    finally:
        payload_path.unlink()


def cut_warc(where: str) -> bytes:
    """A 3-record uncompressed WARC cut in its 2nd record: in its header, in an HTML body, or in a
    request record's body.
    """
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    first = seed_page(0, "https://one.example/a")
    writer.write_record(
        writer.create_warc_record(
            "https://one.example/a",
            "response",
            payload=io.BytesIO(first),
            length=len(first),
            http_headers=html_headers(),
        )
    )
    second_start = buffer.tell()
    if where == "nonhtml":
        request = StatusAndHeaders(
            "GET /b HTTP/1.1", [("Host", "two.example")], is_http_request=True
        )
        writer.write_record(
            writer.create_warc_record(
                "https://two.example/b",
                "request",
                payload=io.BytesIO(b"x" * 2000),
                length=2000,
                http_headers=request,
            )
        )
    else:
        second = seed_page(2, "https://two.example/b")
        writer.write_record(
            writer.create_warc_record(
                "https://two.example/b",
                "response",
                payload=io.BytesIO(second),
                length=len(second),
                http_headers=html_headers(),
            )
        )
    second_end = buffer.tell()
    third = seed_page(3, "https://three.example/c")
    writer.write_record(
        writer.create_warc_record(
            "https://three.example/c",
            "response",
            payload=io.BytesIO(third),
            length=len(third),
            http_headers=html_headers(),
        )
    )
    return buffer.getvalue()[: second_start + 40 if where == "header" else second_end - 200]


def quoted_text(path: Path, size: int = 2 * 1000 * 1000) -> None:
    """A plain text of `size` bytes of quoted sentences with attributions, German and English."""
    words, rng = vocabulary(), random.Random(7)
    speakers = [
        "Olaf Scholz",
        "die Ministerin",
        "ein Sprecher des Ministeriums",
        "Friedrich Merz",
        "der Bürgermeister",
        "Annalena Baerbock",
    ]
    parts, total = ["Zitate aus dem Landtag und aus London\n\n"], 0
    while total < size:
        sentences = []
        for number in range(4):
            quote = " ".join(rng.choices(words, k=12)).capitalize()
            if number % 2:
                sentences.append(f'"{quote}", said the minister, according to Reuters.')
            else:
                sentences.append(f"„{quote}“, sagte {rng.choice(speakers)}.")
        paragraph = " ".join(sentences) + "\n\n"
        parts.append(paragraph)
        total += len(paragraph.encode("utf-8"))
    path.write_text("".join(parts), encoding="utf-8")


# ---- an HTTP server ----------------------------------------------------------------------


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = (
        False  # closing never waits for a handler still writing to a client that is gone
    )


class _Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing."""
        return


def gzip_bomb_handler(body: bytes) -> type[http.server.BaseHTTPRequestHandler]:
    """A handler answering every GET with this gzip-encoded body."""

    class GzipBomb(_Quiet):
        def do_GET(self) -> None:
            """The body, Content-Encoding gzip, with its length."""
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                return

    return GzipBomb


class Endless(_Quiet):
    """Answers with a body that never ends and declares no length."""

    def do_GET(self) -> None:
        """Paragraphs of 64 KB for ever."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        try:
            while True:
                self.wfile.write(b"<p>" + b"x" * 65_536 + b"</p>")
        except OSError:
            return


class Trickle(_Quiet):
    """Answers with one byte a second, for ever."""

    def do_GET(self) -> None:
        """A byte, then a second's sleep, for ever."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        try:
            while True:
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            return


@contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local HTTP server (a thread, 127.0.0.1) with this handler; yields its base URL."""
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# ---- the cases ---------------------------------------------------------------------------


def case_upgrade_killed(bench: Bench, folder: Path) -> list[Row]:
    """Schema 0005 with 3,000 articles; an ingest killed 1 s into the index rebuild; then the same
    ingest again.
    """
    database = bench.sqlite(folder)
    setup = bench.finish(
        bench.start([database.url, str(SEEDS), str(UPGRADE_ARTICLES)], folder, OLD_DATABASE), 300
    )
    if setup.code != 0:
        return [setup_failed("upgrade-killed", setup)]
    command = ["--db", database.url, "ingest", "--workers", "1", str(good_file(folder))]
    first = bench.start(command, folder)
    seen = bench.wait_for_line(first, "provenance: rebuilding", 60)
    if seen:
        time.sleep(1)
    killed = seen and not bench.ended(first)
    if killed:
        os.kill(first.process.pid, signal.SIGKILL)
    first_outcome = bench.finish(first)
    between = bench.count(database)
    second = bench.run(command, folder)
    if killed:
        how = "1st run killed 1 s after 'provenance: rebuilding'"
    else:
        how = f"1st run NOT killed ({'no rebuilding line' if not seen else 'ended within 1 s'}, exit {exit_text(first_outcome)}: {printed(first_outcome.stderr, 60)})"
    return [
        make_row(
            "upgrade-killed",
            second,
            f"{between}→{bench.count(database)}",
            f"{how}; 2nd run",
            bench.timeout,
        )
    ]


def case_gzip_bomb(bench: Bench, folder: Path) -> list[Row]:
    """A folder of a ~2 MB .html.gz of zeros (~2 GB inflated) and good.txt."""
    bomb = bench.cached("bomb.html.gz", lambda path: gzip_zeros(path, 2000 * MIB))
    inputs = folder / "input"
    inputs.mkdir()
    shutil.copyfile(bomb, inputs / "bomb.html.gz")
    good_file(inputs)
    database = bench.sqlite(folder)
    outcome = bench.run(["--db", database.url, "ingest", "--workers", "1", str(inputs)], folder)
    return [
        make_row(
            "gzip-bomb",
            outcome,
            bench.count(database),
            f"{bomb.stat().st_size / MIB:.1f} MB compressed",
            bench.timeout,
        )
    ]


def case_warc_huge_record(bench: Bench, folder: Path) -> list[Row]:
    """A .warc.gz holding one ~300 MB HTML record and one normal record, and good.txt."""
    crawl = folder / "huge.warc.gz"
    shutil.copyfile(bench.cached("huge.warc.gz", huge_warc), crawl)
    database = bench.sqlite(folder)
    outcome = bench.run(
        ["--db", database.url, "ingest", "--workers", "1", str(crawl), str(good_file(folder))],
        folder,
    )
    return [
        make_row(
            "warc-huge-record",
            outcome,
            bench.count(database),
            f"{crawl.stat().st_size / MIB:.1f} MB .warc.gz of 2 records + good.txt",
            bench.timeout,
        )
    ]


def checked_url_rows(
    bench: Bench, folder: Path, case: str, handler: type[http.server.BaseHTTPRequestHandler]
) -> list[Row]:
    """`check URL` against a database of the seeds: with --allow-private-urls if the build has it,
    and without it.
    """
    database = bench.sqlite(folder)
    setup = bench.run(["--db", database.url, "ingest", "--workers", "1", str(SEEDS)], folder)
    if setup.code != 0:
        return [setup_failed(case, setup)]
    has_option = bench.has_option("--allow-private-urls")
    rows = []
    with serving(handler) as base:
        url = f"{base}/page.html"
        allowing = ["--allow-private-urls"] if has_option else []
        outcome = without_url(
            bench.run(["--db", database.url, *allowing, "check", url], folder), url
        )
        rows.append(
            make_row(
                case,
                outcome,
                bench.count(database),
                "with --allow-private-urls" if has_option else "build has no --allow-private-urls",
                bench.timeout,
            )
        )
        if has_option:
            plain = without_url(bench.run(["--db", database.url, "check", url], folder), url)
            rows.append(
                make_row(
                    f"{case} (default)",
                    plain,
                    bench.count(database),
                    "without --allow-private-urls",
                    bench.timeout,
                )
            )
        else:
            rows.append(
                Row(
                    f"{case} (default)",
                    "-",
                    "-",
                    "-",
                    "-",
                    "no such option: the default is the row above",
                )
            )
    bench.stop_leftovers()
    return rows


def without_url(outcome: Outcome, url: str) -> Outcome:
    """The outcome with the server's URL, which changes from run to run, shown as URL."""
    return dataclasses.replace(outcome, stderr=outcome.stderr.replace(url, "URL"))


def case_http_gzip_bomb(bench: Bench, folder: Path) -> list[Row]:
    """`check URL` of ~1 GB of zeros, gzip-encoded (about 1 MB sent)."""
    body = gzip_zeros_bytes(1024 * MIB)
    return checked_url_rows(bench, folder, "http-gzip-bomb", gzip_bomb_handler(body))


def case_http_endless(bench: Bench, folder: Path) -> list[Row]:
    """`check URL` of a body that never ends."""
    return checked_url_rows(bench, folder, "http-endless", Endless)


def case_http_trickle(bench: Bench, folder: Path) -> list[Row]:
    """`check URL` of a body of one byte a second: the seconds until check ends."""
    return checked_url_rows(bench, folder, "http-trickle", Trickle)


def case_dev_zero(bench: Bench, folder: Path) -> list[Row]:
    """`ingest /dev/zero good.txt`, 20 s allowed."""
    database = bench.sqlite(folder)
    outcome = bench.run(
        ["--db", database.url, "ingest", "--workers", "1", "/dev/zero", str(good_file(folder))],
        folder,
        DEVICE_TIMEOUT,
    )
    return [make_row("dev-zero", outcome, bench.count(database), "", DEVICE_TIMEOUT)]


def case_fifo(bench: Bench, folder: Path) -> list[Row]:
    """`ingest FIFO good.txt` of a FIFO nobody writes to, 20 s allowed."""
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)
    database = bench.sqlite(folder)
    outcome = bench.run(
        ["--db", database.url, "ingest", "--workers", "1", str(fifo), str(good_file(folder))],
        folder,
        DEVICE_TIMEOUT,
    )
    return [make_row("fifo", outcome, bench.count(database), "", DEVICE_TIMEOUT)]


def case_big_text(bench: Bench, folder: Path) -> list[Row]:
    """A 2 MB plain text of quoted, attributed sentences, `ingest --workers 1`."""
    big = bench.cached("quotes.txt", quoted_text)
    database = bench.sqlite(folder)
    outcome = bench.run(["--db", database.url, "ingest", "--workers", "1", str(big)], folder)
    return [
        make_row(
            "big-text",
            outcome,
            bench.count(database),
            f"quotes stored: {bench.count(database, 'quotes')}",
            bench.timeout,
        )
    ]


def case_jsonl_bad_dates(bench: Bench, folder: Path) -> list[Row]:
    """Good JSONL records and ones with impossible dates or an object for a title, and good.txt."""
    words, rng = vocabulary(), random.Random(11)
    texts = [random_text(rng, words) for _ in range(7)]
    records: list[str] = [
        json.dumps(
            {
                "url": "https://dates.example/1",
                "title": "Eins",
                "text": texts[0],
                "published": "2025-01-02T09:00:00+01:00",
            },
            ensure_ascii=False,
        ),
        json.dumps(
            {
                "url": "https://dates.example/2",
                "title": "Zwei",
                "text": texts[1],
                "published": 1e20,
            },
            ensure_ascii=False,
        ),
        '{"url": "https://dates.example/3", "title": "Drei", "text": '
        + json.dumps(texts[2], ensure_ascii=False)
        + ', "published": Infinity}',
        json.dumps(
            {
                "url": "https://dates.example/4",
                "title": "Vier",
                "text": texts[3],
                "published": "0001-01-01T00:00:00+01:00",
            },
            ensure_ascii=False,
        ),
        json.dumps(
            {
                "url": "https://dates.example/5",
                "title": "Fünf",
                "text": texts[4],
                "published": True,
            },
            ensure_ascii=False,
        ),
        json.dumps(
            {"url": "https://dates.example/6", "title": {"nested": "object"}, "text": texts[5]},
            ensure_ascii=False,
        ),
        json.dumps(
            {
                "url": "https://dates.example/7",
                "title": "Sieben",
                "text": texts[6],
                "published": "2025-01-03",
            },
            ensure_ascii=False,
        ),
    ]
    dump = folder / "dump.jsonl"
    dump.write_text("\n".join(records) + "\n", encoding="utf-8")
    database = bench.sqlite(folder)
    outcome = bench.run(
        ["--db", database.url, "ingest", "--workers", "1", str(dump), str(good_file(folder))],
        folder,
    )
    lines = len([line for line in outcome.stderr.splitlines() if line.strip()])
    return [
        make_row(
            "jsonl-bad-dates",
            outcome,
            bench.count(database),
            f"7 records + good.txt; {lines} stderr lines",
            bench.timeout,
        )
    ]


def cut_warc_rows(bench: Bench, folder: Path, where: str) -> list[Row]:
    """Ingest a 3-record WARC cut in its 2nd record, and good.txt."""
    crawl = folder / "cut.warc"
    crawl.write_bytes(cut_warc(where))
    database = bench.sqlite(folder)
    outcome = bench.run(
        ["--db", database.url, "ingest", "--workers", "1", str(crawl), str(good_file(folder))],
        folder,
    )
    return [
        make_row(
            f"warc-cut-{where}",
            outcome,
            bench.count(database),
            "1 whole record + good.txt",
            bench.timeout,
        )
    ]


def case_warc_cut_header(bench: Bench, folder: Path) -> list[Row]:
    """A WARC cut inside its 2nd record's header."""
    return cut_warc_rows(bench, folder, "header")


def case_warc_cut_body(bench: Bench, folder: Path) -> list[Row]:
    """A WARC cut inside its 2nd record's HTML body."""
    return cut_warc_rows(bench, folder, "body")


def case_warc_cut_nonhtml(bench: Bench, folder: Path) -> list[Row]:
    """A WARC cut inside its 2nd record, a request record."""
    return cut_warc_rows(bench, folder, "nonhtml")


def case_non_utf8_name(bench: Bench, folder: Path) -> list[Row]:
    """A folder of a seed named caf\\xe9.txt (not UTF-8) and good.txt."""
    inputs = folder / "input"
    inputs.mkdir()
    with open(os.fsencode(str(inputs)) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(seed_paths()[2].read_bytes())
    good_file(inputs)
    database = bench.sqlite(folder)
    outcome = bench.run(["--db", database.url, "ingest", "--workers", "1", str(inputs)], folder)
    return [make_row("non-utf8-name", outcome, bench.count(database), "2 files", bench.timeout)]


def case_pg_bad_values(bench: Bench, folder: Path) -> list[Row]:
    """5,001 records with a NUL, a 40-character language and a 300-character outlet, ingested twice
    into PostgreSQL.
    """
    records = random_records(5001, "values", 13)
    records[2000]["text"] = records[2000]["text"].replace(" ", " NUL\u0000hier ", 1)
    records[3000]["language"] = "de-" + "x" * 37
    records[4000]["outlet"] = "O" * 300
    dump = folder / "values.jsonl"
    write_jsonl(dump, records)
    with bench.postgres_schema("pg-bad-values") as database:
        command = ["--db", database.url, "ingest", "--workers", "1", str(dump)]
        first = bench.run(command, folder)
        stored_first = bench.count(database)
        second = bench.run(command, folder)
        stored_second = bench.count(database)
    return [
        Row(
            "pg-bad-values",
            f"{exit_text(first)} / {exit_text(second)}",
            f"{first.seconds:.1f} / {second.seconds:.1f}",
            f"{max(first.peak_mib, second.peak_mib):.0f}",
            f"{stored_first}→{stored_second}",
            f"1st: {limits_met(first, bench.timeout)}{printed(first.stderr, 80)}; 2nd: {limits_met(second, bench.timeout)}{printed(second.stderr, 60)}",
        )
    ]


def killed_workers_row(bench: Bench, folder: Path, database: Database, case: str) -> Row:
    """Kill an ingest's main process 2 s after its 2 workers exist; count the workers alive 5 s
    later; ingest again (60 s allowed).
    """
    command = ["--db", database.url, "ingest", "--workers", "2", str(bench.corpus())]
    running = bench.start(command, folder)
    workers = bench.wait_for_workers(running, 2)
    if not workers:
        outcome = bench.finish(running)
        return make_row(case, outcome, bench.count(database), "never had 2 workers", bench.timeout)
    time.sleep(2)
    workers = children_of(running.process.pid) or workers
    os.kill(running.process.pid, signal.SIGKILL)
    outcome = bench.finish(running)
    time.sleep(5)
    left = sum(alive(pid) for pid in workers)
    stored = bench.count(database)
    rerun = bench.run(command, folder, 60)
    rerun_text = (
        f"rerun not finished within 60 s ({printed(rerun.stderr, 50)})"
        if rerun.timed_out
        else f"rerun finished in {rerun.seconds:.1f} s, exit {exit_text(rerun)}"
    )
    observed = f"{left} of {len(workers)} workers alive 5 s after the kill; {rerun_text}"
    row = make_row(case, outcome, f"{stored}→{bench.count(database)}", observed, bench.timeout)
    bench.stop_leftovers()
    return row


def case_killed_workers(bench: Bench, folder: Path) -> list[Row]:
    """A killed main process and its workers, on SQLite and on PostgreSQL."""
    rows = [killed_workers_row(bench, folder, bench.sqlite(folder), "killed-workers")]
    if bench.postgres:
        with bench.postgres_schema("killed-workers") as database:
            rows.append(killed_workers_row(bench, folder, database, "killed-workers (pg)"))
    else:
        log("skipped killed-workers (pg): needs --postgres")
    return rows


def first_use_round(bench: Bench, folder: Path, database: Database) -> tuple[list[Outcome], str]:
    """Four processes ingesting different seeds at once into a database not created yet: how each
    ended, and the articles stored.
    """
    runs = [
        bench.start(["--db", database.url, "ingest", "--workers", "1", str(path)], folder)
        for path in seed_paths()[:4]
    ]
    outcomes = [bench.finish(running) for running in runs]
    return outcomes, bench.count(database)


def concurrent_row(case: str, rounds: list[tuple[list[Outcome], str]]) -> Row:
    """The row of the rounds of concurrent first use: every exit code, the non-zero ones counted,
    the first failure's line.
    """
    outcomes = [outcome for round_outcomes, _ in rounds for outcome in round_outcomes]
    failed = [outcome for outcome in outcomes if outcome.code != 0]
    per_round = ", ".join(
        str(sum(outcome.code != 0 for outcome in round_outcomes)) for round_outcomes, _ in rounds
    )
    observed = f"non-zero of 4, per round: {per_round}" + (
        f"; 1st failure: {printed(failed[0].stderr)}" if failed else ""
    )
    return Row(
        case,
        " / ".join(
            ",".join(exit_text(outcome) for outcome in round_outcomes)
            for round_outcomes, _ in rounds
        ),
        f"{max(outcome.seconds for outcome in outcomes):.1f}",
        f"{max(outcome.peak_mib for outcome in outcomes):.0f}",
        " / ".join(stored for _, stored in rounds),
        observed,
    )


def case_concurrent_first_use(bench: Bench, folder: Path) -> list[Row]:
    """Four processes' first use of a new database, SQLite and PostgreSQL, CONCURRENT_ROUNDS times
    each (the race differs from run to run).
    """
    rows = [
        concurrent_row(
            "concurrent-first-use",
            [
                first_use_round(bench, folder, bench.sqlite(folder, f"db{number}.sqlite"))
                for number in range(CONCURRENT_ROUNDS)
            ],
        )
    ]
    if bench.postgres:
        rounds = []
        for number in range(CONCURRENT_ROUNDS):
            with bench.postgres_schema(f"concurrent{number}") as database:
                rounds.append(first_use_round(bench, folder, database))
        rows.append(concurrent_row("concurrent-first-use (pg)", rounds))
    else:
        log("skipped concurrent-first-use (pg): needs --postgres")
    return rows


def stopped_row(bench: Bench, folder: Path, case: str, stop: signal.Signals, to_group: bool) -> Row:
    """An ingest of the corpus stopped 3 s after its workers exist; the seconds from the signal to
    its end; then an ingest again.
    """
    database = bench.sqlite(folder)
    command = ["--db", database.url, "ingest", "--workers", "2", str(bench.corpus())]
    running = bench.start(command, folder)
    bench.wait_for_workers(running, 2)
    time.sleep(3)
    if bench.ended(running):
        return make_row(
            case,
            bench.finish(running),
            bench.count(database),
            "ended before the signal",
            bench.timeout,
        )
    workers = children_of(running.process.pid)
    sent = time.monotonic()
    if to_group:
        os.killpg(running.process.pid, stop)
    else:
        os.kill(running.process.pid, stop)
    outcome = bench.finish(running)
    time.sleep(1)
    left = sum(alive(pid) for pid in workers)
    stored = bench.count(database)
    rerun = bench.run(command, folder)
    rerun_text = f"rerun exit {exit_text(rerun)} in {rerun.seconds:.1f} s"
    observed = f"{left} of {len(workers)} workers alive 1 s after; {rerun_text}"
    row = make_row(case, outcome, f"{stored}→{bench.count(database)}", observed, bench.timeout)
    bench.stop_leftovers()
    return Row(row.case, row.exit, f"{outcome.ended - sent:.1f}", row.mib, row.stored, row.note)


def case_sigterm(bench: Bench, folder: Path) -> list[Row]:
    """SIGTERM to an ingest's main process 3 s after its workers exist."""
    return [stopped_row(bench, folder, "sigterm", signal.SIGTERM, to_group=False)]


def case_ctrl_c(bench: Bench, folder: Path) -> list[Row]:
    """SIGINT to an ingest's process group 3 s after its workers exist, as a terminal's Ctrl-C."""
    return [stopped_row(bench, folder, "ctrl-c", signal.SIGINT, to_group=True)]


def small_redos(bench: Bench, folder: Path) -> Row:
    """A user marker pattern with nested quantifiers against a line of 30 a's and a "!"."""
    patterns = folder / "p.toml"
    patterns.write_text("[[marker]]\npattern = '^(a+)+$'\nlang = \"en\"\n", encoding="utf-8")
    article = folder / "aaa.txt"
    article.write_text(seed_text(0) + "\n\n" + "a" * 30 + "!\n", encoding="utf-8")
    database = bench.sqlite(folder)
    outcome = bench.run(
        [
            "--db",
            database.url,
            "--patterns",
            str(patterns),
            "ingest",
            "--workers",
            "1",
            str(article),
        ],
        folder,
    )
    return make_row("small-a redos", outcome, bench.count(database), "", bench.timeout)


def small_csv_formula(bench: Bench, folder: Path) -> Row:
    """`audit --csv` of a record titled =HYPERLINK(...): the title cell as written in articles.csv."""
    record = folder / "formula.jsonl"
    write_jsonl(
        record,
        [
            {
                "url": "https://formula.example/a",
                "title": '=HYPERLINK("https://evil.example","x")',
                "text": seed_text(0),
            }
        ],
    )
    database, out = bench.sqlite(folder), folder / "csv"
    outcome = bench.run(
        ["--db", database.url, "audit", "--workers", "1", "--csv", str(out), str(record)], folder
    )
    cell = "no articles.csv"
    if (out / "articles.csv").exists():
        with (out / "articles.csv").open(encoding="utf-8", newline="") as handle:
            titles = [row.get("title", "") for row in csv.DictReader(handle)]
        cell = f"title cell {titles[0]!r}" if titles else "articles.csv has no rows"
    return make_row("small-b csv formula", outcome, bench.count(database), cell, bench.timeout)


def small_csv_missing_parent(bench: Bench, folder: Path) -> Row:
    """`audit --csv` into a folder whose parent does not exist: exit code, and whether it was
    created.
    """
    target = folder / "missing" / "out"
    database = bench.sqlite(folder)
    outcome = bench.run(
        [
            "--db",
            database.url,
            "audit",
            "--workers",
            "1",
            "--csv",
            str(target),
            str(good_file(folder)),
        ],
        folder,
    )
    return make_row(
        "small-c csv missing parent",
        outcome,
        bench.count(database),
        f"folder created: {'yes' if target.is_dir() else 'no'}",
        bench.timeout,
    )


def small_escape_title(bench: Bench, folder: Path) -> Row:
    """`audit` of a record whose title holds ESC [2J: whether ESC reaches stdout."""
    record = folder / "escape.jsonl"
    write_jsonl(
        record,
        [
            {
                "url": "https://escape.example/a",
                "title": "Eilmeldung \x1b[2J Bahn",
                "text": seed_text(2),
            }
        ],
    )
    database = bench.sqlite(folder)
    outcome = bench.run(["--db", database.url, "audit", "--workers", "1", str(record)], folder)
    count = outcome.stdout.count("\x1b")
    return make_row(
        "small-d ESC in title",
        outcome,
        bench.count(database),
        f"ESC on stdout: {'yes (' + str(count) + ')' if count else 'no'}",
        bench.timeout,
    )


def small_report_dash(bench: Bench, folder: Path) -> Row:
    """`audit --report -`: whether a file named '-' appears, and whether the HTML goes to stdout."""
    database = bench.sqlite(folder)
    outcome = bench.run(
        ["--db", database.url, "audit", "--workers", "1", "--report", "-", str(good_file(folder))],
        folder,
    )
    dash = folder / "-"
    html = "<html" in outcome.stdout[:2000].lower()
    return make_row(
        "small-e report -",
        outcome,
        bench.count(database),
        f"file '-' created: {'yes' if dash.exists() else 'no'}; HTML on stdout: {'yes' if html else 'no'}",
        bench.timeout,
    )


def small_batch_copy(bench: Bench, folder: Path) -> Row:
    """A copy and its original in one batch, the copy first: the summary's new copy links against
    the rows of copy_links.
    """
    original = seed_text(0)
    records = [
        {
            "url": "https://copy.example/a",
            "title": "Kopie",
            "text": original + "\nQuelle: https://orig.example/b",
        },
        {"url": "https://orig.example/b", "title": "Original", "text": original},
    ]
    pair = folder / "pair.jsonl"
    write_jsonl(pair, records)
    database = bench.sqlite(folder)
    outcome = bench.run(["--db", database.url, "ingest", "--workers", "1", str(pair)], folder)
    summary = re.search(r"new copy links: ([^\n]*)", outcome.stdout)
    links = summary.group(1).strip() if summary else "(no summary)"
    return make_row(
        "small-f copy in one batch",
        outcome,
        bench.count(database),
        f"summary 'new copy links: {links}'; copy_links rows: {bench.count(database, 'copy_links')}",
        bench.timeout,
    )


def single_row(measure: Callable[[Bench, Path], Row], bench: Bench, folder: Path) -> list[Row]:
    """The one row of a small measurement, as a list."""
    return [measure(bench, folder)]


def case_small(bench: Bench, folder: Path) -> list[Row]:
    """Six small hostile inputs, each in a folder of its own."""
    rows = []
    for measure in (
        small_redos,
        small_csv_formula,
        small_csv_missing_parent,
        small_escape_title,
        small_report_dash,
        small_batch_copy,
    ):
        part = folder / measure.__name__
        part.mkdir()
        log(f"  {measure.__name__}")
        rows.extend(guarded(measure.__name__, functools.partial(single_row, measure, bench, part)))
        bench.stop_leftovers()
    return rows


CASES: dict[str, Callable[[Bench, Path], list[Row]]] = {
    "upgrade-killed": case_upgrade_killed,
    "gzip-bomb": case_gzip_bomb,
    "warc-huge-record": case_warc_huge_record,
    "http-gzip-bomb": case_http_gzip_bomb,
    "http-endless": case_http_endless,
    "http-trickle": case_http_trickle,
    "dev-zero": case_dev_zero,
    "fifo": case_fifo,
    "big-text": case_big_text,
    "jsonl-bad-dates": case_jsonl_bad_dates,
    "warc-cut-header": case_warc_cut_header,
    "warc-cut-body": case_warc_cut_body,
    "warc-cut-nonhtml": case_warc_cut_nonhtml,
    "non-utf8-name": case_non_utf8_name,
    "pg-bad-values": case_pg_bad_values,
    "killed-workers": case_killed_workers,
    "concurrent-first-use": case_concurrent_first_use,
    "sigterm": case_sigterm,
    "ctrl-c": case_ctrl_c,
    "small": case_small,
}
POSTGRES_ONLY = {"pg-bad-values"}
QUICK_CASES = ("jsonl-bad-dates", "warc-cut-header")
"""The cases of --quick: a few seconds each, inputs built in no time, no PostgreSQL."""


# ---- running and printing ----------------------------------------------------------------


def guarded(case: str, measure: Callable[[], list[Row]]) -> list[Row]:
    """The rows of a measurement, or one row saying how the bench itself failed at it."""
    try:
        return measure()
    except Exception as error:  # noqa: BLE001 - one broken case must not stop the others
        return [
            Row(
                case,
                "-",
                "-",
                "-",
                "-",
                f"bench error: {type(error).__name__}: {cut(str(error), 120)}",
            )
        ]


def run_cases(bench: Bench, names: list[str]) -> tuple[list[Row], list[str]]:
    """Run the chosen cases in order: their rows, and the cases skipped."""
    rows: list[Row] = []
    skipped: list[str] = []
    for name in names:
        if name in POSTGRES_ONLY and not bench.postgres:
            skipped.append(name)
            log(f"skipped {name}: needs --postgres")
            continue
        folder = bench.run_folder / name
        folder.mkdir(parents=True)
        log(f"case {name}")
        started = time.monotonic()
        try:
            rows.extend(guarded(name, functools.partial(CASES[name], bench, folder)))
        finally:
            bench.stop_leftovers()
        log(f"case {name} done in {time.monotonic() - started:.0f} s")
    return rows, skipped


def build_label(bench: Bench) -> str:
    """Which provenance package the runs import (a run of the build itself says)."""
    folder = bench.run_folder / "which"
    folder.mkdir(exist_ok=True)
    outcome = bench.finish(
        bench.start([], folder, "import provenance; print(provenance.__file__)"), 60
    )
    where = outcome.stdout.strip() or printed(outcome.stderr)
    return f"PYTHONPATH={bench.pythonpath}: {where}" if bench.pythonpath else f"installed: {where}"


def markdown_table(rows: list[Row]) -> str:
    """The rows as a markdown table."""
    header = "| case | exit | s | MiB | stored | note |\n|---|---|---|---|---|---|\n"
    return header + "".join(
        f"| {row.case} | {row.exit} | {row.seconds} | {row.mib} | {row.stored} | {row.note.replace('|', '¦')} |\n"
        for row in rows
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pythonpath",
        metavar="DIR",
        help="put DIR first on PYTHONPATH for every run (the build under test)",
    )
    parser.add_argument("--cases", help="comma-separated case names (default: all)")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="folder for inputs and runs, kept (default: a temporary folder, removed)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="PostgreSQL URL for the PostgreSQL cases (skipped without it)",
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds allowed to each run (default: 120)"
    )
    parser.add_argument(
        "--memory-cap",
        type=float,
        default=6.0,
        metavar="GIB",
        help="RLIMIT_AS of each run in GiB (default: 6)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"run only the installed build on {', '.join(QUICK_CASES)}: a check that the bench works, not a comparison",
    )
    args = parser.parse_args(argv)
    if args.quick and (args.pythonpath or args.cases):
        parser.error(
            "--quick runs the installed build on its own cases: give neither --pythonpath nor --cases"
        )
    args.cases = list(
        dict.fromkeys(QUICK_CASES if args.quick else (args.cases or ",".join(CASES)).split(","))
    )  # each case once: a case's folder is made once
    unknown = [name for name in args.cases if name not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CASES)}")
    return args


def exit_on_sigterm(signum: int, frame: Any) -> None:
    """SIGTERM ends the bench as Ctrl-C does: its processes killed, its schemas dropped, its
    temporary folder removed.
    """
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> None:
    """Run the chosen cases against the build and print the table."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench_hostile_"))
    run_folder = workdir / f"run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    (workdir / "inputs").mkdir(parents=True, exist_ok=True)
    run_folder.mkdir(parents=True)
    bench = Bench(
        sys.executable,
        args.pythonpath,
        run_folder,
        workdir / "inputs",
        args.timeout,
        int(args.memory_cap * GIB),
        args.postgres,
    )
    try:
        label = build_label(bench)
        log(f"build: {label}")
        rows, skipped = run_cases(bench, args.cases)
    finally:
        bench.stop_leftovers()
        if bench.engine is not None:
            bench.drop_schemas_left()
            bench.engine.dispose()
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(
            json.dumps(
                {
                    "build": label,
                    "timeout": args.timeout,
                    "memory_cap_gib": args.memory_cap,
                    "rows": [asdict(row) for row in rows],
                    "skipped": skipped,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    print(f"build: {label}")
    for name in skipped:
        print(f"skipped {name}: needs --postgres")
    if not args.postgres:
        print(
            "PostgreSQL rows of killed-workers and concurrent-first-use skipped: needs --postgres"
        )
    print(markdown_table(rows), end="")


if __name__ == "__main__":
    main()
