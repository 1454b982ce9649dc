"""Translated copies: anchors normalised across locales and scripts, LSH keys, and the order-aware
decision.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.config import Settings
from provenance.sketch.fingerprint import SketchParams, shingle_batch
from provenance.translation import alignment, anchors
from provenance.translation.alignment import (
    anchors_match,
    compare_translation,
    translation_direction,
)
from provenance.translation.anchors import Anchor, extract_anchors
from provenance.translation.keys import anchor_features, translation_keys

from .conftest import SEED_003, SEEDS

DATA = Path(__file__).resolve().parent / "data" / "translation"
SEED_PARAGRAPHS = ("Pjöngjang – Sie", "Wie der Spiegel", "Zuletzt gab es", "Wenige Tage zuvor")


def read(name: str) -> str:
    """A test text from tests/data/translation."""
    return (DATA / name).read_text(encoding="utf-8")


def seed_excerpt() -> str:
    """The four paragraphs of seed 003 that seed003_translation.ru.txt translates."""
    paragraphs = SEED_003.read_text(encoding="utf-8").split("\n\n")
    return "\n\n".join(
        paragraph for paragraph in paragraphs if paragraph.startswith(SEED_PARAGRAPHS)
    )


def compare(
    first: str, first_language: str, second: str, second_language: str
) -> tuple[bool, list[tuple[str, str]], str]:
    """Extract both texts' anchors and compare them: the verdict, the aligned pairs and the reason."""
    evidence = compare_translation(
        extract_anchors(first, first_language),
        extract_anchors(second, second_language),
        first_language,
        second_language,
    )
    return evidence.is_translation, evidence.pairs, evidence.reason


def keys_of(text: str, language: str | None, kind: str) -> list[str]:
    """The keys of one kind of anchor in a text."""
    return [anchor.key for anchor in extract_anchors(text, language) if anchor.kind == kind]


# --- numbers and dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "key"),
    [
        ("Es kamen 15.000 Soldaten.", "de", "15000"),
        ("It sent 15,000 soldiers.", "en", "15000"),
        ("Il a envoyé 15 000 soldats.", "fr", "15000"),
        ("Il a envoyé 15\u202f000 soldats.", "fr", "15000"),
        ("Отправил 15\u00a0000 солдат.", "ru", "15000"),
        ("It sent 15 thousand soldiers.", "en", "15000"),
        ("Es kamen 15 Tausend Soldaten.", "de", "15000"),
        ("Es kamen 15'000 Soldaten.", "de", "15000"),
        ("geliefert: 6,5 Millionen Granaten", "de", "6.5e6"),
        ("delivered 6.5 million shells", "en", "6.5e6"),
        ("поставила 6,5 млн снарядов", "ru", "6.5e6"),
        ("livré 6,5 millions d'obus", "fr", "6.5e6"),
        ("kostet 2,5 Mrd. Euro", "de", "2.5e9"),
        ("costs 2.5 billion euros", "en", "2.5e9"),
        ("coûte 2,5 milliards d'euros", "fr", "2.5e9"),
        ("Schulden von 3 Billionen Euro", "de", "3e12"),
        ("долг в 3 трлн рублей", "ru", "3e12"),
        ("stieg um 65 Prozent", "de", "65%"),
        ("une hausse de 65 %", "fr", "65%"),
        ("рост на 65 процентов", "ru", "65%"),
        ("a rise of 65 per cent", "en", "65%"),
        ("3.51% voted yes", "en", "3.51%"),
        ("за 3,51% голосов", "ru", "3.51%"),
        ("im Jahr 2022", "de", "2022"),
        ("drei Kinder", "de", "3"),
        ("three children", "en", "3"),
        ("трёх детей", "ru", "3"),
        ("two million people", "en", "2e6"),
        ("zwei Millionen Menschen", "de", "2e6"),
    ],
)
def test_numbers_normalise_across_locales(text: str, language: str, key: str) -> None:
    assert keys_of(text, language, "number") == [key]


