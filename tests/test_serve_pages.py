"""The web pages, served by uvicorn and driven in real headless Chromium: check a pasted text, an
uploaded or dropped file and a URL; the article, quote, sources, search and audit pages; and a
database of articles whose title, body, outlet and URL carry script, which must run on no page.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from provenance.config import Settings
from provenance.ingest.run import ingest
from provenance.serve.app import create_app
from provenance.serve.pages import safe_href, word_diff
from provenance.store.store import Store
from tests.conftest import SEED_003, SEEDS
from tests.helpers import headless_chromium

DATA = Path(__file__).resolve().parent / "data"
SEED_001 = SEEDS / "001_2a1aee6f1fce36e3.txt"
CORPUS = [
    str(SEEDS),
    str(DATA / "translation" / "seed003_translation.ru.txt"),
    str(DATA / "quote_origin" / "flood.de.txt"),
    str(DATA / "quote_origin" / "flood.fr.txt"),
]
DROP_FILE = """
const [name, text] = arguments;
const data = new DataTransfer();
data.items.add(new File([text], name, {type: "text/plain"}));
document.getElementById("drop").dispatchEvent(
  new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
"""
WAIT = 30

# Each payload would set window.pwned (and call alert) if it ever ran.
SCRIPT = "<script>window.pwned=1;alert(1)</script>"
IMG = '"><img src=x onerror="window.pwned=1;alert(2)">'
SVG = "<svg onload=window.pwned=1>"
CLOSE = "</textarea></title><script>window.pwned=1</script>"
JS_URL = "javascript:window.pwned=1//https://evil.example/"
HOSTILE_TITLE = f"Hochwasser {SCRIPT} an der Elbe {IMG}"
HOSTILE_QUOTE = "Wir lassen niemanden allein"
HOSTILE_PARAGRAPHS = [
    f"Dresden – Nach tagelangem Dauerregen ist die Elbe in Dresden am Sonntag auf 6,20 Meter gestiegen {SCRIPT}, wie die tschechische Nachrichtenagentur ČTK berichtete, und die Behörden warnten vor weiteren Überflutungen in der Altstadt.",
    f"„{HOSTILE_QUOTE} {IMG}“, sagte Ministerpräsident Michael Kretschmer am Sonntagabend in Dresden vor Journalisten, nachdem er die Deiche an der Elbe besucht hatte {SVG}.",
    f"Für Montag erwarten die Behörden einen Höchststand von 6,80 Metern, am Dienstag soll das Wasser langsam sinken, teilte das Landeshochwasserzentrum mit {CLOSE}, das die Pegel an der Elbe stündlich misst.",
    "Rund 3.000 Helfer von Feuerwehr, Technischem Hilfswerk und Bundeswehr füllten am Wochenende Sandsäcke und sicherten die Ufer an den gefährdeten Stellen der Stadt gegen das steigende Wasser.",
    f'Informationen von {JS_URL} und Quelle: <a href="javascript:window.pwned=1">Evil</a>',
]
HOSTILE_RECORDS: list[dict[str, Any]] = [
    {
        "url": JS_URL,
        "title": HOSTILE_TITLE,
        "outlet": f"<b onmouseover=window.pwned=1>Evil</b> {SCRIPT}",
        "author": IMG,
        "published": "2024-09-15T10:00:00Z",
        "language": "de",
        "text": "\n".join(HOSTILE_PARAGRAPHS),
    },
    {
        "url": 'https://copy.example/hochwasser?x="><script>window.pwned=1</script>',
        "canonical_url": "javascript:window.pwned=1",
        "title": f"Kopie {SVG} {HOSTILE_TITLE}",
        "outlet": "copy.example",
        "published": "2024-09-15T18:00:00Z",
        "language": "de",
        "text": "\n".join([*HOSTILE_PARAGRAPHS[:4], f"Quelle: {IMG} {JS_URL}"]),
    },
    {
        "url": "https://third.example/oder",
        "title": f"Dritter Bericht {CLOSE}",
        "published": "2024-09-16T10:00:00Z",
        "language": "de",
        "text": "\n".join(
            [
                f"Die Lage an der Oder bleibt angespannt, berichtete die Nachrichtenagentur Evil{SCRIPT} am Montagmorgen unter Berufung auf die örtlichen Behörden und Feuerwehren.",
                f"Wie die Zeitung {IMG} berichtete, wurden mehrere Dörfer evakuiert und die Bewohner in Notunterkünften in den umliegenden Städten untergebracht.",
                f"Mit Material von {SVG} und dpa",
            ]
        ),
    },
]


# --- servers and the browser ------------------------------------------------------------------------


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn in a thread, on a socket bound to a free port; its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            thread.join(0.05)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def served_database(folder: Path, targets: list[str]) -> Iterator[str]:
    """A fresh SQLite database holding the targets, served; its base URL."""
    store = Store(f"sqlite:///{folder / 'provenance.sqlite'}")
    try:
        report = ingest(store, targets, Settings())
        assert not report.failures, report.failures
        with serving(create_app(store, Settings())) as base:
            yield base
    finally:
        store.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seeds, a Russian translation of seed 003 and the flood report in German and French."""
    with served_database(tmp_path_factory.mktemp("site"), CORPUS) as base:
        yield base


@pytest.fixture(scope="module")
def hostile_records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile articles as a JSONL file."""
    path = tmp_path_factory.mktemp("hostile-input") / "hostile.jsonl"
    path.write_text(
        "\n".join(json.dumps(record, ensure_ascii=False) for record in HOSTILE_RECORDS),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, hostile_records: Path) -> Iterator[str]:
    """A database of articles carrying script in their titles, bodies, outlets and URLs, served."""
    with served_database(tmp_path_factory.mktemp("hostile"), [str(hostile_records)]) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Debian's headless Chromium through chromedriver, logging its requests and console."""
    with headless_chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


def logs(browser: WebDriver, kind: str) -> list[dict[str, Any]]:
    """The browser's log entries of a kind ("performance", "browser") since the last call."""
    entries: list[dict[str, Any]] = browser.get_log(kind)  # type: ignore[no-untyped-call]
    return entries


def attribute(element: WebElement, name: str) -> str:
    """An element's attribute or property, '' when it has none."""
    return element.get_attribute(name) or ""


def open_page(browser: WebDriver, url: str) -> WebDriver:
    """The page at url, freshly loaded, the logs of earlier pages discarded."""
    browser.get("about:blank")
    logs(browser, "performance")
    logs(browser, "browser")
    browser.get(url)
    return browser


def submit(browser: WebDriver, button: WebElement) -> None:
    """Click a form's button and wait for the page it leads to."""
    button.click()
    WebDriverWait(browser, WAIT).until(lambda driver: is_stale(button))
    WebDriverWait(browser, WAIT).until(
        lambda driver: driver.execute_script("return document.readyState") == "complete"
    )


def is_stale(element: WebElement) -> bool:
    try:
        element.is_enabled()
    except Exception:
        return True
    return False


def wait_for_card(browser: WebDriver) -> WebElement:
    """The first verdict card, once the page that shows it has loaded."""
    WebDriverWait(browser, WAIT).until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, ".card")
    )
    return browser.find_element(By.CSS_SELECTOR, ".card")


