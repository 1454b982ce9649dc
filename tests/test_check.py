"""check: is this article a repost, of what, how much, and on what evidence."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from provenance.ingest.run import ingest, store_checked
from provenance.ingest.verdicts import CheckResult, check, relation_of
from provenance.render.check import check_json, check_text
from provenance.store.store import Store
from provenance.text.normalize import tokens

from .conftest import MERKUR_TITLE, MERKUR_URL, SEED_003, SEEDS, seed_body_without_footer
from .helpers import article_html, jsonl, warc_bytes


def ingest_merkur_original(
    store: Store, folder: Path, published: str = "2025-01-02T09:00:00"
) -> None:
    """Store seed 003's body, without its footer, as the merkur.de original."""
    path = folder / "merkur.jsonl"
    path.write_text(
        jsonl(
            [
                {
                    "url": MERKUR_URL,
                    "title": MERKUR_TITLE,
                    "text": seed_body_without_footer(),
                    "published": published,
                    "outlet": "merkur.de",
                }
            ]
        ),
        encoding="utf-8",
    )
    ingest(store, [str(path)])


def test_seed_003_is_a_repost_of_the_merkur_url_by_its_footer(store: Store) -> None:
    ingest(store, [str(path) for path in SEEDS.glob("*.txt") if path != SEED_003])
    [result] = check(store, str(SEED_003))
    data = check_json([result])["results"][0]
    assert (data["verdict"], data["kind"], data["copies_something"]) == ("copy", "repost", True)
    assert data["of"] == {"article_id": None, "url": MERKUR_URL, "outlet": None}
    assert (
        data["markers"][0]["line"]
        == f"Информация на этой странице взята из источника: {MERKUR_URL}"
    )
    assert data["markers"][0]["lang"] == "ru"
    assert data["matches"] == []


def test_seed_003_is_a_repost_of_the_stored_merkur_original(store: Store, tmp_path: Path) -> None:
    ingest_merkur_original(store, tmp_path)
    [result] = check(store, str(SEED_003))
    data = check_json([result])["results"][0]
    assert (data["verdict"], data["kind"]) == ("copy", "repost")
    assert data["of"]["url"] == MERKUR_URL
    [match] = data["matches"]
    assert match["jaccard"] >= 0.95 and match["containment"] >= 0.95
    assert (match["kind"], match["relation"], match["direction"]["status"]) == (
        "repost",
        "copy_of",
        "evidence",
    )
    assert data["markers"][0]["stored_article_ids"] == [match["article_id"]]
    assert match["evidence"]["shared_passages"][0].startswith(
        "Wladimir Putin und Kim Jong-un richten Neujahrsgrüße aneinander."
    )
    with store.reader() as reader:
        stored_body = reader.articles([match["article_id"]])[match["article_id"]].body
    assert match["evidence"]["shared_words"] == len(tokens(stored_body))


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_no_seed_is_a_copy_of_another(store: Store, seed: Path) -> None:
    ingest(store, [str(path) for path in SEEDS.glob("*.txt") if path != seed])
    [result] = check(store, str(seed))
    assert result.matches == []
    assert result.verdict == ("copy" if seed == SEED_003 else "original")


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
    path.write_text(
        jsonl([{"url": MERKUR_URL, "title": MERKUR_TITLE, "text": seed_body_without_footer()}]),
        encoding="utf-8",
    )
    [result] = check(store, str(path))
    assert (result.verdict, result.is_copy) == ("copied_by", False)
    [match] = result.matches
    assert (match.kind, match.subject_role, match.direction.status) == (
        "repost",
        "origin",
        "evidence",
    )


def test_later_copy_with_dates_is_a_repost_of_the_earlier(store: Store, tmp_path: Path) -> None:
    text = "\n".join(
        line
        for line in next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8").splitlines()
        if len(line.split()) > 12
    )
    (tmp_path / "a.jsonl").write_text(
        jsonl([{"url": "https://www.news.de/a", "text": text, "published": "2025-01-01"}]),
        encoding="utf-8",
    )
    ingest(store, [str(tmp_path / "a.jsonl")])
    (tmp_path / "b.jsonl").write_text(
        jsonl(
            [
                {
                    "url": "https://copy.example/b",
                    "text": "Hinweis der Redaktion: übernommen.\n" + text,
                    "published": "2025-01-03",
                }
            ]
        ),
        encoding="utf-8",
    )
    [result] = check(store, str(tmp_path / "b.jsonl"))
    assert (result.verdict, result.kind) == ("copy", "repost")
    [match] = result.matches
    assert match.direction.status == "dated" and match.subject_role == "copy"
    assert match.scores.reverse_containment == 1.0


