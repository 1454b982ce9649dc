"""audit: clusters with origins, counts, outlets, sources, machine outputs, resumability and bad
input.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import update

from provenance.audit.build import run_audit
from provenance.audit.csv import write_csv
from provenance.audit.model import AUDIT_SCHEMA, Audit, InputProblem, audit_from_json, audit_json
from provenance.errors import InputError
from provenance.knowledge.registry import load_registry
from provenance.store.reader import StoreReader
from provenance.store.schema import Attribution
from provenance.store.store import Store

from .conftest import MERKUR_TITLE, MERKUR_URL, SEED_003, SEEDS, seed_body_without_footer
from .helpers import jsonl


def audit(store: Store, targets: list[str]) -> Audit:
    """Audit targets with the packaged registry."""
    return run_audit(store, targets, load_registry())


def syndication_corpus(folder: Path) -> Path:
    """An original, two reposts (one with a footer naming it), a partial copy and an unrelated
    article.
    """
    body = seed_body_without_footer().split("\n", 1)[1]
    paragraphs = [line for line in body.splitlines() if len(line.split()) > 12]
    other = next(SEEDS.glob("004_*.txt")).read_text(encoding="utf-8")
    records = [
        {
            "url": MERKUR_URL,
            "title": MERKUR_TITLE,
            "text": body,
            "published": "2025-01-02T09:00:00",
            "outlet": "merkur.de",
        },
        {
            "url": "https://copy-one.example/kim",
            "title": "Kim preist Beziehung",
            "text": body + "\nDieser Artikel erschien zuerst bei merkur.de.",
            "published": "2025-01-02T12:00:00",
        },
        {
            "url": "https://copy-two.example/kim",
            "title": "Kim und Putin",
            "text": body,
            "published": "2025-01-03T08:00:00",
        },
        {
            "url": "https://partial.example/kim",
            "title": "Auszug",
            "text": "\n".join(
                paragraphs[1:4]
                + [
                    "Ein eigener Absatz des Portals mit einer Einordnung der Lage in Nordkorea und Russland."
                ]
            ),
            "published": "2025-01-04T08:00:00",
        },
        {
            "url": "https://www.euronews.com/kim",
            "title": "Was planen Kim und Putin?",
            "text": other,
        },
    ]
    path = folder / "corpus.jsonl"
    path.write_text(jsonl(records), encoding="utf-8")
    return path


def test_seeds_have_no_cluster_one_repost_by_footer_and_their_sources(store: Store) -> None:
    result = audit(store, [str(SEEDS)])
    counts = result.counts
    assert (
        counts.articles,
        counts.clusters,
        counts.unique_stories,
        counts.reposts,
        counts.originals,
    ) == (5, 0, 5, 1, 4)
    [marked] = result.reposts_by_marker
    assert (marked.copied_from, marked.url) == ("merkur.de", MERKUR_URL)
    sources = {row.article_id: set(row.sources) for row in result.articles}
    assert {"KCNA", "Der Spiegel", "Reuters", "tagesschau.de"} <= sources[marked.article_id]
    assert all(sources.values())


def test_repost_markers_count_whatever_their_media_flag(store: Store) -> None:
    audit(store, [str(SEEDS)])
    with (
        store.engine.begin() as connection
    ):  # as the rows of a database upgraded from schema 0001 stand: media false
        connection.execute(
            update(Attribution).where(Attribution.kind == "copied_from").values(media=False)
        )
    result = audit(store, [str(SEEDS)])
    [marked] = result.reposts_by_marker
    assert (marked.copied_from, marked.url, result.counts.reposts) == ("merkur.de", MERKUR_URL, 1)


def test_syndicated_copies_form_one_cluster_with_its_origin(store: Store, tmp_path: Path) -> None:
    result = audit(store, [str(syndication_corpus(tmp_path))])
    [cluster] = result.clusters
    members = {m.url: m.role for m in cluster.members}
    assert members == {
        MERKUR_URL: "origin",
        "https://copy-one.example/kim": "repost",
        "https://copy-two.example/kim": "repost",
    }
    assert cluster.origin.determined
    assert {link.kind for link in cluster.links} == {"repost"}
    assert (
        result.counts.unique_stories,
        result.counts.partial_copies,
        result.counts.relations,
    ) == (3, 1, 1)
    [relation] = result.relations
    assert (
        relation.source.cluster_id,
        relation.taker.title,
        relation.determined,
        relation.kinds,
    ) == (cluster.id, "Auszug", True, ("partial",))
    assert (result.top_copied_outlets[0].outlet, result.top_copied_outlets[0].copied) == (
        "merkur.de",
        3,
    )
    assert all(link.shared_passages for link in cluster.links)


def test_a_clusters_chain_runs_from_the_origin_to_each_copy(store: Store, tmp_path: Path) -> None:
    """The drawn chain of a cluster is not only its origin's sources: every copy hangs off what it
    copied, by its link's kind.
    """
    [cluster] = audit(store, [str(syndication_corpus(tmp_path))]).clusters
    chain, origin = cluster.chain, f"article:{cluster.origin.article_id}"
    members = {f"article:{member.article_id}": member.role for member in cluster.members}
    assert set(members) <= {node.key for node in chain.nodes}
    copied = {
        hop.target: hop.kind
        for hop in chain.hops
        if hop.source in members and hop.target in members
    }
    assert copied == {key: role for key, role in members.items() if key != origin}
    assert chain.path[-1] == origin


def test_a_clusters_chain_starts_at_what_its_origin_names(store: Store, tmp_path: Path) -> None:
    """The page the origin's repost footer names (merkur.de) and the sources its text cites (KCNA,
    Spiegel, ...) are in the cluster's chain.
    """
    seed = SEED_003.read_text(encoding="utf-8")
    records = [
        {
            "url": "https://repost.example/kim",
            "title": "Kim",
            "text": seed,
            "published": "2025-01-02T09:00:00",
        },
        {
            "url": "https://second.example/kim",
            "title": "Kim",
            "text": seed,
            "published": "2025-01-03T09:00:00",
        },
    ]
    path = tmp_path / "reposts.jsonl"
    path.write_text(jsonl(records), encoding="utf-8")
    audit(store, [str(path)])
    with (
        store.engine.begin() as connection
    ):  # as the rows of a database upgraded from schema 0001 stand: media false
        connection.execute(
            update(Attribution).where(Attribution.kind == "copied_from").values(media=False)
        )
    [cluster] = audit(store, [str(path)]).clusters
    nodes = cluster.chain.nodes
    assert any(node.type == "page" and node.url == MERKUR_URL for node in nodes)
    assert {"KCNA", "Der Spiegel", "Reuters"} <= {
        node.label for node in nodes if node.type == "source"
    }
    assert cluster.chain.path[-1] == f"article:{cluster.origin.article_id}"


@pytest.mark.parametrize(
    "copy_first", [False, True], ids=["original-read-first", "copy-read-first"]
)
def test_a_light_edit_shows_its_changed_passage(
    store: Store, tmp_path: Path, copy_first: bool
) -> None:
    """The evidence of a lightly edited repost pairs what the original says with what the copy says
    instead, whichever was read first.
    """
    body = seed_body_without_footer().split("\n", 1)[1]
    assert "Pjöngjang" in body
    original = {
        "url": MERKUR_URL,
        "title": MERKUR_TITLE,
        "text": body,
        "published": "2025-01-02T09:00:00",
        "outlet": "merkur.de",
    }
    edit = {
        "url": "https://edit.example/kim",
        "title": "Kim und Putin",
        "text": body.replace("Pjöngjang", "der nordkoreanischen Hauptstadt", 1),
        "published": "2025-01-03T08:00:00",
    }
    path = tmp_path / "edit.jsonl"
    path.write_text(jsonl([edit, original] if copy_first else [original, edit]), encoding="utf-8")
    [cluster] = audit(store, [str(path)]).clusters
    [link] = cluster.links
    roles = {member.url: member.role for member in cluster.members}
    assert (link.kind, roles[MERKUR_URL], roles[edit["url"]]) == ("repost", "origin", "repost")
    assert ("Pjöngjang", "der nordkoreanischen Hauptstadt") in link.changed_passages


def test_audit_resumes_without_redoing_or_duplicating(store: Store, tmp_path: Path) -> None:
    corpus = syndication_corpus(tmp_path)
    first = audit(store, [str(corpus)])
    second = audit(store, [str(corpus)])
    assert (second.corpus.added, second.corpus.already_stored) == (0, 5)
    assert second.counts == first.counts
    assert store.count_articles() == 5


def test_one_bad_file_is_listed_and_never_stops_the_audit(store: Store, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(SEED_003.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "broken.html").write_text(
        "<html><body><nav>Home</nav></body></html>", encoding="utf-8"
    )
    result = audit(store, [str(tmp_path)])
    assert result.counts.articles == 1
    assert result.failures == (
        InputProblem(
            origin=str(tmp_path / "broken.html"),
            reason="HTML holds no article text that trafilatura could find (1 words)",
        ),
    )
    assert (
        audit_json(result)["failures"]
        == audit_json(result)["corpus"]["failures"]
        == [{"origin": str(tmp_path / "broken.html"), "reason": result.failures[0].reason}]
    )


@pytest.mark.parametrize("layout", ["empty", "unreadable"])
def test_a_folder_without_readable_articles_is_an_error(
    store: Store, tmp_path: Path, layout: str
) -> None:
    if layout == "unreadable":
        (tmp_path / "a.txt").write_bytes(b"")
        (tmp_path / "b.html").write_text("<html></html>", encoding="utf-8")
    with pytest.raises(InputError, match="no readable articles|holds no readable articles"):
        audit(store, [str(tmp_path)])


def test_csv_files(store: Store, tmp_path: Path) -> None:
    result = audit(store, [str(syndication_corpus(tmp_path))])
    written = write_csv(result, store, tmp_path / "out")
    assert [path.name for path in written] == [
        "articles.csv",
        "links.csv",
        "clusters.csv",
        "attributions.csv",
        "passages.csv",
        "quotes.csv",
    ]
    with (tmp_path / "out" / "links.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(result.clusters[0].links) + sum(
        len(relation.links) for relation in result.relations
    )
    assert {row["cluster_id"] for row in rows} == {str(result.clusters[0].id), ""}
    assert list(rows[0]) == [
        "origin_id",
        "copy_id",
        "kind",
        "jaccard",
        "alignment_score",
        "containment",
        "reverse_containment",
        "direction",
        "direction_reason",
        "cluster_id",
    ]
    with (tmp_path / "out" / "articles.csv").open(encoding="utf-8") as handle:
        articles = list(csv.DictReader(handle))
    assert [row["article_id"] for row in articles] == [
        str(article.article_id) for article in result.articles
    ]
    assert articles[0]["sources"] == ";".join(result.articles[0].sources)


def test_csv_files_read_attributions_and_quotes_a_chunk_of_articles_at_a_time(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = audit(store, [str(SEEDS)])
    whole = [path.read_bytes() for path in write_csv(result, store, tmp_path / "whole")]
    asked: list[list[int]] = []

    def counted(
        original: Callable[[StoreReader, list[int]], list[object]],
    ) -> Callable[[StoreReader, list[int]], list[object]]:
        def read(reader: StoreReader, ids: list[int]) -> list[object]:
            asked.append(list(ids))
            return original(reader, ids)

        return read

    for method in ("attribution_records", "quote_records"):
        monkeypatch.setattr(StoreReader, method, counted(getattr(StoreReader, method)))
    monkeypatch.setattr("provenance.audit.csv.CSV_CHUNK", 2)
    chunked = [path.read_bytes() for path in write_csv(result, store, tmp_path / "chunked")]
    assert chunked == whole
    assert (
        b"KCNA" in whole[3] and len(whole[5].splitlines()) > 1
    )  # the seeds' attributions and quotes
    assert asked == [[1, 2], [3, 4], [5]] * 2


# --- the audit as JSON --------------------------------------------------------------------------


def test_the_json_has_the_schemas_keys_in_order_and_reads_back_as_the_same_audit(
    store: Store, tmp_path: Path
) -> None:
    """audit_json writes the provenance.audit/2 document (a hop's ends as "from" and "to"), and
    audit_from_json reads it back whole.
    """
    result = audit(store, [str(SEEDS), str(syndication_corpus(tmp_path))])
    document = audit_json(result)
    assert list(document) == [
        "schema",
        "generated_at",
        "corpus",
        "counts",
        "clusters",
        "relations",
        "passages",
        "boilerplate",
        "reposts_by_marker",
        "articles",
        "top_copying_outlets",
        "top_copied_outlets",
        "top_sources",
        "undated",
        "failures",
    ]
    assert document["schema"] == AUDIT_SCHEMA == "provenance.audit/2"
    assert list(document["counts"]) == [name for name, _ in result.counts.items()]
    cluster = document["clusters"][0]
    assert list(cluster) == ["id", "size", "title", "origin", "members", "links", "chain"]
    assert list(cluster["chain"]["hops"][0]) == [
        "from",
        "to",
        "kind",
        "confidence",
        "evidence",
        "note",
        "main",
    ]
    assert list(cluster["members"][0]) == [
        "article_id",
        "title",
        "url",
        "outlet",
        "domain",
        "published",
        "published_precision",
        "language",
        "role",
    ]
    assert list(document["articles"][0]) == [*cluster["members"][0]][:-1] + [
        "cluster_id",
        "role",
        "sources",
    ]
    assert all(
        isinstance(pair, list) for link in cluster["links"] for pair in link["changed_passages"]
    )
    text = json.dumps(document, ensure_ascii=False, indent=2)
    assert json.loads(text) == document
    assert audit_from_json(json.loads(text)) == result


def test_reading_json_refuses_another_schema_and_a_wrong_value(store: Store) -> None:
    document = audit_json(audit(store, [str(SEEDS)]))
    with pytest.raises(InputError, match="'provenance.check/1', expected 'provenance.audit/2'"):
        audit_from_json({**document, "schema": "provenance.check/1"})
    with pytest.raises(InputError, match=r"Audit.counts.articles is 'five', not int"):
        audit_from_json({**document, "counts": {**document["counts"], "articles": "five"}})
    with pytest.raises(InputError, match=r"Audit.articles\[0\].sources is 'KCNA', not tuple"):
        audit_from_json({**document, "articles": [{**document["articles"][0], "sources": "KCNA"}]})


def test_the_audit_is_immutable(store: Store) -> None:
    result = audit(store, [str(SEEDS)])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.counts.articles = 0  # type: ignore[misc]
