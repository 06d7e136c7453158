"""A run: inputs in, tables out, incremental and resumable.

1. Lock the output folder (``store.output_lock``) and delete what a killed run left half-done.
2. Stream the articles from the reader. Each gets a content key (``settings.article_key``); an
   article whose key has a stored shard is reused, the others go to the engine in batches, and
   every result is stored as it arrives.
3. Assemble the tables from the shards of the current inputs (``assemble.write_tables``), write
   the manifest, and delete the shards of articles no longer in the inputs.

(The module is not called ``run``: ``pipeline.run`` is the function.)
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import read
from .analyse import ArticleResult, Engine, LocalEngine, batched
from .assemble import StoredArticles, write_tables
from .settings import DEFAULT_BATCH_SIZE, RunSettings, article_key
from .store import ShardStore, output_lock, remove_run_temporaries, write_manifest
from .formats import DEFAULT_FORMATS, choose_formats
from .tables import DEFAULT_OUT, DEFAULT_TABLES, choose_tables

log = logging.getLogger(__name__)

META_FIELDS = ("doc_id", "source", "file", "line", "date", "title")
FIRST_ERRORS = 5  # error rows a summary carries, for the command's report


@dataclass
class RunSummary:
    """What a run did; ``exit_code`` is 0 when every article was processed, else 1."""

    out: Path
    articles: int = 0
    tokens: int = 0
    mentions: int = 0
    entities: int = 0
    errors: int = 0
    processed: int = 0
    reused: int = 0
    processed_tokens: int = 0
    seconds: float = 0.0
    tables: list[str] = field(default_factory=list)
    formats: tuple[str, ...] = ()
    first_errors: list[dict] = field(default_factory=list)  # in table order

    @property
    def tokens_per_second(self) -> float:
        """Tokens analysed by the model in this run per second (reused articles excluded)."""
        return self.processed_tokens / self.seconds if self.seconds > 0 else 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


class Inventory:
    """The current inputs as the run sees them, noted while they stream by: every article's
    metadata and key, the errors, and the articles still waiting for their result."""

    def __init__(self, fingerprint: str, store: ShardStore, force: bool):
        self.fingerprint = fingerprint
        self.store = store
        self.force = force
        self.documents: list[dict] = []
        self.errors: list[dict] = []
        self.failed: set[str] = set()
        self.reused = 0
        self._waiting: dict[str, list[dict]] = {}  # key -> the articles with that text

    def to_analyse(self, records: Iterable[dict]) -> Iterator[tuple[str, str]]:
        """(key, text) of each article whose result is not stored yet, once per text."""
        for record in records:
            if read.is_error(record):
                self.errors.append(record)
                continue
            key = article_key(self.fingerprint, record["text"])
            meta = {name: record[name] for name in META_FIELDS}
            meta["key"] = key
            self.documents.append(meta)
            if key in self._waiting:
                self._waiting[key].append(meta)
            elif not self.force and self.store.has(key):
                self.reused += 1
            else:
                self._waiting[key] = [meta]
                yield key, record["text"]

    def settle(self, result: ArticleResult) -> list[dict]:
        """The articles a result is for; a failure becomes an errors row for each of them."""
        metas = self._waiting.pop(result.key)
        if result.shard is None:
            self.failed.add(result.key)
            self.errors.extend(read.error_record(
                meta["file"], "processing-failed",
                f"{result.message}; the other articles were processed", line=meta["line"],
                doc_id=meta["doc_id"], stage=result.stage) for meta in metas)
        return metas


def run(
    inputs: Iterable[str | os.PathLike] | str | os.PathLike,
    out: str | os.PathLike = DEFAULT_OUT,
    *,
    model: str | None = None,
    normalize: bool = True,
    tables: Iterable[str] = DEFAULT_TABLES,
    formats: Iterable[str] = DEFAULT_FORMATS,
    workers: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    force: bool = False,
    max_chars: int = read.DEFAULT_MAX_CHARS,
    progress: Callable[[int], None] | None = None,
) -> RunSummary:
    """Process ``inputs`` (files and folders) into tables in ``out``; see the module docstring.

    Raises ``OutputBusy`` when another run holds ``out`` and ``ValueError`` for an unknown table
    or format. Bad articles never raise: they become rows of the ``errors`` table and
    ``RunSummary.exit_code`` is 1.
    """
    started = time.perf_counter()
    paths = [Path(inputs)] if isinstance(inputs, (str, os.PathLike)) else list(map(Path, inputs))
    settings = RunSettings(model=model, normalize=normalize, tables=choose_tables(tables),
                           formats=choose_formats(formats), batch_size=batch_size)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with output_lock(out):
        remove_run_temporaries(out)
        store = ShardStore(out)
        inventory = Inventory(settings.fingerprint(), store, force)
        records = read.iter_records(paths, max_chars=max_chars, skip=[out])
        engine: Engine = LocalEngine(settings, workers)
        try:
            results = engine.results(batched(inventory.to_analyse(records), batch_size))
            analysed, analysed_tokens = _store_results(results, inventory, store, progress)
        finally:
            engine.close()
        articles = StoredArticles(store, inventory.documents, inventory.failed)
        totals = write_tables(out, settings, articles, inventory.errors)
        write_manifest(out, settings, inventory.fingerprint, inventory.documents)
        store.prune({meta["key"] for meta in inventory.documents})
    log.info("processed %d articles, reused %d", analysed, inventory.reused)
    return RunSummary(
        out=out, articles=totals.articles, tokens=totals.tokens, mentions=totals.mentions,
        entities=totals.entities, errors=len(totals.errors), processed=analysed,
        reused=inventory.reused, processed_tokens=analysed_tokens,
        seconds=time.perf_counter() - started, tables=totals.tables, formats=settings.formats,
        first_errors=totals.errors[:FIRST_ERRORS])


def _store_results(results: Iterator[ArticleResult], inventory: Inventory, store: ShardStore,
                   progress: Callable[[int], None] | None) -> tuple[int, int]:
    """Store each result as it arrives: (articles, tokens) analysed."""
    articles = tokens = 0
    for result in results:
        metas = inventory.settle(result)
        if result.shard is not None:
            store.save(result.key, result.shard)
            articles += len(metas)
            tokens += result.shard["tokens"] * len(metas)
        if progress is not None:
            progress(len(metas))
    return articles, tokens
