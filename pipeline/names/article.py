"""The normalize stage: one entity per real-world name within an article, with a stable id.

Raw NER output splits one person or place into many rows ("Kasachstan" / "Kasachstans",
"Tokajew" / "Kassym-Jomart Tokajew") and sweeps in what is no name. ``normalize_article``
works on the cleaned article text (``text``: NFC, no soft hyphens or zero-width characters)
and maps every span back to the original, in this order:

1. Spans (``clean``, ``spans``): cut at sentence ends, punctuation at the edges, lower-case
   words and sentence-initial common words before the name, titles before a person, a noun
   before a place and a common head after a name go; names cut inside their particles are
   completed ("Alexander Van der Bellen"); numbers, dates and lower-case words are dropped;
   the country codes of a results list ("Hermann Maier (AUT)") are places.
2. Recall (``recall``): every other occurrence in the article of a name the model found.
3. Inflection (``inflection``): a case ending is removed only on evidence.
4. Linking, label and canonical name (``link``); a sports club ("SV Grödig",
   ``persons.is_club``) is an organisation.

Ids: ``entity_id(label, canonical name)`` is a hash, so the same canonical name gets the same id
in every run and batch. A PER entity whose name is a single surname (no full name in its
article) is scoped by a hash of the article text within the article; the corpus step
(``resolve``) decides across articles what it belongs to.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict

from .clean import clean_spans
from .inflection import uninflected
from .lexicon import lexicon
from .link import canonical_name, label_votes, link, vote
from .persons import is_club, is_full_name, is_personal_name
from .recall import abbreviations, other_occurrences
from .spans import (in_compound, nations_in_results, split_compound, without_leading_noun,
                    without_titles)
from .text import CleanText

OUTPUT_KEYS = ("start_char", "end_char", "text", "label", "sentence", "name", "entity_id",
               "compound", "link")
# How a mention joined its entity within the article (the shard's "link"):
# exact: its text is the entity's name; inflection: its uninflected form is the name;
# abbreviation: a long form and the abbreviation the article defines for it; same-article: a
# partial name or a spelling variant of the entity's full name in the same article.
ARTICLE_LINKS = ("exact", "inflection", "abbreviation", "same-article")


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
             "entity_id": entity_id(mention["label"], mention["text"]), "compound": False,
             "link": "exact"}
            for mention in sorted(mentions, key=lambda mention: mention["start_char"])]


def normalize_article(text: str, mentions: list[dict],
                      sentences: list[tuple[int, int]]) -> list[dict]:
    """The article's final mentions, each with a canonical ``name`` and ``entity_id``."""
    return analyse_article(text, mentions, sentences)[0]


def analyse_article(text: str, mentions: list[dict],
                    sentences: list[tuple[int, int]]) -> tuple[list[dict], list[dict]]:
    """The article's final mentions and a summary of its entities for the corpus step.

    ``mentions`` are the model's (start_char, end_char, text, label, sentence); ``sentences``
    the (start_char, end_char) of each sentence. The mentions come sorted by start_char, may be
    more, fewer and narrower than the input, and keep ``text[start_char:end_char] ==
    mention["text"]``; the input dicts are not changed. Each entity of the summary is
    ``entity_id, name, label, votes`` (the model's label votes), ``mentions``, ``long_form``
    (the long form of an abbreviation the article defines, else None) and ``personal`` (a PER
    full name that looks like a person's, ``persons.is_personal_name``).
    """
    view = CleanText(text)
    clean_sentences = [view.to_clean(start, end) for start, end in sentences]
    in_clean_text = []
    for mention in mentions:
        start, end = view.to_clean(mention["start_char"], mention["end_char"])
        in_clean_text.append({**mention, "start_char": start, "end_char": end,
                              "text": view.text[start:end]})
    article, defined = _mentions(view.text, in_clean_text, clean_sentences)
    scope = article_scope(text)
    entities = []
    for members in sorted(link(article, defined), key=lambda group: group[0]["start_char"]):
        votes = label_votes(members)
        label = "ORG" if any(is_club(mention["form"]) for mention in members) else vote(
            members, votes)
        name = canonical_name(members, label, defined)
        lone_person = label == "PER" and not is_full_name(name)
        identifier = entity_id(label, name, scope if lone_person else None)
        long_form = next((mention["form"] for mention in members
                          if mention["text"] == defined.get(name)), None)
        for mention in members:
            mention.update(label=label, name=name, entity_id=identifier,
                           link=_article_link(mention, name, defined))
        entities.append({"entity_id": identifier, "name": name, "label": label,
                         "votes": dict(sorted(votes.items())),
                         "mentions": len(members), "long_form": long_form,
                         "personal": label == "PER" and is_personal_name(name)})
    return [_in_original(mention, view) for mention in article], entities


def _mentions(text: str, mentions: list[dict], sentences: list[tuple[int, int]]
              ) -> tuple[list[dict], dict[str, str]]:
    """Steps 1 to 3 of the module docstring on the clean text: the mentions with their
    uninflected ``form`` and ``compound`` flag, and the abbreviations the article defines."""
    starts = [start for start, _ in sentences]
    found = []
    for mention in sorted(mentions, key=lambda mention: mention["start_char"]):
        found.extend(clean_spans(text, mention, starts))
    found = _without_overlaps(found)
    places = lexicon().places | {m["text"] for m in found if m["label"] == "LOC"}
    found = [without_titles(without_leading_noun(mention, places)) for mention in found]
    known = {mention["text"] for mention in found}
    found = nations_in_results(text, [split_compound(mention, known) for mention in found])
    defined = abbreviations(text, found)
    added = other_occurrences(text, found, defined, sentences)
    article = sorted(found + added, key=lambda mention: mention["start_char"])
    # One surface form, one uninflected form: the lemma-table rules depend on the label, so the
    # label the surface form has most often decides.
    labels: dict[str, Counter] = defaultdict(Counter)
    for mention in article:
        labels[mention["text"]][mention["label"]] += 1
    forms = {surface: uninflected(" ".join(surface.split()), votes.most_common(1)[0][0], text)
             for surface, votes in labels.items()}
    for mention in article:
        mention["form"] = forms[mention["text"]]
        mention["compound"] = in_compound(text, mention["start_char"], mention["end_char"])
    return article, defined


def _without_overlaps(mentions: list[dict]) -> list[dict]:
    """Spans widened over a neighbour (a completed particle name) replace it: the longer of
    two overlapping spans stays."""
    kept: list[dict] = []
    for mention in sorted(mentions, key=lambda m: (m["start_char"], -m["end_char"])):
        if kept and mention["start_char"] < kept[-1]["end_char"]:
            if mention["end_char"] - mention["start_char"] > (
                    kept[-1]["end_char"] - kept[-1]["start_char"]):
                kept[-1] = mention
            continue
        kept.append(mention)
    return kept


def _article_link(mention: dict, name: str, defined: dict[str, str]) -> str:
    """How the mention joined its entity in the article (see ``ARTICLE_LINKS``)."""
    if mention["form"] == name:
        return "exact" if mention["text"] == name else "inflection"
    if name in defined or mention["form"] in defined:
        return "abbreviation"
    return "same-article"


def _in_original(mention: dict, view: CleanText) -> dict:
    """The mention with its offsets and text in the original article."""
    start, end = view.to_original(mention["start_char"], mention["end_char"])
    return {**{key: mention[key] for key in OUTPUT_KEYS}, "start_char": start, "end_char": end,
            "text": view.original[start:end]}
