"""Issue 16: the run on a real Dask cluster (`dask scheduler` and `dask worker` processes on
127.0.0.1): the tables of a local run, a SIGKILLed worker loses nothing, incremental reruns,
and one clear message for a cluster that cannot do the work."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import (ROOT, SAMPLE, SHARED_DATA, articles, load_json, run_cli, summary_counts,
                      table_bytes, write_jsonl)

pytest.importorskip("distributed", reason="the dask extra is not installed")

from dask_cluster import LOOPBACK, STARTUP_SECONDS, Cluster, start_cluster  # noqa: E402

GNAD = SHARED_DATA / "10kgnad" / "test.csv"
GNAD_ARTICLES = 200
RUN_SECONDS = 600


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers (with nannies, which restart a killed worker), shared by
    the tests that leave it whole."""
    running = start_cluster(tmp_path_factory.mktemp("cluster"), 2)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def whole_cluster(cluster):
    """The shared cluster with both its workers (a worker a test killed is back)."""
    cluster.client.wait_for_workers(2, timeout=STARTUP_SECONDS)
    return cluster


# --- the corpus: the sample article and 200 real news articles ---------------------------------

def gnad_texts(count: int) -> list[str]:
    spec = importlib.util.spec_from_file_location("throughput",
                                                  ROOT / "benchmarks" / "throughput.py")
    throughput = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(throughput)
    return throughput.load_texts(GNAD, count)


def make_corpus(base: Path, texts: list[str]) -> Path:
    """``base/corpus``: the sample and the news as JSONL. Runs use the relative paths
    ``corpus`` and ``out`` from ``base``, so every copy gives the same tables."""
    folder = base / "corpus"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    write_jsonl(folder / "news.jsonl", [{"id": f"gnad-{number:05d}", "text": text}
                                        for number, text in enumerate(texts)])
    return base


def run_in(base: Path, monkeypatch, *options):
    monkeypatch.chdir(base)
    return run_cli("run", "corpus", "--out", "out", "--tables", "all", "--quiet", *options)


def summary(base: Path, monkeypatch, *options) -> str:
    monkeypatch.chdir(base)
    result = run_cli("run", "corpus", "--out", "out", "--tables", "all", *options)
    assert result.exit_code == 0, result.output
    return summary_counts(result)


@pytest.fixture(scope="module")
def news():
    if not GNAD.exists():
        pytest.skip(f"10kGNAD not found at {GNAD}")
    return gnad_texts(GNAD_ARTICLES)


@pytest.fixture(scope="module")
def reference(news, tmp_path_factory):
    """The tables of a local one-process run over the corpus."""
    base = make_corpus(tmp_path_factory.mktemp("reference"), news)
    with pytest.MonkeyPatch.context() as monkeypatch:
        result = run_in(base, monkeypatch, "--workers", "1")
    assert result.exit_code == 0, result.output
    tables = table_bytes(base / "out")
    assert len(tables) == 12
    return tables


# --- the same tables on the cluster ------------------------------------------------------------

def test_cluster_run_gives_the_tables_of_a_local_run(whole_cluster, news, reference, tmp_path,
                                                    monkeypatch):
    base = make_corpus(tmp_path, news)
    counts = summary(base, monkeypatch, "--scheduler", whole_cluster.address,
                     "--batch-size", "8")
    assert counts == f"{GNAD_ARTICLES + 1} analysed, 0 reused, 0 removed"
    assert table_bytes(base / "out") == reference


def stored(base: Path) -> int:
    return len(list((base / "out" / ".entity-pipeline" / "shards").glob("*/*.json")))


def run_until_stored(base: Path, scheduler: str, count: int) -> subprocess.Popen:
    """Start ``entity-pipeline run`` on ``base`` on the cluster; return it, still running,
    once it has stored ``count`` results."""
    run = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", "corpus", "--out", "out", "--tables", "all",
         "--batch-size", "2", "--quiet", "--scheduler", scheduler],
        cwd=base, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + RUN_SECONDS
    while run.poll() is None and stored(base) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    if run.poll() is not None or stored(base) < count:
        run.kill()
        pytest.fail(f"the run stored {stored(base)} results and ended ({run.returncode}) or "
                    f"hung: {run.communicate()[1]}")
    return run


