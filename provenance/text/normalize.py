"""Text normalisation, the split of body from furniture and repost markers, and tokens."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick

from provenance.errors import ConfigError
from provenance.read.dates import find_date_in_line
from provenance.text.scanning import (
    nested_repeat,
    required_strings,
    written_in_lower_case,
)

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_ODD_SPACES = "\t\u00a0" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
"""Blanks other than the plain space: clean_text makes every run of blanks one plain space."""
_SPACES = re.compile(f"[ {_ODD_SPACES}]+")
_LEAD_BULLET = re.compile(r"^(?:[•·▪►\-–—*]+|\d{1,2}[.)])\s*")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A word is a run of letters and digits; Chinese and Japanese characters, written without
# spaces, are each a word of their own.
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+(?:[-'’][^\W{_CJK}]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…:»«\"“”„)。！？」』]$")
_CRUMB_MAX_CHARS = 30
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
# What a marker's "outlet" is when the line gives a date instead ("First published on Monday",
# "zuerst erschienen im Mai 2024"): a time, a year, a leading digit, or nothing but date words.
# A date word inside a name leaves it a name: USA Today, Russia Today, Welt am Sonntag, The Sunday
# Times.
_TIME_OR_YEAR = re.compile(r"^\d|\b\d{1,2}[:.]\d{2}\b|\b(19|20)\d{2}\b")
_DATE_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tonight morning afternoon evening night "
    "january february march april may june july august september october november december "
    "montag dienstag mittwoch donnerstag freitag samstag sonntag heute gestern morgen vormittag nachmittag abend "
    "januar februar märz mai juni juli oktober dezember".split()
)
_DATE_CONNECTORS = frozenset(
    "on the at in of this last am im vom von der den dem letzten vergangenen diesen".split()
)
_LETTER_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Marker:
    """A line saying the article was taken from elsewhere.

    Args:
        line: the line as it stands in the article.
        kind: ``source_footer`` for a line in the text, ``canonical`` for a canonical link.
        url: the URL it names, if any.
        outlet: the outlet it names, if no URL.
        lang: the language of the pattern that matched.
    """

    line: str
    kind: str
    url: str | None = None
    outlet: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class FurnitureLine:
    """A line of page furniture and what kind it is."""

    line: str
    kind: str


@dataclass(frozen=True)
class Layout:
    """An article's lines sorted into body paragraphs, furniture and repost markers."""

    body: list[str]
    furniture: list[FurnitureLine] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)


@dataclass(frozen=True)
class _MarkerPattern:
    regex: re.Pattern[str]
    lang: str


