"""Learning an outlet's boilerplate lines from a batch and taking them out of its new articles."""

from __future__ import annotations

from dataclasses import dataclass

from provenance.config import Settings
from provenance.ingest.preparation import outlet_of_document
from provenance.knowledge.registry import load_registry
from provenance.read.document import Document
from provenance.text.boilerplate import Learned, LineWitness

# ---- stage: learned boilerplate -----------------------------------------------------------


def outlet_key_of(document: Document, settings: Settings) -> str | None:
    """The key of the outlet that published a document, or None when no URL or name says."""
    outlet = outlet_of_document(document, load_registry(settings.sources_file))
    return outlet.key[:255] if outlet is not None else None


@dataclass(frozen=True)
class BoilerplateLessons:
    """What a batch teaches of its outlets' boilerplate: the lines known (learned before or now), by outlet; the new articles'
    line witnesses (their article ids as -1 - their index in the batch); and the lines learned now."""

    known: dict[str, set[int]]
    witnesses: list[LineWitness]
    learned: list[Learned]
