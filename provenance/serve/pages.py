"""The pages: server-rendered HTML over the same library calls as the API, with a little local JavaScript.

Every string a page shows comes from articles, which are untrusted: the templates are rendered by
jinja2 with autoescape, the SVG graphs are built by provenance.audit.html with ElementTree (which
escapes text and attributes), only http(s) URLs become links, and the app's Content-Security-Policy
runs no script but the server's own files. The one exception is /audit, the audit report page of
provenance.audit.html served as it is: it has one inline script, and its response carries the
page's own policy, which admits exactly that script by its hash and no request at all.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from provenance import render
from provenance.audit import model
from provenance.audit.build import run_audit
from provenance.audit.html import cluster_svg, render_report, timeline_svg
from provenance.errors import InputError, NotFoundError, ProvenanceError
from provenance.graph.chain import chain_json
from provenance.graph.sources import source_uses
from provenance.graph.trace import trace_quote
from provenance.ingest.lookup import chain_of, show_article
from provenance.ingest.verdicts import check_documents
from provenance.read.document import Document, Failure, document_from_text
from provenance.read.inputs import documents_from_upload, is_url, iter_documents
from provenance.serve.app import STATUS
from provenance.serve.state import Server

router = APIRouter(include_in_schema=False)

PER_PAGE = 50
"""Articles on a page of /articles."""
MAX_QUERY = 2000
"""Characters of a search or a quote; longer ones are refused."""
MAX_DIFF_WORDS = 4000
"""Words of a changed pair past which it is shown without word marks."""
CHAINS_SHOWN = 20
"""Verdict cards of one check (a JSONL or WARC file holds many articles) that draw their chain."""
ANCHORS_SHOWN = 12
"""Anchor pairs of a translation shown side by side."""
AUDIT_FRAME = "frame-ancestors 'none'"
"""What the audit page's own policy cannot say in a meta element, added to its header."""
_META_POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')
_WORDS_AND_SPACES = re.compile(r"\s+|\S+")
_NUMBER = re.compile(r"[0-9]{1,10}")
MAX_ARTICLE_ID = 2**31 - 1
"""The largest id an article can have: the column is a 32-bit integer on PostgreSQL."""

VERDICT_LABELS = {
    "original": "Original",
    "copy": "Copy",
    "copied_by": "Copied by others",
    "same_text": "Same text, order not determined",
    "stored": "Already stored",
}
RELATION_LABELS = {
    "copy_of": "copies",
    "copied_by": "is copied by",
    "same_text": "shares its text with",
}


def static_folder() -> Path:
    """The folder of the pages' CSS and JavaScript, served at /static."""
    return Path(str(files("provenance.serve").joinpath("static")))


# --- template helpers -----------------------------------------------------------------------------


def safe_href(url: Any) -> str | None:
    """The URL if it is http(s) and so safe to link to, else None (never javascript: or data:)."""
    text = url.strip() if isinstance(url, str) else ""
    if not text.lower().startswith(("http://", "https://")) or any(
        character.isspace() or ord(character) < 32 for character in text
    ):
        return None
    return text


def show_date(value: Any) -> str:
    """An ISO 8601 time of the JSON schemas for people: ``2024-09-15 10:00 UTC``, ``2024-09-15``."""
    if not isinstance(value, str) or not value:
        return "undated"
    text = value.replace("T", " ")
    if text.endswith("Z"):
        text = text[:-1] + " UTC"
    return re.sub(r"(\d\d:\d\d):00(?=$| )", r"\1", text)


def share(value: Any) -> str:
    """A share (0 to 1) as a percentage, a dash when missing."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{100 * value:.0f} %"
    return "–"


def score(value: Any) -> str:
    """A similarity or confidence as 0.00, a dash when missing."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.2f}"
    return "–"


