"""LSH candidates: ranking by shared keys, stored and in-batch members, translation candidates of
other languages only, and a rebuilt index.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select, text

from provenance.config import Settings
from provenance.errors import ConfigError, DatabaseError
from provenance.ingest.preparation import Fingerprinter
from provenance.ingest.rebuild import reindex
from provenance.ingest.run import ingest
from provenance.ingest.verdicts import check
from provenance.sketch.index import CandidateQuery, MemberParts, Members, rank_candidates
from provenance.store.engine import migrate
from provenance.store.schema import AnchorBucket, Bucket
from provenance.store.store import Store

from .conftest import MERKUR_TITLE, MERKUR_URL, ROOT, SEED_003, seed_body_without_footer
from .helpers import jsonl

keys_of_article = st.lists(st.integers(0, 12), max_size=8, unique=True).map(sorted)
stored_rows = st.lists(
    st.tuples(st.integers(0, 12), st.integers(100, 110)), max_size=40, unique=True
)


def reference_ranking(
    articles: list[list[int]],
    ids: list[int],
    stored: list[tuple[int, int]],
    limit: int,
    min_shared: int,
    per_key: int,
    languages: list[int] | None,
) -> list[list[int]]:
    """Candidates the plain way: a Counter over each key's stored members and the newest `per_key`
    earlier articles of the batch.
    """
    members: dict[int, list[int]] = {}
    for key, article_id in stored:
        members.setdefault(key, []).append(article_id)
    in_batch: dict[int, list[int]] = {}
    ranked = []
    for position, keys in enumerate(articles):
        sharing: list[int] = []
        for key in keys:
            sharing += members.get(key, [])
            earlier = in_batch.setdefault(key, [])
            sharing += (
                [
                    ids[other]
                    for other in earlier[-per_key:]
                    if languages is None or languages[other] != languages[position]
                ]
                if per_key
                else []
            )
            earlier.append(position)
        counts = Counter(other for other in sharing if other != ids[position])
        ranked.append(
            [other for other, shared in counts.most_common() if shared >= min_shared][:limit]
        )
    return ranked


@settings(max_examples=200, deadline=None)
@given(
    st.lists(keys_of_article, min_size=1, max_size=7),
    stored_rows,
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(0, 3),
    st.booleans(),
)
def test_ranking_equals_counting_shared_keys(
    articles: list[list[int]],
    stored: list[tuple[int, int]],
    limit: int,
    min_shared: int,
    per_key: int,
    with_languages: bool,
) -> None:
    ids = [200 + position for position in range(len(articles))]
    languages = [position % 2 for position in range(len(articles))] if with_languages else None
    query = CandidateQuery.of(
        [np.array(keys, dtype=np.int64) for keys in articles],
        ids,
        None if languages is None else np.array(languages, dtype=np.int64),
    )
    members = Members.from_rows(sorted(stored))
    expected = reference_ranking(
        articles, ids, sorted(stored), limit, min_shared, per_key, languages
    )
    assert rank_candidates(query, members, limit, min_shared, per_key) == expected


def test_members_read_in_parts_are_found_in_their_own_part() -> None:
    english, german = Members.from_rows([(5, 101)]), Members.from_rows([(5, 102)])
    members, starts = Members.joined([english, german])
    query = CandidateQuery.of([np.array([5]), np.array([5])], [1, 2], np.array([0, 1]))
    assert rank_candidates(query, members, 10, parts=MemberParts(np.array([0, 1]), starts)) == [
        [101],
        [102],
    ]


def test_translation_members_are_of_other_languages_only(store: Store, tmp_path: Path) -> None:
    german = {
        "url": MERKUR_URL,
        "title": MERKUR_TITLE,
        "text": seed_body_without_footer(),
        "language": "de",
        "published": "2025-01-02",
    }
    path = tmp_path / "de.jsonl"
    path.write_text(jsonl([german]), encoding="utf-8")
    ingest(store, [str(path)])
    with store.engine.connect() as connection:
        keys = np.array(connection.scalars(select(AnchorBucket.key)).all(), dtype=np.int64)
        assert len(keys) > 0 and set(connection.scalars(select(AnchorBucket.language)).all()) == {
            "de"
        }
    with store.reader() as reader:
        assert len(reader.foreign_anchor_members(keys, "de").keys) == 0
        found = reader.foreign_anchor_members(keys, "ru")
    assert set(found.article_ids.tolist()) == {1} and len(found.keys) == len(set(keys.tolist()))


def test_articles_of_the_same_language_do_not_crowd_out_a_translation(
    store: Store, tmp_path: Path
) -> None:
    """Thirty Russian articles share the German original's anchors and come after it; a Russian translation still finds the original.

    A translation key's lookup reads the newest 100 members and keeps at most 20: were the Russian
    articles kept, they would fill every one of the original's keys.
    """
    russian = (ROOT / "tests" / "data" / "translation" / "seed003_translation.ru.txt").read_text(
        encoding="utf-8"
    )
    records = [
        {
            "url": MERKUR_URL,
            "title": MERKUR_TITLE,
            "text": seed_body_without_footer(),
            "language": "de",
            "published": "2025-01-02",
        }
    ]
    paragraphs = russian.split("\n")
    for number in range(30):
        variant = [
            *paragraphs[:-1],
            f"Другой абзац номер {number} о чём-то совсем ином в этой версии статьи.",
        ]
        records.append(
            {
                "url": f"https://ru-{number}.example/kim",
                "text": "\n".join(variant),
                "language": "ru",
                "published": "2025-01-03",
            }
        )
    path = tmp_path / "corpus.jsonl"
    path.write_text(jsonl(records), encoding="utf-8")
    ingest(store, [str(path)])
    query = tmp_path / "ru.jsonl"
    query.write_text(
        jsonl(
            [
                {
                    "url": "https://ru.example/kim",
                    "text": russian,
                    "language": "ru",
                    "published": "2025-01-05",
                }
            ]
        ),
        encoding="utf-8",
    )
    [result] = check(store, str(query))
    assert [
        (match.kind, match.other.url) for match in result.matches if match.kind == "translation"
    ] == [("translation", MERKUR_URL)]


def test_an_older_index_is_rebuilt_with_the_current_keys(db_url: str, tmp_path: Path) -> None:
    """A database of schema 0005 gets anchor_buckets, is refused until reindexed, and then holds
    every article's keys as a fresh ingest makes them.
    """
    engine = create_engine(db_url)
    migrate(engine, "0005")
    body, language = seed_body_without_footer(), "de"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO articles (identity_key, content_hash, body, furniture, origin, format, version, shingle_count, signature, ingested_at, url, language)"
                " VALUES ('k', 'h', :body, '[]', 'old.jsonl:1', 'jsonl', 1, 1, :signature, '2025-01-01 00:00:00', :url, :language)"
            ),
            {"signature": b"x", "body": body, "url": MERKUR_URL, "language": language},
        )
        connection.execute(text("INSERT INTO lsh_buckets (key, article_id) VALUES (42, 1)"))
    engine.dispose()
    store = Store(db_url)
    with pytest.raises(
        DatabaseError, match="LSH index must be rebuilt first: run 'provenance reindex'"
    ):
        check(store, str(SEED_003))
    assert reindex(store) == {"index": 1}
    [expected] = Fingerprinter(Settings()).index_keys([body], [language])
    with store.engine.connect() as connection:
        assert sorted(connection.scalars(select(Bucket.key)).all()) == sorted(
            expected.keys.tolist()
        )
        assert sorted(connection.scalars(select(AnchorBucket.key)).all()) == sorted(
            expected.anchor_keys.tolist()
        )
    [result] = check(store, str(SEED_003))
    assert (result.verdict, result.kind, result.matches[0].other.url) == (
        "copy",
        "repost",
        MERKUR_URL,
    )
    store.close()


def test_keys_of_an_article_not_stored_are_skipped(store: Store, tmp_path: Path) -> None:
    """The bucket tables hold no foreign key (schema 0009): keys left by an article no longer stored
    take no part in check or ingest.
    """
    original = {
        "url": MERKUR_URL,
        "title": MERKUR_TITLE,
        "text": seed_body_without_footer(),
        "language": "de",
        "published": "2025-01-02",
    }
    path = tmp_path / "original.jsonl"
    path.write_text(jsonl([original]), encoding="utf-8")
    ingest(store, [str(path)])
    [found] = Fingerprinter(Settings()).index_keys([seed_body_without_footer()], ["de"])
    gone = np.int64(999)
    with (
        store.writer() as writer
    ):  # the original's copy keys, and its translation keys as if a Russian article had them
        writer.insert_buckets(found.keys, np.full(len(found.keys), gone))
        writer.insert_anchor_buckets(
            found.anchor_keys,
            np.full(len(found.anchor_keys), gone),
            np.full(len(found.anchor_keys), "ru", dtype=object),
        )
    with store.reader() as reader:
        assert gone in reader.bucket_members(found.keys).article_ids
        assert gone in reader.foreign_anchor_members(found.anchor_keys, "de").article_ids
    [result] = check(store, str(SEED_003))
    assert (result.verdict, result.kind, [match.other.url for match in result.matches]) == (
        "copy",
        "repost",
        [MERKUR_URL],
    )
    report = ingest(store, [str(SEED_003)])
    assert (report.added, dict(report.links), report.failures) == (1, {"repost": 1}, [])


def test_a_long_paragraph_gets_its_bands_and_a_short_one_none() -> None:
    long_paragraph = " ".join(f"word{number}" for number in range(30))
    [found] = Fingerprinter(Settings()).fingerprints([f"{long_paragraph}\nshort line here"], [""])
    body_bands = Fingerprinter(Settings()).body_banding.bands
    assert len(found.keys) == body_bands + Settings().paragraph_bands
    assert len(found.anchor_keys) == 0


@pytest.mark.parametrize(("bands", "rows"), [(0, 5), (3, 0), (20, 10)])
def test_paragraph_banding_must_fit_the_signature(bands: int, rows: int) -> None:
    with pytest.raises(
        ConfigError,
        match=r"paragraph_bands \* paragraph_rows must be between 1 and num_perm \(128\)",
    ):
        Settings(paragraph_bands=bands, paragraph_rows=rows)
