"""Quotations: every quoting style, nesting, multi-sentence quotes, speakers, sources and
normalisation.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.knowledge.attribution import Found, extract_attributions
from provenance.knowledge.quotes import (
    _PERSON,
    MAX_OPEN_QUOTES,
    SPEAKER_WINDOW,
    _Names,
    extract_quotes,
    find_quote_spans,
    normalize_quote,
)

from .conftest import SEED_003
from .helpers import flood_records


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Er sagte „das ist gut so“ und ging.", ["das ist gut so"]),
        ('He said "this is fine here" and left.', ["this is fine here"]),
        ("He said “this is fine here” and left.", ["this is fine here"]),
        ("Il a dit «c'est très bien» hier.", ["c'est très bien"]),
        ("Er sagte »das ist gut so« und ging.", ["das ist gut so"]),
        ("Er sagte ‚das ist gut‘ und ging.", ["das ist gut"]),
        ("He said ‘this is fine’ and left, didn’t he?", ["this is fine"]),
        ("彼は「東京の 天気」と言った。", ["東京の 天気"]),
        (
            "Er sagte: „Das ist gut. Wir bleiben hier. Morgen gehen wir.“",
            ["Das ist gut. Wir bleiben hier. Morgen gehen wir."],
        ),
    ],
)
def test_every_quotation_style(text: str, quoted: list[str]) -> None:
    assert [span.text for span in find_quote_spans(text)] == quoted


def test_nested_quotations_are_found_with_their_depth() -> None:
    spans = find_quote_spans("Sie schrieb: «Er nannte es „eine große Ehre“ für alle» gestern.")
    assert [(span.text, span.depth) for span in spans] == [
        ("Er nannte es „eine große Ehre“ für alle", 0),
        ("eine große Ehre", 1),
    ]


def test_apostrophes_and_single_words_are_not_quotations() -> None:
    assert find_quote_spans("It's Kim's idea, laut \"Spiegel\", isn't it?") == []


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("„Blut, Leben und Tod“", "blut leben und tod"),
        ('"Blut,  Leben und TOD"', "blut leben und tod"),
        ("Schützen\u00adgraben", "schützengraben"),
        ("Schützen- graben", "schützengraben"),
        ("Waffen-Lieferungen", "waffenlieferungen"),
    ],
)
def test_normalisation_folds_marks_case_whitespace_and_hyphenation(raw: str, folded: str) -> None:
    assert normalize_quote(raw) == folded


@given(st.text(alphabet=st.characters(categories=("L", "N", "Zs", "P")), max_size=80))
def test_normalisation_is_idempotent(text: str) -> None:
    assert normalize_quote(normalize_quote(text)) == normalize_quote(text)


@pytest.mark.parametrize(
    ("text", "speaker", "source"),
    [
        (
            "Dies habe „die unbesiegbare Freundschaft“ bewiesen, zitierte KCNA den russischen Machthaber aus dem Kreml.",
            "den russischen Machthaber",
            "KCNA",
        ),
        ('"We will not give up," said John Kirby, according to Reuters.', "John Kirby", "Reuters"),
        (
            "„Wir stehen an der Seite der Ukraine“, sagte Olaf Scholz laut dpa.",
            "Olaf Scholz",
            "dpa",
        ),
        ("«Мы не сдадимся», — заявил Дмитрий Песков, как сообщает ТАСС.", "Дмитрий Песков", "TASS"),
    ],
)
def test_speaker_and_source_come_from_the_sentence(text: str, speaker: str, source: str) -> None:
    [quote] = extract_quotes(text, extract_attributions(text, language=None))
    assert (quote.speaker, quote.source) == (speaker, source)


def test_seed_003_quotes_are_attributed_to_kcna() -> None:
    body = SEED_003.read_text(encoding="utf-8")
    quotes = {q.text: q for q in extract_quotes(body, extract_attributions(body, language="de"))}
    assert quotes["das Teilen von Blut, Leben und Tod im selben Schützengraben"].source == "KCNA"
    assert quotes["heldenhaften Einsatz"].source == "KCNA"
    assert quotes["die unbesiegbare Freundschaft"].speaker == "den russischen Machthaber"


def _moved_back(found: Found, by: int) -> Found:
    """An attribution with its offsets `by` characters earlier."""
    return replace(
        found,
        start=None if found.start is None else found.start - by,
        end=None if found.end is None else found.end - by,
    )


def test_a_long_body_gives_the_quotes_of_its_paragraphs() -> None:
    """Sentences, line starts and credits are looked up by offset: many paragraphs together give
    what each gives alone.
    """
    paragraphs = [
        line for line in SEED_003.read_text(encoding="utf-8").splitlines() if line.strip()
    ] * 40
    body = "\n".join(paragraphs)
    attributions = extract_attributions(body, language="de")
    expected = []
    offset = 0
    for paragraph in paragraphs:
        own = [
            _moved_back(found, offset)
            for found in attributions
            if found.start is not None and offset <= found.start < offset + len(paragraph)
        ]
        expected += [
            replace(quote, start=quote.start + offset, end=quote.end + offset)
            for quote in extract_quotes(paragraph, own)
        ]
        offset += len(paragraph) + 1
    assert extract_quotes(body, attributions) == expected
    assert len(expected) >= 40 and any(quote.source for quote in expected)


def test_a_run_of_opening_marks_keeps_the_innermost_open() -> None:
    spans = find_quote_spans("„" * 5000 + "das ist gut so" + "“" * 5000)
    assert len(spans) == MAX_OPEN_QUOTES
    assert (spans[-1].text, spans[-1].depth) == ("das ist gut so", MAX_OPEN_QUOTES - 1)


def test_the_speaker_is_looked_for_near_the_quote() -> None:
    filler = "und dann noch mehr worte ohne ende " * (SPEAKER_WINDOW // 30)
    assert [
        quote.speaker for quote in extract_quotes("„Das ist gut so“, sagte Olaf Scholz " + filler)
    ] == ["Olaf Scholz"]
    assert [
        quote.speaker
        for quote in extract_quotes("„Das ist gut so“ " + filler + "sagte Olaf Scholz")
    ] == [None]


@given(st.text(alphabet="AKbx -’',.\n", max_size=60))
def test_the_name_before_an_offset_is_the_last_of_the_prefix(text: str) -> None:
    names = _Names(text)
    for end in range(len(text) + 1):
        in_prefix = [(match.span(), match.group()) for match in _PERSON.finditer(text[:end])]
        found = names.last_before(end)
        assert ((found.span(), found.group()) if found else None) == (
            in_prefix[-1] if in_prefix else None
        )


def test_an_agency_cited_for_a_figure_before_a_quote_is_not_the_quotes_source() -> None:
    """ "Wie ČTK berichtete, fielen 180 Liter Regen. „…“, sagte Kretschmer.": Kretschmer said it;
    ČTK reported the rain.
    """
    body = flood_records()[0]["text"].split("\n", 1)[1]
    [quote] = extract_quotes(body, extract_attributions(body, language="de"))
    assert (quote.speaker, quote.source) == ("Kretschmer", None)


def test_a_medium_reporting_the_speaker_in_the_sentence_before_is_the_quotes_source() -> None:
    body = "Wie die Nachrichtenagentur KCNA am Montag berichtete, sprach Kim vor Offizieren. „Wir werden unsere Verpflichtungen erfüllen“, sagte Kim."
    [quote] = extract_quotes(body, extract_attributions(body, language="de"))
    assert (quote.speaker, quote.source) == ("Kim", "KCNA")


def test_the_one_spoken_to_is_not_the_speaker() -> None:
    body = "“Maybe I can, by speaking directly to white people, say, ‘Look, this is not who we are,’” she told Harvey. “We will work on it,” Clinton told reporters."
    first, second = [
        quote
        for quote in extract_quotes(body, extract_attributions(body, language="en"))
        if quote.depth == 0
    ]
    assert (first.speaker, second.speaker) == (None, "Clinton")
