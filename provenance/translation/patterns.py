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

import re
from collections.abc import Iterable
from typing import Any

# ---------------------------------------------------------------------------------------------
# Language data: month and weekday names, number scales, percent words, function words.
# ---------------------------------------------------------------------------------------------

_MONTH_FORMS: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "januar",
        "jänner",
        "janvier",
        "janv",
        "январь",
        "января",
        "январе",
        "январю",
        "enero",
        "gennaio",
    ),
    2: (
        "february",
        "feb",
        "februar",
        "feber",
        "février",
        "fevrier",
        "févr",
        "fevr",
        "февраль",
        "февраля",
        "феврале",
        "февралю",
        "febrero",
        "febbraio",
    ),
    3: ("march", "mar", "märz", "maerz", "mars", "март", "марта", "марте", "марту", "marzo"),
    4: ("april", "apr", "avril", "avr", "апрель", "апреля", "апреле", "апрелю", "abril", "aprile"),
    5: ("may", "mai", "май", "мая", "мае", "маю", "mayo", "maggio"),
    6: ("june", "jun", "juni", "juin", "июнь", "июня", "июне", "июню", "junio", "giugno"),
    7: (
        "july",
        "jul",
        "juli",
        "juillet",
        "juil",
        "июль",
        "июля",
        "июле",
        "июлю",
        "julio",
        "luglio",
    ),
    8: ("august", "aug", "août", "aout", "август", "августа", "августе", "августу", "agosto"),
    9: (
        "september",
        "sep",
        "sept",
        "septembre",
        "сентябрь",
        "сентября",
        "сентябре",
        "сентябрю",
        "septiembre",
        "settembre",
    ),
    10: (
        "october",
        "oct",
        "oktober",
        "okt",
        "octobre",
        "октябрь",
        "октября",
        "октябре",
        "октябрю",
        "octubre",
        "ottobre",
    ),
    11: ("november", "nov", "novembre", "ноябрь", "ноября", "ноябре", "ноябрю", "noviembre"),
    12: (
        "december",
        "dec",
        "dezember",
        "dez",
        "décembre",
        "decembre",
        "déc",
        "декабрь",
        "декабря",
        "декабре",
        "декабрю",
        "diciembre",
        "dicembre",
    ),
}
# Number words from two to twelve (one is an article in most languages) and the tens, per language;
# a hyphenated compound ("vingt-deux", "twenty-two") is no number word, nor its parts.
_NUMBER_WORD_FORMS: dict[str, dict[int, tuple[str, ...]]] = {
    "en": {
        2: ("two",),
        3: ("three",),
        4: ("four",),
        5: ("five",),
        6: ("six",),
        7: ("seven",),
        8: ("eight",),
        9: ("nine",),
        10: ("ten",),
        11: ("eleven",),
        12: ("twelve", "dozen"),
        20: ("twenty",),
        30: ("thirty",),
        40: ("forty",),
        50: ("fifty",),
        60: ("sixty",),
        70: ("seventy",),
        80: ("eighty",),
        90: ("ninety",),
    },
    "de": {
        2: ("zwei",),
        3: ("drei",),
        4: ("vier",),
        5: ("fünf",),
        6: ("sechs",),
        7: ("sieben",),
        8: ("acht",),
        9: ("neun",),
        10: ("zehn",),
        11: ("elf",),
        12: ("zwölf", "dutzend"),
        20: ("zwanzig",),
        30: ("dreißig", "dreissig"),
        40: ("vierzig",),
        50: ("fünfzig",),
        60: ("sechzig",),
        70: ("siebzig",),
        80: ("achtzig",),
        90: ("neunzig",),
    },
    "fr": {
        2: ("deux",),
        3: ("trois",),
        4: ("quatre",),
        5: ("cinq",),
        6: ("six",),
        7: ("sept",),
        8: ("huit",),
        9: ("neuf",),
        10: ("dix",),
        11: ("onze",),
        12: ("douze", "douzaine"),
        20: ("vingt",),
        30: ("trente",),
        40: ("quarante",),
        50: ("cinquante",),
        60: ("soixante",),
    },
    "ru": {
        2: ("два", "две", "двух", "двум", "двумя"),
        3: ("три", "трех", "трёх", "трем", "трём", "тремя"),
        4: ("четыре", "четырех", "четырёх", "четырем", "четырьмя"),
        5: ("пять", "пяти", "пятью"),
        6: ("шесть", "шести", "шестью"),
        7: ("семь", "семи", "семью"),
        8: ("восемь", "восьми", "восемью"),
        9: ("девять", "девяти", "девятью"),
        10: ("десять", "десяти", "десятью"),
        11: ("одиннадцать", "одиннадцати"),
        12: ("двенадцать", "двенадцати"),
        20: ("двадцать", "двадцати", "двадцатью"),
        30: ("тридцать", "тридцати", "тридцатью"),
        40: ("сорок", "сорока"),
        50: ("пятьдесят", "пятидесяти"),
        60: ("шестьдесят", "шестидесяти"),
        70: ("семьдесят", "семидесяти"),
        80: ("восемьдесят", "восьмидесяти"),
        90: ("девяносто", "девяноста"),
    },
    "es": {
        2: ("dos",),
        3: ("tres",),
        4: ("cuatro",),
        5: ("cinco",),
        6: ("seis",),
        7: ("siete",),
        8: ("ocho",),
        9: ("nueve",),
        10: ("diez",),
        11: ("once",),
        12: ("doce",),
        20: ("veinte",),
        30: ("treinta",),
        40: ("cuarenta",),
        50: ("cincuenta",),
        60: ("sesenta",),
        70: ("setenta",),
        80: ("ochenta",),
        90: ("noventa",),
    },
    "it": {
        2: ("due",),
        3: ("tre",),
        4: ("quattro",),
        5: ("cinque",),
        6: ("sei",),
        7: ("sette",),
        8: ("otto",),
        9: ("nove",),
        10: ("dieci",),
        11: ("undici",),
        12: ("dodici",),
        20: ("venti",),
        30: ("trenta",),
        40: ("quaranta",),
        50: ("cinquanta",),
        60: ("sessanta",),
        70: ("settanta",),
        80: ("ottanta",),
        90: ("novanta",),
    },
}
_WEEKDAY_FORMS: dict[int, tuple[str, ...]] = {
    1: ("monday", "montag", "lundi", "понедельник", "понедельника", "lunes", "lunedì"),
    2: ("tuesday", "dienstag", "mardi", "вторник", "вторника", "martes", "martedì"),
    3: ("wednesday", "mittwoch", "mercredi", "среда", "среду", "среды", "miércoles", "mercoledì"),
    4: ("thursday", "donnerstag", "jeudi", "четверг", "четверга", "jueves", "giovedì"),
    5: ("friday", "freitag", "vendredi", "пятница", "пятницу", "пятницы", "viernes", "venerdì"),
    6: (
        "saturday",
        "samstag",
        "sonnabend",
        "samedi",
        "суббота",
        "субботу",
        "субботы",
        "sábado",
        "sabato",
    ),
    7: ("sunday", "sonntag", "dimanche", "воскресенье", "воскресенья", "domingo", "domenica"),
}
_GERMAN_DAYTIMES = (
    "s",
    "abend",
    "abends",
    "morgen",
    "morgens",
    "nachmittag",
    "nachmittags",
    "vormittag",
    "vormittags",
    "mittag",
    "mittags",
    "nacht",
    "nachts",
    "früh",
)

