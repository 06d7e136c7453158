"""Linking within an article: which mentions are one entity, its label and its name.

* Equal uninflected forms merge; an abbreviation defined in the article ("... kollektive
  Sicherheit (ODKB)") merges with its long form; PER full names that share a surname and have
  near-identical given names merge (Kassym-Jomart / Kassym-Schomart Tokajew); a partial PER name
  (Tokajew, von der Leyen, De Maizière) merges with the one full name it ends, and so does one
  the model labelled otherwise, if the full name came first ("Norbert Hofer" ... "Hofer" ORG).
* Label: the model's labels vote over the whole entity, one vote per word of a mention (added
  and overruled mentions do not vote); a tie goes to the label of the longest mention, then
  the earliest.
* Canonical name: a defined abbreviation wins (articles mostly use it, it does not inflect, so
  it joins best across articles; the long form stays among the variants); otherwise a club's
  name ("SV Grödig"); otherwise the most frequent PER full name; otherwise the most frequent
  uninflected form (ties: the shorter, then the earlier).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator

from .persons import (ends_with, is_club, is_full_name, is_personal_name, same_person,
                      surname_key)


def link(mentions: list[dict], abbreviations: dict[str, str]) -> list[list[dict]]:
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
    surnames = {surname_key(form) for form in persons}
    full_names = [form for form in by_form if is_full_name(form)
                  and (form in persons or surname_key(form) in surnames)]
    for one, other in itertools.combinations(full_names, 2):
        if same_person(one, other):
            union(one, other)
    for partial in persons:
        wholes = {find(full) for full in full_names if ends_with(full, partial)}
        if len(wholes) == 1:
            union(partial, wholes.pop())
    person_names = [form for form in full_names if form in persons and is_personal_name(form)]
    for form, wholes in _surnames_labelled_otherwise(by_form, person_names):
        roots = {find(full) for full in wholes}
        if len(roots) == 1:
            union(form, roots.pop())
            for mention in by_form[form]:
                mention["overruled"] = True

    groups: dict[str, list[dict]] = defaultdict(list)
    for mention in mentions:
        groups[find(mention["form"])].append(mention)
    return list(groups.values())


def _surnames_labelled_otherwise(by_form: dict[str, list[dict]], person_names: list[str]
                                 ) -> Iterator[tuple[str, list[str]]]:
    """Forms the model never labelled PER that end a PER full name seen earlier in the article
    whose given names look like a person's (``is_personal_name``: not "SK Sturm Graz"), with
    those full names ("Norbert Hofer" PER, then "Hofer" ORG: also a supermarket chain).
    ``link`` joins such a form to the person when the full names are one person; the form then
    has no vote on the label (``_voters``), or three such slips would outvote the full name."""
    first_start = {form: members[0]["start_char"] for form, members in by_form.items()}
    for form, members in by_form.items():
        if any(mention["label"] == "PER" for mention in members):
            continue
        wholes = [full for full in person_names
                  if ends_with(full, form) and first_start[full] < first_start[form]]
        if wholes:
            yield form, wholes


def _voters(members: list[dict]) -> list[dict]:
    """The mentions whose model label counts: not added by recall, not overruled by ``link``."""
    return [mention for mention in members
            if not mention["added"] and not mention.get("overruled")] or members


def label_votes(members: list[dict]) -> Counter:
    """The model's votes per label: one per word of each mention that votes (``_voters``)."""
    voters = _voters(members)
    votes: Counter = Counter()
    for mention in voters:
        votes[mention["label"]] += len(mention["text"].split())
    return votes


def vote(members: list[dict], votes: Counter) -> str:
    """The entity's label: most model votes (``label_votes``), then the longest mention's,
    then the earliest.

    A mention votes once per word: the model saw more of the name in "Wolfgang Sobotka" than in
    "Sobotka", and a defined long form outweighs its abbreviation.
    """
    if len(votes) == 1:
        return next(iter(votes))
    voters = _voters(members)
    longest = {label: max(len(m["text"]) for m in voters if m["label"] == label)
               for label in votes}
    earliest = {label: min(m["start_char"] for m in voters if m["label"] == label)
                for label in votes}
    return max(votes, key=lambda label: (votes[label], longest[label], -earliest[label]))


def canonical_name(members: list[dict], label: str, abbreviations: dict[str, str]) -> str:
    """The entity's name within the article (see the module docstring)."""
    forms = Counter(mention["form"] for mention in members)
    defined = sorted(form for form in forms if form in abbreviations)
    if defined:
        return defined[0]
    first_seen = {}
    for mention in members:
        first_seen.setdefault(mention["form"], mention["start_char"])
    full_names = [form for form in forms if is_full_name(form)]
    clubs = [form for form in forms if is_club(form)]
    candidates = clubs or (full_names if label == "PER" and full_names else list(forms))
    return min(candidates, key=lambda form: (-forms[form], len(form), first_seen[form]))
