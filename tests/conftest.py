"""Fixtures: stores on SQLite and on the real PostgreSQL server, seeds, and a CLI runner."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from provenance.cli import cli
from provenance.store.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_003 = SEEDS / "003_4153c0ff2f4fab2a.txt"
MERKUR_URL = "https://www.merkur.de/politik/nordkorea-machthaber-kim-preist-beziehung-zu-wladimir-putins-russland-zr-94100913.html"
MERKUR_TITLE = "„Blut, Leben und Tod“: Nordkorea-Machthaber Kim preist Beziehung zu Putins Russland"
POSTGRES_URL = os.environ.get(
    "PROVENANCE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def _isolated_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own default database file, never the project's db/."""
    monkeypatch.setenv("PROVENANCE_DB", f"sqlite:///{tmp_path / 'default.sqlite'}")
    monkeypatch.delenv("PROVENANCE_PATTERNS", raising=False)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A URL for a fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'provenance.sqlite'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL for a fresh schema on the real PostgreSQL server, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database of each backend in turn."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An opened, empty store on each backend."""
    opened = Store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def run_cli(db_url: str) -> Iterator[object]:
    """Invoke the CLI against a fresh database of each backend; returns click's Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None, db: str | None = None) -> Result:
        return runner.invoke(
            cli, ["--db", db or db_url, *args], input=input, catch_exceptions=False
        )

    yield invoke


def seed_body_without_footer() -> str:
    """Seed 003's text with its Russian source footer removed: the merkur.de original."""
    lines = SEED_003.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("Информация на этой странице"))