@pytest.mark.parametrize(
    ("text", "language", "key"),
    [
        ("am 15.08.2022 in Kursk", "de", "2022-08-15"),
        ("on 15 August 2022 in Kursk", "en", "2022-08-15"),
        ("on August 15, 2022 in Kursk", "en", "2022-08-15"),
        ("le 15 août 2022 à Koursk", "fr", "2022-08-15"),
        ("15 августа 2022 года в Курске", "ru", "2022-08-15"),
        ("on 2022-08-15", None, "2022-08-15"),
        ("am 15. August", "de", "--08-15"),
        ("im August 2022", "de", "2022-08"),
        ("в январе", "ru", "--01"),
        ("am Montag", "de", "weekday-1"),
        ("am Montagabend", "de", "weekday-1"),
        ("lundi soir", "fr", "weekday-1"),
        ("в понедельник", "ru", "weekday-1"),
        ("gegen 14.30 Uhr", "de", "T14:30"),
        ("vers 14h30", "fr", "T14:30"),
        ("at 14:30", "en", "T14:30"),
        ("к маю 1923 года", "ru", "1923-05"),
    ],
)
def test_dates_normalise_across_locales(text: str, language: str | None, key: str) -> None:
    assert keys_of(text, language, "date") == [key]


@pytest.mark.parametrize(
    ("text", "language", "keys"),
    [
        ("am 9. und 10. Dezember", "de", ["--12-09", "--12-10"]),
        ("9 и 10 декабря", "ru", ["--12-09", "--12-10"]),
        ("on December 9 and 10", "en", ["--12-09", "--12-10"]),
    ],
)
def test_a_range_of_days_gives_each_day(text: str, language: str, keys: list[str]) -> None:
    assert keys_of(text, language, "date") == keys


@pytest.mark.parametrize(("language", "key"), [("de", "15000"), ("en", "15")])
def test_a_lone_separator_before_three_digits_is_read_in_the_texts_locale(
    language: str, key: str
) -> None:
    assert keys_of("Es waren 15.000 Menschen.", language, "number") == [key]


def test_may_alone_is_not_a_date_but_may_with_a_day_is() -> None:
    assert keys_of("Theresa May said it on May 5, 2019.", "en", "date") == ["2019-05-05"]


@pytest.mark.parametrize(
    "text", ["people aged 12 to 18 may be infected", "the 18 may not come", "on Tuesday 7 may be"]
)
def test_may_the_verb_after_a_number_is_no_month(text: str) -> None:
    assert keys_of(text, "en", "date") in ([], ["weekday-2"])


@pytest.mark.parametrize(
    ("text", "language", "keys"),
    [
        ("Il s'est confié dimanche 12 décembre au Figaro.", "fr", ["weekday-7", "--12-12"]),
        (
            "Publié le dimanche 12 Décembre 2021 à 20h30",
            "fr",
            ["weekday-7", "2021-12-12", "T20:30"],
        ),
        ("В воскресенье 12 декабря в Москве", "ru", ["weekday-7", "--12-12"]),
        ("on Sunday 12th of December 2021", "en", ["weekday-7", "2021-12-12"]),
        ("am Sonntag, dem 12. Dezember", "de", ["weekday-7", "--12-12"]),
    ],
)
def test_a_weekday_then_its_date_gives_both(text: str, language: str, keys: list[str]) -> None:
    assert keys_of(text, language, "date") == keys


@pytest.mark.parametrize(
    ("text", "language", "key"),
    [
        ("toutes les vingt minutes", "fr", "20"),
        ("alle zwanzig Minuten", "de", "20"),
        ("every twenty minutes", "en", "20"),
        ("каждые двадцать минут", "ru", "20"),
        ("a dozen people", "en", "12"),
    ],
)
def test_tens_are_number_words(text: str, language: str, key: str) -> None:
    assert keys_of(text, language, "number") == [key]


