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
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.process import cdist
from unidecode import unidecode

from .config import Settings
from .fingerprint import SketchParams, densify, shingle_batch
from .index import TRANSLATION_NAMESPACE, Banding
from .scanning import StartScanner, matches_at

# Jaccard similarity of two texts' anchor-feature sets that the translation LSH is tuned for
# (64 bands of 2 rows at 128 permutations); and how many hashed copies each anchor token gets.
TRANSLATION_LSH_THRESHOLD = 0.1
MIN_SHARED_BANDS = 3
"""A translation candidate shares at least this many anchor LSH bands with the text.

Measured: 158 of the 160 WMT22 translations that verify share 3 bands or more (one shares 1,
one 2). Among the articles of other languages that 2,000 new articles of a 100,000-article
corpus met in the index, the ten that shared the most bands with each shared 1 band in 16,631
cases, 2 in 1,435, 3 in 62 and 4 or more in 20; each candidate costs an anchor alignment
(3.5 ms). With 2, ``bench/eval_translation.py`` links one WMT22 translation more (ru-en 76/80
instead of 75/80) and the writer verified 3,361 candidates for 4,000 articles, none a translation.
"""
FEATURE_REPLICAS = 8
# The decision, chosen by measurement on the WMT22 news test sets (see bench/eval_translation.py).
TRANSLATION_SCORE_THRESHOLD = 0.095
# Aligned weight (the mean of both texts') needed before a score counts at all, and the weight under
# which a pair must align almost completely: two or three anchors say little unless nothing contradicts them.
MIN_ALIGNED_WEIGHT = 1.5
CONFIDENT_ALIGNED_WEIGHT = 2.5
SMALL_ALIGNMENT_SCORE = 0.5
STRONG_ALIGNED_ANCHORS = 9
"""An alignment of this many anchors in order is a translation on its score alone; a shorter one must also pass the checks below.

Two reports of one day written independently (a weather warning, a ministry's statement) share
its date, a number and a name or two, in the order news tells them: on the hard set of
``bench/eval_translation.py`` such pairs aligned up to 8 anchors in order and scored up to 0.34.
"""
SHORT_ALIGNMENT_SCORE = 0.2
"""The score a shorter alignment needs: twice what a long one needs, so it covers more of both texts."""
MIN_NUMBER_PRESENCE = 0.85
"""In a shorter alignment, the share of each text's numbers and dates (by weight) that the other text has too, in any order.

A translation renders its numbers (a unit converted, "320 Kilometer" as "200 milles", is the
exception); a report written independently has numbers of its own: how many firefighters came,
at what time, the total so far.
"""
MIN_ALIGNED_BEYOND_DATES = 1
"""In a shorter alignment, the aligned anchors that are not dates or weekdays: "Sunday, 12 December" is what every report of the day shares."""

# ---------------------------------------------------------------------------------------------
# Language data: month and weekday names, number scales, percent words, function words.
# ---------------------------------------------------------------------------------------------

