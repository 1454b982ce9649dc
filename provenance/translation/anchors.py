"""Translated copies across languages: language-independent anchors, their LSH keys, and an order-aware alignment.

A translation keeps what does not translate: numbers (``15.000`` = ``15,000`` = ``15 000``), dates
(``15. August 2022`` = ``15 août 2022`` = ``15 августа 2022``), names (``Kursk`` = ``Курск``),
URLs and @handles, and it keeps them in the same order and density. ``extract_anchors`` finds
these anchors and gives each a normal form that does not depend on the language;
``translation_keys`` turns a text's anchors into MinHash LSH band keys (namespace
``TRANSLATION_NAMESPACE``) so that candidates come from an index, not from comparing every pair;
``compare_translation`` aligns two anchor sequences in order (the heaviest chain of matching
anchors, names matched fuzzily across scripts) and calls the pair a translation only when the
alignment covers most anchors of both texts, keeps their order and leaves no long stretch
unaligned. Two independent reports of one event share names and numbers too, but in another
order and with long stretches that have no counterpart, and are not called translations. Short
reports of one day written apart (a weather warning, a ministry's statement) share its date, a
number and a name in the order news tells them, so an alignment of fewer than
``STRONG_ALIGNED_ANCHORS`` anchors must show more: more than dates aligned, the numbers of both
texts found in the other, and a higher score.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import NamedTuple

from unidecode import unidecode

from provenance.text.scanning import StartScanner, gc_paused, matches_at
from provenance.translation.languages import _EXONYM_FORMS
from provenance.translation.patterns import (
    _ANY_NUMBER_WORD,
    _DATE_WORDS,
    _MONTH_LOOKUP,
    _NUMBER_WORDS,
    _WEEKDAY_LOOKUP,
    _alternation,
    _character_class,
)

# Month names that are common words too ("may", "march") stand alone as dates only with a day or
# year;
# the English ones written in lower case are the words ("12 to 18 may be"), whatever follows.
_COMMON_WORD_MONTHS = frozenset({"may", "march"})
_AMBIGUOUS_MONTHS = frozenset(
    {
        "may",
        "march",
        "mar",
        "jan",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "feb",
        "apr",
        "dez",
        "okt",
        "avr",
        "janv",
        "févr",
        "fevr",
        "juil",
        "déc",
    }
)
_SCALE_FORMS: tuple[tuple[str, int], ...] = (
    (r"tausend|tsd\.|thousand|mille|тыс\.|тысяч[аиуе]?|тысячами|mila", 3),
    (
        r"millionen|millions?|mio\.|mln\.?|млн\.?|миллион(?:ами|ах|ов|ом|а|у)?|millones|milioni|milione",
        6,
    ),
    (
        r"milliarden|milliarde|milliards?|mrd\.?|bn|млрд\.?|миллиард(?:ами|ах|ов|ом|а|у)?|mil\s+millones|miliardi?",
        9,
    ),
    (r"billionen|billions?|trillions?|трлн\.?|триллион(?:ами|ах|ов|ом|а|у)?", 12),
)
_PERCENT = r"%|‰|prozent|percent|per\s+cent|pour\s*cent|por\s+ciento|per\s+cento|процент(?:ами|ах|ов|а|у)?|п\.\s?п\."
# Languages that write 1,234.5 (a decimal point); the others write 1.234,5 (a decimal comma).
_DECIMAL_POINT_LANGUAGES = frozenset(
    {"en", "zh", "ja", "ko", "he", "hi", "th", "ga", "mt", "ms", "tl"}
)
_LONG_SCALE_LANGUAGES = frozenset(
    {"de", "fr", "es", "it", "nl", "pl", "pt", "sv", "da", "no", "fi", "cs", "sk", "hu"}
)
_FUNCTION_WORDS = frozenset(
    """
    der die das den dem des ein eine einen einem einer eines kein keine und oder aber doch denn sondern
    in im am an auf aus bei mit nach seit von vom zu zum zur für gegen ohne um über unter vor hinter
    neben zwischen durch bis während wegen trotz laut ab als wie wenn weil dass ob so auch noch nur schon
    ich du er sie es wir ihr ihnen ihre ihren ihrem ihrer ihres sein seine seinen seinem seiner uns euch
    man dies diese dieser dieses diesen diesem jene jener solche alle viele einige mehrere beide andere
    hier dort da dann nun jetzt heute gestern morgen damals bereits zudem außerdem dabei danach demnach
    deshalb daher trotzdem jedoch zuletzt zunächst inzwischen mittlerweile währenddessen immerhin allerdings
    vielmehr zwar nicht nichts kaum sehr mehr weniger etwa rund fast knapp gut bitte ja nein herr frau
    was wer wo wann warum wieso welche welcher welches wieviel insgesamt erst ebenfalls gleichzeitig
    the a an and or but if then of in on at by for with from to into onto over under after before since
    during while as than that this these those there here it its he she they we you i me him her them our
    their his my your who whom whose which what when where why how not no yes all some many most more
    also however meanwhile still yet just only even already today yesterday tomorrow now mr mrs ms dr
    le la les l un une des du de d au aux et ou mais donc car ni que qui quoi dont où ce cet cette ces
    il elle ils elles on nous vous je tu se sa son ses leur leurs mon ma mes ton ta tes notre votre
    dans sur sous avec sans pour par chez entre vers depuis pendant avant après selon contre malgré
    comme quand si ne pas plus très aussi déjà encore toujours jamais ainsi alors puis enfin cependant
    pourtant toutefois désormais aujourd hier demain mme mm m monsieur madame
    и в во на с со к ко по о об от до из за для при без через над под между у не ни но а или что как
    это этот эта эти тот та те то так там тут здесь уже ещё еще также тоже только даже лишь все всё
    он она оно они мы вы я его ее её их ему ей им нас вас себя свой своя свои если когда где куда
    кто чем чтобы ли же бы вот потом затем сейчас сегодня вчера завтра однако поэтому кроме всего
    el los las lo y o pero en con sin por para desde hasta sobre entre según este esta estos estas
    il lo gli i una uno e o ma con su per tra fra nel nella della dello degli delle questo questa
    """.split()
)
# Nationality adjectives and nouns that English and French capitalise and other languages do not.
_NATIONALITIES = frozenset(
    """
    russian russians german germans french american americans british ukrainian ukrainians european europeans soviet
    chinese japanese italian italians spanish polish belarusian belarusians estonian estonians norwegian norwegians
    swedish dutch austrian austrians swiss turkish korean koreans israeli israelis iranian iranians indian indians
    canadian canadians australian australians mexican mexicans brazilian brazilians african africans asian asians
    western eastern belgian belgians greek greeks danish finnish czech hungarian hungarians romanian romanians serbian
    serbians georgian georgians armenian armenians kazakh lithuanian lithuanians latvian latvians english scottish irish
    russe russes allemand allemands allemande allemandes francais français française françaises americain americains américain
    américains américaine britannique britanniques ukrainien ukrainiens ukrainienne européen européens européenne
    belge belges suisses chinois japonais italien italiens espagnol espagnols polonais
    """.split()
)
# Titles and roles that stand capitalised before names in some languages and lowercase in others.
_TITLES = frozenset(
    """
    president presidents prime minister ministers chancellor mayor governor secretary general director head chief professor
    doctor senator king queen prince princess pope premier chairman chairwoman ceo spokesman spokeswoman
    präsident präsidentin bundespräsident kanzler kanzlerin bundeskanzler bundeskanzlerin ministerin bürgermeister
    bürgermeisterin ministerpräsident ministerpräsidentin prinz prinzessin könig königin papst sprecher sprecherin
    président présidente ministre chancelier maire gouverneur secrétaire général directeur professeur docteur roi reine
    pape premier première
    """.split()
)
_ARTICLES = frozenset(
    "the a an this these those le la les l un une des du ce cette ces der die das den dem ein eine einen einem einer eines el los las il lo gli i una uno".split()
)
_GERMAN_DETERMINERS = frozenset(
    "der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner im am zum zur vom beim ins ans aufs "
    "dieser diese dieses diesen diesem jeder jede jedes jeden jedem alle allen aller welche welcher welches welchen "
    "sein seine seinen seinem seiner ihr ihre ihren ihrem ihrer unser unsere unseren unserem unserer".split()
)
# Endings of German common nouns (and the commonest nouns themselves), hardly ever of names (not
# "-stadt": Darmstadt).
_GERMAN_NOUN_ENDINGS = (
    "ung",
    "ungen",
    "heit",
    "heiten",
    "keit",
    "keiten",
    "schaft",
    "schaften",
    "tion",
    "tionen",
    "ismus",
    "ität",
    "itäten",
    "nahme",
    "nahmen",
    "ling",
    "linge",
    "lingen",
    "tum",
    "tümer",
    "nis",
    "nisse",
    "ment",
    "mente",
    "lein",
    "gang",
    "gänge",
    "werk",
    "werke",
    "zeug",
    "stelle",
    "stellen",
    "leute",
    "männer",
    "frauen",
    "kinder",
    "zeit",
    "zeiten",
    "jahr",
    "jahre",
    "jahren",
    "tage",
    "tagen",
    "krieg",
    "kriege",
    "chef",
    "chefs",
    "minister",
    "ministerin",
    "präsident",
    "präsidentin",
    "sprecher",
    "sprecherin",
    "regierung",
    "behörde",
    "behörden",
    "polizei",
    "verband",
    "partei",
    "gruppe",
    "truppen",
    "soldaten",
    "kräfte",
    "menschen",
    "bericht",
    "berichte",
    "angaben",
    "prozent",
    "millionen",
    "milliarden",
    "euro",
    "dollar",
)
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’](?=\w)", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")
# Case endings cut from Russian and Ukrainian names ("ей" only after "и": Россией, not Сергей).
_CYRILLIC_ENDINGS = (
    "ами",
    "ями",
    "ого",
    "его",
    "ому",
    "ему",
    "ыми",
    "ими",
    "ией",
    "ым",
    "им",
    "ой",
    "ом",
    "ем",
    "ую",
    "юю",
    "ая",
    "яя",
    "ий",
    "ый",
    "ах",
    "ях",
    "а",
    "я",
    "у",
    "ю",
    "е",
    "ы",
    "и",
    "ь",
)
_EXONYMS = {form: canonical for canonical, forms in _EXONYM_FORMS.items() for form in forms}


_NOT_NAMES = _FUNCTION_WORDS | _NATIONALITIES | _TITLES | set(_MONTH_LOOKUP) | set(_WEEKDAY_LOOKUP)
_SCALE = "|".join(f"(?P<scale{exponent}>{forms})" for forms, exponent in _SCALE_FORMS)
_ANY_SCALE = "|".join(forms for forms, _ in _SCALE_FORMS)
_SPACE = r"[ \u00a0\u202f\u2009]"
_NUMBER_BODY = rf"\d{{1,3}}(?:(?:[.,'’]|{_SPACE})\d{{3}}(?!\d))+(?:[.,]\d+(?!\d))?|\d+(?:[.,]\d+)?"
_DAY = r"(?P<{name}>\d{{1,2}})(?:st|nd|rd|th)?"
_WORD_CHARS = r"[\w'’]"
# Lowercase words inside a name: "Massachusetts Institute of Technology", "Banque de France".
_NAME_CONNECTORS = (
    "of",
    "for",
    "de",
    "du",
    "des",
    "der",
    "für",
    "von",
    "van",
    "del",
    "da",
    "di",
    "bin",
)
_NAME_GAP = rf"[ \u00a0]+(?:(?:{'|'.join(_NAME_CONNECTORS)})[ \u00a0]+)?"
_URL_ANCHOR = r"(?P<url>(?:https?://|www\.)[^\s<>\"'«»“”„]+)"

# The patterns are made and compiled on first use, each once per process (functools.cache): their
# prefix trees of hundreds of words took 0.2 s to build and compile at import, and a text needs
# the date words and the anchor pattern of its language only. The module attributes of their old
# names (_DATE_WORD, _ANCHOR, ...) are still there, made when first read (__getattr__ below).


class _Sources(NamedTuple):
    """The pieces of the anchor patterns that are prefix trees of word lists or classes of letters."""

    upper: str
    lower: str
    month: str
    range: str
    entity_word: str
    digit_anchors: tuple[str, ...]


@cache
@gc_paused()
def _sources() -> _Sources:
    """The pieces of the anchor patterns, made once."""
    upper = _character_class("isupper")
    lower = _character_class("islower")
    month = rf"{_alternation(_MONTH_LOOKUP)}\.?"
    range_ = rf"[-–—]|(?:{_alternation(('bis', 'und', 'and', 'to', 'et', 'au', 'à', 'и', 'по', 'до'))})(?={_SPACE})"
    # A capitalised month, weekday or number word ("December", "Sonntag", "Two") is no name; the
    # look-ahead is a prefix tree of the capitalised forms, plain letters being the fastest to test.
    capitalised_date_words = rf"(?:{_alternation((word.capitalize() for word in _DATE_WORDS), any_case=False, fold=False)})\.?(?![\w'’-])"
    # A name word: a capitalised word, hyphenated parts and all, or initials with dots ("U.S.",
    # "E.U.").
    entity_word = rf"(?={upper})(?!{capitalised_date_words})(?:{upper}(?:\.{upper})+\.?|{upper}{_WORD_CHARS}*(?:-{_WORD_CHARS}+)*)"
    digit_anchors = (
        r"(?P<iso>(?P<iso_y>\d{4})-(?P<iso_m>\d{2})-(?P<iso_d>\d{2})\b)",
        r"(?P<dmy>(?<![\d.,])(?P<dmy_d>\d{1,2})(?P<dmy_sep>[./])\s?(?P<dmy_m>\d{1,2})(?P=dmy_sep)\s?(?P<dmy_y>\d{4}|\d{2})(?![\d]|[.,]\d))",
        rf"(?P<dmonth>(?<![\d.,])(?:(?P<dmonth_d0>\d{{1,2}})\.?{_SPACE}*(?:{range_}){_SPACE}*)?(?P<dmonth_d>\d{{1,2}})(?:\.|er|st|nd|rd|th|-?го)?(?:{_SPACE}|-)*(?:of\s+)?(?P<dmonth_m>{month})(?:,?{_SPACE}+(?P<dmonth_y>\d{{4}})(?!\d))?(?!\w))",
        rf"(?P<clock>(?<![\d.,])(?P<clock_h>[01]?\d|2[0-3])(?:(?P<clock_sep>[:hH])(?P<clock_min>[0-5]\d)(?:{_SPACE}?(?i:uhr|h|heures?))?|\.(?P<clock_min2>[0-5]\d){_SPACE}?(?i:uhr)|{_SPACE}?(?i:uhr|heures?|h))(?!\w))",
        rf"(?P<number>(?<![\w.,])(?P<number_body>{_NUMBER_BODY})(?:{_SPACE}?(?i:{_SCALE})(?!\w))?(?:{_SPACE}?(?P<percent>(?i:{_PERCENT})))?)",
    )
    return _Sources(upper, lower, month, range_, entity_word, digit_anchors)


@cache
@gc_paused()
def _date_word() -> re.Pattern[str]:
    """A month, weekday or number word, with what may follow it.

    A day and a year after a month ("August 15, 2022", "December 9 and 10", "August 2022"), a
    scale after a number ("two million"). It is matched in the lower-cased text, where a prefix
    tree of plain letters fails fastest.
    """
    month, range_ = _sources().month, _sources().range
    return re.compile(
        rf"(?P<dateword>(?<![\w-])(?P<w>{_alternation(_DATE_WORDS, any_case=False)})\.?(?![\w'’-])"
        rf"(?:{_SPACE}+(?:(?P<w_dm>(?P<w_dm_d>\d{{1,2}})(?:\.|er|st|nd|rd|th|-?го)?(?:{_SPACE}|-)+(?:of\s+)?(?P<w_dm_m>{month})(?:,?{_SPACE}+(?P<w_dm_y>\d{{4}})(?!\d))?)(?!\w)"
        rf"|{_DAY.format(name='w_d')}(?:{_SPACE}*(?:{range_}){_SPACE}*{_DAY.format(name='w_d2')})?(?!\d|[.,]\d)(?:,?{_SPACE}+(?P<w_y>\d{{4}})(?!\d))?"
        rf"|(?P<w_year>\d{{4}})(?!\d)|(?P<w_scale>{_ANY_SCALE})(?!\w)))?)"
    )


@cache
def _date_word_scanner() -> StartScanner | None:
    """Tries _date_word() only where a date word begins: ``re`` tried its opening look-behind at every offset (123 µs a bench article instead of 201 µs).

    Every match begins with a date word as the pattern's prefix tree has it (case-folded), so
    the scanner looks for those words, each left out that has a shorter one as its prefix; they
    are taken from the word list, not from the pattern's parse (StartScanner.for_pattern), which
    took longer than compiling the pattern.
    """
    starts: list[str] = []
    for word in sorted(
        {word.casefold() for word in _DATE_WORDS}
    ):  # a word's prefixes sort before it, and the words between them share them
        if not starts or not word.startswith(starts[-1]):
            starts.append(word)
    return StartScanner(_date_word(), frozenset(starts))


@cache
@gc_paused()
def _date_word_any_case() -> re.Pattern[str]:
    """_date_word() ignoring case, for a text whose lower case is not as long as the text."""
    return re.compile(
        _date_word().pattern.replace(
            _alternation(_DATE_WORDS, any_case=False), _alternation(_DATE_WORDS)
        ),
        re.IGNORECASE,
    )


@cache
@gc_paused()
def _anchor_pattern(german: bool) -> re.Pattern[str]:
    """One pattern for every anchor; every anchor starts a word, and a look-ahead on its first
    character picks the alternatives to try.
    """
    sources = _sources()
    name_gap = r"[ \u00a0]+" if german else _NAME_GAP
    entity = rf"(?P<entity>(?<![@#/.-]){sources.entity_word}(?:{name_gap}{sources.entity_word})*)"
    # German capitalises nouns: after a determiner and adjectives ("der russischen Grenzregion") a
    # capitalised word is a noun.
    german_noun_phrase = rf"(?P<noun>(?:{_alternation(_GERMAN_DETERMINERS)})(?:{_SPACE}+{sources.lower}[\w'’-]*(?:e|en|er|es|em)){{0,3}}{_SPACE}+(?P<noun_word>{sources.entity_word}))"
    words = (_URL_ANCHOR, *((german_noun_phrase,) if german else ()), entity)
    return re.compile(
        r"(?<!\w)(?:(?=\d)(?:"
        + "|".join(sources.digit_anchors)
        + r")|(?=[^\W\d_])(?:"
        + "|".join(words)
        + r")|(?P<handle>(?<![@.])@[A-Za-z0-9_]{2,30}\b))"
    )


@cache
@gc_paused()
def _anchor_starts(german: bool) -> re.Pattern[str]:
    """Where an anchor can start: after a non-word character, at a digit, a capital, "@", a URL or (in German) a determiner.

    ``re`` tries a pattern that opens with a look-behind at every offset of the text; this one
    opens with a character class, which ``re`` skips ahead to.
    """
    upper = _sources().upper
    if german:
        return re.compile(
            rf"\W(?=[\d@]|{upper}|https?://|www\.|{_alternation(_GERMAN_DETERMINERS)})"
        )
    return re.compile(rf"\W(?=[\d@]|{upper}|https?://|www\.)")


_MADE_ON_FIRST_USE: dict[str, Callable[[], object]] = {
    "_DATE_WORD": _date_word,
    "_DATE_WORD_SCANNER": _date_word_scanner,
    "_DATE_WORD_ANY_CASE": _date_word_any_case,
    "_ANCHOR": lambda: _anchor_pattern(False),
    "_ANCHOR_GERMAN": lambda: _anchor_pattern(True),
    "_ANCHOR_STARTS": lambda: _anchor_starts(False),
    "_ANCHOR_STARTS_GERMAN": lambda: _anchor_starts(True),
}


def __getattr__(name: str) -> object:
    """The compiled patterns under their module-level names of before (tests read them), made on
    first use.
    """
    if (make := _MADE_ON_FIRST_USE.get(name)) is not None:
        return make()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_URL = re.compile(r"(?:https?://|www\.)\S+")
_LETTERS = re.compile(r"[^\W\d_]+")
_SENTENCE_END = frozenset(".!?…:;\n–—-•|([{")
_QUOTES = frozenset("\"'«»“”„‘’‹›「」")


# ---------------------------------------------------------------------------------------------
# Anchors.
# ---------------------------------------------------------------------------------------------


class Anchor(NamedTuple):
    """Something a translation keeps: a number, a date, a name, a URL or a handle.

    A named tuple: an article has a hundred or more, and a tuple is made faster than a frozen
    dataclass (the ingest sends them from its workers to its writer as plain tuples).

    Args:
        kind: ``number``, ``date``, ``entity``, ``url`` or ``handle``.
        key: the language-independent normal form, e.g. ``15000``, ``6.5e6``, ``2022-08-15``, ``kursk``.
        surface: the anchor as written in the text.
        position: its character offset in the text.

    Examples:
        >>> [anchor.key for anchor in extract_anchors("Es kamen 15.000 Soldaten nach Kursk.", "de")]
        ['15000', 'kursk']
    """

    kind: str
    key: str
    surface: str
    position: int


def base_language(language: str | None) -> str | None:
    """The ISO 639-1 part of a language tag, lower case (``de-AT`` -> ``de``)."""
    if not language:
        return None
    return language.replace("_", "-").split("-")[0].strip().lower() or None


def extract_anchors(text: str, language: str | None) -> list[Anchor]:
    """The anchors of a text in the order they appear: numbers, dates, names, URLs and handles."""
    lang = base_language(language)
    anchors: list[Anchor] = []
    names: list[_NameWord] = []
    lower_words: set[str] | None = None
    for match in _matches(text, lang):
        kind = match.lastgroup or ""
        if kind == "noun":
            if lower_words is None:
                lower_words = _words_in(text)
            names.extend(_article_name(text, match, lower_words))
            continue
        if kind == "entity":
            if lower_words is None:
                lower_words = _words_in(text)
            run = match.group()
            if " " in run or "\u00a0" in run or "-" in run:
                names.extend(_name_words(text, match, lang, lower_words))
                continue
            found = _word_key(run, lang)  # one word, the common case, without a call more
            if found is not None and not found[3] and found[0] not in lower_words:
                start = match.start()
                names.append(
                    _NameWord(
                        start,
                        run,
                        found[1],
                        not found[2] and _starts_sentence(text, start),
                        start,
                        1,
                    )
                )
        elif kind == "dateword":
            anchors.extend(_date_word_anchor(text, match, lang))
        else:
            anchors.extend(_ANCHOR_BUILDERS[kind](match, lang))
    if names:
        anchors.extend(_names(text, names))
    anchors.sort(key=lambda anchor: anchor.position)
    return anchors


def _matches(text: str, lang: str | None) -> list[re.Match[str]]:
    """The anchor pattern's matches and the date words' (found in the lower-cased text), overlaps
    left to the one starting first.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        date_words: Iterable[re.Match[str]] = _date_word_any_case().finditer(text)
    else:
        scanner = _date_word_scanner()
        date_words = (
            scanner.finditer(lowered) if scanner is not None else _date_word().finditer(lowered)
        )
    german = lang == "de"
    anchors = _anchor_matches(text, _anchor_pattern(german), _anchor_starts(german))
    found = sorted([*anchors, *date_words], key=lambda match: (match.start(), -match.end()))
    kept: list[re.Match[str]] = []
    end = -1
    for match in found:
        if match.start() >= end:
            kept.append(match)
            end = match.end()
    return kept


