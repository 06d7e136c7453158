"""Entities and same-sentence co-occurrences over a stream of normalised articles."""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict

from .text import clean

logger = logging.getLogger(__name__)


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
            entity["variants"].add(" ".join(clean(mention["text"]).split()))
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
