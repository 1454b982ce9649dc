"""Which syndicated copies ingest finds among real wire-story republications (the census corpus).

It turns each row of ``census_articles.csv`` (columns ``id, publisher, scrape_time, text``, paragraphs
separated by ``###``) into a JSONL record ``{"url": "https://<publisher>/census/<id>", "outlet", "text": the paragraphs}``
(the scrape time is not a publication date, so it is left out unless ``--scrape-time-as-date``
is given; without dates the tool must say the direction is undetermined), ingests the
file into a fresh temporary SQLite store with ``provenance.ingest.ingest`` (timed), and prints:

- every copy link: both articles, kind, Jaccard, containment both ways, direction and its reason,
  and the first shared passage of the link's evidence;
- the audit's copy clusters (one story and its copies, never chained) with their members, and the
  relations between stories (text one takes from another: partial copies);
- a crude, independent check of recall: every pair of rows whose full texts share word 8-gram
  shingles amounting to at least ``--min-overlap`` (default 0.3) of the smaller text's
  shingles, with the longest verbatim run (difflib), and whether the tool linked the pair. It
  also names links that this check does not flag.

Run from the repository's root (the census holds 32 rows; --limit N reads the first N only):
    .venv/bin/python -m bench.eval_syndication ../shared/corpora/census/census_articles.csv [--json] [--dump DIR] [--limit N]

``--dump DIR`` writes the JSONL it built to ``DIR/census.jsonl``, to run the CLI on it, e.g.
``provenance --db sqlite:////tmp/census.sqlite ingest DIR/census.jsonl``.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from provenance.config import Settings
from provenance.graph import Relation, clusters_of, relations_between
from provenance.ingest import IngestReport, ingest
from provenance.store import ArticleSummary, LinkRecord, Store

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Row:
    """One census article as the CSV gives it."""

    row_id: str
    publisher: str
    scrape_time: str
    paragraphs: list[str]

    @property
    def url(self) -> str:
        """The made-up URL the article is ingested under."""
        return f"https://{self.publisher}/census/{self.row_id}"

    @property
    def title(self) -> str:
        """The first paragraph, used as the title."""
        return self.paragraphs[0] if self.paragraphs else ""

    def record(self, scrape_time_as_date: bool = False) -> dict[str, str]:
        """The JSONL record ingest reads: the whole text, boilerplate included, as published."""
        record = {"url": self.url, "outlet": self.publisher, "text": "\n".join(self.paragraphs)}
        if scrape_time_as_date:
            record["published"] = self.scrape_time
        return record


@dataclass(frozen=True)
class TextPair:
    """Two rows whose texts overlap by the independent shingle check."""

    first: Row
    second: Row
    overlap: float
    longest_run: int


def read_rows(path: Path) -> list[Row]:
    """The CSV's rows, with paragraphs split on ``###`` and stripped."""
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Row(
                str(record["id"]).strip(),
                str(record["publisher"]).strip(),
                str(record["scrape_time"]).strip(),
                [part.strip() for part in str(record["text"]).split("###") if part.strip()],
            )
            for record in csv.DictReader(handle)
        ]


def write_jsonl(rows: Iterable[Row], path: Path, scrape_time_as_date: bool = False) -> None:
    """Write one JSON record per row."""
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row.record(scrape_time_as_date), ensure_ascii=False) + "\n")


def run_ingest(
    jsonl: Path, database: Path
) -> tuple[IngestReport, float, list[LinkRecord], dict[int, ArticleSummary]]:
    """Ingest the JSONL into a fresh store; the report, seconds taken, the links and the linked
    articles' metadata.
    """
    store = Store(f"sqlite:///{database}")
    try:
        start = time.perf_counter()
        report = ingest(store, [str(jsonl)], Settings())
        seconds = time.perf_counter() - start
        with store.reader() as reader:
            links = reader.all_links()
            articles = reader.article_summaries(
                [link.origin_id for link in links] + [link.copy_id for link in links]
            )
    finally:
        store.close()
    return report, seconds, links, articles


def shingles(text: str, size: int) -> set[tuple[str, ...]]:
    """Lowercased word n-grams of a text."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def longest_run(first: str, second: str) -> int:
    """Words in the longest passage two texts share verbatim (difflib, lowercased words)."""
    a, b = _WORD.findall(first.lower()), _WORD.findall(second.lower())
    match = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(
        0, len(a), 0, len(b)
    )
    return match.size


def overlapping_pairs(rows: Sequence[Row], size: int, threshold: float) -> list[TextPair]:
    """Pairs of rows sharing shingles worth at least ``threshold`` of the smaller text's shingles."""
    sets = {row.row_id: shingles("\n".join(row.paragraphs), size) for row in rows}
    pairs = []
    for first, second in combinations(rows, 2):
        a, b = sets[first.row_id], sets[second.row_id]
        if not a or not b:
            continue
        share = len(a & b) / min(len(a), len(b))
        if share >= threshold:
            pairs.append(
                TextPair(
                    first,
                    second,
                    share,
                    longest_run("\n".join(first.paragraphs), "\n".join(second.paragraphs)),
                )
            )
    return sorted(pairs, key=lambda pair: (-pair.overlap, pair.first.row_id, pair.second.row_id))


