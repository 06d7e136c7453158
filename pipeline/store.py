"""The state a run keeps in ``OUT/.entity-pipeline/``: result shards, the manifest, the lock.

* ``shards/``: one JSON file per analysed article text, named by its content key
  (``settings.article_key``), written atomically as soon as the article is done. A killed run
  loses at most the batches in flight; the next run finds the rest here.
* ``manifest.json``: which articles, settings and fingerprint produced the tables.
* ``lock``: ``fcntl.flock`` keeps a second run off the folder. The kernel drops the lock when a
  process dies, so a killed run leaves no stale lock behind.

Deleting the folder is safe: the next run analyses everything again.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

from .about import __version__
from .files import remove_temporaries, write_text_atomic
from .read import STATE_DIR  # the reader never reads a folder that holds one
from .settings import RunSettings


class OutputBusy(RuntimeError):
    """Another run holds the lock on the output folder."""


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

    def prune(self, keep: set[str]) -> int:
        """Delete the shards of articles no longer in the inputs; how many."""
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
    state = Path(out) / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(state / "lock", os.O_RDWR | os.O_CREAT, 0o644)
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


def remove_run_temporaries(out: Path) -> None:
    """Temporary files left by a killed run are never complete: delete them."""
    state = Path(out) / STATE_DIR
    for folder in (Path(out), state, *(state / "shards").glob("*")):
        remove_temporaries(folder)


def write_manifest(out: Path, settings: RunSettings, fingerprint: str,
                   documents: list[dict]) -> None:
    """Record which articles (doc_id → key, source, line) and settings made the tables."""
    from .model import describe_model

    manifest = {
        "pipeline": __version__,
        "settings": {"model": describe_model(settings.model), "normalize": settings.normalize,
                     "tokens": settings.with_tokens, "fingerprint": fingerprint},
        "articles": {meta["doc_id"]: {"key": meta["key"], "source": meta["source"],
                                      "line": meta["line"]}
                     for meta in sorted(documents, key=lambda meta: meta["doc_id"])},
    }
    write_text_atomic(Path(out) / STATE_DIR / "manifest.json",
                      json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
