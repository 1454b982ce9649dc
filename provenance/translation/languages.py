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

MIN_SHARED_BANDS = 3
"""A translation candidate shares at least this many anchor LSH bands with the text.

Measured: 158 of the 160 WMT22 translations that verify share 3 bands or more (one shares 1,
one 2). Among the articles of other languages that 2,000 new articles of a 100,000-article
corpus met in the index, the ten that shared the most bands with each shared 1 band in 16,631
cases, 2 in 1,435, 3 in 62 and 4 or more in 20; each candidate costs an anchor alignment
(3.5 ms). With 2, ``bench/eval_translation.py`` links one WMT22 translation more (ru-en 76/80
instead of 75/80) and the writer verified 3,361 candidates for 4,000 articles, none a translation.
"""
# Names that differ between languages beyond transliteration (exonyms), as name keys -> one form.
_EXONYM_FORMS: dict[str, tuple[str, ...]] = {
    "russia": ("russland", "russlands", "russie", "rossi", "rusia", "russia", "russias"),
    "usa": (
        "usa",
        "us",
        "ssha",
        "etats unis",
        "vereinigte staaten",
        "vereinigten staaten",
        "united states",
        "estados unidos",
        "stati uniti",
    ),
    "germany": (
        "deutschland",
        "deutschlands",
        "allemagne",
        "germani",
        "frg",
        "brd",
        "germany",
        "germanys",
        "alemania",
        "germania",
    ),
    "france": ("frankreich", "frankreichs", "frantsi", "francia", "france", "frances"),
    "uk": (
        "grossbritannien",
        "grossbritanniens",
        "grande bretagne",
        "velikobritani",
        "britain",
        "great britain",
        "uk",
        "royaume uni",
        "united kingdom",
        "vereinigte konigreich",
        "vereinigtes konigreich",
        "britani",
    ),
    "eu": (
        "eu",
        "ue",
        "es",
        "evrosoiuz",
        "europaische union",
        "union europeenne",
        "european union",
    ),
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
    "netherlands": (
        "niederlande",
        "pays bas",
        "niderland",
        "netherlands",
        "holland",
        "hollande",
        "gollandi",
        "paises bajos",
        "paesi bassi",
    ),
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
    "russian federation": (
        "rossiisk federatsi",
        "russian federation",
        "russischen foderation",
        "russische foderation",
        "federation de russie",
    ),
    "ukraine": ("ukraine", "ukraina", "ukrain", "ukraines", "ucrania", "ucraina"),
    "venus": ("venus", "vener", "venera"),
    "north korea": (
        "nordkorea",
        "nordkoreas",
        "kndr",
        "north korea",
        "coree du nord",
        "severn kore",
    ),
    "south korea": ("sudkorea", "sudkoreas", "south korea", "coree du sud", "iuzhn kore"),
}
