"""The JSON API of `provenance serve` (#29): its answers against the CLI's --json, writes and the
token, size limits, 50 concurrent checks on a live server, schemathesis over /openapi.json, and
article text that stays data. Every test runs on SQLite and on the real PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from click.testing import Result
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.types import Message

from provenance.config import TOKEN_ENV, Settings
from provenance.errors import FetchError
from provenance.serve.app import REQUEST_OVERHEAD, create_app
from provenance.store.store import Store

from .conftest import MERKUR_TITLE, SEED_003, SEEDS
from .helpers import PARAGRAPHS, QUOTE_ORIGIN, QuietHandler, article_html, jsonl, serving

with warnings.catch_warnings():
    # Starlette prefers httpx2; the project tests with httpx, which it still supports.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

TOKEN = "s3cret-token"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
LIMIT = 100_000
"""The article size limit of the size tests: max_file_bytes."""

RunCli = Callable[..., Result]

SECURE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def client(store: Store, settings: Settings | None = None, token: str | None = None) -> TestClient:
    """A test client of the app over this store."""
    return TestClient(create_app(store, settings, token))


def cli_json(run_cli: RunCli, *args: str) -> Any:
    """What the CLI prints with --json for these arguments."""
    result = run_cli(*args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def json_of(response: httpx.Response, status: int = 200) -> Any:
    """The JSON of a response of this status, checked to be JSON and to carry the security headers."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    for name, value in SECURE.items():
        assert response.headers[name] == value
    return response.json()


def without_input(check: dict[str, Any]) -> dict[str, Any]:
    """A check's JSON without the `input` of each result (a path for the CLI, 'request' over HTTP)."""
    return {
        **check,
        "results": [{**result, "input": None} for result in check["results"]],
    }


def seed_003_changed() -> bytes:
    """Seed 003 with one quote changed: no longer the stored text, a repost by its footer."""
    return SEED_003.read_bytes().replace(b"Blut, Leben und Tod", b"Blut und Tod")


# ---- check ----------------------------------------------------------------------------------


def test_check_by_text_html_and_upload_answers_as_check_json(
    run_cli: RunCli, store: Store, tmp_path: Path
) -> None:
    run_cli("ingest", str(SEEDS))
    web = client(store)
    stored = web.post("/api/check", json={"text": SEED_003.read_text(encoding="utf-8")})
    answer = json_of(stored)
    assert without_input(answer) == without_input(
        cli_json(run_cli, "check", str(SEED_003), "--json")
    )
    [result] = answer["results"]
    assert (result["input"], result["verdict"], result["of"]["article_id"]) == (
        "request",
        "stored",
        4,
    )
    assert result["article"]["title"] == MERKUR_TITLE

    upload = web.post(
        "/api/check", files={"file": (SEED_003.name, SEED_003.read_bytes(), "text/plain")}
    )
    assert without_input(json_of(upload)) == without_input(answer)
    assert json_of(upload)["results"][0]["input"] == SEED_003.name

    changed = tmp_path / "changed.txt"
    changed.write_bytes(seed_003_changed())
    copy = json_of(web.post("/api/check", json={"text": seed_003_changed().decode()}))
    assert without_input(copy) == without_input(cli_json(run_cli, "check", str(changed), "--json"))
    assert (copy["results"][0]["verdict"], copy["results"][0]["copies_something"]) == (
        "copy",
        True,
    )

    page = tmp_path / "bridge.html"
    page.write_text(article_html(url=None), encoding="utf-8")
    from_html = json_of(web.post("/api/check", json={"html": page.read_text()}))
    assert without_input(from_html) == without_input(
        cli_json(run_cli, "check", str(page), "--json")
    )
    [item] = from_html["results"]
    assert (item["verdict"], item["article"]["format"], item["article"]["url"]) == (
        "original",
        "html",
        None,
    )
    located = json_of(
        web.post(
            "/api/check",
            json={"html": page.read_text(), "url": "https://springfield-news.example/b"},
        )
    )
    assert located["results"][0]["article"]["url"] == "https://springfield-news.example/b"
    assert located["results"][0]["article"]["domain"] == "springfield-news.example"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "send one of text, html or url"),
        ({"text": ""}, "request: no text in file"),
        ({"html": "no markup at all"}, "request: not HTML: no markup found"),
        ({"text": 7}, "the request is not an article: text: Input should be a valid string"),
        ([1, 2], "the request is not an article: Input should be an object"),
        ({"url": "http://["}, "the request is not an article: url: Value error, Invalid IPv6 URL"),
        (
            {"text": "A\nB", "url": "https://[::1"},
            "the request is not an article: url: Value error, Invalid IPv6 URL",
        ),
    ],
)
def test_check_of_what_is_not_an_article_is_422(store: Store, body: Any, message: str) -> None:
    answer = json_of(client(store).post("/api/check", json=body), 422)
    assert answer == {"error": message}


