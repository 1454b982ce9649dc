"""The HTML audit report: escaping, the SVG builders, and the page itself in real headless Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By

from provenance.audit.html import cluster_svg, render_report, timeline_svg
from provenance.audit.model import Audit, Chain, Member, audit_from_json, audit_json, from_json
from provenance.errors import InputError

from .helpers import headless_chromium

SAMPLE = Path(__file__).resolve().parent / "data" / "audit_sample.json"
SCRIPT_TITLE = "Putin dankt Nordkorea für Unterstützung <script>alert(1)</script>"
SVG = "{http://www.w3.org/2000/svg}"


def sample_json() -> dict[str, Any]:
    """A fresh copy of the sample audit's JSON."""
    audit: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return audit


def load_sample() -> Audit:
    """The sample audit, read from its JSON."""
    return audit_from_json(sample_json())


def svg_texts(svg: str) -> list[str]:
    """The text of every <text> element of an SVG document, which must be well-formed XML."""
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return [element.text or "" for element in root.iter(f"{SVG}text")]


# --- the HTML, without a browser ----------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> str:
    """The sample audit rendered once."""
    return render_report(load_sample())


def test_untrusted_strings_are_escaped(report: str) -> None:
    """Titles, passages and outlets from articles appear as text, never as markup."""
    assert "<script>alert(1)" not in report
    assert "Putin dankt Nordkorea für Unterstützung &lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert "<img" not in report
    assert "&lt;img src=x onerror=alert(2)&gt;" in report
    assert "Nachrichten &#34;Aktuell&#34; &amp; Co" in report


def test_only_http_urls_become_links(report: str) -> None:
    """A javascript: URL from an article is shown as a tooltip, never as a link."""
    hrefs = re.findall(r'href="([^"]*)"', report)
    assert "javascript:alert(document.cookie)" in report
    assert all(href.startswith(("#", "http://", "https://", "data:,")) for href in hrefs), hrefs
    assert (
        "https://www.merkur.de/politik/nordkorea-machthaber-kim-preist-beziehung-zu-wladimir-putins-russland-zr-94100913.html"
        in hrefs
    )


def test_the_one_script_is_inline_and_pinned_by_the_policy(report: str) -> None:
    """The page has one inline script, and its Content-Security-Policy admits that script and no
    request.
    """
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", report, flags=re.DOTALL)
    assert len(scripts) == 1
    attributes, body = scripts[0]
    assert attributes == ""
    digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', report)
    assert policy is not None
    assert f"script-src 'sha256-{digest}'" in policy.group(1)
    assert "default-src 'none'" in policy.group(1)


def test_the_page_references_nothing_outside_itself(report: str) -> None:
    """No src attribute, no stylesheet or font link, no CSS url() or @import: the file works
    offline.
    """
    assert not re.search(r"<[a-zA-Z][^>]*\ssrc=", report)
    assert re.findall(r"<link[^>]*>", report) == ['<link rel="icon" href="data:,">']
    assert "url(" not in report
    assert "@import" not in report


def test_the_summary_is_in_the_page(report: str) -> None:
    """The failures with their reasons and the top lists are rendered."""
    assert "seeds/broken/paywall.html" in report
    assert "HTML holds no article text" in report
    assert "Новостной портал" in report
    assert "unknown outlet" in report


def test_changed_words_are_marked(report: str) -> None:
    """In a changed passage the words that differ are marked on both sides."""
    assert "<del>said</del>" in report
    assert "<ins>reported</ins>" in report


def test_a_passage_only_the_copy_has_is_labelled_added() -> None:
    """A changed pair with an empty side is what the copy added (or left out), and says so on both
    sides.
    """
    audit = sample_json()
    link = next(
        link
        for cluster in audit["clusters"]
        for link in cluster["links"]
        if link["kind"] == "repost"
    )
    link["changed_passages"] = [
        ["", "Startseite » Politik » Ausland"],
        ["Die Parade dauerte zwei Stunden.", ""],
    ]
    html = render_report(audit_from_json(audit))
    assert html.count('<span class="row-kind">added</span>') == 2
    assert html.count('<span class="row-kind">left out</span>') == 2
    assert "<ins>Startseite » Politik » Ausland</ins>" in html