# ---------------------------------------------------------------------------------------------
# Patterns: one for numbers, dates, URLs, handles and names; one for month, weekday and number
# words, run on the lower-cased text.
# ---------------------------------------------------------------------------------------------


def _character_class(test: str) -> str:
    """A regex character class of the letters in the Latin, Greek and Cyrillic blocks with the given
    case.
    """
    ranges = list(range(0x41, 0x250)) + list(range(0x370, 0x530)) + list(range(0x1E00, 0x1F00))
    letters = "".join(chr(cp) for cp in ranges if getattr(chr(cp), test)() and chr(cp).isalpha())
    return "[" + re.escape(letters) + "]"


def _alternation(words: Iterable[str], any_case: bool = True, fold: bool = True) -> str:
    """A regex matching any of the words (in any case, or as written), as a prefix tree so that a
    failing word fails at once.
    """
    tree: dict[str, Any] = {}
    for word in set(words):
        node = tree
        for char in word.casefold() if fold else word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _tree_pattern(tree, any_case)


def _tree_pattern(node: dict[str, Any], any_case: bool) -> str:
    """The regex of one prefix-tree node: its letters (both cases, or as they are), longest words
    first, the end if a word ends here.
    """
    branches = []
    for char, child in sorted(node.items()):
        if char:
            upper = char.upper()
            letter = (
                f"[{re.escape(char)}{re.escape(upper)}]"
                if any_case and len(upper) == 1 and upper != char
                else re.escape(char)
            )
            branches.append(letter + _tree_pattern(child, any_case))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


_MONTH_LOOKUP = {form: number for number, forms in _MONTH_FORMS.items() for form in forms}
_WEEKDAY_LOOKUP = {
    f"{form}{daytime}": number
    for number, forms in _WEEKDAY_FORMS.items()
    for form in forms
    for daytime in ("", *_GERMAN_DAYTIMES)
}
_NUMBER_WORDS = {
    lang: {form: value for value, forms in table.items() for form in forms}
    for lang, table in _NUMBER_WORD_FORMS.items()
}
_ANY_NUMBER_WORD = {
    form: value for table in _NUMBER_WORDS.values() for form, value in table.items()
}
_DATE_WORDS = [*_MONTH_LOOKUP, *_WEEKDAY_LOOKUP, *_ANY_NUMBER_WORD]