def test_check_of_a_malformed_upload_is_a_client_error(store: Store) -> None:
    web = client(store)
    not_json = web.post(
        "/api/check", content=b'{"text": ', headers={"content-type": "application/json"}
    )
    assert json_of(not_json, 422) == {
        "error": "the request is not an article: Invalid JSON: EOF while parsing a value at line 1 column 9"
    }
    no_file = web.post("/api/check", files={"other": ("a.txt", b"Headline\nBody", "text/plain")})
    assert json_of(no_file, 422) == {"error": "send the article as a form field named 'file'"}
    broken = web.post(
        "/api/check",
        content=b"--xyz\r\nnot a part at all",
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert broken.status_code == 400 and "error" in broken.json()
    binary = web.post("/api/check", files={"file": ("photo.txt", bytes(range(256)) * 8)})
    assert json_of(binary, 422) == {
        "error": "photo.txt: binary file, not text, HTML, JSONL or WARC"
    }


class CountingHandler(QuietHandler):
    """Serves one news page and counts the requests it gets."""

    requests: list[str] = []

    def do_GET(self) -> None:
        CountingHandler.requests.append(self.path)
        body = article_html(url=None).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_check_by_url_refuses_private_addresses_unless_allowed(
    run_cli: RunCli, store: Store
) -> None:
    run_cli("ingest", str(SEEDS))
    CountingHandler.requests = []
    with serving(CountingHandler) as base:
        port = base.rsplit(":", 1)[1]
        page = f"{base}/bridge.html"
        refusing = client(store, token=TOKEN)
        for url in (
            page,
            f"http://localhost:{port}/bridge.html",
            f"http://[::1]:{port}/bridge.html",
            "http://10.1.2.3/story.html",
            "http://169.254.169.254/latest/meta-data/",
        ):
            refused = json_of(refusing.post("/api/check", json={"url": url}), 422)
            assert refused["error"].startswith(f"{url}: could not fetch: ")
            assert "private, loopback or reserved address" in refused["error"]
        report = json_of(refusing.post("/api/ingest", json={"url": page}, headers=WRITE))
        assert (report["added"], report["failures"][0]["origin"]) == (0, page)
        assert "private, loopback or reserved address" in report["failures"][0]["reason"]
        assert CountingHandler.requests == []

        allowing = client(store, Settings(allow_private_urls=True))
        fetched = json_of(allowing.post("/api/check", json={"url": page}))
        expected = cli_json(run_cli, "--allow-private-urls", "check", page, "--json")
        assert CountingHandler.requests == ["/bridge.html", "/bridge.html"]
    [item] = fetched["results"]
    assert (item["input"], item["verdict"], item["article"]["url"]) == (page, "original", page)
    assert fetched == expected
    assert json_of(client(store).get("/api/articles"))["total"] == 5


@pytest.mark.parametrize(
    "target",
    [str(SEED_003), "seeds", "-", "/etc/passwd", "file:///etc/passwd", "ftp://a.example/x"],
)
def test_a_url_to_fetch_is_never_a_path_on_the_server(store: Store, target: str) -> None:
    web = client(store, Settings(allow_private_urls=True), token=TOKEN)
    message = {"error": "url must be an http:// or https:// address"}
    assert json_of(web.post("/api/check", json={"url": target}), 422) == message
    assert json_of(web.post("/api/ingest", json={"url": target}, headers=WRITE), 422) == message
    assert json_of(web.get("/api/articles"))["total"] == 0


# ---- what is stored -------------------------------------------------------------------------

DATED = [
    {
        "url": "https://springfield-news.example/bridge",
        "title": "Springfield closes its old steel bridge",
        "text": "\n".join(PARAGRAPHS),
        "published": "2024-03-05T08:30:00Z",
    },
    {
        "url": "https://harbour-times.example/ferry",
        "title": "A ferry crosses the river every twenty minutes",
        "text": "The harbour company started its pedestrian ferry on Monday morning with two boats and a crew of six, and the first crossing carried forty commuters to the market square.",
        "published": "2024-04-10T12:00:00+02:00",
    },
    {
        "url": "https://harbour-times.example/taxes",
        "title": "Bridge Street shops ask for lower taxes",
        "text": "Eleven shop owners signed a letter to the council asking for a reduction of the local business tax while the bridge is closed, citing a drop of a third in customers.",
        "published": "2023-12-01T18:00:00Z",
    },
]


def test_articles_list_filters_and_pages_as_list_json(
    run_cli: RunCli, store: Store, tmp_path: Path
) -> None:
    corpus = tmp_path / "dated.jsonl"
    corpus.write_text(jsonl(DATED), encoding="utf-8")
    run_cli("ingest", str(SEEDS), str(corpus))
    web = client(store)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({}, []),
        ({"q": "NORDKOREA"}, ["--q", "NORDKOREA"]),
        ({"q": "003_"}, ["--q", "003_"]),
        ({"outlet": "harbour-times"}, ["--outlet", "harbour-times"]),
        ({"since": "2024-01-01"}, ["--since", "2024-01-01"]),
        ({"since": "2024-03-05T09:30:00+01:00"}, ["--since", "2024-03-05T08:30"]),
        ({"until": "2024-04-10T10:00:00Z"}, ["--until", "2024-04-10T10:00"]),
        ({"page": 2, "per_page": 3}, ["--page", "2", "--per-page", "3"]),
        ({"page": 9, "per_page": 3}, ["--page", "9", "--per-page", "3"]),
        ({"q": "%"}, ["--q", "%"]),
    ]
    for params, args in cases:
        answer = json_of(web.get("/api/articles", params=params))
        assert answer == cli_json(run_cli, "list", *args, "--json"), params
    everything = json_of(web.get("/api/articles"))
    assert (everything["schema"], everything["total"], len(everything["articles"])) == (
        "provenance.articles/1",
        8,
        8,
    )
    assert [a["url"] for a in everything["articles"][:3]] == [
        "https://harbour-times.example/ferry",
        "https://springfield-news.example/bridge",
        "https://harbour-times.example/taxes",
    ]
    harbour = json_of(web.get("/api/articles", params={"outlet": "harbour-times"}))
    assert [a["title"] for a in harbour["articles"]] == [DATED[1]["title"], DATED[2]["title"]]
    paged = json_of(web.get("/api/articles", params={"page": 2, "per_page": 3}))
    assert (paged["total"], paged["page"], len(paged["articles"])) == (8, 2, 3)
    assert (
        json_of(web.get("/api/articles", params={"page": 1_000_000, "per_page": 1000}))["articles"]
        == []
    )
    assert json_of(web.get("/api/articles", params={"q": "%"}))["total"] == 0
    for params in (
        {"page": 0},
        {"page": 1_000_001},
        {"per_page": 1001},
        {"since": "yesterday"},
        {"q": "x" * 501},
        {"q": "a\x00b"},
        {"outlet": "\x00"},
    ):
        refused = json_of(web.get("/api/articles", params=params), 422)
        assert refused["detail"][0]["loc"][:2] == ["query", next(iter(params))]
    for name, value in (
        ("since", "0001-01-01T00:00:00+05:00"),
        ("until", "9999-12-31T23:00-05:00"),
    ):
        out_of_range = json_of(web.get("/api/articles", params={name: value}), 422)
        assert out_of_range["error"].startswith(f"{name} is out of range: ")


