"""Attributions: cited sources, wire credits, bylines and image credits, resolved against the registry."""

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

from .errors import ConfigError
from .normalize import FurnitureLine, Marker
from .registry import Registry, SourceEntry, load_registry
from .scanning import StartScanner, matches_at, nested_repeat, parsed_pattern, written_in_lower_case

KINDS = ("cites", "quotes", "wire", "byline", "copied_from", "image_credit")
_SOURCE_MODES = ("after", "before", "either", "inside", "all_after", "list", "fixed")
_PRONOUNS = frozenset(("he", "she", "they", "we", "i", "er", "sie", "wir", "он", "она", "они", "il", "elle", "ils", "él", "ella"))
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:mr|mrs|ms|dr|prof|sen|rep|gov|gen|lt|col|sgt|st|jr|sr|rev|hon|vs|no|nr|ca|bzw|vgl|z\.b|u\.a|d\.h|u\.s|u\.k|e\.g|i\.e|inc|corp|co|ltd|jan|feb|mar|apr|aug|sept|sep|oct|nov|dec)|\b[A-Z])\.$",
    re.IGNORECASE,
)
_CONNECTORS = ("von", "van", "de", "der", "du", "al", "bin", "ibn")
_WINDOW = 110
_MAX_WORDS_AFTER = 6
_MAX_WORDS_BEFORE = 2
_UPPER = "A-ZÄÖÜÀ-ÝА-ЯЁІЇЄҐ"
_NAME = re.compile(rf"[„\"«“]?[{_UPPER}][\w'’&.-]*(?:\s+(?:[{_UPPER}][\w'’&.-]*|(?:{'|'.join(_CONNECTORS)})\b))*[“\"»”]?")
# Written in lower case and searched in lower-cased text: with IGNORECASE, ``re`` tried every
# alternative at every offset (with the bisection below: 1.33 to 1.09 ms per bench article).
_MEDIA_NOUN = re.compile(
    r"nachrichtenagentur|agentur|zeitung|sender|staatsmedien|medien|magazin|news agency|agency|newspaper|broadcaster|"
    r"state media|media|агентств|газет|сми|телеканал|агенці|змі|agence|journal|quotidien|agencia|diario|periódico"
)
# A break starts at the sentence's closing mark or at a line end (not after it, by a look-behind),
# with the one character class first: ``re`` then skips ahead to such a character instead of
# trying the pattern at every offset.
_SENTENCE_BREAK = re.compile(r"[.!?…\n](?:(?<=\n)\n*|(?<=[.!?…])[\"“”»’)]?\s+(?=[\"„«(]?[\w\d]))")
_CREDIT_PREFIX = re.compile(r"(?:\b(?:bild|bilder|foto|fotos|photo|photos|image|picture|credit|фото)\s*:|©|\(c\)|\bcopyright\b|\(photo by)\s*", re.IGNORECASE)
_CAPTION_CREDIT = re.compile(rf"(?:^|\s)(?P<credit>[{_UPPER}][\w'’-]+\s[{_UPPER}][\w'’-]+\s?/\s?(?P<agency>[\w .&-]{{2,30}}))$")
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
    """

    lang: str
    kind: str
    regex: re.Pattern[str]
    source: str
    name: str | None = None
    lowered: re.Pattern[str] | None = None
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
        if (start > 0 and _is_word_character(text[start - 1])) != (start < len(text) and _is_word_character(text[start])):
            yield match
            position = match.end()
        else:
            position = start + 1


def _matches_at_line_starts(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of a pattern that begins with a multiline ``^``, as finditer would give them, tried at line starts only."""
    return iter(matches_at(pattern, text, _line_starts(text)))


def _line_starts(text: str) -> Iterator[int]:
    """The offsets where the text's lines start: 0, and after each newline (the text's end too, after a final one)."""
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
        if parsed[0] == (constants.AT, constants.AT_BOUNDARY) and len(_first_letters(parsed[1], constants)) <= _MAX_FIRST_LETTERS:
            return "word"
    except (AttributeError, IndexError, TypeError, ValueError):
        pass
    return ""


_MAX_FIRST_LETTERS = 3
"""A ``\\b`` cue whose rest may begin with more letters than this is scanned by finditer: ``re`` would try
the rest at every such letter (the speech verbs, ``said|says|told|...``, begin with half the
alphabet), where the leading ``\\b`` fails at once inside a word."""


