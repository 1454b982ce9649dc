"""Attributions: cited sources, wire credits, bylines and image credits, resolved against the
registry.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import Any

from provenance.errors import ConfigError
from provenance.knowledge.registry import Registry, SourceEntry, load_registry
from provenance.text.normalize import FurnitureLine, Marker
from provenance.text.scanning import (
    StartScanner,
    matches_at,
    nested_repeat,
    parsed_pattern,
    written_in_lower_case,
)

KINDS = ("cites", "quotes", "wire", "byline", "copied_from", "image_credit")
_SOURCE_MODES = ("after", "before", "either", "inside", "all_after", "list", "fixed")
# Third-person pronouns only: "I" and "we" before a speech verb are mostly a quoted speaker's
# own words ("I said, ...", "everything I say"), whose source is whoever is quoted.
_PRONOUNS = frozenset(
    ("he", "she", "they", "er", "sie", "он", "она", "они", "il", "elle", "ils", "él", "ella")
)
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:mr|mrs|ms|dr|prof|sen|rep|gov|gen|lt|col|sgt|st|jr|sr|rev|hon|vs|no|nr|ca|bzw|vgl|z\.b|u\.a|d\.h|u\.s|u\.k|e\.g|i\.e|inc|corp|co|ltd|jan|feb|mar|apr|aug|sept|sep|oct|nov|dec)|\b[A-Z])\.$",
    re.IGNORECASE,
)
_CONNECTORS = ("von", "van", "de", "der", "du", "al", "bin", "ibn")
# What makes a capitalised name near a cue its source: it is the subject (before the cue) or the
# inverted subject or cited party (after it), the head of its noun phrase, outside any quotation.
_QUOTE_MARKS = frozenset('"“”„«»')
_OPENING_QUOTES = '"“„«‘'
_CLOSING_QUOTES = '"”“»’'
# A preposition right before a name (an article between them allowed) makes it an object, not a
# subject: "in Charlotte", "from China", "im Einzugsgebiet". Agents ("by", "von") and "of"/"for"
# ("a spokesman for Google") are left out: a source may stand after them.
_PREPOSITIONS = {
    "en": frozenset(
        "in at on from to into onto with about against over under across near toward towards since during after before until throughout between among than like via inside outside around upon within".split()
    ),
    "de": frozenset(
        "in im ins am an auf aus bei beim mit zu zum zur über unter vor hinter neben zwischen nach gegen ohne um durch seit".split()
    ),
    "fr": frozenset("à au aux en dans sur sous avec chez vers contre entre pendant depuis".split()),
    "ru": frozenset("в во на из с со к ко о об от до за под над при через между".split()),
}
# A form of "to be" right before a speech verb makes it passive ("was asked", "has been told").
_PASSIVE = {
    "en": frozenset("is are was were be been being".split()),
    "de": frozenset("wurde wurden worden".split()),
}
_OF = {"en": frozenset(("of",)), "de": frozenset(("von",)), "fr": frozenset(("de",))}
_PARTY_TAG = re.compile(r"[RDI]-[A-Z]")
_TAG_END = re.compile(r"\.?[,)]")
_TITLES = frozenset("mr mrs ms dr prof sen rep gov gen lt col sgt rev hon adm capt maj".split())
_ARTICLES = frozenset(
    "the a an der die das den dem des ein eine einen einem einer eines le la les l un une".split()
)
# A single capitalised word right after an indefinite article, a quantifier or a demonstrative is
# a common noun, unless the registry knows it or the text calls it a medium: German capitalises
# every noun ("beide Regierungen", "eine Behörde"), English nouns of party or nationality ("a
# Republican", "many Americans"). After a definite article it may name an institution ("der
# Kreml", "the Pentagon").
_DETERMINERS = {
    "de": frozenset(
        "ein eine einen einem einer eines beide beiden alle allen viele vielen mehrere einige manche diese dieser dieses diesen jene jener kein keine".split()
    ),
    "en": frozenset("a an some many several both all few most these those".split()),
}
# English capitalises adjectives of nationality and party ("Russian officials", "Democratic
# nominee"): a capitalised word followed by a lower-case word of its noun phrase is a modifier,
# never the source by itself (`_Text._head`). These lower-case words may follow a name without
# making it one.
_AFTER_NAME = frozenset(
    "and or nor but of for at in on from with to by as than who whom whose which that this when where while after before "
    "is are was were be been being has have had having will would shall should can could may might must do does did "
    "also too then later again once still already just only even never always often first last now soon ever not "
    "himself herself themselves itself "
    "said says say told tells asked asks added adds wrote writes reported reports according".split()
)
_QUOTATION_MARK = re.compile(r"''|[\"“”„«»\n]")
_OPENING_MARK = re.compile(r"[„\"«“‘]\s?$")
_CLOSING_MARK = re.compile(r"\s?[“\"»”’]")
_QUOTED_SENTENCE = re.compile(r"[.!?…][\"”’»]?\s+[\"“„«‘]")
_NEXT_WORD = re.compile(r"[ \t]+(\w+)\b")
_CLAUSE_BREAK = re.compile(r"[,;:(]|\b(?:that|dass|что|que|qu['’])", re.IGNORECASE)
_POSSESSIVE_AFTER = re.compile(r"['’]s?(?=\s)")
_LOWER_WORD = re.compile(r"\s+([a-z][\w'’-]*)")
_NAME_GAP = re.compile(r",?\s+")
_PLURAL_NOUN = re.compile(r"[^s'’]s$")
_VERB_FORM = re.compile(r"(?:ed|ing|en|n['’]t|not)$")
_CONTRACTION = re.compile(r"(?:['’](?:re|m|ll|ve|d)|n['’]t)$", re.IGNORECASE)
_POSSESSIVE_END = re.compile(r"['’]s?$")
_WINDOW = 110
_MAX_WORDS_AFTER = 6
_MAX_WORDS_BEFORE = 2
_UPPER = "A-ZÄÖÜÀ-ÝА-ЯЁІЇЄҐ"
_NAME = re.compile(
    rf"[„\"«“]?[{_UPPER}][\w'’&.-]*(?:\s+(?:[{_UPPER}][\w'’&.-]*|(?:{'|'.join(_CONNECTORS)})\b))*[“\"»”]?"
)
# Written in lower case and searched in lower-cased text: with IGNORECASE, ``re`` tried every
# alternative at every offset (with the bisection below: 1.33 to 1.09 ms per bench article).
_MEDIA_NOUN = re.compile(
    r"nachrichtenagentur|agentur|zeitung|sender|staatsmedien|medien|magazin|fernsehen|rundfunk|news agency|agency|newspaper|broadcaster|"
    r"state media|media|radio|station|channel|television|website|агентств|газет|сми|телеканал|радио|агенці|змі|agence|journal|quotidien|chaîne|"
    r"agencia|diario|periódico"
)
# A break starts at the sentence's closing mark or at a line end (not after it, by a look-behind),
# with the one character class first: ``re`` then skips ahead to such a character instead of
# trying the pattern at every offset.
_SENTENCE_BREAK = re.compile(
    r"[.!?…\n](?:(?<=\n)\n*|(?<=[.!?…])[\"“”»’)]?\s+(?=[\"„«“‘‚(]?[\w\d]))"
)
_CREDIT_PREFIX = re.compile(
    r"(?:\b(?:bild|bilder|foto|fotos|photo|photos|image|picture|credit|фото)\s*:|©|\(c\)|\bcopyright\b|\(photo by)\s*",
    re.IGNORECASE,
)
_CAPTION_CREDIT = re.compile(
    rf"(?:^|\s)(?P<credit>[{_UPPER}][\w'’-]+\s[{_UPPER}][\w'’-]+\s?/\s?(?P<agency>[\w .&-]{{2,30}}))$"
)
_SHORTHAND = re.compile(r"^[a-zäöü]{2,5}(?:/[\w.\-]{2,30}){1,6}$", re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    """One attribution cue pattern of one language.

    ``lowered`` is the same pattern compiled without IGNORECASE, for patterns written in lower
    case only: run on the lower-cased text it finds the same matches three times faster.

    ``start`` says how the whole pattern is anchored: ``word`` after a leading ``\\b``, ``line``
    after a leading ``^``, else empty. Python's ``re`` tries such a pattern at every offset; the
    word scan (`_matches_at_word_starts`) searches for the rest (``rest``, ``rest_lowered``), which
    ``re`` can skip ahead to by its first letters, and keeps only the matches at a word boundary; the
    line scan tries the pattern at line starts only. ``scanner`` serves a lower-case pattern with
    neither, whose matches all begin with one of a set of strings (the speech verbs: ``said``,
    ``told``, ...): it tries the pattern only where one of them begins (scanning.StartScanner; 90 µs
    a bench article for the English speech verbs instead of 241 µs). All give exactly the matches
    of ``finditer``.

    ``inverted_only`` (English and French speech verbs): a name after the cue is its source only
    in an inverted attribution, right after a quotation ('"…," said Jones'); elsewhere a name after
    the verb is its object or the subject of what is reported ('told CNN', 'said Obama hopes').
    """

    lang: str
    kind: str
    regex: re.Pattern[str]
    source: str
    name: str | None = None
    lowered: re.Pattern[str] | None = None
    inverted_only: bool = False
    start: str = ""
    rest: re.Pattern[str] | None = None
    rest_lowered: re.Pattern[str] | None = None
    scanner: StartScanner | None = None

    def finditer(self, text: str, lowered: str | None) -> Iterator[re.Match[str]]:
        """The cue's matches in a text (using the lower-cased copy when the pattern allows)."""
        if self.scanner is not None and lowered is not None:
            return iter(self.scanner.finditer(lowered))
        if self.lowered is not None and lowered is not None:
            subject, pattern, rest = lowered, self.lowered, self.rest_lowered
        else:
            subject, pattern, rest = text, self.regex, self.rest
        if self.start == "word":
            assert rest is not None
            return _matches_at_word_starts(rest, subject)
        if self.start == "line":
            return _matches_at_line_starts(pattern, subject)
        return pattern.finditer(subject)


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"


