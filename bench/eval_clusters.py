"""How well the audit groups copies and finds reused passages, on a labelled corpus built from real news.

The corpus is made of real articles (PolNeAR's US political news for stories, WMT22's documents
and their human translations for translations), changed in the ways syndication changes them, so
that the true groups are known:

- copy groups: an original and 1-4 copies at other outlets: word for word, with a header or a
  footer of the copying site, or lightly edited (a few words changed). One truth group each.
- writethru chains: A, then A' with its last third rewritten (paragraphs of an unrelated real
  article), then A'' with the middle third of A' rewritten, each at another outlet. Each version
  is a story of its own (A and A'' share a third): a cluster that holds two of them has chained.
- a shared quote paragraph: a paragraph of one real article (40+ words) put into three other,
  unrelated stories at other outlets. No copy group; one passage with four witnesses.
- an outlet's boilerplate box: six unrelated stories at one outlet, each opening and ending with
  the same widget lines ("Enter City and State or Zip Code", a 5-day forecast line). They must
  not form a cluster, their titles must not be the box, and the box is learned as boilerplate.
- translations: WMT22 documents and their human translations, at two outlets: one group each.
- every other article is a story of its own.

It audits the corpus into a fresh SQLite database (`provenance.audit.run_audit`), reads the audit as its
JSON (`audit_json`, schema provenance.audit/2) and prints:
pairwise precision, recall and F1 of "in one cluster" against "in one truth group", the adjusted
Rand index (NEWS-COPY reports 0.74 for MinHash and 0.937 for its best neural model), the largest
cluster, the clusters that join two writethru versions, the box's titles and whether it was learned,
and passage-cluster precision and recall: a passage cluster found is right when its witnesses
match a true passage's witnesses (Jaccard of the two article sets of at least 0.5), and a true
passage is found when a passage cluster matches it.

Run from the repository's root (--scale 0.1 makes a corpus of about 60 articles, a tenth of each part but the quote and the box):
    .venv/bin/python -m bench.eval_clusters ../shared/corpora [--json] [--seed 26] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from math import comb
from pathlib import Path
from typing import Any

from provenance.audit import audit_json, run_audit
from provenance.config import Settings
from provenance.knowledge import load_registry
from provenance.store import Store

BOX_TOP = ["Sunday, Jul 15th 2018 5-Day Forecast", "Enter City and State or Zip Code"]
BOX_BOTTOM = [
    "Comments are moderated and may take up to 24 hours to appear on the site, so please be patient and keep to the topic."
]
HEADERS = [
    "Lesen Sie auch unsere Analyse: Was der Streit für die Wahl bedeutet.",
    "Advertisement",
    "This story was republished with permission.",
]
FOOTERS = [
    "Copyright 2016 The Associated Press. All rights reserved.",
    "Follow us on social media for more stories like this one.",
]


@dataclass
class Story:
    """A real article: its title, paragraphs, outlet and publication date."""

    title: str
    paragraphs: list[str]
    outlet: str
    published: str
    language: str = "en"


@dataclass
class Corpus:
    """The records to ingest and what is true of them."""

    records: list[dict[str, Any]] = field(default_factory=list)
    group: dict[str, str] = field(default_factory=dict)
    """url -> truth group."""
    passages: list[set[str]] = field(default_factory=list)
    """each true passage: the urls of its witnesses."""
    writethru: list[list[str]] = field(default_factory=list)
    box_urls: list[str] = field(default_factory=list)

    def add(self, story: Story, url: str, group: str, text: list[str] | None = None) -> None:
        """One record, and its truth group."""
        self.records.append(
            {
                "url": url,
                "title": story.title,
                "text": "\n".join(text or story.paragraphs),
                "outlet": story.outlet,
                "published": story.published,
                "language": story.language,
            }
        )
        self.group[url] = group


def load_polnear(root: Path) -> list[Story]:
    """PolNeAR's articles of 250 words or more with their publishers and dates; one of each story
    (the corpus holds some twice, at times at two outlets).
    """
    meta = {
        row["filename"]: row
        for row in csv.DictReader((root / "metadata.tsv").open(encoding="utf-8"), delimiter="\t")
    }
    stories = []
    seen: set[str] = set()
    for path in sorted([*root.glob("train/text/*.txt"), *root.glob("dev/text/*.txt")]):
        row = meta.get(path.stem)
        parts = [
            part.strip() for part in path.read_text(encoding="utf-8").split("\n\n") if part.strip()
        ]
        if row is None or len(parts) < 7 or sum(len(p.split()) for p in parts[1:]) < 250:
            continue
        keys = {" ".join(part.casefold().split()) for part in parts[1:] if len(part.split()) > 8}
        if sum(key in seen for key in keys) * 4 >= len(
            keys
        ):  # a quarter of its paragraphs in an earlier article: the same story
            continue
        seen |= keys
        stories.append(
            Story(parts[0], parts[1:], f"{row['publisher']}.example", row["publication_date"])
        )
    return stories


def load_wmt_pairs(root: Path) -> list[tuple[Story, Story]]:
    """WMT22 news documents and their human translations."""
    pairs = []
    for path in sorted(root.glob("wmttest2022.*.xml")):
        for doc in ET.parse(path).getroot().iter("doc"):
            doc_id = doc.get("id", "")
            if not any(
                doc_id.startswith(prefix)
                for prefix in (
                    "welt.",
                    "lenta.",
                    "izvestiya.",
                    "dhnet.",
                    "lefigaro.",
                    "tagesschau",
                    "spiegel",
                    "faz",
                    "rt.",
                    "lesoir",
                    "lalibre",
                )
            ):
                continue
            src, ref = doc.find("src"), doc.find("ref")
            if src is None or ref is None:
                continue
            source = [" ".join(seg.text or "" for seg in p.iter("seg")) for p in src.iter("p")]
            target = [" ".join(seg.text or "" for seg in p.iter("seg")) for p in ref.iter("p")]
            if sum(len(p.split()) for p in source) < 150:
                continue
            outlet = doc_id.split(".")[0]
            pairs.append(
                (
                    Story(
                        source[0][:120],
                        source,
                        f"{outlet}.example",
                        "2022-06-01",
                        src.get("lang", ""),
                    ),
                    Story(
                        target[0][:120],
                        target,
                        f"translated-{outlet}.example",
                        "2022-06-02",
                        ref.get("lang", ""),
                    ),
                )
            )
    return pairs


def light_edit(paragraphs: list[str], rng: random.Random) -> list[str]:
    """The paragraphs with three words changed."""
    edited = list(paragraphs)
    for _ in range(3):
        index = rng.randrange(len(edited))
        words = edited[index].split()
        if len(words) > 3:
            words[rng.randrange(len(words))] = rng.choice(["also", "reportedly", "indeed", "still"])
            edited[index] = " ".join(words)
    return edited


def build(corpora: Path, seed: int, scale: float = 1.0) -> Corpus:
    """The labelled corpus; `scale` multiplies the number of copy groups, writethru chains,
    translations and single stories.
    """

    def scaled(count: int) -> int:
        return max(1, round(count * scale))

    rng = random.Random(seed)
    stories = load_polnear(corpora / "polnear")
    rng.shuffle(stories)
    pool = iter(stories)
    corpus = Corpus()
    for number in range(scaled(60)):  # copy groups
        story = next(pool)
        group = f"copy{number}"
        corpus.add(story, f"https://{story.outlet}/story/{number}", group)
        for copy in range(rng.randint(1, 4)):
            way = rng.choice(["exact", "header", "footer", "edit"])
            text = {
                "exact": story.paragraphs,
                "header": [rng.choice(HEADERS), *story.paragraphs],
                "footer": [*story.paragraphs, rng.choice(FOOTERS)],
                "edit": light_edit(story.paragraphs, rng),
            }[way]
            outlet = f"reposter{rng.randrange(40)}.example"
            corpus.add(
                Story(story.title, story.paragraphs, outlet, story.published),
                f"https://{outlet}/copy/{number}-{copy}",
                group,
                text,
            )
    for number in range(scaled(20)):  # writethru chains
        story, other = next(pool), next(pool)
        third = max(2, len(story.paragraphs) // 3)
        first = story.paragraphs
        second = first[: len(first) - third] + other.paragraphs[:third]
        last = second[:third] + other.paragraphs[third : 2 * third] + second[2 * third :]
        urls = []
        for version, (text, outlet) in enumerate(
            (
                (first, "wire.example"),
                (second, f"paper{number}a.example"),
                (last, f"paper{number}b.example"),
            )
        ):
            url = f"https://{outlet}/writethru/{number}/{version}"
            corpus.add(
                Story(story.title, text, outlet, story.published),
                url,
                f"writethru{number}-{version}",
                text,
            )
            urls.append(url)
        corpus.writethru.append(urls)
        corpus.passages.append(set(urls))  # the first third is in all three
        corpus.passages.append({urls[1], urls[2]})  # the rewritten third of A' is kept in A''
    source = next(pool)
    quote = next((p for p in source.paragraphs if 45 <= len(p.split()) <= 90), source.paragraphs[1])
    quoted = [f"https://{source.outlet}/quote-source"]
    corpus.add(source, quoted[0], "quote-source")
    for number in range(3):
        story = next(pool)
        text = story.paragraphs[:2] + [quote] + story.paragraphs[2:]
        url = f"https://quoter{number}.example/story"
        corpus.add(
            Story(story.title, text, f"quoter{number}.example", story.published),
            url,
            f"quoter{number}",
            text,
        )
        quoted.append(url)
    corpus.passages.append(set(quoted))
    for number in range(6):  # an outlet's boilerplate box
        story = next(pool)
        text = [*BOX_TOP, *story.paragraphs, *BOX_BOTTOM]
        url = f"https://boxnews.example/story/{number}"
        corpus.records.append(
            {
                "url": url,
                "text": "\n".join(text),
                "outlet": "boxnews.example",
                "published": story.published,
            }
        )
        corpus.group[url] = f"box{number}"
        corpus.box_urls.append(url)
    for number, (original, translated) in enumerate(
        load_wmt_pairs(corpora / "wmt22")[: scaled(30)]
    ):
        corpus.add(original, f"https://{original.outlet}/doc/{number}", f"translation{number}")
        corpus.add(translated, f"https://{translated.outlet}/doc/{number}", f"translation{number}")
    for number in range(scaled(150)):  # stories of their own
        story = next(pool)
        corpus.add(story, f"https://{story.outlet}/single/{number}", f"single{number}")
    return corpus


def pairs_of(groups: dict[str, str]) -> set[frozenset[str]]:
    """The pairs of items in one group."""
    members: dict[str, list[str]] = defaultdict(list)
    for item, group in groups.items():
        members[group].append(item)
    return {
        frozenset(pair) for items in members.values() for pair in combinations(sorted(items), 2)
    }


def adjusted_rand_index(truth: dict[str, str], found: dict[str, str]) -> float:
    """Hubert and Arabie's adjusted Rand index of two partitions of the same items."""
    items = sorted(truth)
    table = Counter((truth[item], found[item]) for item in items)
    sum_cells = sum(comb(count, 2) for count in table.values())
    sum_truth = sum(comb(count, 2) for count in Counter(truth[item] for item in items).values())
    sum_found = sum(comb(count, 2) for count in Counter(found[item] for item in items).values())
    expected = sum_truth * sum_found / comb(len(items), 2)
    maximum = (sum_truth + sum_found) / 2
    return (sum_cells - expected) / (maximum - expected) if maximum != expected else 1.0