def _first_letters(item: tuple[Any, Any], constants: Any) -> set[int]:
    """The characters a parsed pattern item can begin with; ValueError when it may begin with anything but a literal."""
    op, value = item
    if op == constants.LITERAL:
        return {value}
    if op == constants.SUBPATTERN:
        return _first_letters(value[-1][0], constants)
    if op == constants.BRANCH:
        return {letter for alternative in value[1] for letter in _first_letters(alternative[0], constants)}
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
    """The sentences of a text with their offsets (a light splitter: lines, then sentence ends, not after abbreviations)."""
    spans = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        end = match.start() if text[match.start()] == "\n" else match.start() + 1  # a sentence keeps its closing mark
        if "\n" not in match.group() and _ABBREVIATIONS.search(text[max(start, end - 8) : end]):
            continue
        spans.append(Sentence(start, end, text[start:end]))
        start = match.end()
    spans.append(Sentence(start, len(text), text[start:]))
    return tuple(span for span in spans if span.text.strip())


def _sentence_at(spans: Sequence[Sentence], starts: Sequence[int], offset: int) -> Sentence:
    """The sentence that holds an offset (the last one for an offset between sentences); `starts` are the spans' starts."""
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

    def sentence_at(self, offset: int) -> Sentence:
        """The sentence that holds an offset."""
        return _sentence_at(self.sentences, self.sentence_starts, offset)

    def _candidates(self) -> list[_Candidate]:
        """Registry mentions, and capitalised names that overlap none (as written: `_completed` cleans them), in text order."""
        mentions = self.registry.mentions(self.body, self.lowered)
        found: list[_Candidate] = [(m.start, m.end, m.entry.name, m.entry, True) for m in mentions]
        mention_starts, mention_ends = [m.start for m in mentions], [m.end for m in mentions]
        for match in _NAME.finditer(self.body):
            start, end = match.span()
            # Mentions do not overlap and are in order: the last one starting before this name's end is the only one that can overlap it.
            before = bisect_left(mention_starts, end)
            if before and start < mention_ends[before - 1]:
                continue
            found.append((start, end, match.group(), None, False))
        found.sort(key=itemgetter(0))  # no two candidates start at one offset
        return found

    def _completed(self, candidate: _Candidate) -> _Candidate | None:
        """A capitalised name cleaned, with its registry entry and whether the text calls it a medium; None for a word that is never a source.

        Done only for the names near a cue, once per name: 23 of the 84 capitalised names of a bench article.
        """
        start, end, written, entry, media = candidate
        if entry is not None or media:
            return candidate
        name = _clean_name(written)
        if not name or name.casefold() in self.not_sources or name.split()[-1].casefold() in self.not_sources:
            return None
        lead = self.body[max(0, start - 40) : start]
        return start, end, name, self.registry.resolve(name), bool(_MEDIA_NOUN.search(f"{lead} {name}".lower()))

    def _names(self, start: int, end: int) -> list[_Candidate]:
        """Candidate sources wholly between two offsets (each completed once per text)."""
        names = []
        for index in range(bisect_left(self.starts, start), bisect_left(self.starts, end)):
            if self.candidates[index][1] <= end:
                if index not in self._complete:
                    self._complete[index] = self._completed(self.candidates[index])
                if (completed := self._complete[index]) is not None:
                    names.append(completed)
        return names

    def nearest(self, cue_start: int, cue_end: int, mode: str) -> tuple[str, SourceEntry | None, bool] | None:
        """The source nearest to a cue in the given direction, within its sentence."""
        sentence = self.sentence_at(cue_start)
        after = self._names(cue_end, min(sentence.end, cue_end + _WINDOW)) if mode in ("after", "either") else []
        before = self._names(max(sentence.start, cue_start - _WINDOW), cue_start) if mode in ("before", "either") else []
        candidates = []
        if after and _words_between(self.body, cue_end, after[0][0]) <= _MAX_WORDS_AFTER:
            first = after[0]
            candidates.append((first[0] - cue_end, first))
        if before and _words_between(self.body, before[-1][1], cue_start) <= _MAX_WORDS_BEFORE:
            last = before[-1]
            candidates.append((cue_start - last[1], last))
        if not candidates:
            return None
        _, (_, _, name, entry, media) = min(candidates, key=lambda item: item[0])
        return name, entry, media


def _found(text: _Text, name: str, entry: SourceEntry | None, media: bool, kind: str, cue_start: int, cue_end: int) -> Found:
    sentence = text.sentence_at(cue_start)
    return Found(entry.name if entry else name, entry, kind, text.body[cue_start:cue_end], sentence.text.strip(), cue_start, cue_end, "body", media or entry is not None)


