"""Publication times: parsed with their precision from metadata, text and HTML, and ordered without
inventing a time.
"""

from __future__ import annotations

from datetime import datetime

import lxml.html
import pytest

from provenance.read.dates import (
    DAY,
    MINUTE,
    Published,
    find_date_in_text,
    parse_published,
    publication_order,
    published_in_html,
)


def minute(*parts: int, offset: int | None = 0) -> Published:
    """A time to the minute: in UTC with the offset given, or a wall-clock time when the offset is
    None.
    """
    return Published(datetime(*parts), MINUTE, offset)  # type: ignore[arg-type]


def day(year: int, month: int, date: int) -> Published:
    """A date without a time of day."""
    return Published(datetime(year, month, date), DAY)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-12T08:15:00+01:00", minute(2025, 3, 12, 7, 15, offset=60)),
        ("2025-03-12T08:15:00.000Z", minute(2025, 3, 12, 8, 15)),
        ("2019-11-18T16:53:57-05:00", minute(2019, 11, 18, 21, 53, offset=-300)),
        ("2025-03-12", day(2025, 3, 12)),
        ("2025-03-12 08:15", minute(2025, 3, 12, 8, 15, offset=None)),
        ("Tue, 05 Mar 2024 08:30:00 GMT", minute(2024, 3, 5, 8, 30)),
        ("Wed, 12 Mar 2025 08:15:00 +0100", minute(2025, 3, 12, 7, 15, offset=60)),
        ("March 12, 2025 8:15 AM EST", minute(2025, 3, 12, 13, 15, offset=-300)),
        ("12. März 2025 um 08:15 MEZ", minute(2025, 3, 12, 7, 15, offset=60)),
        ("May 31, 2019 7:51 pm ET", minute(2019, 5, 31, 19, 51, offset=None)),
        ("12 March 2025", day(2025, 3, 12)),
        ("Fri 6:45 PM, Feb 16, 2018", minute(2018, 2, 16, 18, 45, offset=None)),
        ("10:30 EST Tuesday, March 12, 2025", minute(2025, 3, 12, 15, 30, offset=-300)),
        ("Updated 11:05 a.m. on March 12, 2025", minute(2025, 3, 12, 11, 5, offset=None)),
        (1741763700, minute(2025, 3, 12, 7, 15)),
        ("1741763700000", minute(2025, 3, 12, 7, 15)),
        ("", None),
        ("not a date", None),
        (True, None),
        ({"date": "2025-03-12"}, None),
        (1e20, None),
        (float("inf"), None),
        (float("nan"), None),
        ("0001-01-01T00:00:00+01:00", None),
        ("9999-12-31T23:59:59", None),
    ],
)
def test_metadata_values_keep_their_precision_and_offset(
    value: object, expected: Published | None
) -> None:
    assert parse_published(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Titel\nErstellt von X\n15.08.2022 10.08\nText", minute(2022, 8, 15, 10, 8, offset=None)),
        ("Title\nPublished 2024-03-05 08:30\nText", minute(2024, 3, 5, 8, 30, offset=None)),
        ("Titel\n5. März 2024\nText", day(2024, 3, 5)),
        ("Title\nMarch 5, 2024\nText", day(2024, 3, 5)),
        ("Title\nNo date here\nText", None),
        ("Title\n31.02.2024\nText", None),
    ],
)
def test_dates_near_the_top_of_a_text(text: str, expected: Published | None) -> None:
    assert find_date_in_text(text) == expected


def test_iso_and_text_forms() -> None:
    stated = parse_published("2025-03-12T08:15:00+01:00")
    assert stated is not None
    assert (stated.iso(), stated.text()) == ("2025-03-12T07:15:00Z", "2025-03-12 08:15 +01:00")
    assert (day(2025, 3, 12).iso(), day(2025, 3, 12).text()) == (
        "2025-03-12",
        "2025-03-12 (date only)",
    )
    assert minute(2025, 3, 12, 8, 15, offset=None).iso() == "2025-03-12T08:15:00"


