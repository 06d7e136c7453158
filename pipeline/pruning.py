"""Deleting stored results that no run will use again: ``entity-pipeline prune OUT``.

A run never deletes stored results: an article taken out of the inputs may come back, and the
results of other settings (``--tables all``, ``--no-normalize``, another model) are reused when
a run switches back to them. ``prune`` frees the space on request. It keeps

* the results the current tables use (the manifest's articles),
* unless ``current_only``: the results of the latest finished run with each other settings
  whose results are still valid (their fingerprint is unchanged: same pipeline version and
  model files), so that switching back stays free,
* results written after the latest finished run (an interrupted run's, kept for resuming),

and deletes the rest: results of articles removed from the inputs or changed, and of settings
that can never be reused (an older pipeline version, a changed or uninstalled model).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .read import STATE_DIR
from .settings import RunSettings
from .store import (MANIFEST, OutputUnusable, ShardStore, output_lock, read_manifest,
                    remove_run_temporaries, settings_records)


@dataclass
class PruneSummary:
    out: Path
    removed: int = 0  # stored results deleted
    removed_bytes: int = 0
    kept: int = 0  # stored results kept
    other_settings: int = 0  # settings besides the current tables' whose results were kept


def prune(out: str | os.PathLike, current_only: bool = False) -> PruneSummary:
    """Delete the stored results in ``out`` that the module docstring says are not needed.

    Raises ``OutputUnusable`` when ``out`` holds no tables of this pipeline, ``OutputBusy``
    when a run is writing to it.
    """
    out = Path(out)
    if not (out / STATE_DIR / MANIFEST).is_file():
        raise OutputUnusable(f"{out} holds no tables of entity-pipeline (no {STATE_DIR}/"
                             f"{MANIFEST}); give the --out folder of a finished run")
    with output_lock(out):
        remove_run_temporaries(out)
        manifest = read_manifest(out) or {}
        keep = {entry["key"] for entry in manifest.get("articles", {}).values()}
        summary = PruneSummary(out)
        current = manifest.get("settings", {}).get("fingerprint")
        for path, record in settings_records(out):
            if record.get("fingerprint") == current:
                continue
            if not current_only and _still_valid(record):
                keep.update(record["keys"])
                summary.other_settings += 1
            else:
                path.unlink(missing_ok=True)
        finished = (out / STATE_DIR / MANIFEST).stat().st_mtime_ns
        for path in ShardStore(out).paths():
            info = path.stat()
            if path.stem in keep or info.st_mtime_ns > finished:
                summary.kept += 1
                continue
            path.unlink(missing_ok=True)
            summary.removed += 1
            summary.removed_bytes += info.st_size
    return summary


def _still_valid(record: dict) -> bool:
    """Whether a settings record's results would be reused by a run with those settings now."""
    settings = record.get("settings")
    if not settings or "keys" not in record:
        return False
    tables = ("tokens",) if settings.get("tokens") else ()
    again = RunSettings(model=settings.get("model"), normalize=settings.get("normalize", True),
                        tables=tables)
    try:
        return again.fingerprint() == record.get("fingerprint")
    except OSError:  # the model folder is gone or unreadable: its results can never be reused
        return False
