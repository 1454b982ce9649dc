"""Reading articles: plain text, sidecars, HTML, JSONL, WARC, URLs, encodings and bad input."""

from __future__ import annotations

import gzip
import io
import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from provenance.errors import ExtractionError
from provenance.read.dates import Published
from provenance.read.document import Document, Failure, decode_bytes
from provenance.read.html import document_from_html
from provenance.read.inputs import iter_documents
from provenance.read.records import documents_from_jsonl

from .conftest import SEEDS
from .helpers import PARAGRAPHS, article_html, jsonl, serve_folder, warc_bytes

LIMIT = 10_000_000


def only_document(targets: list[str], stdin: bytes | None = None) -> Document:
    """The single Document the targets hold (fails on a Failure)."""
    items = list(iter_documents(targets, LIMIT, io.BytesIO(stdin) if stdin is not None else None))
    assert len(items) == 1, items
    assert isinstance(items[0], Document), items[0]
    return items[0]


def test_seed_text_title_date_and_language() -> None:
    document = only_document([str(SEEDS / "001_2a1aee6f1fce36e3.txt")])
    assert document.format == "text"
    assert document.title_in_text
    assert document.published == Published(datetime(2022, 8, 15, 10, 8), "minute", None)
    assert document.language is None


def test_folder_is_read_recursively_in_order(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_text(
        "Deep title\nA body line with several words in it.\n"
    )
    (tmp_path / "top.txt").write_text("Top title\nAnother body line with several words.\n")
    (tmp_path / "ignored.bin").write_bytes(b"\x00\x01")
    origins = [item.origin for item in iter_documents([str(tmp_path)], LIMIT)]
    assert origins == [str(tmp_path / "a" / "b" / "deep.txt"), str(tmp_path / "top.txt")]


def test_sidecar_metadata_overrides_text(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text(
        "Some headline\nBody text of the story, long enough to count.\n"
    )
    sidecar = {
        "url": "https://www.example.org/story",
        "title": "Real title",
        "published": "2024-01-02T03:04:00Z",
        "author": "A. Writer",
    }
    (tmp_path / "story.meta.json").write_text(json.dumps(sidecar))
    document = only_document([str(tmp_path / "story.txt")])
    assert (document.url, document.title, document.author, document.domain) == (
        "https://www.example.org/story",
        "Real title",
        "A. Writer",
        "example.org",
    )
    assert document.published == Published(datetime(2024, 1, 2, 3, 4), "minute", 0)
    assert not document.title_in_text


def test_html_main_text_and_metadata() -> None:
    document = document_from_html(
        article_html(canonical="https://springfield-news.example/bridge-closure"), "page.html"
    )
    assert document.format == "html"
    assert "deep cracks in three of its supports" in document.text
    assert "Subscribe to our newsletter" not in document.text
    assert document.title == "Springfield closes its old steel bridge for repairs"
    assert document.url == "https://springfield-news.example/bridge-closure"
    assert document.canonical_url == "https://springfield-news.example/bridge-closure"
    assert document.published == Published(datetime(2024, 3, 5, 8, 30), "minute", 0)
    assert document.language == "en"
    assert document.author == "Jane Reporter"


def test_language_is_detected_when_the_article_is_prepared() -> None:
    from provenance.config import Settings
    from provenance.ingest.preparation import Fingerprinter, prepare
    from provenance.text.normalize import load_patterns

    document = only_document([str(SEEDS / "001_2a1aee6f1fce36e3.txt")])
    assert prepare(document, load_patterns(), Fingerprinter(Settings())).document.language == "de"


LANGUAGE_SAMPLES = [
    "The city council voted on Tuesday to close the old steel bridge for repairs.",
    "Der Stadtrat hat am Dienstag beschlossen, die alte Stahlbrücke zu sperren.",
    "Le conseil municipal a voté mardi la fermeture du vieux pont d'acier.",
    "El ayuntamiento votó el martes cerrar el viejo puente de acero.",
    "Городской совет во вторник проголосовал за закрытие старого моста.",
    "Міська рада у вівторок проголосувала за закриття старого мосту.",
    "Il consiglio comunale ha votato martedì la chiusura del vecchio ponte.",
    "市议会周二投票决定关闭这座旧钢桥进行维修。",
    "صوت مجلس المدينة يوم الثلاثاء على إغلاق الجسر الحديدي القديم.",
    "THE CITY COUNCIL VOTED ON TUESDAY TO CLOSE THE BRIDGE.",
    "@@@ ### $$$ 12345 !!!",
    "ok",
]


def test_compiled_language_scores_pick_what_py3langid_picks() -> None:
    """The compiled kernel walks py3langid's own model: on every text, including ones with no
    feature of it, the same language.
    """
    import py3langid

    from provenance.read.language import (
        LANGUAGE_SAMPLE_CHARS,
        class_scores,
        classify,
        detect_language,
    )

    texts = [
        *LANGUAGE_SAMPLES,
        *(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))),
    ]
    texts += [
        path.read_text(encoding="utf-8")
        for path in sorted((Path(__file__).parent / "data" / "translation").glob("*.txt"))
    ]
    samples = [
        text[start : start + LANGUAGE_SAMPLE_CHARS]
        for text in texts
        for start in range(0, min(len(text), 2000), 97)
    ]
    assert len(samples) > 150
    assert [classify(sample) for sample in samples] == [
        py3langid.classify(sample)[0] for sample in samples
    ]
    scored = [(class_scores(sample), dict(py3langid.rank(sample))) for sample in samples]
    assert (
        sum(scores is None for scores, _ in scored) == 1
    )  # "@@@ ### $$$": no feature of the model
    for (
        scores,
        expected,
    ) in scored:  # not only the winner: every language's score, as py3langid ranks them
        if scores is None:
            continue
        assert scores.keys() == expected.keys()
        assert np.allclose(
            [scores[language] for language in expected],
            list(expected.values()),
            rtol=1e-5,
            atol=1e-3,
        )
    assert class_scores("@@@ ### $$$") is None  # no feature of the model: py3langid's own answer
    assert classify("@@@ ### $$$") == py3langid.classify("@@@ ### $$$")[0]
    assert [detect_language(text) for text in LANGUAGE_SAMPLES[:9]] == [
        "en",
        "de",
        "fr",
        "es",
        "ru",
        "uk",
        "it",
        None,
        "ar",
    ]  # fewer than three words: None
    assert classify(LANGUAGE_SAMPLES[7]) == "zh"