def texts(browser: WebDriver | WebElement, selector: str) -> list[str]:
    return [element.text for element in browser.find_elements(By.CSS_SELECTOR, selector)]


def copy_text() -> str:
    """A partial copy of seed 001, a day later: its first paragraphs and one of its own."""
    lines = SEED_001.read_text(encoding="utf-8").splitlines()
    return "\n".join(
        [
            lines[0],
            "16.08.2022 09.00",
            *lines[3:9],
            "Ein neuer Absatz, den nur diese Kopie hat, über das Wetter in Pjöngjang am Dienstag.",
        ]
    )


def assert_clean(browser: WebDriver, origin: str) -> None:
    """Nothing injected ran or exists, and the page asked nothing of another host."""
    assert browser.execute_script("return window.pwned") is None
    assert browser.execute_script("return window.__alerts") == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - reading the alert is the check
    injected = browser.execute_script(
        "return Array.from(document.querySelectorAll("
        "'img, iframe, object, embed, b, [onerror], [onload], [onmouseover], main svg svg,"
        ' a[href^="javascript" i], a[href^="data" i]\')).map(e => e.outerHTML.slice(0, 120))'
    )
    assert injected == []
    scripts = browser.execute_script(
        "return Array.from(document.scripts).map(s => s.src || 'inline:' + s.text.length)"
    )
    assert all(src == f"{origin}/static/provenance.js" for src in scripts) or (
        len(scripts) == 1 and scripts[0].startswith("inline:")  # the audit report's own script
    ), scripts
    assert_local_requests(browser, origin)


