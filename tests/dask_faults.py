"""A fault for tests/test_dask.py, imported by the Dask scheduler and workers the test starts:
a task that kills its worker process when its batch holds a poisoned article, as a crash or
the kernel's out-of-memory killer would."""

from __future__ import annotations

import os

from pipeline.dask_engine import analyse_on_worker

POISON = "Giftartikel"


def analyse_or_die(client_identity: dict, settings, batch: list[tuple[str, str]]):
    if any(POISON in text for _, text in batch):
        os._exit(1)
    return analyse_on_worker(client_identity, settings, batch)