def test_a_worker_killed_mid_run_loses_nothing(whole_cluster, news, reference, tmp_path):
    base = make_corpus(tmp_path, news)
    [victim, *_] = whole_cluster.worker_pids().values()
    run = run_until_stored(base, whole_cluster.address, 20)
    try:
        os.kill(victim, signal.SIGKILL)
        _, stderr = run.communicate(timeout=RUN_SECONDS)
    finally:
        run.kill()
    assert run.returncode == 0, stderr
    assert victim not in whole_cluster.worker_pids().values()
    assert table_bytes(base / "out") == reference


def test_a_killed_client_resumes_and_a_rerun_analyses_only_new_articles(
        whole_cluster, news, tmp_path, monkeypatch):
    local = make_corpus(tmp_path / "local", news[:40])
    assert summary(local, monkeypatch) == "41 analysed, 0 reused, 0 removed"
    base = make_corpus(tmp_path / "cluster", news[:30])
    scheduler = ("--scheduler", whole_cluster.address)
    client = run_until_stored(base, whole_cluster.address, 6)
    client.kill()  # SIGKILL: no goodbye to the scheduler
    client.communicate()
    kept = stored(base)
    assert 6 <= kept < 31
    assert summary(base, monkeypatch, *scheduler) == (
        f"{31 - kept} analysed, {kept} reused, 0 removed")
    shutil.rmtree(base / "corpus")
    make_corpus(base, news[:40])
    assert summary(base, monkeypatch, *scheduler) == "10 analysed, 31 reused, 0 removed"
    assert table_bytes(base / "out") == table_bytes(local / "out")
    assert summary(base, monkeypatch, *scheduler) == "0 analysed, 41 reused, 0 removed"


def test_library_run_on_an_existing_client_leaves_it_open(whole_cluster, corpus, tmp_path):
    import pipeline

    write_jsonl(corpus / "a.jsonl", articles(12))
    assert pipeline.run([corpus], tmp_path / "local").exit_code == 0
    on_cluster = pipeline.run([corpus], tmp_path / "cluster", scheduler=whole_cluster.client,
                              batch_size=3)
    assert (on_cluster.exit_code, on_cluster.processed) == (0, 13)
    assert whole_cluster.client.status == "running"
    assert table_bytes(tmp_path / "cluster") == table_bytes(tmp_path / "local")


def test_scheduler_local_starts_a_cluster_of_worker_processes(corpus, tmp_path):
    write_jsonl(corpus / "a.jsonl", articles(30))
    assert run_cli("run", corpus, "--out", tmp_path / "local").exit_code == 0
    result = run_cli("run", corpus, "--out", tmp_path / "dask", "--scheduler", "local",
                     "--workers", "2", "--batch-size", "4")
    assert result.exit_code == 0, result.output
    assert summary_counts(result) == "31 analysed, 0 reused, 0 removed"
    assert table_bytes(tmp_path / "dask") == table_bytes(tmp_path / "local")


def _background_work(dask_worker) -> dict:
    """A Dask server's periodic work: {name: every how many ms} (``Client.run`` passes a
    worker as ``dask_worker``)."""
    return {name: callback.callback_time
            for name, callback in dask_worker.periodic_callbacks.items()}


def test_a_local_cluster_keeps_dasks_background_work_rare():
    """The scheduler (in the client's process) and the workers share the analysing cores."""
    from distributed import Client

    from pipeline.dask_engine import start_local_cluster

    cluster = start_local_cluster(1)
    try:
        with Client(cluster) as client:
            [worker] = client.run(_background_work).values()
        nannies = [_background_work(nanny) for nanny in cluster.workers.values()]
        scheduler = _background_work(cluster.scheduler)
    finally:
        cluster.close()
    assert [server["tick"] for server in (scheduler, *nannies, worker)] == [500] * 3
    assert "profile" not in worker  # Dask's profiler is off


# --- a cluster that cannot do the work: one line, the right exit code --------------------------

def assert_one_line_error(result, code: int, *parts: str) -> str:
    assert result.exit_code == code, result.output
    [line] = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    message = " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    for part in parts:
        assert part in message, message
    return line