def assert_local_requests(browser: WebDriver, origin: str) -> None:
    """Every request the page made went to the server (or is a data: URL), and the console logged no
    error (a blocked script or style would log one).
    """
    requested = [
        message["params"]["request"]["url"]
        for entry in logs(browser, "performance")
        if (message := json.loads(entry["message"])["message"])["method"]
        == "Network.requestWillBeSent"
    ]
    assert requested
    assert all(url.startswith((origin + "/", "data:")) for url in requested), requested
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert all(url.startswith((origin + "/", "data:")) for url in resources), resources
    assert [entry for entry in logs(browser, "browser") if entry["level"] == "SEVERE"] == []


def foreign_assets(html: str, origin: str) -> list[str]:
    """The URLs of a page's assets (src attributes, <link> hrefs, CSS url() and @import) that are
    not on the server itself.
    """
    references = re.findall(r"<[a-zA-Z][^>]*?\ssrc\s*=\s*[\"']?([^\"'\s>]*)", html)
    for tag in re.findall(r"<link\b[^>]*>", html, flags=re.IGNORECASE):
        references += re.findall(r"\shref\s*=\s*[\"']?([^\"'\s>]*)", tag)
    references += re.findall(r"url\(\s*[\"']?([^\"')]*)", html)
    references += re.findall(r"@import\s+[\"']?([^\"';\s]*)", html)
    local = urlsplit(origin).netloc
    return [
        reference
        for reference in references
        if not reference.startswith("data:") and urlsplit(reference).netloc not in ("", local)
    ]


# --- the start page: paste, upload, drop ----------------------------------------------------------


def test_pasted_text_gets_a_verdict_card_with_the_match(browser: WebDriver, site: str) -> None:
    """A partial copy of seed 001 pasted into the form: the card says copy, names seed 001 with
    its date and a link, shows the passages side by side, the direction, the chain and the
    passages found elsewhere; the link opens the article page.
    """
    open_page(browser, site + "/")
    browser.find_element(By.ID, "text").send_keys(copy_text())
    submit(browser, browser.find_element(By.ID, "check-button"))
    card = wait_for_card(browser)
    assert card.find_element(By.CSS_SELECTOR, ".verdict").text == "COPY"
    assert card.find_element(By.CSS_SELECTOR, ".verdict").get_attribute("data-verdict") == "copy"
    assert "partial" in card.find_element(By.CSS_SELECTOR, "h2").text
    assert "before the checked article" in card.find_element(By.CSS_SELECTOR, ".reason").text
    title = SEED_001.read_text(encoding="utf-8").splitlines()[0]
    match = card.find_element(By.CSS_SELECTOR, ".of .match-ref")
    assert title in match.text and "2022-08-15 10:08" in match.text
    table = card.find_element(By.CSS_SELECTOR, ".match table.side-by-side")
    left, right = table.find_elements(By.CSS_SELECTOR, "tr.shared")[0].find_elements(
        By.TAG_NAME, "td"
    )
    assert left.text == right.text and "Wladimir Putin und Nordkoreas Machthaber" in left.text
    assert left.rect["x"] < right.rect["x"] and left.rect["y"] == right.rect["y"]
    assert "Wetter" in " ".join(texts(table, "tr.changed ins"))
    assert card.find_element(By.CSS_SELECTOR, ".direction").text.startswith("Direction: dated.")
    graph = card.find_element(By.CSS_SELECTOR, "figure.graph svg")
    labels = browser.execute_script(
        "return Array.from(arguments[0].querySelectorAll('text')).map(t => t.textContent)", graph
    )
    assert "the checked article" in labels and "dpa" in labels
    assert "the checked article" in texts(card, "ol.hops li.main")[-1]
    assert "Wladimir Putin" in card.find_element(By.CSS_SELECTOR, "ol.passages blockquote").text
    assert browser.find_element(By.ID, "text").get_attribute("value") == copy_text()
    assert_clean(browser, site)
    link = match.find_element(By.CSS_SELECTOR, "a.article-link")
    article_id = link.text.lstrip("#")
    submit(browser, link)
    assert browser.current_url == f"{site}/articles/{article_id}"
    assert browser.find_element(By.ID, "article-title").text == f"#{article_id} {title}"
    assert_clean(browser, site)