def _anchor_matches(
    text: str, pattern: re.Pattern[str], starts: re.Pattern[str]
) -> list[re.Match[str]]:
    """``pattern.finditer(text)``, tried only at the text's start and where `starts` finds a non-word character before an anchor's first character.

    The anchor pattern opens with ``(?<!\\w)``, so it can only match there; in a bench article it
    was tried at 130 offsets instead of 4,000 (0.25 ms instead of 0.34 ms).
    """
    if not text:
        return []
    return matches_at(
        pattern,
        text,
        itertools.chain((0,), (separator.end() for separator in starts.finditer(text))),
    )


def _url_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """A URL, its key without scheme, ``www.``, trailing slash or closing punctuation."""
    surface = match.group("url").rstrip(".,;:!?)]}›'’")
    key = (
        re.sub(r"^(?:https?://)?(?:www\.)?", "", surface, flags=re.IGNORECASE)
        .rstrip("/")
        .casefold()
    )
    return [Anchor("url", key, surface, match.start())] if key else []


def _handle_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """A social-media handle such as ``@dpa``."""
    surface = match.group("handle")
    return [Anchor("handle", surface.casefold(), surface, match.start())]


def _date_key(year: int | None, month: int, day: int | None) -> str | None:
    """An ISO-like key: ``2022-08-15``, ``--08-15`` without a year, ``2022-08`` without a day."""
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    if year is not None and day is not None:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if year is not None:
        return f"{year:04d}-{month:02d}"
    if day is not None:
        return f"--{month:02d}-{day:02d}"
    return f"--{month:02d}"