def test_without_dask_scheduler_says_how_to_install_it(corpus, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now fails
    result = run_cli("run", corpus, "--out", tmp_path / "out", "--scheduler", "local")
    assert_one_line_error(result, 2, "--scheduler needs Dask",
                          "pip install 'entity-pipeline[dask]'")
    assert not (tmp_path / "out").exists(), "a usage error, found before --out is made"


def test_unreachable_scheduler_is_a_usage_error(corpus, tmp_path):
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = run_cli("run", corpus, "--out", tmp_path / "out", "--scheduler",
                         f"tcp://{LOOPBACK}:9")  # the discard port: nothing listens
    assert_one_line_error(result, 2, f"cannot reach the Dask scheduler at tcp://{LOOPBACK}:9",
                          "dask scheduler")


def test_a_scheduler_without_workers_is_a_usage_error(corpus, tmp_path, monkeypatch):
    from pipeline import dask_engine

    monkeypatch.setattr(dask_engine, "NO_WORKERS_SECONDS", 1)
    empty = Cluster(tmp_path)
    try:
        empty.start_scheduler()
        result = run_cli("run", corpus, "--out", tmp_path / "out", "--scheduler", empty.address)
    finally:
        empty.stop()
    assert_one_line_error(result, 2, f"the Dask scheduler at {empty.address} has no workers",
                          "dask worker")


def test_a_model_only_on_the_client_stops_before_any_batch(whole_cluster, corpus, tmp_path,
                                                          monkeypatch):
    package = tmp_path / "client-only" / "de_client_only_news"  # importable here only
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(package.parent))
    out = tmp_path / "out"
    result = run_cli("run", corpus, "--out", out, "--model", package.name,
                     "--scheduler", whole_cluster.address)
    assert_one_line_error(result, 2, "Dask worker tcp://127.0.0.1:", "cannot load the model",
                          f"spaCy model '{package.name}' is not installed",
                          "must be installed on every worker")
    assert not list(out.glob(".entity-pipeline/shards/*/*"))
    assert not (out / "documents.csv").exists()


def test_a_worker_of_another_version_stops_before_any_batch(whole_cluster, corpus, tmp_path,
                                                           monkeypatch):
    from pipeline import about

    installed = about.__version__
    monkeypatch.setattr(about, "__version__", "0.0.1")  # this client; the workers: installed
    out = tmp_path / "out"
    result = run_cli("run", corpus, "--out", out, "--scheduler", whole_cluster.address)
    assert_one_line_error(result, 2, "Dask worker tcp://127.0.0.1:",
                          f"has entity-pipeline {installed}, this client 0.0.1",
                          "pip install 'entity-pipeline[dask]'")
    assert not list(out.glob(".entity-pipeline/shards/*/*"))


# A worker preload: this worker runs another version, and joins its scheduler only once the
# gate file exists (after the run has checked the workers it found).
LATE_OLD_WORKER = """
import asyncio
import os

from pipeline import about

about.__version__ = "0.0.9"


async def dask_setup(worker):
    while not os.path.exists({gate!r}):
        await asyncio.sleep(0.05)
"""


def test_a_worker_that_joins_during_the_run_with_another_version_stops_it(
        whole_cluster, news, tmp_path, monkeypatch):
    from pipeline import dask_engine

    monkeypatch.setattr(dask_engine, "POLL_SECONDS", 0.5)  # the run sees a new worker soon
    gate = tmp_path / "gate"
    preload = tmp_path / "late_old_worker.py"
    preload.write_text(LATE_OLD_WORKER.format(gate=str(gate)))
    late = whole_cluster.start_worker("--preload", preload)
    base = make_corpus(tmp_path / "run", news)
    try:
        result, _ = run_in_process_until(base, whole_cluster.address, gate.touch, count=2)
    finally:
        whole_cluster.stop_process(late)
    assert_one_line_error(result, 2, "Dask worker tcp://127.0.0.1:",
                          "has entity-pipeline 0.0.9, this client")
    assert 2 <= stored(base) < GNAD_ARTICLES + 1, "the results so far are kept"


def test_a_worker_that_joins_later_is_checked_by_its_first_batch():
    from pipeline.dask_engine import ClusterSetupError, analyse_on_worker, node_identity
    from pipeline.settings import RunSettings

    settings = RunSettings()
    client = node_identity(settings.model)
    [result] = analyse_on_worker(client, settings, [("k", "Olaf Scholz reiste nach Wien.")])
    assert [m["text"] for m in result.shard["mentions"]] == ["Olaf Scholz", "Wien"]
    with pytest.raises(ClusterSetupError, match="has entity-pipeline .*, this client 9.9"):
        analyse_on_worker(dict(client, version="9.9"), settings, [("k", "Wien")])


