"""Attribution extraction: cues in German, English and Russian, wire credits, bylines and image
credits.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.errors import ConfigError
from provenance.knowledge.attribution import Cue, Found, extract_attributions, load_cues
from provenance.text.normalize import load_patterns, split_layout, text_lines

from .conftest import SEEDS

BODY = "Der Kremlchef dankte Kim für die Unterstützung im Sommer."


def attributions_of(text: str, language: str) -> list[Found]:
    """Attributions of a text as ingest finds them: furniture split first."""
    layout = split_layout(text_lines(text), load_patterns())
    return extract_attributions("\n".join(layout.body), layout.furniture, layout.markers, language)


@pytest.mark.parametrize(
    ("text", "language", "source", "kind", "cue"),
    [
        (
            'Hintergrund ist laut "Spiegel" die militärische Lage.',
            "de",
            "Der Spiegel",
            "cites",
            "laut",
        ),
        (
            "Der Nachrichtenagentur Yonhap zufolge landete Putin am Abend.",
            "de",
            "Yonhap",
            "cites",
            "zufolge",
        ),
        (
            "Nach Angaben von KCNA lobte Putin die Soldaten.",
            "de",
            "KCNA",
            "cites",
            "Nach Angaben von",
        ),
        (
            "Wie die staatliche Nachrichtenagentur KCNA berichtet, würdigte Putin den Einsatz.",
            "de",
            "KCNA",
            "cites",
            "Wie die staatliche Nachrichtenagentur KCNA berichtet",
        ),
        (
            "Wie der Spiegel schreibt, schickte Pjöngjang Soldaten.",
            "de",
            "Der Spiegel",
            "cites",
            "Wie der Spiegel schreibt",
        ),
        (
            "Wie die Agentur TASS meldet, telefonierten beide.",
            "de",
            "TASS",
            "cites",
            "Wie die Agentur TASS meldet",
        ),
        (
            "Am Montag berichtete die Nachrichtenagentur Interfax über das Telefonat.",
            "de",
            "Interfax",
            "cites",
            "berichtete",
        ),
        (
            "Dies habe die Freundschaft bewiesen, zitierte KCNA den russischen Machthaber.",
            "de",
            "KCNA",
            "quotes",
            "zitierte",
        ),
        (
            "Die Beziehungen seien gefestigt, heißt es in einer von der staatlichen Nachrichtenagentur KCNA veröffentlichten Neujahrsbotschaft.",
            "de",
            "KCNA",
            "quotes",
            "heißt es in einer von der staatlichen Nachrichtenagentur KCNA veröffentlichten",
        ),
        (
            "Die Soldaten kämpften in Kursk. Das schreibt unter anderem der Spiegel.",
            "de",
            "Der Spiegel",
            "cites",
            "Das schreibt",
        ),
        (
            "Die Verluste waren hoch. (Quellen: Spiegel, Reuters, KCNA, tagesschau.de)",
            "de",
            "tagesschau.de",
            "cites",
            "(Quellen:",
        ),
        (f"{BODY}\nQuelle: dpa", "de", "dpa", "cites", "Quelle:"),
        (f"{BODY}\nMit Material von dpa und AFP", "de", "AFP", "wire", "Mit Material von"),
        (f"{BODY}\nWeitere Quellen • AP", "de", "AP", "cites", "Weitere Quellen •"),
        (f"{BODY}\nsba/loc/news.de/dpa", "de", "dpa", "wire", "sba/loc/news.de/dpa"),
        (
            "HELSINKI (AP) — Finland closed its border crossings on Tuesday.",
            "en",
            "AP",
            "wire",
            "HELSINKI (AP) —",
        ),
        (
            "Berlin (dpa) - Der Bundestag hat am Freitag das Gesetz beschlossen.",
            "de",
            "dpa",
            "wire",
            "Berlin (dpa) -",
        ),
        (
            "By Reuters\nThe central bank raised rates by a quarter point on Wednesday.",
            "en",
            "Reuters",
            "wire",
            "By Reuters",
        ),
        (
            "The troops were sent in October, according to Yonhap.",
            "en",
            "Yonhap",
            "cites",
            "according to",
        ),
        (
            "The Washington Post reported that the letter was sent in June.",
            "en",
            "The Washington Post",
            "cites",
            "reported",
        ),
        (
            "Pyongyang sent 10,000 troops, citing Yonhap, the broadcaster said.",
            "en",
            "Yonhap",
            "cites",
            "citing",
        ),
        ("По данным ТАСС, переговоры прошли в Кремле.", "ru", "TASS", "cites", "По данным"),
        (
            "Как сообщает РИА Новости, встреча состоится в пятницу.",
            "ru",
            "RIA Novosti",
            "cites",
            "Как сообщает",
        ),
        (
            "Путин поблагодарил Кима за поддержку летом.\nИсточник: ТАСС",
            "ru",
            "TASS",
            "cites",
            "Источник:",
        ),
    ],
)
def test_cues_name_their_source(text: str, language: str, source: str, kind: str, cue: str) -> None:
    found = attributions_of(text, language)
    assert (source, kind, cue) in [(item.source, item.kind, item.cue) for item in found]


@pytest.mark.parametrize(
    ("line", "sources"),
    [
        (
            "Wladimir Putin: Botschaft an Kim. Bild: picture alliance/dpa/KCNA/KNS | Uncredited",
            ["picture alliance", "dpa", "KCNA", "KNS"],
        ),
        ("Copyright 朝鮮通信社/AP", ["KNS", "AP"]),
        ("Kim und Putin sind Verbündete. © IMAGO / ZUMA Press", ["IMAGO", "ZUMA Press"]),
        (
            "Wladimir Putin und Kim Jong Un bekräftigen ihre Partnerschaft in Pjöngjang Kristina Kormilitsyna/Sputnik",
            ["Kristina Kormilitsyna", "Sputnik"],
        ),
    ],
)
def test_image_credits_are_not_text_sources(line: str, sources: list[str]) -> None:
    found = attributions_of(f"{BODY}\n{line}", "de")
    assert [item.source for item in found if item.kind == "image_credit"] == sources
    assert [item for item in found if item.kind != "image_credit"] == []


def test_cue_offsets_point_at_the_cue_in_the_body() -> None:
    body = "Erster Satz ohne Quelle. Hintergrund ist laut Spiegel die Lage."
    [found] = extract_attributions(body, language="de")
    assert found.start is not None and found.end is not None
    assert body[found.start : found.end] == "laut"
    assert found.sentence == "Hintergrund ist laut Spiegel die Lage."


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        ("000", {("Der Spiegel", "cites"), ("KCNA", "cites")}),
        ("001", {("dpa", "wire"), ("North Korean state media", "cites"), ("news.de", "byline")}),
        ("002", {("KCNA", "cites"), ("Rodong Sinmun", "cites"), ("Yonhap", "quotes")}),
        (
            "003",
            {
                ("KCNA", "quotes"),
                ("Der Spiegel", "cites"),
                ("Reuters", "cites"),
                ("tagesschau.de", "cites"),
                ("merkur.de", "copied_from"),
            },
        ),
        ("004", {("KCNA", "cites"), ("TASS", "cites"), ("AP", "cites")}),
    ],
)
def test_seed_attributions(seed: str, expected: set[tuple[str, str]]) -> None:
    text = next(SEEDS.glob(f"{seed}_*.txt")).read_text(encoding="utf-8")
    found = attributions_of(text, "de")
    named = {(item.source, item.kind) for item in found if item.kind != "image_credit"}
    assert expected <= named
    text_sources = {item.source for item in found if item.kind != "image_credit"}
    credit_only = {item.source for item in found if item.kind == "image_credit"} - {
        "KCNA",
        "AP",
        "dpa",
    }
    assert not credit_only & text_sources


def test_user_cue_file_and_its_errors(tmp_path: Path) -> None:
    user = tmp_path / "cues.toml"
    user.write_text(
        """
