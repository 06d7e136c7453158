"""Batch runs: read → tokenize → extract → normalize → write, incremental and resumable.

How a run works (and why it survives real corpora):

1. A lock (``fcntl.flock`` on ``OUT/.entity-pipeline/lock``) keeps a second run off the same
   output folder. The kernel drops the lock when a process dies, so a killed run leaves no stale
   lock behind.
2. Articles stream from the reader. Each gets a content key: SHA-256 of the article text and of
   the settings fingerprint (the code of the stages and the pipeline version, the model's files,
   ``--no-normalize``, whether tokens are kept). An article whose key already has a result shard in
   ``OUT/.entity-pipeline/shards/`` is not processed again; the others go through spaCy in
   batches (``nlp.pipe`` inside ``nlp.memory_zone()``), in this process or in ``--workers``
   processes that each load the model once, and every result is written as its own shard with
   an atomic rename as soon as it is done. A killed run therefore loses at most the batches in
   flight, and the next run resumes from the shards.
3. Only when every article is done are the tables assembled from the shards of the *current*
   inputs, in a fixed order (documents by ``doc_id``; mentions and tokens by ``doc_id`` then
   offsets; errors by source and line), written to temporary files and renamed over the old
   tables. Tables are therefore the same bytes whatever the number of workers, whether the run
   was incremental, resumed or from scratch, and the previous tables stay complete until the
   new ones replace them. Shards of articles no longer in the inputs are deleted afterwards.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import itertools
import json
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, read
from .write import FORMATS, SCHEMAS, TABLES, TableWriter, write_text_atomic

log = logging.getLogger(__name__)

STATE_DIR = ".entity-pipeline"
SHARD_FORMAT = 2  # 2: "entities", the per-article summary for the corpus step; mention "link"
DEFAULT_TABLES = ("documents", "mentions", "entities", "cooccurrences", "errors")
OPTIONAL_TABLES = ("tokens",)
# Articles per spaCy batch. spaCy's peak memory grows with the tokens of a batch (64 news
# articles: +410 MB, 16: +110 MB in one process) while its speed does not (the same within 5%).
DEFAULT_BATCH_SIZE = 16
# Articles one spaCy memory zone spans in a batch run. A zone frees the strings and lexemes its
# articles added, so the vocabulary cannot grow without bound; but a zone per batch made spaCy
# rebuild the lexemes of every common word for every batch (a tenth of the model's time). At
# this span the zone holds some tens of MB of vocabulary before it is freed.
ZONE_ARTICLES = 1024
SENTENCE_SETTERS = ("parser", "senter", "sentencizer")
_META_FIELDS = ("doc_id", "source", "file", "line", "date", "title")


class OutputBusy(RuntimeError):
    """Another run holds the lock on the output folder."""


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

    @property
    def tokens_per_second(self) -> float:
        """Tokens analysed by the model in this run per second (reused articles excluded)."""
        return self.processed_tokens / self.seconds if self.seconds > 0 else 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


# --- settings and keys -------------------------------------------------------------------------

_MODEL_HASHES: dict[tuple, str] = {}


def model_fingerprint(model: str | None) -> str:
    """A hash that changes when the model's files (or spaCy and its lookup tables) change."""
    from .model import EMBEDDED_MODEL_PATH, EMBEDDED_MODEL_NAME, describe_model

    description = describe_model(model)
    digest = hashlib.sha256(description.encode())
    for package in ("spacy", "spacy-lookups-data"):
        digest.update(f"{package}={_version(package)};".encode())
    path = EMBEDDED_MODEL_PATH if description == EMBEDDED_MODEL_NAME else Path(description)
    if path.is_dir():
        digest.update(_directory_hash(path).encode())
    else:
        digest.update(f"package={_version(description)}".encode())
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def _directory_hash(path: Path) -> str:
    files = sorted(p for p in path.rglob("*") if p.is_file())
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    if stamp not in _MODEL_HASHES:
        digest = hashlib.sha256()
        for file in files:
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
            with open(file, "rb") as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
        _MODEL_HASHES[stamp] = digest.hexdigest()
    return _MODEL_HASHES[stamp]


