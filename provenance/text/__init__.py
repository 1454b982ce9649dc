"""text: normalised text, an article's body split from its page furniture and repost markers,
tokens, and outlets' learned boilerplate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance._lazy import lazy_exports

if TYPE_CHECKING:
    from provenance.text.boilerplate import (
        BOILERPLATE_ARTICLES,
        Learned,
        LineWitness,
        learn,
        line_key,
        short_lines,
    )
    from provenance.text.normalize import (
        FURNITURE_MAX_WORDS,
        HEADLINE_WORDS,
        FurnitureLine,
        Layout,
        Marker,
        PatternSet,
        as_headline,
        clean_text,
        has_words,
        headline_index,
        load_patterns,
        shorten,
        split_layout,
        text_lines,
        tokens,
    )
    from provenance.text.scanning import (
        StartScanner,
        matches_at,
        nested_repeat,
        required_strings,
        start_strings,
        written_in_lower_case,
    )

__all__ = [
    "BOILERPLATE_ARTICLES",
    "FURNITURE_MAX_WORDS",
    "HEADLINE_WORDS",
    "FurnitureLine",
    "Layout",
    "Learned",
    "LineWitness",
    "Marker",
    "PatternSet",
    "StartScanner",
    "as_headline",
    "clean_text",
    "has_words",
    "headline_index",
    "learn",
    "line_key",
    "load_patterns",
    "matches_at",
    "nested_repeat",
    "required_strings",
    "short_lines",
    "shorten",
    "split_layout",
    "start_strings",
    "text_lines",
    "tokens",
    "written_in_lower_case",
]

if not TYPE_CHECKING:  # mypy reads the imports above: an __getattr__ would let it accept any name
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "boilerplate": (
                "BOILERPLATE_ARTICLES",
                "Learned",
                "LineWitness",
                "learn",
                "line_key",
                "short_lines",
            ),
            "normalize": (
                "FURNITURE_MAX_WORDS",
                "HEADLINE_WORDS",
                "FurnitureLine",
                "Layout",
                "Marker",
                "PatternSet",
                "as_headline",
                "clean_text",
                "has_words",
                "headline_index",
                "load_patterns",
                "shorten",
                "split_layout",
                "text_lines",
                "tokens",
            ),
            "scanning": (
                "StartScanner",
                "matches_at",
                "nested_repeat",
                "required_strings",
                "start_strings",
                "written_in_lower_case",
            ),
        },
    )