def test_an_uploaded_file_gets_its_verdict(browser: WebDriver, site: str) -> None:
    """Seed 003 chosen as a file: it is stored already, and names the merkur.de page it was taken
    from.
    """
    open_page(browser, site + "/")
    browser.find_element(By.ID, "file").send_keys(str(SEED_003))
    assert browser.find_element(By.ID, "file-name").text == SEED_003.name
    submit(browser, browser.find_element(By.ID, "check-button"))
    card = wait_for_card(browser)
    assert card.find_element(By.CSS_SELECTOR, ".verdict").get_attribute("data-verdict") == "stored"
    assert SEED_003.name in card.find_element(By.CSS_SELECTOR, "dl.checked").text
    assert "merkur.de" in card.find_element(By.CSS_SELECTOR, ".markers").text
    labels = texts(card, "figure.graph svg text")
    assert "KCNA" in labels and "Der Spiegel" in labels
    assert_clean(browser, site)


def test_a_dropped_file_is_checked_at_once(browser: WebDriver, site: str) -> None:
    """A file dropped on the drop zone is submitted by the page's script and gets its card."""
    open_page(browser, site + "/")
    old = browser.find_element(By.ID, "check-button")
    browser.execute_script(DROP_FILE, "copy.txt", copy_text())
    WebDriverWait(browser, WAIT).until(lambda driver: is_stale(old))
    card = wait_for_card(browser)
    assert card.find_element(By.CSS_SELECTOR, ".verdict").get_attribute("data-verdict") == "copy"
    assert "copy.txt" in card.find_element(By.CSS_SELECTOR, "dl.checked").text
    assert_clean(browser, site)


def test_a_file_over_the_limit_is_refused_before_it_is_sent(browser: WebDriver, site: str) -> None:
    """The page's script says a file is too large instead of sending it."""
    open_page(browser, site + "/")
    browser.execute_script("document.getElementById('check-form').dataset.maxBytes = '10'")
    browser.execute_script(DROP_FILE, "big.txt", "more than ten bytes of text")
    problem = browser.find_element(By.ID, "file-error")
    assert problem.is_displayed() and "larger than the limit of 10 bytes" in problem.text
    assert browser.current_url == site + "/"


@pytest.mark.parametrize(
    ("fields", "files", "status", "message"),
    [
        ({"text": "   "}, None, 422, "paste a URL or an article's text, or choose a file"),
        ({"text": "http://127.0.0.1:9/article"}, None, 422, "http://127.0.0.1:9/article"),
        ({"text": ""}, {"file": ("empty.txt", b"", "text/plain")}, 422, "empty.txt"),
        (
            {"text": ""},
            {"file": ("x.bin", b"\x00\x01\x02" * 50, "application/octet-stream")},
            422,
            "x.bin",
        ),
    ],
)
def test_an_unreadable_input_is_a_message_on_the_page(
    site: str, fields: dict[str, str], files: dict[str, Any] | None, status: int, message: str
) -> None:
    """Blank text, a URL the server may not fetch, an empty or a binary file: the start page with
    the library's reason and a 4xx status, never a traceback.
    """
    response = httpx.post(site + "/check", data=fields, files=files, timeout=WAIT)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    found = re.search(r'<p id="error" class="error" role="alert">(.*?)</p>', response.text, re.S)
    assert found is not None and message.replace("'", "&#39;") in found.group(1)
    assert "Traceback" not in response.text
    assert 'id="check-form"' in response.text


