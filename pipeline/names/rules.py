"""The rules of the corpus step that join candidate entities (see ``resolve``, rules 2-5).

A candidate entity is a (name, label) over the corpus with its counts; the rules join them in
a union-find (``Graph``) that remembers why, so every link can say its reason.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

from .inflection import corpus_key
from .lexicon import country_names
from .persons import ends_with, is_full_name, same_person, surname_key

MIN_MENTIONS = 2
PERSON = "PER"
Key = tuple[str, str]  # a candidate entity: (name, label)


def long_form_key(name: str) -> str:
    """What long forms compare by: ``corpus_key`` without case, hyphens and a genitive ending,
    since definitions stand in any case ("des Deutschen Fußball-Bundes (DFB)")."""
    return re.sub(r"e?s$", "", corpus_key(name).replace("-", "").lower())


class Graph:
    """Union-find over candidate entities, remembering why two were joined."""

    def __init__(self, nodes: dict, node_of: dict[Key, Key]):
        self.nodes = nodes
        self.node_of = node_of
        self.parent = {key: key for key in nodes}
        self.edges: list[tuple[Key, Key, str]] = []
        self.inflected: set[Key] = set()  # never the name of their cluster
        self.shared: dict[Key, list[Key]] = {}  # a lone surname -> the full names it may be
        self.contexts: dict[str, frozenset[str]] = {}  # PER full name -> names beside it

    def find(self, key: Key) -> Key:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, one: Key, other: Key, reason: str) -> None:
        first, second = sorted((self.find(one), self.find(other)))
        if first != second:
            self.parent[second] = first
            self.edges.append((one, other, reason))

    def clusters(self) -> dict[Key, list[Key]]:
        clusters: dict[Key, list[Key]] = defaultdict(list)
        for key in sorted(self.nodes):
            clusters[self.find(key)].append(key)
        return clusters

    def canonical(self, members: list[Key]) -> Key:
        """The member whose name the cluster takes: PER full names first, then uninflected
        names ("Grüne", "Niederlande", not "Grünen", "Niederlanden"), then most mentions, then
        the shorter and the first name in order."""
        return min(members, key=lambda key: (
            not (key[1] == PERSON and is_full_name(key[0])), key in self.inflected,
            -self.nodes[key].mentions, len(key[0]), key))


def link_abbreviations(graph: Graph, definitions: dict[str, str]) -> None:
    """Rule 2 for abbreviations with one definition in the corpus (abbreviation -> long form),
    where the capitals of the long form's words stand in the abbreviation in order: a
    translated definition ("Demokratische Partei (DS)", the Serbian Demokratska stranka) does
    not make every "Demokratische Partei" of the corpus the DS."""
    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in graph.nodes:
        if key[1] != PERSON:
            by_key[long_form_key(key[0])].append(key)
    for abbreviation, long_form in sorted(definitions.items()):
        if not initials_fit(abbreviation, long_form):
            continue
        nodes = sorted(key for key in by_key.get(long_form_key(abbreviation), [])
                       if key[0] == abbreviation)
        nodes += sorted(by_key.get(long_form_key(long_form), []))
        for node in nodes[1:]:
            graph.union(nodes[0], node, "abbreviation")


def initials_fit(abbreviation: str, long_form: str) -> bool:
    """Whether the initials of the long form's capitalised words are letters of the
    abbreviation in order ("EZB": Europäische Zentralbank; "IWF": Internationaler
    Währungsfonds)."""
    letters = iter(abbreviation.upper())
    return all(any(letter == word[0].upper() for letter in letters)
               for word in long_form.split() if word[:1].isupper())


def link_inflections(graph: Graph) -> None:
    """Rule 3: organisations and places that are one name inflected."""
    names = {key for key in graph.nodes if key[1] != PERSON}
    by_key: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for name, label in sorted(names):
        by_key[(corpus_key(name), label)].append((name, label))
    for group in by_key.values():
        for node in group[1:]:
            graph.union(group[0], node, "inflection")
    for name, label in sorted(names):
        base = _uninflected(name, label, names, graph.nodes)
        if base is not None:
            graph.union(base, (name, label), "inflection")
            graph.inflected.add((name, label))
        capitalised = (name[:1] + name[1:].lower(), label)
        if name.isupper() and len(name) > 2 and capitalised in names:
            graph.union(capitalised, (name, label), "spelling")


def _uninflected(name: str, label: str, names: set, nodes: dict) -> Key | None:
    """The node of the base form of an inflected name, if the corpus has one (rule 3)."""
    mentions = nodes[(name, label)].mentions
    for ending in ("s", "es", "n"):
        base = (name[:-len(ending)], label)
        if not name.endswith(ending) or base not in names or len(base[0]) < 2:
            continue
        if ending == "n":  # both forms established, not a one-off "die Deutschen"
            if base[0].endswith("e") and (label == "ORG" or base[0] in country_names()) and min(
                    nodes[base].documents, nodes[(name, label)].documents) >= 2:
                return base
        elif base[0].isupper() or (nodes[base].mentions > mentions  # the rarer form inflects
                                   and nodes[base].documents >= 2):  # not "Airline(s)"
            return base
    return None


def link_full_names(graph: Graph) -> None:
    """Rule 4: full names of one person spelt two ways, where the pair is unique."""
    by_surname: dict[str, list[str]] = defaultdict(list)
    for name, label in sorted(graph.nodes):
        if label == PERSON and is_full_name(name):
            by_surname[surname_key(name)].append(name)
    for names in by_surname.values():
        partners: dict[str, list[str]] = defaultdict(list)
        for one, other in itertools.combinations(names, 2):
            if same_person(one, other) and (len(one.split()) == len(other.split())
                                            or one in other or other in one):
                partners[one].append(other)
                partners[other].append(one)
        for one, others in sorted(partners.items()):
            if len(others) == 1 and len(partners[others[0]]) == 1 and one < others[0]:
                graph.union((one, PERSON), (others[0], PERSON), "spelling")


def link_surnames(graph: Graph) -> None:
    """Rule 5: lone surnames and partial names to the full name they belong to."""
    full_names: dict[str, list[Key]] = defaultdict(list)
    given_names: set[str] = set()
    other_names = {name for name, label in graph.nodes if label != PERSON}
    for key in sorted(graph.nodes):
        if key[1] == PERSON and is_full_name(key[0]):
            first = key[0].split()[0]
            given_names.add(first)
            # "Admira Wacker Mödling", "Dallas Stars": a club the model took for a person
            if graph.nodes[key].personal and first not in other_names:
                full_names[key[0].rsplit(" ", 1)[-1]].append(key)
    mentions = {root: sum(graph.nodes[member].mentions for member in members)
                for root, members in graph.clusters().items()}
    for key in sorted(graph.nodes):
        name, label = key
        if label != PERSON or is_full_name(name) or name in given_names or name.isupper():
            continue
        candidates = sorted({graph.find(full)
                             for full in full_names.get(name.rsplit(" ", 1)[-1], [])
                             if ends_with(full[0], name)
                             and mentions[graph.find(full)] >= MIN_MENTIONS})
        if candidates:
            graph.shared[key] = candidates
