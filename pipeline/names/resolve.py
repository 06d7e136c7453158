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
   genitive or plural ("SPÖ"/"SPÖs"), a weak noun and its -n plural in two articles each
   ("Grüne"/"Grünen"), and a name in two articles or more and its genitive when the genitive
   is the rarer form (never "Reuters" -> "Reuter"; not one article's "Airline" and another's
   "Airlines").
   An acronym and the same letters capitalised ("NEOS"/"Neos") are one name (``spelling``).
4. Full names of persons: one given name abridged from another under one surname ("Hans Peter
   Doskozil"/"Hans Doskozil") when each has no other such partner (``spelling``).
5. Lone surnames and partial names ("Hofer", "Van der Bellen"), article by article. The
   candidates are the corpus's full names with that surname (that look like a person's, the
   summary's ``personal``, and have ``rules.MIN_MENTIONS`` mentions; a word that is a given
   name in the corpus, "Martin", or an acronym is no surname). A candidate is related to the
   article when they share ``MIN_SHARED_NAMES`` names: of the names its own articles carry (a
   sample of ``CONTEXT_SAMPLE``), other than those in more than ``FREQUENT_SHARE`` of all
   articles ("Wien", "APA"); one shared name ("Graz") linked a footballer to a club manager.
   So "Frau Schneider, seine Sekretärin" in a novel stays apart from Robert Schneider of the
   Focus, and the archangel Gabriel from Sigmar Gabriel. The lone surname
   links to the one related candidate (``surname-in-corpus``), or to the related one with
   ``DOMINANCE`` times the mentions of any other: within ``DATE_WINDOW_DAYS`` of a dated
   article (``surname-near-date``), in the whole corpus for an undated one
   (``surname-dominant``).
   With no candidate in the corpus, all articles' "Messi" are one entity (``same-name``);
   with candidates but no such evidence, each article's "Müller" stays its own entity, with
   the article-scoped id it had (``ambiguous-surname``).

