"""What a regular expression's parse tells about where it can match, and scanning by it.

``re`` tries a pattern that opens with a look-behind or ``\\b`` at every offset of a text. When
every match must begin with one of a set of plain strings, one Aho-Corasick pass over the text
(pyahocorasick) finds the only offsets where it can, and the pattern is tried there alone
(StartScanner). ``required_strings`` tells which strings a line must hold for a pattern to be
worth trying at all.

The parse is ``re``'s own, from its private ``re._parser``: where that cannot be read, the
functions here say so (None) and callers scan as ``re`` does.
"""

from __future__ import annotations

import gc
import importlib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import ahocorasick

_UPPER_IN_PATTERN = re.compile(r"[A-ZÀ-ÞА-ЯЁ]")
_NOT_LETTERS = re.compile(r"\\[A-Za-z]|\(\?P<\w+>|\(\?P=\w+\)")
"""Escapes (``\\b``, ``\\S``) and group names, whose letters match no letter of a text."""
_MAX_START_STRINGS = 10_000
"""More strings than this that a match may begin with (alternations multiplied out) are not worth an
automaton.
"""


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large pattern is parsed or compiled (and restore it as it was).

    ``re`` parses a pattern into tens of thousands of short-lived lists and tuples, each
    allocation counted towards a collection, which walks every object the process holds: for
    the anchor patterns of a German text (translation/anchors.py) the collector took 0.056 s of
    the 0.117 s spent making them, in a process that had imported SQLAlchemy. Whatever the
    pause leaves uncollected is collected once the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@lru_cache(maxsize=1024)
@gc_paused()
def parsed_pattern(pattern: str, flags: int) -> tuple[Any, Any] | None:
    """``re``'s parse of a pattern and the module of its opcodes, or None when the private parser cannot be loaded or the pattern read.

    Kept for the next question about the same pattern (StartScanner.for_pattern asks two, a
    furniture pattern is asked for its required strings and its nested repeats): parsing the cue
    and furniture patterns took 0.07 s of ``provenance check``. Callers only read the parse.
    """
    try:
        parser, constants = (
            importlib.import_module("re._parser"),
            importlib.import_module("re._constants"),
        )
        return parser.parse(pattern, flags), constants
    except (ImportError, AttributeError, re.error, RecursionError):
        return None


def written_in_lower_case(pattern: str) -> bool:
    r"""Whether a pattern has no capital letter to match (escapes and group names aside): compiled without IGNORECASE it matches a lower-cased text (as long as the text) as the pattern with IGNORECASE matches the text.

    Examples:
        >>> written_in_lower_case(r"^(?P<Kind>quelle)\S*"), written_in_lower_case(r"^Quelle")
        (True, False)
    """
    return not _UPPER_IN_PATTERN.search(_NOT_LETTERS.sub("", pattern))


def required_strings(pattern: str) -> frozenset[str] | None:
    r"""Strings one of which is in every text the pattern (compiled without flags) matches, or None when none can be told.

    Of the choices the pattern's parse shows (a run of plain characters; one string from each
    branch of an alternation; what a group or a repeat of at least once requires), the one whose
    shortest string is longest. A pattern or group that ignores case requires none.

    Examples:
        >>> sorted(required_strings(r"^.*\b(newsletter|subscribe to our)\b.*$"))
        ['newsletter', 'subscribe to our']
        >>> required_strings(r"^(kommentare?)\s*$")
        frozenset({'kommentar'})
        >>> required_strings(r"^[a-z]+$") is None
        True
    """
    found = parsed_pattern(pattern, 0)
    if found is None:
        return None
    parsed, constants = found
    try:
        if parsed.state.flags & re.IGNORECASE:
            return None
        return _required_in(list(parsed), constants)
    except (
        AttributeError,
        IndexError,
        TypeError,
        ValueError,
        RecursionError,
    ):  # a parse of another shape than this module knows
        return None


