"""Analysing articles: the analyser, and the engine that runs it over batches.

An ``Analyser`` runs the model over a batch of ``(key, text)`` pairs (``nlp.pipe``; a long
article in windows, see ``windows``) and then the stages of ``settings.STAGES`` over each
``Doc``, which turn it into a result shard: a plain, JSON-friendly dict (``text``, ``tokens``,
``sentences``, ``mentions``, ``token_rows``). An article that fails becomes an
``ArticleResult`` without a shard that names the failing stage.

An engine hands out batches and gives back one ``ArticleResult`` per article, in any order,
with a bounded number of batches in flight, so memory stays flat however long the input is.
``LocalEngine`` runs the batches in this process or in spawned worker processes; another engine
(a Dask cluster) plugs in beside it with the same two methods and ``analyse_batch``, which keeps
one analyser per process so that each worker loads the model once.

Speed: the analyser skips the components a run does not need, keeps one spaCy memory zone open
across batches in long runs (the zone frees the vocabulary its articles added), and lets glibc
keep freed batch memory for the next batch.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import os
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Protocol

from .model import SENTENCE_SETTERS
from .settings import DEFAULT_BATCH_SIZE, STAGES, RunSettings
from .windows import analysed_docs

if TYPE_CHECKING:
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

# Articles one spaCy memory zone spans in a long run. A zone frees the strings and lexemes its
# articles added, so the vocabulary cannot grow without bound; but a zone per batch made spaCy
# rebuild the lexemes of every common word for every batch (a tenth of the model's time). At
# this span the zone holds some tens of MB of vocabulary before it is freed.
ZONE_ARTICLES = 1024
# The stage a failure inside the model itself is reported under (it finds the entities).
MODEL_STAGE = "extract"


class ArticleResult(NamedTuple):
    key: str  # the article's content key (settings.article_key)
    shard: dict | None  # the per-article result, None when it failed
    stage: str = ""  # where it failed ("extract", "normalize", ...)
    message: str = ""  # one-line reason


@dataclass
class Article:
    """One article on its way through the stages: the model's ``Doc``, the result shard the
    stages fill in, and the sentence of each token (from the tokenize stage, for the others)."""

    doc: Doc
    shard: dict
    sentence_index: list[int] = field(default_factory=list)


class StageFailed(Exception):
    """A stage raised; the original error is the ``__cause__``."""

    def __init__(self, stage: str):
        super().__init__(stage)
        self.stage = stage


class Analyser:
    """Loads the model once and turns (key, text) batches into result shards."""

    def __init__(self, settings: RunSettings, zone_articles: int = 0):
        """``zone_articles`` 0: each ``analyse`` call runs in its own memory zone. N: one zone
        spans about N articles over several calls; the caller must ``close()`` it before anything
        else uses the model in this process (spaCy's zones must not nest)."""
        from .model import load_model

        _keep_freed_memory()
        self.settings = settings
        self.nlp = load_model(settings.model, lemmas=settings.with_tokens)  # lemmas: tokens only
        self.disable = [] if settings.with_tokens else _components_after_ner(self.nlp)
        self.stages = [(stage, importlib.import_module(f".{module}", __package__).analyse)
                       for stage, module in STAGES.items()]
        self.zone_articles = zone_articles
        self._zone: ExitStack | None = None
        self._zone_used = 0

    def analyse(self, batch: list[tuple[str, str]]) -> list[ArticleResult]:
        """One result per article. A failing batch is retried article by article, so one bad
        article cannot take its neighbours down with it."""
        try:
            with self._memory_zone(len(batch)):
                return [ArticleResult(key, self._shard(doc))
                        for key, doc in analysed_docs(self.nlp, batch, self.disable)]
        except Exception as error:  # noqa: BLE001 - any failure becomes an errors row
            if len(batch) > 1:
                return [result for item in batch for result in self.analyse([item])]
            stage, cause = ((error.stage, error.__cause__) if isinstance(error, StageFailed)
                            else (MODEL_STAGE, error))
            return [ArticleResult(batch[0][0], None, stage, f"{type(cause).__name__}: {cause}")]

    def _shard(self, doc: Doc) -> dict:
        article = Article(doc, {"text": doc.text})
        for stage, analyse in self.stages:
            try:
                analyse(article, self.settings)
            except Exception as error:
                raise StageFailed(stage) from error
        return article.shard

    def _memory_zone(self, articles: int):
        """The zone to run ``articles`` more articles in: a fresh one, or the long one."""
        zone = getattr(self.nlp, "memory_zone", None)
        if zone is None:
            return nullcontext()
        if not self.zone_articles:
            return zone()
        if self._zone is not None and self._zone_used + articles > self.zone_articles:
            self.close()
        if self._zone is None:
            self._zone = ExitStack()
            self._zone.enter_context(zone())
            self._zone_used = 0
        self._zone_used += articles
        return nullcontext()

    def close(self) -> None:
        """Close the long memory zone, freeing what its articles added to the vocabulary."""
        if self._zone is not None:
            zone, self._zone = self._zone, None
            zone.close()


def _keep_freed_memory() -> None:
    """Let glibc keep memory that a batch freed for the next batch instead of handing it back.

    spaCy allocates and frees tens of MB of arrays per batch; by default glibc returns them to
    the system each time and the next batch faults them in afresh, which cost about a tenth of
    a run in system time. The peak memory stays the same. Other C libraries: nothing to do.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: arrays up to 32 MB (glibc's most) on the heap
        mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD: keep up to 256 MB of free heap


def _components_after_ner(nlp) -> list[str]:
    """Components after the NER that cannot change it (lemmatizer etc.): skipped unless needed."""
    names = nlp.pipe_names
    if "ner" not in names:
        return []
    return [name for name in names[names.index("ner") + 1:] if name not in SENTENCE_SETTERS]


# --- one analyser per process ------------------------------------------------------------------

class _ProcessAnalyser:
    """This process's analyser for ``analyse_batch``: made on first use and kept while the
    analysis options stay the same. Its memory zone spans batches: in a worker process the
    analyser is the model's only user; in the main process ``release`` closes the zone."""

    def __init__(self) -> None:
        self.analyser: Analyser | None = None
        self.lock = threading.Lock()  # a Dask worker may run tasks in threads

    def analyse(self, settings: RunSettings, batch: list[tuple[str, str]]) -> list[ArticleResult]:
        with self.lock:
            if self.analyser is None or self.analyser.settings.analysis_options != settings.analysis_options:
                if self.analyser is not None:
                    self.analyser.close()
                self.analyser = None  # a failing load must not leave the old one in place
                self.analyser = Analyser(settings, ZONE_ARTICLES)
            return self.analyser.analyse(batch)

    def release(self) -> None:
        with self.lock:
            if self.analyser is not None:
                self.analyser.close()


_PROCESS_ANALYSER = _ProcessAnalyser()


def analyse_batch(settings: RunSettings, batch: list[tuple[str, str]]) -> list[ArticleResult]:
    """Analyse (key, text) pairs with this process's analyser for ``settings`` (the model loads
    once per process). Module-level, so that worker processes receive it by reference."""
    return _PROCESS_ANALYSER.analyse(settings, batch)


# --- engines -----------------------------------------------------------------------------------

class Engine(Protocol):
    def results(self, batches: Iterable[list[tuple[str, str]]]) -> Iterator[ArticleResult]:
        """Results for every article of every batch, in any order, with a bounded number of
        batches in flight."""

    def close(self) -> None: ...


class LocalEngine:
    """Batches analysed in this process (``workers`` 1) or in spawned worker processes, each
    loading the model once; at most two batches per worker are in flight."""

    def __init__(self, settings: RunSettings, workers: int = 1):
        self.settings = settings
        self.workers = workers
        self._pool = None

    def results(self, batches: Iterable[list[tuple[str, str]]]) -> Iterator[ArticleResult]:
        batches = iter(batches)
        first = next(batches, None)
        if first is None:  # everything reused: no model to load, no processes to start
            return
        batches = itertools.chain([first], batches)
        try:
            if self.workers <= 1:
                for batch in batches:
                    yield from analyse_batch(self.settings, batch)
            else:
                yield from self._in_processes(batches)
        finally:  # also when the caller stops early
            self.close()

    def _in_processes(self, batches: Iterator[list[tuple[str, str]]]) -> Iterator[ArticleResult]:
        self._pool = _worker_pool(self.workers)
        in_flight: deque = deque()
        for batch in batches:
            in_flight.append(self._pool.apply_async(analyse_batch, (self.settings, batch)))
            while len(in_flight) >= 2 * self.workers:
                yield from in_flight.popleft().get()
        while in_flight:
            yield from in_flight.popleft().get()

    def close(self) -> None:
        """Stop the worker processes; close this process's memory zone, so that the model can
        be used again here."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.terminate()
        _PROCESS_ANALYSER.release()


def _worker_pool(workers: int):
    """Spawned worker processes that ignore Ctrl-C.

    A terminal sends SIGINT to every process of the command; only the main process should act
    on it (it stops the workers, keeps the finished work and says how to resume), while a
    worker would print a KeyboardInterrupt traceback. "Ignore" is set while the workers start,
    because a spawned interpreter inherits it from its first instruction (the initializer
    alone would leave the start-up unguarded); off the main thread only the initializer can.
    """
    import multiprocessing
    import signal

    def start():
        return multiprocessing.get_context("spawn").Pool(
            workers, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))

    if threading.current_thread() is not threading.main_thread():
        return start()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return start()
    finally:
        signal.signal(signal.SIGINT, previous)


def batched(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- analysing without a run -------------------------------------------------------------------

def extract(records: Iterable[dict | str], model: str | None = None, normalize: bool = True,
            batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[dict]:
    """Yield mention records (the columns of the mentions table) for articles given as dicts
    (``id``/``doc_id`` and ``text``) or plain strings (numbered from 0). Articles the model
    fails on are logged and skipped. The caller may use the model between records. Each
    article is its own corpus: its rows are what a run over that article alone (undated)
    writes; for corpus entities across articles, use ``run``."""
    from .assemble import article_mentions
    from .tables import TABLES

    columns = TABLES["mentions"].column_names
    analyser = None
    for batch in batched(_keyed_by_id(records), batch_size):
        analyser = analyser or Analyser(RunSettings(model=model, normalize=normalize))
        for doc_id, shard, stage, message in analyser.analyse(batch):
            if shard is None:
                log.warning("article %s failed in %s: %s", doc_id, stage, message)
                continue
            for row in article_mentions(doc_id, None, shard):
                yield {column: row.get(column) for column in columns}


def _keyed_by_id(records: Iterable[dict | str]) -> Iterator[tuple[str, str]]:
    for number, record in enumerate(records):
        if isinstance(record, str):
            yield str(number), record
        else:
            yield str(record.get("doc_id", record.get("id", number))), record["text"]


class ArticleNotFound(LookupError):
    """The file holds no (matching) article that could be analysed."""


def article_entities(path: str | os.PathLike, doc_id: str | None = None,
                     model: str | None = None, normalize: bool = True):
    """Analyse one article of a file: ``(article, mention_rows, entity_rows)``, as a run over
    this article alone writes them (the article is its own corpus).

    Raises ``ArticleNotFound`` when the file holds no (matching) readable article.
    """
    from . import read
    from .assemble import article_mentions
    from .names.index import EntityIndex

    problems, ids = [], []  # the error rows, the article ids (for the message)
    for record in read.iter_records([path]):
        if read.is_error(record):
            problems.append(record)
            continue
        ids.append(record["doc_id"])
        if doc_id is None or record["doc_id"] == doc_id:
            [(_, shard, stage, message)] = Analyser(
                RunSettings(model=model, normalize=normalize)).analyse(
                [(record["doc_id"], record["text"])])
            if shard is None:
                raise ArticleNotFound(f"{read.printable(str(path))}: the {stage} stage failed "
                                      f"on article '{read.printable(record['doc_id'])}': "
                                      f"{message}")
            mentions = article_mentions(record["doc_id"], record["date"], shard)
            index = EntityIndex()
            index.add(record["doc_id"], record["date"], mentions)
            return record, mentions, index.entity_rows()
    raise ArticleNotFound(_not_found(read.printable(str(path)), doc_id, ids, problems))


def _not_found(path: str, doc_id: str | None, ids: list[str], problems: list[dict]) -> str:
    """Why ``show`` has nothing to show: the error of the wanted article (never another's),
    else the ids there are."""
    from .read import printable

    def quoted(row: dict) -> str:
        return f"{row['error']}: {row['message']}"

    if doc_id is None:
        detail = f" ({quoted(problems[0])})" if problems else ""
        return f"{path} holds no article that could be read{detail}"
    message = f"{path} holds no article with id '{printable(doc_id)}'"
    about = [row for row in problems if row["doc_id"] == doc_id]
    if about:
        return f"{message} that could be read ({quoted(about[0])})"
    if ids:
        shown = ", ".join(f"'{printable(other)}'" for other in ids[:5])
        more = f" and {len(ids) - 5:,} more" if len(ids) > 5 else ""
        return f"{message}; its ids are {shown}{more}"
    return f"{message}; it holds no readable article at all"
