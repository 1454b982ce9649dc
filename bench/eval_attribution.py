"""How well attribution extraction finds wire credits and attribution cues, on PolNeAR.

PolNeAR (networkdynamics/PolNeAR) is 2016 US political news annotated for attribution in brat
standoff: ``<split>/text/<name>.txt`` and ``<split>/attributions/<name>_<annotator>.ann``, whose
``T`` lines give ``Source``, ``Cue`` and ``Content`` spans as character offsets into the text.
``metadata.tsv`` names the ``wire`` agency (AP, AFP, Reuters, UPI; ``None``/``NA`` for none) of
every article. Where an article was annotated by several annotators (a few were, to measure
agreement), the annotator the metadata names is used if there is one, else the first in sort order.

Each article is fed to the tool as it normally sees text: ``split_layout(text_lines(raw))``, then
``extract_attributions("\\n".join(body), furniture, markers, "en")``. It measures:

1. Wire detection. On articles whose metadata names an agency: the share for which the tool names
   that agency (registry canonical name) as a ``wire`` attribution ("as wire"), and as a ``wire``
   attribution or the source of any attribution ("as wire or source"). On articles with no wire:
   the share where the tool names one of AP, AFP, Reuters, UPI as ``wire`` and as any source.
   Misses and false alarms are listed with their evidence sentence.
2. Cue spans. The tool's body cue spans of kinds cites, quotes and wire (deduplicated by span)
   against the annotated ``Cue`` spans, micro-averaged over the split. Overlap: a predicted span
   is correct if it overlaps any gold Cue, a gold Cue is recalled if any predicted span overlaps
   it. Exact: the spans are equal (for a discontinuous gold Cue, equal to one of its fragments).
   The figures reported first ("layout") map the body offsets back to the raw text: each body
   line is found, in order, among the raw lines as ``clean_text`` normalises them (NFC,
   invisible characters dropped, runs of spaces collapsed, lines stripped), keeping the raw
   offset of every character. For comparison, "raw" runs ``extract_attributions(raw, [], [], "en")``
   on the unsplit raw text, whose offsets need no mapping. The most common false-positive and
   missed cue words (lowercased) of the layout pass are listed.
3. Cited sources (issue #27: "sources are media, agencies, organisations or named people, never
   places, adjectives or common phrases"). A predicted source is the source of an attribution of
   kind ``cites`` or ``quotes`` found in the body, with the offsets of its name in the body mapped
   to the raw text; attributions that give the same name span count once. It is right when
   (a) its name span overlaps an annotated ``Source`` span and is not only a modifier inside it:
       a name that the gold span continues, right after it, with a lower-case word other than a
       function word ("Russian" in "Russian officials", "Clinton's" in "Clinton's campaign
       manager Robby Mook", "Republican" in "Republican nominee Mike Pence") is a modifier, while
       "Bernie Sanders" in "Sen. Bernie Sanders (Vt.), who lost ..." or "Flynn" in "Flynn, a top
       surrogate," is the head; or
   (b) it is a registry source (a medium) whose name lies inside an annotated ``Source`` span as
       the author of what the span names: "CNN" in "a CNN tally", "AP" in "an Associated Press
       account" (counted and shown apart, "as medium"); or
   (c) it is a name (not a pronoun) and matches the text of an annotated ``Source`` anywhere in
       the same article: after case-folding, straightening apostrophes, dropping a leading
       article, a trailing possessive and everything from the first comma, bracket or relative
       pronoun on, the name equals that text or its last words ("Clinton" for "Hillary Clinton"),
       or both name the same registry source ("New York Post" for "The New York Post").
   Rule (a) is lenient with long spans: a place named inside one ("Va." in "Johnnie Wilson, of
   Springfield, Va.,") counts as right.
   Precision is right predictions over predictions. Recall is the share of the annotated
   ``Source`` spans (deduplicated by span) that a prediction matches by (a) or (b). The 15 most common
   false source names (``--top``) are listed, with examples (``--examples``). Wire credits (kind
   ``wire``: datelines like "WASHINGTON (AFP) —", "By Reuters", "(Reporting by ...)") are not
   sources of the text and are counted apart: how many there are, and how many name the agency
   the metadata gives as the article's wire.
4. Time per article in milliseconds: ``split_layout`` plus ``extract_attributions`` (layout pass),
   and ``extract_attributions`` alone on the raw text (raw pass); the registry and cue data are
   loaded once before timing.

Run from the repository's root (--limit N evaluates the first N articles of each split only):
    .venv/bin/python -m bench.eval_attribution ../shared/corpora/polnear [--split dev|train|all] [--json] [--top 15] [--examples 0] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.knowledge import Found, extract_attributions, load_cues, load_registry
from provenance.text import clean_text, load_patterns, split_layout, text_lines

AGENCIES = ("AP", "AFP", "Reuters", "UPI")
CUE_KINDS = ("cites", "quotes", "wire")
NO_WIRE = ("", "none", "na")
_T_LINE = re.compile(r"^(T\d+)\t(\w[\w-]*) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

Span = tuple[int, int]


@dataclass(frozen=True)
class GoldCue:
    """One annotated Cue: its fragments (usually one) and its text."""

    fragments: tuple[Span, ...]
    text: str


@dataclass(frozen=True)
class GoldSource:
    """One annotated Source: its fragments (usually one) and its text."""

    fragments: tuple[Span, ...]
    text: str


@dataclass(frozen=True)
class PredictedSource:
    """One predicted cited source: its name, its name span in raw-text offsets (None if the body
    does not give or map it), its cue and sentence.
    """

    name: str
    span: Span | None
    kind: str
    cue: str
    sentence: str
    registry_name: str | None


@dataclass
class SourceCounts:
    """Micro counts of cited-source matching, and the wire credits counted apart."""

    predicted: int = 0
    right: int = 0
    right_by_span: int = 0
    right_as_medium: int = 0
    gold: int = 0
    gold_recalled: int = 0
    unmapped: int = 0
    wire: int = 0
    wire_right: int = 0

    def add(self, other: SourceCounts) -> None:
        """Add another article's counts to these."""
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def scores(self) -> dict[str, float]:
        """Precision, recall and F1 of the cited sources."""
        precision = self.right / self.predicted if self.predicted else 0.0
        recall = self.gold_recalled / self.gold if self.gold else 0.0
        return {
            "precision": precision,
            "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        }


@dataclass(frozen=True)
class PredictedCue:
    """One predicted body cue span in raw-text offsets, with its kinds and one evidence sentence."""

    span: Span
    text: str
    kinds: tuple[str, ...]
    sentence: str


@dataclass
class Article:
    """One PolNeAR article: name, raw text, gold cues and metadata wire agency."""

    name: str
    raw: str
    gold: list[GoldCue]
    wire: str | None
    annotation: str
    annotators: int
    sources: list[GoldSource] = field(default_factory=list)


@dataclass
class SpanCounts:
    """Micro counts of cue-span matching."""

    predicted: int = 0
    gold: int = 0
    predicted_overlap: int = 0
    gold_overlap: int = 0
    predicted_exact: int = 0
    gold_exact: int = 0

    def add(self, other: SpanCounts) -> None:
        """Add another article's counts to these."""
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def scores(self) -> dict[str, float]:
        """Precision, recall and F1, overlap and exact."""
        result = {}
        for mode, hit_p, hit_g in (
            ("overlap", self.predicted_overlap, self.gold_overlap),
            ("exact", self.predicted_exact, self.gold_exact),
        ):
            precision = hit_p / self.predicted if self.predicted else 0.0
            recall = hit_g / self.gold if self.gold else 0.0
            result[f"{mode}_precision"] = precision
            result[f"{mode}_recall"] = recall
            result[f"{mode}_f1"] = (
                2 * precision * recall / (precision + recall) if precision + recall else 0.0
            )
        return result


@dataclass
class ArticleResult:
    """Everything measured on one article."""

    name: str
    wire: str | None
    named_as_wire: list[Found]
    named_as_source: list[Found]
    layout: SpanCounts
    raw: SpanCounts
    false_positives: list[PredictedCue]
    missed: list[GoldCue]
    layout_ms: float
    raw_ms: float
    unmapped_spans: int
    wire_evidence: str = ""
    no_wire: SpanCounts = field(default_factory=SpanCounts)
    kind_hits: Counter[str] = field(default_factory=Counter)
    kind_totals: Counter[str] = field(default_factory=Counter)
    sources: SourceCounts = field(default_factory=SourceCounts)
    false_sources: list[PredictedSource] = field(default_factory=list)


# ---- reading the corpus ------------------------------------------------------------------


def canonical_wire(value: str) -> str | None:
    """The registry name of a metadata ``wire`` value, None for no wire."""
    value = value.strip()
    if value.casefold() in NO_WIRE:
        return None
    for agency in AGENCIES:
        if agency.casefold() == value.casefold():
            return agency
    print(f"warning: unknown wire value {value!r}, kept as is", file=sys.stderr)
    return value


def read_metadata(corpus: Path) -> dict[str, dict[str, str]]:
    """The metadata rows by article name (the ``filename`` column, the .txt name without suffix)."""
    with (corpus / "metadata.tsv").open(encoding="utf-8", newline="") as handle:
        return {row["filename"]: row for row in csv.DictReader(handle, delimiter="\t")}


def parse_ann(path: Path) -> tuple[list[GoldCue], list[GoldSource]]:
    """The Cue and Source spans of a brat standoff file, each deduplicated by span."""
    cues: dict[tuple[Span, ...], GoldCue] = {}
    sources: dict[tuple[Span, ...], GoldSource] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _T_LINE.match(line)
        if match is None or match.group(2) not in ("Cue", "Source"):
            continue
        fragments = tuple(
            (int(a), int(b)) for a, b in (part.split() for part in match.group(3).split(";"))
        )
        if match.group(2) == "Cue":
            cues.setdefault(fragments, GoldCue(fragments, match.group(4)))
        else:
            sources.setdefault(fragments, GoldSource(fragments, match.group(4)))
    return list(cues.values()), list(sources.values())


def choose_annotation(folder: Path, name: str, annotators: str) -> Path | None:
    """The .ann file of an article: the metadata's single annotator, else the first in sort order."""
    candidates = sorted(folder.glob(f"{name}_*.ann"))
    listed = [a for a in annotators.split("|") if a and a != "None"]
    if len(listed) == 1 and (folder / f"{name}_{listed[0]}.ann").exists():
        return folder / f"{name}_{listed[0]}.ann"
    return candidates[0] if candidates else None


def load_articles(corpus: Path, split: str) -> list[Article]:
    """The articles of one split with their gold cues and wire agency."""
    metadata = read_metadata(corpus)
    articles = []
    for text_path in sorted((corpus / split / "text").glob("*.txt")):
        name = text_path.stem
        row = metadata.get(name)
        if row is None:
            print(f"warning: {split}/{name} has no metadata row, skipped", file=sys.stderr)
            continue
        ann = choose_annotation(corpus / split / "attributions", name, row.get("annotators", ""))
        if ann is None:
            print(f"warning: {split}/{name} has no annotation, skipped", file=sys.stderr)
            continue
        with text_path.open(encoding="utf-8", newline="") as handle:
            raw = handle.read()
        several = len(list((corpus / split / "attributions").glob(f"{name}_*.ann")))
        cues, sources = parse_ann(ann)
        articles.append(
            Article(
                name, raw, cues, canonical_wire(row.get("wire", "")), ann.name, several, sources
            )
        )
    return articles


# ---- mapping body offsets back to the raw text --------------------------------------------


def _nfc_with_offsets(line: str, base: int) -> list[tuple[str, int]] | None:
    """NFC of a line, each character with the raw offset of its combining cluster; None if clusters
    do not compose alone.
    """
    out: list[tuple[str, int]] = []
    start = 0
    for index in range(1, len(line) + 1):
        if index < len(line) and unicodedata.combining(line[index]):
            continue
        out += [(char, base + start) for char in unicodedata.normalize("NFC", line[start:index])]
        start = index
    if "".join(char for char, _ in out) != unicodedata.normalize("NFC", line):
        return None
    return out


@functools.cache
def cleaned_as(char: str) -> str:
    """What ``clean_text`` makes of one character inside a line: "dropped" (an invisible one), "blank" (a run of them becomes one space) or "kept".

    Asked of clean_text itself, between two digits (which compose with no combining mark), so
    the offsets below follow its rules without copying them.
    """
    probe = clean_text(f"0{char}0")
    return "dropped" if probe == "00" else "blank" if probe == "0 0" else "kept"


def clean_line_with_offsets(line: str, base: int) -> list[tuple[str, int]] | None:
    """A raw line cleaned as ``clean_text`` cleans it, each character with its raw offset."""
    chars = _nfc_with_offsets(line, base)
    if chars is None:
        return None
    collapsed: list[tuple[str, int]] = []
    in_blanks = False
    for char, offset in chars:
        kind = cleaned_as(char)
        if kind == "dropped":
            continue
        if kind == "blank" and not in_blanks:
            collapsed.append(
                (" ", offset)
            )  # a run of blanks is one space, at the run's first offset
        elif kind == "kept":
            collapsed.append((char, offset))
        in_blanks = kind == "blank"
    text = "".join(char for char, _ in collapsed)
    left = len(text) - len(text.lstrip())
    right = len(text.rstrip())
    return collapsed[left:right]


def body_offset_map(raw: str, body: Sequence[str]) -> list[int | None]:
    """For each offset of ``"\\n".join(body)`` (and one past the end) its raw-text offset, None where unknown."""
    lines: list[list[tuple[str, int]] | None] = []
    position = 0
    for match in [*_LINE_BREAK.finditer(raw), None]:
        end = match.start() if match else len(raw)
        lines.append(clean_line_with_offsets(raw[position:end], position))
        position = match.end() if match else len(raw)
    cleaned = [
        ("".join(c for c, _ in chars) if chars is not None else None, chars) for chars in lines
    ]
    cleaned = [(text, chars) for text, chars in cleaned if text is None or text]
    offsets: list[int | None] = []
    cursor = 0
    for number, line in enumerate(body):
        if number:
            offsets.append(offsets[-1] + 1 if offsets and offsets[-1] is not None else None)
        while cursor < len(cleaned) and cleaned[cursor][0] != line:
            cursor += 1
        if cursor == len(cleaned):
            offsets += [None] * len(line)
            continue
        chars = cleaned[cursor][1] or []
        offsets += [offset for _, offset in chars]
        cursor += 1
    offsets.append(offsets[-1] + 1 if offsets and offsets[-1] is not None else None)
    return offsets


def raw_span(offsets: list[int | None], start: int, end: int) -> Span | None:
    """The raw-text span of a body span, None if it cannot be mapped."""
    first, last = offsets[start], offsets[end - 1] if end > start else None
    if first is None or last is None:
        return None
    return first, last + 1


# ---- scoring ------------------------------------------------------------------------------


def predicted_cues(
    found: Sequence[Found], to_raw: Callable[[int, int], Span | None], raw: str
) -> tuple[list[PredictedCue], int]:
    """The distinct body cue spans of kinds cites, quotes and wire in raw offsets, and how many
    could not be mapped (or mapped to other text).
    """
    by_span: dict[Span, PredictedCue] = {}
    unmapped = 0
    for item in found:
        if (
            item.kind not in CUE_KINDS
            or item.location != "body"
            or item.start is None
            or item.end is None
        ):
            continue
        span = to_raw(item.start, item.end)
        if span is None or _squash(raw[span[0] : span[1]]) != _squash(item.cue):
            unmapped += 1
            continue
        known = by_span.get(span)
        kinds = tuple(sorted({*(known.kinds if known else ()), item.kind}))
        by_span[span] = PredictedCue(
            span, raw[span[0] : span[1]], kinds, known.sentence if known else item.sentence
        )
    return sorted(by_span.values(), key=lambda cue: cue.span), unmapped


def _squash(text: str) -> str:
    return " ".join(clean_text(text).split())


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_spans(
    predicted: Sequence[PredictedCue], gold: Sequence[GoldCue]
) -> tuple[SpanCounts, list[PredictedCue], list[GoldCue], Counter[str], Counter[str]]:
    """Counts, false-positive predictions, missed gold cues, and overlap hits and totals per
    predicted kind.
    """
    counts = SpanCounts(predicted=len(predicted), gold=len(gold))
    false_positives = []
    kind_hits: Counter[str] = Counter()
    kind_totals: Counter[str] = Counter()
    for cue in predicted:
        hit = any(_overlaps(cue.span, fragment) for g in gold for fragment in g.fragments)
        counts.predicted_overlap += hit
        counts.predicted_exact += any(
            cue.span == fragment for g in gold for fragment in g.fragments
        )
        for kind in cue.kinds:
            kind_totals[kind] += 1
            kind_hits[kind] += hit
        if not hit:
            false_positives.append(cue)
    missed = []
    for g in gold:
        hit = any(_overlaps(cue.span, fragment) for cue in predicted for fragment in g.fragments)
        counts.gold_overlap += hit
        counts.gold_exact += any(
            cue.span == fragment for cue in predicted for fragment in g.fragments
        )
        if not hit:
            missed.append(g)
    return counts, false_positives, missed, kind_hits, kind_totals


_FUNCTION_WORDS = frozenset(
    "of for at in on from with and or nor but who whom whose which that to by as than himself herself themselves itself also too".split()
)
_PRONOUN_SOURCES = frozenset(
    "i you he she it we they who which that this these those one someone something".split()
)
_SOURCE_CUT = re.compile(r",|\(|\s[—–-]\s|\s(?:who|which|that|whose)\s")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+")
_POSSESSIVE = re.compile(r"(?:'s|')$")


def predicted_sources(
    found: Sequence[Found], body: str, to_raw: Callable[[int, int], Span | None], raw: str
) -> tuple[list[PredictedSource], int]:
    """The distinct cited sources (kinds cites and quotes, in the body) with their name spans in raw
    offsets, and how many names could not be mapped.
    """
    by_key: dict[tuple[Span | None, str], PredictedSource] = {}
    unmapped = 0
    for item in found:
        if item.kind not in ("cites", "quotes") or item.location != "body":
            continue
        span = None
        if item.source_start is not None and item.source_end is not None:
            span = to_raw(item.source_start, item.source_end)
            if span is None or _squash(raw[span[0] : span[1]]) != _squash(
                body[item.source_start : item.source_end]
            ):
                unmapped += 1
                span = None
        key = (span, item.source) if span is not None else (None, f"{item.source}\x00{item.start}")
        by_key.setdefault(
            key,
            PredictedSource(
                item.source,
                span,
                item.kind,
                item.cue,
                item.sentence,
                item.entry.name if item.entry else None,
            ),
        )
    return list(by_key.values()), unmapped


def _source_key(text: str) -> str:
    """A source text reduced for comparison: case-folded, apostrophes straightened, cut at its first
    comma, bracket or relative clause, no leading article or trailing possessive.
    """
    text = " ".join(text.casefold().replace("’", "'").split())
    text = _SOURCE_CUT.split(f" {text} ", maxsplit=1)[0].strip(' .;:"“”')
    return _POSSESSIVE.sub("", _LEADING_ARTICLE.sub("", text)).strip()


def _is_modifier(predicted: Span, raw: str, gold: Span) -> bool:
    """Whether a name is only a modifier inside a gold Source span: the span goes on, right after
    it, with a lower-case content word, or the name is a possessive the span goes on after.
    """
    if predicted[1] >= gold[1]:
        return False
    rest = raw[predicted[1] : gold[1]]
    if re.match(r"['’]s?\s+\S", rest) or (
        re.search(r"['’]s?$", raw[predicted[0] : predicted[1]]) and rest.strip()
    ):
        return True
    word = re.match(r"\s+([\w-]+)", rest)
    return word is not None and word.group(1)[0].islower() and word.group(1) not in _FUNCTION_WORDS


def _span_match(predicted: PredictedSource, gold: GoldSource, raw: str) -> bool:
    """Rule (a): the name span overlaps the gold span and is not only a modifier inside it."""
    if predicted.span is None:
        return False
    return any(
        _overlaps(predicted.span, fragment) and not _is_modifier(predicted.span, raw, fragment)
        for fragment in gold.fragments
    )


def _medium_match(predicted: PredictedSource, gold: GoldSource) -> bool:
    """Rule (b): a registry source whose name lies inside the gold span (a modifier of it: "a CNN
    tally").
    """
    if predicted.span is None or predicted.registry_name is None:
        return False
    return any(
        fragment[0] <= predicted.span[0] and predicted.span[1] <= fragment[1]
        for fragment in gold.fragments
    )


def _text_match(predicted: PredictedSource, golds: Sequence[GoldSource]) -> bool:
    """Rule (b): a name (not a pronoun) that equals an annotated Source's text of the article, or
    its last words, or names the same registry source.
    """
    name = _source_key(predicted.name)
    if (
        not name
        or name in _PRONOUN_SOURCES
        or not predicted.name[:1].isupper()
        and not predicted.name[:1].isdigit()
    ):
        return False
    registry = load_registry()
    for gold in golds:
        key = _source_key(gold.text)
        if key == name or key.endswith(f" {name}"):
            return True
        entry = registry.by_exact_name(key)
        if (
            predicted.registry_name is not None
            and entry is not None
            and entry.name == predicted.registry_name
        ):
            return True
    return False


def score_sources(
    predicted: Sequence[PredictedSource], golds: Sequence[GoldSource], raw: str
) -> tuple[SourceCounts, list[PredictedSource]]:
    """Counts of right predictions and recalled gold Sources, and the false predictions."""
    counts = SourceCounts(predicted=len(predicted), gold=len(golds))
    false = []
    for item in predicted:
        by_span = any(_span_match(item, gold, raw) for gold in golds)
        as_medium = not by_span and any(_medium_match(item, gold) for gold in golds)
        counts.right_by_span += by_span
        counts.right_as_medium += as_medium
        if by_span or as_medium or _text_match(item, golds):
            counts.right += 1
        else:
            false.append(item)
    counts.gold_recalled = sum(
        1
        for gold in golds
        if any(_span_match(item, gold, raw) or _medium_match(item, gold) for item in predicted)
    )
    return counts, false


def count_wire(found: Sequence[Found], wire: str | None) -> tuple[int, int]:
    """The wire credits found (distinct by source and cue), and how many name the metadata's wire
    agency.
    """
    credits = {(item.source, item.cue) for item in found if item.kind == "wire"}
    return len(credits), sum(1 for source, _ in credits if source == wire)


def _agency_line(raw: str, agency: str) -> str:
    """The first raw line naming the agency by one of its registry aliases, or a wire-style credit
    line.
    """
    entry = load_registry().resolve(agency)
    aliases = [
        alias
        for alias in (entry.aliases if entry else (agency,))
        if re.fullmatch(r"[\w .&-]+", alias)
    ]
    pattern = (
        re.compile(
            r"\b(?:"
            + "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
            + r")\b"
        )
        if aliases
        else None
    )
    for line in text_lines(raw):
        if pattern is not None and pattern.search(line):
            return line
    for line in text_lines(raw):
        if re.search(r"\((?:Additional )?Reporting by\b|\bEditing by\b", line):
            return line
    return "(the text does not name the agency)"


def evaluate(article: Article) -> ArticleResult:
    """Run both passes on one article and score them."""
    started = time.perf_counter()
    layout = split_layout(text_lines(article.raw), load_patterns())
    body = "\n".join(layout.body)
    found = extract_attributions(body, layout.furniture, layout.markers, "en")
    layout_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    found_raw = extract_attributions(article.raw, [], [], "en")
    raw_ms = (time.perf_counter() - started) * 1000

    offsets = body_offset_map(article.raw, layout.body)
    predicted, unmapped = predicted_cues(found, lambda s, e: raw_span(offsets, s, e), article.raw)
    counts, false_positives, missed, kind_hits, kind_totals = score_spans(predicted, article.gold)
    predicted_raw, _ = predicted_cues(found_raw, lambda s, e: (s, e), article.raw)
    counts_raw, *_ = score_spans(predicted_raw, article.gold)
    counts_no_wire, *_ = score_spans(
        [cue for cue in predicted if set(cue.kinds) - {"wire"}], article.gold
    )

    wanted = (article.wire,) if article.wire else AGENCIES
    as_wire = [f for f in found if f.kind == "wire" and f.source in wanted]
    as_source = [f for f in found if f.source in wanted]
    result = ArticleResult(
        article.name,
        article.wire,
        as_wire,
        as_source,
        counts,
        counts_raw,
        false_positives,
        missed,
        layout_ms,
        raw_ms,
        unmapped,
    )
    result.kind_hits, result.kind_totals = kind_hits, kind_totals
    result.no_wire = counts_no_wire
    sources, unmapped_names = predicted_sources(
        found, body, lambda s, e: raw_span(offsets, s, e), article.raw
    )
    result.sources, result.false_sources = score_sources(sources, article.sources, article.raw)
    result.sources.unmapped = unmapped_names
    result.sources.wire, result.sources.wire_right = count_wire(found, article.wire)
    if article.wire and not as_wire:
        result.wire_evidence = (
            as_source[0].sentence if as_source else _agency_line(article.raw, article.wire)
        )
    return result


# ---- reporting ----------------------------------------------------------------------------


def _share(part: int, whole: int) -> dict[str, Any]:
    return {"count": part, "of": whole, "share": part / whole if whole else 0.0}


def _found_row(item: Found) -> dict[str, Any]:
    return {
        "source": item.source,
        "kind": item.kind,
        "cue": item.cue,
        "location": item.location,
        "sentence": item.sentence,
    }


def summarise(
    split: str, articles: Sequence[Article], results: Sequence[ArticleResult], top: int
) -> dict[str, Any]:
    """All figures of one split as a JSON-ready dict."""
    wired = [r for r in results if r.wire]
    unwired = [r for r in results if not r.wire]
    layout, raw, no_wire = SpanCounts(), SpanCounts(), SpanCounts()
    kind_hits: Counter[str] = Counter()
    kind_totals: Counter[str] = Counter()
    fp_words: Counter[str] = Counter()
    missed_words: Counter[str] = Counter()
    sources = SourceCounts()
    false_names: Counter[str] = Counter()
    false_examples: list[dict[str, str]] = []
    for r in results:
        sources.add(r.sources)
        false_names.update(item.name for item in r.false_sources)
        false_examples += [
            {
                "article": r.name,
                "source": item.name,
                "kind": item.kind,
                "cue": item.cue,
                "sentence": item.sentence,
            }
            for item in r.false_sources
        ]
    for r in results:
        layout.add(r.layout)
        raw.add(r.raw)
        no_wire.add(r.no_wire)
        kind_hits.update(r.kind_hits)
        kind_totals.update(r.kind_totals)
        fp_words.update(cue.text.lower() for cue in r.false_positives)
        missed_words.update(" ".join(g.text.lower().split()) for g in r.missed)
    layout_ms = [r.layout_ms for r in results]
    raw_ms = [r.raw_ms for r in results]
    return {
        "split": split,
        "articles": len(results),
        "articles_with_several_annotations": sum(1 for a in articles if a.annotators > 1),
        "annotation_policy": "the metadata's single annotator, else the first .ann in sort order",
        "wire": {
            "wire_articles": len(wired),
            "by_agency": dict(Counter(r.wire for r in wired if r.wire)),
            "found_as_wire": _share(sum(1 for r in wired if r.named_as_wire), len(wired)),
            "found_as_wire_or_source": _share(
                sum(1 for r in wired if r.named_as_source), len(wired)
            ),
            "no_wire_articles": len(unwired),
            "false_alarm_as_wire": _share(sum(1 for r in unwired if r.named_as_wire), len(unwired)),
            "false_alarm_as_source": _share(
                sum(1 for r in unwired if r.named_as_source), len(unwired)
            ),
            "misses": [
                {
                    "article": r.name,
                    "wire": r.wire,
                    "as_source": bool(r.named_as_source),
                    "evidence": r.wire_evidence,
                }
                for r in wired
                if not r.named_as_wire
            ],
            "false_alarms": [
                {
                    "article": r.name,
                    "as_wire": bool(r.named_as_wire),
                    "found": [_found_row(f) for f in r.named_as_source],
                }
                for r in unwired
                if r.named_as_source
            ],
        },
        "cue_spans": {
            "layout": {**vars(layout), **layout.scores()},
            "raw": {**vars(raw), **raw.scores()},
            "layout_without_wire_kind": {**vars(no_wire), **no_wire.scores()},
            "layout_unmapped_predictions": sum(r.unmapped_spans for r in results),
            "layout_precision_by_kind": {
                kind: _share(kind_hits[kind], kind_totals[kind]) for kind in CUE_KINDS
            },
            "top_false_positive_cues": fp_words.most_common(top),
            "top_missed_gold_cues": missed_words.most_common(top),
        },
        "sources": {
            **vars(sources),
            **sources.scores(),
            "top_false_sources": false_names.most_common(top),
            "false_examples": false_examples,
        },
        "time_ms": {
            "layout_mean": statistics.fmean(layout_ms) if layout_ms else 0.0,
            "layout_median": statistics.median(layout_ms) if layout_ms else 0.0,
            "layout_max": max(layout_ms, default=0.0),
            "raw_mean": statistics.fmean(raw_ms) if raw_ms else 0.0,
            "raw_median": statistics.median(raw_ms) if raw_ms else 0.0,
        },
    }


def _clip(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_table(summary: dict[str, Any], examples: int = 0) -> None:
    """The figures of one split as a small plain-text table, then the lists."""
    wire, spans, timing, sources = (
        summary["wire"],
        summary["cue_spans"],
        summary["time_ms"],
        summary["sources"],
    )

    def pct(item: dict[str, Any]) -> str:
        return f"{item['count']:>4}/{item['of']:<4} {100 * item['share']:5.1f}%"

    print(
        f"== PolNeAR {summary['split']}: {summary['articles']} articles ({summary['articles_with_several_annotations']} annotated several times: first annotator used)"
    )
    print(
        f"\nWire detection ({wire['wire_articles']} wire articles: {', '.join(f'{k} {v}' for k, v in sorted(wire['by_agency'].items()))}; {wire['no_wire_articles']} without)"
    )
    print(f"  {'agency named as wire':<42} {pct(wire['found_as_wire'])}")
    print(f"  {'agency named as wire or source':<42} {pct(wire['found_as_wire_or_source'])}")
    print(f"  {'no-wire article, agency named as wire':<42} {pct(wire['false_alarm_as_wire'])}")
    print(f"  {'no-wire article, agency named as source':<42} {pct(wire['false_alarm_as_source'])}")
    print("\nCue spans (kinds cites/quotes/wire in the body vs gold Cue; micro)")
    print(
        f"  {'pass':<7} {'pred':>5} {'gold':>5} | {'overlap P':>9} {'R':>6} {'F1':>6} ({'TPp':>5} {'TPg':>5}) | {'exact P':>7} {'R':>6} {'F1':>6} ({'TPp':>5} {'TPg':>5})"
    )
    for name, label in (
        ("layout", "layout"),
        ("raw", "raw"),
        ("layout_without_wire_kind", "no-wire"),
    ):
        s = spans[name]
        print(
            f"  {label:<7} {s['predicted']:>5} {s['gold']:>5} | {s['overlap_precision']:>9.3f} {s['overlap_recall']:>6.3f} {s['overlap_f1']:>6.3f}"
            f" ({s['predicted_overlap']:>5} {s['gold_overlap']:>5}) | {s['exact_precision']:>7.3f} {s['exact_recall']:>6.3f} {s['exact_f1']:>6.3f}"
            f" ({s['predicted_exact']:>5} {s['gold_exact']:>5})"
        )
    print(
        "  (layout = split_layout + extract, offsets mapped to the raw text: the reported figures; raw = extract on the raw text;"
    )
    print(
        "   no-wire = layout without spans only of kind wire, since PolNeAR does not annotate datelines like 'WASHINGTON (AP) —' as cues)"
    )
    print(
        f"  layout predictions that could not be mapped to the raw text: {spans['layout_unmapped_predictions']}"
    )
    print(
        "  layout overlap precision by kind: "
        + ", ".join(
            f"{k} {v['count']}/{v['of']} ({100 * v['share']:.1f}%)"
            for k, v in spans["layout_precision_by_kind"].items()
        )
    )
    print(
        "\nCited sources (kinds cites/quotes in the body vs gold Source; micro; the match is defined in the docstring)"
    )
    by_name = sources["right"] - sources["right_by_span"] - sources["right_as_medium"]
    print(
        f"  precision {sources['precision']:.3f} ({sources['right']}/{sources['predicted']}: {sources['right_by_span']} by span, {sources['right_as_medium']} as medium, {by_name} by name)"
        f"  recall {sources['recall']:.3f} ({sources['gold_recalled']}/{sources['gold']})  F1 {sources['f1']:.3f}"
    )
    print(f"  predicted names that could not be mapped to the raw text: {sources['unmapped']}")
    print(
        f"  wire credits, counted apart: {sources['wire']}, of which {sources['wire_right']} name the metadata's wire agency"
    )
    print(
        "  most common false sources: "
        + ", ".join(f"{w!r} {n}" for w, n in sources["top_false_sources"])
    )
    for example in sources["false_examples"][:examples]:
        print(
            f"    {example['source']!r} [{example['kind']}, cue {example['cue']!r}] {example['article']}: {_clip(example['sentence'], 200)}"
        )
    print(
        f"\nTime per article: layout pass mean {timing['layout_mean']:.2f} ms, median {timing['layout_median']:.2f} ms, max {timing['layout_max']:.2f} ms;"
        f" raw pass mean {timing['raw_mean']:.2f} ms, median {timing['raw_median']:.2f} ms"
    )

    print(f"\nWire misses (agency not named as wire): {len(wire['misses'])}")
    for miss in wire["misses"]:
        print(
            f"  {miss['article']} [{miss['wire']}; {'named as source' if miss['as_source'] else 'not named at all'}]: {_clip(miss['evidence'])}"
        )
    print(f"Wire false alarms (no-wire article naming an agency): {len(wire['false_alarms'])}")
    for alarm in wire["false_alarms"]:
        for item in alarm["found"]:
            print(
                f"  {alarm['article']} [{item['source']} as {item['kind']}, cue {item['cue']!r}, {item['location']}]: {_clip(item['sentence'])}"
            )
    print(
        "\nMost common false-positive cues (layout): "
        + ", ".join(f"{w!r} {n}" for w, n in spans["top_false_positive_cues"])
    )
    print(
        "Most common missed gold cues (layout):    "
        + ", ".join(f"{w!r} {n}" for w, n in spans["top_missed_gold_cues"])
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Evaluate attribution extraction on PolNeAR and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "corpus", type=Path, help="the PolNeAR folder holding metadata.tsv, dev/ and train/"
    )
    parser.add_argument(
        "--split",
        choices=("dev", "train", "all"),
        default="dev",
        help="which split(s) to evaluate (default dev)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the figures as JSON instead of a table"
    )
    parser.add_argument(
        "--top",
        type=int,
        default=15,
        help="how many common false sources, false-positive and missed cue words to list",
    )
    parser.add_argument(
        "--examples",
        type=int,
        default=0,
        help="how many false sources to print with their sentence",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="evaluate only the first N articles of each split (a quick run)",
    )
    args = parser.parse_args(argv)
    if not (args.corpus / "metadata.tsv").exists():
        parser.error(f"no metadata.tsv in {args.corpus}")
    load_registry(), load_cues(), load_patterns()
    extract_attributions("Warm-up, he said.", [], [], "en")
    summaries = []
    for split in ("dev", "train") if args.split == "all" else (args.split,):
        articles = load_articles(args.corpus, split)[: args.limit]
        results = []
        for number, article in enumerate(articles, start=1):
            results.append(evaluate(article))
            if number % 100 == 0 or number == len(articles):
                print(f"{split}: {number}/{len(articles)} articles", file=sys.stderr)
        summaries.append(summarise(split, articles, results, args.top))
    if args.json:
        print(
            json.dumps(
                summaries if len(summaries) > 1 else summaries[0], indent=2, ensure_ascii=False
            )
        )
    else:
        for number, summary in enumerate(summaries):
            if number:
                print()
            print_table(summary, args.examples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
