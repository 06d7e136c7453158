"""Stage 4, normalize: one entity per real-world name, with a canonical name and a stable id.

Raw NER output splits one person or place into many rows ("Kasachstan" / "Kasachstans",
"Tokajew" / "Kassym-Jomart Tokajew"). ``normalize_article`` merges them within one article, in
this order, each step on plain mention dicts:

1. Spans: what the model swept in with a name is dropped: a leading determiner ("der Kreml"),
   a noun before a known place ("Millionenmetropole Almaty"), a title before a person
   ("Vorstand Thiele"); a hyphenated compound whose head is a common word ("ODKB-Truppen",
   "Kreml-loyale") becomes a mention of the embedded name, marked ``compound``.
2. Recall: every other occurrence in the article of a name the model found (also its genitive,
   its PER surname, an abbreviation defined next to it, and inside compounds) becomes a mention.
3. Inflection: a case ending is removed only on evidence, never by a bare suffix rule, so names
   that end that way by nature (Paris, Lukas, Kaunas, Los Angeles) stay as they are:
   the uninflected form occurs in the same article (Kasachstans -> Kasachstan, Putins -> Putin),
   or it is a German country name from pycountry (Vereinigten Staaten -> Vereinigte Staaten),
   or spaCy's German lemma table says so: a genitive for places only (Deutschlands ->
   Deutschland; the table also maps Thomas -> Thoma and Reuters -> Reuter), a weak adjective
   before the head for places and organisations (Europäischen Union -> Europäische Union).
4. Linking: equal uninflected forms merge; an abbreviation defined in the article
   ("... kollektive Sicherheit (ODKB)") merges with its long form; PER full names that share a
   surname and have near-identical given names merge (Kassym-Jomart / Kassym-Schomart Tokajew);
   a partial PER name (Tokajew, von der Leyen) merges with the one full name it ends.
5. Label: the model's labels vote over the whole entity, one vote per word of a mention (added
   mentions do not vote); a tie goes to the label of the longest mention, then the earliest.

Canonical names: a defined abbreviation wins (articles mostly use it, it does not inflect, so it
joins best across articles; the long form stays among the variants); otherwise the most frequent
PER full name; otherwise the most frequent uninflected form (ties: the shorter, then the
earlier).

Ids: ``entity_id(label, canonical name)`` is a hash, so the same canonical name gets the same id
in every run and batch. A PER entity whose name is a single word (a surname with no full name in
its article) cannot be told apart from other people of that surname, so its id is additionally
scoped by a hash of the article text: deterministic, but it joins only with itself.
"""

from __future__ import annotations

import bisect
import difflib
import gettext
import gzip
import hashlib
import itertools
import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

logger = logging.getLogger(__name__)

OUTPUT_KEYS = ("start_char", "end_char", "text", "label", "sentence", "name", "entity_id",
               "compound")
DETERMINERS = frozenset("der die das des dem den ein eine einer eines einem einen".split())
# Given names this similar (difflib ratio) under one surname are one person spelt two ways.
GIVEN_NAME_SIMILARITY = 0.75
ACRONYM = re.compile(r"[A-ZÄÖÜ][A-Za-zÄÖÜäöüß&]*[A-ZÄÖÜ][A-Za-zÄÖÜäöüß&]*")
ABBREVIATION_IN_PARENTHESES = re.compile(r"\(\s*([A-ZÄÖÜ][\wÄÖÜäöüß&.-]{1,11})\s*\)")


