"""Issue 14, read side: hostile inputs through the real CLI. Each bad input gets its errors row,
every good article of the same run lands in the tables (CSV and JSON alike), and no run prints
a traceback or hangs."""

from __future__ import annotations

import csv
import json
import os
import socket
from pathlib import Path

import pytest

from conftest import deny_access, load_json, run_cli, time_limit, write_jsonl

GOOD = {
    "merkel.txt": "date 2022-01-07 Angela Merkel traf am Montag Emmanuel Macron in Paris.",
    "scholz.txt": "Olaf Scholz sprach in Berlin mit Vertretern der NATO über Kasachstan.",
}
GOOD_IDS = {"merkel", "scholz"}


def corpus_with_good_articles(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in GOOD.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


def run(*inputs, out: Path, expect: int = 1):
    """Run the CLI; return (errors, documents) after checking what every run must hold."""
    result = run_cli("run", *inputs, "--out", out)
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == expect, result.output
    errors, documents = load_json(out, "errors"), load_json(out, "documents")
    for table, rows in (("errors", errors), ("documents", documents)):
        with open(out / f"{table}.csv", encoding="utf-8", newline="") as stream:
            from_csv = list(csv.DictReader(stream))
        assert [row["source"].lstrip("'") for row in from_csv] == [
            row["source"] for row in rows], f"{table}.csv and {table}.json disagree"
    if errors:
        inputs = "1 input" if len(errors) == 1 else f"{len(errors)} inputs"
        assert f"{inputs} could not be processed" in result.stderr
    return errors, documents


def rows(errors: list[dict]) -> list[tuple]:
    return [(Path(e["source"]).name, e["line"], e["doc_id"], e["error"]) for e in errors]


def ids(documents: list[dict]) -> set[str]:
    return {document["doc_id"] for document in documents}


def test_text_that_cannot_be_written_as_utf8_is_an_errors_row(tmp_path):
    corpus = corpus_with_good_articles(tmp_path)
    (corpus / "a.jsonl").write_text(
        '{"id": "s1", "text": "Angela Merkel \\ud800 in Berlin."}\n'
        '{"id": "s2", "text": "Wladimir Putin in Moskau.", "title": "Titel \\udfff"}\n'
        '{"id": "g1", "text": "Sergej Lawrow sprach in Genf."}\n', encoding="utf-8")
    errors, documents = run(corpus, out=tmp_path / "out")
    assert rows(errors) == [("a.jsonl", 1, "s1", "invalid-unicode"),
                            ("a.jsonl", 2, "s2", "invalid-unicode")]
    assert ids(documents) == GOOD_IDS | {"g1"}


def test_file_and_folder_names_of_any_bytes(tmp_path):
    corpus = corpus_with_good_articles(tmp_path)
    folder = os.fsencode(corpus) + b"/Z\xfcrich"
    os.mkdir(folder)
    with open(folder + b"/M\xfcller.txt", "wb") as stream:
        stream.write("Annalena Baerbock besuchte Kiew.".encode())
    with open(os.fsencode(corpus) + b"/neu\nzeile\x1b[2J.txt", "wb") as stream:
        stream.write("Ursula von der Leyen sprach in Brüssel.".encode())
    out = tmp_path / "out"
    for attempt in ("first run", "rerun"):
        errors, documents = run(corpus, out=out, expect=0)
        assert errors == [], attempt
        assert ids(documents) == GOOD_IDS | {"Z\\xfcrich/M\\xfcller", "neu\\nzeile\\x1b[2J"}
    files = {document["file"] for document in documents}
    assert f"{corpus}/Z\\xfcrich/M\\xfcller.txt" in files
    table = (out / "documents.csv").read_text(encoding="utf-8")
    assert "Z\\xfcrich/M\\xfcller" in table and "\x1b" not in table
    mentions = {mention["doc_id"] for mention in load_json(out, "mentions")}
    assert "Z\\xfcrich/M\\xfcller" in mentions


def test_special_files_get_a_row_and_never_hang_the_run(tmp_path):
    corpus = corpus_with_good_articles(tmp_path)
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "null.jsonl").symlink_to(os.devnull)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(corpus / "sock.txt"))
    try:
        with time_limit(120):
            errors, documents = run(corpus, os.devnull, out=tmp_path / "out")
    finally:
        server.close()
    assert rows(errors) == [("null", None, None, "special-file"),
                            ("null.jsonl", None, None, "special-file"),
                            ("pipe.txt", None, "pipe", "special-file"),
                            ("sock.txt", None, "sock", "special-file")]
    assert ids(documents) == GOOD_IDS


