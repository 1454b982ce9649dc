"""How well HTML ingest recovers article bodies, on the article-extraction-benchmark (AEB).

For each page ``html/<id>.html.gz`` with a truth in ``ground-truth.json`` it decodes the bytes
(``decode_bytes``), extracts with ``document_from_html(html, origin, url=truth url)`` and splits off
page furniture with ``prepare_document()``. It scores two texts against the truth ``articleBody``:

- ``body``: ``Prepared.body``, the text provenance fingerprints;
- ``raw``: ``Document.text``, trafilatura's main text before the furniture split.

The headline metric is bag-of-words precision, recall and F1 per page on lowercased ``\\w+``
tokens (multiset overlap), averaged over all pages; a page that fails counts as 0/0/0. For
comparison with the AEB leaderboard it also gives AEB's own metric (``evaluate.py`` there:
case-sensitive 4-word shingles, per-page normalised TP/FP/FN, mean P and mean R, F1 of the
means). It lists failures, the worst pages by F1, and the pages where the furniture split lost
the most recall, with the lines it removed that hold truth words; and how many pages gave a
publication time of day, a date only, or none (``--dates N`` lists a sample with what each page
states, to check by hand).

Run from the repository's root (--limit N scores the first N pages only):
    .venv/bin/python -m bench.eval_extraction ../shared/corpora/aeb [--json] [--worst 5] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from provenance.config import Settings
from provenance.errors import ExtractionError
from provenance.ingest import Fingerprinter, prepare_document
from provenance.read import decode_bytes, document_from_html
from provenance.text import PatternSet, load_patterns

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 of one extracted text against its truth."""

    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0


@dataclass
class PageResult:
    """Everything measured on one page."""

    page_id: str
    url: str
    body: Scores = field(default_factory=Scores)
    raw: Scores = field(default_factory=Scores)
    body_aeb: tuple[float, float, float] = (0.0, 0.0, 1.0)
    raw_aeb: tuple[float, float, float] = (0.0, 0.0, 1.0)
    error: str | None = None
    milliseconds: float = 0.0
    removed_truth_lines: list[tuple[str, str]] = field(default_factory=list)
    published: str | None = None
    precision: str = "unknown"
    date_evidence: list[str] = field(default_factory=list)


def words(text: str) -> list[str]:
    """Lowercased ``\\w+`` tokens, as the brief's bag-of-words metric uses."""
    return _WORD.findall(text.lower())


def bag_scores(predicted: str, truth: str) -> Scores:
    """Bag-of-words precision, recall and F1 of a predicted text against the truth."""
    pred, true = Counter(words(predicted)), Counter(words(truth))
    shared = sum((pred & true).values())
    precision = shared / sum(pred.values()) if pred else 0.0
    recall = shared / sum(true.values()) if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