@dataclass(frozen=True)
class Lexicon:
    """Word lists the inflection and compound rules consult (built once, lazily)."""

    genitives: dict[str, str]  # "Deutschlands" -> "Deutschland", from the lemma table
    weak_adjectives: frozenset[str]  # "Europäischen" (-> "Europäische"), from the lemma table
    common_words: frozenset[str]  # capitalised common nouns and their inflected forms
    vocabulary: frozenset[str]  # every capitalised word in the table, names like Merkel too
    adjectives: frozenset[str]  # capitalised forms with a lower-case lemma or twin ("Europäische")
    places: frozenset[str]  # German country names (pycountry)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """spaCy's German lookup lemmas and pycountry's German country names, reduced to what we use.

    Only the lemma table's base forms that have an inflected form other than +s/+es count as
    common words ("Koch" has "Köche", "Kreml" has only "Kremls"), so surnames such as Merkel,
    which the table also holds, are not mistaken for nouns.
    """
    import pycountry

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
    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"],
                                 fallback=True)
    places = {german.gettext(getattr(country, field))
              for country in pycountry.countries
              for field in ("name", "common_name", "official_name") if hasattr(country, field)}
    vocabulary = common.union(genitives, genitives.values())
    return Lexicon(genitives, frozenset(weak_adjectives), frozenset(common),
                   frozenset(vocabulary), frozenset(adjectives), frozenset(places))


def entity_id(label: str, name: str, scope: str | None = None) -> str:
    """Stable id of an entity: a short hash of its label and canonical name (and scope)."""
    key = "\x1f".join([label, name] if scope is None else [label, name, scope])
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def article_scope(text: str) -> str:
    """The scope of an article-local entity: a hash of the article text, the same every run."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def raw_mentions(mentions: list[dict]) -> list[dict]:
    """The ``--no-normalize`` path: every mention text is its own entity."""
    return [{**{key: mention[key] for key in OUTPUT_KEYS[:5]}, "name": mention["text"],
             "entity_id": entity_id(mention["label"], mention["text"]), "compound": False}
            for mention in sorted(mentions, key=lambda mention: mention["start_char"])]


def normalize_article(text: str, mentions: list[dict],
                      sentences: list[tuple[int, int]]) -> list[dict]:
    """The article's final mentions, each with a canonical ``name`` and ``entity_id``.

    ``mentions`` are the model's (start_char, end_char, text, label, sentence); ``sentences``
    the (start_char, end_char) of each sentence, to place the mentions this adds. The result is
    sorted by start_char, may hold more mentions and narrower spans than the input, and keeps
    ``text[start_char:end_char] == mention["text"]``. The input dicts are not changed.
    """
    found = [span for span in (_clean_span(text, mention) for mention in mentions) if span]
    places = lexicon().places | {m["text"] for m in found if m["label"] == "LOC"}
    found = [_without_title(_without_leading_noun(mention, places)) for mention in found]
    known = {mention["text"] for mention in found}
    found = [_split_compound(mention, known) for mention in found]
    abbreviations = _abbreviations(text, found)
    added = _other_occurrences(text, found, abbreviations, sentences)
    article = sorted(found + added, key=lambda mention: mention["start_char"])
    # One surface form, one uninflected form: the lemma-table rules depend on the label, so the
    # label the surface form has most often decides.
    labels: dict[str, Counter] = defaultdict(Counter)
    for mention in article:
        labels[mention["text"]][mention["label"]] += 1
    forms = {surface: uninflected(surface, votes.most_common(1)[0][0], text)
             for surface, votes in labels.items()}
    for mention in article:
        mention["form"] = forms[mention["text"]]
        mention["compound"] = _in_compound(text, mention["start_char"], mention["end_char"])
    entities = _link(article, abbreviations)
    scope = article_scope(text)
    for members in entities:
        label = _vote(members)
        name = _canonical_name(members, label, abbreviations)
        person_without_full_name = label == "PER" and not _is_full_name(name)
        identifier = entity_id(label, name, scope if person_without_full_name else None)
        for mention in members:
            mention.update(label=label, name=name, entity_id=identifier)
    return [{key: mention[key] for key in OUTPUT_KEYS} for mention in article]


def uninflected(surface: str, label: str, text: str) -> str:
    """``surface`` without a German case ending, where the evidence supports one (see module)."""
    words = surface.split()
    if not words or len(words) > 4:
        return surface
    known = lexicon()
    candidates = _deinflections(words)
    # A person's surname on its own is evidence for the full name (Wladimir Putins -> Putin).
    supported = next((candidate for candidate in candidates if _occurs(candidate, text) or (
        label == "PER" and candidate.split()[:-1] == words[:-1]
        and _occurs(candidate.split()[-1], text))), None)
    if supported is None and label == "LOC" and surface not in known.places:
        supported = next((candidate for candidate in candidates if candidate in known.places),
                         None)
    if label == "PER":
        return supported or surface
    *rest, last = (supported or surface).split()
    adjectives = [word[:-1] if word in known.weak_adjectives else word for word in rest]
    # The table's genitive: for a one-word place (Deutschlands); in a longer name for the German
    # -es ("Weißen Hauses") or after a weak adjective, which marks the phrase as inflected
    # ("Deutschen Bundestages"), since +s alone is also an English plural ("Northway Games").
    lemma = known.genitives.get(last, last)
    if supported is None and (adjectives != rest or (
            label == "LOC" and (not rest or last == lemma + "es"))):
        last = lemma
    return " ".join(adjectives + [last])


