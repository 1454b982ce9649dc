"""Interrupted runs: a schema upgrade killed part way, a killed or stopped ingest and its workers,
concurrent first use.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from provenance.store.engine import head_revision, migrate
from provenance.store.store import Store

from .conftest import SEEDS

ARTICLES = 4500
"""Enough stored articles that the index rebuild schema 0006 asks for (chunks of 2,000, about 2 ms
an article) is still running when it is killed.
"""


def old_database(url: str) -> None:
    """A database of schema 0005 holding ARTICLES stored articles, whose upgrade asks for their
    index to be rebuilt.
    """
    engine = create_engine(url)
    migrate(engine, "0005")
    bodies = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    rows = [
        {
            "key": f"k{n}",
            "body": f"{bodies[n % len(bodies)]}\nArtikel {n}.",
            "signature": b"x",
            "url": f"https://old.example/{n}",
        }
        for n in range(ARTICLES)
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO articles (identity_key, content_hash, body, furniture, origin, format, version, shingle_count, signature, ingested_at, url, language)"
                " VALUES (:key, :key, :body, '[]', 'old.txt', 'text', 1, 1, :signature, '2025-01-01 00:00:00', :url, 'de')"
            ),
            rows,
        )
    engine.dispose()


def revision_and_tables(url: str) -> tuple[str | None, set[str]]:
    """The schema revision a database records, and its tables."""
    engine = create_engine(url)
    with engine.connect() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    return revision, tables


def provenance(*args: str) -> subprocess.Popen[str]:
    """The command line in a process of its own, its stderr readable line by line."""
    return subprocess.Popen(
        [sys.executable, "-c", "from provenance.cli import cli; cli()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(process: subprocess.Popen[str], start: str, seconds: float = 60) -> str:
    """Read the process's stderr until a line starts with `start`."""
    assert process.stderr is not None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if line.startswith(start):
            return line
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"no line starting {start!r} on stderr")


def test_an_upgraded_database_is_refused_until_reindexed(db_url: str) -> None:
    old_database(db_url)
    with provenance("--db", db_url, "ingest", str(next(SEEDS.glob("001_*.txt")))) as refused:
        _, err = refused.communicate(timeout=120)
    assert refused.returncode == 4 and "must be rebuilt first: run 'provenance reindex'" in err, err
    assert revision_and_tables(db_url)[0] == head_revision()


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_a_reindex_stopped_part_way_is_finished_by_the_next_run(
    db_url: str, stop: signal.Signals
) -> None:
    old_database(db_url)
    with provenance("--db", db_url, "reindex") as running:
        wait_for_line(running, "the LSH index of every article: 2,000 of 4,500")
        assert running.poll() is None, "the rebuild ended before it could be stopped"
        running.send_signal(stop)
        running.communicate(timeout=30)
    store = Store(db_url)
    with store.reader() as reader:
        assert reader.pending_rebuilds()["index"] >= 2000
    store.close()
    with provenance("--db", db_url, "reindex") as again:
        out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert out.startswith("rebuilt the LSH index of every article: ") and not out.startswith(
        "rebuilt the LSH index of every article: 4,500"
    ), out
    with provenance("--db", db_url, "ingest", str(next(SEEDS.glob("001_*.txt")))) as ingest:
        out, err = ingest.communicate(timeout=300)
    assert ingest.returncode == 0, err
    store = Store(db_url)
    with store.reader() as reader:
        assert reader.pending_rebuilds() == {}
        links = reader.all_links()
    assert store.count_articles() == ARTICLES + 1
    assert {link.copy_id for link in links} == {ARTICLES + 1} and len(links) >= 1, (
        "the new article is found a copy of the reindexed old ones"
    )
    store.close()


def _open(url: str) -> str:
    try:
        Store(url).close()
        return "ok"
    except Exception as error:  # noqa: BLE001 - the test reports what each process met
        return f"{type(error).__name__}: {error}"


def test_four_processes_opening_a_new_database_at_once_create_it_once(db_url: str) -> None:
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_open, [db_url] * 4)
    assert results == ["ok"] * 4
    assert revision_and_tables(db_url)[0] == head_revision()


def big_corpus(folder: Path, count: int = 1500) -> Path:
    """A JSONL file of `count` articles of random words from the seeds, none a copy of another: some
    seconds to ingest.
    """
    vocabulary = sorted(
        {
            word
            for path in SEEDS.glob("*.txt")
            for word in path.read_text(encoding="utf-8").split()
            if word.isalpha()
        }
    )
    rng = random.Random(25)
    path = folder / "corpus.jsonl"
    records = []
    for number in range(count):
        paragraphs = [" ".join(rng.choices(vocabulary, k=40)) + "." for _ in range(5)]
        records.append(
            json.dumps(
                {
                    "url": f"https://many.example/{number}",
                    "title": f"Artikel {number}",
                    "text": "\n".join(paragraphs),
                },
                ensure_ascii=False,
            )
        )
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    return path


def children_of(pid: int) -> set[int]:
    """The ids of a process's child processes (Linux /proc).

    A thread may end between the listing and the read: its file is then gone, and it has no
    children left to report.
    """
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            listed = (task / "children").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        found.update(int(child) for child in listed.split())
    return found


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, which only waits to be reaped, does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def wait_for_workers(process: subprocess.Popen[str], count: int, seconds: float = 60) -> set[int]:
    """The process's worker processes, once it has `count` of them and has run a while."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers = children_of(process.pid)
        if len(workers) >= count:
            time.sleep(1.5)
            return children_of(process.pid)
        time.sleep(0.1)
    raise AssertionError("the workers did not start")


def test_workers_die_with_a_killed_writer_and_the_next_run_does_not_wait(
    db_url: str, tmp_path: Path
) -> None:
    corpus = big_corpus(tmp_path)
    with provenance("--db", db_url, "ingest", "--workers", "2", str(corpus)) as running:
        workers = wait_for_workers(running, 2)
        running.kill()
        running.communicate(timeout=10)
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)
    with provenance("--db", db_url, "ingest", "--workers", "2", str(corpus)) as again:
        _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    store = Store(db_url)
    assert store.count_articles() == 1500
    store.close()


@pytest.mark.parametrize(
    ("stop", "code", "word"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
    ids=["sigterm", "ctrl-c"],
)
def test_a_stopped_ingest_ends_within_two_seconds_and_a_rerun_finishes_it(
    db_url: str, tmp_path: Path, stop: signal.Signals, code: int, word: str
) -> None:
    corpus = big_corpus(tmp_path)
    with provenance("--db", db_url, "ingest", "--workers", "2", str(corpus)) as running:
        workers = wait_for_workers(running, 2)
        sent = time.monotonic()
        running.send_signal(stop)
        _, err = running.communicate(timeout=30)
        took = time.monotonic() - sent
    assert (running.returncode, took < 2.5) == (code, True), (err, took)
    assert (
        err
        == f"Error: {word}; what was written is whole, and running the command again goes on from there\n"
    )
    assert not any(alive(pid) for pid in workers)
    stored = Store(db_url)
    partial = stored.count_articles()
    stored.close()
    assert partial % 2000 == 0  # whole batches only
    with provenance("--db", db_url, "ingest", str(corpus)) as again:
        out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert out.startswith(f"1500 read, {1500 - partial} added, {partial} already stored")