def evaluate(corpus: Corpus, audit: dict[str, Any]) -> dict[str, Any]:
    """The figures of an audit of the corpus."""
    url_of = {row["article_id"]: row["url"] for row in audit["articles"]}
    found = {url: f"single:{url}" for url in corpus.group}
    for cluster in audit["clusters"]:
        for member in cluster["members"]:
            if member["url"] in found:
                found[member["url"]] = f"cluster:{cluster['id']}"
    truth_pairs, found_pairs = pairs_of(corpus.group), pairs_of(found)
    right = len(truth_pairs & found_pairs)
    precision = right / len(found_pairs) if found_pairs else 1.0
    recall = right / len(truth_pairs) if truth_pairs else 1.0
    chained = [
        cluster["id"]
        for cluster in audit["clusters"]
        if sum(
            1
            for chain in corpus.writethru
            for member in cluster["members"]
            if member["url"] in chain
        )
        >= 2
    ]
    passages = [
        {url_of.get(w["article_id"], "") for w in passage["witnesses"]}
        for passage in audit.get("passages", [])
    ]

    def matches(found_urls: set[str], true_urls: set[str]) -> bool:
        return (
            len(found_urls & true_urls) >= 2
            and len(found_urls & true_urls) / len(found_urls | true_urls) >= 0.5
        )

    right_passages = sum(
        1
        for found_urls in passages
        if any(matches(found_urls, true_urls) for true_urls in corpus.passages)
    )
    recalled = sum(
        1
        for true_urls in corpus.passages
        if any(matches(found_urls, true_urls) for found_urls in passages)
    )
    titles = {row["url"]: row["title"] for row in audit["articles"]}
    box_titles = sum(1 for url in corpus.box_urls if titles.get(url) in (*BOX_TOP, *BOX_BOTTOM))
    return {
        "articles": len(corpus.group),
        "truth_groups": len(set(corpus.group.values())),
        "clusters": len(audit["clusters"]),
        "largest_cluster": max((cluster["size"] for cluster in audit["clusters"]), default=0),
        "pairwise": {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(2 * precision * recall / (precision + recall), 4)
            if precision + recall
            else 0.0,
            "true_pairs": len(truth_pairs),
            "found_pairs": len(found_pairs),
        },
        "adjusted_rand_index": round(adjusted_rand_index(corpus.group, found), 4),
        "writethru_clusters_chained": len(chained),
        "relations": len(audit.get("relations", [])),
        "passages": {
            "found": len(passages),
            "right": right_passages,
            "precision": round(right_passages / len(passages), 4) if passages else None,
            "true": len(corpus.passages),
            "recalled": recalled,
            "recall": round(recalled / len(corpus.passages), 4),
        },
        "box": {
            "articles": len(corpus.box_urls),
            "titles_that_are_the_box": box_titles,
            "in_a_cluster": sum(1 for url in corpus.box_urls if found[url].startswith("cluster:")),
        },
    }