def test_article_chain_trace_sources_and_audit_answer_as_the_cli(
    run_cli: RunCli, store: Store
) -> None:
    run_cli("ingest", str(SEEDS))
    web = client(store)
    article = json_of(web.get("/api/articles/4"))
    assert article == cli_json(run_cli, "show", "4", "--json")
    assert (article["schema"], article["article"]["title"]) == (
        "provenance.article/1",
        MERKUR_TITLE,
    )

    chain = json_of(web.get("/api/articles/4/chain"))
    assert json_of(web.get("/api/articles/4/chain", params={"format": "json"})) == chain
    assert chain == cli_json(run_cli, "chain", "4", "--json")
    assert chain["schema"] == "provenance.chain/2"
    assert [
        next(n["label"] for n in chain["nodes"] if n["key"] == key) for key in chain["path"]
    ] == [
        "KCNA",
        "Der Spiegel",
        "merkur.de",
        f"#4 {SEED_003.name}",
    ]
    dot = web.get("/api/articles/4/chain", params={"format": "dot"})
    assert dot.status_code == 200
    assert dot.headers["content-type"] == "text/vnd.graphviz; charset=utf-8"
    assert dot.text.startswith("digraph chain_4 {")
    assert dot.text.rstrip() == run_cli("chain", "4", "--format", "dot").stdout.rstrip()
    prov = json_of(web.get("/api/articles/4/chain", params={"format": "prov-json"}))
    assert prov == json.loads(run_cli("chain", "4", "--format", "prov-json").stdout)
    assert set(prov) >= {"prefix", "entity", "agent", "wasDerivedFrom", "wasAttributedTo"}
    assert json_of(web.get("/api/articles/4/chain", params={"format": "svg"}), 422)["detail"]

    for quote in ("Blut, Leben und Tod", "heldenhaften"):
        traced = json_of(web.get("/api/trace", params={"q": quote}))
        assert traced == cli_json(run_cli, "trace", quote, "--json")
    assert json_of(web.get("/api/trace", params={"q": "heldenhaften"}))["wording_differs"] is True
    with_nul = json_of(web.get("/api/trace", params={"q": "Blut, Leben\x00 und Tod"}))
    assert (with_nul["normalized"], len(with_nul["appearances"])) == ("blut leben und tod", 1)
    assert json_of(web.get("/api/trace", params={"q": "Diese Worte stehen nirgendwo"}), 404) == {
        "error": "the quote 'Diese Worte stehen nirgendwo' appears in none of the 5 stored articles"
    }
    assert json_of(web.get("/api/trace", params={"q": "und"}), 422) == {
        "error": "the quote 'und' is too short to be meaningful: give at least 6 letters and one word of 4 or more"
    }
    assert json_of(web.get("/api/trace", params={"q": ""}), 422)["detail"][0]["loc"] == [
        "query",
        "q",
    ]
    assert json_of(web.get("/api/trace"), 422)["detail"][0]["type"] == "missing"

    sources = json_of(web.get("/api/sources"))
    assert sources == cli_json(run_cli, "sources", "--json")
    assert {row["name"]: row["copied"] for row in sources}["merkur.de"] == 1

    audit = json_of(web.get("/api/audit"))
    expected = cli_json(run_cli, "audit", "--json", "-")
    assert audit["generated_at"].endswith("Z")
    assert {**audit, "generated_at": None} == {**expected, "generated_at": None}
    assert (audit["schema"], audit["counts"]["articles"], audit["counts"]["reposts"]) == (
        "provenance.audit/2",
        5,
        1,
    )


