"""The corpus step: one entity per real-world name across all articles of a run.

Input: per article, the summary of its entities that the normalize stage stores in the shard
(``article.analyse_article``), read once. Output: a ``Resolution`` whose ``link(doc_id,
entity)`` gives each article entity its corpus entity (id, name, label) and the reason of the
link. A pure function of the summaries: the same articles in any order give the same result,
so reruns are byte-identical to fresh runs. Memory grows with the distinct names (counts per
name and label, PER mentions per date) and the articles' dates, never with the mentions; time
with the article entities.

The rules, in order (the reasons in ``REASONS``):

1. Names and labels. Article entities with one canonical name are one candidate entity. Its
   label is the corpus-wide vote (each article's votes for the label its own vote chose,
   weighted as within an article: one per word of a mention the model found); an article whose
   entity got another label joins it (``label-vote``) when the winning label has ``OUTVOTED``
   times its votes and its articles, and ``MIN_ARTICLES_TO_RELABEL`` articles at least
   ("Spanien" as PER in one article, LOC in twenty); otherwise each label keeps its own
   entity, since one article against a few is no evidence with a model this often wrong
   about clubs and foreign names ("Dieter Hecking" PER in one, LOC in another; "LASK" ORG in
   one, LOC in three; "Hofer" the supermarket chain beside "Hofer" the person).
2. Abbreviations. An abbreviation links to its long form when some article defines it and no
   article defines it otherwise: "EU" -> "Europäische Union" everywhere. When articles define
   it differently ("IWF": Internationaler Währungsfonds, Internet Watch Foundation), each
   defining article's entity joins the long form it defines and is named by it; where the
   abbreviation stands undefined it stays an entity of its own, since nothing says which.
3. Inflection (organisations and places). Names equal but for the endings of the adjectives
   before the head ("Internationaler/Internationale Währungsfonds"), an acronym and its
   genitive or plural ("SPÖ"/"SPÖs"), a weak noun and its -n plural ("Grüne"/"Grünen"), and
   a name and its genitive when the genitive is the rarer form (never "Reuters" -> "Reuter").
   An acronym and the same letters capitalised ("NEOS"/"Neos") are one name (``spelling``).
4. Full names of persons: one given name abridged from another under one surname ("Hans Peter
   Doskozil"/"Hans Doskozil") when each has no other such partner (``spelling``).
5. Lone surnames and partial names ("Hofer", "Van der Bellen"): linked to the one full name of
   the corpus with that surname (a full name that looks like a person's, the summary's
   ``personal``, mentioned ``MIN_MENTIONS`` times; a word that is a given name in the
   corpus, "Martin", or an acronym is no surname) (``surname-in-corpus``), or to the full name
   that has ``DOMINANCE`` times the mentions of any other: within ``DATE_WINDOW_DAYS`` of a dated
   article (``surname-near-date``), in the whole corpus for an undated one
   (``surname-dominant``: "Hofer" -> Norbert Hofer, 36 mentions, beside Helmut Hofer, 3).
   With no full name in the corpus, all articles' "Messi" are one entity (``same-name``);
   with several and no such evidence, each article's "Müller" stays its own entity, with the
   article-scoped id it had (``ambiguous-surname``).

Ids: ``entity_id(label, name)``, the same hash as within an article, so a name gets the same id
in every run; an ambiguous surname adds its article's id, as before this step.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .article import entity_id
from .inflection import corpus_key
from .lexicon import country_names
from .persons import ends_with, is_full_name, same_person, surname_key

REASONS = ("same-name", "label-vote", "abbreviation", "inflection", "spelling",
           "surname-in-corpus", "surname-near-date", "surname-dominant", "ambiguous-surname")
OUTVOTED = 3
MIN_ARTICLES_TO_RELABEL = 5
DOMINANCE = 3.0
MIN_MENTIONS = 2
DATE_WINDOW_DAYS = 30
PERSON = "PER"
Key = tuple[str, str]  # a candidate entity: (name, label)


@dataclass(frozen=True)
class Link:
    """The corpus entity an article entity belongs to, and why."""

    entity_id: str
    name: str
    label: str
    reason: str


@dataclass
class _Counts:
    """What the corpus says about one name with one label: the articles' votes (for the label
    each article chose), articles, mentions, whether every article's full name looks like a
    person's, and for PER full names the mentions per article date (None: undated)."""

    votes: int = 0
    documents: int = 0
    mentions: int = 0
    personal: bool = True
    dates: Counter = field(default_factory=Counter)

    def add(self, other: _Counts, sign: int = 1) -> None:
        self.votes += sign * other.votes
        self.documents += sign * other.documents
        self.mentions += sign * other.mentions
        self.personal = self.personal and other.personal
        for date, mentions in other.dates.items():
            self.dates[date] += sign * mentions


