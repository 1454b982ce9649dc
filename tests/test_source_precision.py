"""Cited sources are media, agencies, organisations or named people: never places, adjectives,
common nouns or quoted words (issue #27).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.errors import ConfigError
from provenance.knowledge.attribution import _quotations, extract_attributions, load_cues
from provenance.knowledge.registry import load_registry

CTK = "Wie die tschechische Nachrichtenagentur ČTK berichtete, fielen im Einzugsgebiet der Moldau innerhalb von 24 Stunden bis zu 180 Liter Regen pro Quadratmeter."
KCNA = "Wie die Nachrichtenagentur KCNA am Abend berichtete, wollen beide Regierungen ihre Zusammenarbeit ausbauen."


def cited(text: str, language: str) -> list[tuple[str, str]]:
    """The (source, kind) of the body's cites and quotes attributions."""
    return [
        (found.source, found.kind)
        for found in extract_attributions(text, language=language)
        if found.kind in ("cites", "quotes")
    ]


def test_a_czech_agency_is_the_source_not_the_river_basin() -> None:
    assert cited(CTK, "de") == [("ČTK", "cites")]


def test_the_subject_after_the_verb_of_a_wie_clause_is_no_source() -> None:
    assert cited(KCNA, "de") == [("KCNA", "cites")]
    assert cited(KCNA.replace("berichtete,", "berichtete"), "de") == [("KCNA", "cites")]


def test_a_source_inside_a_wie_clause_is_kept() -> None:
    text = "Wie die Agentur TASS unter Berufung auf den Kreml berichtet, telefonierten beide."
    assert cited(text, "de") == [("TASS", "cites"), ("Kreml", "cites")]


@pytest.mark.parametrize(
    "written",
    [
        "ČTK",
        "CTK",
        "Czech News Agency",
        "Tschechische Nachrichtenagentur",
        "tschechischen Nachrichtenagentur",
        "ЧТК",
    ],
)
def test_ctk_is_in_the_registry_by_its_names(written: str) -> None:
    entry = load_registry().resolve(written)
    assert entry is not None and (entry.name, entry.kind) == ("ČTK", "agency")


@pytest.mark.parametrize(
    "text",
    [
        "The Russian delegation said on Tuesday that the talks had stalled.",
        "The Republican nominee said the debate was rigged.",
        "Two Republicans, a Democrat and an American diplomat said the deal was dead.",
        "“We will stay,” said a Russian.",
    ],
)
def test_an_adjective_or_nationality_is_never_a_source(text: str) -> None:
    assert cited(text, "en") == []


@pytest.mark.parametrize(
    "text",
    [
        "Russian officials said on Tuesday that the talks had stalled.",
        "The talks stalled, Russian officials said.",
    ],
)
def test_a_named_group_is_the_source_never_its_adjective(text: str) -> None:
    """PolNeAR annotates the whole group ("Russian officials") as the source."""
    assert cited(text, "en") == [("Russian officials", "quotes")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the subject before a speech verb, or after it only right after a quotation
        (
            "“We are not leaving,” said Maria Lopez, a spokeswoman for the city.",
            [("Maria Lopez", "quotes")],
        ),
        ("Anne Cole said Smith would resign.", [("Anne Cole", "quotes")]),
        (
            "Mayor Tom Reed told CNN that the bridge would reopen.",
            [("Mayor Tom Reed", "quotes"), ("CNN", "cites")],
        ),  # the medium spoken to is credited too
        (
            "The senator told The Washington Post that he would run.",
            [("The Washington Post", "cites")],
        ),
        # a pronoun right before the verb, not a word of the quotation
        ("“It is a sad day,” she said. “Washington has failed us.”", [("she", "quotes")]),
        ("“As Smith reported last year, the bridge is unsafe,” Jones said.", [("Jones", "quotes")]),
        # the head of the noun phrase, not its modifier
        ("Democratic nominee Laura Kim said the plan was reckless.", [("Laura Kim", "quotes")]),
        ("MSNBC host Chris Matthews said the debate was over.", [("Chris Matthews", "quotes")]),
        ("According to a Reuters analysis, turnout rose.", [("Reuters", "cites")]),
        ("This was reported by the RTHK radio station.", [("RTHK", "cites")]),
        ("The advice was wrong, according to a British medical journal.", []),
        # party and place tags belong to the name before them
        ("Sen. Mark Hale (R-Ohio) said the bill would pass.", [("Sen. Mark Hale", "quotes")]),
        ("Rep. Dana Price, D-Calif., said the hearing was over.", [("Rep. Dana Price", "quotes")]),
        ("Jo Baker, 41, of Dayton, Ohio, said she would vote early.", []),
        # places, passives, report lines
        ("The governor met voters in Denver and said the count was fair.", []),
        ("Clinton was asked about the emails on Sunday.", []),
        ("Baker reported from Chicago.", []),
        # organisations and media are sources
        ("The Pentagon said the strike was lawful.", [("Pentagon", "quotes")]),
        (
            "In a statement, Amnesty International said the arrests were unlawful.",
            [("Amnesty International", "quotes")],
        ),
        ("This was reported by the Daily Express.", [("Daily Express", "cites")]),
        ("According to the WHO, the virus has spread to six countries.", [("WHO", "cites")]),
    ],
)
def test_english_sources(text: str, expected: list[tuple[str, str]]) -> None:
    assert cited(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Den Berichten aus Nordkorea zufolge übermittelte Kim eine Botschaft.", "de", []),
        ("Polen und Litauen riegelten Presseberichten zufolge Grenzabschnitte ab.", "de", []),
        (
            "Das Feuer hat den Angaben von Westnetz zufolge die Anlage beschädigt.",
            "de",
            [("Westnetz", "cites")],
        ),
        ("Laut Müller ist das falsch.", "de", [("Müller", "cites")]),
        ("« Nous restons », a déclaré Marie Dubois.", "fr", [("Marie Dubois", "quotes")]),
        ("Le ministre a déclaré Paris prête pour les Jeux.", "fr", []),
        ("Le bilan s'alourdit, selon le journal « El País ».", "fr", [("El País", "cites")]),
        ("Об этом заявил Дмитрий Песков.", "ru", [("Дмитрий Песков", "quotes")]),
        ("Мир нужен всем, - сказала она (цитата по ТАСС).", "ru", [("она", "quotes")]),
        ("Как сообщили в Москве, переговоры продолжатся.", "ru", []),
    ],
)
def test_german_french_and_russian_sources(
    text: str, language: str, expected: list[tuple[str, str]]
) -> None:
    assert cited(text, language) == expected