def main() -> int:
    """Build the corpus, audit it, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "corpora", type=Path, help="the shared corpora folder (polnear/ and wmt22/)"
    )
    parser.add_argument("--seed", type=int, default=26)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="size of the corpus against the full one (default 1.0, some 540 articles; 0.1 for a quick run)",
    )
    args = parser.parse_args()
    if not (args.corpora / "polnear" / "metadata.tsv").exists():
        parser.error(
            f"{args.corpora}/polnear/metadata.tsv not found: give the shared corpora folder"
        )
    corpus = build(args.corpora, args.seed, args.scale)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.jsonl"
        path.write_text(
            "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in corpus.records),
            encoding="utf-8",
        )
        store = Store(f"sqlite:///{folder}/eval.sqlite")
        started = time.perf_counter()
        audit = audit_json(run_audit(store, [str(path)], load_registry(), Settings(), workers=1))
        seconds = time.perf_counter() - started
        store.close()
    learned = next(
        (
            item["lines"]
            for item in audit.get("boilerplate", [])
            if item["outlet_key"] == "boxnews.example"
        ),
        [],
    )
    figures = evaluate(corpus, audit) | {"seconds": round(seconds, 1)}
    figures["box"]["lines_learned"] = learned
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        return 0
    pairwise, passages, box = figures["pairwise"], figures["passages"], figures["box"]
    print(
        f"labelled corpus: {figures['articles']} articles in {figures['truth_groups']} true groups; audit {figures['seconds']} s"
    )
    print(
        f"clusters {figures['clusters']}, largest {figures['largest_cluster']}; pairwise P {pairwise['precision']} R {pairwise['recall']} F1 {pairwise['f1']} "
        f"({pairwise['found_pairs']} pairs found, {pairwise['true_pairs']} true); ARI {figures['adjusted_rand_index']}"
    )
    print(
        f"writethru chains: clusters joining two versions {figures['writethru_clusters_chained']} of {len(corpus.writethru)}; relations between stories {figures['relations']}"
    )
    print(
        f"passages: {passages['found']} found, {passages['right']} right (P {passages['precision']}); {passages['recalled']} of {passages['true']} true ones found (R {passages['recall']})"
    )
    print(
        f"boilerplate box: {box['articles']} articles, {box['in_a_cluster']} in a cluster, {box['titles_that_are_the_box']} titled by the box; learned: {box['lines_learned']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