_MONTH_FORMS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "janv", "январь", "января", "январе", "январю", "enero", "gennaio"),
    2: ("february", "feb", "februar", "feber", "février", "fevrier", "févr", "fevr", "февраль", "февраля", "феврале", "февралю", "febrero", "febbraio"),
    3: ("march", "mar", "märz", "maerz", "mars", "март", "марта", "марте", "марту", "marzo"),
    4: ("april", "apr", "avril", "avr", "апрель", "апреля", "апреле", "апрелю", "abril", "aprile"),
    5: ("may", "mai", "май", "мая", "мае", "маю", "mayo", "maggio"),
    6: ("june", "jun", "juni", "juin", "июнь", "июня", "июне", "июню", "junio", "giugno"),
    7: ("july", "jul", "juli", "juillet", "juil", "июль", "июля", "июле", "июлю", "julio", "luglio"),
    8: ("august", "aug", "août", "aout", "август", "августа", "августе", "августу", "agosto"),
    9: ("september", "sep", "sept", "septembre", "сентябрь", "сентября", "сентябре", "сентябрю", "septiembre", "settembre"),
    10: ("october", "oct", "oktober", "okt", "octobre", "октябрь", "октября", "октябре", "октябрю", "octubre", "ottobre"),
    11: ("november", "nov", "novembre", "ноябрь", "ноября", "ноябре", "ноябрю", "noviembre"),
    12: ("december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "декабрь", "декабря", "декабре", "декабрю", "diciembre", "dicembre"),
}
# Month names that are common words too ("may", "march") stand alone as dates only with a day or year;
# the English ones written in lower case are the words ("12 to 18 may be"), whatever follows.
_COMMON_WORD_MONTHS = frozenset({"may", "march"})
_AMBIGUOUS_MONTHS = frozenset({"may", "march", "mar", "jan", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "feb", "apr", "dez", "okt", "avr", "janv", "févr", "fevr", "juil", "déc"})
# Number words from two to twelve (one is an article in most languages) and the tens, per language;
# a hyphenated compound ("vingt-deux", "twenty-two") is no number word, nor its parts.
_NUMBER_WORD_FORMS: dict[str, dict[int, tuple[str, ...]]] = {
    "en": {
        2: ("two",), 3: ("three",), 4: ("four",), 5: ("five",), 6: ("six",), 7: ("seven",), 8: ("eight",), 9: ("nine",), 10: ("ten",), 11: ("eleven",), 12: ("twelve", "dozen"),
        20: ("twenty",), 30: ("thirty",), 40: ("forty",), 50: ("fifty",), 60: ("sixty",), 70: ("seventy",), 80: ("eighty",), 90: ("ninety",),
    },
    "de": {
        2: ("zwei",), 3: ("drei",), 4: ("vier",), 5: ("fünf",), 6: ("sechs",), 7: ("sieben",), 8: ("acht",), 9: ("neun",), 10: ("zehn",), 11: ("elf",), 12: ("zwölf", "dutzend"),
        20: ("zwanzig",), 30: ("dreißig", "dreissig"), 40: ("vierzig",), 50: ("fünfzig",), 60: ("sechzig",), 70: ("siebzig",), 80: ("achtzig",), 90: ("neunzig",),
    },
    "fr": {
        2: ("deux",), 3: ("trois",), 4: ("quatre",), 5: ("cinq",), 6: ("six",), 7: ("sept",), 8: ("huit",), 9: ("neuf",), 10: ("dix",), 11: ("onze",), 12: ("douze", "douzaine"),
        20: ("vingt",), 30: ("trente",), 40: ("quarante",), 50: ("cinquante",), 60: ("soixante",),
    },
    "ru": {
        2: ("два", "две", "двух", "двум", "двумя"), 3: ("три", "трех", "трёх", "трем", "трём", "тремя"), 4: ("четыре", "четырех", "четырёх", "четырем", "четырьмя"),
        5: ("пять", "пяти", "пятью"), 6: ("шесть", "шести", "шестью"), 7: ("семь", "семи", "семью"), 8: ("восемь", "восьми", "восемью"),
        9: ("девять", "девяти", "девятью"), 10: ("десять", "десяти", "десятью"), 11: ("одиннадцать", "одиннадцати"), 12: ("двенадцать", "двенадцати"),
        20: ("двадцать", "двадцати", "двадцатью"), 30: ("тридцать", "тридцати", "тридцатью"), 40: ("сорок", "сорока"), 50: ("пятьдесят", "пятидесяти"),
        60: ("шестьдесят", "шестидесяти"), 70: ("семьдесят", "семидесяти"), 80: ("восемьдесят", "восьмидесяти"), 90: ("девяносто", "девяноста"),
    },
    "es": {
        2: ("dos",), 3: ("tres",), 4: ("cuatro",), 5: ("cinco",), 6: ("seis",), 7: ("siete",), 8: ("ocho",), 9: ("nueve",), 10: ("diez",), 11: ("once",), 12: ("doce",),
        20: ("veinte",), 30: ("treinta",), 40: ("cuarenta",), 50: ("cincuenta",), 60: ("sesenta",), 70: ("setenta",), 80: ("ochenta",), 90: ("noventa",),
    },
    "it": {
        2: ("due",), 3: ("tre",), 4: ("quattro",), 5: ("cinque",), 6: ("sei",), 7: ("sette",), 8: ("otto",), 9: ("nove",), 10: ("dieci",), 11: ("undici",), 12: ("dodici",),
        20: ("venti",), 30: ("trenta",), 40: ("quaranta",), 50: ("cinquanta",), 60: ("sessanta",), 70: ("settanta",), 80: ("ottanta",), 90: ("novanta",),
    },
}
_WEEKDAY_FORMS: dict[int, tuple[str, ...]] = {
    1: ("monday", "montag", "lundi", "понедельник", "понедельника", "lunes", "lunedì"),
    2: ("tuesday", "dienstag", "mardi", "вторник", "вторника", "martes", "martedì"),
    3: ("wednesday", "mittwoch", "mercredi", "среда", "среду", "среды", "miércoles", "mercoledì"),
    4: ("thursday", "donnerstag", "jeudi", "четверг", "четверга", "jueves", "giovedì"),
    5: ("friday", "freitag", "vendredi", "пятница", "пятницу", "пятницы", "viernes", "venerdì"),
    6: ("saturday", "samstag", "sonnabend", "samedi", "суббота", "субботу", "субботы", "sábado", "sabato"),
    7: ("sunday", "sonntag", "dimanche", "воскресенье", "воскресенья", "domingo", "domenica"),
}
_GERMAN_DAYTIMES = ("s", "abend", "abends", "morgen", "morgens", "nachmittag", "nachmittags", "vormittag", "vormittags", "mittag", "mittags", "nacht", "nachts", "früh")
_SCALE_FORMS: tuple[tuple[str, int], ...] = (
    (r"tausend|tsd\.|thousand|mille|тыс\.|тысяч[аиуе]?|тысячами|mila", 3),
    (r"millionen|millions?|mio\.|mln\.?|млн\.?|миллион(?:ами|ах|ов|ом|а|у)?|millones|milioni|milione", 6),
    (r"milliarden|milliarde|milliards?|mrd\.?|bn|млрд\.?|миллиард(?:ами|ах|ов|ом|а|у)?|mil\s+millones|miliardi?", 9),
    (r"billionen|billions?|trillions?|трлн\.?|триллион(?:ами|ах|ов|ом|а|у)?", 12),
)
_PERCENT = r"%|‰|prozent|percent|per\s+cent|pour\s*cent|por\s+ciento|per\s+cento|процент(?:ами|ах|ов|а|у)?|п\.\s?п\."
# Languages that write 1,234.5 (a decimal point); the others write 1.234,5 (a decimal comma).
_DECIMAL_POINT_LANGUAGES = frozenset({"en", "zh", "ja", "ko", "he", "hi", "th", "ga", "mt", "ms", "tl"})
_LONG_SCALE_LANGUAGES = frozenset({"de", "fr", "es", "it", "nl", "pl", "pt", "sv", "da", "no", "fi", "cs", "sk", "hu"})
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
_ARTICLES = frozenset("the a an this these those le la les l un une des du ce cette ces der die das den dem ein eine einen einem einer eines el los las il lo gli i una uno".split())
_GERMAN_DETERMINERS = frozenset(
    "der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner im am zum zur vom beim ins ans aufs "
    "dieser diese dieses diesen diesem jeder jede jedes jeden jedem alle allen aller welche welcher welches welchen "
    "sein seine seinen seinem seiner ihr ihre ihren ihrem ihrer unser unsere unseren unserem unserer".split()
)
# Endings of German common nouns (and the commonest nouns themselves), hardly ever of names (not "-stadt": Darmstadt).
_GERMAN_NOUN_ENDINGS = (
    "ung", "ungen", "heit", "heiten", "keit", "keiten", "schaft", "schaften", "tion", "tionen", "ismus", "ität",
    "itäten", "nahme", "nahmen", "ling", "linge", "lingen", "tum", "tümer", "nis", "nisse", "ment", "mente",
    "lein", "gang", "gänge", "werk", "werke", "zeug", "stelle", "stellen", "leute", "männer", "frauen", "kinder",
    "zeit", "zeiten", "jahr", "jahre", "jahren", "tage", "tagen", "krieg", "kriege", "chef",
    "chefs", "minister", "ministerin", "präsident", "präsidentin", "sprecher", "sprecherin", "regierung", "behörde",
    "behörden", "polizei", "verband", "partei", "gruppe", "truppen", "soldaten", "kräfte", "menschen", "bericht",
    "berichte", "angaben", "prozent", "millionen", "milliarden", "euro", "dollar",
)
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’](?=\w)", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")
# Case endings cut from Russian and Ukrainian names ("ей" only after "и": Россией, not Сергей).
_CYRILLIC_ENDINGS = ("ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими", "ией", "ым", "им", "ой", "ом", "ем", "ую", "юю", "ая", "яя", "ий", "ый", "ах", "ях", "а", "я", "у", "ю", "е", "ы", "и", "ь")
# Names that differ between languages beyond transliteration (exonyms), as name keys -> one form.
_EXONYM_FORMS: dict[str, tuple[str, ...]] = {
    "russia": ("russland", "russlands", "russie", "rossi", "rusia", "russia", "russias"),
    "usa": ("usa", "us", "ssha", "etats unis", "vereinigte staaten", "vereinigten staaten", "united states", "estados unidos", "stati uniti"),
    "germany": ("deutschland", "deutschlands", "allemagne", "germani", "frg", "brd", "germany", "germanys", "alemania", "germania"),
    "france": ("frankreich", "frankreichs", "frantsi", "francia", "france", "frances"),
    "uk": ("grossbritannien", "grossbritanniens", "grande bretagne", "velikobritani", "britain", "great britain", "uk", "royaume uni", "united kingdom", "vereinigte konigreich", "vereinigtes konigreich", "britani"),
    "eu": ("eu", "ue", "es", "evrosoiuz", "europaische union", "union europeenne", "european union"),
    "china": ("china", "chinas", "chine", "kita", "kitai", "cina"),
    "moscow": ("moskau", "moscou", "moscow", "moskv", "mosca", "moscu"),
    "kyiv": ("kiew", "kiev", "kyiv", "kiiv", "kyjiw", "kiev", "kiiev"),
    "nato": ("nato", "otan"),
    "un": ("uno", "onu", "oon", "un", "vereinten nationen", "nations unies", "united nations"),
    "poland": ("polen", "polens", "pologne", "polsh", "poland", "polonia"),
    "belarus": ("belarus", "weissrussland", "bielorussie", "belorussi", "bielorrusia"),
    "japan": ("japan", "japans", "japon", "iaponi", "giappone"),
    "italy": ("italien", "italiens", "italie", "itali", "italy", "italia"),
    "spain": ("spanien", "spaniens", "espagne", "ispani", "spain", "espana", "spagna"),
    "austria": ("osterreich", "osterreichs", "autriche", "avstri", "austria"),
    "switzerland": ("schweiz", "suisse", "shveitsari", "switzerland", "suiza", "svizzera"),
    "turkey": ("turkei", "turquie", "turtsi", "turkey", "turquia", "turchia"),
    "england": ("england", "englands", "angleterre", "angli", "inglaterra", "inghilterra"),
    "netherlands": ("niederlande", "pays bas", "niderland", "netherlands", "holland", "hollande", "gollandi", "paises bajos", "paesi bassi"),
    "europe": ("europa", "europas", "europe", "evrop"),
    "london": ("london", "londons", "londres", "londra"),
    "vienna": ("wien", "wiens", "vienne", "ven", "vienna", "viena"),
    "warsaw": ("warschau", "varsovie", "varshav", "warsaw", "varsovia", "varsavia"),
    "munich": ("munchen", "munchens", "munich", "miunkhen", "monaco di baviera"),
    "brussels": ("brussel", "bruxelles", "briussel", "brussels", "bruselas"),
    "geneva": ("genf", "geneve", "zhenev", "geneva", "ginebra", "ginevra"),
    "cologne": ("koln", "kolns", "cologne", "keln", "colonia"),
    "beijing": ("peking", "pekin", "beijing", "pechino"),
    "crimea": ("krim", "crimee", "krym", "crimea"),
    "ussr": ("sssr", "ussr", "udssr", "urss", "soviet union", "sowjetunion", "union sovietique"),
    "russian federation": ("rossiisk federatsi", "russian federation", "russischen foderation", "russische foderation", "federation de russie"),
    "ukraine": ("ukraine", "ukraina", "ukrain", "ukraines", "ucrania", "ucraina"),
    "venus": ("venus", "vener", "venera"),
    "north korea": ("nordkorea", "nordkoreas", "kndr", "north korea", "coree du nord", "severn kore"),
    "south korea": ("sudkorea", "sudkoreas", "south korea", "coree du sud", "iuzhn kore"),
}
_EXONYMS = {form: canonical for canonical, forms in _EXONYM_FORMS.items() for form in forms}

