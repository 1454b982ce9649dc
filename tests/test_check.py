"""check: is this article a repost, of what, how much, and on what evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.normalize import tokens
from provenance.pipeline import check, ingest, store_checked
from provenance.report import check_json, check_text
from provenance.store import Store

from .conftest import MERKUR_TITLE, MERKUR_URL, SEED_003, SEEDS, seed_body_without_footer
from .helpers import article_html, jsonl


def ingest_merkur_original(store: Store, folder: Path, published: str = "2025-01-02T09:00:00") -> None:
    """Store seed 003's body, without its footer, as the merkur.de original."""
    path = folder / "merkur.jsonl"
    path.write_text(jsonl([{"url": MERKUR_URL, "title": MERKUR_TITLE, "text": seed_body_without_footer(), "published": published, "outlet": "merkur.de"}]), encoding="utf-8")
    ingest(store, [str(path)])


def test_seed_003_is_a_repost_of_the_merkur_url_by_its_footer(store: Store) -> None:
    ingest(store, [str(SEEDS)])
    [result] = check(store, str(SEED_003))
    data = check_json([result])["results"][0]
    assert data["verdict"] == "repost"
    assert data["of"] == {"article_id": None, "url": MERKUR_URL, "outlet": None}
    assert data["markers"][0]["line"] == f"Информация на этой странице взята из источника: {MERKUR_URL}"
    assert data["markers"][0]["lang"] == "ru"
    assert data["matches"] == []


def test_seed_003_is_a_repost_of_the_stored_merkur_original(store: Store, tmp_path: Path) -> None:
    ingest_merkur_original(store, tmp_path)
    [result] = check(store, str(SEED_003))
    data = check_json([result])["results"][0]
    assert data["verdict"] == "repost"
    assert data["of"]["url"] == MERKUR_URL
    [match] = data["matches"]
    assert match["jaccard"] >= 0.95 and match["containment"] >= 0.95
    assert (match["kind"], match["role"], match["direction"]["status"]) == ("repost", "copy", "evidence")
    assert data["markers"][0]["stored_article_ids"] == [match["article_id"]]
    assert match["evidence"]["shared_passages"][0].startswith("Wladimir Putin und Kim Jong-un richten Neujahrsgrüße aneinander.")
    with store.reading() as session:
        stored_body = store.articles(session, [match["article_id"]])[match["article_id"]].body
    assert match["evidence"]["shared_words"] == len(tokens(stored_body))


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_no_seed_is_a_copy_of_another(store: Store, seed: Path) -> None:
    ingest(store, [str(path) for path in SEEDS.glob("*.txt") if path != seed])
    [result] = check(store, str(seed))
    assert result.matches == []
    assert result.verdict == ("repost" if seed == SEED_003 else "original")


def test_check_does_not_change_the_database_unless_asked(store: Store, tmp_path: Path) -> None:
    ingest_merkur_original(store, tmp_path)
    results = check(store, str(SEED_003))
    assert store.count_articles() == 1
    report = store_checked(store, results)
    assert (report.added, dict(report.links)) == (1, {"repost": 1})
    assert store.count_articles() == 2


def test_the_original_is_not_called_a_copy_of_its_repost(store: Store, tmp_path: Path) -> None:
    ingest(store, [str(SEED_003)])
    path = tmp_path / "merkur.jsonl"
    path.write_text(jsonl([{"url": MERKUR_URL, "title": MERKUR_TITLE, "text": seed_body_without_footer()}]), encoding="utf-8")
    [result] = check(store, str(path))
    assert result.verdict == "original"
    [match] = result.matches
    assert (match.kind, match.subject_role, match.direction.status) == ("repost", "origin", "evidence")