def test_a_path_pasted_as_text_is_never_read_from_the_server(site: str) -> None:
    """A path (or '-') pasted in the box is the text of the article, not a file the server reads."""
    for pasted in (str(SEED_003), "-"):
        response = httpx.post(site + "/check", data={"text": pasted}, timeout=WAIT)
        assert response.status_code in (200, 422)
        assert "Blut, Leben und Tod" not in response.text


# --- the other pages ---------------------------------------------------------------------------------


def test_the_article_page_shows_relations_sources_quotes_and_chain(
    browser: WebDriver, site: str
) -> None:
    """Seed 003: the translation linked to it, its sources, its quotations, and its chain from KCNA
    through Der Spiegel and merkur.de.
    """
    open_page(browser, site + "/articles?q=003_4153")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.articles tbody tr")
    assert len(rows) == 1
    submit(browser, rows[0].find_element(By.CSS_SELECTOR, "a.title"))
    assert "Blut, Leben und Tod" in browser.find_element(By.ID, "article-title").text
    relation = browser.find_element(By.CSS_SELECTOR, "article.match")
    assert "translation" in relation.text and "Пхеньян" in relation.text
    anchors = relation.find_elements(By.CSS_SELECTOR, "tr.anchor")[0].find_elements(
        By.TAG_NAME, "td"
    )
    assert "Россия" in anchors[0].text and "Russland" in anchors[1].text
    labels = texts(browser, "section.chain figure.graph svg text")
    for expected in ("KCNA", "Der Spiegel", "merkur.de"):
        assert expected in labels
    merkur = browser.find_element(By.CSS_SELECTOR, "ol.hops a.external[href*='merkur.de']")
    assert attribute(merkur, "href").startswith("https://www.merkur.de/")
    assert "KCNA" in browser.find_element(By.CSS_SELECTOR, "table.attributions").text
    assert texts(browser, "ul.quotes q")
    assert_clean(browser, site)


def test_the_quote_page_traces_a_quote_across_languages(browser: WebDriver, site: str) -> None:
    """The quote form: „heldenhaften“ appears in two German articles and, translated, in the
    Russian one; the origin is KCNA.
    """
    open_page(browser, site + "/quote")
    browser.find_element(By.ID, "q").send_keys("heldenhaften")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form.search button"))
    assert browser.current_url == site + "/quote?q=heldenhaften"
    assert browser.find_element(By.ID, "origin").text.startswith("KCNA")
    items = browser.find_elements(By.CSS_SELECTOR, "ol.timeline-list li.appearance")
    assert len(items) == 3
    languages = [attribute(item, "data-language") for item in items]
    assert sorted(languages) == ["de", "de", "ru"]
    translation = browser.find_element(By.CSS_SELECTOR, "li.appearance.translation")
    assert (
        "героические действия" in translation.text
        and "translation, linked to #" in translation.text
    )
    assert_clean(browser, site)
    open_page(browser, site + "/quote?q=" + quote("Kretschmer"))
    assert sorted(
        attribute(item, "data-language")
        for item in browser.find_elements(By.CSS_SELECTOR, "li.appearance")
    ) == ["de", "fr"]
    open_page(browser, site + "/quote?q=zzqx+nowhere+zzqx")
    assert browser.find_element(By.ID, "error").is_displayed()


def test_the_sources_page_lists_the_sources_as_the_api_does(browser: WebDriver, site: str) -> None:
    """Every source of /api/sources, in its order, with its counts."""
    sources = httpx.get(site + "/api/sources", timeout=WAIT).json()
    open_page(browser, site + "/sources")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.sources tbody tr")
    assert [row.find_element(By.CSS_SELECTOR, ".name").text for row in rows] == [
        source["name"] for source in sources
    ]
    kcna = next(row for row in rows if row.text.startswith("KCNA"))
    cited = next(source["cited"] for source in sources if source["name"] == "KCNA")
    assert kcna.find_elements(By.CSS_SELECTOR, "td.number")[0].text == str(cited)
    assert_clean(browser, site)


