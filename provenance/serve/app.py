"""The ASGI application: the JSON API, the pages, the OpenAPI docs with local assets, and the limits every request meets."""

from __future__ import annotations

import importlib
import json

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from provenance import __version__
from provenance.config import Settings
from provenance.errors import DatabaseError, InputError, NotFoundError, ProvenanceError
from provenance.knowledge.registry import load_registry
from provenance.serve.api import router as api_router
from provenance.serve.state import Server
from provenance.store.store import Store

REQUEST_OVERHEAD = 64 * 1024
"""Bytes a request may carry beyond the article size limit: multipart headers and JSON quoting."""

STATUS = {NotFoundError: 404, InputError: 422, DatabaseError: 503}
"""The HTTP status of each library error; any other ProvenanceError is a 400."""

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
"""Headers of every response: no script but the server's own files, whatever an article holds."""


class BodyLimit:
    """Refuse a request body past `limit` bytes with 413, counted as it arrives (chunked bodies too), before anything is parsed or spooled."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except* _TooLarge:  # raised bare, or in a task group's ExceptionGroup
            if not started:  # an answer already begun (one that reads its body late) just ends
                await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


class SecurityHeaders:
    """Add SECURITY_HEADERS to every response that does not set them itself (no CSP for /docs,
    whose Swagger UI runs an inline script); plain ASGI, so a request's body reaches the app as it
    arrives.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        skip = {"content-security-policy"} if scope["path"] == "/docs" else set()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name.lower() not in skip and name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {"error": f"the request is larger than the limit of {limit:,} bytes"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app(store: Store, settings: Settings | None = None, token: str | None = None) -> FastAPI:
    """The web app over an opened store; writes (POST /api/ingest, DELETE /api/articles/{id}) need `token`, and without one the server is read-only."""
    from swagger_ui_bundle import swagger_ui_path

    from provenance.serve.pages import router as pages_router
    from provenance.serve.pages import static_folder

    settings = settings or Settings()
    # The compiled kernels now, not in the first request with text enough to want them: a server
    # pays their load once, and provenance.sketch.fingerprint would hand the module, half-imported
    # by one request's thread, to the requests of the others (AttributeError, a 500).
    importlib.import_module("provenance.sketch.kernels")
    app = FastAPI(
        title="provenance",
        version=__version__,
        description="Is this article a repost, where did this quote originate, what is in this corpus. The JSON schemas are those of the CLI's --json (docs/json.md).",
        docs_url=None,
        redoc_url=None,
    )
    app.state.server = Server(store, settings, load_registry(settings.sources_file), token or None)
    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")
    app.mount("/static", StaticFiles(directory=static_folder()), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="provenance API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )

    @app.exception_handler(ProvenanceError)
    async def library_error(request: Request, error: ProvenanceError) -> JSONResponse:
        status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
        return JSONResponse({"error": error.reason}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": str(error.detail)}, status_code=error.status_code, headers=error.headers
        )

    app.add_middleware(BodyLimit, limit=settings.max_file_bytes + REQUEST_OVERHEAD)
    app.add_middleware(SecurityHeaders)  # outermost: the 413s of BodyLimit get the headers too
    return app