def clusters(
    links: Sequence[LinkRecord], ids: Sequence[int]
) -> tuple[list[list[int]], list[Relation]]:
    """The audit's copy clusters (provenance.graph.clusters_of: members assigned to a center, never chained) as sorted
    lists of article ids, largest first, and the relations between stories (partial copies)."""
    found = clusters_of(ids, links)
    return [sorted(cluster.members) for cluster in found], relations_between(found, links)


def _clip(text: str | None, limit: int) -> str:
    """The text on one line, cut to at most ``limit`` characters."""
    text = (text or "").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row_key(url: str | None) -> str:
    """The CSV id at the end of an article's made-up URL."""
    return (url or "").rsplit("/", 1)[-1]


def link_data(
    link: LinkRecord, articles: dict[int, ArticleSummary], rows: dict[str, Row]
) -> dict[str, Any]:
    """One link as plain data, with both articles named by CSV id and publisher."""

    def side(article_id: int) -> dict[str, Any]:
        """One end of the link."""
        article = articles[article_id]
        row = rows.get(_row_key(article.url))
        return {
            "article_id": article_id,
            "csv_id": row.row_id if row else None,
            "publisher": row.publisher if row else article.outlet,
            "title": _clip(article.title, 60),
        }

    passages = link.evidence.get("shared_passages") or []
    return {
        "origin": side(link.origin_id),
        "copy": side(link.copy_id),
        "kind": link.kind,
        "jaccard": link.jaccard,
        "containment_copy_in_origin": link.containment,
        "containment_origin_in_copy": link.reverse_containment,
        "direction": link.direction,
        "direction_reason": link.direction_reason,
        "first_shared_passage": passages[0] if passages else None,
    }


def print_links(found: Sequence[dict[str, Any]]) -> None:
    """Every link, one block each."""
    print(
        f"copy links ({len(found)}); C(c⊂o) = share of the copy's shingles in the origin, C(o⊂c) the reverse:"
    )
    for number, link in enumerate(found, start=1):
        o, c = link["origin"], link["copy"]
        print(
            f"  [{number}] {link['kind']:<9} J={link['jaccard']:.3f}  C(c⊂o)={link['containment_copy_in_origin']:.3f}  C(o⊂c)={link['containment_origin_in_copy']:.3f}  direction={link['direction']}"
        )
        print(
            f"      origin #{o['article_id']} csv {o['csv_id']:<6} {o['publisher']:<22} {o['title']!r}"
        )
        print(
            f"      copy   #{c['article_id']} csv {c['csv_id']:<6} {c['publisher']:<22} {c['title']!r}"
        )
        print(f"      reason:  {link['direction_reason']}")
        print(f"      passage: {_clip(link['first_shared_passage'], 200)!r}")


def print_clusters(
    groups: Sequence[list[int]], articles: dict[int, ArticleSummary], rows: dict[str, Row]
) -> None:
    """The copy clusters and their members."""
    print(f"clusters ({len(groups)}):")
    for number, group in enumerate(groups, start=1):
        print(f"  cluster {number} ({len(group)} articles)")
        for article_id in group:
            article = articles[article_id]
            row = rows.get(_row_key(article.url))
            print(
                f"      #{article_id:<3} csv {row.row_id if row else '?':<6} {row.publisher if row else article.outlet:<22} {_clip(article.title, 60)!r}"
            )


def print_recall_check(
    pairs: Sequence[TextPair], linked: dict[frozenset[str], str], size: int, threshold: float
) -> None:
    """The independent overlap pairs and whether each was linked."""
    print(
        f"crude independent recall check (NOT ground truth): pairs of rows whose full CSV texts share {size}-word shingles"
    )
    print(
        f"worth >= {threshold:.2f} of the smaller text's shingles; 'run' = longest verbatim passage in words (difflib)"
    )
    print(
        f"  {'csv a':<6} {'publisher a':<22} {'csv b':<6} {'publisher b':<22} {'overlap':>7} {'run':>5}  linked by tool"
    )
    for pair in pairs:
        kind = linked.get(frozenset((pair.first.row_id, pair.second.row_id)))
        print(
            f"  {pair.first.row_id:<6} {pair.first.publisher:<22} {pair.second.row_id:<6} {pair.second.publisher:<22} {pair.overlap:>7.3f} {pair.longest_run:>5}  {kind or 'NO'}"
        )
    found = sum(1 for pair in pairs if frozenset((pair.first.row_id, pair.second.row_id)) in linked)
    print(f"  linked {found} of {len(pairs)} pairs the check flags")