def test_the_search_page_filters_and_links(browser: WebDriver, site: str) -> None:
    """The search form: by text, by dates; a page past the last says so; a bad date is a message."""
    open_page(browser, site + "/articles")
    assert (
        browser.find_element(By.CSS_SELECTOR, "p.count").text == "1–8 of 8 articles, newest first"
    )
    browser.find_element(By.NAME, "q").send_keys("Kretschmer")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form.search button"))
    assert sorted(texts(browser, "table.articles a.title")) == [
        "Hochwasser in Sachsen: Kretschmer sagt Betroffenen Hilfe zu",
        "Inondations en Saxe : Kretschmer promet de l'aide aux sinistrés",
    ]
    open_page(browser, site + "/articles?since=2022-08-15&until=2022-08-15")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.articles tbody tr")) == 1
    open_page(browser, site + "/articles?page=2")
    assert "past the last" in browser.find_element(By.CSS_SELECTOR, "p.none").text
    response = httpx.get(site + "/articles?since=yesterday", timeout=WAIT)
    assert response.status_code == 422 and "is not a date" in response.text
    response = httpx.get(site + "/articles/12345", timeout=WAIT)
    assert response.status_code == 404 and "no stored article" in response.text
    for path, status in [
        ("/articles/x", 404),
        ("/articles/%C2%B2", 404),
        ("/articles/99999999999", 404),
        ("/articles?page=%C2%B2", 422),
        ("/articles?q=a%00b", 422),
        ("/quote?q=a%00b", 422),
    ]:
        response = httpx.get(site + path, timeout=WAIT)
        assert response.status_code == status, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert 'class="error" role="alert"' in response.text, path


def test_the_audit_page_runs_its_own_script_and_nothing_else(browser: WebDriver, site: str) -> None:
    """/audit is the audit report: its cluster filter works, so its inline script runs under the
    policy the route sends, which admits that script alone.
    """
    response = httpx.get(site + "/audit", timeout=WAIT)
    policy = response.headers["content-security-policy"]
    assert (
        "script-src 'sha256-" in policy and "'unsafe-inline'" not in policy.split("script-src")[1]
    )
    assert "frame-ancestors 'none'" in policy
    open_page(browser, site + "/audit")
    total = len(browser.find_elements(By.CSS_SELECTOR, "li.cluster"))
    assert total >= 2
    browser.find_element(By.ID, "cluster-search").send_keys("Kretschmer")
    shown = [
        item for item in browser.find_elements(By.CSS_SELECTOR, "li.cluster") if item.is_displayed()
    ]
    assert len(shown) == 1
    assert browser.find_element(By.ID, "cluster-count").text == f"1 of {total} clusters"
    assert_clean(browser, site)


@pytest.mark.parametrize(
    "path",
    ["/", "/articles", "/articles/4", "/quote?q=heldenhaften", "/sources", "/audit", "/docs"],
)
def test_every_page_asks_for_local_assets_only(site: str, path: str) -> None:
    """No page, nor the stylesheet, names an asset on another host."""
    response = httpx.get(site + path, timeout=WAIT)
    assert response.status_code == 200
    assert foreign_assets(response.text, site) == []
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+\.(?:css|js))"', response.text):
        body = httpx.get(site + asset, timeout=WAIT).text
        assert foreign_assets(body, site) == [], asset


# --- articles that carry script -------------------------------------------------------------------


HOSTILE_PAGES = [
    "/articles",
    "/articles?q=Hochwasser",
    "/articles/1",
    "/articles/2",
    "/articles/3",
    "/quote?q=" + quote(HOSTILE_QUOTE),
    "/quote?q=" + quote("window.pwned"),
    "/sources",
    "/audit",
]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_no_page_runs_an_articles_script(browser: WebDriver, hostile: str, path: str) -> None:
    """Every page that shows the hostile articles shows their payloads as text and runs none."""
    open_page(browser, hostile + path)
    assert browser.find_elements(By.CSS_SELECTOR, "main, body > *")
    assert_clean(browser, hostile)
    html = browser.page_source
    assert "<script>window.pwned" not in html
    assert foreign_assets(httpx.get(hostile + path, timeout=WAIT).text, hostile) == []