def resolve(articles: Iterable[tuple[str, str | None, list[dict]]]) -> Resolution:
    """Resolve the (doc_id, date, entity summaries) of every article, read once in any order;
    ``Resolution.link`` then gives each article entity its corpus entity."""
    names: dict[Key, _Counts] = defaultdict(_Counts)
    definers: dict[Key, tuple[str, str, str, _Counts]] = {}
    dates: dict[str, datetime.date | None] = {}
    for doc_id, date, summary in articles:
        dates[doc_id] = _date(date)
        for entity in summary:
            counts = _counts(entity, dates[doc_id])
            names[(entity["name"], entity["label"])].add(counts)
            if entity["long_form"]:
                definers[(doc_id, entity["entity_id"])] = (
                    entity["name"], entity["label"], entity["long_form"], counts)
    definitions: dict[str, set[str]] = defaultdict(set)
    for abbreviation, _, long_form, _ in definers.values():
        definitions[abbreviation].add(_long_form_key(long_form))
    renamed = {}
    for key, (abbreviation, label, long_form, counts) in sorted(definers.items()):
        if len(definitions[abbreviation]) > 1:  # rule 2: it goes by the long form it defines
            renamed[key] = long_form
            names[(abbreviation, label)].add(counts, -1)
            names[(long_form, label)].add(counts)
    graph = _Graph(*_nodes({key: value for key, value in names.items() if value.documents}))
    _link_abbreviations(graph, {abbreviation: keys for abbreviation, keys in definitions.items()
                                if len(keys) == 1})
    _link_inflections(graph)
    _link_full_names(graph)
    _link_surnames(graph)
    return Resolution(graph, renamed, dates)


def _counts(entity: dict, date: datetime.date | None) -> _Counts:
    counts = _Counts(entity["votes"].get(entity["label"], 0), 1, entity["mentions"],
                     bool(entity["personal"]))
    if entity["label"] == PERSON and is_full_name(entity["name"]):
        counts.dates[date] = entity["mentions"]
    return counts


def _long_form_key(name: str) -> str:
    """What long forms compare by: ``corpus_key`` without case, hyphens and a genitive ending,
    since definitions stand in any case ("des Deutschen Fußball-Bundes (DFB)")."""
    return re.sub(r"e?s$", "", corpus_key(name).replace("-", "").lower())


def _nodes(names: dict[Key, _Counts]) -> tuple[dict[Key, _Counts], dict[Key, Key]]:
    """Rule 1: the candidate entities, and the one each (name, label) of the articles is in."""
    by_name: dict[str, dict[str, _Counts]] = defaultdict(dict)
    for (name, label), counts in names.items():
        by_name[name][label] = counts
    nodes: dict[Key, _Counts] = {}
    node_of: dict[Key, Key] = {}
    for name, labels in sorted(by_name.items()):
        winner = min(labels, key=lambda label: (-labels[label].votes,
                                                -labels[label].documents, label))
        for label, counts in sorted(labels.items()):
            outvoted = labels[winner].votes >= OUTVOTED * counts.votes and labels[
                winner].documents >= max(OUTVOTED * counts.documents, MIN_ARTICLES_TO_RELABEL)
            node_of[(name, label)] = (name, winner if outvoted else label)
            nodes.setdefault(node_of[(name, label)], _Counts()).add(counts)
    return nodes, node_of


class _Graph:
    """Union-find over candidate entities, remembering why two were joined."""

    def __init__(self, nodes: dict[Key, _Counts], node_of: dict[Key, Key]):
        self.nodes = nodes
        self.node_of = node_of
        self.parent = {key: key for key in nodes}
        self.edges: list[tuple[Key, Key, str]] = []
        self.inflected: set[Key] = set()  # never the name of their cluster
        self.shared: dict[Key, list[Key]] = {}  # a surname several full names share -> them

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