def test_an_article_id_names_that_article_only(
    run_cli: RunCli, store: Store, tmp_path: Path
) -> None:
    named = tmp_path / "7_bridge.txt"  # `provenance show 7` would find it by its file name
    named.write_text("Springfield closes its bridge\n" + "\n".join(PARAGRAPHS), encoding="utf-8")
    run_cli("ingest", str(named))
    assert cli_json(run_cli, "show", "7", "--json")["article"]["article_id"] == 1
    web = client(store, token=TOKEN)
    missing = {"error": "no stored article has the id 7"}
    assert json_of(web.get("/api/articles/7"), 404) == missing
    assert json_of(web.get("/api/articles/7/chain"), 404) == missing
    assert json_of(web.delete("/api/articles/7", headers=WRITE), 404) == missing
    assert json_of(web.get("/api/articles/1"))["article"]["origin"] == str(named)
    for path in (
        "/api/articles/0",
        "/api/articles/-1",
        "/api/articles/2147483648",
        "/api/articles/x",
    ):
        assert json_of(web.get(path), 422)["detail"][0]["loc"] == ["path", "article_id"]
        assert json_of(web.get(path + "/chain"), 422)["detail"][0]["loc"] == ["path", "article_id"]
        assert json_of(web.delete(path, headers=WRITE), 422)["detail"]
    assert json_of(web.get("/api/articles"))["total"] == 1


def test_an_empty_database_answers_with_empty_lists_and_404(store: Store) -> None:
    web = client(store)
    assert json_of(web.get("/api/articles"))["articles"] == []
    assert json_of(web.get("/api/sources")) == []
    assert json_of(web.get("/api/articles/1"), 404) == {"error": "no stored article has the id 1"}
    assert json_of(web.get("/api/trace", params={"q": "Blut, Leben und Tod"}), 422) == {
        "error": "the database holds no articles: run 'provenance ingest' first"
    }
    [result] = json_of(web.post("/api/check", json={"text": "A headline\nA body of text."}))[
        "results"
    ]
    assert (result["verdict"], result["database_empty"]) == ("original", True)
    assert json_of(web.get("/api/nothing-here"), 404) == {"error": "Not Found"}