def test_symlinked_folders_are_followed_and_what_is_not_followed_is_a_row(tmp_path, monkeypatch):
    corpus = corpus_with_good_articles(tmp_path)
    archive = tmp_path / "archiv"
    archive.mkdir()
    (archive / "lawrow.txt").write_text("Sergej Lawrow traf in Genf die OSZE.", encoding="utf-8")
    (corpus / "archiv").symlink_to(archive)
    (corpus / "zurueck").symlink_to(tmp_path)
    (corpus / "selbst.txt").symlink_to("selbst.txt")
    (corpus / "geheim").mkdir()
    (corpus / "geheim" / "x.txt").write_text("Geheim.", encoding="utf-8")
    deny_access(monkeypatch, corpus / "geheim")
    errors, documents = run(corpus, out=tmp_path / "out")
    assert rows(errors) == [("geheim", None, None, "unreadable"),
                            ("selbst.txt", None, "selbst", "symlink-loop"),
                            ("zurueck", None, None, "symlink-loop")]
    assert "missing" not in errors[1]["message"]
    assert ids(documents) == GOOD_IDS | {"archiv/lawrow"}


def test_output_folders_are_never_read_as_articles(tmp_path):
    corpus = corpus_with_good_articles(tmp_path)
    old = corpus / "alte-tabellen"
    assert run_cli("run", corpus, "--out", old).exit_code == 0
    errors, documents = run(corpus, out=tmp_path / "out", expect=0)
    assert ids(documents) == GOOD_IDS
    errors, documents = run(corpus, old, out=tmp_path / "out2")
    assert rows(errors) == [("alte-tabellen", None, None, "output-folder")]
    assert "separate --out" in errors[0]["message"]
    assert ids(documents) == GOOD_IDS


def test_invalid_dates_are_rows_and_never_reach_the_entities(tmp_path):
    corpus = corpus_with_good_articles(tmp_path)
    (corpus / "falsch.txt").write_text("date 2022-13-45 Angela Merkel besuchte Wien.",
                                       encoding="utf-8")
    write_jsonl(corpus / "a.jsonl", [
        {"id": "j1", "text": "Angela Merkel sprach in Minsk.", "date": "gestern"},
        {"id": "j2", "text": "Angela Merkel sprach in Genf.", "date": "2021-12-24T08:00:00Z"}])
    (corpus / "b.csv").write_text("id;text;date\nc1;Angela Merkel in Almaty.;31.02.2022\n"
                                  "c2;Angela Merkel in Astana.;7.1.2022\n", encoding="utf-8")
    errors, documents = run(corpus, out=tmp_path / "out")
    assert rows(errors) == [("a.jsonl", 1, "j1", "invalid-date"),
                            ("b.csv", 2, "c1", "invalid-date"),
                            ("falsch.txt", None, "falsch", "invalid-date")]
    dates = {document["doc_id"]: document["date"] for document in documents}
    assert dates == {"merkel": "2022-01-07", "scholz": None, "falsch": None, "j1": None,
                     "j2": "2021-12-24", "c1": None, "c2": "2022-01-07"}
    merkel = next(entity for entity in load_json(tmp_path / "out", "entities")
                  if entity["name"] == "Angela Merkel")
    assert (merkel["first_date"], merkel["last_date"]) == ("2021-12-24", "2022-01-07")