def test_past_its_largest_clusters_the_report_shows_summaries_and_says_where_the_rest_is() -> None:
    """A report of a large corpus details its largest clusters only, lists every cluster, and lists
    the first articles.
    """
    html = render_report(load_sample(), detailed_clusters=1, list_rows=2)
    cluster_list = html[
        html.index('<ol class="cluster-list">') : html.index('<section id="articles"')
    ]
    items = re.split(r'(?=<li class="cluster" id=")', cluster_list)[1:]
    assert [
        re.match(r'<li class="cluster" id="([^"]+)" data-search="[^"]+">', item)[1]
        for item in items
    ] == ["cluster-1", "cluster-2", "cluster-3"]  # type: ignore[index]
    detailed, *summaries = items
    assert (
        "<svg" in detailed and "<h4>Passages</h4>" in detailed and "Shown in full" not in detailed
    )
    for body in summaries:
        assert "<svg" not in body and "<h4>Passages</h4>" not in body
        assert "Shown in full for the 1 largest of 3 clusters only" in body
        assert (
            body.count('<a class="ref"') + body.count('<span class="ref"') >= 2
        )  # its members, each linked or labelled
    assert "The first 2 of the corpus's 11 articles" in html
    assert len(re.findall(r'<tr id="article-', html)) == 2
    assert render_report(load_sample()) == render_report(
        load_sample(), detailed_clusters=None, list_rows=None
    )


def test_long_lists_of_articles_and_inputs_show_their_first_rows_and_their_totals() -> None:
    """Undated articles, reposts named by a marker and failed inputs: the first rows, the total in
    the heading, a note on the rest.
    """
    document = sample_json()
    document["reposts_by_marker"] = [
        {
            "article_id": n,
            "title": f"Repost {n}",
            "copied_from": "merkur.de",
            "url": f"https://www.merkur.de/{n}",
            "line": f"Quelle: merkur.de {n}",
        }
        for n in (1, 2, 3)
    ]
    document["corpus"]["failures"] = document["corpus"]["failures"] * 2
    audit = audit_from_json(document)
    html = render_report(audit, list_rows=2)
    sections = {
        name: html[html.index(f'<div class="panel" id="{name}">') :]
        for name in ("undated", "failures", "marker-reposts")
    }
    for name, heading, total in (
        ("undated", "Undated articles", 6),
        ("failures", "Inputs not ingested", 4),
        ("marker-reposts", "Reposts named by a marker", 3),
    ):
        section = sections[name][: sections[name].index("</div>")]
        assert f"<h3>{heading} ({total})</h3>" in section
        assert section.count("<tr>") == 2 + (
            name == "failures"
        )  # the failures' table has a header row
        assert f"The first 2 of {total}:" in section
    full = render_report(audit, list_rows=None)
    assert "The first" not in full and full.count("Quelle: merkur.de") == 3


def test_the_template_ships_in_the_package() -> None:
    """The template is package data, loaded through importlib.resources."""
    assert files("provenance.audit").joinpath("templates", "report.html.j2").is_file()


def test_another_schema_is_refused() -> None:
    """A document of another schema is refused with the schema it has."""
    with pytest.raises(InputError, match="provenance.check/1"):
        audit_from_json({"schema": "provenance.check/1", "results": []})


