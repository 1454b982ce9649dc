"""Splitting body from furniture and repost markers, in several languages, with user patterns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.errors import ConfigError
from provenance.text.normalize import clean_text, load_patterns, split_layout, text_lines, tokens

from .conftest import MERKUR_URL, SEED_003, SEEDS


@pytest.mark.parametrize(
    ("line", "url", "outlet", "lang"),
    [
        (f"Информация на этой странице взята из источника: {MERKUR_URL}", MERKUR_URL, None, "ru"),
        (
            "Источник: https://www.spiegel.de/ausland/a-1.html",
            "https://www.spiegel.de/ausland/a-1.html",
            None,
            "ru",
        ),
        ("Материал впервые опубликован на сайте Медуза.", None, "Медуза", "ru"),
        ("Материал впервые опубликован на сайте lenta.ru.", None, "lenta.ru", "ru"),
        (
            "Джерело: https://www.pravda.com.ua/news/2025/01/1/",
            "https://www.pravda.com.ua/news/2025/01/1/",
            None,
            "uk",
        ),
        (
            "Матеріал вперше опубліковано на сайті Українська правда.",
            None,
            "Українська правда",
            "uk",
        ),
        (
            "Quelle: https://www.tagesschau.de/ausland/asien/nordkorea-100.html",
            "https://www.tagesschau.de/ausland/asien/nordkorea-100.html",
            None,
            "de",
        ),
        ("Dieser Artikel erschien zuerst bei Merkur.de.", None, "Merkur.de", "de"),
        ("Zuerst erschienen auf spiegel.de", None, "spiegel.de", "de"),
        ("Source: https://apnews.com/article/abc", "https://apnews.com/article/abc", None, "en"),
        ("Originally published at The Conversation.", None, "The Conversation", "en"),
        ("This article first appeared on ProPublica.", None, "ProPublica", "en"),
        ("Republished with permission from Reuters.", None, "Reuters", "en"),
        (
            "Source : https://www.lemonde.fr/international/article/2025/01/01/x.html",
            "https://www.lemonde.fr/international/article/2025/01/01/x.html",
            None,
            "fr",
        ),
        ("Cet article a été publié initialement sur Le Monde.", None, "Le Monde", "fr"),
        (
            "Fuente: https://elpais.com/internacional/2025-01-01/x.html",
            "https://elpais.com/internacional/2025-01-01/x.html",
            None,
            "es",
        ),
        ("Este artículo fue publicado originalmente en El País.", None, "El País", "es"),
        ("Dieser Artikel erschien zuerst bei Russia Today.", None, "Russia Today", "de"),
        ("Dieser Artikel erschien zuerst bei usa-today.com.", None, "usa-today.com", "de"),
        ("Zuerst erschienen in der Welt am Sonntag.", None, "der Welt am Sonntag", "de"),
        ("This story first appeared in The Sunday Times.", None, "The Sunday Times", "en"),
    ],
)
def test_repost_markers_in_six_languages(
    line: str, url: str | None, outlet: str | None, lang: str
) -> None:
    layout = split_layout(
        ["A body sentence that is long enough to stay in the body.", line], load_patterns()
    )
    assert layout.body == ["A body sentence that is long enough to stay in the body."]
    [marker] = layout.markers
    assert (marker.url, marker.outlet, marker.lang, marker.kind) == (
        url,
        outlet,
        lang,
        "source_footer",
    )


@pytest.mark.parametrize(
    "line",
    [
        "First published on Monday.",
        "Originally published on May 31, 2019.",
        "Zuerst erschienen im Mai.",
        "Dieser Artikel erschien zuerst am Montag.",
        "This story first ran on Thursday morning.",
    ],
)
def test_a_marker_that_names_a_date_is_no_repost_marker(line: str) -> None:
    assert (
        split_layout(
            ["A body sentence that is long enough to stay in the body.", line], load_patterns()
        ).markers
        == []
    )


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (
            "Lesen Sie auch: Während sein Land untergeht! Nordkorea-Diktator vergnügt sich im Urlaub",
            "read_more",
        ),
        ("Read more: the full story of the summit", "read_more"),
        ("Читайте также: Путин и Ким", "read_more"),
        ("Diesen Artikel teilen Kommentare", "share"),
        ("Share this article", "share"),
        ("Newsletter Newsletters Events Veranstaltungen Podcasts Videos Africanews", "newsletter"),
        ("Sign up for our morning newsletter", "newsletter"),
        ("Folgen Sie News.de schon bei Facebook, Twitter, Pinterest und YouTube?", "follow_us"),
        ("WERBUNG", "advertising"),
        ("Kommentare", "comments"),
        ("1. Startseite", "navigation"),
        ("sba/loc/news.de/dpa", "byline"),
        ("Weitere Quellen • AP", "source_credit"),
        ("Copyright 朝鮮通信社/AP", "image_credit"),
        ("Foto: dpa / Michael Kappeler", "image_credit"),
        ("Der Kanzler in Berlin. Bild: picture alliance", "image_credit"),
        ("© 2024 The Associated Press", "image_credit"),
    ],
)
def test_furniture_lines_are_classified(line: str, kind: str) -> None:
    layout = split_layout([line], load_patterns())
    assert layout.body == []
    assert [(f.line, f.kind) for f in layout.furniture] == [(line, kind)]


@pytest.mark.parametrize(
    "line",
    [
        "The photo: a crowd outside the court in the rain.",
        "Reuters reported the figures (c) yesterday!",
        "Who took the picture: the agency or a reader?",
    ],
)
def test_a_sentence_ending_in_a_full_stop_is_no_image_credit(line: str) -> None:
    assert split_layout([line], load_patterns()).body == [line]


def test_seed_003_footer_is_furniture_and_body_keeps_the_story() -> None:
    layout = split_layout(text_lines(SEED_003.read_text(encoding="utf-8")), load_patterns())
    assert [marker.url for marker in layout.markers] == [MERKUR_URL]
    assert not any("Информация" in line for line in layout.body)
    assert any("Blut, Leben und Tod im selben Schützengraben" in line for line in layout.body)
    assert any("(Quellen: Spiegel, Reuters, KCNA, tagesschau.de)" in line for line in layout.body)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_no_seed_loses_more_than_a_fifth_of_its_words(path: Path) -> None:
    lines = text_lines(path.read_text(encoding="utf-8"))
    layout = split_layout(lines, load_patterns())
    body_words = sum(len(tokens(line)) for line in layout.body)
    all_words = sum(len(tokens(line)) for line in lines)
    assert body_words >= 0.8 * all_words


def test_clean_text_folds_soft_hyphens_spaces_and_newlines() -> None:
    assert (
        clean_text("Schützen\u00adgraben\u00a0 und\r\nKursk\u200b") == "Schützengraben und\nKursk"
    )


@pytest.mark.parametrize(
    "blank", ["  ", "\t", "\u00a0", "\u2002", "\u2009", "\u202f", "\u3000", " \u205f "]
)
def test_every_blank_run_becomes_one_space(blank: str) -> None:
    assert clean_text(f" Kim{blank}Jong Un \n{blank}Putin{blank}") == "Kim Jong Un\nPutin"


def test_text_of_plain_spaces_is_only_stripped() -> None:
    assert clean_text(" Kim Jong Un \n\n Putin ") == "Kim Jong Un\n\nPutin"


# Pieces of furniture lines and of body text, so that generated lines hold the strings the
# patterns require, in and out of place, short and long.
LINE_PIECES = [
    "Newsletter",
    "abonnieren Sie",
    "Share",
    " teilen",
    "Facebook",
    " | ",
    " ",
    "x",
    "Home",
    " » ",
    "News",
    "Foto:",
    "© dpa",
    "(c)",
    "copyright",
    "All rights reserved",
    "Read more",
    "Lesen Sie auch",
    "Kommentare",
    " (3)",
    ":",
    "von ",
    "By ",
    "dpa/ots",
    "/",
    "Werbung",
    "close button",
    ".",
    "!",
    "Stand: 12.03.2024",
    "Quelle:",
    "Sources: AP",
    "the minister said on Monday that",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(LINE_PIECES), min_size=1, max_size=10).map("".join))
def test_a_line_is_the_furniture_of_the_first_pattern_that_matches_it(line: str) -> None:
    """Patterns are tried only on lines that hold a string they require: the kind must be that of
    the first pattern, in file order, matching the line.
    """
    patterns = load_patterns()
    expected = next(
        (kind for kind, regex in patterns.furniture if re.match(regex.pattern, line.lower())), None
    )
    assert patterns.furniture_kind(line) == expected


def test_user_patterns_extend_the_packaged_ones(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text(
        """
