"""sketch: shingles and MinHash signatures of a whole batch of texts at once, and the LSH band keys
that find candidates among them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports

if TYPE_CHECKING:
    from provenance.sketch.fingerprint import (
        U32,
        U64,
        ShingledBatch,
        SketchParams,
        densify,
        merge_raw,
        shingle_batch,
        signature_bytes,
        signature_from_bytes,
        sorted_unique,
        text_signature,
        to_minhash,
    )
    from provenance.sketch.index import (
        BODY_NAMESPACE,
        NO_MEMBERS,
        PARAGRAPH_NAMESPACE,
        TRANSLATION_NAMESPACE,
        Banding,
        CandidateQuery,
        MemberParts,
        Members,
        rank_candidates,
    )

__all__ = [
    "BODY_NAMESPACE",
    "NO_MEMBERS",
    "PARAGRAPH_NAMESPACE",
    "TRANSLATION_NAMESPACE",
    "U32",
    "U64",
    "Banding",
    "CandidateQuery",
    "MemberParts",
    "Members",
    "ShingledBatch",
    "SketchParams",
    "densify",
    "merge_raw",
    "rank_candidates",
    "shingle_batch",
    "signature_bytes",
    "signature_from_bytes",
    "sorted_unique",
    "text_signature",
    "to_minhash",
]

if not TYPE_CHECKING:  # mypy reads the imports above: an __getattr__ would let it accept any name
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "fingerprint": (
                "U32",
                "U64",
                "ShingledBatch",
                "SketchParams",
                "densify",
                "merge_raw",
                "shingle_batch",
                "signature_bytes",
                "signature_from_bytes",
                "sorted_unique",
                "text_signature",
                "to_minhash",
            ),
            "index": (
                "BODY_NAMESPACE",
                "NO_MEMBERS",
                "PARAGRAPH_NAMESPACE",
                "TRANSLATION_NAMESPACE",
                "Banding",
                "CandidateQuery",
                "MemberParts",
                "Members",
                "rank_candidates",
            ),
        },
    )