def test_openapi_describes_each_error_and_docs_are_served_locally(store: Store) -> None:
    web = client(store)
    paths = json_of(web.get("/openapi.json"))["paths"]
    assert set(paths["/api/ingest"]["post"]["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "413",
        "422",
        "503",
    }
    assert set(paths["/api/articles/{article_id}"]["delete"]["responses"]) == {
        "200",
        "401",
        "403",
        "404",
        "422",
        "503",
    }
    check = paths["/api/check"]["post"]
    assert set(check["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert check["responses"]["413"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    chain = paths["/api/articles/{article_id}/chain"]["get"]["responses"]["200"]["content"]
    assert set(chain) == {"application/json", "text/vnd.graphviz"}
    docs = web.get("/docs")
    assert docs.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in docs.text
    assert "content-security-policy" not in docs.headers  # Swagger UI starts with an inline script
    assert docs.headers["x-content-type-options"] == "nosniff"
    assert web.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


# ---- writes ---------------------------------------------------------------------------------

STORY = "Springfield closes its old steel bridge\n" + "\n".join(PARAGRAPHS)


def test_a_server_without_a_token_writes_nothing(run_cli: RunCli, store: Store) -> None:
    run_cli("ingest", str(SEED_003))
    for token in (None, ""):
        web = client(store, token=token)
        refused = web.post("/api/ingest", json={"text": STORY}, headers=WRITE)
        assert json_of(refused, 403) == {
            "error": "this server is read-only: start it with PROVENANCE_TOKEN set to allow writes"
        }
        assert json_of(web.delete("/api/articles/1", headers=WRITE), 403) == json_of(refused, 403)
        upload = web.post("/api/ingest", files={"file": ("story.txt", STORY.encode())})
        assert upload.status_code == 403
        assert json_of(web.get("/api/articles"))["total"] == 1
    assert cli_json(run_cli, "list", "--json")["total"] == 1


def test_a_wrong_token_is_401_and_writes_nothing(store: Store) -> None:
    web = client(store, token=TOKEN)
    attempts: list[dict[str, str | bytes]] = [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer tökén".encode()},
    ]
    for headers in attempts:
        refused = web.post("/api/ingest", json={"text": STORY}, headers=headers)
        assert json_of(refused, 401) == {
            "error": "a write needs the server's token: Authorization: Bearer TOKEN"
        }
        assert refused.headers["www-authenticate"] == "Bearer"
        assert web.delete("/api/articles/1", headers=headers).status_code == 401
    assert json_of(web.get("/api/articles"))["total"] == 0


def test_the_right_token_ingests_and_forgets(run_cli: RunCli, store: Store, tmp_path: Path) -> None:
    web = client(store, token=TOKEN)
    report = json_of(web.post("/api/ingest", json={"text": STORY}, headers=WRITE))
    assert report == {
        "read": 1,
        "added": 1,
        "already_stored": 0,
        "new_versions": 0,
        "links": {},
        "failures": [],
        "warnings": [],
    }
    again = json_of(
        web.post("/api/ingest", json={"text": STORY}, headers={"Authorization": f"bearer  {TOKEN}"})
    )
    assert (again["added"], again["already_stored"]) == (0, 1)
    records = tmp_path / "two.jsonl"
    records.write_text(jsonl(DATED[1:]), encoding="utf-8")
    uploaded = json_of(
        web.post("/api/ingest", files={"file": ("two.jsonl", records.read_bytes())}, headers=WRITE)
    )
    assert (uploaded["read"], uploaded["added"]) == (2, 2)
    listed = json_of(web.get("/api/articles"))
    assert listed == cli_json(run_cli, "list", "--json")
    [stored] = [a for a in listed["articles"] if a["origin"] == "request"]
    assert stored["title"] == "Springfield closes its old steel bridge"

    path = f"/api/articles/{stored['article_id']}"
    shown = json_of(web.get(path))
    forgotten = json_of(web.delete(path, headers=WRITE))
    assert forgotten["schema"] == "provenance.forget/1"
    assert forgotten["article"]["article_id"] == stored["article_id"]
    assert forgotten["article"]["title"] == shown["article"]["title"]
    assert forgotten["removed"]["articles"] == 1
    missing = {"error": f"no stored article has the id {stored['article_id']}"}
    assert json_of(web.get(path), 404) == missing
    assert json_of(web.delete(path, headers=WRITE), 404) == missing
    assert json_of(web.get("/api/articles"))["total"] == 2
    assert cli_json(run_cli, "list", "--json")["total"] == 2


# ---- size limits ----------------------------------------------------------------------------


def test_an_article_over_the_limit_is_413(store: Store) -> None:
    web = client(store, Settings(max_file_bytes=LIMIT), token=TOKEN)
    message = {
        "error": f"the request is larger than the limit of {LIMIT + REQUEST_OVERHEAD:,} bytes"
    }
    big = b"Headline\n" + b"word " * (LIMIT // 2)
    for path, headers in (("/api/check", {}), ("/api/ingest", WRITE)):
        upload = web.post(path, files={"file": ("big.txt", big)}, headers=headers)
        assert json_of(upload, 413) == message
        assert upload.headers["content-security-policy"].startswith("default-src 'self'")
        assert json_of(web.post(path, json={"text": big.decode()}, headers=headers), 413) == message
        article_limit = {"error": f"the article is larger than the limit of {LIMIT:,} bytes"}
        just_over = "Headline\n" + "x" * (LIMIT - 8)
        assert json_of(web.post(path, json={"text": just_over}, headers=headers), 413) == (
            article_limit
        )
        assert json_of(web.post(path, json={"html": just_over}, headers=headers), 413) == (
            article_limit
        )
        over = web.post(path, files={"file": ("x.txt", just_over.encode())}, headers=headers)
        assert json_of(over, 413) == article_limit
    within = "Headline\n" + "word " * ((LIMIT - 20) // 5)
    assert json_of(web.post("/api/check", json={"text": within}))["results"][0]["verdict"]
    assert json_of(web.get("/api/articles"))["total"] == 0


def asgi_request(
    app: FastAPI, path: str, headers: dict[str, str], chunks: int, chunk: bytes
) -> tuple[int, dict[str, str], bytes, int]:
    """Send a request straight to the ASGI app, its body `chunks` pieces of `chunk` offered one at a
    time; the status, headers and body of the answer, and how many pieces the app took.
    """
    taken = 0

    async def receive() -> Message:
        nonlocal taken
        if taken >= chunks:
            await asyncio.sleep(3600)  # the client never disconnects during the test
        taken += 1
        return {"type": "http.request", "body": chunk, "more_body": taken < chunks}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 30))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    answer = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], answer, body, taken


@pytest.mark.parametrize(
    ("path", "kind", "auth"),
    [
        ("/api/check", "multipart/form-data; boundary=b0undary", {}),
        ("/api/check", "application/json", {}),
        ("/api/ingest", "multipart/form-data; boundary=b0undary", WRITE),
        ("/api/ingest", "application/json", WRITE),
    ],
)
def test_a_body_over_the_limit_is_refused_as_it_arrives(
    store: Store, path: str, kind: str, auth: dict[str, str]
) -> None:
    app = create_app(store, Settings(max_file_bytes=LIMIT), token=TOKEN)
    piece = 16 * 1024
    if kind.startswith("multipart"):
        first = (
            b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
        )
    else:
        first = b'{"text": "'
    chunk = (first + b"x" * piece)[:piece]
    whole = 4000  # 64 MB, were it all read
    declared = {"content-type": kind, "content-length": str(whole * piece), **auth}
    status, headers, body, taken = asgi_request(app, path, declared, whole, chunk)
    assert (status, taken) == (413, 0)  # refused on its Content-Length, before a byte is read
    assert json.loads(body) == {
        "error": f"the request is larger than the limit of {LIMIT + REQUEST_OVERHEAD:,} bytes"
    }
    plain = {"content-type": kind, "transfer-encoding": "chunked"}
    status, headers, body, taken = asgi_request(app, path, {**plain, **auth}, whole, chunk)
    assert status == 413 and headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    assert taken == (LIMIT + REQUEST_OVERHEAD) // piece + 1  # the first piece past the limit
    if path == "/api/ingest":  # a write refused for its token reads none of its body
        read_only = create_app(store, Settings(max_file_bytes=LIMIT))
        assert asgi_request(read_only, path, {**plain, **auth}, whole, chunk)[::3] == (403, 0)
        wrong = {**plain, "authorization": "Bearer no"}
        assert asgi_request(app, path, wrong, whole, chunk)[::3] == (401, 0)


# ---- a live server --------------------------------------------------------------------------


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve the app with uvicorn on a free port of 127.0.0.1 in a thread; yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, lifespan="off", ws="none", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(20)
        listener.close()
        assert not thread.is_alive()


def check_bodies() -> list[dict[str, Any]]:
    """Ten different articles to check: the seeds, a changed copy, new texts and an HTML page."""
    seeds = [{"text": path.read_text(encoding="utf-8")} for path in sorted(SEEDS.glob("*.txt"))]
    return [
        *seeds,
        {"text": seed_003_changed().decode()},
        {"text": STORY},
        {"html": article_html(), "url": "https://springfield-news.example/bridge-closure"},
        {"text": (QUOTE_ORIGIN / "flood.de.txt").read_text(encoding="utf-8")},
        {
            "text": (QUOTE_ORIGIN / "flood.fr.txt").read_text(encoding="utf-8"),
            "title": "Inondations",
        },
    ]


@contextmanager
def served_by_the_cli(db_url: str, log: Path) -> Iterator[str]:
    """`provenance serve` in a process of its own, read-only, on a free port; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {key: value for key, value in os.environ.items() if key != TOKEN_ENV}
    command = [sys.executable, "-m", "provenance", "--db", db_url, "serve", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as errors:
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=errors, env=environment
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/api/sources", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(20)


def test_fifty_concurrent_checks_on_a_live_server_answer_as_sequential_ones(
    run_cli: RunCli, db_url: str, tmp_path: Path
) -> None:
    run_cli("ingest", str(SEEDS))
    bodies = check_bodies() * 5
    log = tmp_path / "serve.log"
    with served_by_the_cli(db_url, log) as base:  # a fresh process: nothing loaded beforehand
        with httpx.Client(base_url=base, timeout=60) as sequential:
            expected = [sequential.post("/api/check", json=body) for body in bodies[:10]]

        async def all_at_once() -> list[httpx.Response]:
            limits = httpx.Limits(max_connections=len(bodies))
            async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as web:
                return await asyncio.gather(*(web.post("/api/check", json=b) for b in bodies))

        answers = asyncio.run(all_at_once())
    assert [e.status_code for e in expected] == [200] * 10
    assert [a.status_code for a in answers] == [200] * 50, log.read_text()
    assert [a.json() for a in answers] == [e.json() for e in expected] * 5
    verdicts = Counter(a.json()["results"][0]["verdict"] for a in answers)
    assert verdicts == {"stored": 25, "copy": 5, "original": 20}
    assert "Traceback" not in log.read_text()


def test_a_slow_fetch_holds_no_other_request(store: Store) -> None:
    asked = threading.Event()
    released = threading.Event()
    waits: list[bool] = []

    class HeldHandler(QuietHandler):
        """Answers once the test lets it (or after 10 s)."""

        def do_GET(self) -> None:
            asked.set()
            waits.append(released.wait(10))
            body = article_html(url=None).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    app = create_app(store, Settings(allow_private_urls=True))
    with serving(HeldHandler) as site, live_server(app) as base:

        async def meanwhile() -> tuple[httpx.Response, httpx.Response]:
            async with httpx.AsyncClient(base_url=base, timeout=30) as web:
                fetching = asyncio.create_task(
                    web.post("/api/check", json={"url": f"{site}/held.html"})
                )
                for _ in range(500):
                    if asked.is_set():
                        break
                    await asyncio.sleep(0.01)
                listing = await web.get("/api/articles", timeout=5)
                released.set()
                return listing, await fetching

        listing, fetched = asyncio.run(meanwhile())
    assert json_of(listing)["total"] == 0
    assert json_of(fetched)["results"][0]["verdict"] == "original"
    assert waits == [True]  # the page was held until the listing had been answered


def test_a_live_server_refuses_a_large_body_without_reading_it(store: Store) -> None:
    app = create_app(store, Settings(max_file_bytes=LIMIT), token=TOKEN)
    with live_server(app) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
            conn.sendall(
                b"POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000000000\r\n\r\n"
            )
            answer = read_response(conn)
        assert answer.startswith(b"HTTP/1.1 413 ")
        assert json.loads(answer.partition(b"\r\n\r\n")[2]) == {
            "error": "the request is larger than the limit of 165,536 bytes"
        }

        sent, answer = send_chunked(port, "/api/check", 48 * 1024 * 1024)
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        assert b"larger than the limit" in answer
        assert sent < 16 * 1024 * 1024  # the server stopped reading long before the end
        with httpx.Client(base_url=base) as web:  # and it serves on
            assert web.get("/api/articles").json()["total"] == 0


def read_response(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or a 413's body is complete)."""
    data = b""
    while not data.endswith(b"}"):
        piece = conn.recv(65536)
        if not piece:
            break
        data += piece
    return data


def send_chunked(port: int, path: str, size: int) -> tuple[int, bytes]:
    """Send a chunked JSON body of `size` bytes until the server answers; bytes sent and answer."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=20)
    answer = bytearray()
    done = threading.Event()

    def reader() -> None:
        try:
            while piece := conn.recv(65536):
                answer.extend(piece)
                if answer.endswith(b"}"):
                    break
        except OSError:
            pass
        done.set()

    listening = threading.Thread(target=reader, daemon=True)
    listening.start()
    sent = 0
    conn.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n".encode()
    )
    piece = b'{"text": "' + b"x" * (64 * 1024 - 10)
    frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    try:
        while sent < size and not done.is_set():
            select.select([], [conn], [], 5)
            conn.sendall(frame)
            sent += len(piece)
    except OSError:
        pass  # the server closed the connection: it will read no more
    done.wait(20)
    conn.close()
    return sent, bytes(answer)


# ---- schemathesis ---------------------------------------------------------------------------

EXAMPLES = 100
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def fuzz(
    operation: Any,
    mode: GenerationMode,
    statuses: Counter[tuple[str, int]],
    failures: dict[str, str],
    path_parameters: dict[str, Any] | None = None,
) -> None:
    """Send EXAMPLES generated requests to one operation (with the write token, and these path
    parameters if given); count the statuses and keep the first failure of CHECKS.
    """

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def exercise(case: Case[Any]) -> None:
        response = case.call(headers=WRITE)
        statuses[(operation.label, response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=WRITE)
        except FailureGroup as group:
            failures.setdefault(f"{operation.label} ({mode.value})", str(group))

    exercise()


def test_schemathesis_finds_no_server_error_and_responses_conform(
    run_cli: RunCli, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli("ingest", str(SEEDS))

    def no_network(url: str, *args: Any, **kwargs: Any) -> Any:
        raise FetchError(f"could not fetch: {url} is not fetched in this test")

    monkeypatch.setattr("provenance.read.inputs.fetch_url", no_network)
    app = create_app(store, Settings(max_file_bytes=LIMIT), token=TOKEN)
    spec = json_of(client(store).get("/openapi.json"))
    for reference in {text for text in strings(spec) if text.startswith("#/")}:
        assert spec["components"]["schemas"][reference.rsplit("/", 1)[1]]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    labels = sorted(operation.label for operation in operations)
    assert labels == [
        "DELETE /api/articles/{article_id}",
        "GET /api/articles",
        "GET /api/articles/{article_id}",
        "GET /api/articles/{article_id}/chain",
        "GET /api/audit",
        "GET /api/sources",
        "GET /api/trace",
        "POST /api/check",
        "POST /api/ingest",
    ]
    failures: dict[str, str] = {}
    statuses: Counter[tuple[str, int]] = Counter()
    for operation in operations:  # first the stored articles' pages, with a stored id
        if operation.method == "get" and "{article_id}" in operation.path:
            fuzz(operation, GenerationMode.POSITIVE, statuses, failures, {"article_id": 4})
    for operation in operations:
        takes_input = any(
            len(part) for part in (operation.path_parameters, operation.query, operation.headers)
        ) or bool(operation.body)
        modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE][: 2 if takes_input else 1]
        for mode in modes:
            fuzz(operation, mode, statuses, failures)
    assert failures == {}, "\n".join(failures.values())
    assert not [key for key in statuses if key[1] >= 500]
    for operation in operations:
        calls = sum(n for (label, _), n in statuses.items() if label == operation.label)
        assert calls >= (1 if operation.label in ("GET /api/sources", "GET /api/audit") else 50)
    answered = {label for (label, status) in statuses if status == 200}
    assert answered >= {label for label in labels if label != "GET /api/trace"}


# ---- article text stays data ----------------------------------------------------------------

SCRIPT = '<script>alert("title")</script>'
HOSTILE_URL = 'https://evil.example/"><script>alert(1)</script>?q=<img src=x onerror=alert(2)>'


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_script_in_an_article_comes_back_as_json_strings(store: Store) -> None:
    web = client(store, token=TOKEN)
    body = (
        "The council met on Tuesday <img src=x onerror=alert(3)> and voted to close the bridge.\n"
        + "\n".join(PARAGRAPHS)
        + '\n<svg onload=alert(4)></svg> "</script><script>alert(5)</script>"'
    )
    title = f"{SCRIPT} Bridge closed"
    submission = {"text": body, "title": title, "url": HOSTILE_URL}
    stored = json_of(web.post("/api/ingest", json=submission, headers=WRITE))
    assert (stored["added"], stored["warnings"]) == (1, [])
    listed = json_of(web.get("/api/articles"))
    [summary] = listed["articles"]
    assert (summary["title"], summary["url"]) == (title, HOSTILE_URL)
    article_id = summary["article_id"]
    shown = json_of(web.get(f"/api/articles/{article_id}"))
    assert (shown["article"]["title"], shown["article"]["url"]) == (title, HOSTILE_URL)
    chain = json_of(web.get(f"/api/articles/{article_id}/chain"))
    assert any(SCRIPT in text for text in strings(chain))
    prov = web.get(f"/api/articles/{article_id}/chain", params={"format": "prov-json"})
    assert any(HOSTILE_URL in text for text in strings(json_of(prov)))
    dot = web.get(f"/api/articles/{article_id}/chain", params={"format": "dot"})
    assert dot.headers["content-type"].startswith("text/vnd.graphviz")
    assert dot.headers["x-content-type-options"] == "nosniff"
    checked = json_of(web.post("/api/check", json=submission))
    assert checked["results"][0]["article"]["title"] == title
    assert checked["results"][0]["of"]["url"] == HOSTILE_URL
    traced = web.get("/api/trace", params={"q": "alert(5)"})
    assert json_of(traced)["wordings"] == ["</script><script>alert(5)</script>"]
    assert json_of(traced)["appearances"][0]["title"] == title
    nowhere = web.get("/api/trace", params={"q": f"{SCRIPT} nirgendwo stehende Worte"})
    assert SCRIPT in json_of(nowhere, 404)["error"]
    unknown = web.get(f"/api/{SCRIPT}")
    assert json_of(unknown, 404) == {"error": "Not Found"}
    for response in (prov, dot, traced, nowhere, unknown, web.get("/api/articles")):
        assert "text/html" not in response.headers["content-type"]
        assert "script-src 'self'" in response.headers["content-security-policy"]
    forgotten = json_of(web.delete(f"/api/articles/{article_id}", headers=WRITE))
    assert (forgotten["article"]["title"], forgotten["article"]["url"]) == (title, HOSTILE_URL)
