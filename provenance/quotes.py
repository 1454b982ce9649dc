"""Quotations in an article: every quoting style, nested and multi-sentence, with speaker and source."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .attribution import Found, sentences

# Closing mark for each opening mark. "“" closes „ (German) and opens “ (English); "»" opens »…« and closes «…».
_CLOSERS = {"„": "“", "“": "”", "«": "»", "»": "«", "‚": "‘", "‘": "’", "「": "」", "『": "』", '"': '"', "‹": "›", "›": "‹"}
_ALSO_CLOSES = {"„": "”", "“": "\""}
_MARKS = frozenset(_CLOSERS) | frozenset(_CLOSERS.values()) | {"”", "’"}
_MARK_OR_NEWLINE = re.compile("[" + re.escape("".join(sorted(_MARKS))) + "\n]")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)
_FOLD_MARKS = str.maketrans({mark: '"' for mark in "„“”«»‚‘’「」『』‹›"})
_SPEAKER_AFTER_SOURCE = re.compile(
    r"\b(?:zitierte|zitierten|zitiert|quoted|quoting|цитирует|процитировал[аи]?)\s+(?:\S+\s+){0,4}?"
    r"(?P<speaker>(?:den|die|das|der|dem)\s+[\w-]+(?:\s+[\w-]+){0,2}?|[A-ZÄÖÜА-ЯЁ][\w-]+(?:\s+[A-ZÄÖÜА-ЯЁ][\w-]+){0,2})"
    r"(?=\s+(?:aus|mit|in|am|vom|von|as|als|saying|и)\b|\s*[,.;:]|$)",
)
_SPEECH_VERB = re.compile(r"\b(?:sagte|sagten|sagt|erklärte|erklärten|betonte|schrieb|said|says|told|wrote|added|заявил[аи]?|сказал[аи]?|отметил[аи]?|a déclaré|a dit|dijo)\b", re.IGNORECASE)
_PERSON = re.compile(r"[A-ZÄÖÜА-ЯЁ][\w'’-]+(?:\s+[A-ZÄÖÜА-ЯЁ][\w'’-]+){0,3}")
_NOT_SPEAKERS = frozenset(("der", "die", "das", "er", "sie", "es", "he", "she", "they", "it", "the", "this", "dies", "so", "und"))
_RELAY_START = re.compile(r"^(?:das|dies|so|this|that|это)\b", re.IGNORECASE)


@dataclass(frozen=True)
class QuoteSpan:
    """A quotation found in a body.

    Args:
        text: the words inside the quotation marks.
        start: offset of the first character inside the marks.
        end: offset just past the last character inside the marks.
        depth: 0 for a quotation, 1 for one nested inside another, and so on.
        speaker: who is quoted, where the text says so.
        source: the source the text attributes the quotation to.
    """

    text: str
    start: int
    end: int
    depth: int
    speaker: str | None = None
    source: str | None = None

    @property
    def normalized(self) -> str:
        """The quotation folded for search."""
        return normalize_quote(self.text)


def fold_hyphenation(text: str) -> str:
    """Join words broken at a line end ('Schützen- graben') and drop soft hyphens."""
    text = text.replace("\u00ad", "")
    return re.sub(r"(\w)-\s+(?=[a-zäöüßа-яё])", r"\1", text)


def normalize_quote(text: str) -> str:
    """Quote marks, case, whitespace, hyphenation and soft hyphens folded: the form quotes are stored and searched in."""
    text = unicodedata.normalize("NFKC", fold_hyphenation(text)).translate(_FOLD_MARKS)
    return " ".join(word.replace("-", "").replace("'", "").replace("’", "") for word in _WORD.findall(text.casefold()))


def _opens(text: str, index: int, mark: str) -> bool:
    """Whether a mark at index opens a quotation: an apostrophe-like mark only at a word start."""
    if mark in "‘‚‹›'":
        before = text[index - 1] if index > 0 else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        return not before.isalnum() and after.isalnum()
    return True


def _closes(text: str, index: int, mark: str, expected: str) -> bool:
    if mark != expected and _ALSO_CLOSES.get(expected) != mark and not (expected == "“" and mark == "”"):
        return False
    if mark in "’‘›‹":
        after = text[index + 1] if index + 1 < len(text) else " "
        return not after.isalnum()
    return True


def find_quote_spans(text: str, min_words: int = 2) -> list[QuoteSpan]:
    """Every quotation in the text, nested ones included, that holds at least min_words words."""
    found: list[QuoteSpan] = []
    stack: list[tuple[str, int]] = []
    for mark in _MARK_OR_NEWLINE.finditer(text):
        index, char = mark.start(), mark.group()
        if char == "\n":
            stack.clear()
            continue
        if stack and _closes(text, index, char, _CLOSERS[stack[-1][0]]):
            opener, start = stack.pop()
            inner = text[start:index]
            if len(_WORD.findall(inner)) >= min_words:
                found.append(QuoteSpan(inner.strip(), start, index, len(stack)))
            continue
        if char in _CLOSERS and _opens(text, index, char):
            stack.append((char, index + 1))
    return sorted(found, key=lambda span: (span.start, span.depth))


def _speaker(sentence: str, quote: str) -> str | None:
    outside = sentence.replace(quote, " ")
    if match := _SPEAKER_AFTER_SOURCE.search(outside):
        return match.group("speaker").strip()
    for verb in _SPEECH_VERB.finditer(outside):
        after = _PERSON.match(outside, verb.end() + 1)
        if after and after.group().casefold() not in _NOT_SPEAKERS:
            return after.group()
        before = list(_PERSON.finditer(outside[: verb.start()]))
        if before and before[-1].end() >= verb.start() - 2 and before[-1].group().casefold() not in _NOT_SPEAKERS:
            return before[-1].group()
    return None


def _media_between(attributions: Sequence[Found], lo: int, hi: int) -> list[Found]:
    return [a for a in attributions if a.start is not None and a.media and a.kind in ("quotes", "cites", "wire") and lo <= a.start < hi]


def _source(attributions: Sequence[Found], lo: int, hi: int, next_span: tuple[int, int] | None, paragraph_start: int) -> str | None:
    """The medium credited in the quote's sentence, else in a following 'Das schreibt X' sentence, else earlier in its paragraph."""
    media = _media_between(attributions, lo, hi)
    if not media and next_span is not None:
        media = _media_between(attributions, *next_span)
    if not media:
        earlier = _media_between(attributions, paragraph_start, lo)
        media = earlier[-1:]
    return media[0].source if media else None


def extract_quotes(body: str, attributions: Sequence[Found] = (), min_words: int = 2) -> list[QuoteSpan]:
    """Quotations of a body with the speaker and the source the text gives for each."""
    spans = sentences(body)
    result = []
    for quote in find_quote_spans(body, min_words):
        covering = [s for s in spans if s.start < quote.end and quote.start < s.end + 1]
        lo = covering[0].start if covering else quote.start
        hi = covering[-1].end if covering else quote.end
        context = body[lo:hi]
        following = next((s for s in spans if s.start >= hi), None)
        next_span = (following.start, following.end) if following and _RELAY_START.match(following.text.strip()) else None
        paragraph_start = body.rfind("\n", 0, quote.start) + 1
        source = _source(attributions, lo, hi, next_span, paragraph_start)
        result.append(QuoteSpan(quote.text, quote.start, quote.end, quote.depth, _speaker(context, quote.text), source))
    return result
