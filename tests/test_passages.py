"""Passage reuse: a paragraph found in the articles of several outlets, with its witnesses' offsets,
the first of them and its source.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from provenance.audit.build import run_audit
from provenance.audit.csv import write_csv
from provenance.audit.html import render_report
from provenance.audit.model import audit_json
from provenance.ingest.run import ingest
from provenance.ingest.verdicts import check
from provenance.knowledge.registry import load_registry
from provenance.match.compare import shared_spans
from provenance.render.check import check_json
from provenance.store.store import Store

from .helpers import jsonl
from .test_clusters import record, story

STATEMENT = (
    "Wie die Nachrichtenagentur KCNA am Abend berichtete, wollen beide Regierungen ihre Zusammenarbeit in der "
    "Landwirtschaft, im Verkehr und in der Forschung in den kommenden fünf Jahren deutlich ausbauen, neue "
    "Bahnverbindungen zwischen Wladiwostok und Rason eröffnen und jedes Jahr zweihundert Studierende austauschen, "
    "um die Freundschaft der Völker zu festigen"
)
"""A statement of 48 words that three otherwise different stories quote whole."""


def with_statement(paragraphs: list[str]) -> list[str]:
    return [*paragraphs[:2], STATEMENT + ".", *paragraphs[2:5]]


def corpus(folder: Path) -> Path:
    records = [
        record("first.example", with_statement(story("000")), "2025-01-02T09:00:00Z", "Erste"),
        record("second.example", with_statement(story("001")), "2025-01-02T15:00:00Z", "Zweite"),
        record("third.example", with_statement(story("004")), "2025-01-03T08:00:00Z", "Dritte"),
    ]
    path = folder / "corpus.jsonl"
    path.write_text(jsonl(records), encoding="utf-8")
    return path


def test_a_statement_three_outlets_quote_is_one_passage_with_its_witnesses(
    store: Store, tmp_path: Path
) -> None:
    result = audit_json(run_audit(store, [str(corpus(tmp_path))], load_registry()))
    assert result["clusters"] == [] and result["counts"]["reused_passages"] == 1
    [passage] = result["passages"]
    assert (passage["outlets"], passage["words"], passage["source"]) == (
        3,
        len(STATEMENT.split()),
        "KCNA",
    )
    assert [w["title"] for w in passage["witnesses"]] == ["Erste", "Zweite", "Dritte"]
    with store.reader() as reader:
        bodies = {
            article_id: text.body
            for article_id, text in reader.stored_texts(
                [w["article_id"] for w in passage["witnesses"]]
            ).items()
        }
    assert [bodies[w["article_id"]][w["start"] : w["end"]] for w in passage["witnesses"]] == [
        STATEMENT
    ] * 3
    assert passage["first"]["article_id"] == passage["witnesses"][0]["article_id"]
    assert "2025-01-02 09:00 UTC" in passage["first"]["reason"]


def test_passages_csv_gives_a_row_per_witness(store: Store, tmp_path: Path) -> None:
    result = run_audit(store, [str(corpus(tmp_path))], load_registry())
    write_csv(result, store, tmp_path / "out")
    with (tmp_path / "out" / "passages.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["outlet"], row["first"], row["source"]) for row in rows] == [
        ("first.example", "True", "KCNA"),
        ("second.example", "False", "KCNA"),
        ("third.example", "False", "KCNA"),
    ]
    assert all(int(row["end"]) - int(row["start"]) == len(STATEMENT) for row in rows)


def test_the_html_report_lists_the_passage_and_its_witnesses(store: Store, tmp_path: Path) -> None:
    page = render_report(run_audit(store, [str(corpus(tmp_path))], load_registry()))
    section = page.split('id="passages"', 1)[1].split("</section>", 1)[0]
    assert STATEMENT[:60] in section and "credited to KCNA" in section
    assert [title in section for title in ("Erste", "Zweite", "Dritte")] == [True] * 3


def test_check_shows_where_else_a_passage_appears_and_where_first(
    store: Store, tmp_path: Path
) -> None:
    ingest(store, [str(corpus(tmp_path))])
    page = tmp_path / "fourth.jsonl"
    page.write_text(
        jsonl(
            [
                record(
                    "fourth.example", with_statement(story("002")), "2025-01-04T08:00:00Z", "Vierte"
                )
            ]
        ),
        encoding="utf-8",
    )
    [result] = check(store, str(page))
    data: dict[str, Any] = check_json([result])["results"][0]
    assert data["verdict"] == "original" and data["matches"] == []
    [passage] = data["passages"]
    assert passage["words"] == len(STATEMENT.split()) and passage["passage_id"] is not None
    assert [where["title"] for where in passage["elsewhere"]] == ["Erste", "Zweite", "Dritte"]
    assert passage["first"]["article_id"] == passage["elsewhere"][0]["article_id"]
    assert result.passages[0].text == STATEMENT


def test_articles_of_one_outlet_sharing_a_paragraph_are_no_reuse(
    store: Store, tmp_path: Path
) -> None:
    """Text an outlet repeats across its own stories is its own, not a passage that travelled."""
    records = [
        record("same.example", with_statement(story(seed)), f"2025-01-0{day}T09:00:00Z", seed)
        for day, seed in ((2, "000"), (3, "004"))
    ]
    records[1]["url"] = "https://same.example/other-story"
    path = tmp_path / "same.jsonl"
    path.write_text(jsonl(records), encoding="utf-8")
    result = audit_json(run_audit(store, [str(path)], load_registry()))
    assert (result["counts"]["articles"], result["passages"]) == (2, [])


def test_articles_stored_before_schema_0011_join_the_passages_of_new_ones(
    db_url: str, tmp_path: Path
) -> None:
    """An 0010 database (0011 only adds tables) is upgraded on open; its articles become witnesses
    when new articles share their text.
    """
    records = corpus(tmp_path).read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "old.jsonl").write_text(records[0], encoding="utf-8")
    (tmp_path / "new.jsonl").write_text("".join(records[1:]), encoding="utf-8")
    store = Store(db_url)
    ingest(store, [str(tmp_path / "old.jsonl")])
    store.close()
    engine = create_engine(db_url)
    with engine.begin() as connection:
        for table in ("boilerplate_lines", "outlet_lines", "passage_witnesses", "passages"):
            connection.execute(text(f"DROP TABLE {table}"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0010'"))
    engine.dispose()
    store = Store(db_url)
    try:
        result = audit_json(run_audit(store, [str(tmp_path / "new.jsonl")], load_registry()))
    finally:
        store.close()
    [passage] = result["passages"]
    assert [w["title"] for w in passage["witnesses"]] == ["Erste", "Zweite", "Dritte"]


def test_a_passage_starts_and_ends_with_the_shared_paragraph() -> None:
    """Words that match by chance across a paragraph break ("… zu unterstützen." before both) are
    not part of the passage; its own first words are.
    """
    first = (
        "Die Regierung hat angekündigt, die Bauern zu unterstützen.\n"
        + STATEMENT
        + ".\nDer Präsident reiste am Montag ab."
    )
    second = (
        "Die Opposition forderte, die Opfer zu unterstützen.\n"
        + STATEMENT
        + ".\nDer Präsident schwieg dazu."
    )
    [span] = shared_spans(first, second)
    assert (
        first[span.first_start : span.first_end]
        == STATEMENT
        == second[span.second_start : span.second_end]
    )
    lead = "Der nordkoreanische Staatschef Kim Jong Un und sein Amtskollege"
    [span] = shared_spans(
        f"Der Bericht.\n{lead} {STATEMENT}", f"Der Kommentar: der Streit.\n{lead} {STATEMENT}"
    )
    assert span.words == len(lead.split()) + len(STATEMENT.split())


def test_a_tie_between_sources_goes_to_the_one_the_first_witness_credits_first() -> None:
    """Two sources credited by as many witnesses: the first witness's first credit names the
    passage, whatever the string hashes (it went by set order, which PYTHONHASHSEED changes).
    """
    from provenance.graph.passages import _source
    from provenance.match.passages import Witness
    from provenance.store.records import AttributionRecord

    def wire(article_id: int, name: str) -> AttributionRecord:
        return AttributionRecord(article_id, name, "agency", "wire", "(…) —", "", 0, 5, "body")

    witnesses = [Witness(1, 1, 0, 100), Witness(1, 2, 0, 100)]
    for first, second in (("Reuters", "AP"), ("AP", "Reuters")):
        credits = {1: [wire(1, first), wire(1, second)], 2: [wire(2, second), wire(2, first)]}
        assert _source(witnesses, credits) == first