# The modules whose code shapes a result shard: a change to any of them (a new release, or a
# normalisation fix during development) makes earlier results stale. A folder: all its modules.
RESULT_MODULES = ("batch.py", "tokenize.py", "extract.py", "names", "model.py")


def code_fingerprint() -> str:
    digest = hashlib.sha256(__version__.encode())
    for name in RESULT_MODULES:
        path = Path(__file__).parent / name
        for module in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(module.read_bytes())
    for package in ("pycountry",):  # data the normalize stage reads
        digest.update(f"{package}={_version(package)};".encode())
    return digest.hexdigest()


def settings_fingerprint(model: str | None, normalize: bool, with_tokens: bool) -> str:
    settings = {"code": code_fingerprint(), "shard": SHARD_FORMAT,
                "model": model_fingerprint(model), "normalize": normalize,
                "tokens": with_tokens}
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def article_key(fingerprint: str, text: str) -> str:
    return hashlib.sha256(fingerprint.encode() + b"\0" + text.encode("utf-8")).hexdigest()


# --- analysing articles with the model ---------------------------------------------------------

class Analyser:
    """Loads the model once and turns (key, text) batches into plain result shards."""

    def __init__(self, model: str | None = None, normalize: bool = True,
                 with_tokens: bool = False, zone_articles: int = 0):
        """``zone_articles`` 0: each ``analyse`` call runs in its own memory zone. N: one zone
        spans about N articles over several calls; the caller must ``close()`` it before anything
        else uses the model in this process (spaCy's zones must not nest)."""
        from .model import load_model

        _keep_freed_memory()
        self.nlp = load_model(model, lemmas=with_tokens)  # only the tokens table has lemmas
        self.normalize = normalize
        self.with_tokens = with_tokens
        self.disable = [] if with_tokens else _components_after_ner(self.nlp)
        self.zone_articles = zone_articles
        self._zone: ExitStack | None = None
        self._zone_used = 0

    def analyse(self, batch: list[tuple[str, str]]) -> list[tuple[str, dict | None, str, str]]:
        """Return ``(key, shard, "", "")`` or ``(key, None, stage, message)`` per article.

        A failing batch is retried article by article, so one bad article cannot take its
        neighbours down with it.
        """
        try:
            with self._memory_zone(len(batch)):
                docs = self.nlp.pipe([(text, key) for key, text in batch],
                                     as_tuples=True, batch_size=max(1, len(batch)),
                                     disable=self.disable)
                return [(key, self._shard(doc), "", "") for doc, key in docs]
        except Exception as error:  # noqa: BLE001 - any failure becomes an errors row
            if len(batch) == 1:
                stage = getattr(error, "stage", "extract")
                return [(batch[0][0], None, stage, f"{type(error).__name__}: {error}")]
            results = []
            for item in batch:
                results.extend(self.analyse([item]))
            return results

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

    def _shard(self, doc) -> dict:
        from .names import article as normalize_stage
        from .extract import mention_records
        from .tokenize import count_tokens, sentence_of_tokens, sentence_spans, token_records

        text = doc.text
        sentence_index = sentence_of_tokens(doc)
        sentences = sentence_spans(doc)
        raw = mention_records(doc, sentence_index)
        try:
            entities = None
            if self.normalize:
                mentions, entities = normalize_stage.analyse_article(text, raw, sentences)
            else:
                mentions = normalize_stage.raw_mentions(raw)
            for mention in mentions:
                if text[mention["start_char"]:mention["end_char"]] != mention["text"]:
                    raise ValueError(f"mention {mention['text']!r} does not match its offsets")
        except Exception as error:
            error.stage = "normalize"
            raise
        return {
            "format": SHARD_FORMAT,
            "text": text,
            "tokens": count_tokens(doc),
            "sentences": [list(span) for span in sentences],
            "mentions": mentions,
            "entities": entities,
            "token_rows": token_records(doc, sentence_index) if self.with_tokens else None,
        }


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


_WORKER: dict[str, Analyser] = {}


def _init_worker(model: str | None, normalize: bool, with_tokens: bool) -> None:
    # An exception here would make the pool restart the worker forever: keep it for the
    # first batch to raise in the parent instead.
    try:
        # The worker process is the model's only user: its zone stays open between batches.
        _WORKER["analyser"] = Analyser(model, normalize, with_tokens, ZONE_ARTICLES)
    except Exception as error:  # noqa: BLE001
        _WORKER["error"] = error


