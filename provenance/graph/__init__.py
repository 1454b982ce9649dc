"""graph: what the stored links mean: source chains and their renderings, copy clusters, reused
passages, sources' use and quote traces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports

if TYPE_CHECKING:
    from provenance.graph.chain import (
        CHAIN_SCHEMA,
        MAX_COPY_DEPTH,
        Chain,
        Hop,
        LinksOf,
        Node,
        chain_json,
        chain_rows,
        source_chain,
        with_copies,
    )
    from provenance.graph.clusters import Cluster, Relation, clusters_of, relations_between
    from provenance.graph.formats import chain_dot, chain_prov, chain_prov_json, chain_text
    from provenance.graph.passages import PassageElsewhere, passages_elsewhere, reused_passages
    from provenance.graph.sources import SourceUse, source_uses
    from provenance.graph.trace import CHAINS_FOR, Appearance, Trace, trace_quote

__all__ = [
    "CHAINS_FOR",
    "CHAIN_SCHEMA",
    "MAX_COPY_DEPTH",
    "Appearance",
    "Chain",
    "Cluster",
    "Hop",
    "LinksOf",
    "Node",
    "PassageElsewhere",
    "Relation",
    "SourceUse",
    "Trace",
    "chain_dot",
    "chain_json",
    "chain_prov",
    "chain_prov_json",
    "chain_rows",
    "chain_text",
    "clusters_of",
    "passages_elsewhere",
    "relations_between",
    "reused_passages",
    "source_chain",
    "source_uses",
    "trace_quote",
    "with_copies",
]

if not TYPE_CHECKING:  # mypy reads the imports above: an __getattr__ would let it accept any name
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "chain": (
                "CHAIN_SCHEMA",
                "MAX_COPY_DEPTH",
                "Chain",
                "Hop",
                "LinksOf",
                "Node",
                "chain_json",
                "chain_rows",
                "source_chain",
                "with_copies",
            ),
            "clusters": ("Cluster", "Relation", "clusters_of", "relations_between"),
            "formats": ("chain_dot", "chain_prov", "chain_prov_json", "chain_text"),
            "passages": ("PassageElsewhere", "passages_elsewhere", "reused_passages"),
            "sources": ("SourceUse", "source_uses"),
            "trace": ("CHAINS_FOR", "Appearance", "Trace", "trace_quote"),
        },
    )