def test_canonical_link_to_another_domain_is_a_repost_marker(store: Store, tmp_path: Path) -> None:
    page = tmp_path / "copy.html"
    page.write_text(
        article_html(
            url="https://copycat.example/bridge",
            canonical="https://springfield-news.example/bridge-closure",
        ),
        encoding="utf-8",
    )
    [result] = check(store, str(page))
    data = check_json([result])["results"][0]
    assert (data["verdict"], data["kind"]) == ("copy", "repost")
    assert data["of"] == {
        "article_id": None,
        "url": "https://springfield-news.example/bridge-closure",
        "outlet": None,
    }
    assert [(m["kind"], m["line"]) for m in data["markers"]] == [
        ("canonical", "rel=canonical https://springfield-news.example/bridge-closure")
    ]


def test_canonical_link_to_its_own_domain_is_no_marker(store: Store, tmp_path: Path) -> None:
    page = tmp_path / "own.html"
    page.write_text(
        article_html(
            url="https://springfield-news.example/bridge?utm=x",
            canonical="https://springfield-news.example/bridge-closure",
        ),
        encoding="utf-8",
    )
    [result] = check(store, str(page))
    assert (result.verdict, result.markers) == ("original", [])


def test_the_evidence_quotes_the_shared_and_changed_passages_as_written() -> None:
    from provenance.match.compare import align

    original = "Der Kreml-Chef traf Kim Jong Un in Pjöngjang.\nBeide sprachen über die Lage in der Ukraine und über Nordkoreas Raketen."
    copy = "Der Kreml-Chef traf Kim Jong Un in Pjöngjang.\nBeide sprachen über die Lage im Süden und über Nordkoreas Raketen."
    evidence = align(original, copy, min_words=3)
    assert evidence.shared == [
        "Der Kreml-Chef traf Kim Jong Un in Pjöngjang.\nBeide sprachen über die Lage".replace(
            "\n", " "
        ),
        "und über Nordkoreas Raketen",
    ]
    assert evidence.changed == [("in der Ukraine", "im Süden")]
    assert evidence.shared_words == 17


def test_the_evidence_names_a_passage_the_copy_added_or_left_out() -> None:
    from provenance.match.compare import align

    original = "Kim Jong Un empfing den Kremlchef in Pjöngjang mit allen Ehren.\nDie Parade dauerte zwei Stunden."
    copy = "Startseite » Politik » Ausland\nKim Jong Un empfing den Kremlchef in Pjöngjang mit allen Ehren."
    evidence = align(original, copy, min_words=3)
    assert evidence.shared == ["Kim Jong Un empfing den Kremlchef in Pjöngjang mit allen Ehren"]
    assert sorted(evidence.changed) == [
        ("", "Startseite » Politik » Ausland"),
        ("Die Parade dauerte zwei Stunden", ""),
    ]


def test_check_says_what_a_copy_added(store: Store, tmp_path: Path) -> None:
    ingest_merkur_original(store, tmp_path)
    copy = tmp_path / "copy.txt"
    copy.write_text(
        "Kim preist Beziehung\nUnsere Redaktion hat diesen Beitrag für Sie ausgewählt und zusammengefasst\n"
        + seed_body_without_footer().split("\n", 1)[1],
        encoding="utf-8",
    )
    [result] = check(store, str(copy))
    assert (
        'added: "Unsere Redaktion hat diesen Beitrag für Sie ausgewählt und zusammengefasst"'
        in check_text([result])
    )


# ---- verdicts on pages written as outlets publish them ------------------------------------


def write_page(folder: Path, name: str, **page: str | None) -> Path:
    """An HTML page (see article_html) written to a file."""
    path = folder / name
    path.write_text(article_html(**page), encoding="utf-8")  # type: ignore[arg-type]
    return path


def relations(result: CheckResult) -> list[tuple[str, str, str | None]]:
    """(relation, kind, URL) of each of a check result's matches, in its order."""
    return [(relation_of(match), match.kind, match.other.url) for match in result.matches]


MORNING = "https://springfield-news.example/bridge"
LATER = "https://daily-ledger.example/news/bridge"