def aeb_tp_fp_fn(predicted: str, truth: str, n: int = 4) -> tuple[float, float, float]:
    """TP, FP, FN over case-sensitive word 4-grams, normalised to sum 1, as AEB's evaluate.py does."""

    def grams(text: str) -> Counter[tuple[str, ...]]:
        """Counts of the text's word n-grams."""
        tokens = _WORD.findall(text)
        return Counter(
            tuple(tokens[i : i + n])
            for i in range(max(1, len(tokens) - n + 1))
            if tokens[i : i + n]
        )

    pred, true = grams(predicted), grams(truth)
    tp = float(sum((pred & true).values()))
    fp = float(sum((pred - true).values()))
    fn = float(sum((true - pred).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def aeb_metrics(triples: Sequence[tuple[float, float, float]]) -> Scores:
    """AEB's aggregate: mean precision and mean recall over pages, F1 of the two means."""

    def precision(tp: float, fp: float, fn: float) -> float:
        """AEB's precision_score."""
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        """AEB's recall_score."""
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = statistics.mean([precision(*t) for t in triples if t[0] + t[1] > 0] or [0.0])
    r = statistics.mean([recall(*t) for t in triples if t[0] + t[2] > 0] or [0.0])
    return Scores(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def removed_truth_lines(
    furniture: Sequence[tuple[str, str]], truth: str, min_share: float = 0.8
) -> list[tuple[str, str]]:
    """Furniture lines (kind, line) whose words are mostly in the truth body: body text the split
    removed.
    """
    true = Counter(words(truth))
    found = []
    for kind, line in furniture:
        line_words = Counter(words(line))
        if line_words and sum((line_words & true).values()) / sum(line_words.values()) >= min_share:
            found.append((kind, line))
    return found


def evaluate_page(
    page_id: str,
    html_path: Path,
    truth: dict[str, Any],
    patterns: PatternSet,
    fingerprinter: Fingerprinter,
) -> PageResult:
    """Decode, extract and split one page, and score body and raw text against its truth."""
    url, article = str(truth.get("url") or ""), str(truth.get("articleBody") or "")
    result = PageResult(page_id, url)
    start = time.perf_counter()
    try:
        html = decode_bytes(gzip.decompress(html_path.read_bytes()), str(html_path))
        document = document_from_html(html, str(html_path), url=url or None)
    except ExtractionError as error:
        result.milliseconds = (time.perf_counter() - start) * 1000
        result.error = f"extract: {error.bare_reason}"
        return result
    result.raw, result.raw_aeb = (
        bag_scores(document.text, article),
        aeb_tp_fp_fn(document.text, article),
    )
    if document.published is not None:
        result.published, result.precision = document.published.text(), document.published.precision
    result.date_evidence = date_evidence(html)
    try:
        prepared = prepare_document(document, patterns, fingerprinter)
    except ExtractionError as error:
        result.milliseconds = (time.perf_counter() - start) * 1000
        result.error = f"prepare: {error.bare_reason}"
        return result
    result.milliseconds = (time.perf_counter() - start) * 1000
    result.body, result.body_aeb = (
        bag_scores(prepared.body, article),
        aeb_tp_fp_fn(prepared.body, article),
    )
    furniture = [(line.kind, line.line) for line in prepared.layout.furniture]
    result.removed_truth_lines = removed_truth_lines(furniture, article)
    return result


_DATE_EVIDENCE = re.compile(
    r"""<meta[^>]+(?:property|name|itemprop)=["'](?:article:published_time|og:published_time|parsely-pub-date|sailthru\.date|date|pubdate|publishdate|dc\.date\.issued|datePublished)["'][^>]*>"""
    r"""|"datePublished"\s*:\s*"[^"]+"|<time[^>]+datetime=["'][^"']+["'][^>]*>""",
    re.IGNORECASE,
)


def date_evidence(html: str, limit: int = 4) -> list[str]:
    """The first publication-time statements in a page's HTML, as written, to check a page's time by
    hand.
    """
    return [" ".join(match.group(0).split())[:160] for match in _DATE_EVIDENCE.finditer(html)][
        :limit
    ]


def mean_scores(scores: Sequence[Scores]) -> Scores:
    """Per-page precision, recall and F1 averaged over pages."""
    if not scores:
        return Scores()
    return Scores(
        *(
            statistics.mean(getattr(s, name) for s in scores)
            for name in ("precision", "recall", "f1")
        )
    )


def summarise(results: Sequence[PageResult]) -> dict[str, Any]:
    """The figures of a run as plain data."""
    times = [r.milliseconds for r in results]
    lost = [r for r in results if r.error is None and r.raw.recall - r.body.recall > 0]
    return {
        "pages": len(results),
        "failures": [
            {"id": r.page_id, "url": r.url, "reason": r.error} for r in results if r.error
        ],
        "bag_of_words": {
            "body": asdict(mean_scores([r.body for r in results])),
            "raw": asdict(mean_scores([r.raw for r in results])),
        },
        "aeb_4gram": {
            "body": asdict(aeb_metrics([r.body_aeb for r in results])),
            "raw": asdict(aeb_metrics([r.raw_aeb for r in results])),
        },
        "ms_per_page": {
            "mean": statistics.mean(times) if times else 0.0,
            "median": statistics.median(times) if times else 0.0,
            "max": max(times, default=0.0),
        },
        "pages_where_split_lost_recall": len(lost),
        "pages_with_truth_lines_removed": sum(1 for r in results if r.removed_truth_lines),
        "publication_times": {
            "minute": sum(1 for r in results if r.precision == "minute"),
            "day": sum(1 for r in results if r.precision == "day"),
            "none": sum(1 for r in results if r.precision == "unknown"),
            "minute_without_zone": sum(
                1
                for r in results
                if r.precision == "minute"
                and r.published
                and r.published.endswith("(no time zone)")
            ),
        },
    }


def worst_by_f1(results: Sequence[PageResult], count: int) -> list[PageResult]:
    """The pages with the lowest body F1."""
    return sorted(results, key=lambda r: (r.body.f1, r.page_id))[:count]


def most_recall_lost(results: Sequence[PageResult], count: int) -> list[PageResult]:
    """The pages where the furniture split cost the most recall."""
    hurt = [r for r in results if r.error is None and r.raw.recall - r.body.recall > 0]
    return sorted(hurt, key=lambda r: (r.body.recall - r.raw.recall, r.page_id))[:count]


def _page_row(result: PageResult) -> dict[str, Any]:
    """One page's scores as plain data."""
    return {
        "id": result.page_id,
        "url": result.url,
        "body": asdict(result.body),
        "raw": asdict(result.raw),
        "error": result.error,
        "ms": round(result.milliseconds, 1),
        "published": result.published,
        "precision": result.precision,
        "removed_truth_lines": [
            {"kind": k, "line": line} for k, line in result.removed_truth_lines
        ],
    }


def _clip(text: str, limit: int) -> str:
    """The text cut to at most ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_report(summary: dict[str, Any], results: Sequence[PageResult], count: int) -> None:
    """The figures as a short table, then failures, worst pages and split losses."""
    print(
        f"article-extraction-benchmark: {summary['pages']} pages, {len(summary['failures'])} failures, "
        f"{summary['ms_per_page']['mean']:.1f} ms/page mean ({summary['ms_per_page']['median']:.1f} median, {summary['ms_per_page']['max']:.0f} max)"
    )
    print()
    print(f"{'metric':<28} {'text':<24} {'precision':>9} {'recall':>7} {'F1':>6}")
    for metric, label in (
        ("bag_of_words", "bag of words, mean/page"),
        ("aeb_4gram", "AEB 4-gram (leaderboard)"),
    ):
        for text, name in (("body", "Prepared.body (split)"), ("raw", "Document.text (raw)")):
            s = summary[metric][text]
            print(
                f"{label:<28} {name:<24} {s['precision']:>9.3f} {s['recall']:>7.3f} {s['f1']:>6.3f}"
            )
    print()
    print(
        "failures (scored P=R=F1=0 for the failing text):"
        if summary["failures"]
        else "failures: none"
    )
    for failure in summary["failures"]:
        print(f"  {failure['id']}  {failure['reason']}  {failure['url']}")
    print()
    print(f"{count} worst pages by body F1:")
    print(f"  {'id':<64} {'P':>5} {'R':>5} {'F1':>5} {'rawF1':>5}  url")
    for r in worst_by_f1(results, count):
        print(
            f"  {r.page_id:<64} {r.body.precision:>5.2f} {r.body.recall:>5.2f} {r.body.f1:>5.2f} {r.raw.f1:>5.2f}  {r.url}{'  [' + r.error + ']' if r.error else ''}"
        )
    print()
    print(
        f"furniture split: recall lower than raw on {summary['pages_where_split_lost_recall']} pages; "
        f"lines holding truth text removed on {summary['pages_with_truth_lines_removed']} pages. Most recall lost:"
    )
    for r in most_recall_lost(results, count):
        print(f"  {r.page_id}  recall {r.raw.recall:.3f} -> {r.body.recall:.3f}  {r.url}")
        for kind, line in r.removed_truth_lines[:4]:
            print(f"      removed as {kind}: {_clip(line, 110)!r}")
        if len(r.removed_truth_lines) > 4:
            print(f"      … {len(r.removed_truth_lines) - 4} more")
    kinds = Counter(kind for r in results for kind, _ in r.removed_truth_lines)
    print(f"  lines of truth text removed, by furniture kind: {dict(kinds.most_common())}")
    times = summary["publication_times"]
    print()
    print(
        f"publication times: {times['minute']} pages with a time of day ({times['minute_without_zone']} of them without a time zone), "
        f"{times['day']} with a date only, {times['none']} with none"
    )


def print_dates(results: Sequence[PageResult], count: int, seed: int) -> None:
    """A random sample of pages with the publication time read and the page's own statements of it,
    to check by hand.
    """
    sample = random.Random(seed).sample(
        [r for r in results if r.error is None], min(count, len(results))
    )
    print()
    print(
        f"{len(sample)} pages to check by hand (seed {seed}): the time read, then what the page states"
    )
    for r in sorted(sample, key=lambda r: r.page_id):
        print(f"  {r.page_id[:12]}  {r.published or 'none'}  [{r.precision}]  {r.url}")
        for line in r.date_evidence or [
            "(no meta, JSON-LD or <time> statement: the date is htmldate's guess)"
        ]:
            print(f"      {line}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "corpus", type=Path, help="the AEB folder holding ground-truth.json and html/"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="also print a JSON object with all figures and per-page scores",
    )
    parser.add_argument(
        "--worst", type=int, default=5, metavar="N", help="pages to list as worst (default 5)"
    )
    parser.add_argument(
        "--dates",
        type=int,
        default=0,
        metavar="N",
        help="list N random pages with their publication time and the page's statements of it, to check by hand",
    )
    parser.add_argument(
        "--seed", type=int, default=24, help="seed of the --dates sample (default 24)"
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="score only the first N pages, in id order (a quick run)",
    )
    args = parser.parse_args(argv)
    truth_path = args.corpus / "ground-truth.json"
    if not truth_path.exists():
        parser.error(f"{truth_path} not found: give the AEB folder")
    truths: dict[str, dict[str, Any]] = dict(
        sorted(json.loads(truth_path.read_text(encoding="utf-8")).items())[: args.limit]
    )
    patterns, fingerprinter = load_patterns(), Fingerprinter(Settings())
    results = []
    for number, (page_id, truth) in enumerate(sorted(truths.items()), start=1):
        html_path = args.corpus / "html" / f"{page_id}.html.gz"
        if not html_path.exists():
            results.append(
                PageResult(page_id, str(truth.get("url") or ""), error="missing: no html file")
            )
            continue
        results.append(evaluate_page(page_id, html_path, truth, patterns, fingerprinter))
        if number % 20 == 0 or number == len(truths):
            print(f"{number}/{len(truths)} pages", file=sys.stderr)
    summary = summarise(results)
    print_report(summary, results, args.worst)
    if args.dates:
        print_dates(results, args.dates, args.seed)
    if args.json:
        print(
            json.dumps(
                {
                    **summary,
                    "worst": [_page_row(r) for r in worst_by_f1(results, args.worst)],
                    "per_page": [_page_row(r) for r in results],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