@dataclass(frozen=True)
class PatternSet:
    """Compiled furniture and marker patterns from the packaged file and a user file."""

    markers: tuple[_MarkerPattern, ...]
    furniture: tuple[tuple[str, re.Pattern[str]], ...]

    @cached_property
    def _furniture_any(self) -> re.Pattern[str]:
        """Every furniture pattern in one case-insensitive expression, each in a group named after
        its position: for lines not matched in lower case.
        """
        parts = (
            f"(?P<f{index}>(?:{_NAMED_GROUP.sub('(?:', regex.pattern)}))"
            for index, (_, regex) in enumerate(self.furniture)
        )
        return re.compile("|".join(parts), re.IGNORECASE | re.UNICODE)

    @cached_property
    def _lower_only(self) -> bool:
        """Whether every furniture pattern is written in lower case, so that a lower-cased line can
        be matched without IGNORECASE.
        """
        return all(written_in_lower_case(regex.pattern) for _, regex in self.furniture)

    @cached_property
    def _marker_any(self) -> re.Pattern[str]:
        """A quick test whether any marker pattern could match."""
        unnamed = (_NAMED_GROUP.sub("(?:", pattern.regex.pattern) for pattern in self.markers)
        return re.compile(
            "|".join(f"(?:{pattern})" for pattern in unnamed), re.IGNORECASE | re.UNICODE
        )

    def marker_for(self, line: str) -> Marker | None:
        """The repost marker this line is, or None."""
        if not self.markers or not self._marker_any.match(line):
            return None
        for pattern in self.markers:
            match = pattern.regex.match(line)
            if match:
                groups = match.groupdict()
                url = (groups.get("url") or "").rstrip(".,;)") or None
                outlet = (groups.get("outlet") or "").split(". ")[0].strip(" .\"'«»„“”") or None
                if url is None and (outlet is None or not is_outlet_name(outlet)):
                    continue
                return Marker(
                    line=line, kind="source_footer", url=url, outlet=outlet, lang=pattern.lang
                )
        return None

    @cached_property
    def _furniture_lowered(self) -> tuple[tuple[re.Pattern[str], ...], tuple[int, ...], Any]:
        """For lines matched in lower case: each furniture pattern compiled without IGNORECASE, the
        patterns tried on every line, and an automaton of the strings the others require (each maps
        to the patterns that require one of a set of strings it belongs to)."""
        compiled = tuple(re.compile(regex.pattern, re.UNICODE) for _, regex in self.furniture)
        always: list[int] = []
        automaton = ahocorasick.Automaton()
        for index, (_, regex) in enumerate(self.furniture):
            required = required_strings(regex.pattern)
            if required is None or min(map(len, required)) < _MIN_REQUIRED_CHARS:
                always.append(index)
                continue
            for string in required:
                indices = automaton.get(string, ())
                automaton.add_word(string, (*indices, index))
        if len(automaton):
            automaton.make_automaton()
        return compiled, tuple(always), automaton

    def furniture_kind(self, line: str) -> str | None:
        """The kind of furniture this line is (the first pattern that matches), or None if it may be
        body text.
        """
        if not self.furniture:
            return None
        lowered = line.lower()
        if self._lower_only and len(lowered) == len(line):
            return self._lowered_furniture_kind(lowered)
        match = self._furniture_any.match(line)
        if match is None or match.lastgroup is None:
            return None
        return self.furniture[int(match.lastgroup[1:])][0]

    def _lowered_furniture_kind(self, lowered: str) -> str | None:
        """`furniture_kind` of a lower-cased line: the patterns whose required strings it holds, and those that require none, tried in order.

        A body line of a bench article took 17 µs against the patterns in one alternation, most
        of it in the few that may match anywhere in a line (``^.*\\b(newsletter|...)``); 10 µs so,
        half of it the automaton's pass over the line.
        """
        compiled, always, automaton = self._furniture_lowered
        candidates = set(always)
        if len(automaton):
            for _end, indices in automaton.iter(lowered):
                candidates.update(indices)
        for index in sorted(candidates):
            if compiled[index].match(lowered) is not None:
                return self.furniture[index][0]
        return None


_MIN_REQUIRED_CHARS = 3
"""A pattern whose required strings include a shorter one (``by``, ``/``) is tried on every line:
such strings are in most lines.
"""


def is_outlet_name(outlet: str) -> bool:
    """Whether what a repost marker names is an outlet, not a date ("Monday", "May 31, 2019", "heute").

    Examples:
        >>> [is_outlet_name(name) for name in ("Russia Today", "Welt am Sonntag", "Monday morning", "May 31, 2019")]
        [True, True, False, False]
    """
    if _TIME_OR_YEAR.search(outlet):
        return False
    words = set(_LETTER_WORD.findall(outlet.casefold()))
    only_a_date = bool(words & _DATE_WORDS) and words <= _DATE_WORDS | _DATE_CONNECTORS
    return not only_a_date


def clean_text(text: str) -> str:
    """Unicode-normalise text, drop soft hyphens and invisible characters, unify spaces and
    newlines.
    """
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "  " not in text and not any(
        blank in text for blank in _ODD_SPACES
    ):  # the common case, found without a regex scan
        return "\n".join(line.strip() for line in text.split("\n"))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def shorten(text: str, limit: int) -> str:
    """The text, or its first limit - 1 characters (trailing space dropped) and "…" when it is longer.

    Examples:
        >>> shorten("Kim Jong Un", 9)
        'Kim Jong…'
    """
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text_lines(text: str) -> list[str]:
    """The non-empty lines of a cleaned text."""
    return [line for line in clean_text(text).split("\n") if line]


