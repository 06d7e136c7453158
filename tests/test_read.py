"""Stage 1: reading .txt/.jsonl/.csv inputs, and every kind of bad input as an error record."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest

from pipeline import read
from conftest import SAMPLE, sample_body


def records(*paths, **kwargs) -> list[dict]:
    return list(read.iter_records(paths, **kwargs))


def test_txt_article_date_fragment_and_body_offsets():
    [article] = records(SAMPLE)
    assert article == {
        "doc_id": "kasachstan-2022-01", "source": str(SAMPLE), "file": str(SAMPLE),
        "line": None, "date": "2022-01", "title": None, "text": sample_body(),
    }
    assert article["text"].startswith("In Belarus versuchte die Bevölkerung")
    assert article["text"][402:423] == "Kassym-Jomart Tokajew"


def test_folder_is_read_recursively_in_sorted_order_with_path_ids(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "zwei.txt").write_text("Olaf Scholz sprach in Berlin.", encoding="utf-8")
    (tmp_path / "eins.txt").write_text("date 2021-12-24 Angela Merkel war in Paris.",
                                       encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("versteckt", encoding="utf-8")
    found = [(r["doc_id"], r["date"], r["text"]) for r in records(tmp_path)]
    assert found == [("eins", "2021-12-24", "Angela Merkel war in Paris."),
                     ("b/zwei", None, "Olaf Scholz sprach in Berlin.")]


def test_jsonl_fields_and_line_numbers(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps({"id": 7, "text": "Almaty liegt im Südosten.", "date": "2022-01-07",
                    "title": "Unruhen", "source": "dpa"}, ensure_ascii=False) + "\n\n"
        + json.dumps({"id": "x", "text": "Die ODKB schickt Truppen."}) + "\n",
        encoding="utf-8")
    assert records(path) == [
        {"doc_id": "7", "source": "dpa", "file": str(path), "line": 1, "date": "2022-01-07",
         "title": "Unruhen", "text": "Almaty liegt im Südosten."},
        {"doc_id": "x", "source": str(path), "file": str(path), "line": 3, "date": None,
         "title": None, "text": "Die ODKB schickt Truppen."},
    ]


def test_csv_rows_with_quoted_line_breaks(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('id,text,date\nk1,"Tokajew sprach.\nDann Putin.",2022-01\nk2,Minsk,\n',
                    encoding="utf-8")
    found = [(r["doc_id"], r["line"], r["date"], r["text"]) for r in records(path)]
    assert found == [("k1", 2, "2022-01", "Tokajew sprach.\nDann Putin."), ("k2", 4, None, "Minsk")]


def errors_of(*paths, **kwargs) -> list[tuple]:
    return [(Path(r["source"]).name, r["line"], r["error"]) for r in records(*paths, **kwargs)
            if read.is_error(r)]


BAD_INPUTS = [
    # (file name, bytes, expected (line, error) rows, words the message must contain)
    ("empty.txt", b"", [(None, "empty")], "no text"),
    ("only-date.txt", b" date 2022-01 \n", [(None, "empty")], "no text"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", [(None, "binary")], "NUL"),
    ("latin1.txt", "Der Bürgermeister von München.".encode("cp1252"), [(None, "not-utf8")],
     "Windows-1252"),
    ("bad.jsonl", b'{"id": "a", "text": "Gut."}\n{"id": "b", "text": \n[1]\n{"text": "x"}\n',
     [(2, "malformed-jsonl"), (3, "malformed-jsonl"), (4, "malformed-jsonl")], "line 2"),
    ("bad.csv", b'id,text\nc1,"Gut."\nc2,zu,viele\nc3,\n', [(3, "malformed-csv"), (4, "empty")],
     "3 fields"),
    ("header.csv", b"name,body\nx,y\n", [(1, "malformed-csv")], "'id' and 'text'"),
    ("notes.md", b"# Notizen", [(None, "unsupported-format")], ".md"),
    ("blank.jsonl", b"\n\n", [(None, "empty")], "no articles"),
    ("header-only.csv", b"id,text\n", [(None, "empty")], "no articles"),
]


@pytest.mark.parametrize("name, content, expected, words", BAD_INPUTS,
                         ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_becomes_an_error_record(tmp_path, name, content, expected, words):
    path = tmp_path / name
    path.write_bytes(content)
    found = records(path)
    errors = [r for r in found if read.is_error(r)]
    assert [(r["line"], r["error"]) for r in errors] == expected
    assert words in errors[0]["message"]
    assert all(r["stage"] == "read" and r["source"] == str(path) for r in errors)


def test_broken_symlink(tmp_path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    assert errors_of(tmp_path) == [("gone.txt", None, "broken-symlink")]


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text("Geheim.", encoding="utf-8")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: simulate the permission error
        real_open = open

        def refusing_open(file, *args, **kwargs):
            if Path(file) == path:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(read, "open", refusing_open, raising=False)
    [error] = records(path)
    assert (error["error"], "Permission denied" in error["message"]) == ("unreadable", True)


def test_duplicate_ids_across_files_keep_the_first(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "d1", "text": "Erster Text."}\n', encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,text\nd1,Zweiter Text.\n", encoding="utf-8")
    found = records(tmp_path)
    assert [(r["doc_id"], r.get("error"), r["line"]) for r in found] == [
        ("d1", None, 1), ("d1", "duplicate-id", 2)]
    assert found[1]["message"].startswith(f"id 'd1' is already used by {tmp_path / 'a.jsonl'}:1")


def test_huge_article_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as stream:  # 100 MB of German words
        block = "Kasachstan Almaty Tokajew ".encode() * 40_000
        for _ in range(100):
            stream.write(block)
    assert path.stat().st_size > 100_000_000
    tracemalloc.start()
    try:
        [error] = records(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, "the article must not be read into memory"
    assert error["error"] == "too-long"
    assert "split it" in error["message"]


def test_long_jsonl_line_and_limit(tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_text('{"id": "lang", "text": "' + "Wort " * 300 + '"}\n'
                    '{"id": "kurz", "text": "Minsk."}\n', encoding="utf-8")
    found = records(path, max_chars=100)
    assert [(r["doc_id"], r.get("error")) for r in found] == [("lang", "too-long"), ("kurz", None)]


def test_huge_jsonl_line_is_skipped_with_bounded_memory(tmp_path):
    path = tmp_path / "huge.jsonl"
    with open(path, "wb") as stream:
        stream.write(b'{"id": "riesig", "text": "')
        for _ in range(100):
            stream.write("Kasachstan Almaty Tokajew ".encode() * 40_000)
        stream.write(b'"}\n{"id": "klein", "text": "Minsk."}\n')
    tracemalloc.start()
    try:
        found = records(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(r["line"], r.get("error"), r["doc_id"]) for r in found] == [
        (1, "too-long", None), (2, None, "klein")]
    assert peak < 30_000_000
