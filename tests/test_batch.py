"""Issue 5: incremental, deterministic, locked, safe-on-bad-input batch runs via the real CLI."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

from conftest import (SAMPLE, articles, deny_access, load_json, run_cli, sample_body,
                      summary_counts, table_bytes, write_jsonl)


def test_incremental_run_equals_a_full_run(corpus, tmp_path):
    write_jsonl(corpus / "a.jsonl", articles(20))
    out = tmp_path / "out"
    first = run_cli("run", corpus, "--out", out)
    assert first.exit_code == 0, first.output
    assert summary_counts(first) == "21 analysed, 0 reused, 0 removed"

    # add articles, change one, remove one
    changed = articles(20)
    changed[3]["text"] = "Sergej Lawrow sprach in Genf mit der OSZE."
    del changed[7]
    write_jsonl(corpus / "a.jsonl", changed)
    write_jsonl(corpus / "sub" / "b.jsonl", articles(5, offset=500, prefix="neu"))
    again = run_cli("run", corpus, "--out", out)
    assert again.exit_code == 0, again.output
    assert summary_counts(again) == "6 analysed, 19 reused, 1 removed"

    scratch = tmp_path / "scratch"
    full = run_cli("run", corpus, "--out", scratch)
    assert summary_counts(full) == "25 analysed, 0 reused, 0 removed"
    assert table_bytes(out) == table_bytes(scratch)
    ids = [d["doc_id"] for d in load_json(out, "documents")]
    assert "art-00007" not in ids and "neu-00500" in ids and len(ids) == 25
    assert ids == sorted(ids)
    shards = out / ".entity-pipeline" / "shards"
    assert len(list(shards.glob("*/*.json"))) == 27, "a run keeps removed articles' results"

    pruned = run_cli("prune", out)
    assert pruned.exit_code == 0, pruned.output
    assert pruned.stderr.startswith("Removed 2 stored results (")
    assert len(list(shards.glob("*/*.json"))) == 25, "prune deletes the removed and changed"
    unchanged = run_cli("run", corpus, "--out", out)
    assert summary_counts(unchanged) == "0 analysed, 25 reused, 0 removed"
    assert table_bytes(out) == table_bytes(scratch)


def test_force_and_option_changes_reprocess_and_switching_back_reuses(corpus, tmp_path):
    out = tmp_path / "out"
    counts = [summary_counts(run_cli("run", corpus, "--out", out, *options)) for options in (
        [], ["--force"], ["--no-normalize"], ["--no-normalize", "--tables", "all"],
        ["--no-normalize", "--tables", "all"], [], ["--tables", "all"], ["--no-normalize"],
        ["--tables", "all"])]
    analysed, reused = "1 analysed, 0 reused, 0 removed", "0 analysed, 1 reused, 0 removed"
    assert counts == [analysed, analysed, analysed, analysed, reused, reused, analysed, reused,
                      reused], "each setting analyses once; switching back reuses"
    manifest = json.loads((out / ".entity-pipeline" / "manifest.json").read_text())
    assert (manifest["settings"]["normalize"], manifest["settings"]["tokens"]) == (True, True)
    assert list(manifest["articles"]) == ["kasachstan-2022-01"]
    shards = out / ".entity-pipeline" / "shards"
    assert len(list(shards.glob("*/*.json"))) == 4
    kept = run_cli("prune", out)
    assert kept.stderr.startswith("Removed 0 stored results (0.0 MB) from ")
    assert "the latest results of 3 other settings" in kept.stderr
    assert len(list(shards.glob("*/*.json"))) == 4
    assert run_cli("prune", out, "--current-only").exit_code == 0
    assert len(list(shards.glob("*/*.json"))) == 1
    assert summary_counts(run_cli("run", corpus, "--out", out, "--tables", "all")) == reused


def test_one_and_two_workers_give_identical_bytes(corpus, tmp_path):
    write_jsonl(corpus / "a.jsonl", articles(40))
    one, two = tmp_path / "one", tmp_path / "two"
    assert run_cli("run", corpus, "--out", one, "--tables", "all").exit_code == 0
    result = run_cli("run", corpus, "--out", two, "--tables", "all", "--workers", "2",
                     "--batch-size", "7")
    assert result.exit_code == 0, result.output
    assert summary_counts(result) == "41 analysed, 0 reused, 0 removed"
    assert len(table_bytes(one)) == 12
    assert table_bytes(one) == table_bytes(two)


def test_second_run_on_the_same_output_is_refused(corpus, tmp_path):
    from pipeline.store import output_lock

    out = tmp_path / "out"
    with output_lock(out):
        result = run_cli("run", corpus, "--out", out)
    assert result.exit_code == 1
    assert f"another entity-pipeline run (pid {os.getpid()}) is writing to {out}" in (
        " ".join(result.stderr.split()))
    assert not (out / "documents.csv").exists()
    assert run_cli("run", corpus, "--out", out).exit_code == 0, "the lock is released"


def test_every_bad_input_gets_an_errors_row(corpus, tmp_path, monkeypatch):
    good = "Angela Merkel besuchte am Montag Paris."
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 50)
    (corpus / "latin1.txt").write_bytes("Grüße aus Köln an die Bürger.".encode("cp1252"))
    (corpus / "broken.txt").symlink_to(tmp_path / "does-not-exist.txt")
    (corpus / "secret.txt").write_text(good, encoding="utf-8")
    with open(corpus / "huge.txt", "wb") as stream:
        chunk = b"Kasachstan Almaty Tokajew " * 40_000
        for _ in range(100):
            stream.write(chunk)
    (corpus / "lines.jsonl").write_text(
        json.dumps({"id": "j1", "text": good}) + "\n{\"id\": \"j2\", \"text\": \"offen\n"
        + json.dumps({"id": "kasachstan-2022-01", "text": "Doppelt in Minsk."}) + "\n",
        encoding="utf-8")
    (corpus / "rows.csv").write_text('id,text\nc1,"Olaf Scholz war in Wien."\nc2,a,b\n',
                                     encoding="utf-8")
    deny_access(monkeypatch, corpus / "secret.txt")
    out = tmp_path / "out"
    result = run_cli("run", corpus, "--out", out)
    assert result.exit_code == 1, result.output
    errors = [(Path(e["source"]).name, e["line"], e["error"]) for e in load_json(out, "errors")]
    assert errors == [
        ("binary.txt", None, "binary"),
        ("broken.txt", None, "broken-symlink"),
        ("empty.txt", None, "empty"),
        ("huge.txt", None, "too-long"),
        ("latin1.txt", None, "not-utf8"),
        ("lines.jsonl", 2, "malformed-jsonl"),
        ("lines.jsonl", 3, "duplicate-id"),
        ("rows.csv", 3, "malformed-csv"),
        ("secret.txt", None, "unreadable"),
    ]
    documents = [(d["doc_id"], Path(d["file"]).name) for d in load_json(out, "documents")]
    assert documents == [("c1", "rows.csv"), ("j1", "lines.jsonl"),
                         ("kasachstan-2022-01", SAMPLE.name)]
    accounted = {name for name, *_ in errors} | {name for _, name in documents}
    assert accounted == {path.name for path in corpus.iterdir()}
    assert "9 inputs could not be processed" in result.stderr


def test_csv_is_spreadsheet_safe_and_json_exact(tmp_path):
    title = '=HYPERLINK("http://example.org","Klick")'
    text = "-Die ODKB schickt Truppen nach Almaty."
    write_jsonl(tmp_path / "in" / "a.jsonl", [{"id": "@x", "text": text, "title": title}])
    out = tmp_path / "out"
    assert run_cli("run", tmp_path / "in", "--out", out).exit_code == 0
    with open(out / "documents.csv", encoding="utf-8", newline="") as stream:
        [row] = list(csv.DictReader(stream))
    assert (row["doc_id"], row["title"]) == ("'@x", "'" + title)
    [document] = load_json(out, "documents")
    assert (document["doc_id"], document["title"], document["text"]) == ("@x", title, text)


def test_removed_articles_leave_the_tables(corpus, tmp_path):
    write_jsonl(corpus / "a.jsonl", articles(3))
    out = tmp_path / "out"
    run_cli("run", corpus, "--out", out)
    (corpus / "a.jsonl").unlink()
    run_cli("run", corpus, "--out", out)
    assert [d["doc_id"] for d in load_json(out, "documents")] == ["kasachstan-2022-01"]
    assert {m["doc_id"] for m in load_json(out, "mentions")} <= {"kasachstan-2022-01"}
    assert load_json(out, "documents")[0]["text"] == sample_body()


def test_output_folder_inside_the_input_is_skipped(corpus):
    out = corpus / "outputs"
    assert run_cli("run", corpus, "--out", out).exit_code == 0
    result = run_cli("run", corpus, "--out", out)
    assert (result.exit_code, summary_counts(result)) == (0, "0 analysed, 1 reused, 0 removed")
    shutil.rmtree(out)


def test_inputs_without_articles_leave_the_tables_alone(corpus, tmp_path):
    write_jsonl(corpus / "a.jsonl", articles(3))
    out = tmp_path / "out"
    assert run_cli("run", corpus, "--out", out).exit_code == 0
    before = table_bytes(out)
    manifest = (out / ".entity-pipeline" / "manifest.json").read_bytes()
    empty, bad = tmp_path / "leer", tmp_path / "kaputt"
    empty.mkdir()
    bad.mkdir()
    (bad / "latin1.txt").write_bytes("Grüße aus Köln.".encode("cp1252"))
    (bad / "leer.jsonl").write_bytes(b"\n")
    for inputs, errors in (([empty], 0), ([bad], 2), ([empty, bad], 2)):
        result = run_cli("run", *inputs, "--out", out)
        assert result.exit_code == 1, result.output
        lines = result.stderr.splitlines()
        assert lines[0] == (f"No articles in the inputs: the tables in {out} (4 articles) are "
                            "unchanged. Check the input paths (to empty the tables, delete "
                            "the folder).")
        if errors:
            assert lines[1] == (f"{errors} inputs could not be processed (not written to the "
                                "unchanged errors table):")
            assert lines[2].startswith(f"  {bad / 'latin1.txt'}: not-utf8: ")
        assert table_bytes(out) == before
        assert (out / ".entity-pipeline" / "manifest.json").read_bytes() == manifest
    again = run_cli("run", corpus, "--out", out)
    assert summary_counts(again) == "0 analysed, 4 reused, 0 removed", "stored results kept"


def test_a_fresh_run_without_articles_writes_empty_tables_and_says_so(tmp_path):
    (tmp_path / "leer").mkdir()
    result = run_cli("run", tmp_path / "leer", "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[3] == ("No articles in the inputs: the tables are empty. "
                                             "Check the input paths.")
    assert load_json(tmp_path / "out", "documents") == []


def test_the_summary_counts_the_articles_removed_from_the_tables(corpus, tmp_path):
    write_jsonl(corpus / "a.jsonl", articles(3))
    out = tmp_path / "out"
    run_cli("run", corpus, "--out", out)
    write_jsonl(corpus / "a.jsonl", articles(1))
    assert summary_counts(run_cli("run", corpus, "--out", out)) == "0 analysed, 2 reused, 2 removed"
    (corpus / SAMPLE.name).unlink()
    assert summary_counts(run_cli("run", corpus, "--out", out)) == "0 analysed, 1 reused, 1 removed"
    write_jsonl(corpus / "a.jsonl", articles(3))
    assert summary_counts(run_cli("run", corpus, "--out", out)) == "0 analysed, 3 reused, 0 removed"