def test_a_sparse_audit_still_renders() -> None:
    """Missing fields, a cluster without origin, chain or links, and an unparsable date are shown as
    such.
    """
    audit = {
        "schema": "provenance.audit/2",
        "clusters": [
            {
                "id": 7,
                "title": None,
                "origin": {
                    "article_id": None,
                    "determined": False,
                    "reason": "no link has a direction",
                },
                "members": [{"article_id": 1, "published": "gestern"}],
                "links": [],
                "chain": None,
            }
        ],
        "reposts_by_marker": [
            {
                "article_id": 4,
                "title": "„Blut, Leben und Tod“",
                "copied_from": "merkur.de",
                "url": "javascript:alert(1)",
                "line": "Информация на этой странице взята из источника: javascript:alert(1)",
            }
        ],
    }
    html = render_report(audit_from_json(audit))
    assert "Reposts named by a marker (1)" in html
    assert "Информация на этой странице взята из источника" in html
    assert 'href="javascript' not in html
    assert "Origin not determined." in html
    assert "no link has a direction" in html
    assert "no chain recorded for this cluster" in html
    assert "date not understood" in html
    assert "no member has a publication date" in html


# --- the SVG builders ---------------------------------------------------------------------------


@pytest.mark.parametrize("cluster_index", [0, 1, 2])
def test_cluster_svg_is_well_formed_and_labels_nodes_and_hops(cluster_index: int) -> None:
    """Every node label and every hop's kind and confidence is in the SVG."""
    chain = load_sample().clusters[cluster_index].chain
    svg = cluster_svg(chain)
    texts = svg_texts(svg)
    root = ElementTree.fromstring(svg)
    for node in chain.nodes:
        assert any(node.label[:20] in text for text in texts), node.label
    for hop in chain.hops:
        assert f"{hop.kind} {hop.confidence:.2f}" in texts
    assert len(root.findall(f".//{SVG}path")) == len(chain.hops)


def test_cluster_svg_draws_the_main_path_left_to_right_on_one_row() -> None:
    """The main path's boxes share the top row, each to the right of the one before."""
    chain = load_sample().clusters[0].chain
    root = ElementTree.fromstring(cluster_svg(chain))
    boxes = {}
    for group in root.iter(f"{SVG}g"):
        if "node" in group.get("class", "").split():
            tooltip, rect = group.find(f"{SVG}title"), group.find(f"{SVG}rect")
            assert tooltip is not None and rect is not None and tooltip.text
            boxes[tooltip.text.splitlines()[0]] = (
                float(rect.get("x", "")),
                float(rect.get("y", "")),
            )
    labels = {node.key: node.label for node in chain.nodes}
    main = [boxes[labels[key]] for key in chain.path]
    assert [x for x, _ in main] == sorted({x for x, _ in main})
    assert {y for _, y in main} == {min(y for _, y in boxes.values())}


def test_cluster_svg_escapes_labels() -> None:
    """Markup in a label is escaped and comes back intact from an XML parser."""
    label = '<script>alert("x")</script> & Co'
    chain = from_json(
        Chain,
        {"nodes": [{"key": "source:x", "label": label, "type": "source"}], "hops": [], "path": []},
    )
    svg = cluster_svg(chain)
    assert "<script>" not in svg
    root = ElementTree.fromstring(svg)
    tooltip = root.find(f".//{SVG}title")
    assert tooltip is not None and tooltip.text is not None
    assert tooltip.text.splitlines()[0] == label


def test_cluster_svg_survives_cycles_and_undeclared_nodes() -> None:
    """A cycle and a hop to a node the chain does not list still give a finite, well-formed graph."""
    chain = from_json(
        Chain,
        {
            "nodes": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}],
            "hops": [
                {"from": "a", "to": "b", "kind": "cited", "confidence": 0.5},
                {"from": "b", "to": "a", "kind": "cited", "confidence": 0.5},
                {"from": "b", "to": "c", "kind": "repost", "confidence": 0.9, "main": True},
            ],
            "path": ["b", "c"],
        },
    )
    texts = svg_texts(cluster_svg(chain))
    assert {"A", "B", "c"} <= set(texts)


