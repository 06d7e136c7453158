"""The word lists the name rules consult, built once per process from installed packages.

* spaCy's German lookup lemmas (``spacy-lookups-data``): which capitalised words are common
  nouns, genitives or adjectives.
* spaCy's German word probabilities (``de_lexeme_prob`` in ``spacy-lookups-data``, MIT): unlike
  wordfreq, whose lists are case-folded, they count "Leider" and "leider" apart, which is what
  tells a sentence-initial adverb from a name: "leider" is written lower-case far more often
  than capitalised, "Wien" never. The table is sorted by frequency, so only its first
  ``FREQUENT_WORDS_CHARS`` characters (about 97,000 words, 0.15 s) are read.
* pycountry's German country names and three-letter codes; spaCy's German stop words.
"""

from __future__ import annotations

import gettext
import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Characters of the frequency-sorted probability table read (down to about 1 in 3 million).
FREQUENT_WORDS_CHARS = 3_000_000
# A capitalised word is "usually lower-case" when its lower-case twin is this much more likely
# (natural log; 0.5 = 1.65 times): "Leider" 0.9, "Irgendwann" 1.4; "Grüne" 0.2 and "Real" 0.2
# stay names.
USUALLY_LOWER_MARGIN = 0.5
# Name particles: lower-case words inside a name ("Ursula von der Leyen", "Thomas de Maizière",
# "Alexander Van der Bellen"); a span may start with one ("van Gogh"), never with an article.
PARTICLES = frozenset("von van vom zu zum zur de di da du del della dos das der den ter ten te "
                      "la le al el bin ibn ben af av".split())
START_PARTICLES = PARTICLES - frozenset("der den das".split())
# Abbreviations that open the names of sports clubs ("SV Grödig", "SKN St. Pölten", "VfB
# Stuttgart"): Sportverein, Sportklub, Fußballclub and their kin.
CLUB_PREFIXES = frozenset("FC SC SV SK SKN TSV VfB VfL VfR FK AC AS RB TSG SpVgg BSC KSV ASK "
                          "USV WSG SSC HC EC EHC SG TuS ATSV".split())
# A lower-case adjective in -sch, inflected or not: "deutsch", "syrischen", "türkischem".
DERIVED_ADJECTIVE = re.compile(r"[a-zäöüß-]+sch(?:e[mnrs]?)?")


@dataclass(frozen=True)
class Lexicon:
    """Word lists the inflection, span and name rules consult (built once, lazily)."""

    genitives: dict[str, str]  # "Deutschlands" -> "Deutschland", from the lemma table
    weak_adjectives: frozenset[str]  # "Europäischen" (-> "Europäische"), from the lemma table
    common_words: frozenset[str]  # capitalised common nouns and their inflected forms
    vocabulary: frozenset[str]  # every capitalised word in the table, names like Merkel too
    adjectives: frozenset[str]  # capitalised forms with a lower-case lemma or twin ("Europäische")
    places: frozenset[str]  # German country names (pycountry)
    usually_lower: frozenset[str]  # capitalised words mostly written lower-case ("Leider")
    capitalised: frozenset[str]  # capitalised words of the frequency table ("Heim", "Spanischen")
    stop_words: frozenset[str]  # spaCy's German function words, lower-case


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Build the word lists (about 0.7 s, once per process)."""
    genitives, weak_adjectives, common, adjectives = _lemma_lists()
    usually_lower, capitalised = _case_lists()
    vocabulary = common.union(genitives, genitives.values())
    return Lexicon(genitives, frozenset(weak_adjectives), frozenset(common),
                   frozenset(vocabulary), frozenset(adjectives), country_names(),
                   usually_lower, capitalised, _stop_words())


def _lemma_lists() -> tuple[dict[str, str], set[str], set[str], set[str]]:
    """Genitives, weak adjectives, common nouns and adjectives of spaCy's German lemma table.

    Only the table's base forms that have an inflected form other than +s/+es count as common
    words ("Koch" has "Köche", "Kreml" has only "Kremls"), so surnames such as Merkel, which
    the table also holds, are not mistaken for nouns.
    """
    source = resources.files("spacy_lookups_data") / "data" / "de_lemma_lookup.json.gz"
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as table:
        lemmas: dict[str, str] = json.load(table)
    genitives, weak_adjectives, common, adjectives = {}, set(), set(), set()
    for form, lemma in lemmas.items():
        if not form[:1].isupper():
            continue
        if lemma[:1].islower() or form.lower() in lemmas:
            adjectives.add(form)
        if form in (lemma + "s", lemma + "es"):
            genitives[form] = lemma
        else:
            if form == lemma + "n" and lemma.endswith("e"):
                weak_adjectives.add(form)
            common.add(form)
            if form != lemma:
                common.add(lemma)
    return genitives, weak_adjectives, common, adjectives


def _case_lists() -> tuple[frozenset[str], frozenset[str]]:
    """Capitalised words usually written lower-case, and all capitalised words, of the most
    frequent part of spaCy's German probability table (see the module docstring)."""
    source = resources.files("spacy_lookups_data") / "data" / "de_lexeme_prob.json.gz"
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as table:
        head = table.read(FREQUENT_WORDS_CHARS)
    cut = head.rfind(",\n")
    probabilities: dict[str, float] = json.loads(head[:cut] + "}" if cut > 0 else head)
    floor = min(probabilities.values(), default=0.0)
    capitalised = {word for word in probabilities if word[:1].isupper()}
    usually_lower = set()
    for word, probability in probabilities.items():
        if word[:1].islower() and word[:1].upper() != word[:1]:
            upper = word[:1].upper() + word[1:]
            if probability - probabilities.get(upper, floor) >= USUALLY_LOWER_MARGIN:
                usually_lower.add(upper)
    return frozenset(usually_lower), frozenset(capitalised)