@pytest.mark.parametrize(
    ("text", "language"),
    [("vingt-deux ans", "fr"), ("twenty-two years", "en"), ("quatre-vingts personnes", "fr")],
)
def test_a_hyphenated_number_word_is_left_out_rather_than_misread(text: str, language: str) -> None:
    assert keys_of(text, language, "number") == []


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=1000, max_value=10**10))
def test_a_number_has_one_key_in_every_locales_grouping(value: int) -> None:
    grouped = f"{value:,}"
    spellings = {
        "en": grouped,
        "de": grouped.replace(",", "."),
        "fr": grouped.replace(",", "\u202f"),
        "ru": grouped.replace(",", "\u00a0"),
    }
    keys = {
        language: keys_of(f"Es waren {spelled} Menschen.", language, "number")
        for language, spelled in spellings.items()
    }
    assert len({tuple(found) for found in keys.values()}) == 1
    assert len(keys["en"]) == 1


# --- names across scripts -------------------------------------------------------------------------


def the_name(text: str, language: str) -> Anchor:
    """The one name anchor of a short text."""
    names = [anchor for anchor in extract_anchors(text, language) if anchor.kind == "entity"]
    assert len(names) == 1, names
    return names[0]


@pytest.mark.parametrize(
    ("first", "first_language", "second", "second_language"),
    [
        ("Die Kämpfe um Kursk dauern an.", "de", "Бои за Курск продолжаются.", "ru"),
        ("Die Kämpfe um Kursk dauern an.", "de", "Бои в Курске продолжаются.", "ru"),
        (
            "Gestern schrieb Kim Jong Un einen Brief.",
            "de",
            "Вчера Ким Чен Ын написал письмо.",
            "ru",
        ),
        (
            "Gestern schrieb Kim Jong-un einen Brief.",
            "de",
            "Yesterday Kim Jong-Un wrote a letter.",
            "en",
        ),
        ("Yesterday Kim Jong Un wrote a letter.", "en", "Вчера Ким Чен Ын написал письмо.", "ru"),
        ("Der Brief kam aus Pjöngjang.", "de", "The letter came from Pyongyang.", "en"),
        ("Der Brief kam aus Pjöngjang.", "de", "Письмо пришло из Пхеньяна.", "ru"),
        ("Dann sprach Wladimir Putin.", "de", "Затем выступил Владимир Путин.", "ru"),
        ("Dann sprach Wladimir Putin.", "de", "Puis a parlé Vladimir Poutine.", "fr"),
        ("Dann sprach Selenskyj.", "de", "Then Zelensky spoke.", "en"),
        ("Dann sprach Selenskyj.", "de", "Затем выступил Зеленский.", "ru"),
        ("Sie flogen nach Moskau.", "de", "Ils sont allés à Moscou.", "fr"),
        ("Sie flogen nach Moskau.", "de", "Они полетели в Москву.", "ru"),
        ("Ein Sprecher von Reuters.", "de", "Представитель Reuters.", "ru"),
    ],
)
def test_a_name_matches_across_spellings_and_scripts(
    first: str, first_language: str, second: str, second_language: str
) -> None:
    assert anchors_match(the_name(first, first_language), the_name(second, second_language))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Die Kämpfe um Kursk dauern an.", "Die Kämpfe um Minsk dauern an."),
        ("Dann sprach Wladimir Putin.", "Dann sprach Angela Merkel."),
        ("Sie flogen nach Berlin.", "Sie flogen nach Bern."),
        ("Der Brief kam aus Pjöngjang.", "Der Brief kam aus Peking."),
    ],
)
def test_different_names_do_not_match(first: str, second: str) -> None:
    assert not anchors_match(the_name(first, "de"), the_name(second, "de"))


