"""The source registry: news agencies, state media, outlets, broadcasters and aggregators, from data
files.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ahocorasick

from provenance.errors import ConfigError

KINDS = ("agency", "state_media", "outlet", "broadcaster", "aggregator")
_FIELDS = ("name", "kind", "country", "domains", "aliases")
_WORD_JOIN = re.compile(r"[\w.-]")
_WORD_TAIL = re.compile(r"[\w-]")


@dataclass(frozen=True)
class SourceEntry:
    """One source of the registry.

    Args:
        name: the canonical name reports show.
        kind: agency, state_media, outlet, broadcaster or aggregator.
        country: ISO 3166-1 alpha-2 code, or INT.
        domains: bare host names.
        aliases: the spellings matched in text.

    Examples:
        >>> SourceEntry("dpa", "agency", "DE", ("dpa.com",), ("dpa",)).is_primary
        True
    """

    name: str
    kind: str
    country: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...]

    @property
    def is_primary(self) -> bool:
        """Agencies and state media: sources that other media relay."""
        return self.kind in ("agency", "state_media")


@dataclass(frozen=True)
class Mention:
    """A registry source named in a text, and where."""

    start: int
    end: int
    alias: str
    entry: SourceEntry


def _is_case_sensitive(alias: str) -> bool:
    letters = [char for char in alias if char.isalpha()]
    return bool(letters) and all(char.isupper() for char in letters) and len(letters) <= 8


class Registry:
    """Resolves names, domains and mentions in text to registry sources.

    Args:
        entries: the sources, packaged and the user's.

    Examples:
        >>> registry = load_registry()
        >>> registry.resolve("Koreanische Zentrale Nachrichtenagentur").name
        'KCNA'
    """

    def __init__(self, entries: list[SourceEntry]) -> None:
        self.entries = tuple(entries)
        self._exact: dict[str, SourceEntry] = {}
        self._folded: dict[str, SourceEntry] = {}
        self._domains: dict[str, SourceEntry] = {}
        for entry in entries:
            for alias in (*entry.aliases,):
                if _is_case_sensitive(alias):
                    self._exact.setdefault(alias, entry)
                else:
                    self._folded.setdefault(alias.casefold(), entry)
            for domain in entry.domains:
                self._domains.setdefault(domain.lower(), entry)
        self._resolved: dict[str, SourceEntry | None] = {}
        self._automaton = ahocorasick.Automaton()
        for alias in {
            *self._exact,
            *(entry_alias for entry in entries for entry_alias in entry.aliases),
        }:
            self._automaton.add_word(alias.lower(), alias.lower())
        self._automaton.make_automaton()

    def by_name(self, name: str) -> SourceEntry | None:
        """The source whose canonical name is exactly this."""
        return next((entry for entry in self.entries if entry.name == name), None)

    def by_exact_name(self, name: str | None) -> SourceEntry | None:
        """The source whose name or one alias is exactly this (case-folded unless the alias is an
        acronym); no search inside it.
        """
        if not name:
            return None
        written = name.strip()
        return self.by_name(written) or self._entry_for(written)

    def by_domain(self, host_or_url: str | None) -> SourceEntry | None:
        """The source owning a host name (or one of its parent domains) or a URL's host."""
        if not host_or_url:
            return None
        host = (
            urlsplit(host_or_url).hostname if "//" in host_or_url else host_or_url.split("/")[0]
        ) or ""
        parts = host.lower().removeprefix("www.").split(".")
        for start in range(len(parts) - 1):
            entry = self._domains.get(".".join(parts[start:]))
            if entry is not None:
                return entry
        return None

    def resolve(self, name: str) -> SourceEntry | None:
        """The source a name, alias, domain or URL stands for; the longest alias inside the name if
        none fits whole.
        """
        if name in self._resolved:
            return self._resolved[name]
        entry = self._resolve(name)
        if len(self._resolved) < 100_000:
            self._resolved[name] = entry
        return entry

    def _resolve(self, name: str) -> SourceEntry | None:
        text = name.strip(" \t\"'„“”«»‚‘’()[].,:;")
        entry = self._exact.get(text) or self._folded.get(text.casefold())
        if entry is not None:
            return entry
        if re.fullmatch(r"(https?://)?[\w.-]+\.[a-z]{2,}(/\S*)?", text, re.IGNORECASE):
            return self.by_domain(text)
        mentions = self.mentions(text)
        return (
            max(mentions, key=lambda mention: mention.end - mention.start).entry
            if mentions
            else None
        )

    def _entry_for(self, written: str) -> SourceEntry | None:
        return self._exact.get(written) or self._folded.get(written.casefold())

    def mentions(self, text: str, lowered: str | None = None) -> list[Mention]:
        """Every registry source named in a text as a whole word, in order, the longest where they overlap.

        `lowered` may give ``text.lower()`` when the caller has it and it is as long as the text.
        """
        lowered = lowered if lowered is not None and len(lowered) == len(text) else text.lower()
        if len(lowered) != len(text):
            lowered = "".join(char.lower() if len(char.lower()) == 1 else char for char in text)
        found: list[Mention] = []
        for last, alias in self._automaton.iter(lowered):
            start, end = last - len(alias) + 1, last + 1
            if (start > 0 and _WORD_JOIN.match(text[start - 1])) or (
                end < len(text) and _WORD_TAIL.match(text[end])
            ):
                continue
            written = text[start:end]
            entry = self._entry_for(written)
            if entry is not None:
                found.append(Mention(start, end, written, entry))
        found.sort(key=lambda mention: (mention.start, -(mention.end - mention.start)))
        kept: list[Mention] = []
        for mention in found:
            if kept and mention.start < kept[-1].end:
                continue
            kept.append(mention)
        return kept


def _header_lines(text: str) -> list[int]:
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() == "[[source]]"
    ]


def _entry(raw: Any, where: str) -> SourceEntry:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: a [[source]] must be a table")
    missing = [name for name in _FIELDS if name not in raw]
    if missing:
        raise ConfigError(f"{where}: [[source]] lacks {', '.join(missing)}")
    if raw["kind"] not in KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, got {raw['kind']!r}")
    if not isinstance(raw["aliases"], list) or not isinstance(raw["domains"], list):
        raise ConfigError(f"{where}: 'aliases' and 'domains' must be lists")
    return SourceEntry(
        str(raw["name"]),
        str(raw["kind"]),
        str(raw["country"]),
        tuple(map(str, raw["domains"])),
        tuple(map(str, raw["aliases"])),
    )


def parse_registry(text: str, origin: str) -> list[SourceEntry]:
    """The [[source]] entries of a registry file, or ConfigError naming the file and line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{origin}: {error}") from error
    headers = _header_lines(text)
    raw_entries = data.get("source", [])
    if not isinstance(raw_entries, list):
        raise ConfigError(f"{origin}: the registry must be a list of [[source]] tables")
    return [
        _entry(raw, f"{origin}, line {headers[index] if index < len(headers) else '?'}")
        for index, raw in enumerate(raw_entries)
    ]


@lru_cache(maxsize=8)
def load_registry(user_file: Path | None = None) -> Registry:
    """The packaged registry, with a user file's entries taking precedence."""
    packaged = parse_registry(
        resources.files("provenance.knowledge")
        .joinpath("data/sources.toml")
        .read_text(encoding="utf-8"),
        "provenance/knowledge/data/sources.toml",
    )
    if user_file is None:
        return Registry(packaged)
    try:
        text = user_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read source registry {user_file}: {error}") from error
    user = parse_registry(text, str(user_file))
    names = {entry.name for entry in user}
    return Registry(user + [entry for entry in packaged if entry.name not in names])
