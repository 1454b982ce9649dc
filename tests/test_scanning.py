"""What a pattern's parse tells about where it matches, and scanning a text only there."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from provenance.knowledge.attribution import load_cues
from provenance.text.scanning import StartScanner, required_strings, start_strings
from provenance.translation.anchors import _DATE_WORD


@pytest.mark.parametrize(
    ("pattern", "required"),
    [
        (r"^.*\b(newsletter|subscribe to our)\b.*$", {"newsletter", "subscribe to our"}),
        (r"^(kommentare?|comments?)\s*:?$", {"kommentar", "comment"}),
        (r"^(suivez-nous|síguenos)\b.*", {"uivez-nous", "íguenos"}),
        (r"^(?:von|by)\s+(?:reuters|agence)+$", {"reuters", "agence"}),
        (r"^(diesen )?artikel\b", {"artikel"}),
        (r"^[a-z]+$", None),
        (r"^(?i:newsletter)$", None),
        (r"(?i)^newsletter$", None),
        (r"^(news|[a-z]+)$", None),
    ],
)
def test_the_strings_a_pattern_requires(pattern: str, required: set[str] | None) -> None:
    assert required_strings(pattern) == (None if required is None else frozenset(required))


@pytest.mark.parametrize(
    ("pattern", "strings"),
    [
        (r"\b(?:said|says|told)\b", {"said", "says", "told"}),
        (r"(?P<w>(?<![\w-])(?:jan(?:uary)?|feb))\.?", {"jan", "feb"}),
        (r"^(?:by|from)\s+reuters", {"by", "from"}),
        (r"\b(?:selon|d.après)\b", {"selon", "d"}),
        (r"(?=\w)(?:ab|c)(?:dx|e)f?", {"abdx", "abe", "cdx", "ce"}),
        (r"(?:ab|c)(?:d|e)", {"ab", "c"}),  # re makes one-letter branches a set of letters
        (r"\(?\bquellen?", None),
        (r"\b\w+ said", None),
        (r"\b(?:said|\w+ told)", None),
        (r"(?i)\bsaid", None),
        (r"\b(?i:said)", None),
    ],
)
def test_the_strings_every_match_of_a_pattern_begins_with(
    pattern: str, strings: set[str] | None
) -> None:
    assert start_strings(re.compile(pattern)) == (None if strings is None else frozenset(strings))


def test_only_a_pattern_that_opens_with_an_assertion_gets_a_scanner() -> None:
    """``re`` skips ahead to a pattern's first character itself, faster than the automaton's pass."""
    assert StartScanner.for_pattern(re.compile(r"\((?:additional )?reporting by")) is None
    assert StartScanner.for_pattern(re.compile(r"\b(?:said|told)\b")) is not None
    assert StartScanner.for_pattern(_DATE_WORD) is not None


SPEECH_CUE = next(
    cue.lowered
    for cue in load_cues().cues
    if cue.scanner is not None and "said" in cue.regex.pattern
)
PIECES = [
    " ",
    "  ",
    "\n",
    ".",
    ",",
    "-",
    "'",
    "said",
    "says",
    "unsaid",
    "told",
    "tells",
    "saying",
    "may",
    "mayor",
    "march",
    "5",
    "15",
    "2022",
    "one",
    "someone",
    "two",
    "million",
    "billion",
    "and",
    "to",
    "monday",
    "mondays",
    "de",
    "un",
    "une",
    "zwei",
    "millionen",
    "mai",
    "x",
    "new",
    "york",
    "times",
]
OVERLAPPING = re.compile(r"\b(?:new york|york times|times)\b")
"""Starts that fall inside an earlier match ("new york times"): finditer gives the first match only.
"""
SCANNED = [
    (pattern, StartScanner.for_pattern(pattern))
    for pattern in (_DATE_WORD, SPEECH_CUE, OVERLAPPING)
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=24).map("".join))
@example("the new york times said on may 5, 2022 that one million")
def test_a_scanner_finds_exactly_the_matches_of_finditer(text: str) -> None:
    """Each match as finditer gives it, and none that starts inside an earlier one."""
    for pattern, scanner in SCANNED:
        assert scanner is not None
        expected = [(match.span(), match.groupdict()) for match in pattern.finditer(text)]
        assert [(match.span(), match.groupdict()) for match in scanner.finditer(text)] == expected