def _deinflections(words: list[str]) -> list[str]:
    """Candidate nominative forms: -s/-es off the last word, weak adjective -en -> -e/-er."""
    last = words[-1]
    lasts = [last[:-1]] if len(last) > 3 and last.endswith("s") else []
    if len(last) > 4 and last.endswith("es"):
        lasts.append(last[:-2])
    options = [[word, word[:-1], word[:-1] + "r"] if word.endswith("en") and word[:1].isupper()
               else [word] for word in words[:-1]]
    candidates = [" ".join(choice) for choice in itertools.product(*options, [last, *lasts])]
    return [candidate for candidate in candidates if candidate != " ".join(words)]


def _occurs(phrase: str, text: str) -> bool:
    """Whether the phrase stands in the text as whole words (a hyphen counts as a border)."""
    return next(_word_starts(phrase, text), None) is not None


def _is_word_char(char: str) -> bool:
    """``re``'s ``\\w`` for str patterns: a letter, a digit or an underscore."""
    return char.isalnum() or char == "_"


def _word_starts(phrase: str, text: str, genitive: bool = False) -> Iterator[int]:
    """Start of every occurrence of ``phrase`` in ``text`` as whole words: the same matches as
    ``re.finditer(rf"(?<!\\w){re.escape(phrase)}(?!\\w)", text)``, or with ``genitive`` as
    ``(?=s?(?!\\w))`` in place of ``(?!\\w)``. Plain ``str.find``, because compiling a
    pattern for every name of every article cost more than the rest of this stage."""
    if not phrase:  # never asked for; the pattern keeps the meaning exact
        ending = r"(?=s?(?!\w))" if genitive else r"(?!\w)"
        yield from (match.start() for match in re.finditer(rf"(?<!\w){ending}", text))
        return
    size, end = len(phrase), len(text)
    position = text.find(phrase)
    while position >= 0:
        after = position + size
        if (position == 0 or not _is_word_char(text[position - 1])) and (
                after == end or not _is_word_char(text[after]) or (
                    genitive and text[after] == "s"
                    and (after + 1 == end or not _is_word_char(text[after + 1])))):
            yield position
            position = text.find(phrase, after)
        else:
            position = text.find(phrase, position + 1)


def _clean_span(text: str, mention: dict) -> dict | None:
    """A copy of the mention without a leading determiner or surrounding spaces."""
    start, end = mention["start_char"], mention["end_char"]
    first, _, rest = text[start:end].partition(" ")
    if first in DETERMINERS and rest[:1].isupper():
        start += len(first) + 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return None
    return {**mention, "start_char": start, "end_char": end, "text": text[start:end],
            "added": False}


def _without_leading_noun(mention: dict, places: set[str]) -> dict:
    """"Millionenmetropole Almaty" -> "Almaty": a place the model found together with the noun
    before it, when the rest is a country or a place found on its own in the article."""
    first, _, rest = mention["text"].partition(" ")
    if mention["label"] != "LOC" or rest not in places or not _is_common_noun(first):
        return mention
    return {**mention, "start_char": mention["end_char"] - len(rest), "text": rest}