def _required_in(items: list[tuple[Any, Any]], constants: Any) -> frozenset[str] | None:
    """The strongest choice of required strings in a parsed sequence (see required_strings)."""
    choices: list[frozenset[str]] = []
    run: list[str] = []
    for op, value in items:
        if op is constants.LITERAL:
            run.append(chr(value))
            continue
        if run:
            choices.append(frozenset(("".join(run),)))
            run = []
        found: frozenset[str] | None = None
        if op is constants.SUBPATTERN and not value[1] & re.IGNORECASE:
            found = _required_in(list(value[-1]), constants)
        elif op is constants.BRANCH:
            alternatives = [_required_in(list(alternative), constants) for alternative in value[1]]
            if all(alternative is not None for alternative in alternatives):
                found = frozenset().union(
                    *(alternative for alternative in alternatives if alternative is not None)
                )
        elif (
            op
            in (
                constants.MAX_REPEAT,
                constants.MIN_REPEAT,
                getattr(constants, "POSSESSIVE_REPEAT", None),
            )
            and value[0] >= 1
        ):
            found = _required_in(list(value[2]), constants)
        if found:
            choices.append(found)
    if run:
        choices.append(frozenset(("".join(run),)))
    return max(choices, key=lambda choice: (min(map(len, choice)), -len(choice)), default=None)


def start_strings(pattern: re.Pattern[str]) -> frozenset[str] | None:
    r"""Strings one of which every match of a compiled pattern begins with, or None when the parse shows none (or the pattern ignores case).

    Assertions (``\b``, ``^``, look-arounds) match no characters and are passed over; the plain
    characters after them, through groups and alternations, make the strings, as far as every
    alternative goes on with plain characters.

    Examples:
        >>> sorted(start_strings(re.compile(r"\b(?:said|says|told)\b")))
        ['said', 'says', 'told']
        >>> sorted(start_strings(re.compile(r"(?<!\w)jan(?:uary)?\b")))
        ['jan']
        >>> start_strings(re.compile(r"\b\w+ said")) is None
        True
    """
    if pattern.flags & re.IGNORECASE:
        return None
    found = parsed_pattern(pattern.pattern, pattern.flags)
    if found is None:
        return None
    parsed, constants = found
    try:
        strings, _ = _start_strings_in(list(parsed), constants)
    except (
        AttributeError,
        IndexError,
        TypeError,
        ValueError,
        RecursionError,
    ):  # too many strings, or a parse of another shape
        return None
    if not strings or "" in strings:
        return None
    return frozenset(strings)


def _start_strings_in(items: list[tuple[Any, Any]], constants: Any) -> tuple[set[str], bool]:
    """The strings a parsed sequence's matches begin with, and whether they are all of it (so what
    follows extends them).
    """
    zero_width = (constants.AT, constants.ASSERT, constants.ASSERT_NOT)
    strings = {""}
    for op, value in items:
        if op in zero_width:
            continue
        if op is constants.LITERAL:
            strings = {string + chr(value) for string in strings}
            continue
        if (
            op is constants.SUBPATTERN and not value[1] and not value[2]
        ):  # a group that sets no flags
            inner, whole = _start_strings_in(list(value[-1]), constants)
        elif op is constants.BRANCH:
            alternatives = [
                _start_strings_in(list(alternative), constants) for alternative in value[1]
            ]
            inner = set().union(*(found for found, _ in alternatives))
            whole = all(complete for _, complete in alternatives)
        else:
            return strings, False
        strings = {string + rest for string in strings for rest in inner}
        if len(strings) > _MAX_START_STRINGS:
            raise ValueError("too many start strings")
        if not whole:
            return strings, False
    return strings, True


def matches_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> list[re.Match[str]]:
    """The pattern's matches tried at these offsets (ascending), as ``finditer`` gives them when it can match nowhere else: none starting inside an earlier one.

    Examples:
        >>> [match.group() for match in matches_at(re.compile(r"new york|york times"), "new york times", [0, 4])]
        ['new york']
    """
    found: list[re.Match[str]] = []
    end = 0
    match_at = pattern.match
    for start in starts:
        if start >= end and (match := match_at(text, start)) is not None:
            found.append(match)
            end = match.end()
    return found