def _year(text: str | None) -> int | None:
    """A year from four digits, or two (``22`` -> 2022, ``98`` -> 1998)."""
    if text is None:
        return None
    value = int(text)
    if len(text) == 2:
        value += 2000 if value < 70 else 1900
    return value


def _month_number(text: str) -> int:
    """The month of a month name or abbreviation in any supported language."""
    return _MONTH_LOOKUP[text.rstrip(".").casefold()]


def _dates(
    match: re.Match[str], group: str, year: int | None, month: int, days: Sequence[str | None]
) -> list[Anchor]:
    """Date anchors for one or two days of a month (``9. und 10. Dezember``), all at the match."""
    keys = [_date_key(year, month, int(day)) for day in days if day is not None]
    return [Anchor("date", key, match.group(group), match.start(group)) for key in keys if key]


def _iso_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """``2022-08-15``."""
    return _dates(
        match, "iso", int(match.group("iso_y")), int(match.group("iso_m")), [match.group("iso_d")]
    )


def _dmy_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """``15.08.2022`` or ``15/08/2022`` (``08/15/2022`` in English when the day cannot be a month)."""
    day, month = match.group("dmy_d"), match.group("dmy_m")
    if match.group("dmy_sep") == "/" and lang == "en" and int(month) > 12 >= int(day):
        day, month = month, day
    return _dates(match, "dmy", _year(match.group("dmy_y")), int(month), [day])