def tokens(text: str) -> list[str]:
    """Case-folded word tokens, the unit of shingles."""
    return _WORD.findall(text.casefold())


def has_words(text: str) -> bool:
    """Whether a text has a word token at all (``tokens`` without making them)."""
    return _WORD.search(text.casefold()) is not None


def _strip_bullet(line: str) -> str:
    return _LEAD_BULLET.sub("", line).strip()


def _is_crumb(line: str) -> bool:
    """A short line of one or two words with no sentence punctuation: a menu item or a label."""
    return (
        len(line) <= _CRUMB_MAX_CHARS and len(line.split()) <= 2 and not _SENTENCE_END.search(line)
    )


FURNITURE_MAX_WORDS = 40
"""Longer lines are body text whatever words they hold: a paragraph that mentions a newsletter or
"Startseite" is not a newsletter box or a breadcrumb trail."""


def _short_enough_for_furniture(line: str) -> bool:
    return line.count(" ") < FURNITURE_MAX_WORDS


def split_layout(lines: list[str], patterns: PatternSet) -> Layout:
    """Sort lines into body, furniture and repost markers."""
    body: list[str] = []
    furniture: list[FurnitureLine] = []
    markers: list[Marker] = []
    for line in lines:
        bare = _strip_bullet(line)
        marker = patterns.marker_for(bare)
        if marker is not None:
            markers.append(marker)
            furniture.append(FurnitureLine(line, "source_footer"))
            continue
        kind = (
            (patterns.furniture_kind(bare) or ("navigation" if _is_crumb(bare) else None))
            if _short_enough_for_furniture(bare)
            else None
        )
        if kind is None:
            body.append(line)
        else:
            furniture.append(FurnitureLine(line, kind))
    return Layout(body=body, furniture=furniture, markers=markers)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    """A pattern compiled, or ConfigError naming it: it does not parse, or it can take exponential
    time (``re`` has no time limit).
    """
    try:
        compiled = re.compile(pattern, re.IGNORECASE | re.UNICODE)
    except re.error as error:
        raise ConfigError(f"{where}: bad pattern {pattern!r}: {error}") from error
    if nested_repeat(pattern):
        raise ConfigError(
            f"{where}: pattern {pattern!r} repeats something that repeats (like (a+)+), which can take exponential time on one line: rewrite it without the nested repeat"
        )
    return compiled


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise ConfigError(f"pattern file not found: {path}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from error


def _packaged_patterns() -> dict[str, Any]:
    with (
        resources.files("provenance.knowledge").joinpath("data/patterns.toml").open("rb") as handle
    ):
        return tomllib.load(handle)


def _parse_patterns(data: dict[str, Any], where: str) -> PatternSet:
    try:
        markers = tuple(
            _MarkerPattern(_compile(str(entry["pattern"]), where), str(entry.get("lang", "")))
            for entry in data.get("marker", [])
        )
        furniture = tuple(
            (str(entry["kind"]), _compile(str(pattern), where))
            for entry in data.get("furniture", [])
            for pattern in entry["patterns"]
        )
    except (KeyError, TypeError) as error:
        raise ConfigError(
            f"{where}: every [[marker]] needs 'pattern', every [[furniture]] 'kind' and 'patterns' ({error})"
        ) from error
    return PatternSet(markers=markers, furniture=furniture)


@lru_cache(maxsize=8)
def load_patterns(user_file: Path | None = None) -> PatternSet:
    """The packaged patterns, with a user file's patterns tried first when one is given."""
    packaged = _parse_patterns(_packaged_patterns(), "provenance/knowledge/data/patterns.toml")
    if user_file is None:
        return packaged
    user = _parse_patterns(_read_toml(user_file), str(user_file))
    return PatternSet(
        markers=user.markers + packaged.markers, furniture=user.furniture + packaged.furniture
    )


DATE_LINE_WORDS = 8
"""A line this short that holds a full date is a date line ("Sunday, Jul 15th 2018 5-Day Forecast"),
not a headline.
"""
LABEL_WORDS = 5
"""A line this short that ends in a colon is a label ("TERRY GROSS, HOST:", "Related coverage:"),
not a headline.
"""
HEADLINE_LOOKAHEAD = 6
"""How many first lines of a plain text may hold its headline."""
_LETTER_WORD_RE = re.compile(r"[^\W\d_]{2,}")
_SOCIAL_WORDS = frozenset(
    "facebook twitter email e-mail share linkedin pinterest whatsapp reddit print comments comment follow google+ flipboard tweet reprint reprints purchase subscribe login menu".split()
)
_BYLINE_START = re.compile(r"^(?:by|von|par|por|автор|от)\s", re.IGNORECASE)
_ADDRESS = re.compile(r"\S+@\S+\.\w+|https?://\S+")
_PHOTO_CREDIT = re.compile(
    r"\((?:AP|AFP|Reuters|dpa)?\s*(?:Photo|Foto)\b|Photo/|/\s*(?:Getty|AP|Reuters|AFP)\b|Getty Images|\(Photo by",
    re.IGNORECASE,
)
_CLOCK_OR_DATE = re.compile(
    r"^[\W\d]*(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s+)?(?:\w+\s+\d{1,2}(?:,\s*\d{4})?|\d{1,2}\.?\s*\w+\s+\d{4}|\d{1,2}[./]\d{1,2}[./]\d{2,4})\b.*\d{1,2}[:.]\d{2}|^\W*(?:updated|posted|published)\b",
    re.IGNORECASE,
)


def is_page_top_furniture(line: str) -> bool:
    """Whether a line at the top of a saved page is furniture, not a headline: under three words, a label, a byline, a date line, share buttons, an address or a photo credit.

    Examples:
        >>> is_page_top_furniture("Census citizenship question could transform state elections")
        False
        >>> [is_page_top_furniture(line) for line in ("May 31, 2019, 9:52 PM UTC", "Share on Facebook Share on Twitter", "By The Associated Press", "Email")]
        [True, True, True, True]
    """
    if len(_LETTER_WORD_RE.findall(line)) < 3 or (
        len(line.split()) <= LABEL_WORDS and line.rstrip().endswith(":")
    ):
        return True
    lowered = [word.casefold().strip(".,:|•") for word in line.replace("/", " ").split()]
    if sum(word in _SOCIAL_WORDS for word in lowered) >= 2:
        return True
    if len(line.split()) <= DATE_LINE_WORDS and find_date_in_line(line) is not None:
        return True
    return bool(
        _BYLINE_START.match(line)
        or _ADDRESS.search(line)
        or _PHOTO_CREDIT.search(line)
        or _CLOCK_OR_DATE.search(line)
    )


def headline_index(lines: list[str]) -> int | None:
    """The index of the first of the first few lines that is not page furniture, or None."""
    return next(
        (
            index
            for index, line in enumerate(lines[:HEADLINE_LOOKAHEAD])
            if not is_page_top_furniture(line)
        ),
        None,
    )


HEADLINE_WORDS = 30
_FIRST_SENTENCE = re.compile(r"^(.{20,}?[.!?])(?=\s+[\"„«“(]?[A-ZÀ-ÞА-ЯЁ])")


def as_headline(line: str) -> str:
    """A line as a title: itself when headline-sized, else its first sentence, cut at HEADLINE_WORDS
    words.
    """
    if len(line.split()) <= HEADLINE_WORDS:
        return line
    found = _FIRST_SENTENCE.match(line)
    sentence = found.group(1) if found else line
    words = sentence.split()
    return sentence if len(words) <= HEADLINE_WORDS else " ".join(words[:HEADLINE_WORDS]) + "…"