# ---------------------------------------------------------------------------------------------
# Patterns: one for numbers, dates, URLs, handles and names; one for month, weekday and number
# words, run on the lower-cased text.
# ---------------------------------------------------------------------------------------------


def _character_class(test: str) -> str:
    """A regex character class of the letters in the Latin, Greek and Cyrillic blocks with the given case."""
    ranges = list(range(0x41, 0x250)) + list(range(0x370, 0x530)) + list(range(0x1E00, 0x1F00))
    letters = "".join(chr(cp) for cp in ranges if getattr(chr(cp), test)() and chr(cp).isalpha())
    return "[" + re.escape(letters) + "]"


def _alternation(words: Iterable[str], any_case: bool = True, fold: bool = True) -> str:
    """A regex matching any of the words (in any case, or as written), as a prefix tree so that a failing word fails at once."""
    tree: dict[str, Any] = {}
    for word in set(words):
        node = tree
        for char in word.casefold() if fold else word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _tree_pattern(tree, any_case)


def _tree_pattern(node: dict[str, Any], any_case: bool) -> str:
    """The regex of one prefix-tree node: its letters (both cases, or as they are), longest words first, the end if a word ends here."""
    branches = []
    for char, child in sorted(node.items()):
        if char:
            upper = char.upper()
            letter = f"[{re.escape(char)}{re.escape(upper)}]" if any_case and len(upper) == 1 and upper != char else re.escape(char)
            branches.append(letter + _tree_pattern(child, any_case))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


_UPPER = _character_class("isupper")
_LOWER = _character_class("islower")
_MONTH_LOOKUP = {form: number for number, forms in _MONTH_FORMS.items() for form in forms}
_WEEKDAY_LOOKUP = {f"{form}{daytime}": number for number, forms in _WEEKDAY_FORMS.items() for form in forms for daytime in ("", *_GERMAN_DAYTIMES)}
_NOT_NAMES = _FUNCTION_WORDS | _NATIONALITIES | _TITLES | set(_MONTH_LOOKUP) | set(_WEEKDAY_LOOKUP)
_NUMBER_WORDS = {lang: {form: value for value, forms in table.items() for form in forms} for lang, table in _NUMBER_WORD_FORMS.items()}
_ANY_NUMBER_WORD = {form: value for table in _NUMBER_WORDS.values() for form, value in table.items()}
_DATE_WORDS = [*_MONTH_LOOKUP, *_WEEKDAY_LOOKUP, *_ANY_NUMBER_WORD]
_MONTH = rf"{_alternation(_MONTH_LOOKUP)}\.?"
_SCALE = "|".join(f"(?P<scale{exponent}>{forms})" for forms, exponent in _SCALE_FORMS)
_ANY_SCALE = "|".join(forms for forms, _ in _SCALE_FORMS)
_SPACE = r"[ \u00a0\u202f\u2009]"
_RANGE = rf"[-–—]|(?:{_alternation(('bis', 'und', 'and', 'to', 'et', 'au', 'à', 'и', 'по', 'до'))})(?={_SPACE})"
_NUMBER_BODY = rf"\d{{1,3}}(?:(?:[.,'’]|{_SPACE})\d{{3}}(?!\d))+(?:[.,]\d+(?!\d))?|\d+(?:[.,]\d+)?"
_DAY = r"(?P<{name}>\d{{1,2}})(?:st|nd|rd|th)?"
_WORD_CHARS = r"[\w'’]"
# A capitalised month, weekday or number word ("December", "Sonntag", "Two") is no name; the
# look-ahead is a prefix tree of the capitalised forms, plain letters being the fastest to test.
_CAPITALISED_DATE_WORDS = rf"(?:{_alternation((word.capitalize() for word in _DATE_WORDS), any_case=False, fold=False)})\.?(?![\w'’-])"
# A name word: a capitalised word, hyphenated parts and all, or initials with dots ("U.S.", "E.U.").
_ENTITY_WORD = rf"(?={_UPPER})(?!{_CAPITALISED_DATE_WORDS})(?:{_UPPER}(?:\.{_UPPER})+\.?|{_UPPER}{_WORD_CHARS}*(?:-{_WORD_CHARS}+)*)"
# Lowercase words inside a name: "Massachusetts Institute of Technology", "Banque de France".
_NAME_CONNECTORS = ("of", "for", "de", "du", "des", "der", "für", "von", "van", "del", "da", "di", "bin")
_NAME_GAP = rf"[ \u00a0]+(?:(?:{'|'.join(_NAME_CONNECTORS)})[ \u00a0]+)?"
_DIGIT_ANCHORS = (
    r"(?P<iso>(?P<iso_y>\d{4})-(?P<iso_m>\d{2})-(?P<iso_d>\d{2})\b)",
    r"(?P<dmy>(?<![\d.,])(?P<dmy_d>\d{1,2})(?P<dmy_sep>[./])\s?(?P<dmy_m>\d{1,2})(?P=dmy_sep)\s?(?P<dmy_y>\d{4}|\d{2})(?![\d]|[.,]\d))",
    rf"(?P<dmonth>(?<![\d.,])(?:(?P<dmonth_d0>\d{{1,2}})\.?{_SPACE}*(?:{_RANGE}){_SPACE}*)?(?P<dmonth_d>\d{{1,2}})(?:\.|er|st|nd|rd|th|-?го)?(?:{_SPACE}|-)*(?:of\s+)?(?P<dmonth_m>{_MONTH})(?:,?{_SPACE}+(?P<dmonth_y>\d{{4}})(?!\d))?(?!\w))",
    rf"(?P<clock>(?<![\d.,])(?P<clock_h>[01]?\d|2[0-3])(?:(?P<clock_sep>[:hH])(?P<clock_min>[0-5]\d)(?:{_SPACE}?(?i:uhr|h|heures?))?|\.(?P<clock_min2>[0-5]\d){_SPACE}?(?i:uhr)|{_SPACE}?(?i:uhr|heures?|h))(?!\w))",
    rf"(?P<number>(?<![\w.,])(?P<number_body>{_NUMBER_BODY})(?:{_SPACE}?(?i:{_SCALE})(?!\w))?(?:{_SPACE}?(?P<percent>(?i:{_PERCENT})))?)",
)
# A month, weekday or number word, with what may follow it: a day and a year after a month
# ("August 15, 2022", "December 9 and 10", "August 2022"), a scale after a number ("two million").
# It is matched in the lower-cased text, where a prefix tree of plain letters fails fastest.
_DATE_WORD = re.compile(
    rf"(?P<dateword>(?<![\w-])(?P<w>{_alternation(_DATE_WORDS, any_case=False)})\.?(?![\w'’-])"
    rf"(?:{_SPACE}+(?:(?P<w_dm>(?P<w_dm_d>\d{{1,2}})(?:\.|er|st|nd|rd|th|-?го)?(?:{_SPACE}|-)+(?:of\s+)?(?P<w_dm_m>{_MONTH})(?:,?{_SPACE}+(?P<w_dm_y>\d{{4}})(?!\d))?)(?!\w)"
    rf"|{_DAY.format(name='w_d')}(?:{_SPACE}*(?:{_RANGE}){_SPACE}*{_DAY.format(name='w_d2')})?(?!\d|[.,]\d)(?:,?{_SPACE}+(?P<w_y>\d{{4}})(?!\d))?"
    rf"|(?P<w_year>\d{{4}})(?!\d)|(?P<w_scale>{_ANY_SCALE})(?!\w)))?)"
)
_DATE_WORD_SCANNER = StartScanner.for_pattern(_DATE_WORD)
"""Tries _DATE_WORD only where a date word begins: ``re`` tried its opening look-behind at every offset (123 µs a bench article instead of 201 µs)."""
_DATE_WORD_ANY_CASE = re.compile(_DATE_WORD.pattern.replace(_alternation(_DATE_WORDS, any_case=False), _alternation(_DATE_WORDS)), re.IGNORECASE)
_URL_ANCHOR = r"(?P<url>(?:https?://|www\.)[^\s<>\"'«»“”„]+)"
# German capitalises nouns: after a determiner and adjectives ("der russischen Grenzregion") a capitalised word is a noun.
_GERMAN_NOUN_PHRASE = (
    rf"(?P<noun>(?:{_alternation(_GERMAN_DETERMINERS)})(?:{_SPACE}+{_LOWER}[\w'’-]*(?:e|en|er|es|em)){{0,3}}{_SPACE}+(?P<noun_word>{_ENTITY_WORD}))"
)