def _dmonth_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """``15. August 2022``, ``15 août``, ``15 августа 2022``, ``15th of August``, ``9 и 10
    декабря``; the days alone before "may" the verb.
    """
    days = [match.group("dmonth_d0"), match.group("dmonth_d")]
    if _is_common_word(match.group("dmonth_m")):
        return [
            Anchor("number", str(int(match.group(name))), match.group(name), match.start(name))
            for name in ("dmonth_d0", "dmonth_d")
            if match.group(name)
        ]
    return _dates(
        match,
        "dmonth",
        _year(match.group("dmonth_y")),
        _month_number(match.group("dmonth_m")),
        days,
    )


def _date_word_anchor(text: str, match: re.Match[str], lang: str | None) -> list[Anchor]:
    """A month (with its day and year), a weekday, or a number word in the text's language (with its
    scale), matched in the lower-cased text.
    """
    start = match.start()
    word, surface = text[start : match.end("w")], text[start : match.end()]
    folded = word.casefold()
    if match.group(
        "w_dm"
    ):  # a weekday, then its date: "dimanche 12 décembre 2021", "Sunday 12th of December"
        return [*_lone_date_word(word, start, lang), *_weekday_date(text, match)]
    day, year = match.group("w_d"), match.group("w_y") or match.group("w_year")
    number_words = _NUMBER_WORDS.get(lang, {}) if lang else _ANY_NUMBER_WORD
    if (
        folded in _MONTH_LOOKUP
        and not _is_common_word(word)
        and (day or year or folded not in number_words)
    ):
        month = _MONTH_LOOKUP[folded]
        if day:
            keys = [
                _date_key(_year(match.group("w_y")), month, int(found))
                for found in (day, match.group("w_d2"))
                if found
            ]
            return [Anchor("date", key, surface, start) for key in keys if key]
        if year:
            return [Anchor("date", f"{_year(year):04d}-{month:02d}", surface, start)]
        return (
            [] if folded in _AMBIGUOUS_MONTHS else [Anchor("date", f"--{month:02d}", word, start)]
        )
    anchors = []
    if folded in _WEEKDAY_LOOKUP:
        anchors.append(Anchor("date", f"weekday-{_WEEKDAY_LOOKUP[folded]}", word, start))
    elif folded in number_words:
        scale = (
            text[match.start("w_scale") : match.end("w_scale")] if match.group("w_scale") else None
        )
        exponent = next(
            (
                exp
                for forms, exp in _SCALE_FORMS
                if scale and re.fullmatch(forms, scale, re.IGNORECASE)
            ),
            0,
        )
        if exponent == 12 and scale and _is_short_billion(scale, lang):
            exponent = 9
        anchors.append(
            Anchor(
                "number",
                number_key(Decimal(number_words[folded]).scaleb(exponent)),
                word if scale is None else surface,
                start,
            )
        )
    leftovers = ("w_d", "w_d2", "w_y", "w_year")
    return anchors + [
        Anchor("number", str(int(match.group(name))), match.group(name), match.start(name))
        for name in leftovers
        if match.group(name)
    ]