class Resolution:
    """The corpus entities: a link for every article entity that was resolved."""

    def __init__(self, graph: _Graph, renamed: dict[Key, str],
                 dates: dict[str, datetime.date | None]):
        self._graph, self._renamed, self._dates = graph, renamed, dates
        adjacent: dict[Key, list[tuple[Key, str]]] = defaultdict(list)
        for one, other, reason in sorted(graph.edges):
            adjacent[one].append((other, reason))
            adjacent[other].append((one, reason))
        self._links: dict[Key, Link] = {}  # cluster root -> its entity
        self._reasons: dict[Key, str] = {}  # node -> how it joined its cluster
        self._dates_of: dict[Key, Counter] = {}  # cluster root -> PER mentions by date
        for root, members in graph.clusters().items():
            canonical = graph.canonical(members)
            label = _winner(members, graph.nodes, canonical[1])
            self._links[root] = Link(entity_id(label, canonical[0]), canonical[0], label,
                                     "same-name")
            self._reasons.update(_reasons(canonical, adjacent))
            self._dates_of[root] = sum((graph.nodes[key].dates for key in members), Counter())

    def link(self, doc_id: str, entity: dict) -> Link:
        """The corpus entity of an article's entity (a summary that was resolved)."""
        key = (doc_id, entity["entity_id"])
        node = self._graph.node_of[(self._renamed.get(key, entity["name"]), entity["label"])]
        if node in self._graph.shared:
            return self._by_date(node, entity, self._dates.get(doc_id))
        link = self._links[self._graph.find(node)]
        return replace(link, reason=_reason(self._reasons[node], key in self._renamed,
                                            entity["label"] != link.label))

    def _by_date(self, node: Key, entity: dict, date: datetime.date | None) -> Link:
        """Rule 5 for a surname that several full names share, in one article."""
        counts = sorted((_mentions_near(self._dates_of[root], date), root) for root in
                        {self._graph.find(full) for full in self._graph.shared[node]})
        (second, _), (first, target) = ([(0, None)] + counts)[-2:]
        if first > 0 and first >= DOMINANCE * second:
            return replace(self._links[target],
                           reason="surname-near-date" if date else "surname-dominant")
        return Link(entity["entity_id"], entity["name"], PERSON, "ambiguous-surname")


def _reasons(canonical: tuple[str, str], adjacent: dict) -> dict[tuple[str, str], str]:
    """Each member's reason: the edge by which a walk from the canonical member reaches it
    (the union-find edges form a tree, so the walk is the one path)."""
    reasons = {canonical: "same-name"}
    queue = [canonical]
    while queue:
        current = queue.pop()
        for neighbour, reason in adjacent.get(current, ()):
            if neighbour not in reasons:
                reasons[neighbour] = reason
                queue.append(neighbour)
    return reasons


def _reason(reason: str, renamed: bool, relabelled: bool) -> str:
    """The reason shown for one article entity: how its name changed, else its label."""
    if renamed:
        return "abbreviation"
    return "label-vote" if reason == "same-name" and relabelled else reason


def _link_abbreviations(graph: _Graph, definitions: dict[str, set[str]]) -> None:
    """Rule 2 for abbreviations with one definition in the corpus."""
    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in graph.nodes:
        if key[1] != PERSON:
            by_key[_long_form_key(key[0])].append(key)
    for abbreviation, long_forms in sorted(definitions.items()):
        if len(long_forms) != 1:
            continue
        nodes = sorted(key for key in by_key.get(_long_form_key(abbreviation), [])
                       if key[0] == abbreviation)
        nodes += sorted(by_key.get(next(iter(long_forms)), []))
        for node in nodes[1:]:
            graph.union(nodes[0], node, "abbreviation")


def _link_inflections(graph: _Graph) -> None:
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
        if ending == "n":
            if base[0].endswith("e") and (label == "ORG" or base[0] in country_names()):
                return base
        elif base[0].isupper() or nodes[base].mentions > mentions:
            return base
    return None


def _link_full_names(graph: _Graph) -> None:
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


def _link_surnames(graph: _Graph) -> None:
    """Rule 5: lone surnames and partial names to the full name they belong to."""
    full_names: dict[str, list[Key]] = defaultdict(list)
    given_names: set[str] = set()
    for key in sorted(graph.nodes):
        if key[1] == PERSON and is_full_name(key[0]):
            given_names.add(key[0].split()[0])
            if graph.nodes[key].personal:
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
        if len(candidates) == 1:
            graph.union(candidates[0], key, "surname-in-corpus")
        elif candidates:
            graph.shared[key] = candidates


def _mentions_near(dates: Counter, date: datetime.date | None) -> int:
    """Mentions on the dates within ``DATE_WINDOW_DAYS`` of ``date``; all of them when
    ``date`` is None (an undated article)."""
    return sum(mentions for day, mentions in dates.items() if date is None or (
        day is not None and abs((day - date).days) <= DATE_WINDOW_DAYS))


def _winner(members: list[Key], nodes: dict[Key, _Counts], default: str) -> str:
    """A cluster's label: the one with the most votes over its members."""
    votes: Counter = Counter()
    for name, label in members:
        votes[label] += nodes[(name, label)].votes
    return min(votes, key=lambda label: (-votes[label], label != default, label))


def _date(value: str | None) -> datetime.date | None:
    """The article's date (YYYY-MM or YYYY-MM-DD; a month counts as its first day)."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value if len(value) > 7 else value + "-01")
    except ValueError:
        return None