@given(st.text(min_size=1))
def test_cluster_svg_is_well_formed_for_any_label(label: str) -> None:
    """Whatever the label holds (markup, control characters, surrogates), the SVG parses and keeps
    it.
    """
    chain = from_json(
        Chain,
        {"nodes": [{"key": "k", "label": label, "type": "article"}], "hops": [], "path": ["k"]},
    )
    root = ElementTree.fromstring(cluster_svg(chain))
    tooltip = root.find(f".//{SVG}title")
    assert tooltip is not None and tooltip.text is not None
    expected = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]", "\ufffd", label)
    assert tooltip.text.replace("\r\n", "\n").startswith(
        expected.replace("\r\n", "\n").replace("\r", "\n")
    )


def test_timeline_svg_orders_dated_members_and_leaves_out_undated_ones() -> None:
    """Dated members get one row each in date order (time zones respected); undated ones are not
    placed.
    """
    members = [
        from_json(
            Member,
            {
                "article_id": 8,
                "title": "Repost",
                "outlet": "Daily Ledger",
                "published": "2025-08-13T11:15:00+02:00",
                "role": "repost",
            },
        ),
        from_json(
            Member,
            {
                "article_id": 9,
                "title": "Partial",
                "outlet": "News Roundup",
                "published": None,
                "role": "partial",
            },
        ),
        from_json(
            Member,
            {
                "article_id": 7,
                "title": "Wire <story>",
                "outlet": "AP",
                "published": "2025-08-13 05:32",
                "role": "origin",
            },
        ),
    ]
    svg = timeline_svg(members)
    root = ElementTree.fromstring(svg)
    rows = [text for text in svg_texts(svg) if text.startswith("#")]
    assert rows == ["#7 AP: Wire <story>", "#8 Daily Ledger: Repost"]
    circles = [float(circle.get("cx", "")) for circle in root.iter(f"{SVG}circle")]
    assert len(circles) == 2 and circles[0] < circles[1]
    assert any("+3 h 43 min" in text for text in svg_texts(svg))


def test_timeline_svg_without_dates_says_so() -> None:
    """With no dated member the timeline is a well-formed SVG that says so."""
    assert svg_texts(timeline_svg([from_json(Member, {"article_id": 1, "published": None})])) == [
        "no member has a publication date"
    ]


# --- the page in real headless Chromium ---------------------------------------------------------


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory, report: str) -> str:
    """The sample report written to a temporary file, as a file:// URL."""
    path = tmp_path_factory.mktemp("report") / "audit.html"
    path.write_text(report, encoding="utf-8")
    return path.as_uri()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Debian's headless Chromium through chromedriver, kept off the network, logging its requests."""
    with headless_chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


@pytest.fixture
def page(browser: WebDriver, report_url: str) -> WebDriver:
    """The report freshly loaded, its logs from earlier pages discarded."""
    browser.get("about:blank")
    browser.get_log("performance")
    browser.get_log("browser")
    browser.get(report_url)
    return browser


def visible_clusters(page: WebDriver) -> list[str]:
    """The ids of the clusters the list shows."""
    return [
        item.get_attribute("id") or ""
        for item in page.find_elements(By.CSS_SELECTOR, "li.cluster")
        if item.is_displayed()
    ]


def test_page_shows_the_summary_counts(page: WebDriver) -> None:
    """Every count of the audit is shown with its label."""
    counts = load_sample().counts
    for key, value in counts.items():
        assert page.find_element(By.CSS_SELECTOR, f'[data-count="{key}"] dd').text == str(value)
    summary = page.find_element(By.ID, "summary").text
    assert "13 inputs read: 11 added, 0 already stored, 2 could not be ingested." in summary
    assert "malformed JSONL line" in summary
    assert "KCNA" in summary and "Новостной портал" in summary