def _without_title(mention: dict) -> dict:
    """"Vorstand Thiele" -> "Thiele": a person the model found together with a title.

    A title is a long (7+ letters) noun from the lemma table, or a compound ending in a noun of
    6+ letters ("Werder-Mittelfeldspieler"); short nouns are also given names (Mark, Wolf) and
    short heads hide in them (Her|mann, Wolf|gang).
    """
    words = mention["text"].split(" ")
    if mention["label"] != "PER" or len(words) < 2 or not words[1][:1].isupper():
        return mention
    word = words[0].rsplit("-", 1)[-1]
    known = lexicon()
    heads = (word[start].upper() + word[start + 1:] for start in range(len(word) - 5))
    if len(word) < 7 or words[0] in known.adjectives or not any(
            head in known.common_words for head in heads):
        return mention
    return {**mention, "start_char": mention["start_char"] + len(words[0]) + 1,
            "text": " ".join(words[1:])}


def _is_common_noun(word: str) -> bool:
    """A noun in the lemma table, or a compound ending in one ("Millionen|metropole")."""
    known = lexicon()
    return word not in known.adjectives and any(
        word[start].upper() + word[start + 1:] in known.common_words
        for start in range(len(word) - 3))


def _in_compound(text: str, start: int, end: int) -> bool:
    """Whether the span is joined by a hyphen to a word before or after it."""
    return (text[start - 1:start] == "-" and text[start - 2:start - 1].isalnum()
            or text[end:end + 1] == "-" and text[end + 1:end + 2].isalnum())


def _is_common_word(word: str) -> bool:
    """Lower case, or a noun of the lemma table: not searched for as a name ("der Koch")."""
    return word[:1].islower() or word in lexicon().common_words


def _split_compound(mention: dict, known: set[str]) -> dict:
    """"ODKB-Truppen" -> the embedded "ODKB" when the compound's head is a common word and the
    rest is a name found elsewhere in the article or an acronym ("Coca-Cola" stays whole)."""
    parts = mention["text"].split("-")
    tail = parts[-1]
    if len(parts) < 2 or not (tail[:1].islower() or tail in lexicon().vocabulary) or tail in known:
        return mention
    for first in range(len(parts) - 1):
        name = "-".join(parts[first:-1])
        if name in known or ACRONYM.fullmatch(name) or (
                tail[:1].islower() and name[:1].isupper() and not _is_common_word(name)):
            start = mention["start_char"] + len("-".join(parts[:first])) + (1 if first else 0)
            return {**mention, "start_char": start, "end_char": start + len(name), "text": name}
    return mention


def _abbreviations(text: str, mentions: list[dict]) -> dict[str, str]:
    """Abbreviation -> long form, for "Long Form (ABBR)" and "ABBR (Long Form)" in the text.

    Only organisations and names of more than one word count, and the abbreviation must start
    with the long form's first letter, because a parenthesis after a name is more often a party
    ("Olaf Scholz (SPD)") or a news agency ("Los Angeles (AP)") than a definition.
    """
    before_paren = {mention["end_char"]: mention for mention in mentions}
    inside_paren = {mention["start_char"]: mention for mention in mentions}
    defined = {}
    for match in ABBREVIATION_IN_PARENTHESES.finditer(text):
        before = before_paren.get(len(text[:match.start()].rstrip()))
        inside = inside_paren.get(match.start(1))
        pairs = [(match.group(1), before)]
        if before and inside and inside["end_char"] == match.end(1):
            pairs.append((before["text"], inside))
        for abbreviation, long_form in pairs:
            if (long_form and long_form["label"] in ("ORG", "MISC")
                    and " " in long_form["text"] and ACRONYM.fullmatch(abbreviation)
                    and abbreviation[0] == long_form["text"][0]):
                defined.setdefault(abbreviation, long_form["text"])
    return defined


