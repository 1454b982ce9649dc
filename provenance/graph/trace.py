"""Quote tracing: every article that carries a quote, in time order, with its source and the
inferred origin.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, deque
from dataclasses import dataclass, field
from itertools import combinations

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Levenshtein

from provenance.errors import InputError, NotFoundError
from provenance.graph.chain import source_chain
from provenance.knowledge.quotes import fold_hyphenation, normalize_quote
from provenance.knowledge.registry import Registry
from provenance.read.dates import publication_order, sort_key
from provenance.store.reader import StoreReader
from provenance.store.records import ArticleRecord, QuoteRecord
from provenance.store.store import Store
from provenance.translation.anchors import extract_anchors

MIN_QUERY_LETTERS = 6
CANDIDATES = 300
CHAINS_FOR = 10
RAREST_TERMS = 4
STEM = 6
_INFLECTION = 80.0
_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)
_INDEX_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Difference:
    """Words that differ between the query and an appearance: an inflection or a changed word."""

    query: str
    found: str
    kind: str


@dataclass
class Appearance:
    """One article carrying the quote.

    Args:
        article: the stored article.
        passage: the matching passage as it stands in the article.
        similarity: 1.0 for the exact words; lower for a variant.
        differences: the words that differ, each an inflection or a changed word.
        quote: the quotation (within quotation marks) that holds the passage, if any.
        speaker: who is quoted, where the article says so.
        source: the source the article attributes the quotation to.
        chain: the article's source chain, from its origin to the article, as labels.
        translation_of: for an article found through a translation link, not by its words: the
            article (an appearance) it translates or is translated by.
    """

    article: ArticleRecord
    passage: str
    similarity: float
    differences: list[Difference] = field(default_factory=list)
    quote: str | None = None
    speaker: str | None = None
    source: str | None = None
    source_sentence: str | None = None
    chain: list[str] = field(default_factory=list)
    translation_of: int | None = None

    @property
    def exact(self) -> bool:
        """Whether the article has the query's words exactly (after folding); a translation never
        has.
        """
        return not self.differences and self.translation_of is None


@dataclass
class Trace:
    """The answer to "where did this quote originate?"."""

    query: str
    normalized: str
    appearances: list[Appearance]
    first: Appearance | None
    first_reason: str
    origin: str | None
    origin_reason: str
    wordings: list[str]
    origin_speaker: str | None = None


def _tokens_with_spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Folded words of a (hyphenation-folded) text and their spans, folded as normalize_quote folds
    them.
    """
    words, spans = [], []
    for match in _TOKEN.finditer(text):
        word = match.group().casefold().replace("-", "").replace("'", "").replace("’", "")
        if word:
            words.append(word)
            spans.append(match.span())
    return words, spans


def search_terms(query: str) -> list[str]:
    """Index terms of a query, split as the index splits words: short words whole, longer ones cut
    to a six-letter stem (a prefix).
    """
    terms = []
    for word in _INDEX_WORD.findall(fold_hyphenation(query).casefold()):
        if len(word) < 3:
            continue
        terms.append(word if len(word) <= STEM else word[:STEM] + "*")
    return list(dict.fromkeys(terms))[:10]


def _leave_one_out(terms: list[str]) -> list[list[str]]:
    """Every set of terms that leaves one out, so that a passage with one changed word is still
    found.
    """
    if len(terms) <= 2:
        return []
    return [list(subset) for subset in combinations(terms, len(terms) - 1)]


def _differences(query: list[str], found: list[str]) -> list[Difference]:
    differences = []
    for opcode in Levenshtein.opcodes(query, found):
        if opcode.tag == "equal":
            continue
        left = query[opcode.src_start : opcode.src_end]
        right = found[opcode.dest_start : opcode.dest_end]
        for index in range(max(len(left), len(right))):
            a = left[index] if index < len(left) else ""
            b = right[index] if index < len(right) else ""
            kind = "inflection" if a and b and fuzz.ratio(a, b) >= _INFLECTION else "changed"
            differences.append(Difference(a, b, kind))
    return differences


def _window_starts(query: list[str], words: list[str]) -> set[int]:
    """Where a window aligned with the query could start: every place a query word occurs, shifted
    back.
    """
    positions: dict[str, list[int]] = {}
    for index, word in enumerate(query):
        positions.setdefault(word, []).append(index)
    return {
        max(0, place - offset)
        for place, word in enumerate(words)
        for offset in positions.get(word, ())
    }


def _best_window(query: list[str], words: list[str]) -> tuple[int, int] | None:
    """The span of paragraph words closest to the query, by word-level edit distance."""
    best: tuple[int, int, int] | None = None
    size = len(query)
    for start in _window_starts(query, words):
        for length in (size - 1, size, size + 1):
            if length < 1 or start + length > len(words):
                continue
            distance = Levenshtein.distance(query, words[start : start + length])
            if best is None or distance < best[0]:
                best = (distance, start, start + length)
    return (best[1], best[2]) if best is not None else None