def word_diff(before: str, after: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both sides of a changed pair as runs of (text, changed), the words that differ marked."""
    first, second = _WORDS_AND_SPACES.findall(before), _WORDS_AND_SPACES.findall(after)
    if len(first) + len(second) > 2 * MAX_DIFF_WORDS:
        return [(before, False)], [(after, False)]
    left: list[tuple[str, bool]] = []
    right: list[tuple[str, bool]] = []
    matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        changed = tag != "equal"
        if a_end > a_start:
            left.append(("".join(first[a_start:a_end]), changed))
        if b_end > b_start:
            right.append(("".join(second[b_start:b_end]), changed))
    return _merge_runs(left), _merge_runs(right)


def _merge_runs(runs: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Runs with the spaces between two changed runs counted as changed, and neighbours of the same
    kind joined: one mark per changed stretch, not one per word.
    """
    marked = [
        (
            text,
            changed
            or (
                0 < index < len(runs) - 1
                and not text.strip()
                and runs[index - 1][1]
                and runs[index + 1][1]
            ),
        )
        for index, (text, changed) in enumerate(runs)
    ]
    merged: list[tuple[str, bool]] = []
    for text, changed in marked:
        if merged and merged[-1][1] == changed:
            merged[-1] = (merged[-1][0] + text, changed)
        else:
            merged.append((text, changed))
    return merged


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("provenance.serve", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        safe_href=safe_href, show_date=show_date, share=share, score=score, word_diff=word_diff
    )
    environment.globals.update(
        verdict_labels=VERDICT_LABELS, relation_labels=RELATION_LABELS, anchors_shown=ANCHORS_SHOWN
    )
    return environment


_templates = _environment()


def render_page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A rendered page."""
    values.setdefault("section", "")
    return HTMLResponse(_templates.get_template(name).render(**values), status_code=status)


def status_of(error: ProvenanceError) -> int:
    """The HTTP status of a library error, as the API gives it."""
    return next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)


def error_page(error: ProvenanceError, title: str, section: str = "") -> HTMLResponse:
    """A library error as a page: its reason, never a traceback."""
    return render_page(
        "error.html.j2", status_of(error), title=title, message=error.reason, section=section
    )


def server(request: Request) -> Server:
    """The server's state: its store, settings and registry."""
    state: Server = request.app.state.server
    return state


# --- the start page and the check ------------------------------------------------------------------


def start_page(
    state: Server,
    text: str = "",
    results: list[dict[str, Any]] | None = None,
    error: str | None = None,
    note: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render_page(
        "start.html.j2",
        status,
        title="Is this article a repost?",
        section="check",
        text=text,
        results=results or [],
        error=error,
        note=note,
        max_bytes=state.settings.max_file_bytes,
    )


@router.get("/", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    """The start page: paste a URL or text, or drop a file, and get the verdict."""
    return start_page(server(request))


@router.get("/check", response_class=HTMLResponse)
def check_form(request: Request) -> HTMLResponse:
    """The start page again: a check is a POST of its form."""
    return start_page(server(request))


@router.post("/check", response_class=HTMLResponse)
async def check_page(request: Request) -> HTMLResponse:
    """The verdict on a pasted text or URL, or on an uploaded file: the start page with its cards."""
    state = server(request)
    limit = state.settings.max_file_bytes
    text, data, name = "", None, "upload"
    try:
        async with request.form(max_files=1, max_fields=10, max_part_size=limit) as form:
            field = form.get("text")
            text = field if isinstance(field, str) else ""
            upload = form.get("file")
            if isinstance(upload, UploadFile) and (upload.filename or upload.size):
                data = await upload.read(limit + 1)
                name = upload.filename or name
    except HTTPException as error:  # a malformed form, or a field past the limit
        return start_page(state, error=str(error.detail), status=error.status_code)
    note = (
        "The file was checked; the pasted text was not."
        if data is not None and text.strip()
        else None
    )
    try:
        documents: list[Document | Failure]
        if data is not None:
            upload_data = data
            documents = await state.run(
                lambda: list(documents_from_upload(upload_data, name, limit))
            )
        else:
            documents = await state.run(_pasted_documents, text, state)
        results = await state.run(check_documents, state.store, documents, state.settings)
        views = [
            await _result_view(state, result, index < CHAINS_SHOWN)
            for index, result in enumerate(render.check_json(results, state.registry)["results"])
        ]
    except ProvenanceError as error:
        return start_page(state, text, error=error.reason, status=status_of(error))
    return start_page(state, text, views, note=note)


def _pasted_documents(text: str, state: Server) -> list[Document | Failure]:
    """The document a pasted text gives: the page at a URL alone on its line, else the text itself.

    Only an http(s) URL is ever fetched: a path or '-' is read as text, never from the server's
    disk or input.
    """
    pasted = text.strip()
    if not pasted:
        raise InputError("paste a URL or an article's text, or choose a file")
    if is_url(pasted) and not any(character.isspace() for character in pasted):
        return list(
            iter_documents(
                [pasted],
                state.settings.max_file_bytes,
                allow_private_urls=state.settings.allow_private_urls,
            )
        )
    return [document_from_text(text, "pasted text", {})]


async def _result_view(state: Server, result: dict[str, Any], with_chain: bool) -> dict[str, Any]:
    """A check result (provenance.check/2) with the chain graph of what it is about."""
    chain = await state.run(_check_chain, state, result) if with_chain else None
    return {**result, "chain": chain}


def _check_chain(state: Server, result: dict[str, Any]) -> dict[str, Any] | None:
    """The chain a verdict card draws: the stored article's chain, with the checked article as its
    last node when it copies a stored one (or the page a marker names), or first when it was copied.
    """
    verdict, of = result["verdict"], result["of"] or {}
    other = of.get("article_id")
    match = next((m for m in result["matches"] if m["article_id"] == other), None)
    checked = {
        "key": "checked",
        "label": "the checked article",
        "type": "article",
        "source_kind": None,
        "country": None,
        "article_id": None,
        "url": result["article"]["url"],
    }
    if verdict == "original" or (other is None and verdict != "copy"):
        return None
    if other is None:  # a copy by a marker naming a page that is not stored
        marker = next((m for m in result["markers"] if m["url"] or m["outlet"]), None)
        if marker is None:
            return None
        key = f"page:{marker['url'] or marker['outlet']}"
        data: dict[str, Any] = {
            "path": [key, "checked"],
            "nodes": [
                {
                    **checked,
                    "key": key,
                    "label": marker["outlet"] or marker["url"],
                    "type": "page",
                    "url": marker["url"],
                },
                checked,
            ],
            "hops": [_hop(key, "checked", "repost", 0.9, [marker["line"]], True)],
            "undetermined": [],
        }
        return _chain_view(data, "The page the article names as its source is not stored.")
    data = chain_json(chain_of(state.store, str(other), state.settings))
    own = f"article:{other}"
    if verdict == "copy" and match is not None:
        data["nodes"].append(checked)
        evidence = [match["direction"]["reason"]]
        confidence = 0.95 if match["direction"]["status"] == "evidence" else 0.8
        data["hops"].append(_hop(own, "checked", match["kind"], confidence, evidence, True))
        data["path"] = [*data["path"], "checked"] if own in data["path"] else [own, "checked"]
    elif verdict == "copied_by" and match is not None:
        data["nodes"].append(checked)
        evidence = [match["direction"]["reason"]]
        confidence = 0.95 if match["direction"]["status"] == "evidence" else 0.8
        data["hops"].append(_hop("checked", own, match["kind"], confidence, evidence, False))
    elif verdict == "copy" and match is None:  # named by a marker, and the page it names is stored
        data["nodes"].append(checked)
        markers = [m["line"] for m in result["markers"] if other in m["stored_article_ids"]]
        data["hops"].append(_hop(own, "checked", "repost", 0.9, markers, True))
        data["path"] = [*data["path"], "checked"] if own in data["path"] else [own, "checked"]
    note = {
        "same_text": f"The chain of #{other}; which of the two came first is not determined.",
        "stored": f"The chain of #{other}, as stored.",
    }.get(verdict)
    return _chain_view(data, note)


def _hop(
    source: str, target: str, kind: str, confidence: float, evidence: list[str], main: bool
) -> dict[str, Any]:
    return {
        "from": source,
        "to": target,
        "kind": kind,
        "confidence": confidence,
        "evidence": evidence,
        "note": None,
        "main": main,
    }


def _chain_view(data: dict[str, Any], note: str | None = None) -> dict[str, Any]:
    """A chain (provenance.chain/2 JSON) for a page: its SVG graph, and its hops with node labels."""
    chain = model.from_json(model.Chain, data)
    nodes = {node["key"]: node for node in data["nodes"]}
    hops = [
        {**hop, "source": nodes.get(hop["from"]), "target": nodes.get(hop["to"])}
        for hop in data["hops"]
    ]
    path = data["path"]
    main = sorted(
        (hop for hop in hops if hop["main"]),
        key=lambda hop: path.index(hop["from"]) if hop["from"] in path else len(path),
    )
    hops = main + [hop for hop in hops if not hop["main"]]
    return {
        "svg": Markup(cluster_svg(chain)) if data["nodes"] else None,
        "hops": hops,
        "undetermined": data["undetermined"],
        "note": note,
    }


# --- articles ----------------------------------------------------------------------------------------


def _check_query(text: str, what: str) -> None:
    """Refuse a search text no stored text could match: too long, or holding NUL (which
    PostgreSQL refuses in a query).
    """
    if len(text) > MAX_QUERY:
        raise InputError(f"{what} is at most {MAX_QUERY:,} characters")
    if "\x00" in text:
        raise InputError(f"{what} cannot hold a NUL character")


def _moment(value: str, field: str, end_of_day: bool = False) -> datetime | None:
    """A date or time from a search field as the store keeps it (UTC without zone); a date alone
    is its start, or with end_of_day the start of the next day.
    """
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise InputError(
            f"{field}: {value.strip()!r} is not a date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM)"
        ) from error
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    if end_of_day and len(value.strip()) == 10:
        moment += timedelta(days=1)
    return moment


@router.get("/articles", response_class=HTMLResponse)
async def articles_page(
    request: Request,
    q: str = "",
    outlet: str = "",
    since: str = "",
    until: str = "",
    page: str = "1",
) -> HTMLResponse:
    """Stored articles, newest first: a search by text, outlet and publication dates."""
    state = server(request)
    number_text = page.strip()
    form = {"q": q, "outlet": outlet, "since": since, "until": until}
    try:
        _check_query(q, "a search")
        _check_query(outlet, "an outlet")
        if not _NUMBER.fullmatch(number_text) or not 1 <= int(number_text) <= 1_000_000:
            raise InputError(f"page: {number_text!r} is not a page number")
        number = int(number_text)
        start_at = _moment(since, "from")
        end_at = _moment(until, "to", end_of_day=True)

        def find() -> dict[str, Any]:
            with state.store.reader() as reader:
                total, found = reader.find_articles(
                    q.strip() or None,
                    outlet.strip() or None,
                    start_at,
                    end_at,
                    PER_PAGE,
                    (number - 1) * PER_PAGE,
                )
            return render.articles_json(total, number, PER_PAGE, found, state.registry)

        listing = await state.run(find)
    except ProvenanceError as error:
        return render_page(
            "articles.html.j2",
            status_of(error),
            title="Articles",
            section="articles",
            form=form,
            listing=None,
            error=error.reason,
            pages={},
        )
    return render_page(
        "articles.html.j2",
        title="Articles",
        section="articles",
        form=form,
        listing=listing,
        error=None,
        pages=_pages(form, listing),
    )


def _pages(form: dict[str, str], listing: dict[str, Any]) -> dict[str, Any]:
    """Links to the previous and next page of a search, with its query kept."""
    from urllib.parse import urlencode

    query = {key: value for key, value in form.items() if value}
    number, total = listing["page"], listing["total"]
    first = (number - 1) * PER_PAGE + 1
    last = first + len(listing["articles"]) - 1
    return {
        "first": first,
        "last": last,
        "previous": f"/articles?{urlencode({**query, 'page': number - 1})}" if number > 1 else None,
        "next": f"/articles?{urlencode({**query, 'page': number + 1})}" if last < total else None,
    }


@router.get("/articles/{reference}", response_class=HTMLResponse)
async def article_page(request: Request, reference: str) -> HTMLResponse:
    """A stored article: what it is, its relations, sources, quotations, passages found elsewhere
    and its source chain.
    """
    state = server(request)
    try:
        if not _NUMBER.fullmatch(reference) or not 1 <= int(reference) <= MAX_ARTICLE_ID:
            raise NotFoundError(f"there is no article #{reference}: an article's id is a number")
        view = await state.run(show_article, state.store, reference)
        chain = await state.run(chain_of, state.store, reference, state.settings)
    except ProvenanceError as error:
        return error_page(error, "Article not found", "articles")
    data = render.article_json(view, state.registry)
    article = data["article"]
    return render_page(
        "article.html.j2",
        title=f"#{article['article_id']} {article['title'] or '(untitled)'}",
        section="articles",
        data=data,
        body=view.article.body,
        chain=_chain_view(chain_json(chain)),
    )


# --- quotes, sources, audit -------------------------------------------------------------------------


@router.get("/quote", response_class=HTMLResponse)
async def quote_page(request: Request, q: str = "") -> HTMLResponse:
    """Where did a quote originate: every article carrying it, in time order, across languages."""
    state = server(request)
    values: dict[str, Any] = {
        "title": "Where did this quote originate?",
        "section": "quote",
        "q": q,
    }
    if not q.strip():
        return render_page("quote.html.j2", trace=None, timeline=None, error=None, **values)
    try:
        _check_query(q, "a quote")
        trace = render.trace_json(await state.run(trace_quote, state.store, q, state.registry))
    except ProvenanceError as error:
        return render_page(
            "quote.html.j2",
            status_of(error),
            trace=None,
            timeline=None,
            error=error.reason,
            **values,
        )
    return render_page(
        "quote.html.j2", trace=trace, timeline=_timeline(trace), error=None, **values
    )


def _timeline(trace: dict[str, Any]) -> Markup | None:
    """The dated appearances of a trace on a time scale (the audit's timeline SVG), or None."""
    first = trace["first_appearance"]["article_id"]
    members = [
        model.Member(
            article_id=a["article_id"],
            title=a["title"],
            url=a["url"],
            outlet=a["outlet"],
            domain=a["domain"],
            published=a["published"],
            published_precision=a["published_precision"],
            language=a["language"],
            role="origin"
            if a["article_id"] == first
            else "translation"
            if a["translation_of"] is not None
            else "member",
        )
        for a in trace["appearances"]
    ]
    if not any(member.published for member in members):
        return None
    return Markup(timeline_svg(members))


@router.get("/sources", response_class=HTMLResponse)
async def sources_page(request: Request) -> HTMLResponse:
    """The sources the stored articles name: how often each is cited, credited as wire, or copied."""
    state = server(request)
    try:
        uses = await state.run(source_uses, state.store, state.registry, False)
    except ProvenanceError as error:
        return error_page(error, "Sources", "sources")
    return render_page(
        "sources.html.j2", title="Sources", section="sources", sources=render.sources_json(uses)
    )


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request) -> HTMLResponse:
    """The audit of the stored database: the audit report page of `provenance audit --report`.

    The page is served as the library renders it, with a link back to the start page. Its one
    inline script, the cluster filter, would be blocked by the app's `script-src 'self'`; the
    response carries the page's own policy instead (the meta element's: no request at all, and no
    script but that one, admitted by its SHA-256 hash), with frame-ancestors 'none' added.
    """
    state = server(request)

    def report() -> str:
        audit = run_audit(state.store, [], state.registry, state.settings)
        return render_report(audit)

    try:
        html = await state.run(report)
    except ProvenanceError as error:
        return error_page(error, "Audit", "audit")
    found = _META_POLICY.search(html)
    policy = (
        found.group(1)
        if found
        else "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
    )
    back = (
        '<div role="navigation" style="font: 14px system-ui, sans-serif; padding: .5rem 1rem;'
        ' background: #1c2833; color: #fff">'
        '<a style="color: #fff; margin-right: 1.2rem" href="/">← provenance</a>'
        '<a style="color: #fff; margin-right: 1.2rem" href="/articles">Search articles</a>'
        '<a style="color: #fff" href="/api/audit">This audit as JSON</a></div>'
    )
    html = html.replace("<body>", "<body>\n" + back, 1)
    return HTMLResponse(html, headers={"Content-Security-Policy": f"{policy}; {AUDIT_FRAME}"})