def test_later_copy_with_dates_is_a_repost_of_the_earlier(store: Store, tmp_path: Path) -> None:
    text = "\n".join(line for line in next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8").splitlines() if len(line.split()) > 12)
    (tmp_path / "a.jsonl").write_text(jsonl([{"url": "https://www.news.de/a", "text": text, "published": "2025-01-01"}]), encoding="utf-8")
    ingest(store, [str(tmp_path / "a.jsonl")])
    (tmp_path / "b.jsonl").write_text(jsonl([{"url": "https://copy.example/b", "text": "Hinweis der Redaktion: übernommen.\n" + text, "published": "2025-01-03"}]), encoding="utf-8")
    [result] = check(store, str(tmp_path / "b.jsonl"))
    assert result.verdict == "repost"
    [match] = result.matches
    assert match.direction.status == "dated" and match.subject_role == "copy"
    assert match.scores.reverse_containment == 1.0


def test_canonical_link_to_another_domain_is_a_repost_marker(store: Store, tmp_path: Path) -> None:
    page = tmp_path / "copy.html"
    page.write_text(article_html(url="https://copycat.example/bridge", canonical="https://springfield-news.example/bridge-closure"), encoding="utf-8")
    [result] = check(store, str(page))
    data = check_json([result])["results"][0]
    assert data["verdict"] == "repost"
    assert data["of"] == {"article_id": None, "url": "https://springfield-news.example/bridge-closure", "outlet": None}
    assert [(m["kind"], m["line"]) for m in data["markers"]] == [("canonical", "rel=canonical https://springfield-news.example/bridge-closure")]


def test_canonical_link_to_its_own_domain_is_no_marker(store: Store, tmp_path: Path) -> None:
    page = tmp_path / "own.html"
    page.write_text(article_html(url="https://springfield-news.example/bridge?utm=x", canonical="https://springfield-news.example/bridge-closure"), encoding="utf-8")
    [result] = check(store, str(page))
    assert (result.verdict, result.markers) == ("original", [])


def test_the_evidence_quotes_the_shared_and_changed_passages_as_written() -> None:
    from provenance.compare import align

    original = "Der Kreml-Chef traf Kim Jong Un in Pjöngjang.\nBeide sprachen über die Lage in der Ukraine und über Nordkoreas Raketen."
    copy = "Der Kreml-Chef traf Kim Jong Un in Pjöngjang.\nBeide sprachen über die Lage im Süden und über Nordkoreas Raketen."
    evidence = align(original, copy, min_words=3)
    assert evidence.shared == ["Der Kreml-Chef traf Kim Jong Un in Pjöngjang.\nBeide sprachen über die Lage".replace("\n", " "), "und über Nordkoreas Raketen"]
    assert evidence.changed == [("in der Ukraine", "im Süden")]
    assert evidence.shared_words == 17


def test_the_evidence_names_a_passage_the_copy_added_or_left_out() -> None:
    from provenance.compare import align

    original = "Kim Jong Un empfing den Kremlchef in Pjöngjang mit allen Ehren.\nDie Parade dauerte zwei Stunden."
    copy = "Startseite » Politik » Ausland\nKim Jong Un empfing den Kremlchef in Pjöngjang mit allen Ehren."
    evidence = align(original, copy, min_words=3)
    assert evidence.shared == ["Kim Jong Un empfing den Kremlchef in Pjöngjang mit allen Ehren"]
    assert sorted(evidence.changed) == [("", "Startseite » Politik » Ausland"), ("Die Parade dauerte zwei Stunden", "")]


def test_check_says_what_a_copy_added(store: Store, tmp_path: Path) -> None:
    ingest_merkur_original(store, tmp_path)
    copy = tmp_path / "copy.txt"
    copy.write_text("Kim preist Beziehung\nUnsere Redaktion hat diesen Beitrag für Sie ausgewählt und zusammengefasst\n" + seed_body_without_footer().split("\n", 1)[1], encoding="utf-8")
    [result] = check(store, str(copy))
    assert 'added: "Unsere Redaktion hat diesen Beitrag für Sie ausgewählt und zusammengefasst"' in check_text([result])