def match_passage(
    query_words: list[str], paragraph: str
) -> tuple[str, float, list[Difference]] | None:
    """The passage of a paragraph that carries the query, its similarity and differing words, or
    None.
    """
    folded = fold_hyphenation(unicodedata.normalize("NFKC", paragraph))
    words, spans = _tokens_with_spans(folded)
    window = _best_window(query_words, words) if words else None
    if window is None:
        return None
    first, stop = window
    found = words[first:stop]
    differences = _differences(query_words, found)
    changed = sum(1 for difference in differences if difference.kind == "changed")
    if changed > len(query_words) // 4 or len(differences) >= len(query_words):
        return None
    passage = folded[spans[first][0] : spans[stop - 1][1]]
    return (
        passage,
        round(Indel.normalized_similarity(" ".join(query_words), " ".join(found)), 3),
        differences,
    )


def _validate(query: str) -> tuple[str, list[str]]:
    normalized = normalize_quote(query)
    if not normalized:
        raise InputError(
            'the quote is empty: give the words to trace, such as provenance trace "Blut, Leben und Tod"'
        )
    words = normalized.split()
    if sum(char.isalnum() for char in normalized) < MIN_QUERY_LETTERS or not any(
        len(word) >= 4 for word in words
    ):
        raise InputError(
            f"the quote {query!r} is too short to be meaningful: give at least {MIN_QUERY_LETTERS} letters and one word of 4 or more"
        )
    return normalized, words


def _enclosing_quote(
    article: ArticleRecord, passage: str
) -> tuple[int, str | None, str | None, str | None]:
    """Where the passage stands in the body, and the stored quotation that holds it: its text,
    speaker and source.
    """
    offset = fold_hyphenation(article.body).find(passage)
    for quote in article.quotes:
        if (offset >= 0 and quote.start <= offset < quote.end + 1) or normalize_quote(
            passage
        ) in quote.normalized:
            return (
                (offset if offset >= 0 else quote.start),
                quote.text,
                quote.speaker,
                quote.source_name,
            )
    return offset, None, None, None


def _source_sentence(article: ArticleRecord, source: str | None, offset: int) -> str | None:
    """The sentence crediting the source that stands nearest to the passage."""
    credits = [
        a
        for a in article.attributions
        if a.media
        and a.source_name == source
        and a.kind in ("quotes", "cites")
        and a.start is not None
    ]
    if not credits:
        return None
    return min(credits, key=lambda a: abs((a.start or 0) - offset)).sentence


def _best_passages(
    rows: list[tuple[int, int, str]],
    words: list[str],
    best: dict[int, tuple[str, float, list[Difference]]],
) -> None:
    for _paragraph_id, article_id, paragraph in rows:
        matched = match_passage(words, paragraph)
        if matched is not None and (article_id not in best or matched[1] > best[article_id][1]):
            best[article_id] = matched