def main(argv: Sequence[str] | None = None) -> int:
    """Build the JSONL, ingest it, and print links, clusters and the recall check."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("csv", type=Path, help="census_articles.csv")
    parser.add_argument(
        "--json", action="store_true", help="also print a JSON object with all figures"
    )
    parser.add_argument(
        "--dump",
        type=Path,
        metavar="DIR",
        help="write the JSONL built from the CSV to DIR/census.jsonl",
    )
    parser.add_argument(
        "--scrape-time-as-date",
        action="store_true",
        help="treat the scrape time as the publication date (it is not)",
    )
    parser.add_argument(
        "--shingle",
        type=int,
        default=8,
        metavar="N",
        help="words per shingle in the independent check (default 8)",
    )
    parser.add_argument(
        "--min-overlap",
        type=float,
        default=0.3,
        metavar="SHARE",
        help="overlap of the smaller text that flags a pair (default 0.3)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="read only the first N rows of the CSV (a quick run)",
    )
    args = parser.parse_args(argv)
    if not args.csv.is_file():
        parser.error(f"{args.csv} is not a file")
    rows = read_rows(args.csv)[: args.limit]
    by_id = {row.row_id: row for row in rows}
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        write_jsonl(rows, args.dump / "census.jsonl", args.scrape_time_as_date)
        print(f"wrote {args.dump / 'census.jsonl'}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="eval-syndication-") as folder:
        jsonl = Path(folder) / "census.jsonl"
        write_jsonl(rows, jsonl, args.scrape_time_as_date)
        print(f"ingesting {len(rows)} articles into a fresh store in {folder}", file=sys.stderr)
        report, seconds, links, articles = run_ingest(jsonl, Path(folder) / "census.sqlite")
    found = [link_data(link, articles, by_id) for link in links]
    groups, relations = clusters(links, sorted(articles))
    linked = {
        frozenset((item["origin"]["csv_id"], item["copy"]["csv_id"])): item["kind"]
        for item in found
    }
    print(
        f"{args.min_overlap}-overlap check on {len(rows) * (len(rows) - 1) // 2} pairs",
        file=sys.stderr,
    )
    pairs = overlapping_pairs(rows, args.shingle, args.min_overlap)
    flagged = {frozenset((pair.first.row_id, pair.second.row_id)) for pair in pairs}
    unflagged = [
        item
        for item in found
        if frozenset((item["origin"]["csv_id"], item["copy"]["csv_id"])) not in flagged
    ]

    print(
        f"census syndication: {len(rows)} rows, {report.added} stored, {report.already_stored} already stored, {len(report.failures)} failures, "
        f"ingest {seconds:.2f} s ({seconds / max(1, report.read) * 1000:.0f} ms/article)"
    )
    print(
        f"links: {len(links)} {dict(sorted(report.links.items()))}; clusters: {len(groups)}; articles in a cluster: {sum(len(g) for g in groups)}"
    )
    for failure in report.failures:
        print(f"  failure: {failure.origin}: {failure.reason}")
    print()
    print_links(found)
    print()
    print_clusters(groups, articles, by_id)
    print(f"relations between stories ({len(relations)}):")
    for relation in relations:
        print(
            f"  {relation.source.replace(':', ' ').replace('article ', '#')} -> {relation.taker.replace(':', ' ').replace('article ', '#')}: {len(relation.links)} partial link(s), {'direction decided' if relation.determined else 'which took from which not determined'}"
        )
    print()
    print_recall_check(pairs, linked, args.shingle, args.min_overlap)
    print(
        f"  links the check does not flag: {len(unflagged)}"
        + "".join(
            f"\n    csv {item['origin']['csv_id']} ({item['origin']['publisher']}) - csv {item['copy']['csv_id']} ({item['copy']['publisher']}): {item['kind']}"
            for item in unflagged
        )
    )
    if args.json:
        print(
            json.dumps(
                {
                    "rows": len(rows),
                    "ingest": report.as_dict(),
                    "ingest_seconds": round(seconds, 3),
                    "links": found,
                    "clusters": [
                        [
                            {
                                "article_id": i,
                                "csv_id": _row_key(articles[i].url),
                                "publisher": by_id[_row_key(articles[i].url)].publisher
                                if _row_key(articles[i].url) in by_id
                                else articles[i].outlet,
                            }
                            for i in group
                        ]
                        for group in groups
                    ],
                    "recall_check": {
                        "shingle": args.shingle,
                        "min_overlap": args.min_overlap,
                        "pairs": [
                            {
                                "a": p.first.row_id,
                                "b": p.second.row_id,
                                "overlap": round(p.overlap, 4),
                                "longest_run": p.longest_run,
                                "linked": linked.get(frozenset((p.first.row_id, p.second.row_id))),
                            }
                            for p in pairs
                        ],
                        "links_not_flagged": [
                            [item["origin"]["csv_id"], item["copy"]["csv_id"]] for item in unflagged
                        ],
                    },
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