def _list_sources(text: str, registry: Registry) -> list[tuple[str, SourceEntry | None]]:
    """Sources listed after a cue such as 'Quellen:' or 'Mit Material von', up to the closing bracket or line end."""
    listed = re.split(r"\)|\n", text, maxsplit=1)[0]
    names = [_clean_name(part) for part in re.split(r",|;|•|·|\||/|\bund\b|\band\b|\bи\b|\bet\b|\by\b", listed)]
    return [(entry.name if (entry := registry.resolve(name)) else name, entry) for name in names if name and len(name) <= 60]


def _pronoun_before(text: _Text, cue_start: int) -> str | None:
    """A pronoun right before a speech cue ('he said'), the source of a quote when no name is given."""
    words = text.body[max(0, cue_start - 12) : cue_start].split()
    return words[-1] if words and words[-1].casefold() in _PRONOUNS else None


def _cue_matches(text: _Text, cues: list[Cue]) -> Iterator[Found]:
    for cue in cues:
        for match in cue.finditer(text.body, text.lowered):
            if cue.source == "fixed" and cue.name:
                entry = text.registry.by_name(cue.name)
                yield _found(text, cue.name, entry, entry is not None, cue.kind, match.start(), match.end())
                continue
            if cue.source == "list":
                tail = text.body[match.end() : match.end() + 200]
                for name, entry in _list_sources(tail, text.registry):
                    yield _found(text, name, entry, entry is not None, cue.kind, match.start(), match.end())
                continue
            if cue.source == "all_after":
                sentence = text.sentence_at(match.start())
                for mention in text._names(match.end(), min(sentence.end, match.end() + _WINDOW)):
                    if mention[3] is not None:
                        yield _found(text, mention[2], mention[3], True, cue.kind, match.start(), match.end())
                continue
            if cue.source == "inside":
                span_start, span_end = match.span("span")
                inside = text._names(span_start, span_end)
                if inside:
                    mention = next((item for item in inside if item[3] is not None), inside[-1])
                    yield _found(text, mention[2], mention[3], mention[4], cue.kind, match.start(), match.end())
                continue
            nearest = text.nearest(match.start(), match.end(), cue.source)
            if nearest is not None:
                yield _found(text, nearest[0], nearest[1], nearest[2], cue.kind, match.start(), match.end())
            elif cue.kind == "quotes" and (pronoun := _pronoun_before(text, match.start())):
                yield _found(text, pronoun, None, False, cue.kind, match.start(), match.end())


def _credit_sources(credit: str, registry: Registry) -> list[tuple[str, SourceEntry | None]]:
    """The agencies and photographers named in an image credit."""
    parts = [_clean_name(part) for part in re.split(r"/|\||,|;", credit)]
    return [(entry.name if (entry := registry.resolve(part)) else part, entry) for part in parts if part and part.lower() not in ("uncredited", "handout")]


def image_credits(line: str, registry: Registry, location: str, offset: int | None = None) -> list[Found]:
    """Image credits of a caption or credit line: 'Bild: picture alliance/dpa', '© IMAGO / ZUMA Press', 'Name Name/Sputnik'."""
    prefix = _CREDIT_PREFIX.search(line)
    if prefix is not None:
        credit = line[prefix.end() :]
        cue = prefix.group().strip()
    elif (caption := _CAPTION_CREDIT.search(line)) is not None and registry.resolve(caption.group("agency")) is not None:
        credit = caption.group("credit")
        cue = credit
    else:
        return []
    start = None if offset is None else offset + line.find(cue)
    return [
        Found(name, entry, "image_credit", cue, line, start, None if start is None else start + len(cue), location, entry is not None)
        for name, entry in _credit_sources(credit, registry)
    ]


def _furniture_attributions(lines: Iterable[FurnitureLine], cue_set: CueSet, language: str | None, registry: Registry) -> Iterator[Found]:
    for item in lines:
        if item.kind == "image_credit":
            yield from image_credits(item.line, registry, "furniture")
        elif item.kind == "byline" and _SHORTHAND.match(item.line):
            for part in item.line.split("/"):
                entry = registry.resolve(part)
                if entry is not None:
                    kind = "wire" if entry.is_primary else "byline"
                    yield Found(entry.name, entry, kind, item.line, item.line, None, None, "furniture", True)
        elif item.kind in ("source_credit", "byline", "copyright"):
            text = _Text(item.line, registry, cue_set.not_sources)
            for found in _cue_matches(text, cue_set.for_language(language)):
                yield Found(found.source, found.entry, found.kind, found.cue, item.line, None, None, "furniture", found.media)


def _marker_attributions(markers: Iterable[Marker], registry: Registry) -> Iterator[Found]:
    for marker in markers:
        entry = registry.by_domain(marker.url) if marker.url else registry.resolve(marker.outlet or "")
        name = entry.name if entry else (marker.url and _host(marker.url)) or marker.outlet or marker.line
        yield Found(name, entry, "copied_from", marker.kind, marker.line, None, None, "marker", True, marker.url)


