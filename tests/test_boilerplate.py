"""Boilerplate learned from the corpus, and titles: a box an outlet repeats is furniture, never text
or a title; page furniture at the top is no headline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from provenance.audit.build import run_audit
from provenance.audit.html import render_report
from provenance.audit.model import audit_json
from provenance.ingest.run import ingest
from provenance.knowledge.registry import load_registry
from provenance.store.store import Store
from provenance.text.normalize import as_headline, headline_index

from .helpers import article_html, jsonl
from .test_clusters import story

BOX = "Geben Sie Ihre Stadt oder Postleitzahl ein"
"""A weather widget's line that one outlet prints above every article."""


def boxed(seed: str, outlet: str = "lokal.example") -> dict[str, Any]:
    """An article of the outlet as a plain text saved from its page: the box, the headline, the
    story; no title given.
    """
    paragraphs = story(seed)
    return {
        "url": f"https://{outlet}/{seed}",
        "text": "\n".join([BOX, f"Bericht {seed}: Nordkorea und Russland", *paragraphs]),
        "published": f"2025-01-0{int(seed[-1]) + 1}T09:00:00Z",
    }


def stored_articles(store: Store) -> dict[str, Any]:
    with store.reader() as reader:
        ids = range(1, 20)
        summaries = reader.article_summaries(ids)
        full = reader.articles(list(summaries))
    return {summaries[i].url or "": full[i] for i in summaries}


def test_a_box_an_outlet_repeats_is_learned_within_one_batch(store: Store, tmp_path: Path) -> None:
    """Four independent stories of one outlet under one box: the box is furniture of each, no title,
    and listed as learned.
    """
    path = tmp_path / "lokal.jsonl"
    path.write_text(jsonl([boxed(seed) for seed in ("000", "001", "002", "004")]), encoding="utf-8")
    audit = run_audit(store, [str(path)], load_registry())
    result = audit_json(audit)
    articles = stored_articles(store)
    assert len(articles) == 4
    for url, article in articles.items():
        assert article.title == f"Bericht {url[-3:]}: Nordkorea und Russland"
        assert BOX not in article.body
        assert {"line": BOX, "kind": "boilerplate"} in article.furniture
    assert result["boilerplate"] == [
        {"outlet": "lokal.example", "outlet_key": "lokal.example", "lines": [BOX]}
    ]
    assert (
        result["counts"]["boilerplate_lines"] == 1
        and result["clusters"] == []
        and result["passages"] == []
    )
    assert BOX in render_report(audit).split('id="boilerplate"', 1)[1].split("</section>", 1)[0]


def test_a_learned_box_is_furniture_in_the_outlets_later_articles(
    store: Store, tmp_path: Path
) -> None:
    first = tmp_path / "first.jsonl"
    first.write_text(jsonl([boxed(seed) for seed in ("000", "001", "002")]), encoding="utf-8")
    ingest(store, [str(first)])
    later = tmp_path / "later.jsonl"
    later.write_text(jsonl([boxed("004"), boxed("004", outlet="other.example")]), encoding="utf-8")
    ingest(store, [str(later)])
    articles = stored_articles(store)
    assert BOX not in articles["https://lokal.example/004"].body
    assert (
        articles["https://other.example/004"].title == BOX
    )  # another outlet's line, not learned there: its first line, as ever


def test_versions_of_one_story_at_one_outlet_teach_no_boilerplate(
    store: Store, tmp_path: Path
) -> None:
    """An outlet's updates of one story repeat its lines: they are one text, not three articles that
    share a box.
    """
    versions = [
        boxed("000")
        | {
            "url": f"https://lokal.example/000-v{n}",
            "text": boxed("000")["text"] + f"\nAktualisiert: Version {n} mit einem neuen Satz.",
        }
        for n in range(4)
    ]
    path = tmp_path / "versions.jsonl"
    path.write_text(jsonl(versions), encoding="utf-8")
    result = audit_json(run_audit(store, [str(path)], load_registry()))
    assert result["boilerplate"] == []
    assert all(
        line["kind"] != "boilerplate"
        for article in stored_articles(store).values()
        for line in article.furniture
    )


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (
            ["2 Hours Ago | 04:15", "Census question could transform state elections", "The body."],
            "Census question could transform state elections",
        ),
        (
            ["Sunday, Jul 15th 2018 5-Day Forecast", "Storm hits the coast", "The body."],
            "Storm hits the coast",
        ),
        (
            [
                "Share on Facebook Share on Twitter Email",
                "By The Associated Press",
                "Storm hits the coast",
                "The body.",
            ],
            "Storm hits the coast",
        ),
        (
            ["Photo: a flooded street (AP Photo/John Doe)", "Storm hits the coast", "The body."],
            "Storm hits the coast",
        ),
        (["TERRY GROSS, HOST:", "Storm hits the coast", "The body."], "Storm hits the coast"),
        (["Storm hits the coast", "The body."], "Storm hits the coast"),
    ],
)
def test_a_first_line_that_is_page_furniture_is_no_headline(lines: list[str], title: str) -> None:
    found = headline_index(lines)
    assert found is not None and lines[found] == title


def test_a_lead_paragraph_gives_its_first_sentence_as_title() -> None:
    lead = "The storm reached the coast on Sunday night and flooded the harbour. " + " ".join(
        ["More words of the lead follow here."] * 6
    )
    assert (
        as_headline(lead) == "The storm reached the coast on Sunday night and flooded the harbour."
    )


def test_a_pages_title_comes_from_its_metadata_not_its_first_line(
    store: Store, tmp_path: Path
) -> None:
    page = article_html(title="Springfield closes its old steel bridge for repairs").replace(
        "<article>", "<article><p>Enter City and State or Zip Code</p>"
    )
    (tmp_path / "bridge.html").write_text(page, encoding="utf-8")
    ingest(store, [str(tmp_path / "bridge.html")])
    [article] = stored_articles(store).values()
    assert article.title == "Springfield closes its old steel bridge for repairs"


def test_the_times_that_head_a_live_blogs_entries_are_not_boilerplate(
    store: Store, tmp_path: Path
) -> None:
    """ "12:30 p.m." heads entries of an outlet's live blogs again and again: it is their structure,
    not a box.
    """
    records = [
        boxed(seed) | {"text": boxed(seed)["text"].replace(BOX, "12:30 p.m.")}
        for seed in ("000", "001", "002", "004")
    ]
    path = tmp_path / "live.jsonl"
    path.write_text(jsonl(records), encoding="utf-8")
    assert audit_json(run_audit(store, [str(path)], load_registry()))["boilerplate"] == []