def test_page_lists_every_cluster(page: WebDriver) -> None:
    """The cluster list holds one entry per cluster, with its title."""
    assert visible_clusters(page) == ["cluster-1", "cluster-2", "cluster-3"]
    titles = [element.text for element in page.find_elements(By.CSS_SELECTOR, ".cluster-title")]
    assert (
        titles[0]
        == "„Blut, Leben und Tod“: Nordkorea-Machthaber Kim preist Beziehung zu Putins Russland"
    )
    assert page.find_element(By.ID, "cluster-count").text == "3 of 3 clusters"


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("Blut", ["cluster-1"]),
        ("новостной", ["cluster-1"]),
        ("apnews.com", ["cluster-2"]),
        ("TASS", ["cluster-2"]),
        ("unterstutzung", ["cluster-3"]),
        ("merkur.de reuters", ["cluster-1"]),
        ("kcna", ["cluster-1", "cluster-2", "cluster-3"]),
    ],
)
def test_typing_in_the_search_box_filters_the_clusters(
    page: WebDriver, query: str, shown: list[str]
) -> None:
    """Typing a title word, an outlet, a URL part or a source keeps only the clusters that match."""
    page.find_element(By.ID, "cluster-search").send_keys(query)
    assert visible_clusters(page) == shown
    assert page.find_element(By.ID, "cluster-count").text == f"{len(shown)} of 3 clusters"
    assert not page.find_element(By.ID, "no-match").is_displayed()


def test_a_search_that_matches_nothing_says_so(page: WebDriver) -> None:
    """When no cluster matches, the list is empty and the page says so."""
    page.find_element(By.ID, "cluster-search").send_keys("zzz-no-such-outlet")
    assert visible_clusters(page) == []
    assert page.find_element(By.ID, "no-match").is_displayed()


def test_the_filter_finds_a_cluster_the_report_does_not_show_in_full(
    browser: WebDriver, tmp_path: Path
) -> None:
    """A cluster past the detailed ones is still listed and found by the filter, with its members
    and no graph.
    """
    path = tmp_path / "audit.html"
    path.write_text(render_report(load_sample(), detailed_clusters=1), encoding="utf-8")
    browser.get(path.as_uri())
    browser.find_element(By.ID, "cluster-search").send_keys("TASS")
    assert visible_clusters(browser) == ["cluster-2"]
    cluster = browser.find_element(By.ID, "cluster-2")
    assert (
        "Shown in full for the 1 largest of 3 clusters only" in cluster.text
    )  # a list of 3 clusters opens them all
    assert len(cluster.find_elements(By.CSS_SELECTOR, "ul.members li")) == 4
    assert cluster.find_elements(By.CSS_SELECTOR, "svg") == []


def test_passages_are_side_by_side(page: WebDriver) -> None:
    """Each copy link has a two-column table: shared passages on both sides, changed ones before and
    after.
    """
    repost, translation = page.find_elements(By.CSS_SELECTOR, "#cluster-1 table.side-by-side")
    headers = [cell.text for cell in repost.find_elements(By.CSS_SELECTOR, "thead th")]
    assert headers == ["#6 merkur.de (origin)", "#4 (repost)"]
    left, right = repost.find_elements(By.CSS_SELECTOR, "tr.shared")[0].find_elements(
        By.TAG_NAME, "td"
    )
    assert left.text == right.text and "Neujahrsgrüße" in left.text
    before, after = translation.find_elements(By.CSS_SELECTOR, "tr.changed")[0].find_elements(
        By.TAG_NAME, "td"
    )
    assert "„das Teilen von Blut, Leben und Tod im selben Schützengraben“" in before.text
    assert (
        before.find_element(By.CLASS_NAME, "row-kind").text
        == after.find_element(By.CLASS_NAME, "row-kind").text
        == "TRANSLATED"
    )
    assert (
        "2 translated sentences"
        in translation.find_element(By.XPATH, "./ancestor::div[@class='link-passages']/header").text
    )
    assert "Отношения между двумя странами" in after.text
    assert before.rect["x"] < after.rect["x"] and before.rect["y"] == after.rect["y"]
    changed = page.find_element(By.CSS_SELECTOR, "#cluster-2 tr.changed")
    assert changed.find_element(By.TAG_NAME, "del").text == "said"
    assert changed.find_element(By.TAG_NAME, "ins").text == "reported"