@pytest.mark.parametrize(
    ("text", "language", "key"),
    [
        ("Gestern schrieb Kim Jong-un einen Brief.", "de", "kim jong un"),
        ("Вчера Ким Чен Ын написал письмо.", "ru", "kim chen yn"),
        ("Die Kämpfe um Kursk dauern an.", "de", "kursk"),
        ("Бои в Курске продолжаются.", "ru", "kursk"),
        ("Der Brief kam aus Pjöngjang.", "de", "pjongjang"),
    ],
)
def test_a_name_key_is_transliterated_case_folded_without_diacritics_or_hyphens(
    text: str, language: str, key: str
) -> None:
    assert the_name(text, language).key == key


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Die Regierung und die Polizei sprachen mit den Soldaten der russischen Armee.", "de"),
        ("The Scientists said. According to experts, it rained.", "en"),
        ("Les Français et les Allemands ont voté.", "fr"),
        ("Ученые говорят. По словам экспертов, шел дождь.", "ru"),
    ],
)
def test_common_words_that_happen_to_be_capitalised_are_not_names(text: str, language: str) -> None:
    assert keys_of(text, language, "entity") == []


def test_a_german_country_or_acronym_after_an_article_is_a_name() -> None:
    assert keys_of("Die Ukraine und die USA sprachen mit der Regierung.", "de", "entity") == [
        "ukraine",
        "usa",
    ]


# Pieces of anchors and of what surrounds them, so that generated texts put every kind of anchor
# start (digit, capital, URL, handle, German determiner) after every kind of separator.
ANCHOR_PIECES = [
    "Kim",
    " Jong-un",
    "der ",
    "Die ",
    "ein",
    "15.",
    "08.2022",
    " 10:30 Uhr",
    "5 %",
    "@dpa",
    "https://x.de/a",
    "www.y.com",
    "U.S.",
    " ",
    "\n",
    ",",
    "-",
    "/",
    "#",
    "'",
    "’",
    "„",
    "«",
    "»",
    "(",
    "é",
    "Ölpreis",
    "Москва",
    "two million",
    "August",
    "x",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ANCHOR_PIECES), max_size=30).map("".join))
def test_anchors_are_found_where_the_whole_pattern_would_find_them(text: str) -> None:
    """The anchor pattern is tried only after a separator before an anchor's first character: it
    must find what trying it everywhere finds.
    """
    for pattern, starts in (
        (anchors._ANCHOR, anchors._ANCHOR_STARTS),
        (anchors._ANCHOR_GERMAN, anchors._ANCHOR_STARTS_GERMAN),
    ):
        expected = [(match.span(), match.lastgroup) for match in pattern.finditer(text)]
        assert [
            (match.span(), match.lastgroup)
            for match in anchors._anchor_matches(text, pattern, starts)
        ] == expected


def test_urls_and_handles_are_anchors() -> None:
    text = "Quelle: https://www.merkur.de/politik/kim-zr-94100913.html, via @dpa_news."
    anchors = extract_anchors(text, "de")
    assert [(anchor.kind, anchor.key) for anchor in anchors] == [
        ("url", "merkur.de/politik/kim-zr-94100913.html"),
        ("handle", "@dpa_news"),
    ]


