"""The JSONL route at scale (5,100 one-sentence articles) and a run killed with SIGKILL."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SAMPLE, articles, load_json, run_cli, table_bytes, write_jsonl

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
    assert result.stderr.startswith(
        f"{ARTICLES + 1:,} articles ({ARTICLES + 1:,} analysed, 0 reused)")
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
    assert resumed.stderr.startswith(
        f"{ARTICLES + 1:,} articles ({ARTICLES + 1 - finished:,} analysed, {finished:,} reused)")
    assert table_bytes(out) == table_bytes(full_run[0])
    assert [p.name for p in out.rglob("*.tmp")] == []


def test_ctrl_c_keeps_old_tables_and_says_how_to_resume(big_corpus, full_run, tmp_path):
    out = tmp_path / "out"
    assert run_cli("run", big_corpus / SAMPLE.name, "--out", out).exit_code == 0
    old_tables = table_bytes(out)
    shards = out / ".entity-pipeline" / "shards"
    run = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(big_corpus), "--out", str(out),
         "--batch-size", "4"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
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
    assert f"({ARTICLES + 1 - finished:,} analysed, {finished:,} reused)" in resumed.stderr
    assert table_bytes(out) == table_bytes(full_run[0])