def _matches_at_word_starts(rest: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of ``\\b`` + `rest`, as finditer would give them: matches of `rest` that start at a word boundary."""
    position = 0
    while (match := rest.search(text, position)) is not None:
        start = match.start()
        if (start > 0 and _is_word_character(text[start - 1])) != (
            start < len(text) and _is_word_character(text[start])
        ):
            yield match
            position = match.end()
        else:
            position = start + 1


def _matches_at_line_starts(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of a pattern that begins with a multiline ``^``, as finditer would give them,
    tried at line starts only.
    """
    return iter(matches_at(pattern, text, _line_starts(text)))


def _line_starts(text: str) -> Iterator[int]:
    """The offsets where the text's lines start: 0, and after each newline (the text's end too,
    after a final one).
    """
    start = 0
    while True:
        yield start
        newline = text.find("\n", start)
        if newline < 0:
            return
        start = newline + 1


def _leading_anchor(pattern: str, flags: int) -> str:
    """``word`` or ``line`` when the whole pattern starts with ``\\b`` or ``^`` and cannot match an empty string, else empty."""
    found = parsed_pattern(pattern, flags)
    if found is None:  # a cue re's private parser cannot read is scanned plainly
        return ""
    parsed, constants = found
    try:
        if len(parsed) < 2 or parsed.getwidth()[0] == 0:  # one item may be a top-level alternation
            return ""
        if parsed[0] == (constants.AT, constants.AT_BEGINNING) and flags & re.MULTILINE:
            return "line"
        if (
            parsed[0] == (constants.AT, constants.AT_BOUNDARY)
            and len(_first_letters(parsed[1], constants)) <= _MAX_FIRST_LETTERS
        ):
            return "word"
    except (AttributeError, IndexError, TypeError, ValueError):
        pass
    return ""


_MAX_FIRST_LETTERS = 3
"""A ``\\b`` cue whose rest may begin with more letters than this is scanned by finditer: ``re`` would try
the rest at every such letter (the speech verbs, ``said|says|told|...``, begin with half the
alphabet), where the leading ``\\b`` fails at once inside a word."""


def _first_letters(item: tuple[Any, Any], constants: Any) -> set[int]:
    """The characters a parsed pattern item can begin with; ValueError when it may begin with
    anything but a literal.
    """
    op, value = item
    if op == constants.LITERAL:
        return {value}
    if op == constants.SUBPATTERN:
        return _first_letters(value[-1][0], constants)
    if op == constants.BRANCH:
        return {
            letter
            for alternative in value[1]
            for letter in _first_letters(alternative[0], constants)
        }
    raise ValueError("no literal start")


@dataclass(frozen=True)
class CueSet:
    """Compiled cues and the words that are never sources."""

    cues: tuple[Cue, ...]
    not_sources: frozenset[str]

    def for_language(self, language: str | None) -> list[Cue]:
        """The cues of a language and of every language; all of them when the language is unknown."""
        if language is None:
            return list(self.cues)
        return [cue for cue in self.cues if cue.lang in (language, "any")]


@dataclass(frozen=True)
class Found:
    """One attribution found in an article.

    Args:
        source: the registry name when resolved, else the name as written.
        entry: the registry source, if resolved.
        kind: cites, quotes, wire, byline, copied_from or image_credit.
        cue: the cue phrase as written.
        sentence: the sentence (or furniture line) that holds it.
        start: offset of the cue in the body (None outside the body).
        end: end offset of the cue in the body.
        location: ``body``, ``furniture`` or ``marker``.
        media: the source is a registry source or is named as a medium ("die Nachrichtenagentur X").
        url: the URL a copied_from attribution names.
        source_start: offset in the body of the source's name as written, when the body names it.
        source_end: end offset of the source's name in the body.
    """

    source: str
    entry: SourceEntry | None
    kind: str
    cue: str
    sentence: str
    start: int | None
    end: int | None
    location: str
    media: bool
    url: str | None = None
    source_start: int | None = None
    source_end: int | None = None


_Candidate = tuple[int, int, str, SourceEntry | None, bool]
"""A possible source in a text: start, end, name, registry entry, and whether it is a medium."""


@dataclass(frozen=True)
class Sentence:
    """A sentence of a text: its offsets (end just past its closing mark) and its text."""

    start: int
    end: int
    text: str


@lru_cache(maxsize=16)
def sentences(text: str) -> tuple[Sentence, ...]:
    """The sentences of a text with their offsets (a light splitter: lines, then sentence ends, not
    after abbreviations).
    """
    spans = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        end = (
            match.start() if text[match.start()] == "\n" else match.start() + 1
        )  # a sentence keeps its closing mark
        if "\n" not in match.group() and _ABBREVIATIONS.search(text[max(start, end - 8) : end]):
            continue
        spans.append(Sentence(start, end, text[start:end]))
        start = match.end()
    spans.append(Sentence(start, len(text), text[start:]))
    return tuple(span for span in spans if span.text.strip())


def _sentence_at(spans: Sequence[Sentence], starts: Sequence[int], offset: int) -> Sentence:
    """The sentence that holds an offset (the last one for an offset between sentences); `starts`
    are the spans' starts.
    """
    index = bisect_right(starts, offset) - 1
    if index >= 0 and offset < spans[index].end:
        return spans[index]
    return spans[-1] if spans else Sentence(0, 0, "")


def _words_between(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())


def _clean_name(name: str) -> str:
    words = name.strip(" \t,;:.\"'„“”«»").split()
    while words and words[-1] in _CONNECTORS:
        words.pop()
    return " ".join(words).strip(" \t,;:.\"'„“”«»")


class _Text:
    """A body with its sentences, its registry mentions and its capitalised names, for cue matching."""

    def __init__(self, body: str, registry: Registry, not_sources: frozenset[str]) -> None:
        self.body = body
        lowered = body.lower()
        self.lowered = lowered if len(lowered) == len(body) else None
        self.sentences = sentences(body)
        self.sentence_starts = [span.start for span in self.sentences]
        self.registry = registry
        self.not_sources = not_sources
        self.candidates = self._candidates()
        self.starts = [candidate[0] for candidate in self.candidates]
        self._complete: dict[int, _Candidate | None] = {}
        self._quotations: dict[int, list[tuple[int, int]]] = {}

    def in_quotation(self, offset: int) -> bool:
        """Whether an offset stands inside a quotation opened earlier on its line and not closed
        before it (each line read once).
        """
        line_start = self.body.rfind("\n", 0, offset) + 1
        if (spans := self._quotations.get(line_start)) is None:
            line_end = self.body.find("\n", offset)
            spans = self._quotations[line_start] = _quotations(
                self.body, line_start, len(self.body) if line_end < 0 else line_end
            )
        index = bisect_right(spans, (offset, len(self.body))) - 1
        return index >= 0 and offset < spans[index][1]

    def sentence_at(self, offset: int) -> Sentence:
        """The sentence that holds an offset."""
        return _sentence_at(self.sentences, self.sentence_starts, offset)

    def _candidates(self) -> list[_Candidate]:
        """Registry mentions, and capitalised names that overlap none or the part of one after its last mention (as written: `_completed` cleans them), in text order.

        "NBC's Lester Holt" gives the mention NBC and the name "Lester Holt"; "Nachrichtenagentur Interfax" the mention alone.
        """
        mentions = self.registry.mentions(self.body, self.lowered)
        found: list[_Candidate] = [(m.start, m.end, m.entry.name, m.entry, True) for m in mentions]
        mention_starts, mention_ends = [m.start for m in mentions], [m.end for m in mentions]
        for match in _NAME.finditer(self.body):
            start, end = match.span()
            # Mentions do not overlap and are in order: those starting before this name's end and
            # ending after its start overlap it.
            last = bisect_left(mention_starts, end)
            first = last
            while first and mention_ends[first - 1] > start:
                first -= 1
            if first == last:
                found.append((start, end, match.group(), None, False))
            elif mention_ends[last - 1] < end:
                found += self._name_part(mention_ends[last - 1], end)
        found.sort(key=itemgetter(0))  # no two candidates start at one offset
        return found

    def _name_part(self, start: int, end: int) -> list[_Candidate]:
        """The part of a capitalised name between two offsets as a candidate, from its first capital
        (none if it has none).
        """
        part = self.body[start:end]
        lead = re.match(rf"(?:['’]s?)?[^{_UPPER}„\"«“]*", part)
        offset = lead.end() if lead else 0
        if start + offset >= end or not part[offset:].strip(" \t,;:.\"'„“”«»"):
            return []
        return [(start + offset, end, part[offset:], None, False)]

    def _completed(self, candidate: _Candidate) -> _Candidate | None:
        """A capitalised name cleaned, with its registry entry and whether the text calls it a medium; None for a word that is never a source.

        Done only for the names near a cue, once per name: 23 of the 84 capitalised names of a bench article.
        """
        start, end, written, entry, media = candidate
        if entry is not None or media:
            return candidate
        words = _clean_name(written).split()
        while len(words) > 1 and self._never_a_source(
            words[0]
        ):  # "And Mrs. Clinton", "In April", "Angaben von Westnetz"
            words.pop(0)
            while len(words) > 1 and words[0] in _CONNECTORS:
                words.pop(0)
        name = " ".join(words)
        if (
            not name
            or self._never_a_source(name)
            or self._never_a_source(words[-1])
            or _CONTRACTION.search(name)
            or self._compound_of_a_not_source(name)
        ):
            return None
        if (
            inside := written.find(name)
        ) >= 0:  # the name without the quotation marks or words around it
            start, end = start + inside, start + inside + len(name)
        else:
            start += max(0, written.find(words[0]))
        lead = " ".join(
            re.split(r"[.,;:!?()]", self.body[max(0, start - 40) : start])[-1].split()[-4:]
        )  # "die staatliche Nachrichtenagentur", "the state news agency"
        return (
            start,
            end,
            name,
            self.registry.resolve(name),
            bool(_MEDIA_NOUN.search(f"{lead} {name}".lower())),
        )

    def _names_after(self, cue_end: int, hi: int) -> list[_Candidate]:
        """The candidate sources after a cue: a capitalised name that the cue's last word begins
        ("Selon Mercedes", "Laut Müller") cut after the cue, then those wholly after it.
        """
        index = bisect_left(self.starts, cue_end) - 1
        names = self._names(cue_end, hi)
        if (
            index >= 0
            and self.candidates[index][0] < cue_end < self.candidates[index][1] <= hi
            and self.candidates[index][3] is None
        ):
            parts = self._name_part(cue_end, self.candidates[index][1])
            if parts and (completed := self._completed(parts[0])) is not None:
                names.insert(0, completed)
        return names

    def _never_a_source(self, name: str) -> bool:
        """A word or phrase of the not_sources list, case-folded; an acronym in capitals ("WHO",
        "US") is not the word it spells.
        """
        return name.casefold() in self.not_sources and not (len(name) > 1 and name.isupper())

    def _compound_of_a_not_source(self, name: str) -> bool:
        """One word ending in a word of six letters or more that is never a source: a German
        compound of it ("Presseberichten", "Polizeiangaben").
        """
        folded = name.casefold()
        suffixes = _long_words(self.not_sources)
        return " " not in folded and any(
            folded[start:] in suffixes for start in range(1, len(folded) - 5)
        )

    def _names(self, start: int, end: int, rejected: bool = False) -> list[_Candidate]:
        """Candidate sources wholly between two offsets (each completed once per text); with
        `rejected`, the capitalised words that are never one instead.
        """
        names = []
        for index in range(bisect_left(self.starts, start), bisect_left(self.starts, end)):
            if self.candidates[index][1] <= end:
                if index not in self._complete:
                    self._complete[index] = self._completed(self.candidates[index])
                if (completed := self._complete[index]) is not None and not rejected:
                    names.append(completed)
                elif completed is None and rejected:
                    names.append(self.candidates[index])
        return names

    def source_for(self, cue: Cue, cue_start: int, cue_end: int) -> _Candidate | None:
        """The source of a cue: a pronoun right before it ('he said'), else the nearer of the names
        before and after it that can be its source.
        """
        if (
            cue.source in ("before", "either")
            and (pronoun := _pronoun_before(self, cue_start)) is not None
        ):
            return pronoun
        lo, hi = self._clause(cue_start, cue_end)
        if (
            cue.source in ("after", "either")
            and (pronoun := _pronoun_after(self, cue_end)) is not None
        ):
            if not cue.inverted_only or _ends_a_quotation(self.body[lo:cue_start]):
                return pronoun  # the inverted subject: "sagte er", "сказала она", "'...,' said he"
        found = []
        if (
            cue.source in ("after", "either")
            and (after := self._source_after(cue, lo, cue_start, cue_end, hi)) is not None
        ):
            found.append((after[0] - cue_end, after))
        if (
            cue.source in ("before", "either")
            and (before := self._source_before(cue, lo, cue_start)) is not None
        ):
            found.append((cue_start - before[1], before))
        return min(found, key=itemgetter(0))[1] if found else None

    def _clause(self, cue_start: int, cue_end: int) -> tuple[int, int]:
        """The stretch around a cue where its source may stand: its sentence within the window, cut
        where a sentence ends and a quotation opens.
        """
        sentence = self.sentence_at(cue_start)
        lo, hi = max(sentence.start, cue_start - _WINDOW), min(sentence.end, cue_end + _WINDOW)
        for opened in _QUOTED_SENTENCE.finditer(self.body, lo, cue_start):
            lo = opened.end() - 1
        if (opens := _QUOTED_SENTENCE.search(self.body, cue_end, hi)) is not None:
            hi = opens.start() + 1
        return lo, hi

    def _source_before(self, cue: Cue, lo: int, cue_start: int) -> _Candidate | None:
        """The name right before a cue, if it is the cue's subject: not inside the quotation the cue
        follows, not the object of a preposition, not an appositive's tail, the head of its noun
        phrase.
        """
        names = self._names(lo, cue_start)
        if not names:
            return None
        name = names[-1]
        start, end = self._quoted_span(name)
        if len(names) > 1 and self._is_tag(names[-2], start, end, lo, cue.lang):
            name, start = names[-2], names[-2][0]  # the name the tag belongs to
            if (closing := _TAG_END.match(self.body, end)) is not None and closing.group().endswith(
                ")"
            ):
                end = closing.end()  # past the bracket; after a comma tag the comma stays between
        between = self.body[end:cue_start]
        if (
            len(between.split()) > _MAX_WORDS_BEFORE
            or _QUOTE_MARKS & set(between)
            or self._names(end, cue_start, rejected=True)
        ):
            return None  # too far, inside the quotation the cue follows, or behind a word that is never a source ("Polen und Litauen riegelten Presseberichten zufolge")
        if any(word.casefold() in _PASSIVE.get(cue.lang, frozenset()) for word in between.split()):
            return None  # "Trump was asked", "were officially announced": the name is what is spoken of, not the speaker
        if "," in between and not self._starts_clause(start, lo):
            return None
        if self._object_of_preposition(name, lo, cue.lang, media_too=True) or self._common_noun(
            name, lo, cue.lang
        ):
            return None
        return self._head(name, cue_start, group=True) if cue.lang == "en" else name

    def _source_after(
        self, cue: Cue, lo: int, cue_start: int, cue_end: int, hi: int
    ) -> _Candidate | None:
        """The name right after a cue, if it is the cue's inverted subject or its cited party: in
        the same clause, outside any quotation, the head of its noun phrase.
        """
        if cue.inverted_only and not _ends_a_quotation(self.body[lo:cue_start]):
            return None
        names = self._names_after(cue_end, hi)
        if not names:
            return None
        name = names[0]
        start, end = self._quoted_span(name)
        between = self.body[cue_end:start]
        if (
            len(between.split()) > _MAX_WORDS_AFTER
            or _QUOTE_MARKS & set(between)
            or _CLAUSE_BREAK.search(between)
        ):
            return None  # too far, across a clause, or inside a quotation that opens after the cue
        if self._object_of_preposition(name, cue_end, cue.lang) or self._common_noun(
            name, cue_end, cue.lang
        ):
            return None
        return self._head(name, hi) if cue.lang == "en" else name

    def _is_tag(self, previous: _Candidate, start: int, end: int, lo: int, language: str) -> bool:
        """Whether the name at start..end only tags the name before it with a party or a place: "Sen. Ted Cruz (R-Texas)", "Mitch McConnell, R-Ky.,", "of Flint, Mich.,".

        A place tag follows a one-word place right after a preposition (not inside a name: "Bureau of Investigation, James B. Comey,"),
        and starts with no title ("of Staff, Gen. Joseph Dunford," is a person).
        """
        closing = _TAG_END.match(self.body, end)
        closed_by = closing.group()[-1] if closing else ""
        if self.body[start - 1 : start] == "(" and closed_by == ")":
            return not self.body[previous[1] : start - 1].strip()
        if self.body[previous[1] : start] != ", " or closed_by != ",":
            return False
        tag = self.body[start:end]
        if _PARTY_TAG.match(tag):
            return True
        words = self.body[lo : previous[0]].split()
        place_before = bool(words) and words[-1].casefold() in _PREPOSITIONS.get(
            language, frozenset()
        ) | _OF.get(language, frozenset())
        in_a_name = (
            len(words) > 1
            and words[-1].casefold() in _OF.get(language, frozenset())
            and words[-2][:1].isupper()
        )  # "Bureau of Investigation, James B. Comey,"
        return (
            place_before
            and not in_a_name
            and " " not in self.body[previous[0] : previous[1]]
            and tag.split()[0].rstrip(".").casefold() not in _TITLES
        )

    def _quoted_span(self, name: _Candidate) -> tuple[int, int]:
        """A name's span with the quotation marks around it when it is quoted as a title
        ('„Spiegel“', '“The Wall Street Journal”', '« El País »').
        """
        start, end = name[0], name[1]
        opening = _OPENING_MARK.search(self.body, max(0, start - 2), start)
        closing = _CLOSING_MARK.match(self.body, end, end + 2)
        if opening is not None and closing is not None:
            return opening.start(), closing.end()
        return start, end

    def _starts_clause(self, start: int, lo: int) -> bool:
        """Whether a name opens its clause or an apposition (an article before it allowed): after
        nothing, a comma, a quotation, a bracket, a dash, a colon or a semicolon.
        """
        before = self.body[lo:start].rstrip()
        words = before.split()
        if words and words[-1].casefold() in _ARTICLES:
            before = before[: len(before) - len(words[-1])].rstrip()
        return (
            not before
            or before[-1] in ",;:(—–"
            or before[-1] in _OPENING_QUOTES
            or before[-1] in _CLOSING_QUOTES
        )

    def _word_before(self, start: int, lo: int) -> str:
        """The word before an offset (an article skipped), lower-cased; empty at the clause start."""
        words = self.body[lo:start].split()
        if words and words[-1].casefold() in _ARTICLES:
            words.pop()
        return words[-1].casefold().strip(",;:") if words else ""

    def _object_of_preposition(
        self, name: _Candidate, lo: int, language: str, media_too: bool = False
    ) -> bool:
        """A name after a preposition ('in Charlotte', 'from China', 'im Einzugsgebiet'): a place or an object, not a source.

        After a cue a medium may be one ('according to a report in The New York Times'): `media_too` says whether media count.
        """
        if not media_too and (name[3] is not None or name[4]):
            return False
        return self._word_before(name[0], lo) in _PREPOSITIONS.get(language, frozenset())

    def _common_noun(self, name: _Candidate, lo: int, language: str) -> bool:
        """One capitalised word, neither a registry source nor called a medium, right after an
        indefinite article, a quantifier or a demonstrative: a common noun ("beide Regierungen", "a
        Republican").
        """
        if name[3] is not None or name[4] or " " in name[2]:
            return False
        words = self.body[lo : name[0]].split()
        return bool(words) and words[-1].casefold() in _DETERMINERS.get(language, frozenset())

    def _head(
        self, name: _Candidate, limit: int, group: bool = False, depth: int = 0
    ) -> _Candidate | None:
        """The source a capitalised name stands for in its noun phrase (English).

        The name itself when it heads the phrase; the person it describes when a role and a name
        follow ('MSNBC host Chris Matthews', "NBC's Lester Holt"); a medium it describes, if an
        acronym or several words ('the RTHK radio station', 'The Guardian newspaper'); with
        `group`, the named group a plural noun makes of it right before the cue ('Russian
        officials said', 'GOP leaders say'); else None: an adjective or a noun that only modifies
        another ('Russian', 'The Republican nominee', "Clinton's campaign manager", 'the British
        medical journal') is never a source, a medium excepted ('a Reuters analysis').
        """
        position = name[1]
        possessive = bool(_POSSESSIVE_END.search(self.body[name[0] : name[1]]))
        if (
            not possessive
            and (mark := _POSSESSIVE_AFTER.match(self.body, position, limit)) is not None
        ):
            possessive, position = True, mark.end()
        described: list[str] = []
        while (
            len(described) < 3
            and (word := _LOWER_WORD.match(self.body, position, limit)) is not None
            and not _may_follow_a_name(word.group(1))
        ):
            position = word.end()
            described.append(word.group(1))
        if not possessive and not described:
            return name
        if (
            described
            and _MEDIA_NOUN.search(" ".join(described).lower())
            and (" " in name[2] or name[2].isupper())
        ):
            return (
                *name[:4],
                True,
            )  # "the RTHK radio station", but not "the British medical journal"
        if depth < 2 and (gap := _NAME_GAP.match(self.body, position, limit)) is not None:
            following = self._names(gap.end(), limit)
            if following and following[0][0] == gap.end():
                return self._head(following[0], limit, group, depth + 1)
        if name[3] is not None or name[4]:
            return name
        if (
            group
            and described
            and not possessive
            and _PLURAL_NOUN.search(described[-1])
            and not any(_VERB_FORM.search(word) for word in described)
        ):
            return name[0], position, self.body[name[0] : position], None, False
        return None


def _ends_a_quotation(text: str) -> bool:
    """Whether a text ends with a closing quotation mark, a comma or a full stop before or after it
    allowed ('…,”', '…”,', "…,''").
    """
    tail = text.rstrip()[-2:]
    return bool(tail) and (
        tail[-1] in _CLOSING_QUOTES
        or tail[-1] == "'"
        or (
            tail[-1] in ",.!?" and len(tail) == 2 and (tail[0] in _CLOSING_QUOTES or tail[0] == "'")
        )
    )


def _may_follow_a_name(word: str) -> bool:
    """Whether a lower-case word after a name leaves it the head of its noun phrase: a function
    word, an auxiliary, an adverb, a speech verb.
    """
    return word.casefold() in _AFTER_NAME or word.endswith("ly")


def _found(text: _Text, candidate: _Candidate, kind: str, cue_start: int, cue_end: int) -> Found:
    """An attribution in the body: its source (a candidate, with its offsets) and its cue."""
    start, end, name, entry, media = candidate
    sentence = text.sentence_at(cue_start)
    if (
        start >= 0 and (inside := text.body.find(name, start, end)) >= 0
    ):  # the cleaned name inside the name as written
        start, end = inside, inside + len(name)
    return Found(
        entry.name if entry else name,
        entry,
        kind,
        text.body[cue_start:cue_end],
        sentence.text.strip(),
        cue_start,
        cue_end,
        "body",
        media or entry is not None,
        None,
        None if start < 0 else start,
        None if start < 0 else end,
    )


def _list_sources(text: str, offset: int, registry: Registry) -> list[_Candidate]:
    """Sources listed after a cue such as 'Quellen:' or 'Mit Material von', up to the closing
    bracket or line end; `offset` is the text's in the body.
    """
    listed = re.split(r"\)|\n", text, maxsplit=1)[0]
    found: list[_Candidate] = []
    position = 0
    for part in re.split(r",|;|•|·|\||/|\bund\b|\band\b|\bи\b|\bet\b|\by\b", listed):
        name = _clean_name(part)
        start = listed.find(name, position) if name else -1
        position += len(part) + 1
        if name and len(name) <= 60:
            entry = registry.resolve(name)
            found.append(
                (
                    offset + start if start >= 0 else -1,
                    offset + start + len(name),
                    entry.name if entry else name,
                    entry,
                    entry is not None,
                )
            )
    return found


def _pronoun_after(text: _Text, cue_end: int) -> _Candidate | None:
    """A pronoun right after a speech cue ('sagte er', 'сказала она'): the inverted subject."""
    match = _NEXT_WORD.match(text.body, cue_end)
    if match is None or match.group(1).casefold() not in _PRONOUNS:
        return None
    return match.start(1), match.end(1), match.group(1), None, False


def _pronoun_before(text: _Text, cue_start: int) -> _Candidate | None:
    """A pronoun right before a speech cue ('he said'), the source of a quote when no name is given."""
    lead = text.body[max(0, cue_start - 12) : cue_start]
    words = lead.split()
    if not words or words[-1].casefold() not in _PRONOUNS:
        return None
    start = cue_start - len(lead) + lead.rfind(words[-1])
    return start, start + len(words[-1]), words[-1], None, False


@lru_cache(maxsize=8)
def _long_words(words: frozenset[str]) -> frozenset[str]:
    """The single words of six letters or more of a word list."""
    return frozenset(word for word in words if len(word) >= 6 and " " not in word)


def _quotations(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The spans of the quotations of a text (or of its part from start to end), each within its line: „…“, «…», “…”, "…", ''…''.

    A mark that can open and close (", “, ”, '') opens after a space or a line start and before a
    non-space, closes after a non-space and before a space, a punctuation mark or the line end,
    and is ignored elsewhere: a stray or doubled mark ('""Московский комсомолец"') does not turn
    the rest of the line inside out.
    """
    end = len(text) if end is None else end
    spans = []
    opened = -1
    for mark in _QUOTATION_MARK.finditer(text, start, end):
        char, at, past = mark.group(), mark.start(), mark.end()
        if char == "\n":
            if opened >= 0:
                spans.append((opened, at))
            opened = -1
            continue
        before = text[at - 1] if at > start else " "
        after = text[past] if past < end else " "
        opens = char in "„«" or (
            char not in "»" and (before.isspace() or before in "([{—–-/") and not after.isspace()
        )
        closes = char in "»" or (
            char not in "„«" and not before.isspace() and (after.isspace() or not after.isalnum())
        )
        if opened < 0 and opens and not closes:
            opened = past
        elif opened >= 0 and closes:
            spans.append((opened, at))
            opened = -1
    if opened >= 0:
        spans.append((opened, end))
    return spans


def _cue_matches(text: _Text, cues: list[Cue]) -> Iterator[Found]:
    for cue in cues:
        for match in cue.finditer(text.body, text.lowered):
            if cue.kind in ("cites", "quotes") and text.in_quotation(match.start()):
                continue  # a quoted speaker's own reporting ("“As the Times reported, ...”"), not the article's source
            if cue.source == "fixed" and cue.name:
                entry = text.registry.by_name(cue.name)
                yield _found(
                    text,
                    (-1, -1, cue.name, entry, entry is not None),
                    cue.kind,
                    match.start(),
                    match.end(),
                )
                continue
            if cue.source == "list":
                tail = text.body[match.end() : match.end() + 200]
                for listed in _list_sources(tail, match.end(), text.registry):
                    yield _found(text, listed, cue.kind, match.start(), match.end())
                continue
            if cue.source == "all_after":
                sentence = text.sentence_at(match.start())
                for mention in text._names(match.end(), min(sentence.end, match.end() + _WINDOW)):
                    if mention[3] is not None:
                        yield _found(
                            text, (*mention[:4], True), cue.kind, match.start(), match.end()
                        )
                continue
            if cue.source == "inside":
                span_start, span_end = match.span("span")
                inside = text._names(span_start, span_end)
                if inside:
                    mention = next((item for item in inside if item[3] is not None), inside[-1])
                    yield _found(text, mention, cue.kind, match.start(), match.end())
                continue
            source = text.source_for(cue, match.start(), match.end())
            if source is not None:
                yield _found(text, source, cue.kind, match.start(), match.end())
            if cue.inverted_only:
                yield from _medium_spoken_to(text, match.start(), match.end())


def _medium_spoken_to(text: _Text, cue_start: int, cue_end: int) -> Iterator[Found]:
    """A medium named right after a speech verb ("told CNN's Jake Tapper", "told POLITICO", "tells Fox News anchor Megyn
    Kelly"): the words were said to it, so it is credited (``cites``) beside the speaker, who stays the quote's source."""
    names = text._names(cue_end, min(text.sentence_at(cue_start).end, cue_end + _WINDOW))
    if (
        names
        and (first := names[0])[3] is not None
        and len(text.body[cue_end : first[0]].split()) <= 1
        and not _CLAUSE_BREAK.search(text.body[cue_end : first[0]])
    ):
        yield _found(text, (*first[:4], True), "cites", cue_start, cue_end)


def _credit_sources(credit: str, registry: Registry) -> list[tuple[str, SourceEntry | None]]:
    """The agencies and photographers named in an image credit."""
    parts = [_clean_name(part) for part in re.split(r"/|\||,|;", credit)]
    return [
        (entry.name if (entry := registry.resolve(part)) else part, entry)
        for part in parts
        if part and part.lower() not in ("uncredited", "handout")
    ]


def image_credits(
    line: str, registry: Registry, location: str, offset: int | None = None
) -> list[Found]:
    """Image credits of a caption or credit line: 'Bild: picture alliance/dpa', '© IMAGO / ZUMA
    Press', 'Name Name/Sputnik'.
    """
    prefix = _CREDIT_PREFIX.search(line)
    if prefix is not None:
        credit = line[prefix.end() :]
        cue = prefix.group().strip()
    elif (caption := _CAPTION_CREDIT.search(line)) is not None and registry.resolve(
        caption.group("agency")
    ) is not None:
        credit = caption.group("credit")
        cue = credit
    else:
        return []
    start = None if offset is None else offset + line.find(cue)
    return [
        Found(
            name,
            entry,
            "image_credit",
            cue,
            line,
            start,
            None if start is None else start + len(cue),
            location,
            entry is not None,
        )
        for name, entry in _credit_sources(credit, registry)
    ]


def _furniture_attributions(
    lines: Iterable[FurnitureLine], cue_set: CueSet, language: str | None, registry: Registry
) -> Iterator[Found]:
    for item in lines:
        if item.kind == "image_credit":
            yield from image_credits(item.line, registry, "furniture")
        elif item.kind == "byline" and _SHORTHAND.match(item.line):
            for part in item.line.split("/"):
                entry = registry.resolve(part)
                if entry is not None:
                    kind = "wire" if entry.is_primary else "byline"
                    yield Found(
                        entry.name, entry, kind, item.line, item.line, None, None, "furniture", True
                    )
        elif item.kind in ("source_credit", "byline", "copyright"):
            text = _Text(item.line, registry, cue_set.not_sources)
            for found in _cue_matches(text, cue_set.for_language(language)):
                yield Found(
                    found.source,
                    found.entry,
                    found.kind,
                    found.cue,
                    item.line,
                    None,
                    None,
                    "furniture",
                    found.media,
                )


def _marker_attributions(markers: Iterable[Marker], registry: Registry) -> Iterator[Found]:
    for marker in markers:
        entry = (
            registry.by_domain(marker.url) if marker.url else registry.resolve(marker.outlet or "")
        )
        name = (
            entry.name
            if entry
            else (marker.url and _host(marker.url)) or marker.outlet or marker.line
        )
        yield Found(
            name,
            entry,
            "copied_from",
            marker.kind,
            marker.line,
            None,
            None,
            "marker",
            True,
            marker.url,
        )


def _host(url: str) -> str:
    from provenance.read.document import domain_of

    return domain_of(url) or url


def _dedupe(found: Iterable[Found]) -> list[Found]:
    seen: set[tuple[str, str, str, int | None]] = set()
    kept = []
    for item in found:
        key = (item.source.casefold(), item.kind, item.sentence, item.start)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _outside_nested_cues(found: list[Found]) -> list[Found]:
    """The attributions, less those whose cue lies inside a longer cue and whose source lies outside it.

    In "Wie die Agentur KCNA berichtete, wollen beide Regierungen ...", the verb "berichtete" belongs to
    the "wie ... berichtete" clause: a name after it is not its subject. "wie TASS unter Berufung auf
    den Kreml berichtet" keeps the Kremlin, named inside the clause.
    """
    cues = sorted(
        {
            (item.start, item.end)
            for item in found
            if item.start is not None and item.end is not None
        },
        key=lambda span: (span[0], -span[1]),
    )
    outer: dict[tuple[int, int], tuple[int, int]] = {}
    widest = (-1, -1)
    for start, end in cues:
        if end <= widest[1]:
            outer[(start, end)] = widest
        else:
            widest = (start, end)
    return [
        item
        for item in found
        if (span := outer.get((item.start or 0, item.end or 0))) is None
        or _source_inside(item, span)
    ]


def _source_inside(item: Found, span: tuple[int, int]) -> bool:
    return (
        item.source_start is not None
        and item.source_end is not None
        and span[0] <= item.source_start
        and item.source_end <= span[1]
    )


def extract_attributions(
    body: str,
    furniture: Iterable[FurnitureLine] = (),
    markers: Iterable[Marker] = (),
    language: str | None = None,
    registry: Registry | None = None,
    cue_set: CueSet | None = None,
) -> list[Found]:
    """Every attribution of an article: cues in the body, credits and bylines in its furniture,
    repost markers.
    """
    registry = registry or load_registry()
    cue_set = cue_set or load_cues()
    text = _Text(body, registry, cue_set.not_sources)
    captions: list[Found] = []
    position = 0
    for line in body.split("\n"):
        captions += (
            image_credits(line, registry, "body", position)
            if not line.rstrip().endswith((".", "!", "?", "“", '"'))
            else []
        )
        position += len(line) + 1
    credit_lines = {found.sentence for found in captions}
    in_body = _outside_nested_cues(
        [
            found
            for found in _cue_matches(text, cue_set.for_language(language))
            if found.sentence not in credit_lines or found.kind != "cites"
        ]
    )
    found = [
        *_marker_attributions(markers, registry),
        *in_body,
        *captions,
        *_furniture_attributions(furniture, cue_set, language, registry),
    ]
    return _dedupe(
        sorted(
            found,
            key=lambda item: (
                item.location != "marker",
                item.start if item.start is not None else 10**9,
            ),
        )
    )


# ---- cue data -------------------------------------------------------------------------


def _compile_cue(raw: Any, where: str) -> Cue:
    if not isinstance(raw, dict) or not {"lang", "kind", "pattern", "source"} <= set(raw):
        raise ConfigError(f"{where}: every [[cue]] needs lang, kind, pattern and source")
    if raw["kind"] not in KINDS or raw["source"] not in _SOURCE_MODES:
        raise ConfigError(
            f"{where}: kind must be one of {', '.join(KINDS)} and source one of {', '.join(_SOURCE_MODES)}"
        )
    try:
        regex = re.compile(str(raw["pattern"]), re.IGNORECASE | re.MULTILINE)
    except re.error as error:
        raise ConfigError(f"{where}: bad pattern {raw['pattern']!r}: {error}") from error
    if nested_repeat(regex.pattern):
        raise ConfigError(
            f"{where}: pattern {raw['pattern']!r} repeats something that repeats (like (a+)+), which can take exponential time on one line: rewrite it without the nested repeat"
        )
    if raw["source"] == "inside" and "span" not in regex.groupindex:
        raise ConfigError(f'{where}: a cue with source = "inside" needs a (?P<span>...) group')
    if raw["source"] == "fixed" and not raw.get("name"):
        raise ConfigError(f'{where}: a cue with source = "fixed" needs a name')
    lowered = (
        re.compile(regex.pattern, re.MULTILINE) if written_in_lower_case(regex.pattern) else None
    )
    start = _leading_anchor(regex.pattern, regex.flags)
    if start == "word" and not regex.pattern.startswith("\\b"):
        start = ""  # the \b comes from inside a group: there is no plain rest to cut off
    rest = rest_lowered = None
    if start == "word":
        rest = re.compile(regex.pattern[2:], regex.flags)
        rest_lowered = re.compile(regex.pattern[2:], re.MULTILINE) if lowered is not None else None
    scanner = StartScanner.for_pattern(lowered) if lowered is not None and start == "" else None
    name = str(raw["name"]) if raw.get("name") else None
    inverted_only = raw.get("after", "any") == "inverted"
    if raw.get("after", "any") not in ("any", "inverted"):
        raise ConfigError(f'{where}: after must be "any" or "inverted", got {raw["after"]!r}')
    return Cue(
        str(raw["lang"]),
        str(raw["kind"]),
        regex,
        str(raw["source"]),
        name,
        lowered,
        inverted_only,
        start,
        rest,
        rest_lowered,
        scanner,
    )


def parse_cues(text: str, origin: str) -> CueSet:
    """The cues of a cue file, or ConfigError naming the file and line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{origin}: {error}") from error
    headers = [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() == "[[cue]]"
    ]
    cues = tuple(
        _compile_cue(raw, f"{origin}, line {headers[index] if index < len(headers) else '?'}")
        for index, raw in enumerate(data.get("cue", []))
    )
    words = frozenset(str(word).casefold() for word in data.get("not_sources", {}).get("words", []))
    return CueSet(cues, words)


@lru_cache(maxsize=8)
def load_cues(user_file: Path | None = None) -> CueSet:
    """The packaged cues, with a user file's cues tried first."""
    packaged = parse_cues(
        resources.files("provenance.knowledge")
        .joinpath("data/attribution.toml")
        .read_text(encoding="utf-8"),
        "provenance/knowledge/data/attribution.toml",
    )
    if user_file is None:
        return packaged
    try:
        user = parse_cues(user_file.read_text(encoding="utf-8"), str(user_file))
    except OSError as error:
        raise ConfigError(f"cannot read cue file {user_file}: {error}") from error
    return CueSet(user.cues + packaged.cues, user.not_sources | packaged.not_sources)