@pytest.mark.parametrize(
    "path", sorted(SEEDS.glob("*.txt")) + sorted(DATA.rglob("*.txt")), ids=lambda path: path.name
)
def test_anchors_come_in_order_and_point_at_their_surface(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    language = path.suffixes[-2][1:] if len(path.suffixes) > 1 else "de"
    anchors = extract_anchors(text, language)
    assert anchors
    assert [anchor.position for anchor in anchors] == sorted(anchor.position for anchor in anchors)
    assert all(
        text[anchor.position : anchor.position + len(anchor.surface)] == anchor.surface
        for anchor in anchors
    )


# --- real translations
# -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "first_language", "second", "second_language", "expected_pairs"),
    [
        pytest.param(
            "wmt22_de_fr.de.txt",
            "de",
            "wmt22_de_fr.fr.txt",
            "fr",
            [("Max Verstappen", "Max Verstappen"), ("Abu Dhabi", "Abu Dhabi"), ("zwei", "deux")],
            id="wmt22 de-fr",
        ),
        pytest.param(
            "wmt22_ru_en.ru.txt",
            "ru",
            "wmt22_ru_en.en.txt",
            "en",
            [
                ("12 декабря", "December 12"),
                ("96,5%", "96.5%"),
                ("3,51%", "3.51%"),
                ("2,99%", "2.99%"),
            ],
            id="wmt22 ru-en",
        ),
        pytest.param(
            "seed003_translation.ru.txt",
            "ru",
            None,
            "de",
            [
                ("15 000", "15.000"),
                ("Вадим Скибицкий", "Vadym Skibitskyi"),
                ("Reuters", "Reuters"),
                ("6,5 млн", "6,5 Millionen"),
            ],
            id="seed 003 translated into Russian",
        ),
    ],
)
def test_a_translation_is_linked_with_its_aligned_anchors(
    first: str,
    first_language: str,
    second: str | None,
    second_language: str,
    expected_pairs: list[tuple[str, str]],
) -> None:
    second_text = read(second) if second else seed_excerpt()
    is_translation, pairs, reason = compare(
        read(first), first_language, second_text, second_language
    )
    assert is_translation, reason
    assert set(expected_pairs) <= set(pairs)


def test_the_reverse_comparison_gives_the_same_verdict() -> None:
    forward = compare(read("wmt22_de_fr.de.txt"), "de", read("wmt22_de_fr.fr.txt"), "fr")
    backward = compare(read("wmt22_de_fr.fr.txt"), "fr", read("wmt22_de_fr.de.txt"), "de")
    assert forward[0] and backward[0]
    assert {(b, a) for a, b in backward[1]} == set(forward[1])


def test_names_in_a_translation_align_across_scripts() -> None:
    _, pairs, _ = compare(seed_excerpt(), "de", read("seed003_translation.ru.txt"), "ru")
    assert ("Kursk", "Курской") in pairs
    assert any("Putin" in first and "Путин" in second for first, second in pairs)


# --- independent reports of the same story ----------------------------------------------------


@pytest.mark.parametrize(
    ("first", "first_language", "second", "second_language"),
    [
        pytest.param(
            None,
            "de",
            "seed003_independent.fr.txt",
            "fr",
            id="seed 003 and a French report of its story",
        ),
        pytest.param(
            "seed003_translation.ru.txt",
            "ru",
            "seed003_independent.fr.txt",
            "fr",
            id="its Russian translation and the French report",
        ),
        pytest.param(
            "wmt22_de_fr.de.txt",
            "de",
            "independent/f1_protest.en.txt",
            "en",
            id="Mercedes protest: German and an English report",
        ),
        pytest.param(
            "wmt22_de_fr.fr.txt",
            "fr",
            "independent/f1_protest.en.txt",
            "en",
            id="Mercedes protest: French and an English report",
        ),
        pytest.param(
            "wmt22_ru_en.ru.txt",
            "ru",
            "independent/new_caledonia.de.txt",
            "de",
            id="New Caledonia: Russian and a German report",
        ),
        pytest.param(
            "wmt22_ru_en.en.txt",
            "en",
            "independent/new_caledonia.de.txt",
            "de",
            id="New Caledonia: English and a German report",
        ),
    ],
)
def test_the_same_story_written_independently_is_not_a_translation(
    first: str | None, first_language: str, second: str, second_language: str
) -> None:
    first_text = read(first) if first else seed_excerpt()
    first_anchors, second_anchors = (
        extract_anchors(first_text, first_language),
        extract_anchors(read(second), second_language),
    )
    shared = [
        anchor
        for anchor in first_anchors
        if any(anchors_match(anchor, other) for other in second_anchors)
    ]
    evidence = compare_translation(first_anchors, second_anchors, first_language, second_language)
    assert len(shared) >= 3, "the reports should share names or numbers, or the test proves nothing"
    assert not evidence.is_translation, evidence.reason
    assert evidence.reason.startswith("not a translation")


# --- short reports of one day
# ----------------------------------------------------------------------

