"""The source registry: packaged data, resolution of names, domains and mentions, and user files."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.errors import ConfigError
from provenance.knowledge.registry import KINDS, load_registry


def test_packaged_registry_has_the_required_sources() -> None:
    registry = load_registry()
    assert len(registry.entries) >= 80
    required = [
        "dpa",
        "AFP",
        "AP",
        "Reuters",
        "KCNA",
        "KNS",
        "TASS",
        "RIA Novosti",
        "Interfax",
        "Xinhua",
        "Yonhap",
        "Kyodo",
        "ANSA",
        "EFE",
        "UPI",
        "Anadolu",
        "Bloomberg",
        "Rodong Sinmun",
        "RT",
        "Sputnik",
        "CCTV",
        "Der Spiegel",
        "tagesschau.de",
        "merkur.de",
        "news.de",
        "Euronews",
    ]
    assert [name for name in required if registry.by_name(name) is None] == []
    assert {entry.kind for entry in registry.entries} == set(KINDS)
    assert all(entry.country and entry.aliases for entry in registry.entries)


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Korean Central News Agency", "KCNA"),
        ("Koreanische Zentrale Nachrichtenagentur", "KCNA"),
        ("ЦТАК", "KCNA"),
        ("조선중앙통신", "KCNA"),
        ("der Spiegel", "Der Spiegel"),
        ('"Spiegel"', "Der Spiegel"),
        ("https://www.merkur.de/politik/x.html", "merkur.de"),
        ("news.de", "news.de"),
        ("Рейтер", "Reuters"),
        ("nordkoreanische Staatsmedien", "North Korean state media"),
    ],
)
def test_names_resolve_across_languages_and_scripts(written: str, name: str) -> None:
    entry = load_registry().resolve(written)
    assert entry is not None and entry.name == name


def test_all_caps_aliases_are_case_sensitive() -> None:
    registry = load_registry()
    assert [m.entry.name for m in registry.mentions("Ein Bild der Welt, sagt AP.")] == ["AP"]
    assert registry.mentions("the ap of a map") == []


def test_mentions_are_whole_words_longest_first() -> None:
    mentions = load_registry().mentions(
        "Laut Spiegel Online und der Nachrichtenagentur Reuters; nicht Spiegelei."
    )
    assert [(m.alias, m.entry.name) for m in mentions] == [
        ("Spiegel Online", "Der Spiegel"),
        ("Reuters", "Reuters"),
    ]


def test_domain_lookup_covers_subdomains() -> None:
    registry = load_registry()
    entry = registry.by_domain("https://en.yna.co.kr/view/AEN123")
    assert entry is not None and entry.name == "Yonhap"
    assert registry.by_domain("example.org") is None


def test_user_registry_extends_and_overrides(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text(
        """
[[source]]
name = "Kyiv Local"
kind = "outlet"
country = "UA"
domains = ["kyiv-local.example"]
aliases = ["Kyiv Local", "Київ Локал"]
""",
        encoding="utf-8",
    )
    registry = load_registry(user)
    entry = registry.resolve("Київ Локал")
    assert entry is not None and entry.name == "Kyiv Local"
    assert registry.by_name("KCNA") is not None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "[[source]]\nname = 'X'\nkind = 'outlet'\ncountry = 'DE'\ndomains = []\naliases = ['X'\nname = 'Y'\n",
            "line 7",
        ),
        (
            "# a comment\n\n[[source]]\nname = 'X'\nkind = 'blog'\ncountry = 'DE'\ndomains = []\naliases = ['X']\n",
            "line 3: kind must be one of",
        ),
        (
            "[[source]]\nname = 'X'\nkind = 'outlet'\n",
            "line 1: [[source]] lacks country, domains, aliases",
        ),
    ],
)
def test_broken_user_registry_is_reported_with_its_line(
    tmp_path: Path, content: str, message: str
) -> None:
    user = tmp_path / "broken.toml"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.toml") as raised:
        load_registry(user)
    assert message in raised.value.reason