def _anchor_pattern(german: bool) -> re.Pattern[str]:
    """One pattern for every anchor; every anchor starts a word, and a look-ahead on its first character picks the alternatives to try."""
    name_gap = r"[ \u00a0]+" if german else _NAME_GAP
    entity = rf"(?P<entity>(?<![@#/.-]){_ENTITY_WORD}(?:{name_gap}{_ENTITY_WORD})*)"
    words = (_URL_ANCHOR, *((_GERMAN_NOUN_PHRASE,) if german else ()), entity)
    return re.compile(
        r"(?<!\w)(?:(?=\d)(?:" + "|".join(_DIGIT_ANCHORS) + r")|(?=[^\W\d_])(?:" + "|".join(words) + r")|(?P<handle>(?<![@.])@[A-Za-z0-9_]{2,30}\b))"
    )


_ANCHOR = _anchor_pattern(german=False)
_ANCHOR_GERMAN = _anchor_pattern(german=True)
# Where an anchor can start: after a non-word character, at a digit, a capital, "@", a URL or
# (in German) a determiner. ``re`` tries a pattern that opens with a look-behind at every offset
# of the text; this one opens with a character class, which ``re`` skips ahead to.
_ANCHOR_STARTS = re.compile(rf"\W(?=[\d@]|{_UPPER}|https?://|www\.)")
_ANCHOR_STARTS_GERMAN = re.compile(rf"\W(?=[\d@]|{_UPPER}|https?://|www\.|{_alternation(_GERMAN_DETERMINERS)})")
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
                names.append(_NameWord(start, run, found[1], not found[2] and _starts_sentence(text, start), start, 1))
        elif kind == "dateword":
            anchors.extend(_date_word_anchor(text, match, lang))
        else:
            anchors.extend(_ANCHOR_BUILDERS[kind](match, lang))
    if names:
        anchors.extend(_names(text, names))
    anchors.sort(key=lambda anchor: anchor.position)
    return anchors


def _matches(text: str, lang: str | None) -> list[re.Match[str]]:
    """The anchor pattern's matches and the date words' (found in the lower-cased text), overlaps left to the one starting first."""
    lowered = text.lower()
    if len(lowered) != len(text):
        date_words: Iterable[re.Match[str]] = _DATE_WORD_ANY_CASE.finditer(text)
    else:
        date_words = _DATE_WORD_SCANNER.finditer(lowered) if _DATE_WORD_SCANNER is not None else _DATE_WORD.finditer(lowered)
    anchors = _anchor_matches(text, _ANCHOR_GERMAN, _ANCHOR_STARTS_GERMAN) if lang == "de" else _anchor_matches(text, _ANCHOR, _ANCHOR_STARTS)
    found = sorted([*anchors, *date_words], key=lambda match: (match.start(), -match.end()))
    kept: list[re.Match[str]] = []
    end = -1
    for match in found:
        if match.start() >= end:
            kept.append(match)
            end = match.end()
    return kept


def _anchor_matches(text: str, pattern: re.Pattern[str], starts: re.Pattern[str]) -> list[re.Match[str]]:
    """``pattern.finditer(text)``, tried only at the text's start and where `starts` finds a non-word character before an anchor's first character.

    The anchor pattern opens with ``(?<!\\w)``, so it can only match there; in a bench article it
    was tried at 130 offsets instead of 4,000 (0.25 ms instead of 0.34 ms).
    """
    if not text:
        return []
    return matches_at(pattern, text, itertools.chain((0,), (separator.end() for separator in starts.finditer(text))))


def _url_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """A URL, its key without scheme, ``www.``, trailing slash or closing punctuation."""
    surface = match.group("url").rstrip(".,;:!?)]}›'’")
    key = re.sub(r"^(?:https?://)?(?:www\.)?", "", surface, flags=re.IGNORECASE).rstrip("/").casefold()
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


def _dates(match: re.Match[str], group: str, year: int | None, month: int, days: Sequence[str | None]) -> list[Anchor]:
    """Date anchors for one or two days of a month (``9. und 10. Dezember``), all at the match."""
    keys = [_date_key(year, month, int(day)) for day in days if day is not None]
    return [Anchor("date", key, match.group(group), match.start(group)) for key in keys if key]


def _iso_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """``2022-08-15``."""
    return _dates(match, "iso", int(match.group("iso_y")), int(match.group("iso_m")), [match.group("iso_d")])


def _dmy_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """``15.08.2022`` or ``15/08/2022`` (``08/15/2022`` in English when the day cannot be a month)."""
    day, month = match.group("dmy_d"), match.group("dmy_m")
    if match.group("dmy_sep") == "/" and lang == "en" and int(month) > 12 >= int(day):
        day, month = month, day
    return _dates(match, "dmy", _year(match.group("dmy_y")), int(month), [day])


def _dmonth_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """``15. August 2022``, ``15 août``, ``15 августа 2022``, ``15th of August``, ``9 и 10 декабря``; the days alone before "may" the verb."""
    days = [match.group("dmonth_d0"), match.group("dmonth_d")]
    if _is_common_word(match.group("dmonth_m")):
        return [Anchor("number", str(int(match.group(name))), match.group(name), match.start(name)) for name in ("dmonth_d0", "dmonth_d") if match.group(name)]
    return _dates(match, "dmonth", _year(match.group("dmonth_y")), _month_number(match.group("dmonth_m")), days)