@lru_cache(maxsize=1)
def country_names() -> frozenset[str]:
    """German country names (pycountry), without the lemma tables (for the corpus step)."""
    import pycountry

    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"],
                                 fallback=True)
    return frozenset(german.gettext(getattr(country, field))
                     for country in pycountry.countries
                     for field in ("name", "common_name", "official_name")
                     if hasattr(country, field))


# Demonyms are a place's stem plus an inhabitant suffix ("Syr|er", "Türk|en", "Palästin|enser",
# "Israel|is"), and the place is that stem plus one of a few endings ("Syr|ien", "Türk|ei",
# "Palästin|a", "Russ|ische Föderation", "Finn|land", "Griech|enland", "Kasach|stan").
DEMONYM_SUFFIXES = ("e", "en", "n", "er", "ern", "ier", "iern", "ner", "nern", "aner", "anern",
                    "esen", "enser", "ensern", "is", "in", "innen", "erin", "erinnen")
PLACE_ENDINGS = ("", "a", "e", "o", "ei", "en", "ien", "land", "enland", "stan", "istan", "isch",
                 "ische")


@lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    """The first and last words of the German country names ("Russische", "Föderation",
    "Amerika", "Syrien"); not inner words like "Tristan" of "... und Tristan da Cunha"."""
    words = set()
    for name in country_names():
        capitalised = [word for word in name.replace(",", " ").split() if word[:1].isupper()]
        words.update(word for word in capitalised[:1] + capitalised[-1:] if len(word) > 3)
    return frozenset(words)


def is_demonym(word: str) -> bool:
    """Whether a single word names a country's people ("Syrer", "Russen", "Israelis",
    "Palästinenser", "Griechen"), which GermEval does not count as a place (LOCderiv), rather
    than a country, inflected or not ("Polen", "Schweden", "Niederlanden")."""
    countries = _country_words()
    if " " in word or any(word.endswith(end) and word[:len(word) - len(end)] in countries
                          for end in ("", "n", "s")):
        return False
    for suffix in DEMONYM_SUFFIXES:
        stem = word[:len(word) - len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and any(
                stem + ending in countries for ending in PLACE_ENDINGS):
            return True
    return False


# Olympic (IOC) codes that differ from ISO 3166 alpha-3, as results lists give them after
# athletes: "Fabian Rießle (GER)", "Pirmin Zurbriggen (SUI)". Not "ESA" (El Salvador), which
# stands after astronauts as their agency.
IOC_CODES = frozenset(
    "GER SUI NED CRO SLO DEN POR GRE BUL LAT RSA CHI URU PAR INA IRI KSA UAE TPE PHI MAS NGR "
    "ALG BER".split())


@lru_cache(maxsize=1)
def nation_codes() -> frozenset[str]:
    """Three-letter country codes: ISO 3166 alpha-3 (pycountry) and ``IOC_CODES``."""
    import pycountry

    return frozenset(country.alpha_3 for country in pycountry.countries) | IOC_CODES


def _stop_words() -> frozenset[str]:
    from spacy.lang.de.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def is_common_noun(word: str) -> bool:
    """A noun in the lemma table, or a compound ending in one ("Millionen|metropole")."""
    known = lexicon()
    return word not in known.adjectives and any(
        word[start].upper() + word[start + 1:] in known.common_words
        for start in range(len(word) - 3))


def is_common_word(word: str) -> bool:
    """Lower case, or a noun of the lemma table: not searched for as a name ("der Koch")."""
    return word[:1].islower() or word in lexicon().common_words


def is_german_word(word: str) -> bool:
    """A lower-case word of German text: a function word, one that is also written
    capitalised (as every German word is at a sentence start), or an adjective in -sch, the
    suffix that derives adjectives from places ("syrischen", "libyschen": too rare for the
    frequency table). "heim", "spanischen": yes; "dpa", "ver.di", which never start a
    sentence capitalised: no, they are names."""
    known = lexicon()
    return (word in known.stop_words or word[:1].upper() + word[1:] in known.capitalised
            or DERIVED_ADJECTIVE.fullmatch(word) is not None)
