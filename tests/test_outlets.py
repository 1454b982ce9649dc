"""Outlet identity: one publisher behind its hosts, registered domain, site names and registry
entry.
"""

from __future__ import annotations

import pytest

from provenance.knowledge.outlets import identify_outlet, registered_domain
from provenance.knowledge.registry import load_registry


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://social.techcrunch.com/2019/11/18/x/", "techcrunch.com"),
        ("https://www.bbc.co.uk/news/world", "bbc.co.uk"),
        ("someone.blogspot.com", "someone.blogspot.com"),
        ("edition.cnn.com", "cnn.com"),
        ("http://127.0.0.1:8000/a.html", "127.0.0.1"),
        ("", None),
        (None, None),
    ],
)
def test_registered_domain_by_the_public_suffix_list(url: str | None, expected: str | None) -> None:
    assert registered_domain(url) == expected


@pytest.mark.parametrize(
    ("host", "site_name", "key", "name"),
    [
        ("social.techcrunch.com", "TechCrunch", "techcrunch.com", "TechCrunch"),
        ("techcrunch.com", None, "techcrunch.com", "techcrunch.com"),
        ("www.livescience.com", "livescience.com", "livescience.com", "livescience.com"),
        (
            "autoracing.com.br",
            "Autoracing | F1 | Indy | MotoGP | StockCar",
            "autoracing.com.br",
            "Autoracing",
        ),
        ("www.spiegel.de", "DER SPIEGEL", "Der Spiegel", "Der Spiegel"),
        ("edition.cnn.com", "CNN International", "CNN", "CNN"),
        (None, "merkur.de", "merkur.de", "merkur.de"),
        (None, "Live Science", "name:livescience", "Live Science"),
    ],
)
def test_one_identity_per_publisher(
    host: str | None, site_name: str | None, key: str, name: str
) -> None:
    outlet = identify_outlet(host, site_name, load_registry())
    assert outlet is not None and (outlet.key, outlet.name) == (key, name)


@pytest.mark.parametrize(
    "name",
    [
        "003_4153c0ff2f4fab2a.txt",
        "c69e539d689a8335a69042727f1b58edab09d5d99fb607ec625a63151a537dc2.html.gz",
        "crawl.warc.gz@1912",
        "<urn:uuid:1b7d…>",
        "",
        None,
    ],
)
def test_file_names_hashes_and_record_ids_are_never_outlets(name: str | None) -> None:
    assert identify_outlet(None, name, load_registry()) is None


def test_a_name_and_a_domain_of_one_publisher_are_one_outlet() -> None:
    registry = load_registry()
    by_domain = identify_outlet("https://www.livescience.com/x.html", "livescience.com", registry)
    by_name = identify_outlet(None, "Live Science", registry)
    assert by_domain is not None and by_name is not None
    assert (
        by_domain.same_as(by_name)
        and by_domain.named_in("Live Science")
        and by_domain.named_in("Originally published on Live Science.")
    )
    assert not by_domain.named_in("Futurism")
    techcrunch = identify_outlet("techcrunch.com", None, registry)
    social = identify_outlet("social.techcrunch.com", "TechCrunch", registry)
    assert techcrunch is not None and social is not None and techcrunch.same_as(social)
    other = identify_outlet("thenextweb.com", "The Next Web", registry)
    assert other is not None and not other.same_as(techcrunch)
