"""One exception tree for provenance: every error says why, and maps to an exit code."""

from __future__ import annotations


class ProvenanceError(Exception):
    """Base of every error provenance raises on purpose.

    Args:
        reason: One line saying what went wrong and, where possible, how to fix it.

    Examples:
        >>> str(ProvenanceError("database is locked"))
        'database is locked'
    """

    exit_code = 3

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InputError(ProvenanceError):
    """The input cannot be read: a missing path, an empty or binary file, a file too large."""

    exit_code = 3


class ExtractionError(InputError):
    """A document was read but holds no usable article (bad HTML, no text, a malformed record)."""

    def __init__(self, reason: str, origin: str | None = None) -> None:
        super().__init__(f"{origin}: {reason}" if origin else reason)
        self.origin = origin
        self.bare_reason = reason


class FetchError(InputError):
    """A URL could not be fetched."""


class DatabaseError(ProvenanceError):
    """The database cannot be opened, is of an unknown schema, or refused a write."""

    exit_code = 4


class ConfigError(ProvenanceError):
    """A setting or a user data file (patterns, registry) is invalid."""

    exit_code = 5


class NotFoundError(ProvenanceError):
    """The article, quote or source asked for is not in the database."""

    exit_code = 6