def _analyse_in_worker(batch: list[tuple[str, str]]):
    if "error" in _WORKER:
        raise _WORKER["error"]
    return _WORKER["analyser"].analyse(batch)


def _batched(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def analyse_stream(items: Iterable[tuple[str, str]], model: str | None = None,
                   normalize: bool = True, with_tokens: bool = False, workers: int = 1,
                   batch_size: int = DEFAULT_BATCH_SIZE, zone_articles: int = 0):
    """Yield analysis results for (key, text) items, in input order, with 1 or N processes.

    With ``workers > 1`` each worker process loads the model once; at most two batches per
    worker are in flight, so memory stays bounded however long the input is. In this process,
    ``zone_articles`` > 0 keeps one memory zone open across batches (see ``Analyser``): only
    for callers that do not use the model themselves while they consume the results.
    """
    batches = _batched(items, batch_size)
    first = next(batches, None)
    if first is None:  # everything reused: no model to load, no processes to start
        return
    batches = itertools.chain([first], batches)
    if workers <= 1:
        analyser = None
        try:
            for batch in batches:
                analyser = analyser or Analyser(model, normalize, with_tokens, zone_articles)
                yield from analyser.analyse(batch)
        finally:  # also when the caller stops early: the model is shared within the process
            if analyser is not None:
                analyser.close()
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker,
                      initargs=(model, normalize, with_tokens)) as pool:
        in_flight: deque = deque()
        for batch in batches:
            in_flight.append(pool.apply_async(_analyse_in_worker, (batch,)))
            while len(in_flight) >= 2 * workers:
                yield from in_flight.popleft().get()
        while in_flight:
            yield from in_flight.popleft().get()


# --- shards, lock, temporaries -----------------------------------------------------------------

class ShardStore:
    """One JSON file per analysed article text, named by its content key."""

    def __init__(self, state: Path):
        self.root = state / "shards"

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def has(self, key: str) -> bool:
        return self.path(key).is_file()

    def load(self, key: str) -> dict | None:
        try:
            return json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save(self, key: str, shard: dict) -> None:
        write_text_atomic(self.path(key), json.dumps(shard, ensure_ascii=False,
                                                     separators=(",", ":")))

    def prune(self, keep: set[str]) -> int:
        removed = 0
        if not self.root.is_dir():
            return removed
        for path in self.root.glob("*/*"):
            if path.stem not in keep or path.suffix != ".json":
                path.unlink(missing_ok=True)
                removed += 1
        return removed