def test_language_falls_back_to_py3langid_when_its_model_has_another_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import provenance.read.language as language

    monkeypatch.setattr(language, "_model", lambda: None)
    assert [language.classify(text) for text in LANGUAGE_SAMPLES[:3]] == ["en", "de", "fr"]


def test_html_canonical_on_another_domain_is_kept() -> None:
    document = document_from_html(
        article_html(url=None, canonical="https://original.example/story"),
        "page.html",
        url="https://copycat.example/story",
    )
    assert document.url == "https://copycat.example/story"
    assert document.canonical_url == "https://original.example/story"


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><nav>Home</nav></body></html>",
        "<html><body></body></html>",
        "just words, no markup",
    ],
)
def test_html_without_article_text_is_refused(html: str) -> None:
    with pytest.raises(ExtractionError, match="no article text|not HTML"):
        document_from_html(html, "empty.html")


def test_jsonl_fields_and_a_malformed_line_with_its_number() -> None:
    good = {
        "url": "https://a.example/1",
        "title": "One",
        "text": "First body text here.",
        "published": "2024-01-01",
        "outlet": "A News",
        "author": "X",
    }
    html_record = {"url": "https://b.example/2", "html": article_html()}
    text = (
        jsonl([good])
        + "{not json\n"
        + jsonl([html_record])
        + "[1, 2]\n"
        + jsonl([{"url": "https://c.example"}])
    )
    items = list(documents_from_jsonl(text, "dump.jsonl"))
    documents = [item for item in items if isinstance(item, Document)]
    failures = [item for item in items if isinstance(item, Failure)]
    assert [d.url for d in documents] == ["https://a.example/1", "https://b.example/2"]
    assert (
        documents[0].title == "One"
        and documents[0].outlet == "A News"
        and documents[0].published == Published(datetime(2024, 1, 1), "day")
    )
    assert documents[1].title == "Springfield closes its old steel bridge for repairs"
    assert [(f.origin, f.reason.split(" is ")[0]) for f in failures] == [
        ("dump.jsonl:2", "line 2"),
        ("dump.jsonl:4", "line 4"),
        ("dump.jsonl:5", "record has no 'text' or 'html' field"),
    ]


