"""Frozen settings: database URL, MinHash size, LSH thresholds, shingle size and limits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from provenance.errors import ConfigError

DEFAULT_DB_PATH = Path("db") / "provenance.sqlite"
DB_ENV = "PROVENANCE_DB"
PATTERNS_ENV = "PROVENANCE_PATTERNS"
SOURCES_ENV = "PROVENANCE_SOURCES"
CUES_ENV = "PROVENANCE_CUES"
TOKEN_ENV = "PROVENANCE_TOKEN"
SPARK_MASTER_ENV = "PROVENANCE_SPARK_MASTER"
"""The Spark master of ``audit --engine spark`` (default ``local[2]``)."""
"""The token `provenance serve` asks of a write (POST /api/ingest, DELETE /api/articles/ID); unset, the server is read-only."""


def default_database_url() -> str:
    """The database URL from PROVENANCE_DB, or the SQLite file under db/."""
    return os.environ.get(DB_ENV) or f"sqlite:///{DEFAULT_DB_PATH.as_posix()}"


@dataclass(frozen=True)
class Settings:
    """How articles are fingerprinted and compared.

    Args:
        num_perm: MinHash permutations per signature.
        seed: MinHash seed; signatures of different seeds cannot be compared.
        shingle_size: words per shingle.
        body_threshold: Jaccard similarity the body LSH is tuned for.
        paragraph_bands: bands of the paragraph LSH (datasketch's ``b``).
        paragraph_rows: signature rows per paragraph band (datasketch's ``r``). A paragraph of
            Jaccard similarity J to a stored one becomes a candidate with probability
            1 - (1 - J**rows)**bands: with 3 bands of 5 rows, 1.0 for a copied paragraph, 0.93 at
            J = 0.9, 0.70 at 0.8 and 0.09 at 0.5, from 3 keys per paragraph.
        min_paragraph_words: shorter paragraphs get no paragraph signature.
        duplicate_jaccard: verified Jaccard at or above which two bodies are the same text.
        partial_containment: share of one body inside the other that makes a partial copy.
        min_shared_shingles: fewer shared shingles than this is never a copy.
        max_file_bytes: larger inputs are refused: files, decompressed gzip, a WARC record's page, a fetched body.
        allow_private_urls: fetch URLs whose host is a loopback, private or otherwise non-public address.
        patterns_file: a user TOML file of extra furniture and repost-marker patterns.
        sources_file: a user TOML file of extra registry sources.
        cues_file: a user TOML file of extra attribution cues.

    Examples:
        >>> Settings(num_perm=64).num_perm
        64
    """

    num_perm: int = 128
    seed: int = 1
    shingle_size: int = 3
    body_threshold: float = 0.4
    paragraph_bands: int = 3
    paragraph_rows: int = 5
    min_paragraph_words: int = 12
    duplicate_jaccard: float = 0.8
    partial_containment: float = 0.2
    min_shared_shingles: int = 25
    max_candidates: int = 50
    max_file_bytes: int = 50 * 1024 * 1024
    allow_private_urls: bool = False
    patterns_file: Path | None = field(default=None)
    sources_file: Path | None = field(default=None)
    cues_file: Path | None = field(default=None)

    def __post_init__(self) -> None:
        if not 16 <= self.num_perm <= 1024:
            raise ConfigError(f"num_perm must be between 16 and 1024, got {self.num_perm}")
        if self.shingle_size < 1:
            raise ConfigError(f"shingle_size must be at least 1, got {self.shingle_size}")
        if (
            self.paragraph_bands < 1
            or self.paragraph_rows < 1
            or self.paragraph_bands * self.paragraph_rows > self.num_perm
        ):
            raise ConfigError(
                f"paragraph_bands * paragraph_rows must be between 1 and num_perm ({self.num_perm}), got {self.paragraph_bands} * {self.paragraph_rows}"
            )
        for name in ("body_threshold", "duplicate_jaccard", "partial_containment"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], got {value}")
        if self.max_file_bytes < 1:
            raise ConfigError(f"max_file_bytes must be positive, got {self.max_file_bytes}")
