"""Quotations in an article: every quoting style, nested and multi-sentence, with speaker and
source.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

from provenance.knowledge.attribution import Found, Sentence, sentences

# Closing mark for each opening mark. "“" closes „ (German) and opens “ (English); "»" opens »…« and
# closes «…».
_CLOSERS = {
    "„": "“",
    "“": "”",
    "«": "»",
    "»": "«",
    "‚": "‘",
    "‘": "’",
    "「": "」",
    "『": "』",
    '"': '"',
    "‹": "›",
    "›": "‹",
}
_ALSO_CLOSES = {"„": "”", "“": '"'}
_MARKS = frozenset(_CLOSERS) | frozenset(_CLOSERS.values()) | {"”", "’"}
_MARK_OR_NEWLINE = re.compile("[" + re.escape("".join(sorted(_MARKS))) + "\n]")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)
_NEWLINE = re.compile("\n")
_FOLD_MARKS = str.maketrans({mark: '"' for mark in "„“”«»‚‘’「」『』‹›"})
_SPEAKER_AFTER_SOURCE = re.compile(
    r"\b(?:zitierte|zitierten|zitiert|quoted|quoting|цитирует|процитировал[аи]?)\s+(?:\S+\s+){0,4}?"
    r"(?P<speaker>(?:den|die|das|der|dem)\s+[\w-]+(?:\s+[\w-]+){0,2}?|[A-ZÄÖÜА-ЯЁ][\w-]+(?:\s+[A-ZÄÖÜА-ЯЁ][\w-]+){0,2})"
    r"(?=\s+(?:aus|mit|in|am|vom|von|as|als|saying|и)\b|\s*[,.;:]|$)",
)
_SPEECH_VERB = re.compile(
    r"\b(?:sagte|sagten|sagt|erklärte|erklärten|betonte|schrieb|said|says|told|wrote|added|заявил[аи]?|сказал[аи]?|отметил[аи]?|a déclaré|a dit|dijo)\b",
    re.IGNORECASE,
)
_TOLD = frozenset(("told",))
"""Speech verbs whose next name is the one spoken to, not the speaker."""
_PERSON = re.compile(r"[A-ZÄÖÜА-ЯЁ][\w'’-]+(?:\s+[A-ZÄÖÜА-ЯЁ][\w'’-]+){0,3}")
_NOT_SPEAKERS = frozenset(
    (
        "der",
        "die",
        "das",
        "er",
        "sie",
        "es",
        "he",
        "she",
        "they",
        "it",
        "the",
        "this",
        "dies",
        "so",
        "und",
    )
)
_RELAY_START = re.compile(r"^(?:das|dies|so|this|that|это)\b", re.IGNORECASE)
MAX_OPEN_QUOTES = 16
"""Opening marks of a line kept open at once, the innermost ones (real articles reach 7, stray marks
included): each closing mark makes a quotation of the text back to its opening mark, and a run of
thousands of opening marks would make the quotations of a line hold it thousands of times."""
SPEAKER_WINDOW = 2000
"""Characters of a quotation's sentences on each side of it where its speaker is looked for: a
"sentence" of a text without sentence ends can be the whole text, and each quotation in it would
search all of it."""


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
    """Quote marks, case, whitespace, hyphenation and soft hyphens folded: the form quotes are
    stored and searched in.
    """
    text = unicodedata.normalize("NFKC", fold_hyphenation(text)).translate(_FOLD_MARKS)
    return " ".join(
        word.replace("-", "").replace("'", "").replace("’", "")
        for word in _WORD.findall(text.casefold())
    )


def _opens(text: str, index: int, mark: str) -> bool:
    """Whether a mark at index opens a quotation: an apostrophe-like mark only at a word start."""
    if mark in "‘‚‹›'":
        before = text[index - 1] if index > 0 else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        return not before.isalnum() and after.isalnum()
    return True


def _closes(text: str, index: int, mark: str, expected: str) -> bool:
    if (
        mark != expected
        and _ALSO_CLOSES.get(expected) != mark
        and not (expected == "“" and mark == "”")
    ):
        return False
    if mark in "’‘›‹":
        after = text[index + 1] if index + 1 < len(text) else " "
        return not after.isalnum()
    return True


def find_quote_spans(text: str, min_words: int = 2) -> list[QuoteSpan]:
    """Every quotation in the text, nested ones included, that holds at least min_words words (of a
    line's open marks, the innermost MAX_OPEN_QUOTES count).
    """
    found: list[QuoteSpan] = []
    stack: deque[tuple[str, int]] = deque(maxlen=MAX_OPEN_QUOTES)
    for mark in _MARK_OR_NEWLINE.finditer(text):
        index, char = mark.start(), mark.group()
        if char == "\n":
            stack.clear()
            continue
        if stack and _closes(text, index, char, _CLOSERS[stack[-1][0]]):
            opener, start = stack.pop()
            if _holds_words(text, start, index, min_words):
                found.append(QuoteSpan(text[start:index].strip(), start, index, len(stack)))
            continue
        if char in _CLOSERS and _opens(text, index, char):
            stack.append((char, index + 1))
    return sorted(found, key=lambda span: (span.start, span.depth))


def _holds_words(text: str, start: int, end: int, count: int) -> bool:
    """Whether the text from start to end holds at least count words (read only as far as the
    count-th word).
    """
    return sum(1 for _ in islice(_WORD.finditer(text, start, end), count)) >= count


def _speaker(context: str, quote: str) -> str | None:
    """Who the context (the quote's sentences, up to SPEAKER_WINDOW characters each side) names as
    speaking, the quote left out: after 'zitierte', else next to a speech verb.
    """
    outside = context.replace(quote, " ")
    if match := _SPEAKER_AFTER_SOURCE.search(outside):
        return match.group("speaker").strip()
    names: _Names | None = None
    for verb in _SPEECH_VERB.finditer(outside):
        after = (
            _PERSON.match(outside, verb.end() + 1) if verb.group().casefold() not in _TOLD else None
        )  # "she told Harvey": Harvey listens
        if after and after.group().casefold() not in _NOT_SPEAKERS:
            return after.group()
        if names is None:
            names = _Names(outside)
        before = names.last_before(verb.start())
        if (
            before
            and before.end() >= verb.start() - 2
            and before.group().casefold() not in _NOT_SPEAKERS
        ):
            return before.group()
    return None


class _Names:
    """The capitalised names (``_PERSON`` matches) of a text, found once, and the last one before
    any offset.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.matches = list(_PERSON.finditer(text))
        self.ends = [match.end() for match in self.matches]

    def last_before(self, end: int) -> re.Match[str] | None:
        """The last name that ``_PERSON.finditer(text[:end])`` finds, without scanning the prefix again.

        The names of text[:end] are those of the text that end by `end`, then what the name
        across `end` (if any) gives when cut there: only that one is matched again.
        """
        whole = bisect_right(self.ends, end)
        if whole < len(self.matches) and self.matches[whole].start() < end:
            if cut := list(_PERSON.finditer(self.text, self.matches[whole].start(), end)):
                return cut[-1]
        return self.matches[whole - 1] if whole else None


def _is_media_credit(attribution: Found) -> bool:
    """Whether an attribution in the body credits a medium with what is said (a quote, a citation, a
    wire credit).
    """
    return (
        attribution.start is not None
        and attribution.media
        and attribution.kind in ("quotes", "cites", "wire")
    )


class _QuoteContext:
    """A body's sentences, line starts and media credits in text order, looked up by offset
    (bisection) for each quotation.
    """

    def __init__(self, body: str, attributions: Sequence[Found]) -> None:
        self.spans = sentences(body)
        self.span_starts = [span.start for span in self.spans]
        self.span_ends = [span.end for span in self.spans]
        self.line_starts = [0, *(newline.end() for newline in _NEWLINE.finditer(body))]
        self.media = sorted(
            (found for found in attributions if _is_media_credit(found)),
            key=lambda found: found.start or 0,
        )
        self.media_starts = [found.start or 0 for found in self.media]

    def covering(self, start: int, end: int) -> Sequence[Sentence]:
        """The sentences that overlap the span from start to end (or touch it at their end)."""
        return self.spans[bisect_left(self.span_ends, start) : bisect_left(self.span_starts, end)]

    def preceding(self, offset: int, paragraph_start: int) -> Sentence | None:
        """The last sentence of the paragraph that ends at or before an offset."""
        index = bisect_right(self.span_ends, offset) - 1
        return (
            self.spans[index] if index >= 0 and self.spans[index].start >= paragraph_start else None
        )

    def following(self, offset: int) -> Sentence | None:
        """The first sentence that starts at or after an offset."""
        index = bisect_left(self.span_starts, offset)
        return self.spans[index] if index < len(self.spans) else None

    def paragraph_start(self, offset: int) -> int:
        """The offset where the line that holds an offset starts."""
        return self.line_starts[bisect_right(self.line_starts, offset) - 1]

    def media_between(self, lo: int, hi: int) -> Sequence[Found]:
        """The media credits whose cue starts from lo up to (not including) hi, in text order."""
        return self.media[bisect_left(self.media_starts, lo) : bisect_left(self.media_starts, hi)]

    def source(
        self,
        lo: int,
        hi: int,
        next_span: tuple[int, int] | None,
        previous: Sentence | None,
        speaker: str | None,
    ) -> str | None:
        """The medium the quote's own attribution credits: in the quote's sentence, else in a following 'Das schreibt X'
        sentence, else in the sentence just before it when that one reports the quote's speaker (or no speaker is named).

        A medium credited for something else nearby is not the quote's source: in "Wie ČTK berichtete, fielen 180 Liter
        Regen. „Niemand … wird allein gelassen“, sagte Kretschmer.", Kretschmer said it and ČTK reported the rain.
        """
        media = self.media_between(lo, hi)
        if not media and next_span is not None:
            media = self.media_between(*next_span)
        if (
            not media
            and previous is not None
            and (speaker is None or _mentions(previous.text, speaker))
        ):
            media = self.media_between(previous.start, previous.end)[-1:]
        return media[0].source if media else None


def _mentions(text: str, speaker: str) -> bool:
    """Whether a text names the speaker by any capitalised word of the name ("Kretschmer" for
    "Michael Kretschmer", "Kims" for "Kim").
    """
    names = [word for word in speaker.split() if word[:1].isupper() and len(word) > 2]
    return any(re.search(rf"\b{re.escape(word)}(?:s|'s|’s)?\b", text) for word in names)


def extract_quotes(
    body: str, attributions: Sequence[Found] = (), min_words: int = 2
) -> list[QuoteSpan]:
    """Quotations of a body with the speaker and the source the text gives for each.

    `attributions` are those of the body in text order, as extract_attributions gives them.
    """
    context = _QuoteContext(body, attributions)
    result = []
    for quote in find_quote_spans(body, min_words):
        covering = context.covering(quote.start, quote.end)
        lo = covering[0].start if covering else quote.start
        hi = covering[-1].end if covering else quote.end
        following = context.following(hi)
        next_span = (
            (following.start, following.end)
            if following and _RELAY_START.match(following.text.strip())
            else None
        )
        around = body[max(lo, quote.start - SPEAKER_WINDOW) : min(hi, quote.end + SPEAKER_WINDOW)]
        speaker = _speaker(around, quote.text)
        source = context.source(
            lo, hi, next_span, context.preceding(lo, context.paragraph_start(quote.start)), speaker
        )
        result.append(QuoteSpan(quote.text, quote.start, quote.end, quote.depth, speaker, source))
    return result
