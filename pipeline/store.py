"""The state a run keeps in ``OUT/.entity-pipeline/``: result shards, the manifest, the lock.

* ``shards/``: one JSON file per analysed article text and settings, named by its content key
  (``settings.article_key``), written atomically as soon as the article is done. A killed run
  loses at most the batches in flight; the next run finds the rest here. Runs never delete
  shards: ``prune`` does, on request.
* ``manifest.json``: which articles, settings and fingerprint produced the tables.
* ``settings/<fingerprint>.json``: the settings and the article keys of the latest finished run
  with each settings, so that ``prune`` keeps what a switch back to them would reuse.
* ``lock``: ``fcntl.flock`` keeps a second run off the folder. The kernel drops the lock when a
  process dies, so a killed run leaves no stale lock behind.

Deleting the folder is safe: the next run analyses everything again.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .about import __version__
from .files import remove_temporaries, write_text_atomic
from .read import STATE_DIR  # the reader never reads a folder that holds one
from .read.records import printable
from .settings import RunSettings


MANIFEST = "manifest.json"
SETTINGS_RECORDS = "settings"


class OutputBusy(RuntimeError):
    """Another run holds the lock on the output folder."""


class OutputUnusable(ValueError):
    """The output folder cannot be used: a file is in its way, it cannot be created or written,
    or it is one of the run's inputs (a usage error)."""


class ShardStore:
    """One JSON file per analysed article text, named by its content key."""

    def __init__(self, out: Path):
        self.root = Path(out) / STATE_DIR / "shards"

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

    def paths(self) -> Iterator[Path]:
        """Every stored shard file."""
        if self.root.is_dir():
            yield from self.root.glob("*/*.json")


@contextmanager
def output_lock(out: Path):
    """Hold an exclusive lock on ``out`` for the duration of a run."""
    state = Path(out) / STATE_DIR
    try:
        state.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(state / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise OutputUnusable(_unusable(Path(out), error)) from None
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


def _unusable(out: Path, error: OSError) -> str:
    """Why ``out`` cannot hold the tables, and what to do, in one line."""
    shown = printable(str(out))
    blocker = next((folder for folder in (out, *out.parents)  # os.path: never raises
                    if os.path.exists(folder) and not os.path.isdir(folder)), None)
    if blocker is not None:
        return (f"cannot use --out {shown}: {printable(str(blocker))} is a file, not a folder; "
                "give a folder for the tables")
    if error.errno in (errno.EACCES, errno.EPERM):
        return (f"cannot create or write the output folder {shown} (permission denied); choose "
                "a folder you can write to, or fix its permissions")
    if error.errno == errno.ENOENT:
        parent = next((folder for folder in out.parents if os.path.isdir(folder)), out.parent)
        return (f"cannot create the output folder {shown}: {printable(str(parent))} does not "
                "accept new folders (a system folder such as /proc?); choose another --out")
    return (f"cannot create or write the output folder {shown} "
            f"({error.strerror or error}); choose another --out")


def remove_run_temporaries(out: Path) -> None:
    """Temporary files left by a killed run are never complete: delete them."""
    state = Path(out) / STATE_DIR
    for folder in (Path(out), state, state / SETTINGS_RECORDS, *(state / "shards").glob("*")):
        remove_temporaries(folder)


def write_manifest(out: Path, settings: RunSettings, fingerprint: str,
                   documents: list[dict]) -> None:
    """Record which articles (doc_id → key, source, line) and settings made the tables, and
    the keys this settings' latest run used (for ``prune``)."""
    from .model import describe_model

    described = {"model": describe_model(settings.model), "normalize": settings.normalize,
                 "tokens": settings.with_tokens}
    manifest = {
        "pipeline": __version__,
        "settings": {**described, "fingerprint": fingerprint},
        "articles": {meta["doc_id"]: {"key": meta["key"], "source": meta["source"],
                                      "line": meta["line"]}
                     for meta in sorted(documents, key=lambda meta: meta["doc_id"])},
    }
    record = {"pipeline": __version__, "settings": described, "fingerprint": fingerprint,
              "keys": sorted({meta["key"] for meta in documents})}
    state = Path(out) / STATE_DIR
    write_text_atomic(state / SETTINGS_RECORDS / f"{fingerprint}.json",
                      json.dumps(record, separators=(",", ":")) + "\n")
    write_text_atomic(state / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")


def read_manifest(out: Path) -> dict | None:
    """The manifest of the tables in ``out``, None if there are none (or it is unreadable)."""
    try:
        return json.loads((Path(out) / STATE_DIR / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def settings_records(out: Path) -> Iterator[tuple[Path, dict]]:
    """(path, record) of every settings record in ``out``; unreadable ones as ``{}``."""
    for path in sorted((Path(out) / STATE_DIR / SETTINGS_RECORDS).glob("*.json")):
        try:
            yield path, json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            yield path, {}