def _date_word_anchor(text: str, match: re.Match[str], lang: str | None) -> list[Anchor]:
    """A month (with its day and year), a weekday, or a number word in the text's language (with its scale), matched in the lower-cased text."""
    start = match.start()
    word, surface = text[start : match.end("w")], text[start : match.end()]
    folded = word.casefold()
    if match.group("w_dm"):  # a weekday, then its date: "dimanche 12 décembre 2021", "Sunday 12th of December"
        return [*_lone_date_word(word, start, lang), *_weekday_date(text, match)]
    day, year = match.group("w_d"), match.group("w_y") or match.group("w_year")
    number_words = _NUMBER_WORDS.get(lang, {}) if lang else _ANY_NUMBER_WORD
    if folded in _MONTH_LOOKUP and not _is_common_word(word) and (day or year or folded not in number_words):
        month = _MONTH_LOOKUP[folded]
        if day:
            keys = [_date_key(_year(match.group("w_y")), month, int(found)) for found in (day, match.group("w_d2")) if found]
            return [Anchor("date", key, surface, start) for key in keys if key]
        if year:
            return [Anchor("date", f"{_year(year):04d}-{month:02d}", surface, start)]
        return [] if folded in _AMBIGUOUS_MONTHS else [Anchor("date", f"--{month:02d}", word, start)]
    anchors = []
    if folded in _WEEKDAY_LOOKUP:
        anchors.append(Anchor("date", f"weekday-{_WEEKDAY_LOOKUP[folded]}", word, start))
    elif folded in number_words:
        scale = text[match.start("w_scale") : match.end("w_scale")] if match.group("w_scale") else None
        exponent = next((exp for forms, exp in _SCALE_FORMS if scale and re.fullmatch(forms, scale, re.IGNORECASE)), 0)
        if exponent == 12 and scale and _is_short_billion(scale, lang):
            exponent = 9
        anchors.append(Anchor("number", number_key(Decimal(number_words[folded]).scaleb(exponent)), word if scale is None else surface, start))
    leftovers = ("w_d", "w_d2", "w_y", "w_year")
    return anchors + [Anchor("number", str(int(match.group(name))), match.group(name), match.start(name)) for name in leftovers if match.group(name)]


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
    """The date after a weekday word (``12 décembre 2021`` in ``dimanche 12 décembre 2021``), at its own position; a lone day number before "may" the verb."""
    day, month = match.group("w_dm_d"), text[match.start("w_dm_m") : match.end("w_dm_m")]
    if _is_common_word(month):
        return [Anchor("number", str(int(day)), day, match.start("w_dm_d"))]
    key = _date_key(_year(match.group("w_dm_y")), _month_number(month), int(day))
    return [Anchor("date", key, text[match.start("w_dm") : match.end("w_dm")], match.start("w_dm"))] if key else []


def _is_common_word(month: str) -> bool:
    """Whether a month name as written is rather a common word: "may" and "march" in lower case (``12 to 18 may be``)."""
    return month.rstrip(".") in _COMMON_WORD_MONTHS


def _clock_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """A time of day: ``14.30 Uhr``, ``14h30``, ``14:30``, ``14 Uhr``, ``14 h`` -> ``T14:30``."""
    minutes = match.group("clock_min") or match.group("clock_min2") or "00"
    return [Anchor("date", f"T{int(match.group('clock_h')):02d}:{minutes}", match.group("clock"), match.start())]


def _number_anchor(match: re.Match[str], lang: str | None) -> list[Anchor]:
    """A number in any locale's notation, with its scale word and percent sign, as one canonical value."""
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
    """Whether ``billion`` means 10^9 (English) rather than 10^12 (German ``Billion``, French ``billion``)."""
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
        decimal = separator if points + commas == 1 and _is_decimal_separator(compact, separator, language) else None
    grouping = {".", ","} - {decimal} if decimal else {".", ","}
    digits = "".join(ch for ch in compact if ch not in grouping)
    if decimal == ",":
        digits = digits.replace(",", ".")
    try:
        return Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits and separators
        return None


def _is_decimal_separator(number: str, separator: str, language: str | None) -> bool:
    """Whether the one separator in a number marks decimals: not when three digits follow it in a grouping locale."""
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
    """A capitalised word that may be part of a name: where it stands, in which run of capitalised words, and its key."""

    position: int
    surface: str
    key: str
    opens_sentence: bool
    run: int
    order: int


def _words_in(text: str) -> set[str]:
    """The words of a text as written, URLs left out (their words are lower case whatever they name)."""
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    return set(_LETTERS.findall(text))


def _name_words(text: str, match: re.Match[str], lang: str | None, lower_words: set[str]) -> list[_NameWord]:
    """The words of a run of capitalised words that may be names: common words and German nouns are dropped."""
    start = match.start()
    run = match.group()
    if " " not in run and "\u00a0" not in run and (lang != "de" or "-" not in run):
        found = _word_key(run, lang)
        if found is None or found[3] or found[0] in lower_words:
            return []
        return [_NameWord(start, run, found[1], not found[2] and _starts_sentence(text, start), start, 1)]
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
            if found is None or found[0] in lower_words or (found[3] and not (kept and kept[-1].order == index - 1)):
                # After an article that opens a sentence, the next word opens it too ("The Scientists said", not "Then Zelensky said").
                opens = opens and not kept and part.casefold() in _ARTICLES
                continue
            position = start + word_start + part_start
            kept.append(_NameWord(position, part, found[1], opens and not found[2], start, index))
            opens = False
    return kept


@lru_cache(maxsize=65536)
def _word_key(word: str, lang: str | None) -> tuple[str, str, bool, bool] | None:
    """The case-folded form, the name key, whether it is an acronym and whether it is a function word; None for a word that is never a name."""
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
    # Two-letter exonyms (US, EU, UN) only when written as acronyms: "Un" in "Kim Jong Un" is no United Nations.
    return folded, (_EXONYMS.get(key, key) if acronym or len(key) > 2 else key), acronym, folded in _FUNCTION_WORDS


def _article_name(text: str, match: re.Match[str], lower_words: set[str]) -> list[_NameWord]:
    """The name in a German noun phrase when it is an acronym or a country ("die USA", "die Ukraine"); other nouns are dropped."""
    word = match.group("noun_word")
    found = _word_key(word, "de")
    if found is None or found[0] in lower_words or not (found[2] or found[1] in _EXONYM_FORMS):
        return []
    start = match.start("noun_word")
    return [_NameWord(start, word, found[1], False, start, 1)]


def _german_parts(word: str) -> list[tuple[int, str]]:
    """A German hyphenated compound split into its capitalised parts (``Ukraine-Krieg``); ``Jong-un`` stays whole."""
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
    """Name anchors: adjacent words joined (``Kim Jong Un``); a sentence's first word only when a name follows or the text has it elsewhere."""
    inside = {word.key for word in words if not word.opens_sentence}
    anchors: list[Anchor] = []
    group: list[_NameWord] = []
    for number, word in enumerate(words):
        following = words[number + 1] if number + 1 < len(words) else None
        if word.opens_sentence and word.key not in inside and not (following and _adjacent(word, following)):
            continue
        if group and (not _adjacent(group[-1], word) or _stands_alone(group[-1]) or _stands_alone(word)):
            anchors.append(_name_anchor(text, group))
            group = []
        group.append(word)
    if group:
        anchors.append(_name_anchor(text, group))
    return anchors


def _stands_alone(word: _NameWord) -> bool:
    """Acronyms and country or city names are names of their own (``МИД России Мария Захарова`` is three)."""
    return word.surface.isupper() or (word.key in _EXONYM_FORMS and len(word.key) > 2)


def _adjacent(first: _NameWord, second: _NameWord) -> bool:
    """Whether two name words follow each other in one run of capitalised words."""
    return first.run == second.run and second.order == first.order + 1


def _name_anchor(text: str, group: list[_NameWord]) -> Anchor:
    """One name anchor from adjacent words; its key maps well-known exonyms to one form (``Moskau`` -> ``moscow``)."""
    start = group[0].position
    end = group[-1].position + len(group[-1].surface)
    key = " ".join(word.key for word in group)
    return Anchor("entity", _EXONYMS.get(key, key), text[start:end], start)


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A name's language-independent form: Cyrillic case endings cut, transliterated, case-folded, no diacritics or hyphens."""
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
    """A Russian or Ukrainian name without its case ending (``Курске`` -> ``Курск``, ``Зеленского`` -> ``Зеленск``)."""
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

# ---------------------------------------------------------------------------------------------
# Features and LSH keys.
# ---------------------------------------------------------------------------------------------


_SKELETON_STEPS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(.)\1+", r"\1"),
        (r"shch|tsch|sch|tch|sh|zh|ch|ts|tz|cz|sz|x", "s"),
        (r"^kh", "h"),
        (r"kh|ck|q", "k"),
        (r"ph|w|f", "v"),
        (r"ng", "n"),
        (r"z", "s"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"[aeiouyjh]", ""),
    )
)
# Russian renders a foreign h or a Korean j as х or ч ("Пхеньян", "Ким Чен Ын"): a second skeleton drops them.
_HUSHED = re.compile(r"tsch|tch|ch|kh")