def test_source_offsets_point_at_the_name_in_the_body() -> None:
    body = "The storm passed, according to the “Guardian”."
    [found] = extract_attributions(body, language="en")
    assert found.source_start is not None and found.source_end is not None
    assert body[found.source_start : found.source_end] == "Guardian"


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Er sagte: „Wir kommen“, so KCNA.", ["Wir kommen"]),
        ("“It is fine,” he said, and «non» too.", ["It is fine,", "non"]),
        ("''Yes,'' he said.\n\"Open to the end", ["Yes,", "Open to the end"]),
        (
            'It was called "Europe\'s ""Oscar") and "Best Editing", says "MIR24".',
            ['Europe\'s ""Oscar', "Best Editing", "MIR24"],
        ),
    ],
)
def test_quotations_are_found_within_their_line(text: str, quoted: list[str]) -> None:
    assert [text[start:end] for start, end in _quotations(text)] == quoted


def test_a_cue_may_take_its_source_after_it_only_when_inverted(tmp_path: Path) -> None:
    user = tmp_path / "cues.toml"
    user.write_text(
        "[[cue]]\nlang = 'en'\nkind = 'quotes'\npattern = '\\bbriefed\\b'\nsource = 'either'\nafter = 'inverted'\n",
        encoding="utf-8",
    )
    cues = load_cues(user)
    assert [
        found.source
        for found in extract_attributions(
            "Harris briefed Reuters on Monday.", language="en", cue_set=cues
        )
    ] == ["Harris", "Reuters"]  # the medium spoken to, beside the speaker
    assert [
        found.source
        for found in extract_attributions(
            "“It is done,” briefed Harris.", language="en", cue_set=cues
        )
    ] == ["Harris"]
    broken = tmp_path / "broken.toml"
    broken.write_text(
        "[[cue]]\nlang = 'en'\nkind = 'quotes'\npattern = 'x'\nsource = 'either'\nafter = 'sometimes'\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="broken.toml, line 1: after must be"):
        load_cues(broken)


@pytest.mark.parametrize(
    ("sentence", "medium"),
    [
        ("Trump told CNN on Sunday that he would win.", "CNN"),
        ("“Be careful,” Trump told Fox News host Sean Hannity earlier.", "Fox News"),
        ("The senator told POLITICO the bill would pass.", "Politico"),
    ],
)
def test_a_medium_spoken_to_is_credited_beside_the_speaker(sentence: str, medium: str) -> None:
    """ "X told CNN": the words reached the public through CNN, so CNN is cited; the speaker stays
    the quote's source.
    """
    assert (medium, "cites") in [
        (found.source, found.kind) for found in extract_attributions(sentence, language="en")
    ]