@pytest.mark.parametrize("compressed", [True, False])
def test_warc_response_records(tmp_path: Path, compressed: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc")
    path.write_bytes(
        warc_bytes(
            [
                ("https://one.example/a", article_html()),
                (
                    "https://two.example/b",
                    article_html(title="Second page", paragraphs=PARAGRAPHS[::-1]),
                ),
            ],
            gzip=compressed,
        )
    )
    items = list(iter_documents([str(path)], LIMIT))
    assert [(item.url, item.format) for item in items if isinstance(item, Document)] == [
        ("https://one.example/a", "warc"),
        ("https://two.example/b", "warc"),
    ]


@pytest.mark.parametrize("compressed", [True, False])
def test_truncated_warc_keeps_the_records_before_the_break(
    tmp_path: Path, compressed: bool
) -> None:
    whole = warc_bytes(
        [
            ("https://one.example/a", article_html()),
            ("https://two.example/b", article_html(title="Second")),
        ],
        gzip=compressed,
    )
    path = tmp_path / ("broken.warc.gz" if compressed else "broken.warc")
    path.write_bytes(whole[: len(whole) - 400])
    items = list(iter_documents([str(path)], LIMIT))
    assert isinstance(items[0], Document)
    assert (
        isinstance(items[-1], Failure)
        and items[-1].reason.startswith("truncated WARC: its response record is cut short")
        and items[-1].reason.endswith("after 1 pages read")
    )


@pytest.mark.parametrize("encoding", ["cp1251", "latin-1", "utf-16"])
def test_legacy_encodings_are_read(tmp_path: Path, encoding: str) -> None:
    text = {
        "cp1251": "Путин поблагодарил Ким Чен Ына за поддержку. Информация взята из источника, который сообщает о письме и о солдатах, воевавших в Курской области.",
        "latin-1": "Der Kremlchef bedankte sich für die Unterstützung aus Pjöngjang. Die Beziehungen seien gefestigt worden, heißt es in der Botschaft über die Soldaten.",
        "utf-16": "Le président russe a remercié la Corée du Nord pour son soutien militaire à l'été dernier, selon l'agence officielle.",
    }[encoding]
    path = tmp_path / "legacy.txt"
    path.write_bytes(
        f"Заголовок\n{text}".encode(encoding)
        if encoding == "cp1251"
        else f"Titel\n{text}".encode(encoding)
    )
    assert text in only_document([str(path)]).text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (bytes(range(256)) * 4, "binary file"),
    ],
)
def test_empty_and_binary_files_fail_with_a_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    [failure] = list(iter_documents([str(path)], LIMIT))
    assert isinstance(failure, Failure) and reason in failure.reason


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Title\n" + "word " * 1000)
    [failure] = list(iter_documents([str(path)], 100))
    assert isinstance(failure, Failure) and "over the limit of 100" in failure.reason


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    failures = list(iter_documents([str(tmp_path / "nope.txt"), str(tmp_path / "empty")], LIMIT))
    assert [(f.origin, f.reason) for f in failures if isinstance(f, Failure)] == [
        (str(tmp_path / "nope.txt"), "no such file or folder"),
        (
            str(tmp_path / "empty"),
            "folder holds no readable articles (.txt, .html, .jsonl, .parquet, .warc[.gz])",
        ),
    ]


def test_gzipped_html_file(tmp_path: Path) -> None:
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(article_html().encode()))
    assert only_document([str(path)]).format == "html"


@pytest.mark.parametrize(
    ("payload", "fmt"),
    [
        (article_html().encode(), "html"),
        (jsonl([{"text": "Body of a JSONL record from stdin.", "title": "T"}]).encode(), "jsonl"),
        (b"Title line\nA plain text body from standard input.", "text"),
    ],
)
def test_stdin_format_is_sniffed(payload: bytes, fmt: str) -> None:
    assert only_document(["-"], stdin=payload).format == fmt


def test_url_is_fetched_and_extracted(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(article_html(url=None))
    with serve_folder(tmp_path) as base:
        [document] = list(iter_documents([f"{base}/a.html"], LIMIT, allow_private_urls=True))
    assert isinstance(document, Document)
    assert document.url == f"{base}/a.html"
    assert "deep cracks" in document.text


def test_unreachable_url_and_http_error(tmp_path: Path) -> None:
    with serve_folder(tmp_path) as base:
        missing = list(iter_documents([f"{base}/missing.html"], LIMIT, allow_private_urls=True))
    assert isinstance(missing[0], Failure) and missing[0].reason.endswith("HTTP 404")
    [refused] = list(iter_documents(["http://127.0.0.1:9/nothing"], LIMIT, allow_private_urls=True))
    assert isinstance(refused, Failure) and refused.reason.startswith(
        "could not fetch: Failed to establish a new connection"
    )


def test_decode_prefers_utf8() -> None:
    assert decode_bytes("Grüße aus Köln".encode(), "x") == "Grüße aus Köln"
