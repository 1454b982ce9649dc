"""Seconds per MB of preparing one article, as the article grows: is each stage linear in its size?

It builds one synthetic article of each size (--sizes, in MiB of UTF-8; default 0.25, 0.5, 1,
2, 4 and 8) and of each kind (--kinds):

- ``text``: a plain-text article of many paragraphs of quoted sentences with attributions, German
  and English mixed (``„…“, sagte Olaf Scholz der Nachrichtenagentur dpa.``, ``"…", said the
  minister, according to Reuters.``, nested quotes, ``Das schreibt die „Zeit“.``), made of real
  news sentences from ../shared/corpora (bench/corpus.py);
- ``html``: the same kind of text as a news page: a head with metadata and JSON-LD, navigation,
  an ``<article>`` of many ``<p>`` (with links and emphasis), a related-articles aside,
  comments and a footer;
- ``html_nested``: that page with its article wrapped in 200 ``<div>``s;
- ``html_unclosed``: that page with a ``<div>`` opened every ten paragraphs and never closed.

Each (kind, size) runs in a fresh process (so its peak memory is its own) and times, in turn:

- ``extract``: provenance.read.document_from_text or document_from_html (trafilatura);
- ``prepare``: provenance.ingest.prepare_document (layout split, language, attributions, quotes, anchors);
- ``sign``: Fingerprinter.sign (shingles, MinHash signature, LSH keys).

It prints each stage's seconds and seconds per MB, and the process's peak resident memory
up to the stage's end (and its growth over the process once the article was read; on Linux the
peak is counted afresh from there, so the warm-up is left out). A linear stage keeps its
seconds per MB as the size grows. A size whose run passes --max-seconds is stopped, and the
larger sizes of that kind are skipped; both are reported. Figures go to stdout (--json for
JSON), progress to stderr.

Run from the repository's root:
    .venv/bin/python -m bench.bench_article_size
    .venv/bin/python -m bench.bench_article_size --sizes 0.25,1,4 --kinds text --max-seconds 120
    .venv/bin/python -m bench.bench_article_size --sizes 0.05 --kinds text,html   # a quick run (the smoke test's)
    PYTHONPATH=/tmp/other-checkout:. .venv/bin/python -P -m bench.bench_article_size   # another version of provenance

(-P keeps the working folder off the path, so PYTHONPATH's provenance comes first; the other
version must have the sub-packages' public API this script imports.)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from html import escape
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from bench.corpus import DEFAULT_CORPUS, Pools, load_pools

MIB = 1024 * 1024
STAGES = ("extract", "prepare", "sign")
KINDS = ("text", "html", "html_nested", "html_unclosed")

SPEAKERS = {
    "de": (
        "Olaf Scholz",
        "Annalena Baerbock",
        "Friedrich Merz",
        "der Minister",
        "die Sprecherin",
        "Boris Pistorius",
        "Ursula von der Leyen",
    ),
    "en": (
        "the minister",
        "Joe Biden",
        "Keir Starmer",
        "a spokesman",
        "Antony Blinken",
        "the senator",
        "Emmanuel Macron",
    ),
}
MEDIA = {
    "de": ("dpa", "AFP", "Reuters", "„Spiegel“", "„Süddeutschen Zeitung“", "ARD", "„Bild“"),
    "en": ("Reuters", "AP", "AFP", "the BBC", "The New York Times", "Bloomberg", "CNN"),
}
QUOTE_FORMS = {
    "de": (
        "„{quote}“, sagte {speaker}.",
        "„{quote}“, sagte {speaker} der Nachrichtenagentur {medium}.",
        "{Speaker} sagte: „{quote}“",
        "„{quote}“, erklärte {speaker} laut {medium}.",
        "„{quote}“ Das schreibt die {medium}.",
        "Wie {medium} berichtete, betonte {speaker}: „{quote}“",
        "„{quote} ‚{inner}‘ {rest}“, sagte {speaker} am Montag.",
    ),
    "en": (
        '"{quote}", said {speaker}, according to {medium}.',
        "“{quote},” {speaker} told {medium}.",
        "{Speaker} said: “{quote}”",
        '"{quote}" {Speaker} said in a statement, {medium} reported.',
        "“{quote} ‘{inner}’ {rest},” {speaker} said on Monday.",
        'According to {medium}, {speaker} wrote: "{quote}"',
    ),
}
PLAIN_SHARE = 0.3
"""Share of sentences left unquoted."""
BOILERPLATE_LINKS = 120
"""Links in the page's navigation, related-articles aside and footer together."""
COMMENTS = 40


