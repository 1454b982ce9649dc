"""What is stored: list, show and forget an article, and audit the stored database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from provenance.audit import audit_json, run_audit
from provenance.errors import NotFoundError
from provenance.ingest import check, ingest
from provenance.ingest.lookup import forget, show_article
from provenance.knowledge import load_registry
from provenance.store import Store

from .conftest import MERKUR_URL, SEEDS, seed_body_without_footer
from .helpers import jsonl

TRANSLATIONS = Path(__file__).parent / "data" / "translation"
RUSSIAN = TRANSLATIONS / "seed003_translation.ru.txt"
DERIVED = (
    "paragraphs",
    "attributions",
    "quotes",
    "copy_links",
    "lsh_buckets",
    "anchor_buckets",
    "outlet_lines",
    "passage_witnesses",
)


def corpus(folder: Path) -> list[str]:
    """The seeds, the merkur.de original of seed 003 (dated, with a URL) and its Russian translation."""
    original = folder / "merkur.jsonl"
    original.write_text(
        jsonl(
            [
                {
                    "url": MERKUR_URL,
                    "title": "Kim preist Beziehung zu Russland",
                    "text": seed_body_without_footer(),
                    "published": "2024-06-18T08:00:00+02:00",
                    "outlet": "merkur.de",
                }
            ]
        ),
        encoding="utf-8",
    )
    return [str(SEEDS), str(original), str(RUSSIAN)]


def counts(store: Store) -> dict[str, int]:
    with store.reader() as reader:
        found = reader.row_counts()
    return {table: found[table] for table in DERIVED}


def test_forget_removes_the_article_and_everything_derived_from_it(
    db_url: str, tmp_path: Path
) -> None:
    """After forgetting the Russian translation, every table holds what a database that never held it holds."""
    inputs = corpus(tmp_path)
    store = Store(db_url)
    ingest(store, inputs)
    with store.reader() as reader:
        [russian] = [a for a in reader.all_articles() if a.language == "ru"]
    forgotten = forget(store, str(russian.id))
    assert forgotten.article.id == russian.id and forgotten.removed["articles"] == 1
    assert (
        forgotten.removed["copy_links"] >= 1
        and forgotten.removed["lsh_buckets"] > 0
        and forgotten.removed["anchor_buckets"] > 0
    )
    after = counts(store)
    store.close()
    without = Store(f"sqlite:///{tmp_path / 'without.sqlite'}")
    ingest(without, inputs[:2])
    assert after == counts(without)
    without.close()


def test_a_forgotten_article_is_found_nowhere(store: Store, tmp_path: Path) -> None:
    ingest(store, corpus(tmp_path))
    [before] = check(store, str(RUSSIAN))
    assert before.verdict == "stored"
    forget(store, RUSSIAN.name)
    with store.reader() as reader:
        assert not any(article.language == "ru" for article in reader.all_articles())
        assert reader.search_paragraphs([["пхеньян*"]]) == []
    [after] = check(store, str(RUSSIAN))
    assert (
        after.verdict != "stored"
        and after.matches
        and {m.kind for m in after.matches} == {"translation"}
    )
    with pytest.raises(NotFoundError):
        forget(store, RUSSIAN.name)


def test_show_gives_the_relations_sources_quotes_and_passages(store: Store, tmp_path: Path) -> None:
    ingest(store, corpus(tmp_path))
    view = show_article(store, MERKUR_URL)
    assert view.article.url == MERKUR_URL
    kinds = sorted(match.kind for match in view.relations)
    assert "translation" in kinds and "repost" in kinds
    assert {found.source_name for found in view.article.attributions} >= {"KCNA", "Reuters"}
    assert view.article.quotes


def test_list_filters_and_pages(run_cli: Any, tmp_path: Path) -> None:
    run_cli("ingest", *corpus(tmp_path))
    everything = json.loads(run_cli("list", "--json").stdout)
    assert everything["schema"] == "provenance.articles/1" and everything["total"] == 7
    assert everything["articles"][0]["url"] == MERKUR_URL, (
        "the dated article comes first, newest first"
    )
    merkur = json.loads(run_cli("list", "--outlet", "merkur", "--json").stdout)
    assert [a["url"] for a in merkur["articles"]] == [MERKUR_URL]
    dated = json.loads(
        run_cli("list", "--since", "2024-06-01", "--until", "2024-07-01", "--json").stdout
    )
    assert [a["url"] for a in dated["articles"]] == [MERKUR_URL]
    assert json.loads(run_cli("list", "--since", "2024-06-19", "--json").stdout)["total"] == 0
    pages = [
        json.loads(run_cli("list", "--per-page", "3", "--page", str(page), "--json").stdout)[
            "articles"
        ]
        for page in (1, 2, 3)
    ]
    assert [len(page) for page in pages] == [3, 3, 1]
    assert len({a["article_id"] for page in pages for a in page}) == 7
    text = run_cli("list", "--q", "nordkorea").stdout
    assert "of 4 articles" in text and "Nordkorea" in text  # three titles, and the merkur.de URL
    assert run_cli("list", "--q", "no such words").stdout == "no stored article matches\n"


def test_show_and_forget_on_the_command_line(run_cli: Any, tmp_path: Path) -> None:
    run_cli("ingest", *corpus(tmp_path))
    shown = json.loads(run_cli("show", MERKUR_URL, "--json").stdout)
    assert shown["schema"] == "provenance.article/1" and shown["article"]["url"] == MERKUR_URL
    assert {relation["kind"] for relation in shown["relations"]} >= {"repost", "translation"}
    assert "linked articles (" in run_cli("show", MERKUR_URL).stdout
    gone = run_cli("forget", RUSSIAN.name, "--json")
    assert gone.exit_code == 0
    removed = json.loads(gone.stdout)
    assert removed["schema"] == "provenance.forget/1" and removed["removed"]["articles"] == 1
    again = run_cli("forget", RUSSIAN.name)
    assert (
        (again.exit_code, again.stdout) == (6, "")
        and again.stderr.startswith("Error: no stored article is")
        and again.stderr.count("\n") == 1
    )


def test_audit_with_no_inputs_audits_the_stored_database(store: Store, tmp_path: Path) -> None:
    inputs = corpus(tmp_path)
    given = audit_json(run_audit(store, inputs, load_registry()))
    stored = audit_json(run_audit(store, [], load_registry()))
    for audit in (given, stored):
        audit.pop("generated_at")
        audit.pop("corpus")
    assert stored == given


def test_audit_of_an_empty_database_says_so(store: Store) -> None:
    with pytest.raises(NotFoundError, match="holds no articles yet"):
        run_audit(store, [], load_registry())


def test_odd_references_are_not_found_rather_than_errors(store: Store, tmp_path: Path) -> None:
    """An id past 32 bits (PostgreSQL's integer) and a NUL in a search are answered, not raised as database errors."""
    ingest(store, corpus(tmp_path))
    with pytest.raises(NotFoundError):
        show_article(store, "99999999999")
    with store.reader() as reader:
        assert reader.find_articles("Kim\x00", "merkur\x00")[0] == 1