def _lone_date_word(word: str, start: int, lang: str | None) -> list[Anchor]:
    """A weekday, a number word or an unambiguous month name by itself."""
    folded = word.casefold()
    if folded in _WEEKDAY_LOOKUP:
        return [Anchor("date", f"weekday-{_WEEKDAY_LOOKUP[folded]}", word, start)]
    number_words = _NUMBER_WORDS.get(lang, {}) if lang else _ANY_NUMBER_WORD
    if folded in number_words:
        return [Anchor("number", number_key(Decimal(number_words[folded])), word, start)]
    if folded in _MONTH_LOOKUP and folded not in _AMBIGUOUS_MONTHS:
        return [Anchor("date", f"--{_MONTH_LOOKUP[folded]:02d}", word, start)]
    return []


def _weekday_date(text: str, match: re.Match[str]) -> list[Anchor]:
    """The date after a weekday word (``12 décembre 2021`` in ``dimanche 12 décembre 2021``), at its
    own position; a lone day number before "may" the verb.
    """
    day, month = match.group("w_dm_d"), text[match.start("w_dm_m") : match.end("w_dm_m")]
    if _is_common_word(month):
        return [Anchor("number", str(int(day)), day, match.start("w_dm_d"))]
    key = _date_key(_year(match.group("w_dm_y")), _month_number(month), int(day))
    return (
        [Anchor("date", key, text[match.start("w_dm") : match.end("w_dm")], match.start("w_dm"))]
        if key
        else []
    )