@lru_cache(maxsize=65536)
def name_skeleton(key: str, hushed: bool = False) -> str:
    """A coarse sound skeleton of a name key, equal across transliterations (``pjongjang``, ``pyongyang`` -> ``pnn``).

    The ``hushed`` variant drops ch, kh and tsch first, so that ``pkhenian`` and ``kim chen yn``
    meet ``pjongjang`` and ``kim jong un``.
    """
    words = []
    for word in key.split():
        if hushed:
            word = _HUSHED.sub("", word)
        for pattern, replacement in _SKELETON_STEPS:
            word = pattern.sub(replacement, word)
        words.append(word)
    return " ".join(words)


@lru_cache(maxsize=65536)
def _key_tokens(kind: str, key: str) -> tuple[str, ...]:
    """Word-character tokens for an anchor's kind and key, which the shingle tokeniser keeps whole.

    A name gives the sound skeleton of each of its words (``Wladimir Putin`` -> ``evldmr eptn``), so
    that spellings across scripts and a name with or without its first name share tokens; other
    anchors give their key with punctuation spelled out (``6.5e6`` -> ``n6p5e6``).
    """
    if kind == "entity":
        skeletons = (name_skeleton(word) for word in key.split())
        return tuple(f"e{skeleton}" for skeleton in skeletons if len(skeleton) >= 3)
    body = "".join(ch if ch.isalnum() else _ESCAPES.get(ch, "x") for ch in key.casefold())
    return (f"{kind[0]}{body}",)


@lru_cache(maxsize=65536)
def _replicated(token: str) -> str:
    """A feature token in its ``FEATURE_REPLICAS`` copies, space-separated."""
    return " ".join([token, *(f"{token}z{replica}" for replica in range(1, FEATURE_REPLICAS))])


_ESCAPES = {".": "p", "-": "m", "%": "pc", ":": "c", "/": "s", "@": "a"}


def anchor_features(anchors: Sequence[Anchor]) -> str:
    """The anchors as one space-separated string of letter-and-digit tokens for the translation LSH.

    Each anchor gives one token (``n15000``, ``n6p5e6``, ``ekrsk``) in ``FEATURE_REPLICAS`` copies
    (``ekrsk ekrskz1 ekrskz2`` ...): the copies hash apart, so a text of a dozen anchors fills most
    of a one-permutation signature's slots instead of a few (whose densified copies make the bands of
    one signature agree or disagree together), while the Jaccard similarity of two texts' token sets
    stays what it is without them.
    """
    return " ".join([_replicated(token) for anchor in anchors for token in _key_tokens(anchor.kind, anchor.key)])


def translation_signatures(anchor_texts: Sequence[str], settings: Settings) -> npt.NDArray[np.uint32]:
    """Densified MinHash signatures of anchor-feature strings, one row each (shingles of one token)."""
    batch = shingle_batch(anchor_texts, SketchParams(settings.num_perm, settings.seed, shingle_size=1), with_sets=False)
    return densify(batch.raw_signatures)


def translation_banding(settings: Settings) -> Banding:
    """The banding of the translation LSH, tuned for ``TRANSLATION_LSH_THRESHOLD``."""
    return Banding.for_threshold(TRANSLATION_LSH_THRESHOLD, settings.num_perm, TRANSLATION_NAMESPACE)


def translation_keys(anchor_texts: Sequence[str], settings: Settings) -> list[npt.NDArray[np.int64]]:
    """LSH band keys for each anchor-feature string; a text with no anchors gets no keys."""
    if not anchor_texts:
        return []
    keys = translation_banding(settings).keys(translation_signatures(anchor_texts, settings))
    return [keys[index] if text.strip() else np.empty(0, dtype=np.int64) for index, text in enumerate(anchor_texts)]


# ---------------------------------------------------------------------------------------------
# Alignment and decision.
# ---------------------------------------------------------------------------------------------

# How much an anchor says: a URL or a full date pins a text down, a weekday or a lone digit hardly.
_URL_WEIGHT = 3.0
_FULL_DATE_WEIGHT = 2.0
_PLAIN_WEIGHT = 1.0
_SPECIFIC_NUMBER_WEIGHT = 1.5
_WEAK_WEIGHT = 0.5
# German capitalises every noun: a one-word German "name" is often a common noun that no translation keeps.
_GERMAN_WORD_WEIGHT = 0.4


def anchor_weight(anchor: Anchor, language: str | None) -> float:
    """How much one anchor counts in an alignment, before repeated keys are discounted."""
    key = anchor.key
    if anchor.kind in ("url", "handle"):
        return _URL_WEIGHT
    if anchor.kind == "date":
        return _FULL_DATE_WEIGHT if key[:1].isdigit() or (key.startswith("--") and len(key) > 4) else _PLAIN_WEIGHT
    if anchor.kind == "number":
        digits = sum(ch.isdigit() for ch in key)
        if digits == 1:
            return _WEAK_WEIGHT
        if key.isdigit() and (len(key) == 2 or len(key) == 4 and 1900 <= int(key) <= 2100):
            return _PLAIN_WEIGHT
        return _SPECIFIC_NUMBER_WEIGHT
    if key in _EXONYM_FORMS:
        return _WEAK_WEIGHT
    if base_language(language) == "de" and " " not in key and not anchor.surface.isupper():
        return _GERMAN_WORD_WEIGHT
    return _PLAIN_WEIGHT


def anchor_weights(anchors: Sequence[Anchor], language: str | None) -> npt.NDArray[np.float64]:
    """Each anchor's weight, divided by the square root of how often its key occurs in the text."""
    return _discounted(anchors, _raw_weights(anchors, language))


def _raw_weights(anchors: Sequence[Anchor], language: str | None) -> npt.NDArray[np.float64]:
    """Each anchor's weight before repeated keys are discounted."""
    return np.array([anchor_weight(anchor, language) for anchor in anchors], dtype=np.float64)


