"""An outlet's boilerplate, learned from its articles as passim's ``pboiler`` learns it from a series.

The patterns file knows what one page can show (share buttons, "Read more"). What only a corpus
shows is a line an outlet repeats in article after article: a weather widget, "Enter City and
State or Zip Code", a comment policy box. A short line (at most FURNITURE_MAX_WORDS words) held by
BOILERPLATE_ARTICLES articles of one outlet that are not copies of one another is that outlet's
boilerplate: later articles of the outlet keep it as furniture, so it links nothing, forms no
cluster or passage, and is never a title. Versions of one story at one outlet (linked by copy
links) do not count, so a wire paragraph an outlet repeats in its updates stays text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import xxhash

from provenance.text.normalize import FURNITURE_MAX_WORDS

BOILERPLATE_ARTICLES = 3
"""Independent articles of one outlet that must hold a line for it to be the outlet's boilerplate.
"""
MIN_WORDS = 2
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")


def line_key(line: str) -> int:
    """A line's hash for comparison (case and spacing folded), as a signed 64-bit integer for the
    database.
    """
    value = xxhash.xxh64_intdigest(" ".join(line.casefold().split()).encode("utf-8"))
    return value - (1 << 64) if value >= 1 << 63 else value


def short_lines(lines: Iterable[str]) -> dict[int, str]:
    """The lines short enough to be boilerplate, by their hash (the first of equal ones).

    A line needs MIN_WORDS words of two letters or more: a time ("12:30 p.m.") or a number that
    heads the entries of a live blog recurs in an outlet's articles, but it is their text's
    structure, not a box.
    """
    found: dict[int, str] = {}
    for line in lines:
        if (
            len(line.split()) <= FURNITURE_MAX_WORDS
            and len(_LETTER_WORD.findall(line)) >= MIN_WORDS
        ):
            found.setdefault(line_key(line), line)
    return found


@dataclass(frozen=True)
class LineWitness:
    """An article of an outlet holding a line, and whether it was independent of the earlier holders
    (no copy link to them).
    """

    outlet: str
    line_hash: int
    article_id: int
    independent: bool


@dataclass(frozen=True)
class Learned:
    """A line newly learned as an outlet's boilerplate."""

    outlet: str
    line_hash: int
    line: str
    articles: int


def learn(
    new: Sequence[tuple[str, int, Mapping[int, str]]],
    stored: Mapping[tuple[str, int], list[tuple[int, bool]]],
    copies: Callable[[int, int], bool],
    known: Mapping[str, set[int]],
) -> tuple[list[LineWitness], list[Learned]]:
    """The line witnesses new articles add, and the lines that become boilerplate with them.

    Args:
        new: each new article's outlet key, id (any int that stored ids are not, for one not stored yet), and short lines by hash.
        stored: the stored holders of those lines: (article id, independent) by (outlet, hash).
        copies: whether two articles (a new one and an earlier holder) are copies of each other: the later does not count.
        known: the lines already learned, by outlet: they are not counted again.
    """
    holders = {key: list(value) for key, value in stored.items()}
    witnesses: list[LineWitness] = []
    learned: dict[tuple[str, int], Learned] = {}
    for outlet, article_id, lines in new:
        for line_hash, line in lines.items():
            if line_hash in known.get(outlet, set()):
                continue
            earlier = holders.setdefault((outlet, line_hash), [])
            independent = not any(copies(article_id, holder) for holder, _ in earlier)
            earlier.append((article_id, independent))
            witnesses.append(LineWitness(outlet, line_hash, article_id, independent))
            count = sum(1 for _, free in earlier if free)
            if count >= BOILERPLATE_ARTICLES:
                learned[(outlet, line_hash)] = Learned(outlet, line_hash, line, count)
    return witnesses, list(learned.values())
