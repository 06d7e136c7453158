"""A run: inputs in, tables out, incremental and resumable.

1. Check the options before anything is created: the model can be one, and no input is the
   output folder or inside it. Lock the output folder (``store.output_lock``, which creates it)
   and delete what a killed run left half-done.
2. Stream the articles from the reader. Each gets a content key (``settings.article_key``); an
   article whose key has a stored shard is reused, the others go to the engine in batches, and
   every result is stored as it arrives.
3. Assemble the tables from the shards of the current inputs (``assemble.write_tables``) and
   write the manifest. Stored shards are never deleted here (``prune`` does that on request),
   and inputs that hold no article leave the tables of an earlier run as they are: a mistyped
   or empty input folder must not wipe them.

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
from .assemble import StoredArticles, error_order, write_tables
from .model import check_model
from .settings import DEFAULT_BATCH_SIZE, RunSettings, article_key
from .store import (OutputUnusable, ShardStore, output_lock, read_manifest,
                    remove_run_temporaries, write_manifest)
from .formats import DEFAULT_FORMATS, choose_formats
from .tables import DEFAULT_OUT, DEFAULT_TABLES, choose_tables

log = logging.getLogger(__name__)

META_FIELDS = ("doc_id", "source", "file", "line", "date", "title")
FIRST_ERRORS = 5  # error rows a summary carries, for the command's report


@dataclass
class RunSummary:
    """What a run did; ``exit_code`` is 0 when every article was processed, else 1 (also when
    the inputs held no article)."""

    out: Path
    articles: int = 0
    tokens: int = 0
    mentions: int = 0
    entities: int = 0
    errors: int = 0
    processed: int = 0
    reused: int = 0
    removed: int = 0  # articles of the earlier tables that are no longer in them
    processed_tokens: int = 0
    seconds: float = 0.0
    tables: list[str] = field(default_factory=list)
    formats: tuple[str, ...] = ()
    first_errors: list[dict] = field(default_factory=list)  # in table order
    # The inputs held no article and the earlier tables (of this many articles) were kept.
    kept_earlier: int | None = None

    @property
    def tokens_per_second(self) -> float:
        """Tokens analysed by the model in this run per second (reused articles excluded)."""
        return self.processed_tokens / self.seconds if self.seconds > 0 else 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.errors or not self.articles else 0


class Inventory:
    """The current inputs as the run sees them, noted while they stream by: every article's
    metadata and key, the errors, and the articles still waiting for their result.
    ``progress`` is told of every record done: an error, a reused article, a result."""

    def __init__(self, fingerprint: str, store: ShardStore, force: bool,
                 progress: Callable[[int], None] | None = None):
        self.fingerprint = fingerprint
        self.store = store
        self.force = force
        self.progress = progress or (lambda count: None)
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
                self.progress(1)
                continue
            key = article_key(self.fingerprint, record["text"])
            meta = {name: record[name] for name in META_FIELDS}
            meta["key"] = key
            self.documents.append(meta)
            if key in self._waiting:
                self._waiting[key].append(meta)
            elif not self.force and self.store.has(key):
                self.reused += 1
                self.progress(1)
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
        self.progress(len(metas))
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
    scheduler=None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    force: bool = False,
    max_chars: int = read.DEFAULT_MAX_CHARS,
    csv_delimiter: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunSummary:
    """Process ``inputs`` (files and folders) into tables in ``out``; see the module docstring.

    ``scheduler`` runs the analysis on a Dask cluster: ``"local"`` (``workers`` processes), a
    scheduler address, or a ``distributed.Client`` (left open); None: ``workers`` local processes.

    ``progress`` is called with the number of input records (articles and errors) done so far
    since its last call. Raises ``ModelNotFoundError`` for a model that cannot be one,
    ``OutputUnusable`` when ``out`` cannot be created or written or is an input,
    ``OutputBusy`` when another run holds ``out``, and ``ValueError`` for an unknown table or
    format. Bad articles never raise: they become rows of the ``errors`` table and
    ``RunSummary.exit_code`` is 1.
    """
    started = time.perf_counter()
    paths = [Path(inputs)] if isinstance(inputs, (str, os.PathLike)) else list(map(Path, inputs))
    settings = RunSettings(model=model, normalize=normalize, tables=choose_tables(tables),
                           formats=choose_formats(formats), batch_size=batch_size)
    out = Path(out)
    check_model(settings.model)
    _check_outside_inputs(paths, out)
    engine = _engine(settings, workers, scheduler)  # --scheduler without Dask: before --out
    with output_lock(out):
        remove_run_temporaries(out)
        earlier = (read_manifest(out) or {}).get("articles", {})
        store = ShardStore(out)
        inventory = Inventory(settings.fingerprint(), store, force, progress)
        records = read.iter_records(paths, max_chars=max_chars, skip=[out],
                                    csv_delimiter=csv_delimiter)
        try:
            results = engine.results(batched(inventory.to_analyse(records), batch_size))
            analysed, analysed_tokens = _store_results(results, inventory, store)
        finally:
            engine.close()
        summary = RunSummary(out=out, processed=analysed, reused=inventory.reused,
                             processed_tokens=analysed_tokens, formats=settings.formats)
        if not inventory.documents and earlier:
            _keep_earlier_tables(summary, inventory.errors, len(earlier))
        else:
            _write(summary, settings, inventory, earlier)
    log.info("processed %d articles, reused %d", analysed, inventory.reused)
    summary.seconds = time.perf_counter() - started
    return summary


def _engine(settings: RunSettings, workers: int, scheduler) -> Engine:
    """Where the articles are analysed: here or in local processes, or on a Dask cluster."""
    if scheduler is None:
        return LocalEngine(settings, workers)
    from .dask_engine import DaskEngine

    return DaskEngine(settings, scheduler, workers)


def _write(summary: RunSummary, settings: RunSettings, inventory: Inventory,
           earlier: dict) -> None:
    """Write the tables and the manifest; fill in what they hold."""
    articles = StoredArticles(inventory.store, inventory.documents, inventory.failed)
    totals = write_tables(summary.out, settings, articles, inventory.errors)
    write_manifest(summary.out, settings, inventory.fingerprint, inventory.documents)
    current = {meta["doc_id"] for meta in articles.documents}
    summary.removed = sum(doc_id not in current for doc_id in earlier)
    summary.articles, summary.tokens = totals.articles, totals.tokens
    summary.mentions, summary.entities = totals.mentions, totals.entities
    summary.errors, summary.first_errors = len(totals.errors), totals.errors[:FIRST_ERRORS]
    summary.tables = totals.tables


def _keep_earlier_tables(summary: RunSummary, errors: list[dict], earlier: int) -> None:
    """The inputs held no article: leave the earlier tables and manifest as they are, and
    report the inputs' errors (which are not written: the errors table stays as well)."""
    ordered = sorted(errors, key=error_order)
    summary.kept_earlier = earlier
    summary.errors, summary.first_errors = len(ordered), ordered[:FIRST_ERRORS]


def _check_outside_inputs(paths: list[Path], out: Path) -> None:
    """An input that is the output folder or lies inside it would read the tables as
    articles: a usage error, raised before the folder is created."""
    folder = os.path.realpath(out)
    for path in paths:
        real = os.path.realpath(path)
        if real == folder or real.startswith(folder.rstrip(os.sep) + os.sep):
            where = "is" if real == folder else "lies in"
            raise OutputUnusable(
                f"the input {read.printable(str(path))} {where} the output folder --out "
                f"{read.printable(str(out))}, where the tables are written; give the folder "
                "of your articles and a separate --out")


def _store_results(results: Iterator[ArticleResult], inventory: Inventory,
                   store: ShardStore) -> tuple[int, int]:
    """Store each result as it arrives: (articles, tokens) analysed."""
    articles = tokens = 0
    for result in results:
        metas = inventory.settle(result)
        if result.shard is not None:
            store.save(result.key, result.shard)
            articles += len(metas)
            tokens += result.shard["tokens"] * len(metas)
    return articles, tokens
