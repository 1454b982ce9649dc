"""Translation links in ingest, check, chain and audit: across languages, with anchor evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.audit.build import run_audit
from provenance.audit.model import audit_json
from provenance.ingest.lookup import chain_for
from provenance.ingest.run import ingest
from provenance.ingest.verdicts import check
from provenance.knowledge.registry import load_registry
from provenance.render.check import check_json, check_text
from provenance.store.store import Store

from .conftest import MERKUR_TITLE, MERKUR_URL, ROOT, seed_body_without_footer
from .helpers import jsonl

DATA = ROOT / "tests" / "data" / "translation"
RUSSIAN_URL = "https://ru-aggregator.example/kim-putin"


def corpus(folder: Path) -> Path:
    """The merkur.de original, its Russian translation (later) and an independent French report of
    the same story.
    """
    records = [
        {
            "url": MERKUR_URL,
            "title": MERKUR_TITLE,
            "text": seed_body_without_footer(),
            "published": "2025-01-02T09:00:00",
            "language": "de",
        },
        {
            "url": RUSSIAN_URL,
            "title": "Ким восхваляет отношения с Россией",
            "text": (DATA / "seed003_translation.ru.txt").read_text(encoding="utf-8"),
            "published": "2025-01-03T09:00:00",
            "language": "ru",
        },
        {
            "url": "https://fr-news.example/kim",
            "title": "Kim et Poutine",
            "text": (DATA / "seed003_independent.fr.txt").read_text(encoding="utf-8"),
            "published": "2025-01-02T18:00:00",
            "language": "fr",
        },
    ]
    path = folder / "languages.jsonl"
    path.write_text(jsonl(records), encoding="utf-8")
    return path


def test_translation_is_linked_and_the_independent_report_is_not(
    store: Store, tmp_path: Path
) -> None:
    report = ingest(store, [str(corpus(tmp_path))])
    assert dict(report.links) == {"translation": 1}
    with store.reader() as reader:
        [link] = reader.all_links()
        articles = reader.articles([link.origin_id, link.copy_id])
    assert (
        articles[link.origin_id].url,
        articles[link.copy_id].url,
        link.kind,
        link.direction,
    ) == (MERKUR_URL, RUSSIAN_URL, "translation", "dated")
    evidence = link.evidence
    assert evidence["languages"] == ["de", "ru"]
    assert evidence["score"] > 0.095 and evidence["aligned_anchors"] >= 5
    assert any(pair[1] == "Курской" or pair[0] == "Kursk" for pair in evidence["anchor_pairs"])
    # Side by side, origin first: sentences that render each other, paired by the anchors they
    # share.
    assert [
        "Die Atommächte Russland und Nordkorea arbeiten eng zusammen.",
        "Ядерные державы Россия и Северная Корея тесно сотрудничают.",
    ] in evidence["changed_passages"]
    german_text = " ".join(seed_body_without_footer().split())
    assert all(german in german_text for german, _ in evidence["changed_passages"])


def test_translation_is_linked_alike_when_worker_processes_prepare_the_articles(
    store: Store, tmp_path: Path
) -> None:
    """Workers send prepared articles without their anchors; the writer makes them again for a
    translation candidate.
    """
    path = corpus(tmp_path)
    report = ingest(store, [str(path)], workers=2)
    assert dict(report.links) == {"translation": 1}
    with store.reader() as reader:
        [link] = reader.all_links()
    alone = Store(f"sqlite:///{tmp_path / 'one-process.sqlite'}")
    ingest(alone, [str(path)], workers=1)
    with alone.reader() as reader:
        [expected] = reader.all_links()
    assert (link.kind, link.direction, link.evidence) == (
        expected.kind,
        expected.direction,
        expected.evidence,
    )
    assert link.evidence["aligned_anchors"] >= 5


def test_check_reports_translation_of_the_original(store: Store, tmp_path: Path) -> None:
    original = tmp_path / "de.jsonl"
    original.write_text(
        jsonl(
            [
                {
                    "url": MERKUR_URL,
                    "title": MERKUR_TITLE,
                    "text": seed_body_without_footer(),
                    "published": "2025-01-02T09:00:00",
                    "language": "de",
                }
            ]
        ),
        encoding="utf-8",
    )
    ingest(store, [str(original)])
    russian = tmp_path / "ru.jsonl"
    russian.write_text(
        jsonl(
            [
                {
                    "url": RUSSIAN_URL,
                    "title": "Ким",
                    "text": (DATA / "seed003_translation.ru.txt").read_text(encoding="utf-8"),
                    "published": "2025-01-05",
                    "language": "ru",
                }
            ]
        ),
        encoding="utf-8",
    )
    [result] = check(store, str(russian))
    data = check_json([result])["results"][0]
    assert (data["verdict"], data["kind"], data["of"]["url"]) == ("copy", "translation", MERKUR_URL)
    [match] = data["matches"]
    assert (match["kind"], match["relation"], match["direction"]["status"], match["jaccard"]) == (
        "translation",
        "copy_of",
        "dated",
        None,
    )
    assert 0 < match["translation"]["alignment_score"] <= 1
    assert len(match["translation"]["anchor_pairs"]) == match["translation"]["aligned_anchors"]
    assert [
        "Die Atommächte Russland und Nordkorea arbeiten eng zusammen.",
        "Ядерные державы Россия и Северная Корея тесно сотрудничают.",
    ] in match["evidence"]["changed_passages"]
    sentence_lines = [
        line for line in check_text([result]).splitlines() if line.startswith("    sentences: ")
    ]
    german_text = " ".join(seed_body_without_footer().split())
    assert sentence_lines and all(line.split('"')[1] in german_text for line in sentence_lines)


def test_chain_crosses_languages(store: Store, tmp_path: Path) -> None:
    ingest(store, [str(corpus(tmp_path))])
    chain = chain_for(store, RUSSIAN_URL)
    labels = [chain.nodes[key].label for key in chain.path]
    assert labels[-2:] == ["#1 merkur.de", "#2 ru-aggregator.example"]
    assert [hop.kind for hop in chain.main_hops()][-1] == "translation"
    assert labels[0] == "KCNA"


def test_audit_counts_translations(store: Store, tmp_path: Path) -> None:
    result = audit_json(run_audit(store, [str(corpus(tmp_path))], load_registry()))
    assert result["counts"]["translations"] == 1
    [cluster] = result["clusters"]
    assert {m["url"]: m["role"] for m in cluster["members"]} == {
        MERKUR_URL: "origin",
        RUSSIAN_URL: "translation",
    }


@pytest.mark.parametrize("language", ["de", "fr"])
def test_same_story_in_another_language_is_no_translation(
    store: Store, tmp_path: Path, language: str
) -> None:
    texts = {
        "de": seed_body_without_footer(),
        "fr": (DATA / "seed003_independent.fr.txt").read_text(encoding="utf-8"),
    }
    path = tmp_path / "pair.jsonl"
    path.write_text(
        jsonl(
            [
                {
                    "url": "https://a.example/x",
                    "text": texts[language],
                    "language": language,
                    "published": "2025-01-01",
                },
                {
                    "url": "https://b.example/y",
                    "text": (DATA / "seed003_independent.fr.txt").read_text(encoding="utf-8")
                    if language == "de"
                    else texts["de"],
                    "language": "fr" if language == "de" else "de",
                    "published": "2025-01-02",
                },
            ]
        ),
        encoding="utf-8",
    )
    assert dict(ingest(store, [str(path)]).links) == {}


@pytest.mark.parametrize("story", ["moscow_snow", "key_rate"])
def test_two_outlets_reports_of_one_day_are_not_linked_but_the_translation_of_one_is(
    store: Store, tmp_path: Path, story: str
) -> None:
    """A Russian outlet's report and an English one's share the day, a number and a name; the
    English one translated into German is the only link.
    """
    texts = {
        name: (DATA / "same_day" / f"{story}.{name}.txt").read_text(encoding="utf-8")
        for name in ("a.ru", "b.en", "b.de")
    }
    urls = {
        "a.ru": "https://ru-news.example/report",
        "b.en": "https://en-wire.example/report",
        "b.de": "https://de-news.example/bericht",
    }
    hours = {"a.ru": "08", "b.en": "09", "b.de": "11"}
    records = [
        {
            "url": urls[name],
            "title": text.splitlines()[0],
            "text": text,
            "published": f"2021-12-11T{hours[name]}:00:00",
            "language": name[-2:],
        }
        for name, text in texts.items()
    ]
    path = tmp_path / f"{story}.jsonl"
    path.write_text(jsonl(records), encoding="utf-8")
    assert dict(ingest(store, [str(path)]).links) == {"translation": 1}
    with store.reader() as reader:
        [link] = reader.all_links()
        articles = reader.articles([link.origin_id, link.copy_id])
    assert (articles[link.origin_id].url, articles[link.copy_id].url, link.direction) == (
        urls["b.en"],
        urls["b.de"],
        "dated",
    )
    assert link.evidence["aligned_anchors"] >= 7