def test_ids_say_what_is_wrong_and_structured_fields_are_json(tmp_path):
    corpus = corpus_with_good_articles(tmp_path)
    write_jsonl(corpus / "a.jsonl", [
        {"id": 1.5, "text": "Angela Merkel in Paris."},
        {"id": 7.0, "text": "Olaf Scholz in Wien.", "title": {"de": "Besuch", "en": "Visit"},
         "source": ["dpa", "AFP"]}])
    errors, documents = run(corpus, out=tmp_path / "out")
    assert rows(errors) == [("a.jsonl", 1, None, "malformed-jsonl")]
    assert errors[0]["message"] == ("line 1: 'id' is the number 1.5; an id must be a string or "
                                    "a whole number")
    [seven] = [document for document in documents if document["doc_id"] == "7"]
    assert (seven["title"], seven["source"]) == ('{"de": "Besuch", "en": "Visit"}',
                                                 '["dpa", "AFP"]')


def test_csv_with_two_text_columns_is_a_row(tmp_path):
    corpus = corpus_with_good_articles(tmp_path)
    (corpus / "a.csv").write_text("id,text,title,text\nc1,Angela Merkel in Paris.,T,Wien\n",
                                  encoding="utf-8")
    errors, documents = run(corpus, out=tmp_path / "out")
    assert rows(errors) == [("a.csv", 1, None, "malformed-csv")]
    assert errors[0]["message"] == "the header has 2 'text' columns (columns 2 and 4); keep one"
    assert ids(documents) == GOOD_IDS


def test_utf16_text_is_read_and_utf16_without_bom_is_named(tmp_path):
    corpus = corpus_with_good_articles(tmp_path)
    text = "date 2022-01-10 Der Bürgermeister von München empfing Emmanuel Macron."
    (corpus / "excel.txt").write_bytes(text.encode("utf-16"))
    (corpus / "ohne-bom.txt").write_bytes(text.encode("utf-16-le"))
    (corpus / "unicode.csv").write_bytes("id\ttext\nu1\tGrüße aus Köln an Olaf Scholz.\n"
                                         .encode("utf-16"))
    errors, documents = run(corpus, out=tmp_path / "out")
    assert rows(errors) == [("ohne-bom.txt", None, "ohne-bom", "not-utf8")]
    assert "UTF-16" in errors[0]["message"] and "binary" not in errors[0]["message"]
    [excel] = [document for document in documents if document["doc_id"] == "excel"]
    assert (excel["date"], excel["text"]) == ("2022-01-10", text[16:])
    assert ids(documents) == GOOD_IDS | {"excel", "u1"}


