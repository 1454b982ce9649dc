"""match: verification of candidate pairs: overlap scores, the kind and direction of a copy, aligned
evidence, and clusters of reused passages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports

if TYPE_CHECKING:
    from provenance.match.compare import (
        FULL_COPY_KINDS,
        PASSAGE_GAP,
        PASSAGE_WORDS,
        Alignment,
        Direction,
        Facts,
        Overlap,
        SharedSpan,
        SourceMark,
        align,
        copy_kind,
        decide_direction,
        overlap,
        shared_spans,
        translated_passages,
        url_key,
    )
    from provenance.match.passages import (
        MIN_SPAN_OVERLAP,
        PassageChanges,
        PassageClusters,
        ReusedPassage,
        SpanPair,
        Witness,
        cluster_pairs,
    )

__all__ = [
    "FULL_COPY_KINDS",
    "MIN_SPAN_OVERLAP",
    "PASSAGE_GAP",
    "PASSAGE_WORDS",
    "Alignment",
    "Direction",
    "Facts",
    "Overlap",
    "PassageChanges",
    "PassageClusters",
    "ReusedPassage",
    "SharedSpan",
    "SourceMark",
    "SpanPair",
    "Witness",
    "align",
    "cluster_pairs",
    "copy_kind",
    "decide_direction",
    "overlap",
    "shared_spans",
    "translated_passages",
    "url_key",
]

if not TYPE_CHECKING:  # mypy reads the imports above: an __getattr__ would let it accept any name
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "compare": (
                "FULL_COPY_KINDS",
                "PASSAGE_GAP",
                "PASSAGE_WORDS",
                "Alignment",
                "Direction",
                "Facts",
                "Overlap",
                "SharedSpan",
                "SourceMark",
                "align",
                "copy_kind",
                "decide_direction",
                "overlap",
                "shared_spans",
                "translated_passages",
                "url_key",
            ),
            "passages": (
                "MIN_SPAN_OVERLAP",
                "PassageChanges",
                "PassageClusters",
                "ReusedPassage",
                "SpanPair",
                "Witness",
                "cluster_pairs",
            ),
        },
    )