[[marker]]
lang = "it"
pattern = '^fonte:\\s*(?P<url>https?://\\S+)'

[[furniture]]
kind = "podcast"
patterns = ['^hören sie unseren podcast.*']
""",
        encoding="utf-8",
    )
    patterns = load_patterns(user)
    layout = split_layout(
        [
            "Fonte: https://www.ansa.it/x.html",
            "Hören Sie unseren Podcast am Morgen",
            "Quelle: https://a.example/b",
        ],
        patterns,
    )
    assert [(m.url, m.lang) for m in layout.markers] == [
        ("https://www.ansa.it/x.html", "it"),
        ("https://a.example/b", "de"),
    ]
    assert [f.kind for f in layout.furniture] == ["source_footer", "podcast", "source_footer"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[marker]]\npattern = '(unclosed'\n", "bad pattern '(unclosed'"),
        ("[[marker]\npattern = 'x'\n", "line 1"),
        ("[[furniture]]\nkind = 'x'\n", "every [[marker]] needs 'pattern'"),
    ],
)
def test_broken_user_pattern_file_says_where(tmp_path: Path, content: str, message: str) -> None:
    user = tmp_path / "broken.toml"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.toml") as raised:
        load_patterns(user)
    assert message in raised.value.reason


def test_missing_user_pattern_file() -> None:
    with pytest.raises(ConfigError, match="pattern file not found"):
        load_patterns(Path("/nonexistent/patterns.toml"))


def test_a_long_paragraph_is_body_whatever_furniture_words_it_holds() -> None:
    from provenance.text.normalize import load_patterns, split_layout

    long_line = (
        "Die Redaktion des Lokalblatts verschickt seit Jahren einen Newsletter an ihre Leser, "
        + "und der Stadtrat diskutierte am Dienstag lange über die Sperrung der alten Brücke " * 4
    )
    short_line = "Abonnieren Sie unseren Newsletter"
    layout = split_layout([long_line, short_line], load_patterns())
    assert (layout.body, [line.kind for line in layout.furniture]) == ([long_line], ["newsletter"])
