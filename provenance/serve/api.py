"""The JSON API: the library's answers over HTTP, under the same schemas as the CLI's --json."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from provenance import render
from provenance.audit.build import run_audit
from provenance.audit.model import audit_json
from provenance.errors import InputError, NotFoundError
from provenance.graph.chain import Chain, chain_json
from provenance.graph.formats import chain_dot, chain_prov_json
from provenance.graph.sources import source_uses
from provenance.graph.trace import trace_quote
from provenance.ingest.lookup import ArticleView, Forgotten, chain_of, forget, show_article
from provenance.ingest.run import ingest_documents
from provenance.ingest.verdicts import check_documents
from provenance.read.document import Document, Failure, document_from_text, domain_of
from provenance.read.html import document_from_html
from provenance.read.inputs import documents_from_upload, is_url, iter_documents
from provenance.serve.state import Server

router = APIRouter(prefix="/api")

MAX_ARTICLE_ID = 2**31 - 1
"""The largest id an article can have: the column is a 32-bit integer on PostgreSQL."""

ArticleId = Annotated[int, Path(ge=1, le=MAX_ARTICLE_ID, description="A stored article's id.")]

NO_NUL = "^[^\\x00]*$"
"""Query text holds no NUL: no stored text does, and PostgreSQL refuses it in a query."""


class ErrorBody(BaseModel):
    """What every refused request answers: one line saying what went wrong."""

    error: str = Field(description="One line saying what went wrong.")


class Unprocessable(BaseModel):
    """A 422: an article that cannot be read (`error`), or parameters that are not valid (FastAPI's `detail`)."""

    error: str | None = Field(default=None, description="Why the article cannot be read.")
    detail: list[dict[str, Any]] | None = Field(
        default=None, description="The parameters that are not valid."
    )


ERRORS: dict[int, str] = {
    400: "A malformed request (a multipart body that cannot be parsed), or another library error.",
    401: "A write without the server's token: Authorization: Bearer TOKEN.",
    403: "A write to a read-only server (started without PROVENANCE_TOKEN).",
    404: "No stored article (or quote) is the one asked for.",
    413: "The request or the article in it is over the size limit (--max-size).",
    422: "An article that cannot be read, or parameters that are not valid.",
    503: "The database could not answer.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI description of the errors an endpoint can answer with."""
    return {
        code: {"model": Unprocessable if code == 422 else ErrorBody, "description": ERRORS[code]}
        for code in (*codes, 422, 503)
    }


class Submission(BaseModel):
    """An article to check or ingest: its text, its HTML (with the URL it came from), or a URL to fetch."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": [name], "properties": {name: {"type": "string"}}}
                for name in ("text", "html", "url")
            ]
        }
    )

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

    @field_validator("url")
    @classmethod
    def _parses(cls, url: str | None) -> str | None:
        if url is not None:  # as the library reads it; its ValueError refuses the request
            urlsplit(url)
            domain_of(url)
        return url


SUBMISSION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": Submission.model_json_schema()},
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
    scheme, _, sent = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        sent.strip().encode("utf-8", "surrogateescape"), token.encode("utf-8", "surrogateescape")
    ):
        raise HTTPException(
            401,
            "a write needs the server's token: Authorization: Bearer TOKEN",
            headers={"WWW-Authenticate": "Bearer"},
        )


def too_large(limit: int) -> HTTPException:
    """The 413 of an article over the size limit."""
    return HTTPException(413, f"the article is larger than the limit of {limit:,} bytes")


async def documents_of(request: Request, state: Server) -> list[Document | Failure]:
    """The documents a check or ingest request carries: JSON text, HTML or URL, or an uploaded file.

    The body is taken here; reading the article (extraction, a fetch) runs in the thread pool.
    """
    limit = state.settings.max_file_bytes
    kind = request.headers.get("content-type", "")
    if kind.lower().startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise InputError("send the article as a form field named 'file'")
            data = await upload.read(limit + 1)
            name = upload.filename or "upload"
        if len(data) > limit:
            raise too_large(limit)
        return await state.run(lambda: list(documents_from_upload(data, name, limit)))
    body = await request.body()
    try:
        submission = Submission.model_validate_json(body or b"{}")
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(
            f"the request is not an article: {where + ': ' if where else ''}{first['msg']}"
        ) from None
    for value in (submission.text, submission.html):
        if value is not None and len(value.encode("utf-8", "surrogatepass")) > limit:
            raise too_large(limit)
    if submission.text is None and submission.html is None and submission.url:
        if not is_url(submission.url):
            raise InputError("url must be an http:// or https:// address")
    return await state.run(submission_documents, submission, state)


def submission_documents(submission: Submission, state: Server) -> list[Document | Failure]:
    """The one document a JSON submission gives (a URL alone is fetched: call it in the thread pool)."""
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
    if submission.url and is_url(submission.url):
        return list(
            iter_documents(
                [submission.url],
                state.settings.max_file_bytes,
                allow_private_urls=state.settings.allow_private_urls,
            )
        )
    raise InputError("send one of text, html or url")


@router.post(
    "/check",
    summary="Is this article a repost?",
    openapi_extra=SUBMISSION_BODY,
    responses=errors(400, 413),
)
async def api_check(request: Request) -> dict[str, Any]:
    """The verdict on one article, under the provenance.check/2 schema of `check --json`."""
    state = server(request)
    documents = await documents_of(request, state)
    results = await state.run(check_documents, state.store, documents, state.settings)
    return render.check_json(results, state.registry)


@router.get("/articles", summary="Stored articles, newest first", responses=errors())
def api_articles(
    request: Request,
    q: Annotated[
        str | None,
        Query(max_length=500, pattern=NO_NUL, description="Text in the title, URL or file name."),
    ] = None,
    outlet: Annotated[
        str | None,
        Query(max_length=255, pattern=NO_NUL, description="Text in the outlet, domain or URL."),
    ] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    """A page of stored articles, under the provenance.articles/1 schema of `list --json`."""
    state = server(request)
    since, until = _naive_utc(since, "since"), _naive_utc(until, "until")
    with state.store.reader() as reader:
        total, articles = reader.find_articles(
            q, outlet, since, until, per_page, (page - 1) * per_page
        )
    return render.articles_json(total, page, per_page, articles, state.registry)


def _naive_utc(moment: datetime | None, name: str) -> datetime | None:
    """A time as the store keeps it: UTC without a zone."""
    if moment is None or moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        raise InputError(f"{name} is out of range: {moment.isoformat()} in UTC") from None


def _not_stored(article_id: int) -> NotFoundError:
    return NotFoundError(f"no stored article has the id {article_id}")


def _require_stored(state: Server, article_id: int) -> None:
    """Refuse an id no stored article has: the library's references would go on to match it
    against URLs and file names (article 7 is not the one ingested from 7_report.txt).
    """
    with state.store.reader() as reader:
        if article_id not in reader.article_summaries([article_id]):
            raise _not_stored(article_id)


def _article_view(state: Server, article_id: int) -> ArticleView:
    """The stored article of this id, with its relations."""
    _require_stored(state, article_id)
    view = show_article(state.store, str(article_id))
    if view.article.id != article_id:  # forgotten meanwhile
        raise _not_stored(article_id)
    return view


def _chain(state: Server, article_id: int) -> Chain:
    """The source chain of the stored article of this id."""
    _require_stored(state, article_id)
    chain = chain_of(state.store, str(article_id), state.settings)
    if chain.article.id != article_id:  # forgotten meanwhile
        raise _not_stored(article_id)
    return chain


def _forget(state: Server, article_id: int) -> Forgotten:
    """Forget the stored article of this id."""
    _require_stored(state, article_id)
    return forget(state.store, str(article_id), state.settings)


@router.get("/articles/{article_id}", summary="A stored article", responses=errors(404))
def api_article(request: Request, article_id: ArticleId) -> dict[str, Any]:
    """A stored article with its relations, attributions, quotes and passages found elsewhere (provenance.article/1)."""
    state = server(request)
    return render.article_json(_article_view(state, article_id), state.registry)


@router.get(
    "/articles/{article_id}/chain",
    summary="A stored article's source chain",
    response_model=None,
    responses={
        200: {"content": {"text/vnd.graphviz": {"schema": {"type": "string"}}}},
        **errors(404),
    },
)
def api_chain(
    request: Request,
    article_id: ArticleId,
    format: Annotated[str, Query(pattern="^(json|dot|prov-json)$")] = "json",
) -> dict[str, Any] | PlainTextResponse:
    """The chain from the earliest known source to the article: provenance.chain/2 JSON, Graphviz DOT or W3C PROV-JSON."""
    state = server(request)
    chain = _chain(state, article_id)
    if format == "dot":
        return PlainTextResponse(chain_dot(chain), media_type="text/vnd.graphviz")
    if format == "prov-json":
        return PlainTextResponse(chain_prov_json(chain), media_type="application/json")
    return chain_json(chain)


@router.get("/trace", summary="Where did this quote originate?", responses=errors(404))
def api_trace(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="The quote.")],
) -> dict[str, Any]:
    """Every stored article carrying a quote, in time order, with sources and origin (provenance.trace/2)."""
    state = server(request)
    return render.trace_json(trace_quote(state.store, q, state.registry))


@router.get("/sources", summary="The sources named in the stored articles", responses=errors())
def api_sources(request: Request) -> list[dict[str, Any]]:
    """How often each source is cited, credited as wire, or copied (as `sources --json`)."""
    state = server(request)
    return render.sources_json(source_uses(state.store, state.registry, False))


@router.get("/audit", summary="The audit of the stored database", responses=errors())
def api_audit(request: Request) -> dict[str, Any]:
    """The audit of every stored article, under the provenance.audit/2 schema of `audit --json`."""
    state = server(request)
    return audit_json(run_audit(state.store, [], state.registry, state.settings))


@router.post(
    "/ingest",
    summary="Store an article (needs the token)",
    openapi_extra=SUBMISSION_BODY,
    dependencies=[Depends(writer_token)],
    responses=errors(400, 401, 403, 413),
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
    responses=errors(401, 403, 404),
)
async def api_forget(request: Request, article_id: ArticleId) -> dict[str, Any]:
    """Remove the article and everything derived from it (provenance.forget/1)."""
    state = server(request)
    forgotten = await state.run(_forget, state, article_id)
    return render.forget_json(forgotten)