def morning_and_later(folder: Path) -> tuple[Path, Path]:
    """One story at two outlets: published 08:15 and 11:40, Central European Time."""
    first = write_page(
        folder,
        "morning.html",
        url=MORNING,
        published="2025-03-12T08:15:00+01:00",
        site_name="Springfield News",
    )
    second = write_page(
        folder,
        "later.html",
        url=LATER,
        published="2025-03-12T11:40:00+01:00",
        site_name="Daily Ledger",
    )
    return first, second


def test_two_pages_of_one_morning_keep_their_times_and_their_order(
    store: Store, tmp_path: Path
) -> None:
    first, second = morning_and_later(tmp_path)
    ingest(store, [str(first), str(second)])
    with store.reader() as reader:
        [link] = reader.all_links()
        stored = {
            article.url: article
            for article in reader.articles([link.origin_id, link.copy_id]).values()
        }
    publication = stored[MORNING].publication
    assert publication is not None
    assert (stored[MORNING].published, publication.precision, publication.offset) == (
        datetime(2025, 3, 12, 7, 15),
        "minute",
        60,
    )
    assert (link.direction, stored[MORNING].id, link.origin_id) == (
        "dated",
        link.origin_id,
        link.origin_id,
    )
    assert (
        link.direction_reason
        == "#1 (Springfield News) was published 2025-03-12 08:15 +01:00, before #2 (Daily Ledger) (2025-03-12 11:40 +01:00)"
    )
    [original] = check(store, str(first))
    [copy] = check(store, str(second))
    assert (original.verdict, original.is_copy, relations(original)) == (
        "stored",
        False,
        [("copied_by", "repost", LATER)],
    )
    assert (copy.verdict, copy.is_copy, relations(copy)) == (
        "stored",
        True,
        [("copy_of", "repost", MORNING)],
    )
    data = check_json([original])["results"][0]
    assert (
        data["article"]["published"],
        data["article"]["published_precision"],
        data["of"]["published"],
    ) == ("2025-03-12T07:15:00Z", "minute", "2025-03-12T07:15:00Z")


def test_the_original_checked_against_its_later_copy_is_copied_by_it(
    store: Store, tmp_path: Path
) -> None:
    first, second = morning_and_later(tmp_path)
    ingest(store, [str(second)])
    [result] = check(store, str(first))
    assert (result.verdict, result.is_copy, relations(result)) == (
        "copied_by",
        False,
        [("copied_by", "repost", LATER)],
    )
    assert "this article came first" in check_text([result]).splitlines()[1]
    [later] = check(
        store,
        str(
            write_page(
                tmp_path,
                "third.html",
                url="https://third.example/b",
                published="2025-03-12T13:00:00+01:00",
                site_name="Third",
            )
        ),
    )
    assert (later.verdict, later.kind, later.is_copy) == ("copy", "repost", True)


def test_two_dates_of_one_day_are_the_same_text_in_an_undetermined_order(
    store: Store, tmp_path: Path
) -> None:
    dated = '<meta name="date" content="2025-03-12">'
    first = write_page(
        tmp_path,
        "a.html",
        url="https://one.example/a",
        published=None,
        site_name="One",
        extra_head=dated,
    )
    second = write_page(
        tmp_path,
        "b.html",
        url="https://two.example/b",
        published=None,
        site_name="Two",
        extra_head=dated,
    )
    ingest(store, [str(first)])
    [result] = check(store, str(second))
    assert (result.verdict, result.kind, result.is_copy) == ("same_text", "repost", False)
    assert result.named is not None and result.named.direction.status == "undetermined"
    assert result.named.direction.reason.startswith(
        "both were published on 2025-03-12 and neither gives a time of day"
    )
    assert "same time" not in check_text([result])
    data = check_json([result])["results"][0]
    assert (
        data["article"]["published"],
        data["article"]["published_precision"],
        data["verdict"],
    ) == ("2025-03-12", "day", "same_text")
    with store.reader() as reader:
        [article] = reader.articles([1]).values()
    assert article.publication is not None
    assert (article.published, article.publication.precision) == (datetime(2025, 3, 12), "day")


def test_a_stored_text_is_stored_with_its_relations(store: Store, tmp_path: Path) -> None:
    ingest_merkur_original(store, tmp_path)
    ingest(store, [str(SEED_003)])
    [result] = check(store, str(SEED_003))
    assert (result.verdict, result.is_copy, relations(result)) == (
        "stored",
        True,
        [("copy_of", "repost", MERKUR_URL)],
    )
    assert result.stored is not None and result.stored.id == 2
    [original] = check(store, str(tmp_path / "merkur.jsonl"))
    assert (original.verdict, original.is_copy, [relation_of(m) for m in original.matches]) == (
        "stored",
        False,
        ["copied_by"],
    )


