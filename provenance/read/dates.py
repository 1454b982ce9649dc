"""Publication times with their precision: parsed from metadata and text, compared without inventing
a time of day.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from itertools import chain
from typing import Any

MINUTE = "minute"
DAY = "day"
PRECISIONS = (MINUTE, DAY)

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
"""Years outside these are a broken field (an epoch in the wrong unit, ``0001-01-01``), not a date.
"""

EAST_MOST = timedelta(hours=14)
WEST_MOST = timedelta(hours=12)
"""A wall-clock time with no time zone is a moment between UTC-14 h and UTC+12 h of itself (zones
run from UTC-12 to UTC+14).
"""


@dataclass(frozen=True)
class Published:
    """When an article was published, as precisely as its source says.

    Args:
        moment: for ``minute`` precision with a known offset, the time in UTC; with no offset
            (``offset`` None), the wall-clock time as written; for ``day`` precision, the date at
            midnight (the time of day is unknown, not midnight).
        precision: ``minute`` or ``day``.
        offset: minutes east of UTC that the source gave (``+01:00`` is 60), or None.

    Examples:
        >>> Published(datetime(2025, 3, 12, 7, 15), MINUTE, 60).iso()
        '2025-03-12T07:15:00Z'
        >>> Published(datetime(2025, 3, 12), DAY).iso()
        '2025-03-12'
    """

    moment: datetime
    precision: str
    offset: int | None = None

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(
                f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}"
            )
        if self.moment.tzinfo is not None:
            raise ValueError(
                "moment must be naive (UTC, or the wall-clock time when offset is None)"
            )

    @property
    def zoned(self) -> bool:
        """Whether the moment is a known instant: a time of day with its UTC offset."""
        return self.precision == MINUTE and self.offset is not None

    @property
    def local(self) -> datetime:
        """The wall-clock time at the publisher (the moment itself when no offset is known)."""
        return (
            self.moment + timedelta(minutes=self.offset)
            if self.zoned and self.offset
            else self.moment
        )

    @property
    def local_date(self) -> date:
        """The calendar date at the publisher."""
        return self.local.date()

    def iso(self) -> str:
        """ISO 8601: ``2025-03-12T07:15:00Z`` for a known instant, ``2025-03-12`` for a date only,
        ``2025-03-12T08:15:00`` for a time with no zone.
        """
        if self.precision == DAY:
            return self.moment.date().isoformat()
        if self.zoned:
            return f"{self.moment:%Y-%m-%dT%H:%M:%S}Z"
        return f"{self.moment:%Y-%m-%dT%H:%M:%S}"

    def text(self) -> str:
        """For people: local time with its offset, ``2025-03-12 08:15 +01:00``; ``2025-03-12 (date
        only)``; ``2025-03-12 08:15 (no time zone)``.
        """
        if self.precision == DAY:
            return f"{self.moment:%Y-%m-%d} (date only)"
        if not self.zoned:
            return f"{self.moment:%Y-%m-%d %H:%M} (no time zone)"
        return f"{self.local:%Y-%m-%d %H:%M} {_offset_text(self.offset or 0)}"

    def bounds(self) -> tuple[datetime, datetime]:
        """The earliest and latest UTC moments it can stand for."""
        if self.zoned:
            return self.moment, self.moment
        if self.precision == MINUTE:
            return self.moment - EAST_MOST, self.moment + WEST_MOST
        return self.moment - EAST_MOST, self.moment + timedelta(days=1) + WEST_MOST


def _offset_text(minutes: int) -> str:
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


@dataclass(frozen=True)
class Order:
    """Which of two publication times is earlier, or why they do not say.

    Args:
        earlier: ``first``, ``second``, or None when the times do not order the two.
        reason: what the times show, naming the two by the labels given.
    """

    earlier: str | None
    reason: str


def publication_order(
    first: Published,
    second: Published,
    first_label: str = "the first",
    second_label: str = "the second",
) -> Order:
    """The order of two publication times, never finer than what each gives.

    Two instants are compared as they are. A date without a time orders only against another
    calendar date (the publisher's). Two times without a time zone are compared as written (one
    corpus, one convention), and the reason says so; a time without a zone against an instant
    stands for a range of a day, so it orders only what lies outside that range.
    """
    if first.zoned and second.zoned:
        if first.moment == second.moment:
            return Order(None, f"both were published at the same minute ({first.text()})")
        return _ordered(first.moment < second.moment, first, second, first_label, second_label)
    if DAY in (first.precision, second.precision):
        if first.local_date == second.local_date:
            without_time = [
                label
                for label, value in ((first_label, first), (second_label, second))
                if value.precision == DAY
            ]
            who = (
                "neither gives a time of day"
                if len(without_time) == 2
                else f"{without_time[0]} gives no time of day"
            )
            return Order(None, f"both were published on {first.local_date.isoformat()} and {who}")
        return _ordered(
            first.local_date < second.local_date, first, second, first_label, second_label
        )
    if not first.zoned and not second.zoned:
        if first.moment == second.moment:
            return Order(None, f"both were published at the same minute ({first.text()})")
        found = _ordered(first.moment < second.moment, first, second, first_label, second_label)
        return Order(
            found.earlier,
            f"{found.reason}; neither gives a time zone, so the times are compared as written",
        )
    (first_low, first_high), (second_low, second_high) = first.bounds(), second.bounds()
    if first_high < second_low or second_high < first_low:
        return _ordered(first_high < second_low, first, second, first_label, second_label)
    zoneless = first_label if not first.zoned else second_label
    return Order(
        None,
        f"{zoneless} gives a time with no time zone ({first.text()}; {second.text()}), which leaves the order open by up to a day",
    )


def _ordered(
    first_is_earlier: bool, first: Published, second: Published, first_label: str, second_label: str
) -> Order:
    if first_is_earlier:
        return Order(
            "first",
            f"{first_label} was published {first.text()}, before {second_label} ({second.text()})",
        )
    return Order(
        "second",
        f"{second_label} was published {second.text()}, before {first_label} ({first.text()})",
    )


def sort_key(published: Published | None) -> tuple[bool, datetime]:
    """A key that puts dated items first, earliest first, and undated ones last."""
    return (True, datetime.max) if published is None else (False, published.moment)


# ---- parsing -----------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januar", "jänner", "january", "janvier", "января", "enero", "jan"),
            ("februar", "february", "février", "февраля", "febrero", "feb"),
            ("märz", "march", "mars", "марта", "marzo", "mar"),
            ("april", "avril", "апреля", "abril", "apr"),
            ("mai", "may", "мая", "mayo"),
            ("juni", "june", "juin", "июня", "junio", "jun"),
            ("juli", "july", "juillet", "июля", "julio", "jul"),
            ("august", "août", "августа", "agosto", "aug"),
            ("september", "septembre", "сентября", "septiembre", "sep", "sept"),
            ("oktober", "october", "octobre", "октября", "octubre", "oct"),
            ("november", "novembre", "ноября", "noviembre", "nov"),
            ("dezember", "december", "décembre", "декабря", "diciembre", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_CLOCK = r"(?:,?\s+(?:um\s+|at\s+|à\s+|в\s+)?(\d{1,2})[.:h](\d{2})(?:\s*([ap])\.?m\.?)?)?"
_NUMERIC_DMY = re.compile(rf"\b(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}}){_CLOCK}\b", re.IGNORECASE)
_ISO_IN_TEXT = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?\b")
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:\.|st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_NAMES})\.?\s+(\d{{4}}){_CLOCK}",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}){_CLOCK}", re.IGNORECASE
)
_ISO_WITH_TIME = re.compile(r"^\d{4}-?\d{2}-?\d{2}[T ]\d{2}:?\d{2}")
_ISO_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RFC2822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
_EPOCH_DIGITS = re.compile(r"^\d{9,13}$")
_TRAILING_ZONE_NAME = re.compile(r"\s*\b(UTC|GMT|Z)\s*$", re.IGNORECASE)
_ZONE_AFTER_CLOCK = re.compile(
    r"\s*\(?(?:(UTC|GMT)\s*)?([+-]\d{1,2}(?::?\d{2})?)?\s*\b([A-Z]{2,4})?\b"
)
_ZONE_NAMES = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "BST": 60,
    "WEST": 60,
    "CET": 60,
    "MEZ": 60,
    "CEST": 120,
    "MESZ": 120,
    "EET": 120,
    "EEST": 180,
    "MSK": 180,
    "IST": 330,
    "JST": 540,
    "KST": 540,
    "AEST": 600,
    "AEDT": 660,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
}
"""Zone abbreviations that news sites write after a time; ambiguous ones (IST is also Irish, CST
also China's) take their most common news use.
"""


def _in_range(moment: datetime) -> bool:
    return EARLIEST_YEAR <= moment.year < LATEST_YEAR


def _make(moment: datetime, precision: str) -> Published | None:
    """A Published from a parsed datetime: an aware one is kept as UTC with its offset."""
    if moment.tzinfo is not None:
        delta = moment.utcoffset() or timedelta(0)
        try:
            utc = moment.astimezone(UTC).replace(tzinfo=None)
        except (OverflowError, ValueError):
            return None
        offset: int | None = int(delta.total_seconds() // 60)
        moment = utc
    else:
        offset = None
    if precision == DAY:
        moment, offset = datetime(moment.year, moment.month, moment.day), None
    else:
        moment = moment.replace(second=0, microsecond=0)
    return Published(moment, precision, offset) if _in_range(moment) else None


def _from_epoch(value: float) -> Published | None:
    if not math.isfinite(value) or value <= 0:
        return None
    seconds = value / 1000 if value > 1e11 else value
    try:
        moment = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return _make(moment, MINUTE)


def _from_iso(text: str) -> Published | None:
    try:
        parsed = datetime.fromisoformat(
            _TRAILING_ZONE_NAME.sub("Z", text) if " " in text and text[:4].isdigit() else text
        )
    except ValueError:
        return None
    if _ISO_DATE_ONLY.match(text) or (len(text) == 8 and text.isdigit()):
        return _make(parsed, DAY)
    return _make(parsed, MINUTE if _ISO_WITH_TIME.match(text) else DAY)


def _from_rfc2822(text: str) -> Published | None:
    if not _RFC2822.match(text):
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _make(parsed, MINUTE)


def _clock(hour: str | None, minute: str | None, meridiem: str | None) -> tuple[int, int] | None:
    if hour is None or minute is None:
        return None
    hours = int(hour)
    if meridiem:
        if hours > 12:
            return None
        hours = hours % 12 + (12 if meridiem.lower() == "p" else 0)
    return (hours, int(minute)) if hours < 24 and int(minute) < 60 else None


def _zone_after(line: str, end: int) -> timezone | None:
    """The time zone written right after a time of day: ``UTC+1``, ``+01:00``, ``EST``, ``MESZ``;
    None when none is.
    """
    match = _ZONE_AFTER_CLOCK.match(line, end)
    if match is None:
        return None
    utc, number, name = match.groups()
    if number:
        sign = -1 if number.startswith("-") else 1
        digits = number[1:].replace(":", "")
        hours, minutes = (
            (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
        )
        return (
            timezone(sign * timedelta(hours=hours, minutes=minutes))
            if hours <= 14 and minutes < 60
            else None
        )
    if utc or (name and name in _ZONE_NAMES):
        return timezone(
            timedelta(minutes=_ZONE_NAMES[name] if name in _ZONE_NAMES and not utc else 0)
        )
    return None


def _wall(
    year: int, month: int, day: int, clock: tuple[int, int] | None, zone: timezone | None = None
) -> Published | None:
    try:
        moment = datetime(year, month, day, *(clock or (0, 0)), tzinfo=zone if clock else None)
    except ValueError:
        return None
    return _make(moment, MINUTE if clock else DAY)


_CLOCK_BEFORE = re.compile(
    r"(\d{1,2})[:.](\d{2})\s*(?:([ap])\.?m\.?)?\s*(?:([A-Z]{2,4})\b)?[,|]?\s*(?:on\s+|am\s+|le\s+)?(?:[A-Za-zÀ-ÿ]{2,9}\.?,?\s+)?$",
    re.IGNORECASE,
)
"""A time of day written just before a date: ``6:45 PM, Feb 16, 2018``, ``08:15 Uhr, 12. März
2025``, ``10:30 EST Tuesday, March 12, 2025``.
"""


def _with_clock_before(found: Published | None, line: str, start: int) -> Published | None:
    """A date-only find completed by a time of day written right before it, if there is one."""
    if found is None or found.precision != DAY:
        return found
    match = _CLOCK_BEFORE.search(line[max(0, start - 40) : start])
    if match is None:
        return found
    clock = _clock(match.group(1), match.group(2), match.group(3))
    name = (match.group(4) or "").upper()
    zone = timezone(timedelta(minutes=_ZONE_NAMES[name])) if name in _ZONE_NAMES else None
    return (
        _wall(found.moment.year, found.moment.month, found.moment.day, clock, zone)
        if clock
        else found
    )


def find_date_in_line(line: str) -> Published | None:
    """A full date (day, month and year) written in a line, with its time of day if one follows or
    precedes it.
    """
    found, start = _date_in_line(line)
    return _with_clock_before(found, line, start)


def _date_in_line(line: str) -> tuple[Published | None, int]:
    """A full date written in a line and where it starts, with the time of day that follows it."""
    if match := _NUMERIC_DMY.search(line):
        day, month, year, hour, minute, meridiem = match.groups()
        return _wall(
            int(year),
            int(month),
            int(day),
            _clock(hour, minute, meridiem),
            _zone_after(line, match.end()),
        ), match.start()
    if match := _ISO_IN_TEXT.search(line):
        year, month, day, hour, minute = match.groups()
        return _wall(
            int(year),
            int(month),
            int(day),
            _clock(hour, minute, None),
            _zone_after(line, match.end()),
        ), match.start()
    if match := _DAY_MONTH_YEAR.search(line):
        day, month_name, year, hour, minute, meridiem = match.groups()
        return _wall(
            int(year),
            _MONTHS[month_name.lower()],
            int(day),
            _clock(hour, minute, meridiem),
            _zone_after(line, match.end()),
        ), match.start()
    if match := _MONTH_DAY_YEAR.search(line):
        month_name, day, year, hour, minute, meridiem = match.groups()
        return _wall(
            int(year),
            _MONTHS[month_name.lower()],
            int(day),
            _clock(hour, minute, meridiem),
            _zone_after(line, match.end()),
        ), match.start()
    return None, 0


def find_date_in_text(text: str, head_lines: int = 6) -> Published | None:
    """The publication date from the first lines of a plain text, where bylines put it."""
    lines = [line for line in text.splitlines() if line.strip()][:head_lines]
    for line in lines:
        if len(line) <= 120 and (found := find_date_in_line(line)):
            return found
    return None


def parse_published(value: Any) -> Published | None:
    """A publication time from a metadata value: ISO 8601, RFC 2822, an epoch number, or a date written out.

    Anything else (a boolean, an object, a year outside 1900-2099, infinity) is no date: None.

    Examples:
        >>> parse_published("2025-03-12T08:15:00+01:00").iso()
        '2025-03-12T07:15:00Z'
        >>> parse_published("2025-03-12").precision
        'day'
        >>> parse_published(True) is None
        True
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 200:
        return None
    if _EPOCH_DIGITS.match(text):
        return _from_epoch(float(text))
    return _from_iso(text) or _from_rfc2822(text) or find_date_in_line(text)


# ---- HTML --------------------------------------------------------------------------------

_META_PROPERTIES = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "published_time",
)
_META_NAMES = (
    "article:published_time",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "dc.date.created",
    "citation_publication_date",
    "original-publish-date",
    "article.published",
)
_ARTICLE_TYPES = (
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "blogposting",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "report",
    "liveblogposting",
    "webpage",
)


