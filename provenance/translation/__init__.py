"""translation: translated copies across languages: language-independent anchors, their LSH keys,
and an order-aware alignment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports

if TYPE_CHECKING:
    from provenance.translation.alignment import (
        TRANSLATION_SCORE_THRESHOLD,
        AlignmentMeasures,
        AnchorAlignment,
        TranslationEvidence,
        align_anchors,
        anchors_match,
        compare_translation,
        measure_alignment,
        translation_direction,
        translation_score,
    )
    from provenance.translation.anchors import Anchor, base_language, extract_anchors
    from provenance.translation.keys import (
        FEATURE_REPLICAS,
        TRANSLATION_LSH_THRESHOLD,
        anchor_features,
        translation_banding,
        translation_keys,
        translation_signatures,
    )
    from provenance.translation.languages import MIN_SHARED_BANDS

__all__ = [
    "FEATURE_REPLICAS",
    "MIN_SHARED_BANDS",
    "TRANSLATION_LSH_THRESHOLD",
    "TRANSLATION_SCORE_THRESHOLD",
    "AlignmentMeasures",
    "Anchor",
    "AnchorAlignment",
    "TranslationEvidence",
    "align_anchors",
    "anchor_features",
    "anchors_match",
    "base_language",
    "compare_translation",
    "extract_anchors",
    "measure_alignment",
    "translation_banding",
    "translation_direction",
    "translation_keys",
    "translation_score",
    "translation_signatures",
]

if not TYPE_CHECKING:  # mypy reads the imports above: an __getattr__ would let it accept any name
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "alignment": (
                "TRANSLATION_SCORE_THRESHOLD",
                "AlignmentMeasures",
                "AnchorAlignment",
                "TranslationEvidence",
                "align_anchors",
                "anchors_match",
                "compare_translation",
                "measure_alignment",
                "translation_direction",
                "translation_score",
            ),
            "anchors": ("Anchor", "base_language", "extract_anchors"),
            "keys": (
                "FEATURE_REPLICAS",
                "TRANSLATION_LSH_THRESHOLD",
                "anchor_features",
                "translation_banding",
                "translation_keys",
                "translation_signatures",
            ),
            "languages": ("MIN_SHARED_BANDS",),
        },
    )