def test_error_rows_about_one_article_carry_its_id(tmp_path):
    corpus = corpus_with_good_articles(tmp_path)
    (corpus / "leer.txt").write_bytes(b"")
    (corpus / "binaer.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 50)
    (corpus / "weg.txt").symlink_to(tmp_path / "nichts.txt")
    (corpus / "notiz.md").write_text("# Notiz", encoding="utf-8")
    (corpus / "a.jsonl").write_text('{"id": "j1", "text": ""}\n{"text": "ohne id"}\n',
                                    encoding="utf-8")
    (corpus / "kaputt.jsonl").write_bytes("Grüße".encode("cp1252"))
    errors, _ = run(corpus, out=tmp_path / "out")
    assert rows(errors) == [
        ("a.jsonl", 1, "j1", "empty"), ("a.jsonl", 2, None, "malformed-jsonl"),
        ("binaer.txt", None, "binaer", "binary"), ("kaputt.jsonl", None, None, "not-utf8"),
        ("leer.txt", None, "leer", "empty"), ("notiz.md", None, None, "unsupported-format"),
        ("weg.txt", None, "weg", "broken-symlink")]


def test_two_folders_with_the_same_file_names_both_land(tmp_path):
    for year, name in (("2021", "Angela Merkel"), ("2022", "Olaf Scholz")):
        (tmp_path / year / "januar").mkdir(parents=True)
        (tmp_path / year / "januar" / "artikel.txt").write_text(
            f"{name} sprach in Berlin über die NATO.", encoding="utf-8")
    errors, documents = run(tmp_path / "2021", tmp_path / "2022", out=tmp_path / "out", expect=0)
    assert ids(documents) == {"2021/januar/artikel", "2022/januar/artikel"}
    errors, documents = run(tmp_path / "2022", out=tmp_path / "einzeln", expect=0)
    assert ids(documents) == {"januar/artikel"}, "one folder: ids relative to it, as before"


def test_an_input_given_twice_or_inside_another_is_read_once(tmp_path):
    corpus = corpus_with_good_articles(tmp_path)
    (corpus / "band.txt").mkdir()  # a folder named like an article
    (corpus / "band.txt" / "lawrow.txt").write_text("Sergej Lawrow reiste nach Minsk.",
                                                    encoding="utf-8")
    errors, documents = run(corpus, corpus / "band.txt", corpus / "merkel.txt", corpus,
                            out=tmp_path / "out")
    assert rows(errors) == [("corpus", None, None, "already-read"),
                            ("band.txt", None, None, "already-read"),
                            ("merkel.txt", None, "merkel", "already-read")]
    assert sorted(ids(documents)) == ["band.txt/lawrow", "merkel", "scholz"]


def test_parquet_input(tmp_path):
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    corpus = corpus_with_good_articles(tmp_path)
    pq.write_table(pa.table({
        "id": ["p1", "p2", None, "p4"],
        "text": ["Emmanuel Macron empfing Olaf Scholz in Paris.", "Minsk liegt in Belarus.",
                 "Ohne Kennung.", ""],
        "date": [datetime.date(2022, 1, 7), None, None, None],
        "title": ["Treffen", None, None, None]}), corpus / "artikel.parquet", row_group_size=2)
    (corpus / "kaputt.parquet").write_bytes(b"PAR1" + b"\x00" * 50)
    errors, documents = run(corpus, out=tmp_path / "out")
    assert rows(errors) == [("artikel.parquet", 3, None, "malformed-parquet"),
                            ("artikel.parquet", 4, "p4", "empty"),
                            ("kaputt.parquet", None, None, "malformed-parquet")]
    [p1] = [document for document in documents if document["doc_id"] == "p1"]
    assert (p1["line"], p1["date"], p1["title"]) == (1, "2022-01-07", "Treffen")
    assert ids(documents) == GOOD_IDS | {"p1", "p2"}
    assert {m["text"] for m in load_json(tmp_path / "out", "mentions")
            if m["doc_id"] == "p1"} >= {"Emmanuel Macron", "Paris"}


def test_semicolon_csv_from_a_german_spreadsheet(tmp_path):
    corpus = corpus_with_good_articles(tmp_path)
    (corpus / "export.csv").write_bytes(
        "\ufeffID;Text;Date;Title\r\n"
        "e1;\"Angela Merkel, Olaf Scholz und Emmanuel Macron trafen sich in Paris.\";"
        "07.01.2022;Gipfel\r\n".encode("utf-8"))
    errors, documents = run(corpus, out=tmp_path / "out", expect=0)
    [export] = [document for document in documents if document["doc_id"] == "e1"]
    assert (export["date"], export["title"], export["line"]) == ("2022-01-07", "Gipfel", 2)
    assert export["text"].startswith("Angela Merkel, Olaf Scholz")


@pytest.mark.parametrize("doc_id", ["a/b/c", "zero\u200bwidth", "rtl\u202eevil", "zeile\nneu",
                                    "Emoji 📰", "Mu\u0308ller"])
def test_odd_unicode_in_ids_and_text_lands_exactly(tmp_path, doc_id):
    corpus = corpus_with_good_articles(tmp_path)
    text = "Angela Merkel traf\u00a0Olaf Scholz\u2028in Berlin.\u0000"
    write_jsonl(corpus / "a.jsonl", [{"id": doc_id, "text": text}])
    errors, documents = run(corpus, out=tmp_path / "out", expect=0)
    [document] = [d for d in documents if d["doc_id"] not in GOOD_IDS]
    assert (document["doc_id"], document["text"]) == (doc_id, text)
    with open(tmp_path / "out" / "documents.csv", encoding="utf-8", newline="") as stream:
        assert doc_id in {row["doc_id"] for row in csv.DictReader(stream)}
    assert json.dumps(doc_id, ensure_ascii=False) in (tmp_path / "out" / "mentions.json").read_text(
        encoding="utf-8")