@contextmanager
def output_lock(out: Path):
    """Hold an exclusive lock on ``out`` for the duration of a run."""
    state = out / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    lock_path = state / "lock"
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks, runs are not guarded
            fcntl = None
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(descriptor, 64, 0).decode(errors="replace").strip() or "?"
                raise OutputBusy(
                    f"another entity-pipeline run (pid {holder}) is writing to {out}; "
                    "wait for it to finish or use a different --out"
                ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # closing releases the flock


def _remove_temporaries(out: Path) -> None:
    """Temporary files left by a killed run are never complete: delete them."""
    for pattern in (".*.tmp", f"{STATE_DIR}/.*.tmp", f"{STATE_DIR}/shards/*/.*.tmp"):
        for path in out.glob(pattern):
            path.unlink(missing_ok=True)


# --- the run -----------------------------------------------------------------------------------

def run(
    inputs: Iterable[str | os.PathLike] | str | os.PathLike,
    out: str | os.PathLike = "outputs",
    *,
    model: str | None = None,
    normalize: bool = True,
    tables: Iterable[str] = DEFAULT_TABLES,
    formats: Iterable[str] = FORMATS,
    workers: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    force: bool = False,
    max_chars: int = read.DEFAULT_MAX_CHARS,
    progress: Callable[[int], None] | None = None,
) -> RunSummary:
    """Process ``inputs`` (files and folders) into tables in ``out``; see the module docstring.

    Raises ``OutputBusy`` when another run holds ``out``. Bad articles never raise: they become
    rows of the ``errors`` table and ``RunSummary.exit_code`` is 1.
    """
    started = time.perf_counter()
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    inputs = [Path(path) for path in inputs]
    tables = _check_tables(tables)
    formats = [fmt for fmt in FORMATS if fmt in set(formats)]
    if not formats:
        raise ValueError(f"choose at least one format of {FORMATS}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = RunSummary(out=out)
    with_tokens = "tokens" in tables
    with output_lock(out):
        _remove_temporaries(out)
        fingerprint = settings_fingerprint(model, normalize, with_tokens)
        store = ShardStore(out / STATE_DIR)
        documents: list[dict] = []
        errors: list[dict] = []
        pending: dict[str, list[dict]] = {}
        failed: set[str] = set()

        def articles_to_analyse() -> Iterator[tuple[str, str]]:
            for record in read.iter_records(inputs, max_chars=max_chars, skip=[out]):
                if read.is_error(record):
                    errors.append(record)
                    continue
                key = article_key(fingerprint, record["text"])
                meta = {name: record[name] for name in _META_FIELDS}
                meta["key"] = key
                documents.append(meta)
                if key in pending:
                    pending[key].append(meta)
                elif not force and store.has(key):
                    summary.reused += 1
                else:
                    pending[key] = [meta]
                    yield key, record["text"]

        results = analyse_stream(articles_to_analyse(), model=model, normalize=normalize,
                                 with_tokens=with_tokens, workers=workers,
                                 batch_size=batch_size, zone_articles=ZONE_ARTICLES)
        for key, shard, stage, message in results:
            metas = pending.pop(key)
            if shard is None:
                failed.add(key)
                for meta in metas:
                    errors.append(read.error_record(
                        meta["file"], "processing-failed",
                        f"{message}; the other articles were processed", line=meta["line"],
                        doc_id=meta["doc_id"], stage=stage))
            else:
                store.save(key, shard)
                summary.processed += len(metas)
                summary.processed_tokens += shard["tokens"] * len(metas)
            if progress is not None:
                progress(len(metas))
        _assemble(out, store, documents, errors, failed, tables, formats, summary)
        _write_manifest(out, fingerprint, model, normalize, with_tokens, documents)
        store.prune({meta["key"] for meta in documents})
    summary.seconds = time.perf_counter() - started
    log.info("processed %d articles, reused %d", summary.processed, summary.reused)
    return summary


def _check_tables(tables: Iterable[str]) -> list[str]:
    chosen = set()
    for name in tables:
        if name == "all":
            chosen.update(TABLES)
        elif name in TABLES:
            chosen.add(name)
        else:
            raise ValueError(f"unknown table '{name}'; choose from {', '.join(TABLES)} or all")
    chosen.add("errors")  # failures are always recorded
    return [name for name in TABLES if name in chosen]


def _assemble(out, store, documents, errors, failed, tables, formats, summary) -> None:
    """Write every table from the shards, then swap all of them in at once."""
    from .names.index import EntityIndex

    documents.sort(key=lambda meta: meta["doc_id"])
    writers: dict[str, TableWriter] = {}
    try:
        for name in ("documents", "mentions", "tokens"):
            if name in tables:
                writers[name] = TableWriter(out, name, formats)
        index = EntityIndex()
        for meta in documents:
            if meta["key"] in failed:
                continue
            shard = store.load(meta["key"])
            if shard is None:
                errors.append(read.error_record(
                    meta["file"], "result-missing",
                    "the analysis result vanished from the output folder; run again",
                    line=meta["line"], doc_id=meta["doc_id"], stage="write"))
                continue
            doc_id = meta["doc_id"]
            mentions = sorted(shard["mentions"],
                              key=lambda m: (m["start_char"], m["end_char"]))
            summary.articles += 1
            summary.tokens += shard["tokens"]
            summary.mentions += len(mentions)
            if "documents" in writers:
                writers["documents"].write({
                    **meta, "chars": len(shard["text"]), "tokens": shard["tokens"],
                    "sentences": len(shard["sentences"]), "mentions": len(mentions),
                    "text": shard["text"]})
            if "mentions" in writers:
                for number, mention in enumerate(mentions):
                    writers["mentions"].write({**mention, "doc_id": doc_id, "mention": number})
            if "tokens" in writers:
                for token in shard["token_rows"] or []:
                    writers["tokens"].write({**token, "doc_id": doc_id})
            index.add(doc_id, meta["date"], mentions)
        entity_rows = index.entity_rows()
        summary.entities = len(entity_rows)
        if "entities" in tables:
            writers["entities"] = _write_all(out, "entities", formats, entity_rows)
        if "cooccurrences" in tables:
            writers["cooccurrences"] = _write_all(out, "cooccurrences", formats,
                                                  index.cooccurrence_rows())
        errors.sort(key=lambda e: (e["source"], e["line"] or 0, e["doc_id"] or "", e["error"]))
        summary.errors = len(errors)
        writers["errors"] = _write_all(out, "errors", formats, errors)
        for writer in writers.values():
            writer.finish()
    except BaseException:
        for writer in writers.values():
            writer.discard()
        raise
    for writer in writers.values():
        writer.commit()
    summary.tables = sorted(writers)
    for name in TABLES:  # tables of an earlier run with other --tables/--format are stale
        for fmt in FORMATS:
            if name not in writers or fmt not in formats:
                (out / f"{name}.{fmt}").unlink(missing_ok=True)


def _write_all(out: Path, name: str, formats, rows: list[dict]) -> TableWriter:
    columns = SCHEMAS[name]
    if rows:  # columns the normalize stage adds later are kept, after the documented ones
        columns = columns + [key for key in rows[0] if key not in columns]
    writer = TableWriter(out, name, formats, columns)
    for row in rows:
        writer.write(row)
    return writer


def _write_manifest(out, fingerprint, model, normalize, with_tokens, documents) -> None:
    from .model import describe_model

    manifest = {
        "pipeline": __version__,
        "settings": {"model": describe_model(model), "normalize": normalize,
                     "tokens": with_tokens, "fingerprint": fingerprint},
        "articles": {meta["doc_id"]: {"key": meta["key"], "source": meta["source"],
                                      "line": meta["line"]} for meta in documents},
    }
    write_text_atomic(out / STATE_DIR / "manifest.json",
                      json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")


# --- library helpers ---------------------------------------------------------------------------

def extract(records: Iterable[dict | str], model: str | None = None, normalize: bool = True,
            batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[dict]:
    """Yield mention records for articles given as dicts (``id``/``doc_id`` and ``text``) or
    plain strings (numbered from 0). Articles the model fails on are logged and skipped."""

    def items():
        for number, record in enumerate(records):
            if isinstance(record, str):
                yield str(number), record
            else:
                doc_id = record.get("doc_id", record.get("id", number))
                yield str(doc_id), record["text"]

    for doc_id, shard, stage, message in analyse_stream(items(), model=model,
                                                        normalize=normalize,
                                                        batch_size=batch_size):
        if shard is None:
            log.warning("article %s failed in %s: %s", doc_id, stage, message)
            continue
        mentions = sorted(shard["mentions"], key=lambda m: (m["start_char"], m["end_char"]))
        for number, mention in enumerate(mentions):
            yield {"doc_id": doc_id, "mention": number,
                   **{key: mention.get(key) for key in SCHEMAS["mentions"][2:]}}


def article_entities(path: str | os.PathLike, doc_id: str | None = None,
                     model: str | None = None, normalize: bool = True):
    """Analyse one article of a file: ``(article, mentions, entity_rows)``.

    Raises ``LookupError`` when the file holds no (matching) readable article.
    """
    from .names.index import EntityIndex

    problems = []
    for record in read.iter_records([path]):
        if read.is_error(record):
            problems.append(record["message"])
            continue
        if doc_id is None or record["doc_id"] == doc_id:
            [(_, shard, stage, message)] = Analyser(model, normalize).analyse(
                [(record["doc_id"], record["text"])])
            if shard is None:
                raise LookupError(f"{path}: {stage} failed: {message}")
            index = EntityIndex()
            index.add(record["doc_id"], record["date"], shard["mentions"])
            return record, shard["mentions"], index.entity_rows()
    wanted = f"article '{doc_id}'" if doc_id else "an article"
    detail = f" ({problems[0]})" if problems else ""
    raise LookupError(f"{path}: found no {wanted}{detail}")
