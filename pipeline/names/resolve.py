"""The corpus step: one entity per real-world name across all articles of a run.

Input: per article, the summary of its entities that the normalize stage stores in the shard
(``article.analyse_article``). Output: for every (doc_id, article entity id), the corpus entity
(id, name, label) and the reason of the link. A pure function of the summaries: the same
articles in any order give the same result, so reruns are byte-identical to fresh runs. Memory
and time grow with the number of article entities, never with mentions.

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
   corpus, "Martin", or an acronym is no surname) (``surname-in-corpus``), or to the full name that has
   ``DOMINANCE`` times the mentions of any other: within ``DATE_WINDOW_DAYS`` of a dated
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
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Link:
    """The corpus entity an article entity belongs to, and why."""

    entity_id: str
    name: str
    label: str
    reason: str


@dataclass
class _Node:
    """A candidate entity: one (name, label) over the corpus, with its weight in votes."""

    name: str
    label: str
    members: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, article entity id)
    votes: Counter = field(default_factory=Counter)
    mentions: int = 0
    dates: list[tuple[str, int]] = field(default_factory=list)  # (doc_id, mentions) per article


def resolve(articles: Iterable[tuple[str, str | None, list[dict]]]) -> dict[tuple[str, str], Link]:
    """Map (doc_id, article entity id) -> ``Link`` for (doc_id, date, entities) summaries."""
    articles = sorted(articles, key=lambda article: article[0])
    entities = {(doc_id, entity["entity_id"]): entity
                for doc_id, _, summary in articles for entity in summary}
    dates = {doc_id: _date(date) for doc_id, date, _ in articles}
    definitions = _definitions(entities)
    renamed = {key: entity["long_form"] for key, entity in entities.items()
               if entity["long_form"] and len(definitions[entity["name"]]) > 1}
    graph = _Graph(_nodes(entities, renamed))
    _link_abbreviations(graph, definitions)
    _link_inflections(graph)
    _link_full_names(graph)
    _link_surnames(graph, entities, dates)
    return graph.links(entities, renamed)


def _definitions(entities: dict[tuple[str, str], dict]) -> dict[str, set[str]]:
    """Abbreviation -> the keys (``_long_form_key``) of the long forms articles define it by."""
    definitions: dict[str, set[str]] = defaultdict(set)
    for entity in entities.values():
        if entity["long_form"]:
            definitions[entity["name"]].add(_long_form_key(entity["long_form"]))
    return definitions


def _long_form_key(name: str) -> str:
    """What long forms compare by: ``corpus_key`` without case, hyphens and a genitive ending,
    since definitions stand in any case ("des Deutschen Fußball-Bundes (DFB)")."""
    return re.sub(r"e?s$", "", corpus_key(name).replace("-", "").lower())


def _nodes(entities: dict[tuple[str, str], dict], renamed: dict[tuple[str, str], str]):
    """Rule 1: the candidate entities, by (name, label). An article entity that defines an
    ambiguous abbreviation goes by the long form it defines (rule 2)."""
    by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in sorted(entities):
        by_name[renamed.get(key, entities[key]["name"])].append(key)
    nodes: dict[tuple[str, str], _Node] = {}
    for name, keys in sorted(by_name.items()):
        votes: Counter = Counter()  # each article's votes for the label it decided on
        documents: dict[str, set[str]] = defaultdict(set)
        for key in keys:
            label = entities[key]["label"]
            votes[label] += entities[key]["votes"].get(label, 0)
            documents[label].add(key[0])
        winner = min(documents, key=lambda label: (-votes[label], -len(documents[label]),
                                                   label))
        supported = {label for label in documents if label == winner or (
            votes[winner] < OUTVOTED * votes[label] or len(documents[winner]) < max(
                OUTVOTED * len(documents[label]), MIN_ARTICLES_TO_RELABEL))}
        for key in keys:
            label = entities[key]["label"]
            node = nodes.setdefault((name, label if label in supported else winner),
                                    _Node(name, label if label in supported else winner))
            node.members.append(key)
            node.votes[node.label] += entities[key]["votes"].get(entities[key]["label"], 0)
            node.mentions += entities[key]["mentions"]
            node.dates.append((key[0], entities[key]["mentions"]))
    return nodes


class _Graph:
    """Union-find over candidate entities, remembering why two were joined."""

    def __init__(self, nodes: dict[tuple[str, str], _Node]):
        self.nodes = nodes
        self.parent = {key: key for key in nodes}
        self.edges: list[tuple[tuple[str, str], tuple[str, str], str]] = []
        self.inflected: set[tuple[str, str]] = set()  # never the name of their cluster
        self.surname_links: dict[tuple[str, str], tuple[tuple[str, str], str]] = {}

    def find(self, key: tuple[str, str]) -> tuple[str, str]:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, one: tuple[str, str], other: tuple[str, str], reason: str) -> None:
        first, second = sorted((self.find(one), self.find(other)))
        if first != second:
            self.parent[second] = first
            self.edges.append((one, other, reason))

    def clusters(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        clusters: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for key in sorted(self.nodes):
            clusters[self.find(key)].append(key)
        return clusters

    def links(self, entities: dict[tuple[str, str], dict],
              renamed: dict[tuple[str, str], str]) -> dict[tuple[str, str], Link]:
        """The final link of every article entity."""
        result = {}
        adjacent: dict[tuple[str, str], list[tuple[tuple[str, str], str]]] = defaultdict(list)
        for one, other, reason in sorted(self.edges):
            adjacent[one].append((other, reason))
            adjacent[other].append((one, reason))
        for members in self.clusters().values():
            canonical = self._canonical(members)
            name = self.nodes[canonical].name
            votes = self.nodes[canonical].votes if len(members) == 1 else sum(
                (self.nodes[key].votes for key in members), Counter())
            label = _winner(votes, self.nodes[canonical].label)
            identifier = entity_id(label, name)
            reasons = _reasons(canonical, adjacent)
            for member in members:
                for key in self.nodes[member].members:
                    result[key] = Link(identifier, name, label, _reason(
                        reasons[member], key in renamed, entities[key]["label"] != label))
        for key, (target, reason) in self.surname_links.items():
            if target is None:  # an ambiguous surname keeps its article's own id
                result[key] = Link(entities[key]["entity_id"], entities[key]["name"], PERSON,
                                   reason)
            else:
                link = result[self.nodes[target].members[0]]
                result[key] = Link(link.entity_id, link.name, link.label, reason)
        return result

    def _canonical(self, members: list[tuple[str, str]]) -> tuple[str, str]:
        """The member whose name the cluster takes: PER full names first, then uninflected
        names ("Grüne", "Niederlande", not "Grünen", "Niederlanden"), then most mentions, then
        the shorter and the first name in order."""
        return min(members, key=lambda key: (
            not (key[1] == PERSON and is_full_name(key[0])), key in self.inflected,
            -self.nodes[key].mentions, len(key[0]), key))



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


def _uninflected(name: str, label: str, names: set, nodes: dict) -> tuple[str, str] | None:
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


def _link_surnames(graph: _Graph, entities: dict, dates: dict) -> None:
    """Rule 5: lone surnames and partial names to the full name they belong to."""
    full_names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    given_names: set[str] = set()
    for key in sorted(graph.nodes):
        if key[1] == PERSON and is_full_name(key[0]):
            given_names.add(key[0].split()[0])
            if all(entities[member]["personal"] for member in graph.nodes[key].members):
                full_names[key[0].rsplit(" ", 1)[-1]].append(key)
    clusters = graph.clusters()
    mentions = {root: sum(graph.nodes[member].mentions for member in members)
                for root, members in clusters.items()}
    shared = []
    for key in sorted(graph.nodes):
        name, label = key
        if label != PERSON or is_full_name(name) or name in given_names or name.isupper():
            continue
        candidates = {graph.find(full) for full in full_names.get(name.rsplit(" ", 1)[-1], [])
                      if ends_with(full[0], name) and mentions[graph.find(full)] >= MIN_MENTIONS}
        if len(candidates) == 1:
            graph.union(candidates.pop(), key, "surname-in-corpus")
        elif candidates:
            shared.append((key, candidates))
    clusters = graph.clusters() if shared else {}
    for key, candidates in shared:
        _link_by_date(graph, key, sorted({graph.find(root) for root in candidates}), clusters,
                      dates)


def _link_by_date(graph: _Graph, key: tuple[str, str], candidates: list, clusters: dict,
                  dates: dict) -> None:
    """Rule 5 for a surname that several full names share: article by article."""
    for doc_id, _ in graph.nodes[key].dates:
        article_key = next(member for member in graph.nodes[key].members
                           if member[0] == doc_id)
        date = dates.get(doc_id)
        counts = sorted((_mentions_near(graph, clusters[root], dates, date), root)
                        for root in candidates)
        (second, _), (first, target) = ([(0, None)] + counts)[-2:]
        if first > 0 and first >= DOMINANCE * second:
            reason = "surname-near-date" if date else "surname-dominant"
            graph.surname_links[article_key] = (target, reason)
        else:
            graph.surname_links[article_key] = (None, "ambiguous-surname")


def _mentions_near(graph: _Graph, members: list, dates: dict, date) -> int:
    """Mentions of a cluster in the articles within ``DATE_WINDOW_DAYS`` of ``date``, or in
    all articles when ``date`` is None (an undated article)."""
    return sum(mentions for member in members for doc_id, mentions in graph.nodes[member].dates
               if date is None or dates.get(doc_id) and abs(
                   (dates[doc_id] - date).days) <= DATE_WINDOW_DAYS)


def _winner(votes: Counter, default: str) -> str:
    return min(votes, key=lambda label: (-votes[label], label)) if votes else default


def _date(value: str | None) -> datetime.date | None:
    """The article's date (YYYY-MM or YYYY-MM-DD; a month counts as its first day)."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value if len(value) > 7 else value + "-01")
    except ValueError:
        return None