SAME_DAY = DATA / "same_day"
TRANSLATED_REPORTS = [
    ("moscow_snow", "en", "de"),
    ("ministry_warning", "fr", "en"),
    ("peskov_call", "en", "fr"),
    ("avalanche", "fr", "en"),
    ("vienna_demo", "en", "ru"),
    ("key_rate", "en", "de"),
    ("paris_pollution", "de", "en"),
]


def same_day(name: str) -> tuple[str, str]:
    """A hand-written report of tests/data/translation/same_day (``story.outlet.lang``) and its
    language.
    """
    return (SAME_DAY / f"{name}.txt").read_text(encoding="utf-8"), name.rsplit(".", 1)[1]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("moscow_snow.a.ru", "moscow_snow.b.en"),
        ("moscow_snow.a.ru", "moscow_snow.b.de"),
        ("key_rate.a.ru", "key_rate.b.en"),
        ("key_rate.a.ru", "key_rate.b.de"),
        ("uk_omicron.x.de", "uk_omicron.x.fr"),
        ("kazakh_teens.x.de", "kazakh_teens.x.fr"),
        ("carbone.x.en", "carbone.x.ru"),
    ],
)
def test_short_reports_of_one_day_written_apart_are_not_translations(
    first: str, second: str
) -> None:
    """Two outlets' short reports of one day share its date, a number and a name, in news order; the
    alignment must show more.
    """
    (first_text, first_language), (second_text, second_language) = same_day(first), same_day(second)
    first_anchors, second_anchors = (
        extract_anchors(first_text, first_language),
        extract_anchors(second_text, second_language),
    )
    shared = {
        anchor.kind
        for anchor in first_anchors
        if any(anchors_match(anchor, other) for other in second_anchors)
    }
    evidence = compare_translation(first_anchors, second_anchors, first_language, second_language)
    assert {"date", "number", "entity"} <= shared, (
        "the reports should share a date, a number and a name, or the test proves nothing"
    )
    assert evidence.aligned < alignment.STRONG_ALIGNED_ANCHORS
    assert not evidence.is_translation, evidence.reason
    assert evidence.reason.startswith("not a translation")


@pytest.mark.parametrize(
    ("story", "original", "translated"),
    TRANSLATED_REPORTS,
    ids=[story for story, _, _ in TRANSLATED_REPORTS],
)
def test_a_short_report_translated_is_still_linked(
    story: str, original: str, translated: str
) -> None:
    is_translation, pairs, reason = compare(
        *same_day(f"{story}.b.{original}"), *same_day(f"{story}.b.{translated}")
    )
    assert is_translation, reason
    assert len(pairs) >= 8


def test_a_shared_day_alone_is_no_translation() -> None:
    """A date and its weekday align completely, and every report of that day has them."""
    evidence = compare_translation(
        extract_anchors("Am Sonntag, dem 12. Dezember, wird gewählt.", "de"),
        extract_anchors("Dimanche 12 décembre, on vote.", "fr"),
        "de",
        "fr",
    )
    assert (evidence.aligned, evidence.coverage_first, evidence.coverage_second) == (2, 1.0, 1.0)
    assert not evidence.is_translation
    assert "only dates align" in evidence.reason


def test_a_short_report_with_numbers_of_its_own_is_no_translation() -> None:
    """The other text has the name, the day and the count, but not how many firefighters came: a
    report written apart.
    """
    evidence = compare_translation(
        extract_anchors(
            "Police in Kinsau near Landsberg said on Sunday that two residents were hurt. About 60 firefighters came. Investigators from Fürstenfeldbruck took over.",
            "en",
        ),
        extract_anchors(
            "Die Polizei in Kinsau bei Landsberg teilte am Sonntag mit, zwei Bewohner seien verletzt worden. Die Kripo Fürstenfeldbruck ermittelt.",
            "de",
        ),
        "en",
        "de",
    )
    assert evidence.aligned == 5 and evidence.score >= alignment.SHORT_ALIGNMENT_SCORE
    assert not evidence.is_translation
    assert "numbers and dates are missing from the other" in evidence.reason