def test_a_stored_page_and_a_stored_warc_record_are_stored(store: Store, tmp_path: Path) -> None:
    first, second = morning_and_later(tmp_path)
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(
        warc_bytes(
            [
                (MORNING, first.read_text(encoding="utf-8")),
                (LATER, second.read_text(encoding="utf-8")),
            ]
        )
    )
    ingest(store, [str(crawl)])
    results = check(store, str(crawl))
    assert [(r.verdict, relations(r)) for r in results] == [
        ("stored", [("copied_by", "repost", LATER)]),
        ("stored", [("copy_of", "repost", MORNING)]),
    ]
    assert all(
        r.item.document.seen_at is not None and r.item.document.format == "warc" for r in results
    )
    [page] = check(store, str(first))
    assert (page.verdict, page.stored.id if page.stored else None) == ("stored", 1)


def test_a_changed_version_at_a_stored_url_is_that_article(store: Store, tmp_path: Path) -> None:
    first, second = morning_and_later(tmp_path)
    ingest(store, [str(first), str(second)])
    edited = write_page(
        tmp_path,
        "edited.html",
        url=MORNING,
        published="2025-03-12T08:15:00+01:00",
        site_name="Springfield News",
        tail="Updated at 9:30 with the mayor's comments.",
    )
    [result] = check(store, str(edited))
    assert (result.verdict, result.stored.url if result.stored else None) == ("stored", MORNING)


def test_a_marker_naming_the_pages_own_outlet_is_no_repost_marker(
    store: Store, tmp_path: Path
) -> None:
    own = write_page(
        tmp_path,
        "own.html",
        url="https://www.livescience.com/feather-duvet-lung.html",
        site_name=None,
        tail="Originally published on Live Science.",
    )
    [result] = check(store, str(own))
    assert (result.verdict, result.markers) == ("original", [])
    assert ("Originally published on Live Science.", "own_outlet_credit") in [
        (line.line, line.kind) for line in result.item.layout.furniture
    ]
    elsewhere = write_page(
        tmp_path,
        "elsewhere.html",
        url="https://www.sciencealert.com/feather-duvet",
        site_name="ScienceAlert",
        tail="Originally published on Live Science.",
    )
    [copy] = check(store, str(elsewhere))
    assert (copy.verdict, copy.kind, [marker.outlet for marker, _ in copy.markers]) == (
        "copy",
        "repost",
        ["Live Science"],
    )


def test_a_subdomain_is_its_publishers_outlet(store: Store, tmp_path: Path) -> None:
    url = "https://techcrunch.com/2019/11/18/wework/"
    social = write_page(
        tmp_path,
        "social.html",
        url="http://social.techcrunch.com/2019/11/18/wework/",
        canonical=url,
        site_name="TechCrunch",
        published="2019-11-18T21:53:57+00:00",
    )
    [alone] = check(store, str(social))
    assert (alone.verdict, alone.markers) == ("original", [])
    ingest(
        store,
        [
            str(
                write_page(
                    tmp_path,
                    "main.html",
                    url=url,
                    site_name="TechCrunch",
                    published="2019-11-18T21:53:57+00:00",
                )
            )
        ],
    )
    [result] = check(store, str(social))
    assert (result.verdict, result.kind) == ("same_text", "duplicate")
    assert check_json([result])["results"][0]["article"]["outlet"] == "TechCrunch"


def test_a_stored_page_saved_to_a_file_without_its_url_is_that_article(
    store: Store, tmp_path: Path
) -> None:
    first, second = morning_and_later(tmp_path)
    ingest(store, [str(first), str(second)])
    saved = write_page(
        tmp_path, "saved.html", url=None, published="2025-03-12T08:15:00+01:00", site_name=None
    )
    [result] = check(store, str(saved))
    assert (result.verdict, result.stored.url if result.stored else None) == ("stored", MORNING)
    signed = write_page(
        tmp_path,
        "signed.html",
        url=None,
        published="2025-03-12T08:15:00+01:00",
        site_name=None,
        tail="Quelle: https://springfield-news.example/bridge",
    )
    [copy] = check(store, str(signed))
    assert copy.verdict == "copy"