Ids: ``entity_id(label, name)``, the same hash as within an article, so a name gets the same id
in every run; an ambiguous surname adds its article's id, as before this step.
"""

from __future__ import annotations

import datetime
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .article import entity_id
from .persons import is_full_name
from .rules import (PERSON, Graph, Key, link_abbreviations, link_full_names, link_inflections,
                    link_surnames, long_form_key)

REASONS = ("same-name", "label-vote", "abbreviation", "inflection", "spelling",
           "surname-in-corpus", "surname-near-date", "surname-dominant", "ambiguous-surname")
OUTVOTED = 3
MIN_ARTICLES_TO_RELABEL = 5
DOMINANCE = 3.0
DATE_WINDOW_DAYS = 30
CONTEXT_SAMPLE = 256
MIN_SHARED_NAMES = 2
FREQUENT_SHARE = 0.05
FREQUENT_MIN_ARTICLES = 10


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
    dates: dict = field(default_factory=dict)  # date -> mentions (a dict: made 50,000 times)

    def add(self, other: _Counts, sign: int = 1) -> None:
        self.votes += sign * other.votes
        self.documents += sign * other.documents
        self.mentions += sign * other.mentions
        self.personal = self.personal and other.personal
        for date, mentions in other.dates.items():
            self.dates[date] = self.dates.get(date, 0) + sign * mentions


def resolve(articles: Iterable[tuple[str, str | None, list[dict]]]) -> Resolution:
    """Resolve the (doc_id, date, entity summaries) of every article, read once in any order;
    ``Resolution.link`` then gives each article entity its corpus entity."""
    names: dict[Key, _Counts] = defaultdict(_Counts)
    definers: dict[Key, tuple[str, str, str, _Counts]] = {}
    dates: dict[str, datetime.date | None] = {}
    contexts: dict[str, frozenset[str]] = {}  # PER full name -> names of its articles (sample)
    for doc_id, date, summary in articles:
        dates[doc_id] = _date(date)
        context = {entity["name"] for entity in summary}
        for entity in summary:
            counts = _counts(entity, dates[doc_id])
            names[(entity["name"], entity["label"])].add(counts)
            if counts.dates:
                contexts[entity["name"]] = _sample(
                    contexts.get(entity["name"], frozenset()) | (context - {entity["name"]}))
            if entity["long_form"]:
                definers[(doc_id, entity["entity_id"])] = (
                    entity["name"], entity["label"], entity["long_form"], counts)
    definitions: dict[str, dict[str, str]] = defaultdict(dict)  # abbreviation -> key -> form
    for abbreviation, _, long_form, _ in definers.values():
        key = long_form_key(long_form)
        known = definitions[abbreviation].get(key, long_form)
        definitions[abbreviation][key] = min(long_form, known)
    renamed = {}
    for key, (abbreviation, label, long_form, counts) in sorted(definers.items()):
        if len(definitions[abbreviation]) > 1:  # rule 2: it goes by the long form it defines
            renamed[key] = long_form
            names[(abbreviation, label)].add(counts, -1)
            names[(long_form, label)].add(counts)
    graph = Graph(*_nodes({key: value for key, value in names.items() if value.documents}))
    graph.contexts = contexts
    link_abbreviations(graph, {abbreviation: min(long_forms.values()) for abbreviation,
                               long_forms in definitions.items() if len(long_forms) == 1})
    link_inflections(graph)
    link_full_names(graph)
    link_surnames(graph)
    return Resolution(graph, renamed, dates)


def _sample(names: frozenset[str] | set[str]) -> frozenset[str]:
    """At most ``CONTEXT_SAMPLE`` of the names, the same whatever the order they came in (the
    smallest by a stable hash, so the sample of a union is the sample of the samples)."""
    if len(names) <= CONTEXT_SAMPLE:
        return frozenset(names)
    return frozenset(sorted(names, key=lambda name: (zlib.crc32(name.encode()), name))
                     [:CONTEXT_SAMPLE])


def _counts(entity: dict, date: datetime.date | None) -> _Counts:
    counts = _Counts(entity["votes"].get(entity["label"], 0), 1, entity["mentions"],
                     bool(entity["personal"]))
    if entity["label"] == PERSON and is_full_name(entity["name"]):
        counts.dates[date] = entity["mentions"]
    return counts


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


class Resolution:
    """The corpus entities: a link for every article entity that was resolved."""

    def __init__(self, graph: Graph, renamed: dict[Key, str],
                 dates: dict[str, datetime.date | None]):
        self._graph, self._renamed, self._dates = graph, renamed, dates
        adjacent: dict[Key, list[tuple[Key, str]]] = defaultdict(list)
        for one, other, reason in sorted(graph.edges):
            adjacent[one].append((other, reason))
            adjacent[other].append((one, reason))
        self._links: dict[Key, Link] = {}  # cluster root -> its entity
        self._reasons: dict[Key, str] = {}  # node -> how it joined its cluster
        self._dates_of: dict[Key, Counter] = {}  # cluster root -> PER mentions by date
        self._context_of: dict[Key, frozenset[str]] = {}  # cluster root -> names beside it
        documents: Counter = Counter()
        for (name, _), counts in graph.nodes.items():
            documents[name] += counts.documents
        articles = max(len(dates) * FREQUENT_SHARE, FREQUENT_MIN_ARTICLES)
        self._frequent = {name for name, count in documents.items() if count > articles}
        clusters = graph.clusters()
        for root, members in clusters.items():
            canonical = graph.canonical(members)
            label = _winner(members, graph.nodes, canonical[1])
            self._links[root] = Link(entity_id(label, canonical[0]), canonical[0], label,
                                     "same-name")
            self._reasons.update(_reasons(canonical, adjacent))
        for root in {graph.find(full) for fulls in graph.shared.values() for full in fulls}:
            self._dates_of[root] = Counter()  # only the full names a lone surname may be
            for key in clusters[root]:
                self._dates_of[root].update(graph.nodes[key].dates)
            self._context_of[root] = frozenset().union(
                *(graph.contexts.get(name, frozenset()) for name, _ in clusters[root]))

    def link(self, doc_id: str, entity: dict, summary: list[dict]) -> Link:
        """The corpus entity of one of an article's entities; ``summary`` is all of the
        article's entities (as resolved), the context of a lone surname."""
        key = (doc_id, entity["entity_id"])
        node = self._graph.node_of[(self._renamed.get(key, entity["name"]), entity["label"])]
        if node in self._graph.shared:
            return self._surname(node, entity, summary, self._dates.get(doc_id))
        link = self._links[self._graph.find(node)]
        return _because(link, _reason(self._reasons[node], key in self._renamed,
                                      entity["label"] != link.label))

    def mentions(self, doc_id: str, mentions: list[dict], summary: list[dict]) -> list[dict]:
        """An article's mentions with their corpus entity (``entity_id``, ``name``, ``label``),
        the reason (``link``: how the mention joined its entity in the article while the
        corpus keeps that entity's name, else the corpus reason) and the article's own id
        (``article_entity_id``), by which an analyst can undo the corpus step."""
        by_id = {entity["entity_id"]: entity for entity in summary}
        links: dict[str, Link] = {}
        named = []
        for mention in mentions:
            article_id = mention["entity_id"]
            if article_id not in links:
                links[article_id] = self.link(doc_id, by_id[article_id], summary)
            link = links[article_id]
            named.append({**mention, "entity_id": link.entity_id, "name": link.name,
                          "label": link.label, "article_entity_id": article_id,
                          "link": mention["link"] if link.reason == "same-name" else link.reason})
        return named

    def _surname(self, node: Key, entity: dict, summary: list[dict],
                 date: datetime.date | None) -> Link:
        """Rule 5 in one article: the related candidate, or the dominant related one."""
        context = {item["name"] for item in summary} - {entity["name"]} - self._frequent
        related = sorted(root for root in {self._graph.find(full)
                                           for full in self._graph.shared[node]}
                         if len(context & self._context_of[root]) >= MIN_SHARED_NAMES)
        if len(related) == 1:
            return _because(self._links[related[0]], "surname-in-corpus")
        counts = sorted((_mentions_near(self._dates_of[root], date), root) for root in related)
        (second, _), (first, target) = ([(0, None), (0, None)] + counts)[-2:]
        if first > 0 and first >= DOMINANCE * second:
            return _because(self._links[target],
                            "surname-near-date" if date else "surname-dominant")
        identifier = entity["entity_id"] if entity["label"] == PERSON else entity_id(
            PERSON, entity["name"], entity["entity_id"])  # an article's own, as a person
        return Link(identifier, entity["name"], PERSON, "ambiguous-surname")


def _because(link: Link, reason: str) -> Link:
    """The link with another reason (``dataclasses.replace`` is slow, and this runs for every
    article entity)."""
    return Link(link.entity_id, link.name, link.label, reason)


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