# --- same language, empty texts, direction ------------------------------------------------------


@pytest.mark.parametrize(
    ("first_language", "second_language"), [("de", "de"), ("de", "de-AT"), ("ru", "RU")]
)
def test_a_text_in_the_same_language_is_never_a_translation(
    first_language: str, second_language: str
) -> None:
    anchors = extract_anchors(seed_excerpt(), "de")
    evidence = compare_translation(anchors, anchors, first_language, second_language)
    assert not evidence.is_translation
    assert "same language" in evidence.reason
    assert evidence.pairs == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("", ""),
        ("Die Kämpfe um Kursk.", ""),
        ("Die Kämpfe um Kursk dauern an.", "Les combats à Koursk continuent."),
    ],
)
def test_too_few_anchors_are_no_evidence(first: str, second: str) -> None:
    evidence = compare_translation(
        extract_anchors(first, "de"), extract_anchors(second, "fr"), "de", "fr"
    )
    assert not evidence.is_translation
    assert evidence.reason.startswith("too few anchors")


@pytest.mark.parametrize(
    ("first_published", "second_published", "origin", "phrase"),
    [
        (
            datetime(2025, 1, 2, 9, 0),
            datetime(2025, 1, 2, 15, 30),
            "first",
            "the first text (de) was published 2025-01-02 09:00",
        ),
        (
            datetime(2025, 1, 3, 9, 0),
            datetime(2025, 1, 2, 15, 30),
            "second",
            "the second text (ru) was published 2025-01-02 15:30",
        ),
        (
            datetime(2025, 1, 2, 9, 0),
            datetime(2025, 1, 2, 9, 0),
            None,
            "published at the same time",
        ),
        (None, datetime(2025, 1, 2, 9, 0), None, "the first text has no publication date"),
        (None, None, None, "the first text and the second text have no publication date"),
    ],
)
def test_the_earlier_text_is_the_origin_and_otherwise_it_is_undetermined(
    first_published: datetime | None,
    second_published: datetime | None,
    origin: str | None,
    phrase: str,
) -> None:
    found, reason = translation_direction("de", "ru", first_published, second_published)
    assert found == origin
    assert phrase in reason
    assert origin is not None or reason.startswith("undetermined")


# --- features and LSH keys
# -------------------------------------------------------------------------


def test_features_are_tokens_the_shingler_keeps_whole() -> None:
    anchors = extract_anchors(seed_excerpt(), "de")
    features = anchor_features(anchors)
    tokens = features.split()
    assert all(token.isalnum() for token in tokens)
    batch = shingle_batch([features], SketchParams(128, 1, shingle_size=1))
    assert batch.word_counts[0] == len(tokens)


def test_a_translation_shares_lsh_keys_and_an_empty_text_has_none() -> None:
    texts = [seed_excerpt(), read("seed003_translation.ru.txt"), ""]
    features = [
        anchor_features(extract_anchors(text, language))
        for text, language in zip(texts, ("de", "ru", "fr"), strict=True)
    ]
    keys = translation_keys(features, Settings())
    assert all(found.dtype == np.int64 for found in keys)
    assert np.intersect1d(keys[0], keys[1]).size > 0
    assert keys[2].size == 0
    assert translation_keys([], Settings()) == []


def test_translation_keys_live_apart_from_body_and_paragraph_keys() -> None:
    from provenance.sketch.index import BODY_NAMESPACE, PARAGRAPH_NAMESPACE, TRANSLATION_NAMESPACE

    assert TRANSLATION_NAMESPACE not in (BODY_NAMESPACE, PARAGRAPH_NAMESPACE)


@pytest.mark.parametrize("marks", [1, 5000])
def test_a_name_after_a_run_of_opening_marks_is_an_anchor(marks: int) -> None:
    assert [
        anchor.key for anchor in extract_anchors("Er sagte " + "„" * marks + "Merkel kommt.", "de")
    ] == ["merkel"]