def _appearances(reader: StoreReader, query: str, words: list[str]) -> list[Appearance]:
    terms = search_terms(query)
    best: dict[int, tuple[str, float, list[Difference]]] = {}
    rarest = sorted(terms, key=len, reverse=True)[:RAREST_TERMS]
    _best_passages(reader.search_paragraphs([rarest], CANDIDATES), words, best)
    if not any(not differences for _, _, differences in best.values()):
        for subset in _leave_one_out(terms):
            _best_passages(reader.search_paragraphs([subset], CANDIDATES // 3), words, best)
    articles = reader.articles(best)
    found = []
    for article_id, (passage, similarity, differences) in best.items():
        article = articles[article_id]
        offset, quote, speaker, source = _enclosing_quote(article, passage)
        found.append(
            Appearance(
                article,
                passage,
                similarity,
                differences,
                quote,
                speaker,
                source,
                _source_sentence(article, source, offset),
            )
        )
    return found


def _in_time_order(appearances: list[Appearance]) -> list[Appearance]:
    return sorted(appearances, key=lambda a: (*sort_key(a.article.publication), a.article.id))


def _first(appearances: list[Appearance]) -> tuple[Appearance | None, str]:
    dated = [a for a in appearances if a.article.publication is not None]
    if dated:
        first = dated[0]
        published = first.article.publication
        assert published is not None
        label = f"#{first.article.id}"
        tied = [
            a
            for a in dated[1:]
            if publication_order(
                published, a.article.publication or published, label, f"#{a.article.id}"
            ).earlier
            != "first"
        ]
        if tied:
            order = publication_order(
                published, tied[0].article.publication or published, label, f"#{tied[0].article.id}"
            )
            return None, f"not determined: {order.reason}"
        undated = len(appearances) - len(dated)
        note = f"; {undated} undated appearance(s) could be earlier" if undated else ""
        return first, f"the earliest dated appearance, published {published.text()}{note}"
    if len(appearances) == 1:
        return appearances[0], "the only appearance in the corpus; it has no publication date"
    return None, "no appearance has a publication date, so the first appearance cannot be told"


def _origin(
    appearances: list[Appearance], registry: Registry
) -> tuple[str | None, str | None, str]:
    """Who the quote comes from, by the quote's own attribution: the source (medium) its articles credit for it and the
    speaker they name; without either, the head of the articles' source chains. Returns (source, speaker, reason)."""
    sources = Counter(a.source for a in appearances if a.source)
    speakers = Counter(a.speaker for a in appearances if a.speaker)
    if sources:
        ranked = sorted(
            sources,
            key=lambda name: (-(registry.by_name(name) or _NONE).is_primary, -sources[name], name),
        )
        name = ranked[0]
        carriers = [a for a in appearances if a.source == name]
        relayed = [
            label for a in carriers for label in a.chain[1:-1] if a.chain and a.chain[0] == name
        ]
        via = f", as reported by {', '.join(dict.fromkeys(relayed))}" if relayed else ""
        quoted = Counter(a.speaker for a in carriers if a.speaker).most_common(1)
        said = f"; {quoted[0][0]} is quoted" if quoted else ""
        return (
            name,
            quoted[0][0] if quoted else None,
            f"{len(carriers)} of {len(appearances)} article(s) attribute the quote to {name}{via}{said}",
        )
    if speakers:
        speaker, count = speakers.most_common(1)[0]
        return (
            None,
            speaker,
            f"{count} of {len(appearances)} article(s) quote {speaker}; none credits a medium for the quote",
        )
    chained = Counter(a.chain[0] for a in appearances if len(a.chain) > 1)
    if chained:
        name, count = chained.most_common(1)[0]
        return (
            name,
            None,
            f"no article names a source or a speaker for the quote; {name} heads the source chain of {count} of them",
        )
    return (
        None,
        None,
        "no article names a source or a speaker for the quote and no source chain leads to one",
    )


def _translations(reader: StoreReader, appearances: list[Appearance]) -> list[Appearance]:
    """The articles that translate an appearance or that it translates, and theirs in turn, with the quotation that stands
    for the quote in each: the one sharing the most anchors (names, numbers) with it, else the one at the nearest place."""
    seen = {a.article.id for a in appearances}
    queue = deque(appearances)
    found: list[Appearance] = []
    while queue:
        appearance = queue.popleft()
        others = [
            link.copy_id if link.origin_id == appearance.article.id else link.origin_id
            for link in reader.links_of(appearance.article.id)
            if link.kind == "translation"
        ]
        others = [other for other in dict.fromkeys(others) if other not in seen]
        seen.update(others)
        for article in reader.articles(others).values():
            translated = _translated_appearance(appearance, article)
            found.append(translated)
            queue.append(translated)
    return found


def _translated_appearance(appearance: Appearance, article: ArticleRecord) -> Appearance:
    """An article that translates an appearance, with its quotation that renders the appearance's
    quote.
    """
    wording = appearance.quote or appearance.passage
    keys = {anchor.key for anchor in extract_anchors(wording, appearance.article.language)}
    where = _relative_place(appearance.article.body, wording)

    def fit(quote: QuoteRecord) -> tuple[int, float]:
        shared = len(
            keys & {anchor.key for anchor in extract_anchors(quote.text, article.language)}
        )
        return shared, -abs(quote.start / max(1, len(article.body)) - where)

    quote = max(article.quotes, key=fit, default=None)
    if quote is None:
        return Appearance(article, "", 0.0, translation_of=appearance.article.id)
    return Appearance(
        article,
        quote.text,
        0.0,
        quote=quote.text,
        speaker=quote.speaker,
        source=quote.source_name,
        translation_of=appearance.article.id,
    )


def _relative_place(body: str, passage: str) -> float:
    """Where a passage stands in a body, from 0 (its start) to 1 (its end)."""
    offset = fold_hyphenation(body).find(passage)
    return max(0, offset) / max(1, len(body))


class _NoEntry:
    is_primary = False


_NONE = _NoEntry()


def trace_quote(
    store: Store, query: str, registry: Registry, chains_for: int = CHAINS_FOR
) -> Trace:
    """Every article carrying a quote (exact or varied), in time order, with sources, chains and the
    inferred origin.
    """
    normalized, words = _validate(query)
    if store.count_articles() == 0:
        raise InputError("the database holds no articles: run 'provenance ingest' first")
    with store.reader() as reader:
        appearances = _in_time_order(_appearances(reader, query, words))
        if not appearances:
            raise NotFoundError(
                f"the quote {query!r} appears in none of the {store.count_articles():,} stored articles"
            )
        appearances = _in_time_order(appearances + _translations(reader, appearances))
        for appearance in appearances[:chains_for]:
            chain = source_chain(reader, appearance.article, registry)
            appearance.chain = [chain.nodes[key].label for key in chain.path]
        for appearance in appearances:
            _ = (appearance.article.quotes, appearance.article.attributions)
    first, first_reason = _first(appearances)
    origin, speaker, origin_reason = _origin(appearances, registry)
    wordings = list(
        dict.fromkeys(a.quote or a.passage for a in appearances if a.translation_of is None)
    )
    return Trace(
        query,
        normalized,
        appearances,
        first,
        first_reason,
        origin,
        origin_reason,
        wordings,
        speaker,
    )
