"""The JSONL route at scale (5,100 one-sentence articles), a run killed with SIGKILL, and Ctrl-C
in one process and with worker processes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import (ROOT, SAMPLE, articles, load_json, run_cli, summary_counts, table_bytes,
                      write_jsonl)

ARTICLES = 5100


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big") / "corpus"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    write_jsonl(folder / "news.jsonl", articles(ARTICLES))
    return folder


@pytest.fixture(scope="module")
def full_run(big_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("full") / "out"
    result = run_cli("run", big_corpus, "--out", out, "--batch-size", "128")
    assert result.exit_code == 0, result.output
    return out, result


def test_5100_article_jsonl_end_to_end(full_run, big_corpus):
    out, result = full_run
    documents = load_json(out, "documents")
    assert len(documents) == ARTICLES + 1
    assert result.stderr.startswith(f"{ARTICLES + 1:,} articles, ")
    assert summary_counts(result) == f"{ARTICLES + 1:,} analysed, 0 reused, 0 removed"
    texts = {document["doc_id"]: document["text"] for document in documents}
    expected = {a["id"]: a["text"] for a in articles(ARTICLES)}
    assert {key: texts[key] for key in expected} == expected
    assert all(d["sentences"] == 1 for d in documents if d["doc_id"] != SAMPLE.stem)
    mentions = load_json(out, "mentions")
    assert len(mentions) > ARTICLES
    for mention in mentions:
        assert texts[mention["doc_id"]][mention["start_char"]:mention["end_char"]] == (
            mention["text"])
    assert {m["label"] for m in mentions} >= {"PER", "LOC", "ORG"}
    assert load_json(out, "errors") == []


def test_sigkill_keeps_old_tables_and_resume_equals_an_uninterrupted_run(
        big_corpus, full_run, tmp_path):
    out = tmp_path / "out"
    old = run_cli("run", big_corpus / SAMPLE.name, "--out", out)
    assert old.exit_code == 0, old.output
    old_tables = table_bytes(out)
    shards = out / ".entity-pipeline" / "shards"
    run = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(big_corpus), "--out", str(out),
         "--batch-size", "4", "--quiet"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(30_000):  # wait (at most ~10 minutes) until some new results exist
            if run.poll() is not None or len(list(shards.glob("*/*.json"))) > 20:
                break
            time.sleep(0.02)
        run.send_signal(signal.SIGKILL)
    finally:
        returncode = run.wait()
    assert returncode == -signal.SIGKILL, "the run ended before it could be killed: " + (
        run.stderr.read().decode())
    assert table_bytes(out) == old_tables, "the previous tables are untouched"
    finished = len(list(shards.glob("*/*.json")))
    assert 20 < finished < ARTICLES

    resumed = run_cli("run", big_corpus, "--out", out, "--batch-size", "128")
    assert resumed.exit_code == 0, resumed.output
    assert summary_counts(resumed) == (
        f"{ARTICLES + 1 - finished:,} analysed, {finished:,} reused, 0 removed")
    assert table_bytes(out) == table_bytes(full_run[0])
    assert [p.name for p in out.rglob("*.tmp")] == []


def as_foreground_job() -> None:
    """Run in the child before it starts: SIGINT handled as in a terminal's foreground job, also
    when this test runner was started in the background, which makes it ignore SIGINT and pass
    that on to every process it starts (the run would then never see the Ctrl-C)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_keeps_old_tables_and_says_how_to_resume(big_corpus, full_run, tmp_path):
    out = tmp_path / "out"
    assert run_cli("run", big_corpus / SAMPLE.name, "--out", out).exit_code == 0
    old_tables = table_bytes(out)
    shards = out / ".entity-pipeline" / "shards"
    run = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(big_corpus), "--out", str(out),
         "--batch-size", "4"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        preexec_fn=as_foreground_job)
    try:
        for _ in range(30_000):
            if run.poll() is not None or len(list(shards.glob("*/*.json"))) > 20:
                break
            time.sleep(0.02)
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate()
    finally:
        run.kill()
    assert run.returncode == 130, stderr
    assert "Interrupted. Finished articles are saved" in stderr
    assert table_bytes(out) == old_tables
    finished = len(list(shards.glob("*/*.json")))
    resumed = run_cli("run", big_corpus, "--out", out, "--batch-size", "128")
    assert summary_counts(resumed) == (
        f"{ARTICLES + 1 - finished:,} analysed, {finished:,} reused, 0 removed")
    assert table_bytes(out) == table_bytes(full_run[0])


def worker_processes(pid: int) -> list[int]:
    """The worker processes ``pid`` spawned (from /proc; not multiprocessing's helpers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid and b"spawn_main" in command:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("moment", ["loading the model", "analysing"])
def test_ctrl_c_with_two_workers_is_quiet_and_leaves_no_process(big_corpus, tmp_path, moment):
    """Ctrl-C in a terminal sends SIGINT to the whole process group, workers included: while
    they load the model (Python code, where a KeyboardInterrupt would surface at once) or
    while they analyse."""
    out = tmp_path / "out"
    shards = out / ".entity-pipeline" / "shards"
    run = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(big_corpus), "--out", str(out),
         "--workers", "2", "--batch-size", "4"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=as_foreground_job)
    try:
        workers = []
        for _ in range(30_000):
            workers = workers if len(workers) == 2 else worker_processes(run.pid)
            if run.poll() is not None or (len(workers) == 2 and (
                    moment == "loading the model" or len(list(shards.glob("*/*.json"))) > 20)):
                break
            time.sleep(0.02)
        time.sleep(1 if moment == "loading the model" else 0)
        os.killpg(run.pid, signal.SIGINT)
        _, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130, stderr
    assert len(workers) == 2, "both workers were started"
    assert stderr == ("Interrupted. Finished articles are saved in " + str(out) + "; run the "
                      "same command again to resume. The previous tables are unchanged.\n")
    for _ in range(100):
        left = [pid for pid in workers if running(pid)]
        if not left:
            break
        time.sleep(0.1)
    assert left == [], "worker processes outlived the run"


def running(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting for its parent does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