def test_the_chain_graph_shows_its_nodes(page: WebDriver) -> None:
    """The inline SVG of the first cluster's chain is drawn and names KCNA, Der Spiegel and
    merkur.de.
    """
    graph = page.find_element(By.CSS_SELECTOR, "#cluster-1 figure.graph svg")
    assert graph.size["width"] > 400 and graph.size["height"] > 50
    labels = page.execute_script(
        "return Array.from(arguments[0].querySelectorAll('text')).map(t => t.textContent)", graph
    )
    for expected in ("KCNA", "Der Spiegel", "#6 merkur.de", "reported 0.80", "repost 0.95"):
        assert expected in labels


def test_the_timeline_places_dated_articles_and_flags_undated_ones(page: WebDriver) -> None:
    """The AP cluster's timeline shows its dated copies in order and lists the undated ones apart."""
    timeline = page.find_element(By.CSS_SELECTOR, "#cluster-2 figure.timeline svg")
    assert timeline.is_displayed()
    rows = [element.text for element in timeline.find_elements(By.CSS_SELECTOR, "g.event")]
    assert rows[0].startswith("#7 AP") and rows[1].startswith("#8 Daily Ledger")
    undated = [
        item.text for item in page.find_elements(By.CSS_SELECTOR, "#cluster-2 .undated-list li")
    ]
    assert [text.split(" ")[0] for text in undated] == ["#9", "#5"]


def test_an_untrusted_title_is_shown_as_text_and_runs_nothing(page: WebDriver) -> None:
    """The <script> in a title is visible text: no alert fires and the page has only its own script."""
    assert page.find_element(By.CSS_SELECTOR, "#cluster-3 .cluster-title").text == SCRIPT_TITLE
    assert page.execute_script("return window.__alerts") == []
    with pytest.raises(NoAlertPresentException):
        page.switch_to.alert.text  # noqa: B018 - reading the alert is the check
    assert page.execute_script("return document.scripts.length") == 1
    assert page.find_elements(By.TAG_NAME, "img") == []
    assert page.find_elements(By.CSS_SELECTOR, "a[href^='javascript']") == []


def test_the_page_makes_no_network_request(page: WebDriver, report_url: str) -> None:
    """Loading the page requests nothing but the file itself, and logs no error."""
    page.find_element(By.ID, "cluster-search").send_keys("kcna")
    assert page.execute_script("return performance.getEntriesByType('resource').length") == 0
    requested = [
        json.loads(entry["message"])["message"]["params"]["request"]["url"]
        for entry in page.get_log("performance")
        if json.loads(entry["message"])["message"]["method"] == "Network.requestWillBeSent"
    ]
    assert requested and all(url == report_url for url in requested), requested
    assert [entry for entry in page.get_log("browser") if entry["level"] == "SEVERE"] == []


def test_the_sample_follows_the_schema_the_renderer_reads() -> None:
    """The sample is a provenance.audit/2 document whose counts agree with its lists."""
    audit = sample_json()
    assert audit["schema"] == "provenance.audit/2"
    assert audit["counts"]["clusters"] == len(audit["clusters"])
    assert audit["counts"]["articles"] == len(audit["articles"])
    assert audit["counts"]["undated"] == len(audit["undated"])
    assert (
        sorted(
            article["article_id"] for article in audit["articles"] if article["published"] is None
        )
        == audit["undated"]
    )
    roles = {member["role"] for cluster in audit["clusters"] for member in cluster["members"]}
    assert roles <= {"origin", "repost", "duplicate", "partial", "translation", "member"}


def test_the_sample_read_back_from_its_json_is_the_same_audit_and_page() -> None:
    """The sample written as JSON and read back is the same audit; a key the sample lacks reads as
    empty.
    """
    audit = load_sample()
    assert audit_from_json(json.loads(json.dumps(audit_json(audit)))) == audit
    assert (
        audit.counts.relations,
        audit.relations,
        audit.articles[0].published_precision,
        audit.articles[0].role,
    ) == (0, (), "", "")
    assert render_report(audit_from_json(audit_json(audit))) == render_report(audit)
