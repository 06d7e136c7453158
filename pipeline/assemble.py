"""Assembling the tables from the stored results of the current inputs.

Only when every article is done are the tables built, from the shards of the *current* inputs,
in fixed orders: documents by ``doc_id``; mentions and tokens by ``doc_id``, then offsets;
entities by mentions, then name; co-occurrences by sentences, then ids; errors by source and
line. Tables are therefore the same bytes whatever the number of workers, and whether the run
was incremental, resumed or from scratch; and they are written as one ``TableSet``, so the
previous tables stay complete until the new ones replace them all.

One pass over the shards writes the per-article tables and fills an ``EntityIndex`` (memory
grows with the entities, not the mentions), from which the entity tables are written at the end.
``StoredArticles`` can be iterated again for a step that needs the whole corpus first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import read
from .mentions import mention_rows
from .names.index import EntityIndex
from .settings import RunSettings
from .store import ShardStore
from .tables import TableSet


@dataclass
class Totals:
    """What the tables hold: articles, tokens, mentions, entities, errors, and which tables."""

    articles: int = 0
    tokens: int = 0
    mentions: int = 0
    entities: int = 0
    errors: list[dict] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


class StoredArticles:
    """The analysed articles of the current inputs with their shards, in ``doc_id`` order.

    Each pass reads the shards from the store again, one at a time, so memory stays flat. A
    shard that vanished (deleted while the run went on) is skipped and becomes an errors row.
    """

    def __init__(self, store: ShardStore, documents: list[dict], failed: set[str]):
        self.store = store
        self.documents = sorted((meta for meta in documents if meta["key"] not in failed),
                                key=lambda meta: meta["doc_id"])
        self.missing: dict[str, dict] = {}

    def __iter__(self) -> Iterator[tuple[dict, dict]]:
        for meta in self.documents:
            shard = self.store.load(meta["key"])
            if shard is None:
                self.missing[meta["doc_id"]] = meta
                continue
            yield meta, shard

    def errors(self) -> list[dict]:
        return [read.error_record(
            meta["file"], "result-missing",
            "the analysis result vanished from the output folder; run again",
            line=meta["line"], doc_id=meta["doc_id"], stage="write")
            for meta in self.missing.values()]


def write_tables(out: Path, settings: RunSettings, articles: StoredArticles,
                 errors: list[dict]) -> Totals:
    """Write every chosen table (and always ``errors``), then swap all of them in at once."""
    totals = Totals()
    chosen = settings.tables
    with TableSet(out, settings.formats) as tables:
        streamed = {name: tables.open(name) for name in ("documents", "mentions", "tokens")
                    if name in chosen}
        index = EntityIndex()
        for meta, shard in articles:
            mentions = mention_rows(meta["doc_id"], shard["mentions"])
            totals.articles += 1
            totals.tokens += shard["tokens"]
            totals.mentions += len(mentions)
            if "documents" in streamed:
                streamed["documents"].write(_document_row(meta, shard, len(mentions)))
            if "mentions" in streamed:
                for mention in mentions:
                    streamed["mentions"].write(mention)
            if "tokens" in streamed:
                for token in shard["token_rows"] or []:
                    streamed["tokens"].write({**token, "doc_id": meta["doc_id"]})
            index.add(meta["doc_id"], meta["date"], mentions)
        entity_rows = index.entity_rows()
        totals.entities = len(entity_rows)
        if "entities" in chosen:
            tables.write_all("entities", entity_rows)
        if "cooccurrences" in chosen:
            tables.write_all("cooccurrences", index.cooccurrence_rows())
        totals.errors = sorted(errors + articles.errors(), key=lambda error: (
            error["source"], error["line"] or 0, error["doc_id"] or "", error["error"]))
        tables.write_all("errors", totals.errors)
        tables.commit()
    totals.tables = sorted(tables.tables)
    return totals


def _document_row(meta: dict, shard: dict, mentions: int) -> dict:
    return {**meta, "chars": len(shard["text"]), "tokens": shard["tokens"],
            "sentences": len(shard["sentences"]), "mentions": mentions, "text": shard["text"]}
