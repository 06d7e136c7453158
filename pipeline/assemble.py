"""Assembling the tables from the stored results of the current inputs.

Only when every article is done are the tables built, from the shards of the *current* inputs,
in fixed orders: documents by ``doc_id``; mentions and tokens by ``doc_id``, then offsets;
entities by mentions, then name; co-occurrences by sentences, then ids; errors by source and
line. Tables are therefore the same bytes whatever the number of workers, and whether the run
was incremental, resumed or from scratch; and they are written as one ``TableSet``, so the
previous tables stay complete until the new ones replace them all.

Two passes over the shards. The first (with normalisation on) reads every article's entity
summary into the corpus step (``names.resolve``), which decides across the articles which
corpus entity each article entity belongs to; its memory grows with the distinct names, not
with the mentions. The second writes the per-article tables, each mention with its corpus
entity, the reason (``link``) and its article's own id (``article_entity_id``), and fills an
``EntityIndex`` (memory grows with the entities), from which the entity tables are written at
the end. The corpus step is a pure function of the summaries, so the tables stay the same bytes
for reruns and fresh runs alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import read
from .mentions import mention_rows
from .names.index import EntityIndex
from .names.resolve import Resolution, resolve
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
            if meta["doc_id"] in self.missing:  # gone in an earlier pass: gone in all of them
                continue
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
    resolution = resolve_corpus(articles) if settings.normalize else None
    with TableSet(out, settings.formats) as tables:
        streamed = {name: tables.open(name) for name in ("documents", "mentions", "tokens")
                    if name in chosen}
        index = EntityIndex()
        for meta, shard in articles:
            mentions = table_mentions(resolution, meta["doc_id"], shard)
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
        totals.errors = sorted(errors + articles.errors(), key=error_order)
        tables.write_all("errors", totals.errors)
        tables.commit()
    totals.tables = sorted(tables.tables)
    return totals


def resolve_corpus(articles: Iterable[tuple[dict, dict]]) -> Resolution:
    """The first pass: the corpus step over the entity summaries of every article."""
    return resolve((meta["doc_id"], meta["date"], shard["entities"] or [])
                   for meta, shard in articles)


def table_mentions(resolution: Resolution | None, doc_id: str, shard: dict) -> list[dict]:
    """An article's rows of the mentions table: with their corpus entities, or (``None``,
    ``--no-normalize``) each mention its own entity."""
    if resolution is None:
        mentions = [{**mention, "article_entity_id": mention["entity_id"]}
                    for mention in shard["mentions"]]
    else:
        mentions = resolution.mentions(doc_id, shard["mentions"], shard["entities"])
    return mention_rows(doc_id, mentions)


def article_mentions(doc_id: str, date: str | None, shard: dict) -> list[dict]:
    """One article's rows of the mentions table, the article being its own corpus: what a
    run over this article alone writes (``show``, ``pipeline.extract``)."""
    normalized = shard["entities"] is not None
    resolution = resolve_corpus([({"doc_id": doc_id, "date": date}, shard)]) if normalized else None
    return table_mentions(resolution, doc_id, shard)


def error_order(error: dict) -> tuple:
    """The order of the errors table: by source, line, id and kind."""
    return error["source"], error["line"] or 0, error["doc_id"] or "", error["error"]


def _document_row(meta: dict, shard: dict, mentions: int) -> dict:
    return {**meta, "chars": len(shard["text"]), "tokens": shard["tokens"],
            "sentences": len(shard["sentences"]), "mentions": mentions, "text": shard["text"]}
