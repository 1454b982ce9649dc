"""Synthetic news articles built from real sentences in ../shared/corpora, for the benchmarks in bench/.

Every article is made of 8-15 paragraphs of 2-4 sentences, sampled with a seeded RNG from
one language's pool of real sentences: English from PolNeAR and the census articles (plus
WMT22's English news references), German, French and Russian from the news documents of the
WMT22 test sets. Articles are kept between 300 and 900 words. Outlet domains are taken from
the corpora too (PolNeAR publishers, census publishers, WMT22 document ids).

By default each sentence is spliced: the start of one real sentence (cut at a random word)
joined to the end of another. The English pool holds ~34,000 sentences, so 100,000 articles
of ~35 whole sentences would use every sentence ~100 times; paragraphs of unrelated articles
would then share whole sentences, collide in the paragraph LSH, and the candidates per new
article would grow with the corpus (about 9.6 per article after 10,000 articles, against 0.7
when spliced). Real distinct news articles rarely share whole sentences, so splicing is the
closer model; `splice=False` keeps whole sentences, as a stress case.

Usage from another benchmark:

    from bench.corpus import DEFAULT_CORPUS, ArticleFactory, load_pools
    factory = ArticleFactory(load_pools(DEFAULT_CORPUS), seed=7)
    article = factory.article()

Run it from the repository's root to print a few sample articles and pool sizes:

    .venv/bin/python -m bench.corpus --corpus ../shared/corpora --count 3
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora"
"""The shared corpora beside the repository (``../shared/corpora`` from its root), where CI has them
too.
"""
# Share of articles in each language. The German, French and Russian pools hold only ~1,000
# news sentences (~20,000 words) each, so two articles in one of them share several sentences
# by chance, and among thousands of them many pairs reach the 20% containment of a "partial"
# copy. English (~34,000 sentences) carries the corpus so that articles stay mostly distinct;
# the other languages are kept at 1% each so their scripts and tokens are still exercised.
LANGUAGE_WEIGHTS = {"en": 0.97, "de": 0.01, "fr": 0.01, "ru": 0.01}
MIN_WORDS, MAX_WORDS = 300, 900
MIN_SENTENCE_WORDS, MAX_SENTENCE_WORDS = 5, 60
_NON_NEWS_ID = re.compile(r"^(ecommerce|social|t\d|en_|doc\d|doc_)", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"”’»)]?\s+(?=[\"“‘«(]?[A-ZÀ-ÖØ-ÞА-ЯЁ0-9])")
_WORD = re.compile(r"\w+", re.UNICODE)
_TLD = {"de": "de", "fr": "fr", "ru": "ru", "en": "com"}
# Footer lines that the packaged repost-marker patterns recognise, per language.
_URL_FOOTERS = {
    "en": "Source: {url}",
    "de": "Quelle: {url}",
    "fr": "Source : {url}",
    "ru": "Источник: {url}",
}
_OUTLET_FOOTERS = {
    "en": "This article was originally published at {outlet}.",
    "de": "Dieser Artikel erschien zuerst bei {outlet}.",
    "fr": "Cet article a été publié initialement sur {outlet}.",
    "ru": "Материал впервые опубликован на сайте {outlet}.",
}


@dataclass
class Pools:
    """Real sentences and outlet domains per language."""

    sentences: dict[str, list[str]] = field(default_factory=dict)
    outlets: dict[str, list[str]] = field(default_factory=dict)
    vocabulary: dict[str, list[str]] = field(default_factory=dict)

    def add(self, language: str, sentence: str) -> None:
        """Keep a sentence of a sensible length in its language's pool."""
        sentence = " ".join(sentence.split())
        if MIN_SENTENCE_WORDS <= len(sentence.split()) <= MAX_SENTENCE_WORDS:
            self.sentences.setdefault(language, []).append(sentence)

    def finish(self) -> Pools:
        """Drop duplicate sentences and build each language's word list for edits."""
        for language, sentences in self.sentences.items():
            unique = list(dict.fromkeys(sentences))
            self.sentences[language] = unique
            self.vocabulary[language] = sorted(
                {word for sentence in unique for word in _WORD.findall(sentence) if len(word) > 2}
            )
        for language in self.outlets:
            self.outlets[language] = sorted(set(self.outlets[language]))
        return self

    def summary(self) -> dict[str, dict[str, int]]:
        """Pool sizes per language."""
        return {
            lang: {
                "sentences": len(self.sentences[lang]),
                "outlets": len(self.outlets.get(lang, [])),
                "words": len(self.vocabulary[lang]),
            }
            for lang in sorted(self.sentences)
        }


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences at end punctuation followed by a capital."""
    return [part.strip() for part in _SENTENCE_BREAK.split(paragraph) if part.strip()]


def _add_wmt(pools: Pools, root: Path) -> None:
    """Sentences (<seg>) of the news documents in the WMT22 test sets, both sides."""
    for path in sorted((root / "wmt22").glob("*.xml")):
        for collection in ET.parse(path).getroot():
            if "biomedical" in (collection.get("id") or ""):
                continue
            for doc in collection.iter("doc"):
                doc_id = doc.get("id") or ""
                if _NON_NEWS_ID.match(doc_id):
                    continue
                prefix = re.split(r"[._]", doc_id)[0].lower()
                for side in doc:
                    language = side.get("lang") or ""
                    if language not in _TLD:
                        continue
                    if side.tag == "src":
                        pools.outlets.setdefault(language, []).append(f"{prefix}.{_TLD[language]}")
                    for seg in side.iter("seg"):
                        pools.add(language, seg.text or "")


def _add_polnear(pools: Pools, root: Path) -> None:
    """Sentences of the PolNeAR articles (their first line, the headline, is left out)."""
    for path in sorted((root / "polnear").glob("*/text/*.txt")):
        paragraphs = [
            line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
        for paragraph in paragraphs[1:]:
            for sentence in split_sentences(paragraph):
                pools.add("en", sentence)
    metadata = root / "polnear" / "metadata.tsv"
    if metadata.exists():
        with metadata.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                publisher = (row.get("publisher") or "").strip().lower()
                if publisher:
                    pools.outlets.setdefault("en", []).append(f"{publisher}.com")


def _add_census(pools: Pools, root: Path) -> None:
    """Sentences of the census articles (paragraphs are separated by ###)."""
    path = root / "census" / "census_articles.csv"
    if not path.exists():
        return
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            publisher = (row.get("publisher") or "").split("/")[0].strip().lower()
            if "." in publisher:
                pools.outlets.setdefault("en", []).append(publisher)
            for paragraph in (row.get("text") or "").split("###")[1:]:
                for sentence in split_sentences(paragraph):
                    pools.add("en", sentence)


def load_pools(root: Path = DEFAULT_CORPUS) -> Pools:
    """Sentence and outlet pools from WMT22, PolNeAR and the census articles under root."""
    if not root.is_dir():
        raise SystemExit(f"corpus folder not found: {root} (give --corpus, e.g. ../shared/corpora)")
    pools = Pools()
    _add_wmt(pools, root)
    _add_polnear(pools, root)
    _add_census(pools, root)
    pools.finish()
    missing = [language for language in LANGUAGE_WEIGHTS if not pools.sentences.get(language)]
    if missing:
        raise SystemExit(f"no sentences found for {', '.join(missing)} under {root}")
    return pools


@dataclass(frozen=True)
class Article:
    """A synthetic article: headline, body paragraphs one a line, language, outlet, URL and date."""

    title: str
    text: str
    language: str
    outlet: str
    url: str
    published: datetime

    @property
    def words(self) -> int:
        """Number of words in the body."""
        return len(self.text.split())

    def record(self) -> dict[str, Any]:
        """The JSONL record provenance ingests: url, title, text, published, outlet."""
        return {
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "published": self.published.isoformat(),
            "outlet": self.outlet,
        }

    def as_plain_text(self, footer: str | None = None) -> str:
        """Headline, body and an optional footer line, as a plain-text file would hold them."""
        return "\n".join([self.title, self.text] + ([footer] if footer else []))


class ArticleFactory:
    """Seeded maker of synthetic articles, their copies and their near-duplicates.

    Args:
        pools: sentence and outlet pools from load_pools.
        seed: the RNG seed; the same seed gives the same articles.
        splice: join the start of one real sentence to the end of another (True), or use whole sentences.
    """

    def __init__(self, pools: Pools, seed: int, splice: bool = True) -> None:
        self.pools = pools
        self.rng = random.Random(seed)
        self.splice = splice
        self.serial = 0
        self._languages = list(LANGUAGE_WEIGHTS)
        self._weights = [LANGUAGE_WEIGHTS[language] for language in self._languages]
        self._start = datetime(2016, 1, 1)

    def _sentence(self, language: str) -> str:
        sentences = self.pools.sentences[language]
        if not self.splice:
            return self.rng.choice(sentences)
        start, end = self.rng.choice(sentences).split(), self.rng.choice(sentences).split()
        return " ".join(
            start[: self.rng.randint(1, max(1, len(start) - 1))]
            + end[self.rng.randint(1, max(1, len(end) - 1)) :]
        )

    def _paragraph(self, language: str) -> str:
        return " ".join(self._sentence(language) for _ in range(self.rng.randint(2, 4)))

    def _body(self, language: str) -> str:
        paragraphs = [self._paragraph(language) for _ in range(self.rng.randint(8, 15))]
        while sum(len(p.split()) for p in paragraphs) < MIN_WORDS:
            paragraphs.append(self._paragraph(language))
        while sum(len(p.split()) for p in paragraphs) > MAX_WORDS and len(paragraphs) > 1:
            paragraphs.pop()
        return "\n".join(paragraphs)

    def _title(self, language: str) -> str:
        words = self.rng.choice(self.pools.sentences[language]).rstrip(".!?…").split()
        return " ".join(words[: self.rng.randint(6, 12)])

    def _url(self, outlet: str, title: str, published: datetime) -> str:
        self.serial += 1
        slug = "-".join(word.lower() for word in _WORD.findall(title)[:6]) or "article"
        return f"https://www.{outlet}/{published:%Y/%m}/{slug}-{self.serial:07d}"

    def article(self, language: str | None = None) -> Article:
        """A new article in a random (or the given) language."""
        language = language or self.rng.choices(self._languages, self._weights)[0]
        title = self._title(language)
        outlet = self.rng.choice(self.pools.outlets.get(language) or ["example.com"])
        published = self._start + timedelta(minutes=self.rng.randrange(6 * 365 * 24 * 60))
        return Article(
            title,
            self._body(language),
            language,
            outlet,
            self._url(outlet, title, published),
            published,
        )

    def republished(self, original: Article, body: str | None = None) -> Article:
        """The same story at another outlet, hours to days later, with the given (or the same) body."""
        choices = [
            outlet
            for outlet in self.pools.outlets.get(original.language, [])
            if outlet != original.outlet
        ] or ["example.org"]
        outlet = self.rng.choice(choices)
        published = original.published + timedelta(minutes=self.rng.randrange(30, 5 * 24 * 60))
        return Article(
            original.title,
            body if body is not None else original.text,
            original.language,
            outlet,
            self._url(outlet, original.title, published),
            published,
        )

    def footer(self, original: Article) -> str:
        """A repost-marker line naming the original by URL or by outlet, in its language."""
        if self.rng.random() < 0.5:
            return _URL_FOOTERS[original.language].format(url=original.url)
        return _OUTLET_FOOTERS[original.language].format(outlet=original.outlet)

    def edited(self, text: str, fraction: float, language: str) -> str:
        """The text with about `fraction` of its words replaced by other words of the language."""
        words = self.pools.vocabulary[language]
        lines = []
        for line in text.split("\n"):
            tokens = line.split(" ")
            for position in range(len(tokens)):
                if self.rng.random() < fraction:
                    tokens[position] = self.rng.choice(words)
            lines.append(" ".join(tokens))
        return "\n".join(lines)


@dataclass(frozen=True)
class Entry:
    """One JSONL record and what it is: ``original``, ``exact_copy`` or ``footer_copy`` of an
    earlier entry.
    """

    article: Article
    kind: str
    source: int | None
    footer: str | None = None

    def record(self) -> dict[str, Any]:
        """The JSONL record, with the footer line appended to the text for a footer copy."""
        record = self.article.record()
        if self.footer:
            record["text"] = f"{record['text']}\n{self.footer}"
        return record


def syndicated_stream(
    factory: ArticleFactory, count: int, exact_share: float = 0.05, footer_share: float = 0.05
) -> Iterator[Entry]:
    """`count` entries: originals, and copies of earlier originals at other outlets (exact, or with
    a footer).
    """
    kinds = ["exact_copy"] * round(count * exact_share) + ["footer_copy"] * round(
        count * footer_share
    )
    kinds += ["original"] * (count - len(kinds))
    factory.rng.shuffle(kinds)
    originals: list[tuple[int, Article]] = []
    for index, kind in enumerate(kinds):
        if kind == "original" or not originals:
            article = factory.article()
            originals.append((index, article))
            yield Entry(article, "original", None)
            continue
        source, original = factory.rng.choice(originals)
        copy = factory.republished(original)
        yield Entry(copy, kind, source, factory.footer(original) if kind == "footer_copy" else None)


def main() -> None:
    """Print pool sizes and a few sample articles."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of the shared corpora"
    )
    parser.add_argument("--count", type=int, default=3, help="sample articles to print")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    pools = load_pools(args.corpus)
    print(json.dumps(pools.summary(), indent=2))
    factory = ArticleFactory(pools, args.seed)
    for _ in range(args.count):
        article = factory.article()
        print(
            f"\n--- {article.language} {article.outlet} {article.words} words {article.url}\n{article.title}\n{article.text[:600]}..."
        )


if __name__ == "__main__":
    main()
