"""Outlet identity: one publisher behind its hosts, its registered domain, its site names and its
registry entry.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol
from urllib.parse import urlsplit

from unidecode import unidecode

from provenance.knowledge.registry import Registry

_NAME_PARTS = re.compile(r"\s+[|–—•·]\s+|\s+-\s+|:\s+")
_NOT_A_NAME = re.compile(
    r"^[0-9a-f]{12,}\b|\.(?:txt|md|html?|xhtml|jsonl|ndjson|json|warc|gz|arc)$|@\d+$|^<urn:|^urn:",
    re.IGNORECASE,
)
"""What a file name, a hash or a WARC record id looks like: never an outlet's name."""
_DOMAIN_LIKE = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}/?$", re.IGNORECASE)
_DOMAIN_WITH_PATH = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}/", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
MIN_NAME = 3
"""Squashed names shorter than this name nothing reliably ("ap" is in too many words)."""
MAX_SPAN_WORDS = 6


def squash(text: str) -> str:
    """A name reduced for comparison: transliterated, case-folded, letters and digits only (``Live
    Science`` → ``livescience``).
    """
    return "".join(char for char in unidecode(text).casefold() if char.isalnum())


@lru_cache(maxsize=1)
def _suffix_list() -> object:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def host_of(url_or_host: str | None) -> str | None:
    """The lower-case host of a URL or host name, without ``www.`` or a port."""
    if not url_or_host:
        return None
    text = url_or_host.strip()
    try:
        host = urlsplit(text if "//" in text else f"//{text}").hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def registered_domain(url_or_host: str | None) -> str | None:
    """The domain a publisher registered, by the public suffix list bundled with ``publicsuffixlist``.

    Examples:
        >>> registered_domain("https://social.techcrunch.com/2019/11/18/x/")
        'techcrunch.com'
        >>> registered_domain("www.bbc.co.uk")
        'bbc.co.uk'
    """
    host = host_of(url_or_host)
    if not host:
        return None
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    found = _suffix_list().privatesuffix(host)  # type: ignore[attr-defined]
    return str(found) if found else host


def _label(domain: str) -> str:
    """The registered part of a domain without its public suffix: ``bbc.co.uk`` → ``bbc``."""
    suffix = _suffix_list().publicsuffix(domain)  # type: ignore[attr-defined]
    head = (
        domain[: -len(suffix) - 1]
        if suffix and domain.endswith("." + suffix)
        else domain.split(".")[0]
    )
    return squash(head)


def _acronym(text: str) -> str:
    return "".join(word[0] for word in _WORD.findall(unidecode(text).casefold()))


def _fits(name: str, label: str) -> bool:
    """Whether a site name is the name of the domain whose label is given (``Live Science`` and
    ``livescience``).
    """
    squashed = squash(name)
    if not squashed or not label:
        return False
    if squashed == label or (len(_acronym(name)) >= 3 and _acronym(name) == label):
        return True
    shorter = min(len(squashed), len(label))
    return shorter >= 4 and (squashed in label or label in squashed)


def is_plausible_name(name: str | None) -> bool:
    """Whether a site or outlet name can be one: not empty, not a file name, a hash or a WARC record
    id.
    """
    return bool(
        name and name.strip() and not _NOT_A_NAME.search(name.strip()) and len(squash(name)) >= 2
    )


@dataclass(frozen=True)
class Outlet:
    """A publisher, whatever host or spelling it appears under.

    Args:
        key: what makes two outlets one: the registry's name, else the registered domain, else ``name:`` and the squashed name.
        name: what reports show.
        domain: the registered domain, if known.
        names: squashed spellings that name it (its name, fitting site names, its domain's label, registry aliases).

    Examples:
        >>> outlet = identify_outlet("livescience.com", "livescience.com")
        >>> outlet.named_in("Live Science")
        True
    """

    key: str
    name: str
    domain: str | None
    names: frozenset[str]

    def named_in(self, phrase: str) -> bool:
        """Whether a phrase names this outlet, whole or in a run of up to six of its words."""
        if not phrase:
            return False
        if (
            registered := registered_domain(phrase)
            if "." in phrase and " " not in phrase.strip()
            else None
        ) and registered == self.domain:
            return True
        words = _WORD.findall(phrase)
        for start in range(len(words)):
            for end in range(start + 1, min(len(words), start + MAX_SPAN_WORDS) + 1):
                if squash(" ".join(words[start:end])) in self.names:
                    return True
        return False

    def same_as(self, other: Outlet) -> bool:
        """Whether two outlets are one publisher: one key, or a name of one that the other answers
        to when either lacks a domain.
        """
        if self.key == other.key:
            return True
        if self.domain and other.domain:
            return False
        return bool(self.names & other.names)


def identify_outlet(
    url_or_host: str | None, site_name: str | None, registry: Registry | None = None
) -> Outlet | None:
    """The outlet behind a page's host and the site name it gives; None when neither says anything.

    A registry source owning the host (or, with no host, named exactly by the site name) gives
    its canonical name; otherwise the registered domain is the outlet, shown by its site name when
    the name fits the domain (``TechCrunch`` for ``social.techcrunch.com``) and by the domain when not.
    """
    name = site_name.strip() if site_name else None
    host = host_of(url_or_host)
    if host is None and name and is_plausible_name(name) and _DOMAIN_LIKE.match(name):
        host, name = host_of(name), None
    return _identify(host, name, registry)


class Located(Protocol):
    """What names an article's outlet: its URL, its domain, and the site name it gave (an article
    record, a summary).
    """

    @property
    def url(self) -> str | None: ...
    @property
    def domain(self) -> str | None: ...
    @property
    def outlet(self) -> str | None: ...


def outlet_of(article: Located | None, registry: Registry | None = None) -> Outlet | None:
    """The outlet that published a stored article (never its file name: None when no URL, domain or
    site name says).
    """
    if article is None:
        return None
    return identify_outlet(article.url or article.domain, article.outlet, registry)


@lru_cache(maxsize=65536)
def _identify(host: str | None, site_name: str | None, registry: Registry | None) -> Outlet | None:
    site_name = site_name if is_plausible_name(site_name) else None
    if site_name and host and _DOMAIN_WITH_PATH.match(site_name):
        site_name = (
            None  # "yahoo.com/news" names a section of the host, which the domain says better
        )
    domain = registered_domain(host) if host else None
    entry = None
    if registry is not None:
        entry = (
            registry.by_domain(host)
            if host
            else registry.by_exact_name(site_name)
            if site_name
            else None
        )
    if entry is not None:
        names = {
            squash(entry.name),
            *(squash(alias) for alias in entry.aliases),
            *(_label(d) for d in entry.domains if registered_domain(d)),
        }
        if domain:
            names.add(_label(domain))
        return Outlet(
            entry.name,
            entry.name,
            domain,
            frozenset(name for name in names if len(name) >= MIN_NAME),
        )
    if domain:
        label = _label(domain)
        parts = [part.strip() for part in _NAME_PARTS.split(site_name)] if site_name else []
        fitting = [part for part in parts if _fits(part, label)]
        if fitting:
            name = fitting[0]
        elif len(parts) == 1 and len(parts[0]) <= 60:
            name = parts[0]
        else:
            name = domain
        names = {label, squash(domain), squash(name), *(squash(part) for part in fitting)}
        return Outlet(
            domain, name, domain, frozenset(item for item in names if len(item) >= MIN_NAME)
        )
    if site_name:
        squashed = squash(site_name)
        return Outlet(
            f"name:{squashed}",
            site_name,
            None,
            frozenset({squashed} if len(squashed) >= MIN_NAME else ()),
        )
    return None
