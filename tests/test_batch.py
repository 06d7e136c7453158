"""Issue 5: incremental, deterministic, locked, safe-on-bad-input batch runs via the real CLI."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

from conftest import (SAMPLE, articles, deny_access, load_json, run_cli, sample_body,
                      table_bytes, write_jsonl)


def summary_counts(result) -> str:
    """The '(N analysed, M reused)' part of the summary line."""
    first = result.stderr.splitlines()[0]
    return first[first.index("(") + 1:first.index(")")]


def test_incremental_run_equals_a_full_run(corpus, tmp_path):
    write_jsonl(corpus / "a.jsonl", articles(20))
    out = tmp_path / "out"
    first = run_cli("run", corpus, "--out", out)
    assert first.exit_code == 0, first.output
    assert summary_counts(first) == "21 analysed, 0 reused"

    # add articles, change one, remove one
    changed = articles(20)
    changed[3]["text"] = "Sergej Lawrow sprach in Genf mit der OSZE."
    del changed[7]
    write_jsonl(corpus / "a.jsonl", changed)
    write_jsonl(corpus / "sub" / "b.jsonl", articles(5, offset=500, prefix="neu"))
    again = run_cli("run", corpus, "--out", out)
    assert again.exit_code == 0, again.output
    assert summary_counts(again) == "6 analysed, 19 reused"

    scratch = tmp_path / "scratch"
    full = run_cli("run", corpus, "--out", scratch)
    assert summary_counts(full) == "25 analysed, 0 reused"
    assert table_bytes(out) == table_bytes(scratch)
    ids = [d["doc_id"] for d in load_json(out, "documents")]
    assert "art-00007" not in ids and "neu-00500" in ids and len(ids) == 25
    assert ids == sorted(ids)
    shards = list((out / ".entity-pipeline" / "shards").glob("*/*.json"))
    assert len(shards) == 25, "shards of removed or changed articles are pruned"

    unchanged = run_cli("run", corpus, "--out", out)
    assert summary_counts(unchanged) == "0 analysed, 25 reused"
    assert table_bytes(out) == table_bytes(scratch)


def test_force_and_option_changes_reprocess(corpus, tmp_path):
    out = tmp_path / "out"
    assert summary_counts(run_cli("run", corpus, "--out", out)) == "1 analysed, 0 reused"
    assert summary_counts(run_cli("run", corpus, "--out", out, "--force")) == "1 analysed, 0 reused"
    raw = run_cli("run", corpus, "--out", out, "--no-normalize")
    assert summary_counts(raw) == "1 analysed, 0 reused"
    for mention in load_json(out, "mentions"):
        assert mention["name"] == mention["text"]
    tokens = run_cli("run", corpus, "--out", out, "--no-normalize", "--tables", "all")
    assert summary_counts(tokens) == "1 analysed, 0 reused"
    assert summary_counts(run_cli("run", corpus, "--out", out, "--no-normalize",
                                  "--tables", "all")) == "0 analysed, 1 reused"
    manifest = json.loads((out / ".entity-pipeline" / "manifest.json").read_text())
    assert manifest["settings"]["normalize"] is False
    assert list(manifest["articles"]) == ["kasachstan-2022-01"]


def test_one_and_two_workers_give_identical_bytes(corpus, tmp_path):
    write_jsonl(corpus / "a.jsonl", articles(40))
    one, two = tmp_path / "one", tmp_path / "two"
    assert run_cli("run", corpus, "--out", one, "--tables", "all").exit_code == 0
    result = run_cli("run", corpus, "--out", two, "--tables", "all", "--workers", "2",
                     "--batch-size", "7")
    assert result.exit_code == 0, result.output
    assert summary_counts(result) == "41 analysed, 0 reused"
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
    assert "9 input(s) could not be processed" in result.stderr


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
    assert (result.exit_code, summary_counts(result)) == (0, "0 analysed, 1 reused")
    shutil.rmtree(out)
