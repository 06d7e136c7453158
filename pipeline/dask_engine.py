"""Analysing on a Dask cluster: ``DaskEngine``, the engine of ``--scheduler``.

The client (this process) keeps the run's job, as with ``LocalEngine``: it reads the inputs,
computes the keys, skips stored results, stores each result as it arrives and assembles the
tables. The cluster only runs ``analyse_on_worker``, which is ``analyse.analyse_batch`` behind a
check that the worker would compute the results their keys promise. So incremental runs, resume,
the output lock and byte-identical tables hold as for a local run.

Choices, and why:

* **The model loads once per worker process** through the per-process analyser that
  ``analyse_batch`` keeps, not through a worker plugin: it needs nothing registered on the
  cluster (a plugin outlives the run and applies to every client of a shared cluster), and it
  is the code path local worker processes take.
* **One thread per worker** (``--nthreads 1``; ``--scheduler local`` starts one-thread
  workers): a process has one analyser, and its lock lets one batch through at a time (spaCy's
  pipelines are not safe to share between threads, and their Python-level work holds the GIL),
  so a second thread adds no speed, only a batch waiting in the queue of a busy worker.
* **Coarse tasks** (one ``--batch-size`` batch each), as spaCy's maintainers advise for large
  jobs (spaCy issue #5111), and **a fixed number in flight** (two per worker thread), consumed
  as they complete: the client's memory stays flat however long the input.
* **Faults**: the scheduler reschedules the batches of a worker that dies; a batch that keeps
  killing its workers (``KilledWorker`` after ``distributed.scheduler.allowed-failures``: a
  crash or out-of-memory) is analysed again article by article, one at a time, and an article
  that still kills them becomes an ``errors`` row. No ``retries``: an article that raises is an
  ``errors`` row already, and what else raises (a worker that does not match) would fail again.
  A cluster without workers, or a lost scheduler, ends the run with ``ClusterError``; every
  result stored so far is kept.
* **Every worker is checked before the first batch** (``check_cluster``): the package, its
  version, its code, spaCy and the model's files must be those of the client. Workers that join
  later are checked by each batch on arrival (cached per process).

Dask is imported only here and only when an engine starts, so ``--help`` stays instant.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import replace

from . import about
from .analyse import MODEL_STAGE, ArticleResult, analyse_batch
from .model import describe_model, installed_version, model_fingerprint
from .settings import RunSettings, code_fingerprint

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'entity-pipeline[dask]'"
IN_FLIGHT_PER_THREAD = 2  # batches in flight per worker thread: one running, one waiting
POLL_SECONDS = 5.0  # how often the client looks at the cluster while no batch is done
NO_WORKERS_SECONDS = 60.0  # how long a run waits for a cluster without workers
CLOSE_SECONDS = 10  # how long the client and a local cluster may take to close
RESUME = "the results stored so far are kept: run the same command again to resume"


class ClusterSetupError(RuntimeError):
    """Dask is not installed, the scheduler cannot be reached, or a worker cannot compute the
    same results as this client (package, version, code, spaCy or model differ): a usage error
    (exit code 2), found before any batch is sent, or on the first batch of a late worker."""


class ClusterError(RuntimeError):
    """The cluster failed during the run (scheduler lost, no workers left, a batch raised):
    exit code 1; the results stored so far are kept."""


def require_dask() -> None:
    """Raise ``ClusterSetupError`` with the install command when Dask is missing."""
    try:
        import distributed  # noqa: F401
    except ImportError as error:
        raise ClusterSetupError(f"--scheduler needs Dask ({error}): {INSTALL_HINT}") from None


# --- what must match on the client and on every worker -----------------------------------------

def node_identity(model: str | None) -> dict[str, str]:
    """What decides a result besides its article and options: equal on the client and a
    worker means the worker's results are those the client's keys stand for."""
    return {"version": about.__version__, "spacy": installed_version("spacy"),
            "model": model_fingerprint(model), "code": code_fingerprint()}


def version_problem(found: str, client_version: str) -> str:
    """What to say about a scheduler or worker that has ``found`` instead of the client's
    version of the package."""
    return (f"has {found}, this client {client_version}: install the client's version with its "
            f"dask extra ({INSTALL_HINT}) on the scheduler and every worker")


def mismatch(client: dict[str, str], worker: dict[str, str], model: str | None) -> str | None:
    """Why a worker of this identity cannot analyse for the client; None when it can."""
    if worker["version"] != client["version"]:
        return version_problem(f"entity-pipeline {worker['version']}", client["version"])
    if worker["spacy"] != client["spacy"]:
        return f"has spaCy {worker['spacy']}, this client {client['spacy']}"
    if worker["model"] != client["model"]:
        return (f"has other files (or another spaCy data package) for the model "
                f"{describe_model(model)}: install the same model on the client and every "
                "worker, a model folder at the same path")
    if worker["code"] != client["code"]:
        return (f"runs other pipeline code than this client (both {client['version']}: a "
                "changed source tree or another pycountry): install the same build everywhere")
    return None


@functools.lru_cache(maxsize=4)
def _worker_identity(model: str | None) -> dict[str, str]:
    return node_identity(model)


def _worker_address() -> str:
    from distributed import get_worker

    try:
        return get_worker().address
    except ValueError:  # not on a worker (called directly)
        return "(this process)"


def analyse_on_worker(client_identity: dict[str, str], settings: RunSettings,
                      batch: list[tuple[str, str]]) -> list[ArticleResult]:
    """The task: ``analyse_batch`` on a worker that matches the client (checked once per
    process, so that a worker joining during the run is checked too)."""
    problem = mismatch(client_identity, _worker_identity(settings.model), settings.model)
    if problem:
        raise ClusterSetupError(f"Dask worker {_worker_address()} {problem}")
    return analyse_batch(settings, batch)


async def check_worker(client_identity: dict[str, str], settings: RunSettings) -> str | None:
    """Run on every worker before the first batch (``Client.run``): load the model (into the
    process's cache, where the first batch finds it) and compare identities; the problem, or
    None. The loading runs in a thread, so that the worker keeps answering its scheduler."""
    import asyncio

    from .model import ModelNotFoundError, load_model

    def check() -> str | None:
        try:
            load_model(settings.model, lemmas=settings.with_tokens)
        except ModelNotFoundError as error:
            return (f"cannot load the model: {error} The model must be installed on every "
                    "worker (a model folder at the same path as on the client).")
        return mismatch(client_identity, _worker_identity(settings.model), settings.model)

    return await asyncio.to_thread(check)


# --- the engine --------------------------------------------------------------------------------

class DaskEngine:
    """Batches analysed on a Dask cluster: ``scheduler`` is ``"local"`` (a ``LocalCluster`` of
    ``workers`` one-thread processes), a scheduler address (``tcp://HOST:8786``), or a
    ``distributed.Client``, which is used as it is and left open."""

    def __init__(self, settings: RunSettings, scheduler, workers: int = 1):
        require_dask()
        # Workers load the model by the client's resolved path, whatever their working folder.
        self.settings = replace(settings, model=describe_model(settings.model))
        self.scheduler = scheduler
        self.workers = workers
        self.client = None
        self.where = "the Dask cluster"  # for messages: which cluster
        self._owned: list = []  # the client and cluster this engine started, closed by it
        self._in_flight: dict = {}  # future -> its batch
        # Articles of batches that killed their workers, analysed alone and one at a time, so
        # that no other suspect shares a worker with them (a worker's death counts against
        # every task on it): (key, text), and the future of the one in flight.
        self._suspects: deque[tuple[str, str]] = deque()
        self._suspect = None

    def results(self, batches: Iterable[list[tuple[str, str]]]) -> Iterator[ArticleResult]:
        batches = iter(batches)
        first = next(batches, None)
        if first is None:  # everything reused: no cluster needed
            return
        try:
            self.client = self._connect()
            identity = check_cluster(self.client, self.settings, self.where)
            yield from self._analyse(itertools.chain([first], batches), identity)
        finally:  # also when the caller stops early
            self.close()

    def _connect(self):
        from distributed import Client

        if isinstance(self.scheduler, Client):
            self.where = f"the Dask scheduler at {self.scheduler.scheduler.address}"
            return self.scheduler
        if self.scheduler == "local":
            self.where = "the local Dask cluster"
            cluster = start_local_cluster(self.workers)
            self._owned.append(cluster)
            client = Client(cluster)
        else:
            self.where = f"the Dask scheduler at {self.scheduler}"
            if self.workers > 1:
                log.warning("--workers is ignored with --scheduler %s: the cluster's workers "
                            "do the work", self.scheduler)
            try:
                client = Client(self.scheduler)
            except (OSError, TimeoutError, ValueError) as error:
                raise ClusterSetupError(
                    f"cannot reach {self.where} ({error}); start one with `dask scheduler`, "
                    "or check the address") from None
        self._owned.insert(0, client)
        return client

    def _analyse(self, batches: Iterator[list[tuple[str, str]]],
                 identity: dict[str, str]) -> Iterator[ArticleResult]:
        """Keep a fixed number of batches in flight; yield each batch's results as it is done."""
        watch = ClusterWatch(self.client, self.where)
        for batch in batches:
            self._submit(identity, batch)
            while len(self._in_flight) >= watch.in_flight_limit:
                yield from self._next_done(identity, watch)
        while self._in_flight or self._suspects:
            yield from self._next_done(identity, watch)

    def _submit(self, identity: dict[str, str], batch: list[tuple[str, str]]):
        future = self.client.submit(analyse_on_worker, identity, self.settings, batch,
                                    pure=False)
        self._in_flight[future] = batch
        return future

    def _next_done(self, identity: dict[str, str],
                   watch: ClusterWatch) -> Iterator[ArticleResult]:
        """The results of the batches done next (waiting at most ``POLL_SECONDS``, then looking
        at the cluster)."""
        from distributed import CancelledError, KilledWorker, wait

        if self._suspect is None and self._suspects:
            self._suspect = self._submit(identity, [self._suspects.popleft()])
        try:
            done, _ = wait(list(self._in_flight), timeout=POLL_SECONDS,
                           return_when="FIRST_COMPLETED")
            watch.saw_progress()
            for future in done:
                batch = self._in_flight.pop(future)
                if future is self._suspect:
                    self._suspect = None
                try:
                    yield from future.result()
                except KilledWorker:
                    yield from self._killed_workers(batch)
        except TimeoutError:
            watch.check()
        except CancelledError:
            raise ClusterError(f"lost the connection to {self.where}; {RESUME}") from None
        except (ClusterSetupError, ClusterError):
            raise
        except ImportError as error:  # a worker that joined without the package
            raise ClusterSetupError(f"a Dask worker cannot import the pipeline ({error}): "
                                    f"{INSTALL_HINT} on every worker") from None
        except Exception as error:  # noqa: BLE001 - one line, not a traceback from the cluster
            raise ClusterError(f"a batch failed on {self.where}: {type(error).__name__}: "
                               f"{error}; {RESUME}") from None

    def _killed_workers(self, batch: list[tuple[str, str]]) -> Iterator[ArticleResult]:
        """A batch that killed its workers again and again: its articles become suspects, and
        a suspect that does so alone becomes an errors row."""
        if len(batch) > 1:
            log.warning("a batch of %d articles killed Dask workers repeatedly; analysing its "
                        "articles one by one", len(batch))
            self._suspects.extend(batch)
            return
        yield ArticleResult(batch[0][0], None, MODEL_STAGE,
                            "the Dask workers analysing this article died repeatedly "
                            "(out of memory, or a crash)")

    def close(self) -> None:
        """Cancel what is still in flight; close the client and cluster this engine started.
        They close in a thread of their own (a cluster takes a second or more to stop its
        workers), while the run assembles the tables; the process waits for it at exit."""
        in_flight, self._in_flight = list(self._in_flight), {}
        self._suspects.clear()
        self._suspect = None
        if in_flight and self.client is not None and self.client.status == "running":
            self.client.cancel(in_flight)
        owned, self._owned = self._owned, []
        if owned:
            threading.Thread(target=_close_all, args=(owned,), name="close-dask").start()


def _close_all(owned: list) -> None:
    for thing in owned:
        try:
            thing.close(timeout=CLOSE_SECONDS)
        except Exception as error:  # noqa: BLE001 - a lost cluster may fail to close
            log.debug("closing %s: %s", thing, error)


# ``--scheduler local`` runs the scheduler in this client's process and the workers beside it, on
# the cores that analyse: Dask's own background work there is cut to what a run needs. Its
# profiler samples the running task's stack every 10 ms (a tenth of a run's CPU time); each of
# its servers (the scheduler, every nanny and worker) checks its event loop's latency every
# 20 ms, for a warning after 3 s of blocking, which a check every 0.5 s still gives (a third of
# the scheduler process's background CPU); the GIL monitor (with ``gilknocker`` installed) wakes
# every 1 ms to feed the dashboard, which a local run does not start.
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False,
                        "distributed.admin.tick.interval": "500ms",
                        "distributed.admin.system-monitor.gil.enabled": False}


def start_local_cluster(workers: int):
    """``--scheduler local``: ``workers`` one-thread worker processes on the loopback interface,
    without the dashboard, with ``LOCAL_CLUSTER_CONFIG`` (the nannies pass it on)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            host="127.0.0.1", silence_logs=logging.ERROR,
                            dashboard_address=None,  # no dashboard; its HTTP server:
                            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})


def check_cluster(client, settings: RunSettings, where: str) -> dict[str, str]:
    """Wait for a worker, then check that the scheduler and every worker have this client's
    entity-pipeline version and that every worker matches it (``check_worker``): the client's
    identity, or ``ClusterSetupError`` naming the first that does not."""
    import importlib.metadata

    try:
        client.wait_for_workers(1, timeout=NO_WORKERS_SECONDS)
    except TimeoutError:
        raise ClusterSetupError(
            f"{where} has no workers (waited {NO_WORKERS_SECONDS:.0f} s): start some with "
            "`dask worker SCHEDULER-ADDRESS`") from None
    identity = node_identity(settings.model)
    # The scheduler unpickles the tasks, and the workers run them: the package is needed on
    # both. Its version is asked of the standard library, which every Python can unpickle.
    versions = {f"Dask worker {worker}": version for worker, version in client.run(
        importlib.metadata.version, "entity-pipeline", on_error="return").items()}
    try:
        versions["the Dask scheduler"] = client.run_on_scheduler(importlib.metadata.version,
                                                                 "entity-pipeline")
    except importlib.metadata.PackageNotFoundError as error:
        versions["the Dask scheduler"] = error
    for node, version in sorted(versions.items()):
        if version != identity["version"]:
            found = "no entity-pipeline" if isinstance(version, Exception) else (
                f"entity-pipeline {version}")
            raise ClusterSetupError(f"{node} {version_problem(found, identity['version'])}")
    answers = client.run(check_worker, identity, settings, on_error="return")
    for worker, answer in sorted(answers.items()):
        if isinstance(answer, Exception):
            answer = f"failed the check: {type(answer).__name__}: {answer}"
        if answer:
            raise ClusterSetupError(f"Dask worker {worker} {answer}")
    return identity


class ClusterWatch:
    """The client's view of the cluster while batches are in flight: how many batches to keep
    in flight (two per worker thread, as the cluster grows or shrinks), and how long it has had
    no workers."""

    def __init__(self, client, where: str):
        self.client = client
        self.where = where
        self.in_flight_limit = IN_FLIGHT_PER_THREAD
        self._no_workers_since: float | None = None
        self._looked = 0.0
        self.check()

    def saw_progress(self) -> None:
        """A batch came back: look at the cluster again now and then, for its size."""
        if time.monotonic() - self._looked > POLL_SECONDS:
            self.check()

    def check(self) -> None:
        """Refresh the in-flight limit; ``ClusterError`` when no worker has been there for
        ``NO_WORKERS_SECONDS``."""
        try:
            threads = sum(self.client.nthreads().values())
        except OSError as error:
            raise ClusterError(f"lost {self.where} ({error}); {RESUME}") from None
        self._looked = time.monotonic()
        self.in_flight_limit = IN_FLIGHT_PER_THREAD * max(1, threads)
        if threads:
            self._no_workers_since = None
        elif self._no_workers_since is None:
            self._no_workers_since = self._looked
        elif self._looked - self._no_workers_since > NO_WORKERS_SECONDS:
            raise ClusterError(f"{self.where} has had no workers for "
                               f"{NO_WORKERS_SECONDS:.0f} s; {RESUME}")