def _discounted(anchors: Sequence[Anchor], weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Weights divided by the square root of how often each anchor's key occurs in the text."""
    counts: dict[str, int] = {}
    for anchor in anchors:
        counts[anchor.key] = counts.get(anchor.key, 0) + 1
    return weights / np.sqrt(np.array([counts[anchor.key] for anchor in anchors], dtype=np.float64)) if anchors else weights


_NAME_RATIO = 84.0


@dataclass(frozen=True)
class TranslationEvidence:
    """Whether two texts in two languages are translations of each other, and the aligned anchors that show it.

    Args:
        score: 0..1, how completely and in how good an order the anchors align (``translation_score``).
        pairs: aligned anchors as written, first text's then second's, e.g. ``("15.000", "15,000")``.
        aligned: number of aligned anchors.
        coverage_first: share of the first text's anchor weight that is aligned (see ``anchor_weight``).
        coverage_second: share of the second text's anchor weight that is aligned.
        order_agreement: share of the anchors with a counterpart in the other text that align in order.
        is_translation: the decision.
        reason: one sentence a person can check.
        positions: where each pair's anchors stand, as character offsets in the first and second text.

    Examples:
        >>> first = extract_anchors("Am 15.08.2022 kamen 15.000 Menschen nach Kursk.", "de")
        >>> second = extract_anchors("On 15 August 2022, 15,000 people came to Kursk.", "en")
        >>> compare_translation(first, second, "de", "en").pairs[0]
        ('15.08.2022', '15 August 2022')
    """

    score: float
    pairs: list[tuple[str, str]]
    aligned: int
    coverage_first: float
    coverage_second: float
    order_agreement: float
    is_translation: bool
    reason: str
    positions: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class AnchorAlignment:
    """The order-preserving alignment of two anchor sequences.

    Args:
        chain: pairs of indices (first text, second text) of the aligned anchors, increasing in both.
        weights_first: each anchor's weight in the first text.
        weights_second: each anchor's weight in the second text.
        matchable_first: which anchors of the first text match some anchor of the second, in any order.
        matchable_second: the same for the second text.
        numeric_first: which anchors of the first text are numbers, dates, URLs or handles.
        numeric_second: the same for the second text.
        specific_first: which of the first text's numeric anchors pin something down (weight 1 or more: not a lone digit).
        specific_second: the same for the second text.
        beyond_dates: aligned pairs whose anchors are no dates or weekdays.
    """

    chain: list[tuple[int, int]]
    weights_first: npt.NDArray[np.float64]
    weights_second: npt.NDArray[np.float64]
    matchable_first: npt.NDArray[np.bool_]
    matchable_second: npt.NDArray[np.bool_]
    numeric_first: npt.NDArray[np.bool_]
    numeric_second: npt.NDArray[np.bool_]
    specific_first: npt.NDArray[np.bool_]
    specific_second: npt.NDArray[np.bool_]
    beyond_dates: int


def anchors_match(first: Anchor, second: Anchor) -> bool:
    """Whether two anchors stand for the same thing: equal keys, or names equal across spellings and scripts."""
    if first.kind != second.kind:
        return False
    if first.kind != "entity":
        return first.key == second.key
    return _names_match(first.key, second.key)


@lru_cache(maxsize=65536)
def _names_match(first: str, second: str) -> bool:
    """Name keys equal, close in spelling, equal in sound skeleton, or one name's words all inside the other's."""
    if first == second:
        return True
    if _words_match(first.replace(" ", ""), second.replace(" ", "")):
        return True
    shorter, longer = sorted((first.split(), second.split()), key=len)
    if len(shorter) == len(longer) or " ".join(shorter) in _EXONYM_FORMS:
        return False
    return all(any(_words_match(word, other) for other in longer) for word in shorter) and len("".join(shorter)) >= 4


@lru_cache(maxsize=65536)
def _words_match(first: str, second: str) -> bool:
    """Two name words (or names without spaces) are one name in two spellings."""
    if first == second:
        return True
    if min(len(first), len(second)) < 3:
        return False
    skeleton_first, skeleton_second = name_skeleton(first), name_skeleton(second)
    if skeleton_first == skeleton_second and len(skeleton_first) >= 3:
        return True
    hushed = name_skeleton(first, hushed=True)
    if hushed == name_skeleton(second, hushed=True) and len(hushed) >= 3:
        return True
    if fuzz.ratio(first, second) >= _NAME_RATIO:
        return True
    shorter, longer = sorted((first, second), key=len)
    if len(shorter) >= 4 and longer.startswith(shorter) and len(longer) - len(shorter) <= 3:
        return True
    return len(skeleton_first) >= 4 and fuzz.ratio(skeleton_first, skeleton_second) >= 88


def _matching_pairs(first: Sequence[Anchor], second: Sequence[Anchor]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every pair (index in the first text, index in the second) of matching anchors, sorted; keys are compared once per distinct pair."""
    keys_first = {(anchor.kind, anchor.key) for anchor in first}
    keys_second = {(anchor.kind, anchor.key) for anchor in second}
    partners: dict[tuple[str, str], list[tuple[str, str]]] = {key: [key] for key in keys_first & keys_second}
    names_first = sorted(key for kind, key in keys_first if kind == "entity")
    names_second = sorted(key for kind, key in keys_second if kind == "entity")
    if names_first and names_second:
        close = cdist(names_first, names_second, scorer=fuzz.ratio, score_cutoff=40.0)
        for row, column in zip(*np.nonzero(close), strict=True):
            left, right = names_first[row], names_second[column]
            if left != right and _names_match(left, right):
                partners.setdefault(("entity", left), []).append(("entity", right))
    positions_second: dict[tuple[str, str], list[int]] = {}
    for column, anchor in enumerate(second):
        positions_second.setdefault((anchor.kind, anchor.key), []).append(column)
    rows: list[int] = []
    columns: list[int] = []
    for row, anchor in enumerate(first):
        for partner in partners.get((anchor.kind, anchor.key), ()):
            found = positions_second[partner]
            rows.extend([row] * len(found))
            columns.extend(found)
    return np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64)


def _heaviest_chain(
    rows: npt.NDArray[np.int64], columns: npt.NDArray[np.int64], weights_first: npt.NDArray[np.float64], weights_second: npt.NDArray[np.float64]
) -> list[tuple[int, int]]:
    """The heaviest set of matching pairs increasing in both texts: a weighted LCS, over the matches only, with a Fenwick tree of prefix maxima."""
    if rows.size == 0:
        return []
    order = np.lexsort((-columns, rows))
    size = len(weights_second)
    tree_value = [0.0] * (size + 1)
    tree_index = [-1] * (size + 1)
    best = [0.0] * rows.size
    back = [-1] * rows.size
    for position in order:
        column = int(columns[position])
        value, previous = 0.0, -1
        cursor = column
        while cursor > 0:
            if tree_value[cursor] > value:
                value, previous = tree_value[cursor], tree_index[cursor]
            cursor -= cursor & -cursor
        best[position] = value + float(weights_first[rows[position]] + weights_second[column])
        back[position] = previous
        cursor = column + 1
        while cursor <= size:
            if best[position] > tree_value[cursor]:
                tree_value[cursor], tree_index[cursor] = best[position], int(position)
            cursor += cursor & -cursor
    end = int(np.argmax(best))
    chain = []
    while end >= 0:
        chain.append((int(rows[end]), int(columns[end])))
        end = back[end]
    return chain[::-1]


def align_anchors(first: Sequence[Anchor], second: Sequence[Anchor], first_language: str | None = None, second_language: str | None = None) -> AnchorAlignment:
    """The order-preserving alignment of two anchor sequences, the heaviest by anchor weight."""
    rows, columns = _matching_pairs(first, second)
    raw_first, raw_second = _raw_weights(first, first_language), _raw_weights(second, second_language)
    weights_first, weights_second = _discounted(first, raw_first), _discounted(second, raw_second)
    chain = _heaviest_chain(rows, columns, weights_first, weights_second)
    numeric_first = np.array([anchor.kind != "entity" for anchor in first], dtype=np.bool_)
    numeric_second = np.array([anchor.kind != "entity" for anchor in second], dtype=np.bool_)
    matchable_first = np.zeros(len(first), dtype=np.bool_)
    matchable_first[rows] = True
    matchable_second = np.zeros(len(second), dtype=np.bool_)
    matchable_second[columns] = True
    dated = [anchor.kind == "date" for anchor in first]
    return AnchorAlignment(
        chain, weights_first, weights_second, matchable_first, matchable_second, numeric_first, numeric_second,
        numeric_first & (raw_first >= _PLAIN_WEIGHT), numeric_second & (raw_second >= _PLAIN_WEIGHT), sum(not dated[i] for i, _ in chain),
    )


@dataclass(frozen=True)
class AlignmentMeasures:
    """What an alignment of two anchor sequences shows, with each anchor counted by its weight.

    Args:
        aligned: aligned anchor pairs.
        coverage_first: aligned weight over all weight in the first text.
        coverage_second: the same in the second text.
        order_agreement: aligned weight over the weight of anchors that have a counterpart at all.
        largest_gap: the largest stretch of unaligned weight between aligned anchors, as a share of its text's weight.
        aligned_weight: the aligned weight, both texts together.
        number_coverage: the smaller share of number and date weight aligned, or None when a text has none.
        number_presence: the smaller share, over the texts that have some, of the weight of numbers and dates
            (lone digits left out) that the other text has too, in any order; None when neither has any.
        aligned_beyond_dates: aligned pairs that are no dates or weekdays (names, numbers, URLs, handles).
    """

    aligned: int
    coverage_first: float
    coverage_second: float
    order_agreement: float
    largest_gap: float
    aligned_weight: float
    number_coverage: float | None
    number_presence: float | None = None
    aligned_beyond_dates: int = 0


def _largest_gap(indices: list[int], weights: npt.NDArray[np.float64]) -> float:
    """The heaviest run of unaligned anchors before, between or after the aligned ones, as a share of all weight."""
    total = float(weights.sum())
    if total == 0:
        return 1.0
    cumulative = np.concatenate(([0.0], np.cumsum(weights)))
    bounds = [-1, *indices, len(weights)]
    return max(float(cumulative[end] - cumulative[start + 1]) for start, end in zip(bounds, bounds[1:], strict=False)) / total


def _number_coverage(alignment: AnchorAlignment) -> float | None:
    """The smaller share of number and date weight that is aligned, or None when either text has no number or date."""
    shares = []
    for weights, numeric, indices in (
        (alignment.weights_first, alignment.numeric_first, [i for i, _ in alignment.chain]),
        (alignment.weights_second, alignment.numeric_second, [j for _, j in alignment.chain]),
    ):
        total = float(weights[numeric].sum())
        if total == 0:
            return None
        aligned = np.zeros(len(weights), dtype=np.bool_)
        aligned[indices] = True
        shares.append(float(weights[numeric & aligned].sum()) / total)
    return min(shares)


def _number_presence(alignment: AnchorAlignment) -> float | None:
    """The smaller share, over the texts that have numbers or dates (lone digits left out), of their weight that the other text has too."""
    shares = []
    for weights, specific, matchable in (
        (alignment.weights_first, alignment.specific_first, alignment.matchable_first),
        (alignment.weights_second, alignment.specific_second, alignment.matchable_second),
    ):
        total = float(weights[specific].sum())
        if total:
            shares.append(float(weights[specific & matchable].sum()) / total)
    return min(shares) if shares else None


def measure_alignment(alignment: AnchorAlignment) -> AlignmentMeasures:
    """Weighted coverage, order agreement, the largest unaligned stretch and the number coverage of an alignment."""
    rows = [i for i, _ in alignment.chain]
    columns = [j for _, j in alignment.chain]
    first, second = alignment.weights_first, alignment.weights_second
    aligned_first, aligned_second = float(first[rows].sum()), float(second[columns].sum())
    total_first, total_second = float(first.sum()), float(second.sum())
    matchable = float(first[alignment.matchable_first].sum() + second[alignment.matchable_second].sum())
    return AlignmentMeasures(
        aligned=len(alignment.chain),
        coverage_first=aligned_first / total_first if total_first else 0.0,
        coverage_second=aligned_second / total_second if total_second else 0.0,
        order_agreement=(aligned_first + aligned_second) / matchable if matchable else 0.0,
        largest_gap=max(_largest_gap(rows, first), _largest_gap(columns, second)),
        aligned_weight=aligned_first + aligned_second,
        number_coverage=_number_coverage(alignment),
        number_presence=_number_presence(alignment),
        aligned_beyond_dates=alignment.beyond_dates,
    )


def compare_translation(first: Sequence[Anchor], second: Sequence[Anchor], first_language: str | None, second_language: str | None) -> TranslationEvidence:
    """Whether one text translates the other: anchors aligned in order, covering both, with no long unaligned stretch."""
    lang_first, lang_second = base_language(first_language), base_language(second_language)
    if lang_first is not None and lang_first == lang_second:
        return TranslationEvidence(0.0, [], 0, 0.0, 0.0, 0.0, False, f"both texts are in the same language ({lang_first}); a translation is in another language")
    alignment = align_anchors(first, second, lang_first, lang_second)
    measures = measure_alignment(alignment)
    pairs = [(first[i].surface, second[j].surface) for i, j in alignment.chain]
    positions = [(first[i].position, second[j].position) for i, j in alignment.chain]
    score = translation_score(measures)
    is_translation, reason = _decision(measures, score)
    return TranslationEvidence(round(score, 4), pairs, measures.aligned, round(measures.coverage_first, 4), round(measures.coverage_second, 4), round(measures.order_agreement, 4), is_translation, reason, positions)


def translation_score(measures: AlignmentMeasures) -> float:
    """0..1: the smaller coverage, times the order agreement squared, the root of what the largest gap leaves, and the number agreement.

    Numbers and dates carry over into a translation almost always, so when both texts have some,
    the score is multiplied by (1 + the share of them aligned) / 2: halved when none aligns.
    """
    coverage = min(measures.coverage_first, measures.coverage_second)
    numbers = 1.0 if measures.number_coverage is None else (1.0 + measures.number_coverage) / 2
    return coverage * measures.order_agreement**2 * math.sqrt(max(0.0, 1.0 - measures.largest_gap)) * numbers


def _decision(measures: AlignmentMeasures, score: float) -> tuple[bool, str]:
    """The verdict on a measured alignment and one sentence saying why."""
    numbers = "" if measures.number_coverage is None else f"{measures.number_coverage:.0%} of the numbers and dates align; "
    summary = (
        f"{measures.aligned} anchors align in order, covering {measures.coverage_first:.0%} and {measures.coverage_second:.0%} "
        f"of the two texts' anchor weight; {measures.order_agreement:.0%} of the anchors they share keep their order; "
        f"{numbers}the largest unaligned stretch holds {measures.largest_gap:.0%} of a text's anchor weight"
    )
    weight = measures.aligned_weight / 2
    if weight < MIN_ALIGNED_WEIGHT:
        return False, f"too few anchors align to tell ({measures.aligned}): {summary}"
    needed = TRANSLATION_SCORE_THRESHOLD if weight >= CONFIDENT_ALIGNED_WEIGHT else SMALL_ALIGNMENT_SCORE
    if score < needed:
        return False, f"not a translation (score {score:.2f}, needs {needed:.2f}): {summary}"
    doubt = _short_alignment_doubt(measures, score) if measures.aligned < STRONG_ALIGNED_ANCHORS else None
    if doubt is not None:
        return False, f"not a translation ({doubt}): {summary}"
    return True, f"translation (score {score:.2f}): {summary}"


def _short_alignment_doubt(measures: AlignmentMeasures, score: float) -> str | None:
    """Why an alignment of fewer than STRONG_ALIGNED_ANCHORS anchors may be two reports of one day rather than a translation, or None."""
    if measures.aligned_beyond_dates < MIN_ALIGNED_BEYOND_DATES:
        return "only dates align, which every report of that day shares"
    if measures.number_presence is not None and measures.number_presence < MIN_NUMBER_PRESENCE:
        return f"{1 - measures.number_presence:.0%} of one text's numbers and dates are missing from the other, as in a report written apart"
    if score < SHORT_ALIGNMENT_SCORE:
        return f"score {score:.2f}, and an alignment of {measures.aligned} anchors needs {SHORT_ALIGNMENT_SCORE:.2f}"
    return None


def translation_direction(first_language: str | None, second_language: str | None, first_published: datetime | None, second_published: datetime | None) -> tuple[str | None, str]:
    """Which text is the origin (``first``, ``second`` or None) and why: the earlier publication date decides."""
    lang_first, lang_second = base_language(first_language) or "an unknown language", base_language(second_language) or "an unknown language"
    if first_published and second_published and first_published != second_published:
        earlier, later = ("first", "second") if first_published < second_published else ("second", "first")
        dates = {"first": first_published, "second": second_published}
        langs = {"first": lang_first, "second": lang_second}
        return earlier, (
            f"the {earlier} text ({langs[earlier]}) was published {dates[earlier]:%Y-%m-%d %H:%M}, "
            f"before the {later} ({langs[later]}, {dates[later]:%Y-%m-%d %H:%M}), so the {later} is the translation"
        )
    if first_published and second_published:
        return None, "undetermined: both were published at the same time, and the anchors do not say which language came first"
    undated = [name for name, date in (("the first text", first_published), ("the second text", second_published)) if date is None]
    verb = "has" if len(undated) == 1 else "have"
    return None, f"undetermined: {' and '.join(undated)} {verb} no publication date, and the anchors do not say which language came first"
