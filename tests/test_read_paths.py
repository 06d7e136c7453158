"""Stage 1, paths: which files are read, under which names, and a row for every path not read
(special files, symbolic links, loops, output folders, names of any bytes, races)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from pipeline import read
from conftest import deny_access, time_limit

MERKEL = "Angela Merkel traf am Montag Emmanuel Macron in Paris."
SCHOLZ = "Olaf Scholz sprach in Berlin mit Vertretern der NATO."


def records(*paths, **kwargs) -> list[dict]:
    return list(read.iter_records(paths, **kwargs))


def summary(*paths, **kwargs) -> list[tuple]:
    """(doc_id or error, the path's name) per record, the error records showing their kind."""
    return [(r["error"] if read.is_error(r) else "article", r["doc_id"], r["source"])
            for r in records(*paths, **kwargs)]


def test_special_files_are_error_rows_and_never_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.jsonl"))
    (tmp_path / "null.txt").symlink_to(os.devnull)
    (tmp_path / "gut.txt").write_text(MERKEL, encoding="utf-8")
    try:
        with time_limit(20):
            found = records(tmp_path, os.devnull)
    finally:
        server.close()
    got = [(r.get("error"), r["doc_id"], Path(r.get("source", r.get("file"))).name,
            r.get("message", "").split(",")[0]) for r in found]
    assert got == [
        (None, "gut", "gut.txt", ""),
        ("special-file", "null", "null.txt", "is a character device"),
        ("special-file", "pipe", "pipe.txt", "is a named pipe (FIFO)"),
        ("special-file", None, "sock.jsonl", "is a socket"),
        ("special-file", None, "null", "is a character device"),
    ]
    assert found[1]["message"].endswith("not opened; articles are read from regular files only")


def test_a_file_replaced_by_a_fifo_after_listing_is_not_opened(tmp_path):
    (tmp_path / "a.txt").write_text(MERKEL, encoding="utf-8")
    (tmp_path / "b.txt").write_text(SCHOLZ, encoding="utf-8")
    stream = read.iter_records([tmp_path])
    with time_limit(20):
        assert next(stream)["doc_id"] == "a"
        (tmp_path / "b.txt").unlink()
        os.mkfifo(tmp_path / "b.txt")
        [error] = list(stream)
    assert (error["error"], error["doc_id"]) == ("special-file", "b")


def test_a_file_that_vanishes_after_listing_is_missing(tmp_path):
    (tmp_path / "a.txt").write_text(MERKEL, encoding="utf-8")
    (tmp_path / "b.txt").write_text(SCHOLZ, encoding="utf-8")
    stream = read.iter_records([tmp_path])
    assert next(stream)["doc_id"] == "a"
    (tmp_path / "b.txt").unlink()
    [error] = list(stream)
    assert (error["error"], error["doc_id"]) == ("missing", "b")
    assert "deleted or moved" in error["message"]


def test_symlinked_folders_are_followed(tmp_path):
    corpus, elsewhere = tmp_path / "corpus", tmp_path / "archiv" / "2022"
    corpus.mkdir()
    elsewhere.mkdir(parents=True)
    (elsewhere / "scholz.txt").write_text(SCHOLZ, encoding="utf-8")
    (corpus / "merkel.txt").write_text(MERKEL, encoding="utf-8")
    (corpus / "alt").symlink_to(elsewhere)
    assert [(r["doc_id"], r["text"]) for r in records(corpus)] == [
        ("merkel", MERKEL), ("alt/scholz", SCHOLZ)]


def test_links_that_are_not_followed_get_their_own_row(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "2022").mkdir(parents=True)
    (corpus / "2022" / "merkel.txt").write_text(MERKEL, encoding="utf-8")
    (corpus / "hoch").symlink_to(tmp_path)            # a folder above: a loop
    (corpus / "2022" / "hier").symlink_to(".")         # its own folder: a loop
    (corpus / "selbst.txt").symlink_to("selbst.txt")   # points to itself
    (corpus / "neueste").symlink_to(corpus / "2022")   # into the input: read there
    (corpus / "kopie.txt").symlink_to(corpus / "2022" / "merkel.txt")
    (corpus / "weg.txt").symlink_to(tmp_path / "gibt-es-nicht.txt")
    rows = {Path(r["source"]).name: (r["error"], r["doc_id"], r["message"])
            for r in records(corpus) if read.is_error(r)}
    assert {name: row[:2] for name, row in rows.items()} == {
        "hoch": ("symlink-loop", None), "hier": ("symlink-loop", None),
        "selbst.txt": ("symlink-loop", "selbst"), "neueste": ("already-read", None),
        "kopie.txt": ("already-read", "kopie"), "weg.txt": ("broken-symlink", "weg")}
    assert "loop" in rows["selbst.txt"][2] and "missing" not in rows["selbst.txt"][2]
    assert f"symbolic link to {corpus / '2022'}, which this run reads" in rows["neueste"][2]
    assert "gibt-es-nicht.txt" in rows["weg.txt"][2]
    assert [r["doc_id"] for r in records(corpus) if not read.is_error(r)] == ["2022/merkel"]


def test_unreadable_folder_is_an_error_row(tmp_path, monkeypatch):
    (tmp_path / "geheim").mkdir()
    (tmp_path / "geheim" / "a.txt").write_text(MERKEL, encoding="utf-8")
    (tmp_path / "b.txt").write_text(SCHOLZ, encoding="utf-8")
    deny_access(monkeypatch, tmp_path / "geheim")
    found = records(tmp_path)
    assert [(r.get("error"), r["doc_id"]) for r in found] == [(None, "b"), ("unreadable", None)]
    assert found[1]["source"] == str(tmp_path / "geheim")
    assert "Permission denied" in found[1]["message"]


def test_an_input_given_twice_or_inside_another_is_read_once(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text(MERKEL, encoding="utf-8")
    (corpus / "sub" / "b.txt").write_text(SCHOLZ, encoding="utf-8")
    os.link(corpus / "a.txt", corpus / "hart.txt")
    assert summary(corpus, corpus / "sub", corpus / "a.txt", corpus) == [
        ("article", "a", str(corpus / "a.txt")),
        ("already-read", "hart", str(corpus / "hart.txt")),
        ("article", "sub/b", str(corpus / "sub" / "b.txt")),
        ("already-read", None, str(corpus / "sub")),
        ("already-read", "a", str(corpus / "a.txt")),
        ("already-read", None, str(corpus)),
    ]


def test_a_folder_named_like_an_article_is_a_folder(tmp_path):
    (tmp_path / "band.txt").mkdir()
    (tmp_path / "band.txt" / "kapitel.txt").write_text(MERKEL, encoding="utf-8")
    assert summary(tmp_path / "band.txt") == [
        ("article", "kapitel", str(tmp_path / "band.txt" / "kapitel.txt"))]
    assert summary(tmp_path) == [
        ("article", "band.txt/kapitel", str(tmp_path / "band.txt" / "kapitel.txt"))]


def test_output_folders_are_never_input(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "outputs" / read.STATE_DIR).mkdir(parents=True)
    (corpus / "outputs" / "documents.csv").write_text("doc_id,source\nx,y\n", encoding="utf-8")
    (corpus / "tiefer" / "alt" / read.STATE_DIR).mkdir(parents=True)
    (corpus / "tiefer" / "alt" / "errors.json").write_text("[]\n", encoding="utf-8")
    (corpus / "merkel.txt").write_text(MERKEL, encoding="utf-8")
    (corpus / "andere").mkdir()
    (corpus / "andere" / "scholz.txt").write_text(SCHOLZ, encoding="utf-8")
    assert summary(corpus, skip=[corpus / "andere"]) == [
        ("article", "merkel", str(corpus / "merkel.txt"))]
    (corpus / read.STATE_DIR).mkdir()  # --out is the input folder itself
    for given in (corpus, corpus / "merkel.txt", corpus / "outputs"):
        [row] = records(given)
        assert (row["error"], row["source"]) == ("output-folder", str(given))
        assert "separate --out" in row["message"]


def test_names_of_any_bytes_are_recorded_printable(tmp_path):
    root = os.fsencode(tmp_path)
    os.mkdir(root + b"/Z\xfcrich")  # Latin-1 bytes: not UTF-8
    with open(root + b"/Z\xfcrich/M\xfcller.txt", "wb") as stream:
        stream.write(MERKEL.encode())
    with open(root + b"/Zeile\nneu\x1b[31m.txt", "wb") as stream:
        stream.write(SCHOLZ.encode())
    found = records(tmp_path)
    assert [(r["doc_id"], r["file"]) for r in found] == [
        ("Zeile\\nneu\\x1b[31m", f"{tmp_path}/Zeile\\nneu\\x1b[31m.txt"),
        ("Z\\xfcrich/M\\xfcller", f"{tmp_path}/Z\\xfcrich/M\\xfcller.txt")]
    for record in found:
        for value in record.values():
            if isinstance(value, str):
                value.encode("utf-8")
                assert value.isprintable()
    assert found == records(tmp_path), "the same names every run"


def test_one_folder_keeps_plain_ids_two_folders_prefix_their_names(tmp_path):
    for year, text in (("2021", MERKEL), ("2022", SCHOLZ)):
        (tmp_path / year / "januar").mkdir(parents=True)
        (tmp_path / year / "januar" / "artikel.txt").write_text(text, encoding="utf-8")
    assert [r["doc_id"] for r in records(tmp_path / "2021")] == ["januar/artikel"]
    assert [r["doc_id"] for r in records(tmp_path / "2021", tmp_path / "2022")] == [
        "2021/januar/artikel", "2022/januar/artikel"]
    single = tmp_path / "2022" / "januar" / "artikel.txt"
    assert [r["doc_id"] for r in records(tmp_path / "2021", single)] == [
        "januar/artikel", "artikel"]


def test_equal_ids_from_two_inputs_say_how_to_fix_them(tmp_path):
    for folder in ("a/korpus", "b/korpus"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "artikel.txt").write_text(MERKEL + folder, encoding="utf-8")
    first, second = records(tmp_path / "a" / "korpus", tmp_path / "b" / "korpus")
    assert (first["doc_id"], second["error"], second["doc_id"]) == (
        "korpus/artikel", "duplicate-id", "korpus/artikel")
    assert second["message"] == (
        f"id 'korpus/artikel' is already used by {tmp_path}/a/korpus/artikel.txt; two inputs "
        "hold the same path: rename one of the files or folders")


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_missing_input_is_an_error_row(tmp_path, kind):
    path = tmp_path / ("gibt-es-nicht.txt" if kind == "file" else "gibt-es-nicht")
    [row] = records(path)
    assert (row["error"], row["doc_id"]) == ("missing", "gibt-es-nicht" if kind == "file" else None)
