"""The JSON API: the library's answers over HTTP, under the same schemas as the CLI's --json."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from provenance import render
from provenance.audit.build import run_audit
from provenance.audit.model import audit_json
from provenance.errors import InputError
from provenance.graph.chain import chain_json
from provenance.graph.formats import chain_dot, chain_prov_json
from provenance.graph.sources import source_uses
from provenance.graph.trace import trace_quote
from provenance.ingest.lookup import chain_of, forget, show_article
from provenance.ingest.run import ingest_documents
from provenance.ingest.verdicts import check_documents
from provenance.read.document import Document, Failure, document_from_text
from provenance.read.html import document_from_html
from provenance.read.inputs import documents_from_upload, iter_documents
from provenance.serve.state import Server

router = APIRouter(prefix="/api")


class Submission(BaseModel):
    """An article to check or ingest: its text, its HTML (with the URL it came from), or a URL to fetch."""

    text: str | None = Field(
        default=None, description="Plain text; the first line is read as the headline."
    )
    html: str | None = Field(default=None, description="A page's HTML, extracted with trafilatura.")
    url: str | None = Field(
        default=None, description="With html: where the page came from. Alone: a page to fetch."
    )
    title: str | None = Field(
        default=None, description="With text: the headline, if the text does not start with it."
    )
    published: str | None = Field(
        default=None, description="With text: the publication time (ISO 8601)."
    )


SUBMISSION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Submission"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def server(request: Request) -> Server:
    """The server's state: its store and settings."""
    state: Server = request.app.state.server
    return state


def writer_token(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """Refuse a write unless a token is configured and this request sends it (Authorization: Bearer TOKEN)."""
    token = server(request).token
    if not token:
        raise HTTPException(
            403, "this server is read-only: start it with PROVENANCE_TOKEN set to allow writes"
        )
    sent = (authorization or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(sent.encode(), token.encode()):
        raise HTTPException(401, "a write needs the server's token: Authorization: Bearer TOKEN")


async def documents_of(request: Request, state: Server) -> list[Document | Failure]:
    """The documents a check or ingest request carries: JSON text, HTML or URL, or an uploaded file."""
    limit = state.settings.max_file_bytes
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InputError("send the article as a form field named 'file'")
        data = await upload.read(limit + 1)
        return list(documents_from_upload(data, upload.filename or "upload", limit))
    body = await request.body()
    if len(body) > limit:
        raise InputError(f"the request is larger than the limit of {limit:,} bytes")
    try:
        submission = Submission.model_validate_json(body or b"{}")
    except ValueError as error:
        raise InputError(f"the request is not an article: {str(error).splitlines()[0]}") from error
    return submission_documents(submission, state)


def submission_documents(submission: Submission, state: Server) -> list[Document | Failure]:
    """The one document a JSON submission gives."""
    if submission.text is not None:
        metadata = {
            key: value
            for key, value in (
                ("title", submission.title),
                ("published", submission.published),
                ("url", submission.url),
            )
            if value
        }
        return [document_from_text(submission.text, "request", metadata)]
    if submission.html is not None:
        return [document_from_html(submission.html, submission.url or "request", submission.url)]
    if submission.url:
        return list(
            iter_documents(
                [submission.url],
                state.settings.max_file_bytes,
                allow_private_urls=state.settings.allow_private_urls,
            )
        )
    raise InputError("send one of text, html or url")


@router.post("/check", summary="Is this article a repost?", openapi_extra=SUBMISSION_BODY)
async def api_check(request: Request) -> dict[str, Any]:
    """The verdict on one article, under the provenance.check/2 schema of `check --json`."""
    state = server(request)
    documents = await documents_of(request, state)
    results = await state.run(check_documents, state.store, documents, state.settings)
    return render.check_json(results, state.registry)


@router.get("/articles", summary="Stored articles, newest first")
def api_articles(
    request: Request,
    q: Annotated[
        str | None, Query(max_length=500, description="Text in the title, URL or file name.")
    ] = None,
    outlet: Annotated[str | None, Query(max_length=255)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    """A page of stored articles, under the provenance.articles/1 schema of `list --json`."""
    state = server(request)
    since, until = _naive_utc(since), _naive_utc(until)
    with state.store.reader() as reader:
        total, articles = reader.find_articles(
            q, outlet, since, until, per_page, (page - 1) * per_page
        )
    return render.articles_json(total, page, per_page, articles, state.registry)


def _naive_utc(moment: datetime | None) -> datetime | None:
    """A time as the store keeps it: UTC without a zone."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


@router.get("/articles/{article_id}", summary="A stored article")
def api_article(request: Request, article_id: int) -> dict[str, Any]:
    """A stored article with its relations, attributions, quotes and passages found elsewhere (provenance.article/1)."""
    state = server(request)
    return render.article_json(show_article(state.store, str(article_id)), state.registry)


@router.get(
    "/articles/{article_id}/chain", summary="A stored article's source chain", response_model=None
)
def api_chain(
    request: Request,
    article_id: int,
    format: Annotated[str, Query(pattern="^(json|dot|prov-json)$")] = "json",
) -> dict[str, Any] | PlainTextResponse:
    """The chain from the earliest known source to the article: provenance.chain/2 JSON, Graphviz DOT or W3C PROV-JSON."""
    state = server(request)
    chain = chain_of(state.store, str(article_id), state.settings)
    if format == "dot":
        return PlainTextResponse(chain_dot(chain), media_type="text/vnd.graphviz")
    if format == "prov-json":
        return PlainTextResponse(chain_prov_json(chain), media_type="application/json")
    return chain_json(chain)


@router.get("/trace", summary="Where did this quote originate?")
def api_trace(
    request: Request, q: Annotated[str, Query(min_length=1, max_length=2000)]
) -> dict[str, Any]:
    """Every stored article carrying a quote, in time order, with sources and origin (provenance.trace/2)."""
    state = server(request)
    return render.trace_json(trace_quote(state.store, q, state.registry))


@router.get("/sources", summary="The sources named in the stored articles")
def api_sources(request: Request) -> list[dict[str, Any]]:
    """How often each source is cited, credited as wire, or copied (as `sources --json`)."""
    state = server(request)
    return render.sources_json(source_uses(state.store, state.registry, False))


@router.get("/audit", summary="The audit of the stored database")
def api_audit(request: Request) -> dict[str, Any]:
    """The audit of every stored article, under the provenance.audit/2 schema of `audit --json`."""
    state = server(request)
    return audit_json(run_audit(state.store, [], state.registry, state.settings))


@router.post(
    "/ingest",
    summary="Store an article (needs the token)",
    openapi_extra=SUBMISSION_BODY,
    dependencies=[Depends(writer_token)],
)
async def api_ingest(request: Request) -> dict[str, Any]:
    """Store the article and link it to its copies; what was stored, as `ingest --json`."""
    state = server(request)
    documents = await documents_of(request, state)
    report = await state.run(ingest_documents, state.store, documents, state.settings)
    return report.as_dict()


@router.delete(
    "/articles/{article_id}",
    summary="Forget a stored article (needs the token)",
    dependencies=[Depends(writer_token)],
)
async def api_forget(request: Request, article_id: int) -> dict[str, Any]:
    """Remove the article and everything derived from it (provenance.forget/1)."""
    state = server(request)
    forgotten = await state.run(forget, state.store, str(article_id), state.settings)
    return render.forget_json(forgotten)
