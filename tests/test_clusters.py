"""Copy clusters: one story and its copies, never chained through partial copies, which are
relations between stories.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from provenance.audit.build import run_audit
from provenance.audit.model import audit_json
from provenance.knowledge.registry import load_registry
from provenance.store.store import Store

from .conftest import SEEDS
from .helpers import jsonl


def story(seed: str) -> list[str]:
    """The paragraphs of a seed's article (the seeds are distinct stories, none a copy of another)."""
    text = next(SEEDS.glob(f"{seed}_*.txt")).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if len(line.split()) > 25]


def record(
    outlet: str, paragraphs: list[str], published: str, title: str | None = None
) -> dict[str, Any]:
    return {
        "url": f"https://{outlet}/story",
        "title": title or outlet,
        "text": "\n".join(paragraphs),
        "published": published,
    }


def audit_of(store: Store, folder: Path, records: list[dict[str, Any]]) -> dict[str, Any]:
    path = folder / "corpus.jsonl"
    path.write_text(jsonl(records), encoding="utf-8")
    return audit_json(run_audit(store, [str(path)], load_registry()))


def ids_by_outlet(result: dict[str, Any], store: Store) -> dict[str, int]:
    with store.reader() as reader:
        summaries = reader.article_summaries(range(1, result["counts"]["articles"] + 1))
    return {summary.domain or "": summary.id for summary in summaries.values()}


def test_a_chain_of_partial_copies_is_no_cluster(store: Store, tmp_path: Path) -> None:
    """B takes half of A and half of C; A and C share nothing: two relations, and no cluster holds A
    and C.
    """
    a, c = story("000"), story("004")
    records = [
        record("a.example", a, "2025-01-02T09:00:00Z"),
        record("b.example", a[:3] + c[:3], "2025-01-03T09:00:00Z"),
        record("c.example", c, "2025-01-01T09:00:00Z"),
    ]
    result = audit_of(store, tmp_path, records)
    ids = ids_by_outlet(result, store)
    assert result["clusters"] == []
    assert (result["counts"]["unique_stories"], result["counts"]["partial_copies"]) == (3, 1)
    related = {
        (r["source"]["article_id"], r["taker"]["article_id"], r["determined"], tuple(r["kinds"]))
        for r in result["relations"]
    }
    assert related == {
        (ids["a.example"], ids["b.example"], True, ("partial",)),
        (ids["c.example"], ids["b.example"], True, ("partial",)),
    }


def test_copies_of_two_stories_stay_two_clusters_when_a_third_takes_from_both(
    store: Store, tmp_path: Path
) -> None:
    """Each story has reposts; an article taking paragraphs from both joins neither cluster and
    links them by relations only.
    """
    a, c = story("000"), story("004")
    records = [
        record("a.example", a, "2025-01-02T09:00:00Z"),
        record("a-copy.example", a, "2025-01-02T12:00:00Z"),
        record(
            "a-copy2.example",
            [*a, "Dieser Artikel erschien zuerst bei a.example."],
            "2025-01-02T13:00:00Z",
        ),
        record("c.example", c, "2025-01-01T09:00:00Z"),
        record("c-copy.example", c, "2025-01-01T10:00:00Z"),
        record("b.example", a[:3] + c[:3], "2025-01-03T09:00:00Z"),
    ]
    result = audit_of(store, tmp_path, records)
    ids = ids_by_outlet(result, store)
    members = sorted(
        sorted(member["article_id"] for member in cluster["members"])
        for cluster in result["clusters"]
    )
    assert members == sorted(
        [
            sorted([ids["a.example"], ids["a-copy.example"], ids["a-copy2.example"]]),
            sorted([ids["c.example"], ids["c-copy.example"]]),
        ]
    )
    cluster_of = {
        member["article_id"]: cluster["id"]
        for cluster in result["clusters"]
        for member in cluster["members"]
    }
    origins = {cluster["origin"]["article_id"] for cluster in result["clusters"]}
    assert origins == {ids["a.example"], ids["c.example"]}
    sources = {r["source"]["cluster_id"] for r in result["relations"]}
    assert sources == {cluster_of[ids["a.example"]], cluster_of[ids["c.example"]]}
    assert {r["taker"]["article_id"] for r in result["relations"]} == {ids["b.example"]}
    assert all(
        r["largest_share"]["share"] >= 0.3 and r["shared_passages"] for r in result["relations"]
    )


def test_a_writethru_chain_is_not_one_cluster(store: Store, tmp_path: Path) -> None:
    """A; A' with its second half rewritten; A'' with the first half of A' rewritten: A and A''
    share nothing, and each step is a relation, not a cluster.
    """
    a, rewrite = story("004"), story("000")
    records = [
        record("wire.example", a, "2025-01-01T09:00:00Z", "First"),
        record("wire2.example", a[:4] + rewrite[:4], "2025-01-01T11:00:00Z", "Second"),
        record("wire3.example", story("001")[:4] + rewrite[:4], "2025-01-01T13:00:00Z", "Third"),
    ]
    result = audit_of(store, tmp_path, records)
    assert result["clusters"] == []
    assert {(r["source"]["title"], r["taker"]["title"]) for r in result["relations"]} == {
        ("First", "Second"),
        ("Second", "Third"),
    }


def test_the_terminal_lists_a_few_copies_of_a_large_cluster_and_how_many_more(
    run_cli: Any, tmp_path: Path
) -> None:
    a = story("000")
    records = [record("origin.example", a, "2025-01-01T08:00:00Z")] + [
        record(f"copy{n}.example", a, f"2025-01-0{n + 2}T08:00:00Z") for n in range(6)
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text(jsonl(records), encoding="utf-8")
    result = run_cli("audit", str(path))
    assert result.exit_code == 0, result.output
    assert "+2 more" in result.output
    assert "#5 repost" in result.output and "#6 repost" not in result.output
