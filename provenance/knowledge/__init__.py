"""knowledge: what the tool knows beforehand and finds with it: the source registry, outlets,
attribution cues, attributions and quotations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports

if TYPE_CHECKING:
    from provenance.knowledge.attribution import (
        Cue,
        CueSet,
        Found,
        Sentence,
        extract_attributions,
        load_cues,
        parse_cues,
        sentences,
    )
    from provenance.knowledge.outlets import Outlet, host_of, identify_outlet, registered_domain
    from provenance.knowledge.quotes import (
        MAX_OPEN_QUOTES,
        SPEAKER_WINDOW,
        QuoteSpan,
        extract_quotes,
        find_quote_spans,
        fold_hyphenation,
        normalize_quote,
    )
    from provenance.knowledge.registry import Registry, SourceEntry, load_registry, parse_registry

__all__ = [
    "MAX_OPEN_QUOTES",
    "SPEAKER_WINDOW",
    "Cue",
    "CueSet",
    "Found",
    "Outlet",
    "QuoteSpan",
    "Registry",
    "Sentence",
    "SourceEntry",
    "extract_attributions",
    "extract_quotes",
    "find_quote_spans",
    "fold_hyphenation",
    "host_of",
    "identify_outlet",
    "load_cues",
    "load_registry",
    "normalize_quote",
    "parse_cues",
    "parse_registry",
    "registered_domain",
    "sentences",
]

if not TYPE_CHECKING:  # mypy reads the imports above: an __getattr__ would let it accept any name
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "attribution": (
                "Cue",
                "CueSet",
                "Found",
                "Sentence",
                "extract_attributions",
                "load_cues",
                "parse_cues",
                "sentences",
            ),
            "outlets": ("Outlet", "host_of", "identify_outlet", "registered_domain"),
            "quotes": (
                "MAX_OPEN_QUOTES",
                "SPEAKER_WINDOW",
                "QuoteSpan",
                "extract_quotes",
                "find_quote_spans",
                "fold_hyphenation",
                "normalize_quote",
            ),
            "registry": ("Registry", "SourceEntry", "load_registry", "parse_registry"),
        },
    )
