"""Concurrent writers: four processes ingesting overlapping corpora into one PostgreSQL database."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from provenance.ingest.run import ingest
from provenance.store.store import Store

from .conftest import MERKUR_TITLE, MERKUR_URL, SEEDS, seed_body_without_footer
from .helpers import jsonl


def corpus_files(folder: Path) -> list[Path]:
    """Four overlapping JSONL files holding originals and their copies (some in other files)."""
    bodies = {
        path.name[:3]: "\n".join(
            line for line in path.read_text(encoding="utf-8").splitlines() if len(line.split()) > 8
        )
        for path in sorted(SEEDS.glob("*.txt"))
    }
    records = [
        {
            "url": MERKUR_URL,
            "title": MERKUR_TITLE,
            "text": seed_body_without_footer(),
            "published": "2025-01-02T09:00:00",
        }
    ]
    for name, body in bodies.items():
        records.append(
            {
                "url": f"https://origin.example/{name}",
                "title": f"Original {name}",
                "text": body,
                "published": "2025-01-01T08:00:00",
            }
        )
        records.append(
            {
                "url": f"https://copy-a.example/{name}",
                "title": f"Copy A {name}",
                "text": body + "\nQuelle: https://origin.example/" + name,
                "published": "2025-01-02T08:00:00",
            }
        )
        records.append(
            {
                "url": f"https://copy-b.example/{name}",
                "title": f"Copy B {name}",
                "text": "Ein Vorspann des Portals über die Lage.\n" + body,
                "published": "2025-01-03T08:00:00",
            }
        )
    files = []
    for index in range(4):
        chosen = [record for position, record in enumerate(records) if position % 4 != index]
        path = folder / f"part{index}.jsonl"
        path.write_text(jsonl(chosen[::-1] if index % 2 else chosen), encoding="utf-8")
        files.append(path)
    return files


def _ingest_one(url: str, path: str) -> int:
    store = Store(url)
    try:
        return ingest(store, [path]).added
    finally:
        store.close()


def snapshot(store: Store) -> tuple[set[str], set[tuple[frozenset[str], str, str]]]:
    """The stored URLs, and each link as (its two URLs, kind, how its direction was decided)."""
    with store.reader() as reader:
        links = reader.all_links()
        articles = reader.articles({i for link in links for i in (link.origin_id, link.copy_id)})
        stored = {str(article.url) for article in reader.all_articles()}
        described = {
            (
                frozenset((str(articles[link.origin_id].url), str(articles[link.copy_id].url))),
                link.kind,
                link.direction,
            )
            for link in links
        }
    return stored, described


def test_four_concurrent_writers_equal_one(postgres_url: str, tmp_path: Path) -> None:
    files = corpus_files(tmp_path)
    Store(postgres_url).close()
    with multiprocessing.get_context("fork").Pool(4) as pool:
        added = pool.starmap(_ingest_one, [(postgres_url, str(path)) for path in files])
    concurrent = Store(postgres_url)
    assert sum(added) == concurrent.count_articles() == 16
    concurrent_state = snapshot(concurrent)
    single = Store(f"sqlite:///{tmp_path / 'single.sqlite'}")
    ingest(single, [str(path) for path in files])
    assert snapshot(single) == concurrent_state
    assert len(concurrent_state[1]) >= 10
    concurrent.close()
    single.close()