def opens_with_assertion(pattern: re.Pattern[str]) -> bool:
    r"""Whether the pattern's first item, inside any groups, is an assertion (``\b``, ``^``, a look-around): ``re`` then tries it at every offset.

    Examples:
        >>> opens_with_assertion(re.compile(r"(?P<w>(?<!\w)may)")), opens_with_assertion(re.compile(r"may\b"))
        (True, False)
    """
    found = parsed_pattern(pattern.pattern, pattern.flags)
    if found is None:
        return False
    items, constants = found
    try:
        while len(items) and items[0][0] is constants.SUBPATTERN:
            items = items[0][1][-1]
        return bool(len(items)) and items[0][0] in (
            constants.AT,
            constants.ASSERT,
            constants.ASSERT_NOT,
        )
    except (AttributeError, IndexError, TypeError):
        return False


class StartScanner:
    r"""``pattern.finditer(text)`` for a pattern whose matches all begin with one of a set of strings: tried only where one begins.

    Args:
        pattern: the compiled pattern (not ignoring case: match it in a lower-cased text instead).
        strings: what every match begins with (start_strings of the pattern).

    Examples:
        >>> pattern = re.compile(r"\b(?:said|told)\b")
        >>> scanner = StartScanner(pattern, start_strings(pattern))
        >>> [match.group() for match in scanner.finditer("she said, he told them, unsaid")]
        ['said', 'told']
    """

    def __init__(self, pattern: re.Pattern[str], strings: frozenset[str]) -> None:
        self.pattern = pattern
        self._automaton = ahocorasick.Automaton()
        for string in strings:
            self._automaton.add_word(string, len(string))
        self._automaton.make_automaton()

    @classmethod
    def for_pattern(cls, pattern: re.Pattern[str]) -> StartScanner | None:
        """A scanner for a pattern that opens with an assertion, or None.

        None when its parse shows no strings its matches begin with, or when it opens with a
        character: ``re`` skips ahead to that itself, faster than the automaton's pass (4.4 µs
        against 9 µs on a bench article for ``\\((?:additional )?reporting by ...``).
        """
        strings = start_strings(pattern)
        if strings is None or not opens_with_assertion(pattern):
            return None
        return cls(pattern, strings)

    def finditer(self, text: str) -> list[re.Match[str]]:
        """The pattern's matches in text, as ``finditer`` gives them: leftmost first, none
        overlapping.
        """
        return matches_at(
            self.pattern,
            text,
            sorted({end - length + 1 for end, length in self._automaton.iter(text)}),
        )


def nested_repeat(pattern: str) -> bool:
    r"""Whether a pattern repeats without bound something that itself repeats without bound (``(a+)+``, ``(\w*\s?)*``): the shape that backtracks exponentially on a line that nearly matches.

    Examples:
        >>> nested_repeat(r"^(a+)+$"), nested_repeat(r"^quelle:\s*(?P<url>\S+)$")
        (True, False)
    """
    found = parsed_pattern(pattern, 0)
    if found is None:
        return False
    parsed, constants = found
    try:
        return _repeats_inside(list(parsed), constants, inside_repeat=False)
    except (
        AttributeError,
        IndexError,
        TypeError,
        ValueError,
        RecursionError,
    ):  # a parse of another shape than this module knows
        return False


def _repeats_inside(items: list[tuple[Any, Any]], constants: Any, inside_repeat: bool) -> bool:
    """Whether an unbounded repeat stands inside another unbounded one in a parsed sequence (bounded
    ones, ``{1,6}``, cost polynomial time at most).
    """
    for op, value in items:
        if op in (constants.MAX_REPEAT, constants.MIN_REPEAT):
            _low, high, body = value
            unbounded = high is constants.MAXREPEAT
            if unbounded and inside_repeat:
                return True
            if _repeats_inside(list(body), constants, inside_repeat or unbounded):
                return True
        elif op is constants.SUBPATTERN:
            if _repeats_inside(list(value[-1]), constants, inside_repeat):
                return True
        elif op is constants.BRANCH:
            if any(_repeats_inside(list(branch), constants, inside_repeat) for branch in value[1]):
                return True
        elif op in (constants.ASSERT, constants.ASSERT_NOT):
            if _repeats_inside(list(value[1]), constants, inside_repeat):
                return True
    return False
