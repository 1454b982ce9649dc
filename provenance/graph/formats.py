"""Renderings of a source chain: an indented tree for people, Graphviz DOT, and W3C PROV-JSON."""

from __future__ import annotations

from typing import Any

import graphviz
from prov.identifier import QualifiedName
from prov.model import PROV_TYPE, ProvDocument

from provenance.graph.chain import Chain, Hop, Node

PROV_NAMESPACE = ("pv", "urn:x-provenance:")
_PROV_DERIVATION = {
    "repost": "prov:Quotation",
    "duplicate": "prov:Quotation",
    "partial": "prov:Quotation",
    "reported": "prov:PrimarySource",
    "wire": "prov:PrimarySource",
}


def _clip(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(node: Node) -> str:
    facts = ", ".join(
        part
        for part in (node.source_kind and node.source_kind.replace("_", " "), node.country)
        if part
    )
    return f"{node.label}  [{facts}]" if facts else node.label


def _hop_lines(hop: Hop, node: Node, indent: str, last: bool) -> list[str]:
    branch = "└─" if last else "├─"
    lines = [f"{indent}{branch} {hop.kind} → {_describe(node)}   confidence {hop.confidence:.2f}"]
    inner = indent + ("   " if last else "│  ")
    lines += [f'{inner}│ evidence: "{_clip(sentence)}"' for sentence in hop.evidence]
    if hop.note:
        lines.append(f"{inner}│ note: {hop.note}")
    return lines


def chain_text(chain: Chain) -> str:
    """The chain as an indented tree along its main path, then the other hops and what is undecided."""
    article = chain.article
    lines = [
        f"Chain for #{article.id} {article.url or article.origin}: {article.title or '(untitled)'}"
    ]
    if not chain.path:
        return "\n".join(lines)
    lines.append(_describe(chain.nodes[chain.path[0]]))
    indent = ""
    for upstream, downstream in zip(chain.path, chain.path[1:]):
        hop = next(h for h in chain.hops if h.source == upstream and h.target == downstream)
        lines += _hop_lines(hop, chain.nodes[downstream], indent, True)
        indent += "   "
    others = [hop for hop in chain.hops if not hop.main]
    if others:
        lines.append("Also:")
        for hop in others:
            lines.append(
                f"  {_describe(chain.nodes[hop.source])} ─ {hop.kind} → {chain.nodes[hop.target].label}   confidence {hop.confidence:.2f}"
            )
            lines += [f'      evidence: "{_clip(sentence)}"' for sentence in hop.evidence]
            if hop.note:
                lines.append(f"      note: {hop.note}")
    if chain.undetermined:
        lines.append("Not determined:")
        lines += [f"  - {note}" for note in chain.undetermined]
    return "\n".join(lines)


def chain_dot(chain: Chain) -> str:
    """The chain as a Graphviz DOT digraph; main-path hops are drawn bold."""
    graph = graphviz.Digraph(
        f"chain_{chain.article.id}",
        graph_attr={"rankdir": "LR"},
        node_attr={"shape": "box", "fontname": "Helvetica"},
    )
    ids = {key: f"n{index}" for index, key in enumerate(chain.nodes)}
    for node in chain.nodes.values():
        shape = "note" if node.type in ("article", "page") else "box"
        kind = f"\n{node.source_kind.replace('_', ' ')}" if node.source_kind else ""
        graph.node(ids[node.key], f"{node.label}{kind}", shape=shape, tooltip=node.key)
    for hop in chain.hops:
        graph.edge(
            ids[hop.source],
            ids[hop.target],
            label=f"{hop.kind} ({hop.confidence:.2f})",
            style="bold" if hop.main else "dashed",
            tooltip=_clip("; ".join(hop.evidence), 500),
        )
    return str(graph.source)


def _prov_id(node: Node) -> str:
    safe = "".join(char if char.isalnum() or char in "-_." else "_" for char in node.key)
    return f"pv:{safe}"


def chain_prov(chain: Chain) -> ProvDocument:
    """The chain as a W3C PROV document: nodes are entities, sources also agents, hops derivations."""
    document = ProvDocument()
    document.add_namespace(*PROV_NAMESPACE)
    for node in chain.nodes.values():
        attributes: dict[QualifiedName | str, Any] = {
            "prov:label": node.label,
            "pv:nodeType": node.type,
        }
        if node.source_kind:
            attributes["pv:sourceKind"] = node.source_kind
        if node.url:
            attributes["pv:url"] = node.url
        entity = document.entity(_prov_id(node), attributes)
        if node.type == "source":
            agent = document.agent(
                f"{_prov_id(node)}_agent",
                {"prov:label": node.label, PROV_TYPE: "prov:Organization"},
            )
            document.wasAttributedTo(entity, agent)
    for hop in chain.hops:
        derivation: dict[QualifiedName | str, Any] = {
            "pv:kind": hop.kind,
            "pv:confidence": hop.confidence,
            "pv:evidence": " | ".join(hop.evidence),
            "pv:mainPath": hop.main,
        }
        if hop.kind in _PROV_DERIVATION:
            derivation[PROV_TYPE] = _PROV_DERIVATION[hop.kind]
        document.wasDerivedFrom(
            _prov_id(chain.nodes[hop.target]),
            _prov_id(chain.nodes[hop.source]),
            other_attributes=derivation,
        )
    return document


def chain_prov_json(chain: Chain) -> str:
    """The chain as PROV-JSON text."""
    return str(chain_prov(chain).serialize(format="json", indent=2))
