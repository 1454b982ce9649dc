"""Test data built by the tests themselves: HTML pages, WARC files, JSONL and a local HTTP server."""

from __future__ import annotations

import http.server
import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PARAGRAPHS = [
    "The city council of Springfield voted on Tuesday to close the old steel bridge across the river for two years of repairs, after engineers found deep cracks in three of its supports.",
    "Traffic will be diverted over the northern ring road, which the council says can carry the extra four thousand cars a day once two temporary traffic lights are installed at the harbour junction.",
    "Shop owners on Bridge Street said they feared losing customers during the closure and asked the council for a reduction in local business taxes until the bridge reopens in the spring of next year.",
    "The mayor told reporters that the repairs would cost about twelve million dollars, most of it paid by the state transport fund, and that a pedestrian ferry would run every twenty minutes during the day.",
]


def article_html(
    title: str = "Springfield closes its old steel bridge for repairs",
    paragraphs: list[str] | None = None,
    url: str | None = "https://springfield-news.example/bridge-closure",
    canonical: str | None = None,
    extra_head: str = "",
    published: str | None = "2024-03-05T08:30:00Z",
    site_name: str | None = "Springfield News",
    tail: str = "",
) -> str:
    """A news page as outlets publish it: headline, byline, publication time, canonical link,
    paragraphs, a last line and boilerplate.
    """
    body = "\n".join(f"<p>{text}</p>" for text in (paragraphs or PARAGRAPHS))
    links = ""
    if canonical:
        links += f'<link rel="canonical" href="{canonical}">'
    if url:
        links += f'<meta property="og:url" content="{url}">'
    if published:
        links += f'<meta property="article:published_time" content="{published}">'
    if site_name:
        links += f'<meta property="og:site_name" content="{site_name}">'
    last = f"<p><em>{tail}</em></p>" if tail else ""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
{links}<meta name="author" content="Jane Reporter">{extra_head}</head>
<body><nav><a href="/">Home</a> <a href="/politics">Politics</a></nav>
<article><h1>{title}</h1><p class="byline">By Jane Reporter</p>{body}{last}</article>
<footer><p>Subscribe to our newsletter</p><p>© {site_name or "the publisher"}</p></footer></body></html>"""


QUOTE_ORIGIN = Path(__file__).parent / "data" / "quote_origin"


def flood_records() -> list[dict[str, Any]]:
    """The German flood report (it cites ČTK for the rain, then quotes Kretschmer) and, three hours
    later, its French translation.
    """
    return [
        {
            "url": "https://www.saechsische.example/hochwasser",
            "text": (QUOTE_ORIGIN / "flood.de.txt").read_text(encoding="utf-8"),
            "published": "2024-09-15T16:10:00+02:00",
            "language": "de",
        },
        {
            "url": "https://www.quotidien.example/inondations",
            "text": (QUOTE_ORIGIN / "flood.fr.txt").read_text(encoding="utf-8"),
            "published": "2024-09-15T19:30:00+02:00",
            "language": "fr",
        },
    ]


def jsonl(records: list[dict[str, Any]]) -> str:
    """JSON lines of the records."""
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def warc_bytes(pages: list[tuple[str, str]], gzip: bool = True) -> bytes:
    """A WARC file holding one HTTP response record per (url, html) page."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    for url, html in pages:
        payload = html.encode("utf-8")
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        writer.write_record(
            writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(payload),
                length=len(payload),
                http_headers=headers,
            )
        )
    return buffer.getvalue()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a handler that never ends (an endless body) does not hold the shutdown


@contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local HTTP server on the loopback interface with this request handler; yields its base URL."""
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that logs nothing."""

    def log_message(self, format: str, *args: Any) -> None:
        return


class StreamHandler(QuietHandler):
    """Answers with a body written a piece at a time (`pieces`), until the client goes; no
    Content-Length.
    """

    def pieces(self) -> Iterator[bytes]:
        """What to write, in order."""
        yield b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        try:
            for piece in self.pieces():
                self.wfile.write(piece)
                self.wfile.flush()
        except OSError:
            return


def serve_folder(folder: Path) -> Any:
    """Serve a folder over HTTP on the loopback interface; a context manager that yields its base
    URL.
    """

    class FolderHandler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return serving(FolderHandler)


CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1366,900",
]
RECORD_ALERTS = """
window.__alerts = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = function (message) { window.__alerts.push(name + ": " + String(message)); };
}
"""
"""Injected into every page before its own scripts: a dialog is recorded in window.__alerts instead of shown."""


@contextmanager
def headless_chromium(profile: Path) -> Iterator[Any]:
    """Debian's headless Chromium through chromedriver, kept off the network, logging its requests
    and console, its dialogs recorded (RECORD_ALERTS).
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for binary in (CHROMIUM, CHROMEDRIVER):
        assert binary.exists(), f"{binary} is missing: apt-get install -y chromium chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_ALERTS})
    try:
        yield driver
    finally:
        driver.quit()