@pytest.mark.parametrize("part, says", [
    ("spacy", "has spaCy 3.8.18, this client 0.0"),
    ("model", "has other files (or another spaCy data package) for the model embedded"),
    ("code", "runs other pipeline code than this client"),
])
def test_every_difference_of_a_worker_is_named(part, says):
    from pipeline.dask_engine import mismatch

    worker = {"version": "0.1.0", "spacy": "3.8.18", "model": "m", "code": "c"}
    assert mismatch(worker, worker, None) is None
    client = dict(worker, **{part: "0.0"})
    assert says in mismatch(client, worker, None)


# --- the cluster going away: exit 1, the stored results kept -----------------------------------

def run_in_process_until(base: Path, scheduler: str, then, count: int = 8) -> tuple:
    """Run the CLI on ``base`` in this process (so that a test can change the engine's
    timeouts); once ``count`` results are stored, call ``then()`` in another thread. The
    result and the results stored when ``then`` ran."""
    stored_then: list[int] = []

    def watch():
        deadline = time.monotonic() + RUN_SECONDS
        while stored(base) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        stored_then.append(stored(base))
        then()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with pytest.MonkeyPatch.context() as monkeypatch:
        result = run_in(base, monkeypatch, "--scheduler", scheduler, "--batch-size", "2")
    watcher.join(RUN_SECONDS)
    return result, stored_then


@pytest.mark.parametrize("lose", ["scheduler", "workers"])
def test_a_lost_cluster_ends_the_run_and_the_next_run_resumes(lose, news, tmp_path,
                                                              monkeypatch):
    from pipeline import dask_engine

    monkeypatch.setattr(dask_engine, "NO_WORKERS_SECONDS", 3)
    monkeypatch.setattr(dask_engine, "POLL_SECONDS", 1)
    lost = start_cluster(tmp_path / "cluster", 1, "--no-nanny")  # a killed worker stays dead
    base = make_corpus(tmp_path / "run", news[:40])
    try:
        target = lost.processes[0] if lose == "scheduler" else lost.processes[1]
        result, [stored_then] = run_in_process_until(
            base, lost.address, lambda: os.killpg(target.pid, signal.SIGKILL))
    finally:
        lost.stop()
    expected = ("lost the connection to the Dask scheduler" if lose == "scheduler"
                else "has had no workers for 3 s")
    assert_one_line_error(result, 1, expected, "run the same command again to resume")
    assert not (base / "out" / "documents.csv").exists()
    kept = stored(base)
    assert 8 <= stored_then <= kept < 41
    assert summary(base, monkeypatch) == f"{41 - kept} analysed, {kept} reused, 0 removed"


def test_an_article_that_kills_its_workers_becomes_an_errors_row(tmp_path, monkeypatch):
    import dask_faults
    from pipeline import dask_engine

    # The scheduler gives up on a task after its first lost worker; the test's scheduler and
    # workers import the fault from this folder.
    env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0",
               PYTHONPATH=os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]))
    crashing = start_cluster(tmp_path / "cluster", 1, env=env)
    news = articles(5)
    news[2]["text"] += f" {dask_faults.POISON}."
    write_jsonl(tmp_path / "corpus" / "news.jsonl", news)
    monkeypatch.setattr(dask_engine, "analyse_on_worker", dask_faults.analyse_or_die)
    try:
        result = run_cli("run", tmp_path / "corpus", "--out", tmp_path / "out",
                         "--scheduler", crashing.address, "--batch-size", "5")
    finally:
        crashing.stop()
    assert result.exit_code == 1, result.output
    assert "analysing its articles one by one" in result.stderr
    [error] = load_json(tmp_path / "out", "errors")
    assert (error["doc_id"], error["error"], error["stage"]) == (
        "art-00002", "processing-failed", "extract")
    assert error["message"].startswith("the Dask workers analysing this article died repeatedly")
    assert [d["doc_id"] for d in load_json(tmp_path / "out", "documents")] == [
        "art-00000", "art-00001", "art-00003", "art-00004"]