def _other_occurrences(text: str, mentions: list[dict], abbreviations: dict[str, str],
                       sentences: list[tuple[int, int]]) -> list[dict]:
    """Mentions for the occurrences the model missed of the names it found in this article."""
    labels: dict[str, Counter] = defaultdict(Counter)
    for mention in mentions:
        labels[mention["text"]][mention["label"]] += 1
        if mention["label"] == "PER" and _is_full_name(mention["text"]):
            labels[_surname(mention["text"])]["PER"] += 1
    for abbreviation, long_form in abbreviations.items():
        labels[abbreviation].update(labels[long_form])
    full_names = {mention["text"] for mention in mentions
                  if mention["label"] == "PER" and _is_full_name(mention["text"])}
    taken = sorted((mention["start_char"], mention["end_char"]) for mention in mentions)
    sentence_starts = [start for start, _ in sentences]
    added = []
    for name in sorted(labels, key=lambda name: (-len(name), name)):
        single_word = " " not in name
        if len(name) < 2 or (single_word and not ACRONYM.fullmatch(name) and (
                len(name) < 3 or not name[:1].isupper() or _is_common_word(name))):
            continue
        for start in _word_starts(name, text, genitive=True):
            end = start + len(name)
            if text[end:end + 1] == "s":
                end += 1
            start -= len(_given_name_before(text, start, name, full_names))
            position = bisect.bisect_left(taken, (end, end))
            if position and taken[position - 1][1] > start:
                continue
            bisect.insort(taken, (start, end))
            added.append({"start_char": start, "end_char": end, "text": text[start:end],
                          "label": labels[name].most_common(1)[0][0],
                          "sentence": max(bisect.bisect_right(sentence_starts, start) - 1, 0),
                          "added": True})
    return added


def _given_name_before(text: str, start: int, surname: str, full_names: set[str]) -> str:
    """The given name (and its space) before a surname found again, if it spells the given name
    of a full name the model found ("Kassym-Jomart " before "Tokajew"), else ""."""
    before = re.search(r"(?<![\w-])([A-ZÄÖÜ][\w-]+) $", text[max(start - 60, 0):start])
    if not before or _is_common_word(before.group(1)):
        return ""
    candidate = f"{before.group(1)} {surname}"
    if any(_same_person(candidate, full) for full in full_names):
        return before.group(0)
    return ""


def _link(mentions: list[dict], abbreviations: dict[str, str]) -> list[list[dict]]:
    """Group the article's mentions into entities (union-find over uninflected forms)."""
    parent: dict[str, str] = {}

    def find(form: str) -> str:
        while parent.setdefault(form, form) != form:
            form = parent[form]
        return form

    def union(one: str, other: str) -> None:
        parent[find(one)] = find(other)

    by_form: dict[str, list[dict]] = defaultdict(list)
    for mention in mentions:
        by_form[mention["form"]].append(mention)
        find(mention["form"])
    forms = {mention["text"]: mention["form"] for mention in mentions}
    for abbreviation, long_form in abbreviations.items():
        if abbreviation in by_form and long_form in forms:
            union(forms[long_form], abbreviation)

    persons = [form for form, members in by_form.items()
               if any(mention["label"] == "PER" for mention in members)]
    # A full name the model mislabelled still belongs to the person whose surname it ends with
    # ("Kassym-Jomart Tokajew" as LOC beside "Tokajew" as PER); the vote then fixes its label.
    surnames = {form.split()[-1] for form in persons}
    full_names = [form for form in by_form if _is_full_name(form)
                  and (form in persons or form.split()[-1] in surnames)]
    for one, other in itertools.combinations(full_names, 2):
        if _same_person(one, other):
            union(one, other)
    for partial in persons:
        words = partial.split()
        wholes = {find(full) for full in full_names if full != partial
                  and len(full.split()) > len(words) and full.split()[-len(words):] == words}
        if len(wholes) == 1:
            union(partial, wholes.pop())

    groups: dict[str, list[dict]] = defaultdict(list)
    for mention in mentions:
        groups[find(mention["form"])].append(mention)
    return list(groups.values())


def _is_full_name(form: str) -> bool:
    """Given name(s) and surname: more than one word, the first capitalised ("von der Leyen"
    alone is a surname)."""
    words = form.split()
    return len(words) > 1 and words[0][:1].isupper()


def _surname(full_name: str) -> str:
    """The surname of a full name, with its particles: "Ursula von der Leyen" -> "von der
    Leyen"."""
    words = full_name.split()
    particle = next((number for number, word in enumerate(words[1:], 1) if word[:1].islower()),
                    len(words) - 1)
    return " ".join(words[particle:])


def _same_person(one: str, other: str) -> bool:
    """Two full names with one surname whose given names are one spelt two ways or abridged."""
    *given_one, surname_one = one.split()
    *given_other, surname_other = other.split()
    if surname_one != surname_other:
        return False
    first, second = " ".join(given_one), " ".join(given_other)
    shorter, longer = sorted((first, second), key=len)
    if re.match(rf"{re.escape(shorter)}(?=[ -]|$)", longer):
        return True
    return difflib.SequenceMatcher(None, first, second).ratio() >= GIVEN_NAME_SIMILARITY


