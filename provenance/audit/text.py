"""The audit as the tables `provenance audit` prints."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rich.table import Table
from rich.text import Text

from provenance.audit.model import Audit, Cluster, Passage, Relation, Story
from provenance.terminal import printable
from provenance.text.normalize import shorten


def _rows(table: Table, rows: list[tuple[Any, ...]]) -> Table:
    """Rows added as plain text: a title like ``[red]…`` is shown as written, not read as rich
    markup, and control characters are dropped.
    """
    for row in rows:
        table.add_row(
            *(Text(printable(str(cell))) if cell is not None else Text("—") for cell in row)
        )
    return table


T = TypeVar("T")


def _first_rows(
    table: Table, items: Sequence[T], limit: int | None, row: Callable[[T], tuple[Any, ...]]
) -> Table:
    """A table of the rows of the first `limit` items (all when None), captioned with how many it
    leaves out.
    """
    shown = items if limit is None else items[:limit]
    _rows(table, [row(item) for item in shown])
    if len(shown) < len(items):
        table.caption = f"{len(shown):,} of {len(items):,} shown: --rows 0 shows all; --json, --csv and --report list all"
    return table


CLUSTER_MEMBERS_SHOWN = 4


def _first_few(labels: list[str]) -> str:
    """The first few of a list of labels for the terminal, then how many more."""
    more = len(labels) - CLUSTER_MEMBERS_SHOWN
    return ", ".join(labels[:CLUSTER_MEMBERS_SHOWN]) + (f" +{more} more" if more > 0 else "")


def _first_members(cluster: Cluster) -> str:
    """A cluster's copies with their roles, the first few."""
    return _first_few(
        [
            f"#{member.article_id} {member.role}"
            for member in cluster.members
            if member.role != "origin"
        ]
    )


def _first_witnesses(passage: Passage) -> str:
    return _first_few([f"#{w.article_id}" for w in passage.witnesses])


def _story_label(story: Story) -> str:
    return (
        f"cluster {story.cluster_id} ({story.size})"
        if story.cluster_id is not None
        else f"#{story.article_id}"
    )


def _relation_how(relation: Relation) -> str:
    links = len(relation.links)
    largest = relation.largest_share
    share = f"up to {100 * largest.share:.0f}% of #{largest.article_id} found in the other"
    order = "" if relation.determined else "; which took from which is not determined"
    return f"{links} {'link' if links == 1 else 'links'}, {share}{order}"


def audit_tables(audit: Audit, rows: int | None = None) -> list[Table]:
    """The terminal summary of an audit as rich tables: counts, clusters, outlets, sources, undated, failures.

    Args:
        audit: the audit as build_audit makes it.
        rows: at most this many rows in each table that grows with the corpus (clusters, reposts,
            articles, undated articles, failures), largest clusters first; None for all.
    """
    undated = set(audit.undated)
    tables = [
        _rows(
            Table("counted", "number", title="Corpus"),
            [(name.replace("_", " "), value) for name, value in audit.counts.items()],
        ),
        _first_rows(
            Table("cluster", "size", "origin", "copies", "title", title="Clusters of copies"),
            audit.clusters,
            rows,
            lambda c: (
                c.id,
                c.size,
                f"#{c.origin.article_id}" if c.origin.determined else "not determined",
                _first_members(c),
                (c.title or "")[:60],
            ),
        ),
        _first_rows(
            Table(
                "source",
                "taken by",
                "how",
                "title of the source",
                title="Text one story takes from another (partial copies)",
            ),
            audit.relations,
            rows,
            lambda r: (
                _story_label(r.source),
                _story_label(r.taker),
                _relation_how(r),
                (r.source.title or "")[:50],
            ),
        ),
        _first_rows(
            Table("article", "copied from", "evidence", title="Reposts found by their markers"),
            audit.reposts_by_marker,
            rows,
            lambda r: (f"#{r.article_id}", r.copied_from, r.line[:80]),
        ),
        _first_rows(
            Table(
                "passage",
                "outlets",
                "witnesses",
                "first",
                "source",
                "text",
                title="Passages reused across outlets",
            ),
            audit.passages,
            rows,
            lambda p: (
                p.id,
                p.outlets,
                _first_witnesses(p),
                f"#{p.first.article_id}" if p.first.article_id else "not determined",
                p.source or "",
                shorten(p.text, 70),
            ),
        ),
        _first_rows(
            Table(
                "outlet",
                "lines",
                "for example",
                title="Boilerplate learned from the corpus (furniture in the outlet's articles)",
            ),
            audit.boilerplate,
            rows,
            lambda b: (b.outlet, len(b.lines), shorten(b.lines[0], 70)),
        ),
        _rows(
            Table("outlet", "copies published", title="Outlets that publish the most copies"),
            [(r.outlet, r.copies) for r in audit.top_copying_outlets],
        ),
        _rows(
            Table("outlet", "times copied", title="Outlets copied most"),
            [(r.outlet, r.copied) for r in audit.top_copied_outlets],
        ),
        _rows(
            Table("source", "kind", "cited", title="Sources cited most"),
            [(r.source, r.kind, r.cited) for r in audit.top_sources],
        ),
        _first_rows(
            Table("article", "role", "sources", "title", title="Articles and their sources"),
            audit.articles,
            rows,
            lambda row: (
                f"#{row.article_id}",
                row.role,
                ", ".join(row.sources),
                (row.title or "")[:50],
            ),
        ),
        _first_rows(
            Table("article", "title", title="Articles with no date"),
            [row for row in audit.articles if row.article_id in undated],
            rows,
            lambda row: (f"#{row.article_id}", (row.title or "")[:70]),
        ),
        _first_rows(
            Table("input", "reason", title="Could not be ingested"),
            audit.failures,
            rows,
            lambda f: (f.origin, f.reason),
        ),
    ]
    return [
        table
        for table in tables
        if table.row_count or table.title in ("Corpus", "Clusters of copies")
    ]