def test_the_hostile_article_page_shows_the_payloads_as_text(
    browser: WebDriver, hostile: str
) -> None:
    """Title, outlet, URL and quotation are shown as they are, and the javascript: URL is no link."""
    open_page(browser, hostile + "/articles/1")
    assert browser.find_element(By.ID, "article-title").text == f"#1 {HOSTILE_TITLE}"
    assert JS_URL in browser.find_element(By.CSS_SELECTOR, "dl.meta code.url").text
    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"
    )
    assert all(href.startswith(("/", "https://", "http://")) for href in hrefs), hrefs
    assert SCRIPT in attribute(browser.find_element(By.CSS_SELECTOR, "details.body"), "textContent")
    open_page(browser, hostile + "/articles/2")
    relation = browser.find_element(By.CSS_SELECTOR, "article.match")
    assert "<b onmouseover=window.pwned=1>Evil</b>" in relation.text
    link = browser.find_element(By.CSS_SELECTOR, "dl.meta a.external")
    assert attribute(link, "href").startswith("https://copy.example/hochwasser?x=")
    assert link.text == 'https://copy.example/hochwasser?x="><script>window.pwned=1</script>'
    assert_clean(browser, hostile)


def test_checking_hostile_text_and_files_runs_nothing(
    browser: WebDriver, hostile: str, hostile_records: Path
) -> None:
    """A pasted text full of payloads (one closes the text box) and a JSONL file with a
    javascript: URL: cards with the payloads as text, and nothing runs.
    """
    pasted = "\n".join([f"Kopie {CLOSE}", "17.09.2024 12:00", *HOSTILE_PARAGRAPHS[:4]])
    open_page(browser, hostile + "/")
    browser.execute_script("document.getElementById('text').value = arguments[0]", pasted)
    submit(browser, browser.find_element(By.ID, "check-button"))
    card = wait_for_card(browser)
    assert card.find_element(By.CSS_SELECTOR, ".verdict").get_attribute("data-verdict") == "copy"
    assert HOSTILE_TITLE in card.find_element(By.CSS_SELECTOR, ".of").text
    assert browser.find_element(By.ID, "text").get_attribute("value") == pasted
    assert_clean(browser, hostile)
    open_page(browser, hostile + "/")
    browser.find_element(By.ID, "file").send_keys(str(hostile_records))
    submit(browser, browser.find_element(By.ID, "check-button"))
    cards = browser.find_elements(By.CSS_SELECTOR, ".card")
    assert len(cards) == len(HOSTILE_RECORDS)
    assert JS_URL in cards[0].find_element(By.CSS_SELECTOR, "dl.checked code.url").text
    assert_clean(browser, hostile)


# --- helpers, without a browser ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("HTTP://example.org/", "HTTP://example.org/"),
        ("javascript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("https://exa mple.org/", None),
        ("//evil.example/", None),
        (None, None),
    ],
)
def test_only_http_urls_become_links(url: str | None, href: str | None) -> None:
    assert safe_href(url) == href


def test_word_diff_marks_changed_stretches_once() -> None:
    left, right = word_diff("the council said on Tuesday", "the council reported late on Tuesday")
    assert left == [("the council ", False), ("said", True), (" on Tuesday", False)]
    assert right == [("the council ", False), ("reported late", True), (" on Tuesday", False)]


def test_a_pasted_text_over_a_megabyte_is_checked(site: str) -> None:
    """A form field may be as large as an article may be, not only the 1 MiB of a default form."""
    paragraph = "Ein Satz über das Hochwasser an der Elbe in Dresden am Montagmorgen. " * 20
    text = "Ein langer Text\n" + "\n".join([paragraph] * 800)
    assert len(text.encode()) > 1024 * 1024
    response = httpx.post(
        site + "/check", files={"file": ("", b"")}, data={"text": text}, timeout=WAIT
    )
    assert response.status_code == 200
    assert 'data-verdict="original"' in response.text