def _vote(members: list[dict]) -> str:
    """The entity's label: most model votes, then the longest mention's, then the earliest.

    A mention votes once per word: the model saw more of the name in "Wolfgang Sobotka" than in
    "Sobotka", and a defined long form outweighs its abbreviation.
    """
    voters = [mention for mention in members if not mention["added"]] or members
    votes: Counter = Counter()
    for mention in voters:
        votes[mention["label"]] += len(mention["text"].split())
    longest = {label: max(len(m["text"]) for m in voters if m["label"] == label)
               for label in votes}
    earliest = {label: min(m["start_char"] for m in voters if m["label"] == label)
                for label in votes}
    return max(votes, key=lambda label: (votes[label], longest[label], -earliest[label]))


def _canonical_name(members: list[dict], label: str, abbreviations: dict[str, str]) -> str:
    forms = Counter(mention["form"] for mention in members)
    defined = sorted(form for form in forms if form in abbreviations)
    if defined:
        return defined[0]
    first_seen = {}
    for mention in members:
        first_seen.setdefault(mention["form"], mention["start_char"])
    full_names = [form for form in forms if _is_full_name(form)]
    candidates = full_names if label == "PER" and full_names else list(forms)
    return min(candidates, key=lambda form: (-forms[form], len(form), first_seen[form]))


class EntityIndex:
    """Entities and same-sentence co-occurrences over a stream of normalised articles.

    Holds one record per entity and one counter pair per entity pair, never the mentions, so
    memory grows with the number of entities and pairs, not with the corpus.
    """

    def __init__(self) -> None:
        self._entities: dict[str, dict] = {}
        self._pairs: dict[tuple[str, str], list[int]] = {}

    def add(self, doc_id: str, date: str | None, mentions: list[dict]) -> None:
        """Count one article's mentions (as returned by ``normalize_article``)."""
        in_sentence: dict[int, set[str]] = defaultdict(set)
        for mention in mentions:
            entity = self._entities.setdefault(mention["entity_id"], {
                "entity_id": mention["entity_id"], "name": mention["name"],
                "label": mention["label"], "mentions": 0, "documents": 0, "variants": set(),
                "first_date": None, "last_date": None})
            entity["mentions"] += 1
            entity["variants"].add(mention["text"])
            in_sentence[mention["sentence"]].add(mention["entity_id"])
        for identifier in {mention["entity_id"] for mention in mentions}:
            entity = self._entities[identifier]
            entity["documents"] += 1
            if date:
                entity["first_date"] = min(filter(None, (entity["first_date"], date)))
                entity["last_date"] = max(filter(None, (entity["last_date"], date)))
        pairs_in_article = set()
        for identifiers in in_sentence.values():
            for pair in itertools.combinations(sorted(identifiers), 2):
                self._pairs.setdefault(pair, [0, 0])[0] += 1
                pairs_in_article.add(pair)
        for pair in pairs_in_article:
            self._pairs[pair][1] += 1
        logger.debug("indexed %s: %d mentions, %d pairs", doc_id, len(mentions),
                     len(pairs_in_article))

    def entity_rows(self) -> list[dict]:
        """One row per entity, most mentioned first; variants joined with " | "."""
        rows = [{**entity, "variants": " | ".join(sorted(entity["variants"]))}
                for entity in self._entities.values()]
        return sorted(rows, key=lambda row: (-row["mentions"], row["name"], row["entity_id"]))

    def cooccurrence_rows(self) -> list[dict]:
        """One row per entity pair seen in one sentence (ids in order), most frequent first."""
        rows = [{"entity_id_a": a, "name_a": self._entities[a]["name"],
                 "entity_id_b": b, "name_b": self._entities[b]["name"],
                 "sentences": sentences, "documents": documents}
                for (a, b), (sentences, documents) in self._pairs.items()]
        return sorted(rows, key=lambda row: (-row["sentences"], -row["documents"],
                                             row["entity_id_a"], row["entity_id_b"]))
