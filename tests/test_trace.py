"""trace: where a quote originated, found through the index, exact or varied, in time order, on both
backends.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from provenance.errors import InputError, NotFoundError
from provenance.graph.trace import Trace, trace_quote
from provenance.ingest import run as pipeline
from provenance.ingest.run import ingest
from provenance.knowledge.registry import load_registry
from provenance.store.store import Store

from .conftest import SEEDS
from .helpers import flood_records, jsonl


@pytest.fixture
def seeded(store: Store) -> Store:
    """A store holding the five seeds."""
    ingest(store, [str(SEEDS)])
    return store


def trace(store: Store, query: str) -> Trace:
    """Trace a quote with the packaged registry."""
    return trace_quote(store, query, load_registry())


def origins(result: Trace) -> list[str]:
    """The file names of the appearances, in timeline order."""
    return [a.article.origin.rsplit("/", 1)[-1][:3] for a in result.appearances]


def test_blut_leben_und_tod_comes_from_kcna_via_spiegel(seeded: Store) -> None:
    result = trace(seeded, "Blut, Leben und Tod")
    assert origins(result) == ["003"]
    [appearance] = result.appearances
    assert appearance.exact and appearance.source == "KCNA"
    assert appearance.quote == "das Teilen von Blut, Leben und Tod im selben Schützengraben"
    assert "KCNA veröffentlichten Neujahrsbotschaft" in (appearance.source_sentence or "")
    assert appearance.chain[:2] == ["KCNA", "Der Spiegel"]
    assert result.origin == "KCNA"
    assert "as reported by Der Spiegel" in result.origin_reason


def test_heldenhaften_is_in_two_articles_whose_wording_differs(seeded: Store) -> None:
    result = trace(seeded, "heldenhaften")
    assert origins(result) == ["000", "003"]
    assert [a.source for a in result.appearances] == ["KCNA", "KCNA"]
    assert result.wordings == ["heldenhaften Beitrag", "heldenhaften Einsatz"]
    assert result.first is None and "no appearance has a publication date" in result.first_reason


def test_plain_running_text_is_found_too(seeded: Store) -> None:
    result = trace(seeded, "mehr als 10.000 Soldaten nach Russland")
    assert origins(result) == ["000"]
    assert result.appearances[0].quote is None


@pytest.mark.parametrize(
    ("query", "differences"),
    [
        ("heldenhafte Einsatz", [("heldenhafte", "heldenhaften", "inflection")]),
        (
            "die Sicherheit und Ruhe auf der koreanischen Halbinsel",
            [("ruhe", "stabilität", "changed")],
        ),
        ("die Sicherheit, und Stabilität auf der koreanischen Halbinsel!", []),
    ],
)
def test_variants_are_reported_with_their_differing_words(
    seeded: Store, query: str, differences: list[tuple[str, str, str]]
) -> None:
    [appearance] = trace(seeded, query).appearances
    assert [(d.query, d.found, d.kind) for d in appearance.differences] == differences
    assert (appearance.similarity < 1.0) == bool(differences)


def test_timeline_orders_by_date_and_flags_undated(store: Store, tmp_path: Path) -> None:
    sentence = "Die Beziehungen seien durch „das Teilen von Blut, Leben und Tod im selben Schützengraben“ gefestigt worden, zitierte KCNA Kim."
    records = [
        {
            "url": "https://b.example/late",
            "text": f"Späterer Bericht über Nordkorea.\n{sentence}",
            "published": "2025-01-03",
        },
        {
            "url": "https://c.example/undated",
            "text": f"Undatierter Bericht über Russland.\n{sentence}",
        },
        {
            "url": "https://a.example/early",
            "text": f"Früher Bericht aus Pjöngjang.\n{sentence}",
            "published": "2025-01-01",
        },
    ]
    path = tmp_path / "three.jsonl"
    path.write_text(jsonl(records), encoding="utf-8")
    ingest(store, [str(path)])
    result = trace(store, "Blut, Leben und Tod")
    assert [a.article.url for a in result.appearances] == [
        "https://a.example/early",
        "https://b.example/late",
        "https://c.example/undated",
    ]
    assert result.first is not None and result.first.article.url == "https://a.example/early"
    assert "1 undated appearance(s) could be earlier" in result.first_reason


def test_quote_that_appears_nowhere(seeded: Store) -> None:
    with pytest.raises(NotFoundError, match="appears in none of the 5 stored articles"):
        trace(seeded, "Diese Worte stehen nirgendwo")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "the quote is empty"),
        ("  “ ” ", "the quote is empty"),
        ("und", "too short to be meaningful"),
        ("ab cd", "too short"),
    ],
)
def test_empty_or_too_short_quote(seeded: Store, query: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        trace(seeded, query)


def test_database_with_no_articles(store: Store) -> None:
    with pytest.raises(InputError, match="the database holds no articles"):
        trace(store, "Blut, Leben und Tod")


def test_paragraphs_of_every_batch_are_in_the_search_index(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search index is filled once per batch: paragraphs of the first, middle and last batch
    must all be found.
    """
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    ingest(store, [str(SEEDS)])
    with store.reader() as reader:
        firsts = {
            article.id: article.body.split("\n")[0] for article in reader.all_articles()
        }  # a paragraph is a line of the body
        assert len(firsts) == 5
        for article_id, text in firsts.items():
            words = [word for word in re.findall(r"\w+", text) if len(word) > 3][:4]
            found = reader.search_paragraphs([words])
            assert article_id in {row[1] for row in found}, words


KRETSCHMER_DE = "Niemand, der jetzt sein Hab und Gut verliert, wird allein gelassen"
KRETSCHMER_FR = "Personne qui perd maintenant ses biens ne sera laissé seul"


@pytest.fixture
def flood(store: Store, tmp_path: Path) -> Store:
    """The German flood report and its French translation, linked."""
    path = tmp_path / "flood.jsonl"
    path.write_text(jsonl(flood_records()), encoding="utf-8")
    assert dict(ingest(store, [str(path)]).links) == {"translation": 1}
    return store


def test_a_quote_comes_from_its_speaker_not_from_an_agency_cited_for_something_else(
    flood: Store,
) -> None:
    result = trace(flood, KRETSCHMER_DE)
    german = result.appearances[0]
    assert (german.speaker, german.source) == ("Kretschmer", None)
    assert (result.origin_speaker, result.origin) == ("Kretschmer", None)
    assert "ČTK" not in result.origin_reason


@pytest.mark.parametrize(
    ("query", "found_by_words"),
    [(KRETSCHMER_DE, "de"), (KRETSCHMER_FR, "fr")],
    ids=["german", "french"],
)
def test_a_quote_traced_in_either_language_reaches_the_earliest_witness_through_the_translation_link(
    flood: Store, query: str, found_by_words: str
) -> None:
    result = trace(flood, query)
    assert [(a.article.language, a.translation_of is None) for a in result.appearances] == [
        ("de", found_by_words == "de"),
        ("fr", found_by_words == "fr"),
    ]
    assert result.first is not None and result.first.article.language == "de"
    translated = next(a for a in result.appearances if a.translation_of is not None)
    assert translated.quote == (KRETSCHMER_FR if found_by_words == "de" else KRETSCHMER_DE)
    assert not translated.exact and result.wordings == [query]