def page(head: str, body: str = "<article><p>Text of the story.</p></article>") -> object:
    """A parsed HTML page with this head and body."""
    return lxml.html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        (
            '<meta property="article:published_time" content="2025-03-12T08:15:00+01:00">',
            "",
            minute(2025, 3, 12, 7, 15, offset=60),
        ),
        (
            '<meta name="parsely-pub-date" content="2025-03-12T07:15:00Z">',
            "",
            minute(2025, 3, 12, 7, 15),
        ),
        (
            '<meta name="sailthru.date" content="2025-03-12 08:15:00 +0100">',
            "",
            minute(2025, 3, 12, 7, 15, offset=60),
        ),
        ('<meta name="DC.date.issued" content="2025-03-12">', "", day(2025, 3, 12)),
        (
            '<meta name="pubdate" content="20250312T081500+0100">',
            "",
            minute(2025, 3, 12, 7, 15, offset=60),
        ),
        (
            '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "datePublished": "2001-01-01"},'
            ' {"@type": "NewsArticle", "datePublished": "2025-03-12T08:15:00+01:00"}]}</script>',
            "",
            minute(2025, 3, 12, 7, 15, offset=60),
        ),
        (
            "",
            '<article><time datetime="2025-03-12T08:15:00+01:00">12 March</time><p>Text.</p></article>',
            minute(2025, 3, 12, 7, 15, offset=60),
        ),
        (
            '<meta name="date" content="2025-03-12">',
            '<article><time pubdate datetime="2025-03-12T08:15+01:00">8:15</time></article>',
            minute(2025, 3, 12, 7, 15, offset=60),
        ),
        (
            '<meta property="article:published_time" content="2019-11-20T01:50:59.403"><script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2019-11-20T01:50:59.403Z"}</script>',
            "",
            minute(2019, 11, 20, 1, 50),
        ),
        (
            "",
            '<span itemprop="datePublished">Fri 6:45 PM, Feb 16, 2018</span>',
            minute(2018, 2, 16, 18, 45, offset=None),
        ),
        ('<meta property="article:modified_time" content="2025-03-13T10:00:00Z">', "", None),
        ('<script type="application/ld+json">{not json</script>', "", None),
    ],
)
def test_html_publication_time_from_its_metadata(
    head: str, body: str, expected: Published | None
) -> None:
    assert published_in_html(page(head, body or "<p>Text.</p>")) == expected


def test_two_times_of_one_morning_are_ordered() -> None:
    order = publication_order(
        minute(2025, 3, 12, 7, 15, offset=60), minute(2025, 3, 12, 10, 40, offset=60), "#1", "#2"
    )
    assert order.earlier == "first"
    assert (
        order.reason
        == "#1 was published 2025-03-12 08:15 +01:00, before #2 (2025-03-12 11:40 +01:00)"
    )


def test_two_dates_of_one_day_are_not_ordered_and_not_the_same_time() -> None:
    order = publication_order(day(2025, 3, 12), day(2025, 3, 12), "#1", "#2")
    assert order.earlier is None
    assert order.reason == "both were published on 2025-03-12 and neither gives a time of day"


def test_a_date_orders_against_another_day_only() -> None:
    assert (
        publication_order(day(2025, 3, 12), minute(2025, 3, 12, 20, 0), "#1", "#2").earlier is None
    )
    assert (
        publication_order(
            day(2025, 3, 12), minute(2025, 3, 11, 23, 30, offset=60), "#1", "#2"
        ).earlier
        is None
    )  # 00:30 on the 12th in Berlin
    assert publication_order(day(2025, 3, 12), day(2025, 3, 13), "#1", "#2").earlier == "first"


def test_a_time_without_zone_against_an_instant_leaves_a_day_open() -> None:
    wall = minute(2025, 3, 12, 10, 0, offset=None)
    assert publication_order(wall, minute(2025, 3, 12, 8, 0), "#1", "#2").earlier is None
    assert publication_order(wall, minute(2025, 3, 13, 12, 0), "#1", "#2").earlier == "first"


def test_two_times_without_zone_are_compared_as_written_and_say_so() -> None:
    order = publication_order(
        minute(2025, 1, 2, 12, 0, offset=None), minute(2025, 1, 2, 9, 0, offset=None), "#1", "#2"
    )
    assert order.earlier == "second"
    assert order.reason.endswith("neither gives a time zone, so the times are compared as written")


def test_equal_instants_are_the_same_minute() -> None:
    assert (
        publication_order(
            minute(2025, 3, 12, 7, 15), minute(2025, 3, 12, 7, 15, offset=60), "#1", "#2"
        ).earlier
        is None
    )