def _is_common_word(month: str) -> bool:
    """Whether a month name as written is rather a common word: "may" and "march" in lower case
    (``12 to 18 may be``).
    """
    return month.rstrip(".") in _COMMON_WORD_MONTHS


def _clock_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """A time of day: ``14.30 Uhr``, ``14h30``, ``14:30``, ``14 Uhr``, ``14 h`` -> ``T14:30``."""
    minutes = match.group("clock_min") or match.group("clock_min2") or "00"
    return [
        Anchor(
            "date",
            f"T{int(match.group('clock_h')):02d}:{minutes}",
            match.group("clock"),
            match.start(),
        )
    ]


def _number_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """A number in any locale's notation, with its scale word and percent sign, as one canonical
    value.
    """
    value = parse_number(match.group("number_body"), lang)
    if value is None:
        return []
    exponent = next((exp for _, exp in _SCALE_FORMS if match.group(f"scale{exp}") is not None), 0)
    if exponent == 12 and _is_short_billion(match.group("scale12"), lang):
        exponent = 9
    key = number_key(value.scaleb(exponent))
    if match.group("percent"):
        key += "%"
    return [Anchor("number", key, match.group("number"), match.start())]


def _is_short_billion(word: str, lang: str | None) -> bool:
    """Whether ``billion`` means 10^9 (English) rather than 10^12 (German ``Billion``, French
    ``billion``).
    """
    folded = word.casefold()
    if not folded.startswith("billion"):
        return False
    if lang is None:
        return word[0].islower() and not folded.startswith("billionen")
    return lang not in _LONG_SCALE_LANGUAGES


