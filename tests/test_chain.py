"""Source chains on the seeds: hops, evidence, confidence, order, storage and output formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from prov.model import ProvDocument

from provenance.audit.build import run_audit
from provenance.audit.html import render_report
from provenance.graph.chain import Chain
from provenance.graph.formats import chain_dot, chain_prov, chain_prov_json, chain_text
from provenance.ingest.lookup import chain_for
from provenance.ingest.run import ingest
from provenance.knowledge.registry import load_registry
from provenance.store.store import Store

from .conftest import MERKUR_TITLE, MERKUR_URL, SEED_003, SEEDS, seed_body_without_footer
from .helpers import flood_records, jsonl


def labels(chain: Chain, keys: list[str]) -> list[str]:
    """Node labels along a path."""
    return [chain.nodes[key].label for key in keys]


def hop(chain: Chain, source: str, target: str) -> Any:
    """The hop between two labelled nodes."""
    return next(
        h
        for h in chain.hops
        if chain.nodes[h.source].label == source and chain.nodes[h.target].label.startswith(target)
    )


def all_evidence(chain: Chain) -> str:
    """Every evidence sentence of the chain, joined."""
    return "\n".join(sentence for h in chain.hops for sentence in h.evidence)


@pytest.fixture
def seeded(store: Store) -> Store:
    """A store holding the five seeds."""
    ingest(store, [str(SEEDS)])
    return store


def test_003_kcna_spiegel_merkur_repost(seeded: Store) -> None:
    chain = chain_for(seeded, str(SEED_003))
    assert labels(chain, chain.path) == ["KCNA", "Der Spiegel", "merkur.de", f"#4 {SEED_003.name}"]
    evidence = all_evidence(chain)
    assert (
        "heißt es in einer von der staatlichen nordkoreanischen Nachrichtenagentur KCNA veröffentlichten Neujahrsbotschaft"
        in evidence
    )
    assert "Das schreibt unter anderem der Spiegel." in evidence
    assert (
        f"Информация на этой странице взята из источника: {MERKUR_URL}"
        in hop(chain, "merkur.de", "#4").evidence
    )
    assert [h.kind for h in chain.main_hops()] == ["reported", "cited", "repost"]
    assert {chain.nodes[h.source].label for h in chain.hops if not h.main} == {
        "Reuters",
        "tagesschau.de",
    }
    assert any("not determined" in note for note in chain.undetermined)


def test_000_kcna_spiegel_newsde(seeded: Store) -> None:
    chain = chain_for(seeded, "000")
    assert labels(chain, chain.path) == [
        "KCNA",
        "Der Spiegel",
        "#1 000_f710a17709038b17.txt (news.de)",
    ]
    assert (
        'Hintergrund des Schreibens ist laut "Spiegel" die militärische Lage im Sommer 2024.'
        in all_evidence(chain)
    )
    assert "Wie die staatliche nordkoreanische Nachrichtenagentur KCNA berichtet" in all_evidence(
        chain
    )
    kcna_to_spiegel = hop(chain, "KCNA", "Der Spiegel")
    assert kcna_to_spiegel.confidence < 0.6 and "inferred" in kcna_to_spiegel.note


def test_001_dpa_is_the_wire_behind_newsde(seeded: Store) -> None:
    chain = chain_for(seeded, "001")
    assert labels(chain, chain.path)[-2:] == ["dpa", "#2 001_2a1aee6f1fce36e3.txt (news.de)"]
    wire = hop(chain, "dpa", "#2")
    assert (wire.kind, wire.evidence) == ("wire", ["sba/loc/news.de/dpa"])
    assert "North Korean state media" in labels(chain, [h.source for h in chain.hops])


def test_002_kcna_rodong_sinmun_and_yonhap_cited(seeded: Store) -> None:
    chain = chain_for(seeded, "002")
    sources = {chain.nodes[h.source].label for h in chain.hops}
    assert {"KCNA", "Rodong Sinmun", "Yonhap"} <= sources
    assert any("the evidence does not order them" in note for note in chain.undetermined)


def test_004_kcna_tass_and_ap(seeded: Store) -> None:
    chain = chain_for(seeded, "004")
    sources = {chain.nodes[h.source].label for h in chain.hops}
    assert {"KCNA", "TASS", "AP"} <= sources
    assert "Weitere Quellen • AP" in all_evidence(chain)


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_no_image_credit_is_a_text_source(seeded: Store, seed: str) -> None:
    chain = chain_for(seeded, seed)
    sources = {chain.nodes[h.source].label for h in chain.hops}
    assert not sources & {
        "picture alliance",
        "KNS",
        "IMAGO",
        "ZUMA Press",
        "Sputnik",
        "Kristina Kormilitsyna",
    }
    assert "Copyright" not in all_evidence(chain) and "Bild:" not in all_evidence(chain)


def test_chain_is_stored_and_replaced(seeded: Store) -> None:
    chain_for(seeded, "003")
    chain = chain_for(seeded, "003")
    with seeded.reader() as reader:
        rows = reader.stored_chain(chain.article.id)
    assert [(row.from_node, row.to_node, row.kind) for row in rows[:3]] == [
        ("KCNA", "Der Spiegel", "reported"),
        ("Der Spiegel", "merkur.de", "cited"),
        ("merkur.de", f"#4 {SEED_003.name}", "repost"),
    ]
    assert len(rows) == len(chain.hops)


def test_stored_original_extends_the_chain_through_the_copy_link(
    store: Store, tmp_path: Path
) -> None:
    original = tmp_path / "merkur.jsonl"
    original.write_text(
        jsonl(
            [
                {
                    "url": MERKUR_URL,
                    "title": MERKUR_TITLE,
                    "text": seed_body_without_footer(),
                    "published": "2025-01-02",
                }
            ]
        ),
        encoding="utf-8",
    )
    ingest(store, [str(original), str(SEED_003)])
    chain = chain_for(store, "2")
    assert labels(chain, chain.path) == [
        "KCNA",
        "Der Spiegel",
        "#1 merkur.de",
        f"#2 {SEED_003.name}",
    ]
    copy_hop = hop(chain, "#1 merkur.de", "#2")
    assert copy_hop.kind == "repost" and copy_hop.confidence == 0.95


def test_text_tree_dot_and_prov(seeded: Store) -> None:
    chain = chain_for(seeded, "003")
    text = chain_text(chain).splitlines()
    assert text[1:3] == [
        "KCNA  [agency, KP]",
        "└─ reported → Der Spiegel  [outlet, DE]   confidence 0.80",
    ]
    dot = chain_dot(chain)
    ids = {chain.nodes[key].label: f"n{index}" for index, key in enumerate(chain.nodes)}
    assert dot.startswith("digraph chain_4 {")
    assert f'{ids["KCNA"]} -> {ids["Der Spiegel"]} [label="reported (0.80)"' in dot
    document = chain_prov(chain)
    restored = ProvDocument.deserialize(content=chain_prov_json(chain), format="json")
    assert restored == document
    derivations = json.loads(chain_prov_json(chain))["wasDerivedFrom"]
    assert len(derivations) == len(chain.hops)


def test_a_translation_hop_gives_its_alignment_score_and_no_hop_repeats_its_evidence(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "flood.jsonl"
    path.write_text(jsonl(flood_records()), encoding="utf-8")
    ingest(store, [str(path)])
    chain = chain_for(store, "https://www.quotidien.example/inondations")
    [translation] = [h for h in chain.hops if h.kind == "translation"]
    assert any(line.startswith("alignment score ") for line in translation.evidence)
    assert "Jaccard" not in chain_text(chain)
    assert all(len(h.evidence) == len(set(h.evidence)) for h in chain.hops)


def test_the_audit_names_a_translations_score_for_what_it_is(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "flood.jsonl"
    path.write_text(jsonl(flood_records()), encoding="utf-8")
    audit = run_audit(store, [str(path)], load_registry())
    [link] = audit.clusters[0].links
    assert (
        (link.kind, link.jaccard) == ("translation", None)
        and link.alignment_score is not None
        and link.alignment_score > 0
    )
    assert f"alignment {link.alignment_score:.2f}" in render_report(audit)