def _meta_values(tree: Any) -> Iterator[str]:
    """Publication times named in meta tags, the most specific first."""
    metas = tree.xpath("//meta[@content]")
    by_property: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for meta in metas:
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        if (prop := (meta.get("property") or "").strip().lower()) and prop not in by_property:
            by_property[prop] = content
        for attribute in ("name", "itemprop", "http-equiv"):
            if (name := (meta.get(attribute) or "").strip().lower()) and name not in by_name:
                by_name[name] = content
    for prop in _META_PROPERTIES:
        if prop in by_property:
            yield by_property[prop]
    if "datepublished" in by_name:
        yield by_name["datepublished"]
    for name in _META_NAMES:
        if name in by_name:
            yield by_name[name]


def _json_ld_objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_objects(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if key in data:
                yield from _json_ld_objects(data[key])


def _types_of(item: dict[str, Any]) -> list[str]:
    kinds = item.get("@type")
    return [str(kind).lower() for kind in (kinds if isinstance(kinds, list) else [kinds]) if kind]


def _json_ld_values(tree: Any) -> Iterator[str]:
    """``datePublished`` of JSON-LD objects, those of an article type first."""
    found: list[tuple[int, str]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        for item in _json_ld_objects(data):
            value = item.get("datePublished")
            if isinstance(value, str) and value.strip():
                types = _types_of(item)
                rank = min(
                    (_ARTICLE_TYPES.index(kind) for kind in types if kind in _ARTICLE_TYPES),
                    default=len(_ARTICLE_TYPES),
                )
                found.append((rank, value))
    for _, value in sorted(found, key=lambda pair: pair[0]):
        yield value


def _time_element_values(tree: Any) -> Iterator[str]:
    """``<time datetime>`` marked as the publication time, then the first one in the article or its
    header.
    """
    marked = tree.xpath(
        "//time[@datetime][@pubdate or @itemprop='datePublished' or contains(@class,'publish') or contains(@class,'pubdate')]"
    )
    in_article = tree.xpath(
        "(//article//time[@datetime] | //header//time[@datetime] | //main//time[@datetime])[1]"
    )
    for element in [*marked, *in_article]:
        value = (element.get("datetime") or "").strip()
        if value:
            yield value


def _itemprop_values(tree: Any) -> Iterator[str]:
    for element in tree.xpath("//*[@itemprop='datePublished'][not(self::meta)]"):
        value = (
            element.get("datetime") or element.get("content") or element.text_content() or ""
        ).strip()
        if value:
            yield value


def published_in_html(tree: Any) -> Published | None:
    """The publication time an HTML page states: meta tags (``article:published_time``, ``og:``, parsely,
    sailthru, ``date``, ``pubdate``, ``DC.date.issued``), JSON-LD ``datePublished``, ``<time datetime>``.

    The first that parses is taken, and completed by a later one where it lacks something: a date
    only by a time of day on that date, a time without zone by the same time with its zone. None
    when the page states none (htmldate's guess is the caller's fallback).
    """
    chosen: Published | None = None
    for value in chain(
        _meta_values(tree),
        _json_ld_values(tree),
        _itemprop_values(tree),
        _time_element_values(tree),
    ):
        found = parse_published(value)
        if found is None:
            continue
        if chosen is None or _completes(found, chosen):
            chosen = found
        if chosen.zoned:
            return chosen
    return chosen


def _completes(found: Published, chosen: Published) -> bool:
    """Whether a later statement says more of the same time: a time of day for a date, a zone for a
    wall-clock time.
    """
    if chosen.precision == DAY:
        return found.precision == MINUTE and found.local_date == chosen.local_date
    return found.zoned and not chosen.zoned and chosen.moment in (found.moment, found.local)


def published_from_guess(value: str | None) -> Published | None:
    """A date found by htmldate's heuristics: a calendar date at most, whatever time it may show."""
    found = parse_published(value) if value else None
    return (
        Published(
            datetime(found.local_date.year, found.local_date.month, found.local_date.day), DAY
        )
        if found
        else None
    )
