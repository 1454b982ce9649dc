"""The click command group: parse, call one library function, format, map errors to exit codes."""

from __future__ import annotations

import atexit
import gc
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from provenance.config import (
    CUES_ENV,
    DB_ENV,
    DEFAULT_DB_PATH,
    PATTERNS_ENV,
    SOURCES_ENV,
    SPARK_MASTER_ENV,
    TOKEN_ENV,
    Settings,
    default_database_url,
)
from provenance.errors import InputError, ProvenanceError
from provenance.terminal import printable

if TYPE_CHECKING:
    from provenance.audit.model import Audit
    from provenance.store.store import Store

# Each command imports the library modules it needs when it runs: importing them all took 2.7 s
# on a 2-core machine, which `provenance --help` and a mistyped option need not wait for.

EXIT_COPY_FOUND = 1
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70
"""An error provenance did not foresee (sysexits' EX_SOFTWARE): never 1, which `check` gives for
"copy found".
"""

SUMMARY_ROWS = 20
"""Rows of each table that grows with the corpus in the printed summary of `audit`.

Printing every cluster and every article of the 100,000-article audit of bench/bench_audit.py
took 51.2 s and 270,440 lines; the full lists are in --json, --csv and --report.
"""


class ProvenanceGroup(click.Group):
    """A click group that turns every ProvenanceError into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, mapping library errors to one-line messages and anything unforeseen to
        exit 70.
        """
        # Nothing is left to free at exit: a last collection over SQLAlchemy's and the pipeline's
        # objects took 0.15-0.2 s of each short command.
        atexit.register(gc.freeze)
        try:
            return super().invoke(ctx)
        except ProvenanceError as error:
            click.echo(f"Error: {printable(error.reason)}", err=True)
            ctx.exit(error.exit_code)
        except (KeyboardInterrupt, Terminated) as stop:
            code = stop.code if isinstance(stop, Terminated) else EXIT_INTERRUPTED
            _say_stopped(code)
            ctx.exit(code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as error:  # noqa: BLE001 - the last line of defence: one line, not a traceback
            if isinstance(ctx.obj, Context) and ctx.obj.debug:
                raise
            click.echo(
                f"Error: internal error: {type(error).__name__}: {_one_line(error)} (run with --debug for the traceback, and please report it)",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that transactions roll back and workers stop (a
    BaseException: no ``except Exception`` keeps it).
    """

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


STOP_SECONDS = 1.5
"""How long a stopped command may take to roll back and end its workers before it exits regardless.
"""
_stopping = threading.Event()


def _say_stopped(code: int) -> None:
    """The one line a stopped command prints (once)."""
    if not _stopping.is_set():
        _stopping.set()
        what = "interrupted" if code == EXIT_INTERRUPTED else "terminated"
        click.echo(
            f"Error: {what}; what was written is whole, and running the command again goes on from there",
            err=True,
        )


def _on_stop_signal(signum: int, _frame: FrameType | None) -> None:
    """Stop on SIGINT or SIGTERM: raise in the main thread, and exit anyway after STOP_SECONDS (a C call can hold the main thread).

    Exiting at once loses nothing: an uncommitted transaction is rolled back by SQLite's journal
    or by PostgreSQL when the connection drops, and the workers die with this process.
    """
    code = 128 + signum

    def exit_now() -> None:
        _say_stopped(code)
        os._exit(code)

    timer = threading.Timer(STOP_SECONDS, exit_now)
    timer.daemon = True
    timer.start()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(code)


def stop_on_signals(ctx: click.Context) -> None:
    """Handle SIGINT and SIGTERM while the command runs, and restore the handlers before when it
    ends.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    before = {
        number: signal.signal(number, _on_stop_signal) for number in (signal.SIGINT, signal.SIGTERM)
    }
    ctx.call_on_close(
        lambda: [signal.signal(number, handler) for number, handler in before.items()]
    )


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:300] + "…" if len(text) > 300 else text


class Context:
    """What the group's options give to every command: the database URL, settings and --debug."""

    def __init__(self, db_url: str | None, settings: Settings, debug: bool = False) -> None:
        self.db_url = db_url or default_database_url()
        self.is_default_db = db_url is None and not os.environ.get(DB_ENV)
        self.settings = settings
        self.debug = debug
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        """The database, opened (and migrated, or created) on first use."""
        return self._open(create=True)

    @property
    def bulk_store(self) -> Store:
        """The database for a bulk load, which first undoes a bulk load that did not finish (the
        batch engine checks the rest).
        """
        return self._open(create=True, current=False)

    @property
    def reader(self) -> Store:
        """The database for a read-only command: opened (and migrated) but never created."""
        return self._open(create=False)

    def _open(self, create: bool, current: bool = True) -> Store:
        """The database, opened once; unless `current` is False, refused while an upgrade's rebuild
        is pending.
        """
        if self._store is None:
            from provenance.store.store import Store

            if create and self.is_default_db:
                DEFAULT_DB_PATH.parent.mkdir(parents=True, exist_ok=True)
            self._store = Store(self.db_url, create=create)
        if current:
            self._store.require_current()
        return self._store

    def close(self) -> None:
        """Release the database connections, if the database was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None


@contextmanager
def progress_bar(label: str) -> Iterator[Progress]:
    """A progress bar on stderr, drawn only when stderr is a terminal."""
    console = Console(stderr=True)
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as progress:
        yield progress


STAGE_LABELS = {
    "ingest": "ingesting",
    "verify": "verifying candidate pairs",
    "statistics": "refreshing the database's statistics",
}
COUNTED_STAGES = {"ingest"}
"""The stages whose counts are articles, which the progress line adds up."""


def advance(progress: Progress, task: TaskID) -> Callable[[str, int], None]:
    """An on_progress callback that names the stage under way and counts the articles done."""
    return lambda stage, count: progress.update(
        task,
        description=STAGE_LABELS.get(stage, stage),
        advance=count if stage in COUNTED_STAGES else 0,
    )


class StderrLines(logging.Handler):
    """The library's warnings (a schema upgrade and its progress), each as one line on the current
    standard error.
    """

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"provenance: {record.getMessage()}", err=True)


LIBRARY_WARNINGS = StderrLines(logging.WARNING)


def show_library_warnings() -> None:
    """Print the library's warnings on stderr; the library itself logs to no handler of its own."""
    library = logging.getLogger("provenance")
    if LIBRARY_WARNINGS not in library.handlers:
        library.addHandler(LIBRARY_WARNINGS)


def echo_text(text: str) -> None:
    """Write text for people to stdout, with no control character of the data's (a title's escape
    sequence) left in.
    """
    click.echo(printable(text))


def echo_json(data: Any) -> None:
    """Write data as indented JSON to stdout."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(cls=ProvenanceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="provenance")
@click.option(
    "--db",
    "db_url",
    envvar=DB_ENV,
    default=None,
    metavar="URL",
    help=f"Database URL (default: ${DB_ENV} or sqlite:///db/provenance.sqlite).",
)
@click.option(
    "--patterns",
    "patterns_file",
    envvar=PATTERNS_ENV,
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Extra furniture and repost-marker patterns, a TOML file (or ${PATTERNS_ENV}).",
)
@click.option(
    "--sources",
    "sources_file",
    envvar=SOURCES_ENV,
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Extra registry sources, a TOML file (or ${SOURCES_ENV}).",
)
@click.option(
    "--cues",
    "cues_file",
    envvar=CUES_ENV,
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Extra attribution cues, a TOML file (or ${CUES_ENV}).",
)
@click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=Settings.max_file_bytes,
    show_default=True,
    metavar="BYTES",
    help="Refuse inputs larger than this: files, decompressed .gz, a WARC record's page, a fetched body.",
)
@click.option(
    "--allow-private-urls",
    is_flag=True,
    help="Fetch URLs on loopback and private addresses too (refused by default).",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Show the traceback of an unforeseen error (otherwise one line and exit 70).",
)
@click.pass_context
def cli(
    ctx: click.Context,
    db_url: str | None,
    patterns_file: Path | None,
    sources_file: Path | None,
    cues_file: Path | None,
    max_size: int,
    allow_private_urls: bool,
    debug: bool,
) -> None:
    """Find reposts, trace quotes and audit the provenance of news articles.

    \b
    Example:
        provenance ingest seeds/
        provenance check seeds/003_4153c0ff2f4fab2a.txt
    """
    show_library_warnings()
    stop_on_signals(ctx)
    settings = Settings(
        patterns_file=patterns_file,
        sources_file=sources_file,
        cues_file=cues_file,
        max_file_bytes=max_size,
        allow_private_urls=allow_private_urls,
    )
    ctx.obj = Context(db_url, settings, debug)
    ctx.call_on_close(ctx.obj.close)


@cli.command(name="ingest")
@click.argument("targets", nargs=-1, required=True, metavar="FILE|FOLDER|URL|-...")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of cores",
    help="Processes that prepare articles (at a lower priority than the one that writes).",
)
@click.option(
    "--bulk",
    is_flag=True,
    help="Load with the batch engine: the same articles and links, found for the whole input at once (faster for a corpus; an interrupted load starts over).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def ingest_command(
    obj: Context, targets: tuple[str, ...], workers: int, bulk: bool, as_json: bool
) -> None:
    """Store articles from files, folders (recursive), URLs or '-' (stdin).

    Reads plain text, HTML, JSONL and WARC(.gz). Articles already stored are
    skipped; a changed article at a known URL is stored as a new version.
    Exits 3 if any input could not be read (the others are stored).

    \b
    Example:
        provenance ingest seeds/ crawl.warc.gz https://example.org/a.html
        provenance ingest --bulk corpus/*.jsonl
    """
    from provenance import render as report
    from provenance.ingest.run import ingest

    load = ingest
    if bulk:
        from provenance.batch.engine import ingest_bulk

        load = ingest_bulk
    store = obj.bulk_store if bulk else obj.store
    with progress_bar("ingest") as progress:
        task = progress.add_task("ingesting", total=None)
        result = load(
            store,
            list(targets),
            obj.settings,
            on_progress=advance(progress, task),
            stdin=sys.stdin.buffer,
            workers=workers,
        )
    if as_json:
        echo_json(result.as_dict())
    else:
        echo_text(report.ingest_summary(result))
    for failure in result.failures:
        click.echo(printable(f"error: {failure.origin}: {failure.reason}"), err=True)
    for warning in result.warnings:
        click.echo(printable(f"warning: {warning.origin}: {warning.reason}"), err=True)
    if result.failures or result.warnings:
        sys.exit(3)


@cli.command(name="check")
@click.argument("target", metavar="FILE|URL|-")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON (schema provenance.check/2)."
)
@click.option(
    "--store", "store_it", is_flag=True, help="Also ingest the article after checking it."
)
@click.pass_obj
def check_command(obj: Context, target: str, as_json: bool, store_it: bool) -> None:
    """Is this article a repost? Of what, how much, and on what evidence.

    \b
    Verdicts (and exit codes):
      original    no stored article shares its text, no repost marker (0)
      copy        it copies an earlier stored article (duplicate, repost,
                  partial or translation), or a marker names its source (1)
      copied_by   stored articles copy it: it came first (0)
      same_text   it shares text with a stored article, and which came
                  first is not determined; the reason is given (0)
      stored      it is stored already as #N; its stored relations
                  follow (1 if it copies something, else 0)
    Other exit codes: 3 bad input, 4 database error (a missing database
    is never created: run ingest first). The database is not changed
    unless --store is given.

    \b
    Example:
        provenance check seeds/003_4153c0ff2f4fab2a.txt --json
    """
    from provenance import render as report
    from provenance.ingest.verdicts import check
    from provenance.knowledge.registry import load_registry

    store = obj.store if store_it else obj.reader
    results = check(store, target, obj.settings, stdin=sys.stdin.buffer)
    if as_json:
        echo_json(report.check_json(results, load_registry(obj.settings.sources_file)))
    else:
        echo_text(report.check_text(results))
    if any(result.database_empty for result in results):
        click.echo(
            "provenance: the database holds no articles yet: the verdict rests on the article's own markers only",
            err=True,
        )
    if store_it:
        from provenance.ingest.run import (
            store_checked,
        )  # the ingest's writer and worker pool: not for a check alone

        store_checked(store, results, obj.settings)
    if any(result.is_copy for result in results):
        sys.exit(EXIT_COPY_FOUND)


@cli.command(name="chain")
@click.argument("reference", metavar="ID|URL|FILE")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "dot", "prov-json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Same as --format json (schema provenance.chain/2)."
)
@click.pass_obj
def chain_command(obj: Context, reference: str, fmt: str, as_json: bool) -> None:
    """Show the chain from an article's earliest known source to the article.

    REFERENCE is a stored article's id, URL or file name (such as 003), or a
    file or URL, which is ingested first if it is not stored. Each hop has its
    kind, evidence and confidence; what the evidence does not decide is said.
    The chain is stored in the database.

    \b
    Example:
        provenance chain seeds/003_4153c0ff2f4fab2a.txt
        provenance chain 003 --format dot | dot -Tsvg > chain.svg
    """
    from provenance.graph.chain import chain_json
    from provenance.graph.formats import chain_dot, chain_prov_json, chain_text
    from provenance.ingest.lookup import chain_for

    chain = chain_for(obj.reader, reference, obj.settings)
    fmt = "json" if as_json else fmt
    if fmt == "json":
        echo_json(chain_json(chain))
    elif fmt == "dot":
        echo_text(chain_dot(chain))
    elif fmt == "prov-json":
        click.echo(chain_prov_json(chain))
    else:
        echo_text(chain_text(chain))


@cli.command(name="sources")
@click.option(
    "--all",
    "include_registry",
    is_flag=True,
    help="List every registry source, also those never named.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_obj
def sources_command(obj: Context, include_registry: bool, as_json: bool) -> None:
    """List the sources named in the stored articles: how often cited, credited as wire, or copied.

    Image credits are counted apart: they are not text sources.

    \b
    Example:
        provenance sources --json
    """
    from provenance import render as report
    from provenance.graph.sources import source_uses
    from provenance.knowledge.registry import load_registry

    uses = source_uses(obj.reader, load_registry(obj.settings.sources_file), include_registry)
    if as_json:
        echo_json(report.sources_json(uses))
        return
    echo_text(report.sources_table(uses))


@cli.command(name="trace")
@click.argument("quote")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the trace as JSON (schema provenance.trace/2)."
)
@click.pass_obj
def trace_command(obj: Context, quote: str, as_json: bool) -> None:
    """Where did this quote originate? Every article carrying it, in time order.

    Finds the quote in quotation marks or in the running text, and variants
    (inflection, a changed word, punctuation) with their differing words.
    Exit codes: 0 found, 3 an empty or too short quote or an empty database,
    6 the quote appears nowhere.

    \b
    Example:
        provenance trace "Blut, Leben und Tod"
        provenance trace "heldenhaften Einsatz" --json
    """
    from provenance import render as report
    from provenance.graph.trace import trace_quote
    from provenance.knowledge.registry import load_registry

    result = trace_quote(obj.reader, quote, load_registry(obj.settings.sources_file))
    if as_json:
        echo_json(report.trace_json(result))
    else:
        echo_text(report.trace_text(result))


@cli.command(name="quotes")
@click.argument("reference", metavar="ID|URL|FILE")
@click.option("--json", "as_json", is_flag=True, help="Print the quotations as JSON.")
@click.pass_obj
def quotes_command(obj: Context, reference: str, as_json: bool) -> None:
    """List the quotations found in a stored article, with speaker and source.

    \b
    Example:
        provenance quotes 003
    """
    from provenance import render as report
    from provenance.ingest.lookup import article_quotes

    article = article_quotes(obj.reader, reference)
    if as_json:
        echo_json(report.quotes_json(article))
    else:
        echo_text(report.quotes_text(article))


def _writable(path: Path) -> Path:
    """The path, if a file can be written there; a one-line error otherwise."""
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder")
    if not path.parent.exists():
        raise InputError(f"cannot write {path}: folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"cannot write {path}: permission denied")
    return path


def _writable_folder(folder: Path, kind: str = "CSV") -> Path:
    """A folder to write `kind` files into: it exists, or its parent does (it is made then); a
    one-line error otherwise.
    """
    if folder.exists() and not folder.is_dir():
        raise InputError(f"cannot write {kind} files to {folder}: it is a file, not a folder")
    if not folder.exists() and not folder.parent.is_dir():
        raise InputError(
            f"cannot write {kind} files to {folder}: folder {folder.parent} does not exist"
        )
    return folder


@cli.command(name="reindex")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print what was rebuilt as JSON (schema provenance.reindex/1).",
)
@click.pass_obj
def reindex_command(obj: Context, as_json: bool) -> None:
    """Rebuild the derived data a schema upgrade asked for: the LSH index, the passages of links.

    After an upgrade that changes how articles are indexed or aligned, every other command refuses
    the database until this has run. Each chunk of 2,000 articles or links is committed with how
    far it got: stop it (Ctrl-C) and run it again, and it goes on where it stopped.

    Example:
        provenance reindex
        PROVENANCE_DB=postgresql+psycopg://user@host/news provenance reindex --json
    """
    from provenance.ingest.rebuild import STEPS, reindex

    store = obj._open(create=False, current=False)

    def progress(step: str, done: int, total: int) -> None:
        click.echo(f"{STEPS[step]}: {done:,} of {total:,}", err=True)

    done = reindex(store, obj.settings, on_progress=progress)
    if as_json:
        echo_json({"schema": "provenance.reindex/1", "rebuilt": done})
    elif done:
        echo_text("; ".join(f"rebuilt {STEPS[step]}: {count:,}" for step, count in done.items()))
    else:
        echo_text("nothing to rebuild: the database is current")


@cli.command(name="list")
@click.option(
    "--q", "text", default=None, help="Only articles whose title, URL or file name holds this text."
)
@click.option(
    "--outlet", default=None, help="Only articles whose outlet, domain or URL holds this text."
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    default=None,
    help="Only articles published on or after this date (UTC).",
)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    default=None,
    help="Only articles published before this date (UTC).",
)
@click.option(
    "--page",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Which page of results.",
)
@click.option(
    "--per-page",
    type=click.IntRange(min=1, max=1000),
    default=50,
    show_default=True,
    help="Articles per page.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the page as JSON (schema provenance.articles/1)."
)
@click.pass_obj
def list_command(
    obj: Context,
    text: str | None,
    outlet: str | None,
    since: datetime | None,
    until: datetime | None,
    page: int,
    per_page: int,
    as_json: bool,
) -> None:
    """List the stored articles, newest first: id, publication time, outlet, title.

    \b
    Example:
        provenance list --outlet merkur.de --since 2022-08-01
        provenance list --q nordkorea --json
    """
    from provenance import render
    from provenance.knowledge.registry import load_registry

    with obj.reader.reader() as reader:
        total, articles = reader.find_articles(
            text, outlet, since, until, per_page, (page - 1) * per_page
        )
    if as_json:
        echo_json(
            render.articles_json(
                total, page, per_page, articles, load_registry(obj.settings.sources_file)
            )
        )
    else:
        echo_text(render.articles_text(total, page, per_page, articles))


@cli.command(name="show")
@click.argument("reference", metavar="ID|URL|FILE")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the article as JSON (schema provenance.article/1).",
)
@click.pass_obj
def show_command(obj: Context, reference: str, as_json: bool) -> None:
    """Show a stored article: its metadata, the articles it is linked to, its sources and passages found elsewhere.

    \b
    Example:
        provenance show 3
        provenance show https://www.merkur.de/politik/… --json
    """
    from provenance import render
    from provenance.ingest.lookup import show_article
    from provenance.knowledge.registry import load_registry

    view = show_article(obj.reader, reference)
    if as_json:
        echo_json(render.article_json(view, load_registry(obj.settings.sources_file)))
    else:
        echo_text(render.article_text(view))


@cli.command(name="forget")
@click.argument("reference", metavar="ID|URL|FILE")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print what was removed as JSON (schema provenance.forget/1).",
)
@click.pass_obj
def forget_command(obj: Context, reference: str, as_json: bool) -> None:
    """Remove a stored article and everything derived from it, in one transaction, and say what went.

    Its index keys, paragraphs and their search rows, attributions, quotes, links, passage
    witnesses, chain and outlet lines go with it. Other articles stay as they are.

    \b
    Example:
        provenance forget 3
    """
    from provenance import render
    from provenance.ingest.lookup import forget

    forgotten = forget(obj.reader, reference, obj.settings)
    if as_json:
        echo_json(render.forget_json(forgotten))
    else:
        echo_text(render.forget_text(forgotten))


@cli.command(name="serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 for every interface).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on.",
)
@click.pass_obj
def serve_command(obj: Context, host: str, port: int) -> None:
    """Serve the web app and the JSON API (read-only unless PROVENANCE_TOKEN is set).

    The API is described at /openapi.json and /docs. Writes (POST /api/ingest,
    DELETE /api/articles/ID) need the token as 'Authorization: Bearer TOKEN'.

    \b
    Example:
        provenance serve --port 8000
        PROVENANCE_TOKEN=secret provenance --db postgresql+psycopg://user@host/news serve --host 0.0.0.0
    """
    import uvicorn

    from provenance.serve.app import create_app

    app = create_app(obj.store, obj.settings, os.environ.get(TOKEN_ENV))
    mode = "read and write (token set)" if os.environ.get(TOKEN_ENV) else "read-only"
    click.echo(f"serving at http://{host}:{port}/, {mode} (Ctrl-C stops)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _audit_store(obj: Context, loads: bool, engine: str) -> Store:
    """The database an audit reads (with no inputs) or loads into."""
    if not loads:
        return obj.reader
    return obj.bulk_store if engine == "batch" else obj.store


def _audit_in_process(
    obj: Context, store: Store, targets: list[str], workers: int, engine: str
) -> Audit:
    from provenance.audit.build import run_audit
    from provenance.knowledge.registry import load_registry

    with progress_bar("audit") as progress:
        task = progress.add_task("ingesting", total=None)
        return run_audit(
            store,
            targets,
            load_registry(obj.settings.sources_file),
            obj.settings,
            workers,
            on_progress=advance(progress, task),
            stdin=sys.stdin.buffer,
            engine=engine,
        )


def _spark_audit(obj: Context, targets: list[str], parquet_dir: Path | None) -> Audit:
    """Audit on Spark (local[2], or PROVENANCE_SPARK_MASTER), load the result into the database and
    audit what it loaded.
    """
    try:
        from provenance.spark.job import run_spark_audit
    except ImportError as error:  # pragma: no cover - the spark extra is not installed
        raise InputError(
            f"the Spark engine needs pyspark: pip install 'provenance[spark]' ({error})"
        ) from error
    from provenance.audit.build import build_audit
    from provenance.knowledge.registry import load_registry

    store = obj.store
    with progress_bar("audit") as progress:
        task = progress.add_task("starting Spark", total=None)
        result = run_spark_audit(
            targets,
            obj.settings,
            master=os.environ.get(SPARK_MASTER_ENV, "local[2]"),
            parquet_dir=parquet_dir,
            store=store,
            on_progress=advance(progress, task),
        )
    from provenance.ingest.writer import IngestReport

    report = result.report or IngestReport()
    report.failures.extend(result.failures)
    return build_audit(store, load_registry(obj.settings.sources_file), report, targets)


@cli.command(name="audit")
@click.argument("targets", nargs=-1, required=False, metavar="[FILE|FOLDER|URL|-...]")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of cores",
    help="Processes that prepare articles (at a lower priority than the one that writes).",
)
@click.option(
    "--engine",
    type=click.Choice(["incremental", "batch", "spark"]),
    default="incremental",
    show_default=True,
    help="incremental: batch after batch, resumable; batch: the whole corpus at once, the same links, faster; spark: on Spark (the spark extra; see docs/spark.md).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(allow_dash=True, path_type=Path),
    default=None,
    help="Write a self-contained HTML report here ('-' for stdout).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(allow_dash=True, path_type=Path),
    default=None,
    help="Write the audit as JSON here ('-' for stdout; schema provenance.audit/2).",
)
@click.option(
    "--csv",
    "csv_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write articles, links, clusters, attributions and quotes as CSV files in this folder.",
)
@click.option(
    "--parquet",
    "parquet_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write articles, links, clusters, passages, attributions and quotes as Parquet files in this folder (--engine spark: the first four).",
)
@click.option(
    "--rows",
    type=click.IntRange(min=0),
    default=SUMMARY_ROWS,
    show_default=True,
    help="Rows of each long table (clusters, reposts, articles, undated, failures) in the printed summary; 0 for all.",
)
@click.pass_obj
def audit_command(
    obj: Context,
    targets: tuple[str, ...],
    workers: int,
    engine: str,
    report_path: Path | None,
    json_path: Path | None,
    csv_dir: Path | None,
    parquet_dir: Path | None,
    rows: int,
) -> None:
    """Audit a corpus: originals, copies and their clusters, who copies whom, sources, chains.

    Ingests what is not stored yet, then prints a summary. With the incremental
    engine, run it again after an interruption and it goes on where it stopped;
    the batch engine starts an interrupted load over. One bad file never stops
    the audit; it is listed with its reason. With no inputs, audits every article
    the database holds.

    \b
    Example:
        provenance audit seeds/
        provenance audit crawl/*.warc.gz --workers 2 --report audit.html --json audit.json --csv out/
        provenance audit --engine batch corpus/*.parquet --parquet out/
        provenance audit --report stored.html
    """
    from provenance.audit.csv import write_csv
    from provenance.audit.model import audit_json
    from provenance.audit.text import audit_tables

    to_stdout = [
        name
        for name, path in (("--report", report_path), ("--json", json_path))
        if path is not None and str(path) == "-"
    ]
    if len(to_stdout) > 1:
        raise click.UsageError("only one of --report and --json can write to stdout ('-')")
    for path in (report_path, json_path):
        if path is not None and str(path) != "-":
            _writable(path)
    for folder, kind in ((csv_dir, "CSV"), (parquet_dir, "Parquet")):
        if folder is not None:
            _writable_folder(folder, kind)
    if engine == "spark" and targets:
        store = obj.store
        audit = _spark_audit(obj, list(targets), parquet_dir)
        parquet_dir = None  # Spark wrote its tables
    else:
        store = _audit_store(obj, bool(targets), engine)
        audit = _audit_in_process(obj, store, list(targets), workers, engine)
    if report_path is not None:
        from provenance.audit.html import render_report

        page = render_report(audit)
        if str(report_path) == "-":
            click.echo(page)
        else:
            report_path.write_text(page, encoding="utf-8")
    if csv_dir is not None:
        write_csv(audit, store, csv_dir)
    if parquet_dir is not None:
        from provenance.audit.parquet import write_parquet

        write_parquet(audit, store, parquet_dir)
    if json_path is not None and str(json_path) == "-":
        echo_json(audit_json(audit))
    elif json_path is not None:
        json_path.write_text(
            json.dumps(audit_json(audit), ensure_ascii=False, indent=2, default=str),
            encoding="utf-8",
        )
    if to_stdout:
        return
    console = Console()
    for table in audit_tables(audit, rows or None):
        console.print(table)