def parse_number(body: str, language: str | None) -> Decimal | None:
    """The value of a number as written in the language's notation (``15.000`` in German is 15000)."""
    compact = re.sub(r"[ \u00a0\u202f\u2009'’]", "", body)
    points, commas = compact.count("."), compact.count(",")
    if points and commas:
        decimal = "." if compact.rfind(".") > compact.rfind(",") else ","
    elif points + commas == 0:
        decimal = None
    else:
        separator = "." if points else ","
        decimal = (
            separator
            if points + commas == 1 and _is_decimal_separator(compact, separator, language)
            else None
        )
    grouping = {".", ","} - {decimal} if decimal else {".", ","}
    digits = "".join(ch for ch in compact if ch not in grouping)
    if decimal == ",":
        digits = digits.replace(",", ".")
    try:
        return Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits and separators
        return None


def _is_decimal_separator(number: str, separator: str, language: str | None) -> bool:
    """Whether the one separator in a number marks decimals: not when three digits follow it in a
    grouping locale.
    """
    whole, fraction = number.split(separator)
    if len(fraction) != 3 or whole == "0":
        return True
    lang = base_language(language)
    if lang is None:
        return False
    return (separator == ".") == (lang in _DECIMAL_POINT_LANGUAGES)


def number_key(value: Decimal) -> str:
    """A canonical form of a value: ``15000``, ``6.5e6`` (a million or more), ``15.5``."""
    value = value.normalize()
    if value == value.to_integral_value():
        if abs(value) < 1_000_000:
            return str(int(value))
        sign, digits, exponent = value.as_tuple()
        if not isinstance(exponent, int):  # pragma: no cover - a parsed number is finite
            return str(value)
        mantissa = "".join(map(str, digits)).rstrip("0") or "0"
        scale = len(digits) - 1 + exponent
        body = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
        return f"{'-' if sign else ''}{body}e{scale}"
    return format(value, "f")


class _NameWord(NamedTuple):
    """A capitalised word that may be part of a name: where it stands, in which run of capitalised
    words, and its key.
    """

    position: int
    surface: str
    key: str
    opens_sentence: bool
    run: int
    order: int


def _words_in(text: str) -> set[str]:
    """The words of a text as written, URLs left out (their words are lower case whatever they
    name).
    """
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    return set(_LETTERS.findall(text))


def _name_words(
    text: str, match: re.Match[str], lang: str | None, lower_words: set[str]
) -> list[_NameWord]:
    """The words of a run of capitalised words that may be names: common words and German nouns are
    dropped.
    """
    start = match.start()
    run = match.group()
    if " " not in run and "\u00a0" not in run and (lang != "de" or "-" not in run):
        found = _word_key(run, lang)
        if found is None or found[3] or found[0] in lower_words:
            return []
        return [
            _NameWord(
                start, run, found[1], not found[2] and _starts_sentence(text, start), start, 1
            )
        ]
    kept: list[_NameWord] = []
    index = 0
    opens = _starts_sentence(text, start)
    offset = 0
    for word in run.split():
        word_start = run.find(word, offset)
        offset = word_start + len(word)
        if not word[0].isupper():
            continue  # a connector inside a name ("of", "de")
        parts = _german_parts(word) if lang == "de" and "-" in word else ((0, word),)
        for part_start, part in parts:
            index += 1
            found = _word_key(part, lang)
            # A function word ("Un", "De") is part of a name only after another word of the name.
            if (
                found is None
                or found[0] in lower_words
                or (found[3] and not (kept and kept[-1].order == index - 1))
            ):
                # After an article that opens a sentence, the next word opens it too ("The
                # Scientists said", not "Then Zelensky said").
                opens = opens and not kept and part.casefold() in _ARTICLES
                continue
            position = start + word_start + part_start
            kept.append(_NameWord(position, part, found[1], opens and not found[2], start, index))
            opens = False
    return kept