def _host(url: str) -> str:
    from .extract import domain_of

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


def extract_attributions(
    body: str,
    furniture: Iterable[FurnitureLine] = (),
    markers: Iterable[Marker] = (),
    language: str | None = None,
    registry: Registry | None = None,
    cue_set: CueSet | None = None,
) -> list[Found]:
    """Every attribution of an article: cues in the body, credits and bylines in its furniture, repost markers."""
    registry = registry or load_registry()
    cue_set = cue_set or load_cues()
    text = _Text(body, registry, cue_set.not_sources)
    captions: list[Found] = []
    position = 0
    for line in body.split("\n"):
        captions += image_credits(line, registry, "body", position) if not line.rstrip().endswith((".", "!", "?", "“", "\"")) else []
        position += len(line) + 1
    credit_lines = {found.sentence for found in captions}
    in_body = [found for found in _cue_matches(text, cue_set.for_language(language)) if found.sentence not in credit_lines or found.kind != "cites"]
    found = [*_marker_attributions(markers, registry), *in_body, *captions, *_furniture_attributions(furniture, cue_set, language, registry)]
    return _dedupe(sorted(found, key=lambda item: (item.location != "marker", item.start if item.start is not None else 10**9)))


# ---- cue data -------------------------------------------------------------------------


def _compile_cue(raw: Any, where: str) -> Cue:
    if not isinstance(raw, dict) or not {"lang", "kind", "pattern", "source"} <= set(raw):
        raise ConfigError(f"{where}: every [[cue]] needs lang, kind, pattern and source")
    if raw["kind"] not in KINDS or raw["source"] not in _SOURCE_MODES:
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)} and source one of {', '.join(_SOURCE_MODES)}")
    try:
        regex = re.compile(str(raw["pattern"]), re.IGNORECASE | re.MULTILINE)
    except re.error as error:
        raise ConfigError(f"{where}: bad pattern {raw['pattern']!r}: {error}") from error
    if nested_repeat(regex.pattern):
        raise ConfigError(f"{where}: pattern {raw['pattern']!r} repeats something that repeats (like (a+)+), which can take exponential time on one line: rewrite it without the nested repeat")
    if raw["source"] == "inside" and "span" not in regex.groupindex:
        raise ConfigError(f"{where}: a cue with source = \"inside\" needs a (?P<span>...) group")
    if raw["source"] == "fixed" and not raw.get("name"):
        raise ConfigError(f"{where}: a cue with source = \"fixed\" needs a name")
    lowered = re.compile(regex.pattern, re.MULTILINE) if written_in_lower_case(regex.pattern) else None
    start = _leading_anchor(regex.pattern, regex.flags)
    if start == "word" and not regex.pattern.startswith("\\b"):
        start = ""  # the \b comes from inside a group: there is no plain rest to cut off
    rest = rest_lowered = None
    if start == "word":
        rest = re.compile(regex.pattern[2:], regex.flags)
        rest_lowered = re.compile(regex.pattern[2:], re.MULTILINE) if lowered is not None else None
    scanner = StartScanner.for_pattern(lowered) if lowered is not None and start == "" else None
    name = str(raw["name"]) if raw.get("name") else None
    return Cue(str(raw["lang"]), str(raw["kind"]), regex, str(raw["source"]), name, lowered, start, rest, rest_lowered, scanner)


def parse_cues(text: str, origin: str) -> CueSet:
    """The cues of a cue file, or ConfigError naming the file and line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{origin}: {error}") from error
    headers = [number for number, line in enumerate(text.splitlines(), start=1) if line.strip() == "[[cue]]"]
    cues = tuple(_compile_cue(raw, f"{origin}, line {headers[index] if index < len(headers) else '?'}") for index, raw in enumerate(data.get("cue", [])))
    words = frozenset(str(word).casefold() for word in data.get("not_sources", {}).get("words", []))
    return CueSet(cues, words)


@lru_cache(maxsize=8)
def load_cues(user_file: Path | None = None) -> CueSet:
    """The packaged cues, with a user file's cues tried first."""
    packaged = parse_cues(resources.files("provenance").joinpath("data/attribution.toml").read_text(encoding="utf-8"), "provenance/data/attribution.toml")
    if user_file is None:
        return packaged
    try:
        user = parse_cues(user_file.read_text(encoding="utf-8"), str(user_file))
    except OSError as error:
        raise ConfigError(f"cannot read cue file {user_file}: {error}") from error
    return CueSet(user.cues + packaged.cues, user.not_sources | packaged.not_sources)