@dataclass
class ArticleMaker:
    """Synthetic news text of a given size, from real sentences, with quotes and attributions."""

    pools: Pools
    seed: int
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def sentence(self, language: str) -> str:
        """One real sentence of the language, perhaps quoted and attributed."""
        plain = self.rng.choice(self.pools.sentences[language])
        if self.rng.random() < PLAIN_SHARE:
            return plain
        speaker = self.rng.choice(SPEAKERS[language])
        words = plain.rstrip(".!?").split()
        cut = max(1, len(words) // 2)
        form = self.rng.choice(QUOTE_FORMS[language])
        return form.format(
            quote=plain.rstrip("."),
            inner=" ".join(words[:cut]),
            rest=" ".join(words[cut:]) or "so",
            speaker=speaker,
            Speaker=speaker[:1].upper() + speaker[1:],
            medium=self.rng.choice(MEDIA[language]),
        )

    def paragraph(self) -> str:
        """Two to six sentences of one language (German or English, half each)."""
        language = self.rng.choice(("de", "en"))
        return " ".join(self.sentence(language) for _ in range(self.rng.randint(2, 6)))

    def paragraphs(self, size: int) -> Iterator[str]:
        """Paragraphs until their UTF-8 bytes (with a newline each) reach `size`."""
        total = 0
        while total < size:
            paragraph = self.paragraph()
            total += len(paragraph.encode("utf-8")) + 1
            yield paragraph

    def text(self, size: int) -> str:
        """A plain-text article of about `size` bytes: headline, date line, paragraphs."""
        head = "Regierung und Opposition streiten über den Haushalt\n12.03.2024, 14:05 Uhr\n"
        return head + "\n".join(self.paragraphs(size - len(head.encode("utf-8"))))

    def html(self, size: int) -> str:
        """A news page of about `size` bytes: its article fills what the boilerplate leaves."""
        top, bottom = self.page_top(), self.page_bottom()
        room = size - len(top.encode("utf-8")) - len(bottom.encode("utf-8"))
        return top + "\n".join(self.html_paragraphs(room)) + bottom

    def html_nested(self, size: int) -> str:
        """The news page with its article wrapped in 200 ``<div>``s, as some page builders nest
        them.
        """
        top, bottom = self.page_top(), self.page_bottom()
        wrap_open, wrap_close = '<div class="wrap">' * 200, "</div>" * 200
        room = size - len((top + bottom + wrap_open + wrap_close).encode("utf-8"))
        return top + wrap_open + "\n".join(self.html_paragraphs(room)) + wrap_close + bottom

    def html_unclosed(self, size: int) -> str:
        """The news page with a ``<div>`` opened every ten paragraphs and never closed: nesting
        grows with the page.
        """
        top, bottom = self.page_top(), self.page_bottom()
        room = size - len((top + bottom).encode("utf-8"))
        paragraphs = list(self.html_paragraphs(room - room // 200))
        return (
            top
            + "\n".join(
                ('<div class="row">' if number % 10 == 0 else "") + paragraph
                for number, paragraph in enumerate(paragraphs)
            )
            + bottom
        )

    def html_paragraphs(self, size: int) -> Iterator[str]:
        """``<p>`` elements until their bytes reach `size`; some with a link or emphasis, a
        subheading now and then.
        """
        total = 0
        while total < size:
            paragraph = escape(self.paragraph(), quote=False)
            words = paragraph.split(" ")
            if len(words) > 8 and self.rng.random() < 0.3:
                at = self.rng.randrange(1, len(words) - 3)
                words[at : at + 2] = [
                    f'<a href="https://example.org/thema/{self.rng.randrange(10**6)}">{" ".join(words[at : at + 2])}</a>'
                ]
            if len(words) > 8 and self.rng.random() < 0.2:
                words[-3] = f"<em>{words[-3]}</em>"
            element = f"<p>{' '.join(words)}</p>"
            if self.rng.random() < 0.05:
                element = f"<h2>{escape(self.rng.choice(self.pools.sentences['en'])[:60])}</h2>\n{element}"
            total += len(element.encode("utf-8")) + 1
            yield element

    def links(self, count: int, prefix: str) -> str:
        """A list of `count` links with headline-like titles."""
        items = (
            f'<li><a href="https://www.example-news.de/{prefix}/{number}">{escape(self.rng.choice(self.pools.sentences["de"])[:70])}</a></li>'
            for number in range(count)
        )
        return "<ul>" + "".join(items) + "</ul>"

    def page_top(self) -> str:
        """Head (metadata, JSON-LD, styles), navigation and the article's header."""
        ld = json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": "Regierung und Opposition streiten über den Haushalt",
                "datePublished": "2024-03-12T14:05:00+01:00",
                "author": {"@type": "Person", "name": "Anna Beispiel"},
            }
        )
        return (
            '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
            "<title>Regierung und Opposition streiten über den Haushalt | Beispiel-Zeitung</title>"
            '<link rel="canonical" href="https://www.example-news.de/politik/haushalt-streit-123.html">'
            '<meta property="og:url" content="https://www.example-news.de/politik/haushalt-streit-123.html">'
            '<meta property="og:site_name" content="Beispiel-Zeitung">'
            '<meta property="article:published_time" content="2024-03-12T14:05:00+01:00">'
            f'<script type="application/ld+json">{ld}</script>'
            "<style>body{font-family:serif}.nav a{color:#333}</style>"
            "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}</script>"
            "</head><body>"
            f'<header><div class="logo">Beispiel-Zeitung</div><nav class="nav">{self.links(BOILERPLATE_LINKS // 3, "ressort")}</nav></header>'
            '<div class="cookie-banner">Wir verwenden Cookies, um Ihnen ein besseres Nutzererlebnis zu bieten. <button>Akzeptieren</button></div>'
            "<main><article>"
            "<h1>Regierung und Opposition streiten über den Haushalt</h1>"
            '<p class="byline">Von Anna Beispiel, <time datetime="2024-03-12T14:05:00+01:00">12.03.2024, 14:05 Uhr</time></p>\n'
        )

    def page_bottom(self) -> str:
        """The article's end, related articles, comments and the footer."""
        comments = "".join(
            f'<li class="comment"><b>Leser{number}</b><p>{escape(self.rng.choice(self.pools.sentences["de"]))}</p></li>'
            for number in range(COMMENTS)
        )
        return (
            '\n<p class="credit">Mit Material von dpa und AFP</p></article>'
            f'<aside class="related"><h3>Mehr zum Thema</h3>{self.links(BOILERPLATE_LINKS // 3, "mehr")}</aside>'
            f'<section id="comments"><h3>Kommentare</h3><ul>{comments}</ul></section></main>'
            f"<footer>{self.links(BOILERPLATE_LINKS - 2 * (BOILERPLATE_LINKS // 3), 'service')}<p>© 2024 Beispiel-Zeitung. Alle Rechte vorbehalten.</p></footer>"
            "</body></html>"
        )


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Start the peak (Linux's high-water mark of resident memory) afresh, at the present size,
    where the kernel allows it.
    """
    with contextlib.suppress(OSError):  # the peak then includes the warm-up
        Path("/proc/self/clear_refs").write_text("5")


def warm_up(extract: Callable[[str], Any], sample: str) -> None:
    """Run every stage once on a small article: compiled kernels, caches and lazy imports are ready
    before timing.
    """
    from provenance.config import Settings
    from provenance.ingest import Fingerprinter, prepare_document
    from provenance.text import load_patterns

    fingerprinter = Fingerprinter(Settings())
    fingerprinter.sign([prepare_document(extract(sample), load_patterns(), fingerprinter)])


def extractor(kind: str) -> Callable[[str], Any]:
    """The document_from_* function of a kind, with an origin (and URL) filled in."""
    from provenance.read import document_from_html, document_from_text

    if kind.startswith("html"):
        return lambda content: document_from_html(
            content, "bench.html", "https://www.example-news.de/politik/haushalt-streit-123.html"
        )
    return lambda content: document_from_text(content, "bench.txt")


def measure(kind: str, path: Path, sample: str, results: Connection) -> None:
    """In a fresh process: time each stage on the article in `path`, sending each stage's figures as
    it ends.
    """
    from provenance.config import Settings
    from provenance.ingest import Fingerprinter, prepare_document
    from provenance.text import load_patterns

    extract = extractor(kind)
    warm_up(extract, sample)
    fingerprinter = Fingerprinter(Settings())
    patterns = load_patterns()
    content = path.read_text(encoding="utf-8")
    reset_peak_rss()
    base_rss = psutil.Process().memory_info().rss / MIB
    results.send(("base", base_rss))
    start = time.perf_counter()
    document = extract(content)
    results.send(("extract", time.perf_counter() - start, peak_rss_mb()))
    start = time.perf_counter()
    prepared = prepare_document(document, patterns, fingerprinter)
    results.send(("prepare", time.perf_counter() - start, peak_rss_mb()))
    start = time.perf_counter()
    fingerprinter.sign([prepared])
    results.send(("sign", time.perf_counter() - start, peak_rss_mb()))
    results.send(
        (
            "counts",
            len(prepared.body),
            len(prepared.attributions),
            len(prepared.quotes),
            len(prepared.anchors or []),
        )
    )
    results.close()


def run_one(kind: str, path: Path, sample: str, max_seconds: float) -> dict[str, Any]:
    """The figures of one (kind, size) from a child process; stages not finished within max_seconds
    are marked cut.
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=measure, args=(kind, path, sample, sender), daemon=True)
    child.start()
    sender.close()
    figures: dict[str, Any] = {"stages": {}}
    deadline: float | None = None
    while True:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not receiver.poll(timeout):
            figures["cut_after_s"] = max_seconds
            break
        try:
            message = receiver.recv()
        except EOFError:
            break
        if message[0] == "base":
            figures["base_rss_mb"] = round(message[1], 1)
            deadline = (
                time.monotonic() + max_seconds
            )  # the budget counts from the article's first stage
        elif message[0] == "counts":
            (
                figures["body_chars"],
                figures["attributions"],
                figures["quotes"],
                figures["anchors"],
            ) = message[1:]
        else:
            figures["stages"][message[0]] = {
                "seconds": message[1],
                "peak_rss_mb": round(message[2], 1),
            }
    if child.is_alive():
        child.kill()
    child.join()
    if "cut_after_s" not in figures and len(figures["stages"]) < len(STAGES):
        figures["failed"] = f"child exited with code {child.exitcode}"
    return figures


def log(message: str) -> None:
    """Progress to stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def print_row(kind: str, size_mb: float, actual_mb: float, figures: dict[str, Any]) -> None:
    """One line per stage: seconds, seconds per MB and peak memory."""
    for stage in STAGES:
        found = figures["stages"].get(stage)
        if found is None:
            status = (
                f"cut after {figures['cut_after_s']:.0f} s"
                if "cut_after_s" in figures
                else figures.get("failed", "not run")
            )
            print(
                f"{kind:<13} {size_mb:>6} {actual_mb:>7.2f} {stage:<8} {'-':>9} {'-':>9} {'-':>9} {'-':>9}  {status}",
                flush=True,
            )
            continue
        growth = found["peak_rss_mb"] - figures["base_rss_mb"]
        print(
            f"{kind:<13} {size_mb:>6} {actual_mb:>7.2f} {stage:<8} {found['seconds']:>9.2f} {found['seconds'] / actual_mb:>9.2f} {found['peak_rss_mb']:>9.0f} {growth:>9.0f}",
            flush=True,
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="0.25,0.5,1,2,4,8", help="article sizes in MiB (default %(default)s)"
    )
    parser.add_argument(
        "--kinds",
        default="text,html",
        help=f"article kinds, of {', '.join(KINDS)} (default %(default)s)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=300.0,
        help="stop a size whose stages take longer than this, and skip the larger sizes of its kind (default %(default)s)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="folder of the shared corpora (default %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=25, help="RNG seed of the articles (default %(default)s)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON at the end")
    args = parser.parse_args(argv)
    sizes = sorted(float(value) for value in args.sizes.split(","))
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    if unknown := set(kinds) - set(KINDS):
        parser.error(
            f"--kinds: unknown {', '.join(sorted(unknown))} (give some of {', '.join(KINDS)})"
        )
    log(f"loading sentence pools from {args.corpus}")
    pools = load_pools(args.corpus)
    results: list[dict[str, Any]] = []
    skipped: list[str] = []
    print(
        f"{'kind':<13} {'MB':>6} {'actual':>7} {'stage':<8} {'seconds':>9} {'s/MB':>9} {'peak MB':>9} {'growth':>9}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            sample = getattr(ArticleMaker(pools, args.seed + 1), kind)(20_000)
            for number, size_mb in enumerate(sizes):
                content = getattr(ArticleMaker(pools, args.seed), kind)(int(size_mb * MIB))
                path = Path(folder) / f"article.{kind}"
                path.write_text(content, encoding="utf-8")
                actual_mb = len(content.encode("utf-8")) / MIB
                log(f"{kind} {size_mb} MB ({actual_mb:.2f} MiB)")
                figures = {
                    "kind": kind,
                    "size_mb": size_mb,
                    "actual_mb": round(actual_mb, 3),
                    **run_one(kind, path, sample, args.max_seconds),
                }
                results.append(figures)
                print_row(kind, size_mb, actual_mb, figures)
                if "cut_after_s" in figures or "failed" in figures:
                    skipped += [f"{kind} {larger} MB" for larger in sizes[number + 1 :]]
                    break
    if skipped:
        print(
            f"skipped (a smaller size was stopped at {args.max_seconds:.0f} s or failed): {', '.join(skipped)}",
            flush=True,
        )
    if args.json:
        print(json.dumps({"results": results, "skipped": skipped}, indent=2))


if __name__ == "__main__":
    main()