@lru_cache(maxsize=65536)
def _word_key(word: str, lang: str | None) -> tuple[str, str, bool, bool] | None:
    """The case-folded form, the name key, whether it is an acronym and whether it is a function
    word; None for a word that is never a name.
    """
    if "'" in word or "’" in word:
        word = _POSSESSIVE.sub("", _ELISION.sub("", word))
        if not word[:1].isupper() and not word[:1].isdigit():
            return None
    folded = word.casefold()
    if len(word) < 2 or (folded in _NOT_NAMES and folded not in _FUNCTION_WORDS):
        return None
    acronym = word.isupper()
    if lang == "de" and not acronym and folded.endswith(_GERMAN_NOUN_ENDINGS):
        return None
    key = name_key(word)
    if not key:
        return None
    # Two-letter exonyms (US, EU, UN) only when written as acronyms: "Un" in "Kim Jong Un" is no
    # United Nations.
    return (
        folded,
        (_EXONYMS.get(key, key) if acronym or len(key) > 2 else key),
        acronym,
        folded in _FUNCTION_WORDS,
    )


def _article_name(text: str, match: re.Match[str], lower_words: set[str]) -> list[_NameWord]:
    """The name in a German noun phrase when it is an acronym or a country ("die USA", "die
    Ukraine"); other nouns are dropped.
    """
    word = match.group("noun_word")
    found = _word_key(word, "de")
    if found is None or found[0] in lower_words or not (found[2] or found[1] in _EXONYM_FORMS):
        return []
    start = match.start("noun_word")
    return [_NameWord(start, word, found[1], False, start, 1)]


def _german_parts(word: str) -> list[tuple[int, str]]:
    """A German hyphenated compound split into its capitalised parts (``Ukraine-Krieg``);
    ``Jong-un`` stays whole.
    """
    parts: list[tuple[int, str]] = []
    offset = 0
    for part in word.split("-"):
        if part and part[0].isupper():
            parts.append((offset, part))
        elif parts and part:
            parts[-1] = (parts[-1][0], f"{parts[-1][1]}-{part}")
        offset += len(part) + 1
    return parts


def _starts_sentence(text: str, position: int) -> bool:
    """Whether a position opens a sentence, a line, a quotation or a bracket (a closing quote or a hyphen opens nothing).

    An opening quotation mark opens what its own position opens: marks in a row are followed back
    in a loop (a run of thousands of them once took a recursion each, past Python's limit).
    """
    while True:
        index = position - 1
        while index >= 0 and text[index] in " \u00a0\t\r":
            index -= 1
        if index > 0 and text[index] in "-‐‑" and not text[index - 1].isspace():
            return False
        if index >= 0 and text[index] in _QUOTES:
            if index == position - 1 or index == 0 or text[index - 1] in " \u00a0\t\r\n([":
                position = index
                continue
            index -= 1
        return index < 0 or text[index] in _SENTENCE_END


def _names(text: str, words: list[_NameWord]) -> list[Anchor]:
    """Name anchors: adjacent words joined (``Kim Jong Un``); a sentence's first word only when a
    name follows or the text has it elsewhere.
    """
    inside = {word.key for word in words if not word.opens_sentence}
    anchors: list[Anchor] = []
    group: list[_NameWord] = []
    for number, word in enumerate(words):
        following = words[number + 1] if number + 1 < len(words) else None
        if (
            word.opens_sentence
            and word.key not in inside
            and not (following and _adjacent(word, following))
        ):
            continue
        if group and (
            not _adjacent(group[-1], word) or _stands_alone(group[-1]) or _stands_alone(word)
        ):
            anchors.append(_name_anchor(text, group))
            group = []
        group.append(word)
    if group:
        anchors.append(_name_anchor(text, group))
    return anchors


def _stands_alone(word: _NameWord) -> bool:
    """Acronyms and country or city names are names of their own (``МИД России Мария Захарова`` is
    three).
    """
    return word.surface.isupper() or (word.key in _EXONYM_FORMS and len(word.key) > 2)


def _adjacent(first: _NameWord, second: _NameWord) -> bool:
    """Whether two name words follow each other in one run of capitalised words."""
    return first.run == second.run and second.order == first.order + 1


def _name_anchor(text: str, group: list[_NameWord]) -> Anchor:
    """One name anchor from adjacent words; its key maps well-known exonyms to one form (``Moskau``
    -> ``moscow``).
    """
    start = group[0].position
    end = group[-1].position + len(group[-1].surface)
    key = " ".join(word.key for word in group)
    return Anchor("entity", _EXONYMS.get(key, key), text[start:end], start)


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A name's language-independent form: Cyrillic case endings cut, transliterated, case-folded,
    no diacritics or hyphens.
    """
    words = []
    for word in re.split(r"[\s\-‐‑–]+", name):
        if not word:
            continue
        if _is_cyrillic(word) and not word.isupper():
            word = _cut_cyrillic_ending(word)
        ascii_word = re.sub(r"[^0-9a-z]", "", unidecode(word).casefold())
        if ascii_word:
            words.append(ascii_word)
    return " ".join(words)


def _is_cyrillic(word: str) -> bool:
    """Whether a word has a Cyrillic letter."""
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


def _cut_cyrillic_ending(word: str) -> str:
    """A Russian or Ukrainian name without its case ending (``Курске`` -> ``Курск``, ``Зеленского``
    -> ``Зеленск``).
    """
    lower = word.lower()
    for ending in _CYRILLIC_ENDINGS:
        if lower.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


_ANCHOR_BUILDERS = {
    "url": _url_anchor,
    "handle": _handle_anchor,
    "iso": _iso_anchor,
    "dmy": _dmy_anchor,
    "dmonth": _dmonth_anchor,
    "clock": _clock_anchor,
    "number": _number_anchor,
}