[[cue]]
lang = "de"
kind = "cites"
pattern = '\\bberuft sich auf\\b'
source = "after"
""",
        encoding="utf-8",
    )
    cues = load_cues(user)
    [found] = extract_attributions(
        "Die Zeitung beruft sich auf Reuters.", language="de", cue_set=cues
    )
    assert (found.source, found.cue) == ("Reuters", "beruft sich auf")
    broken = tmp_path / "broken.toml"
    broken.write_text(
        "[[cue]]\nlang = 'de'\nkind = 'cites'\npattern = '(x'\nsource = 'after'\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="broken.toml, line 1: bad pattern"):
        load_cues(broken)


SCAN_TEXTS = [
    *(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))),
    "unsaid said, resaid; SAID. Said\nsaid",
    "According to Reuters, the accordingly according to AP.\nBy Reuters\nfrom the Associated Press",
    "BERLIN (dpa) - Text.\n\nMOSKAU (Reuters) — mehr\n(AP) — x\nWie die Agentur KCNA berichtet, laut Spiegel",
    "Quellen: Spiegel, Reuters\n(Quelle: tagesschau.de)\nsources: AP | Reuters",
    "как сообщает ТАСС, по данным РИА Новости; заявил Песков",
]


@pytest.mark.parametrize(
    "cue", load_cues().cues, ids=lambda cue: f"{cue.lang}-{cue.kind}-{cue.regex.pattern[:24]}"
)
def test_cue_scans_find_exactly_what_finditer_finds(cue: Cue) -> None:
    """The word-start and line-start scans are a shortcut: they must give finditer's matches, no
    more, no fewer.
    """
    for text in SCAN_TEXTS:
        lowered = text.lower() if len(text.lower()) == len(text) else None
        plain = (
            cue.lowered.finditer(lowered)
            if cue.lowered is not None and lowered is not None
            else cue.regex.finditer(text)
        )
        assert [(m.span(), m.groupdict()) for m in cue.finditer(text, lowered)] == [
            (m.span(), m.groupdict()) for m in plain
        ]


def test_most_packaged_cues_take_a_scan_shortcut() -> None:
    starts = [cue.start for cue in load_cues().cues]
    assert starts.count("word") >= 25 and starts.count("line") >= 2


@pytest.mark.parametrize(
    ("pattern", "start"),
    [
        (r"\bsaid\b", "word"),
        (r"^By\s+\w+", "line"),
        (r"\bsaid|told", ""),
        (r"(?:\bsaid)", ""),
        (r"\b", ""),
        (r"said\b", ""),
    ],
)
def test_a_cue_is_scanned_by_its_leading_anchor_only_when_it_covers_the_whole_pattern(
    pattern: str, start: str, tmp_path: Path
) -> None:
    user = tmp_path / "cues.toml"
    user.write_text(
        f"[[cue]]\nlang = 'en'\nkind = 'cites'\npattern = '{pattern}'\nsource = 'after'\n",
        encoding="utf-8",
    )
    assert load_cues(user).cues[0].start == start
