"""Tables: schemas with types, the format registry, CSV/JSON writing, the table-set transaction."""

from __future__ import annotations

import csv
import json

import pytest

from pipeline import tables
from pipeline.tables import (FORMATS, TABLES, FileFormat, TableSet, choose_formats, choose_tables,
                             neutralise, read_tables, register_format)

MENTIONS = [
    {"doc_id": "d1", "mention": 0, "sentence": 0, "start_char": 0, "end_char": 6,
     "text": "=1+2\"", "label": "ORG", "entity_id": "ORG:x", "name": "Müller", "compound": False},
    {"doc_id": "d1", "mention": 1, "sentence": -1, "start_char": 7, "end_char": 9,
     "text": "Wien", "label": "LOC", "entity_id": None, "name": "Wien", "compound": True},
]


@pytest.mark.parametrize("cell, expected", [
    ("=SUMME(A1:A9)", "'=SUMME(A1:A9)"),
    ("+49 30 1234", "'+49 30 1234"),
    ("-Truppen", "'-Truppen"),
    ("@Tokajew", "'@Tokajew"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("Tokajew", "Tokajew"),
    ("ODKB-Truppen", "ODKB-Truppen"),
    ("", ""),
])
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_csv_and_json_bytes_appear_only_at_commit(tmp_path):
    table_set = TableSet(tmp_path, ["csv", "json"])
    table_set.write_all("mentions", MENTIONS)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [], (
        "nothing is visible before commit")
    table_set.commit()
    assert (tmp_path / "mentions.csv").read_text(encoding="utf-8") == (
        "doc_id,mention,sentence,start_char,end_char,text,label,entity_id,name,compound\n"
        "d1,0,0,0,6,\"'=1+2\"\"\",ORG,ORG:x,Müller,False\n"
        "d1,1,-1,7,9,Wien,LOC,,Wien,True\n")
    assert (tmp_path / "mentions.json").read_text(encoding="utf-8") == (
        '[\n{"doc_id": "d1", "mention": 0, "sentence": 0, "start_char": 0, "end_char": 6, '
        '"text": "=1+2\\"", "label": "ORG", "entity_id": "ORG:x", "name": "Müller", '
        '"compound": false},\n'
        '{"doc_id": "d1", "mention": 1, "sentence": -1, "start_char": 7, "end_char": 9, '
        '"text": "Wien", "label": "LOC", "entity_id": null, "name": "Wien", "compound": true}'
        "\n]\n")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with open(tmp_path / "mentions.csv", encoding="utf-8", newline="") as stream:
        assert list(csv.DictReader(stream))[0]["text"] == "'=1+2\""
    assert json.loads((tmp_path / "mentions.json").read_text())[0]["text"] == "=1+2\""


def test_the_article_text_is_in_json_only(tmp_path):
    document = {"doc_id": "d1", "source": "a.txt", "chars": 5, "text": "Wien."}
    with TableSet(tmp_path, ["csv", "json"]) as table_set:
        table_set.write_all("documents", [document])
        table_set.commit()
    header = (tmp_path / "documents.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "doc_id,source,file,line,date,title,chars,tokens,sentences,mentions"
    [record] = json.loads((tmp_path / "documents.json").read_text(encoding="utf-8"))
    assert list(record)[-1] == "text" and record["text"] == "Wien."


def test_an_error_inside_the_transaction_keeps_the_old_tables(tmp_path):
    (tmp_path / "errors.csv").write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with TableSet(tmp_path, ["csv", "json"]) as table_set:
            table_set.write_all("errors", [{"source": "x", "error": "empty"}])
            raise RuntimeError("killed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["errors.csv"]
    assert (tmp_path / "errors.csv").read_text(encoding="utf-8") == "old\n"


def test_commit_deletes_the_tables_of_other_formats_and_tables(tmp_path):
    for name in ("tokens.csv", "tokens.json", "errors.csv", "errors.json", "notes.csv"):
        (tmp_path / name).write_text("old\n", encoding="utf-8")
    with TableSet(tmp_path, ["json"]) as table_set:
        table_set.write_all("errors", [])
        table_set.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["errors.json", "notes.csv"]


def test_empty_tables_and_read_tables(tmp_path):
    for fmt in ("json", "csv"):
        with TableSet(tmp_path / fmt, [fmt]) as table_set:
            table_set.write_all("errors", [])
            table_set.commit()
    assert (tmp_path / "json" / "errors.json").read_text() == "[]\n"
    assert (tmp_path / "csv" / "errors.csv").read_text() == (
        "source,line,doc_id,stage,error,message\n")
    for fmt in ("json", "csv"):
        frames = read_tables(tmp_path / fmt)
        assert list(frames) == ["errors"]
        assert list(frames["errors"].columns) == ["source", "line", "doc_id", "stage", "error",
                                                  "message"]
        assert str(frames["errors"]["line"].dtype) == "Int64"


def test_read_tables_types_columns_alike_from_csv_and_json(tmp_path):
    for fmt in ("csv", "json"):
        with TableSet(tmp_path / fmt, [fmt]) as table_set:
            table_set.write_all("mentions", MENTIONS)
            table_set.commit()
    from_csv = read_tables(tmp_path / "csv")["mentions"]
    from_json = read_tables(tmp_path / "json")["mentions"]
    assert {str(dtype) for dtype in from_json.dtypes} == {"Int64", "string", "boolean"}
    assert from_json.drop(columns="text").equals(from_csv.drop(columns="text"))
    assert list(from_json["compound"]) == [False, True]


def test_read_tables_of_a_missing_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no tables folder"):
        read_tables(tmp_path / "nowhere")


def test_every_column_has_a_type_and_errors_are_always_written():
    for table in TABLES.values():
        assert all(column.type in tables.COLUMN_TYPES for column in table.columns), table.name
    assert choose_tables(["mentions"]) == ("mentions", "errors")
    assert choose_tables(["all"]) == tuple(TABLES)
    assert "tokens" not in tables.DEFAULT_TABLES
    with pytest.raises(ValueError, match="unknown table personen; choose from documents"):
        choose_tables(["documents", "personen"])


@pytest.mark.parametrize("names, chosen", [
    (["json", "csv"], ("csv", "json")),
    (["both"], ("csv", "json")),
    ([" json "], ("json",)),
    (["csv", "csv"], ("csv",)),
])
def test_choose_formats(names, chosen):
    assert choose_formats(names) == chosen


@pytest.mark.parametrize("names", [["xlsx"], ["csv", "xml"], [""], []])
def test_unknown_formats_are_refused(names):
    with pytest.raises(ValueError, match="unknown format"):
        choose_formats(names)


@pytest.fixture
def tsv_format():
    """A new format is one class: tab-separated values, registered for the test only."""

    class TsvFormat(FileFormat):
        name = "tsv"

        def write(self, row: dict) -> None:
            self.stream.write("\t".join(str(row.get(column, "")) for column in
                                        self.table.column_names) + "\n")

        @classmethod
        def read_file(cls, path, table):
            import pandas as pd

            return pd.read_csv(path, sep="\t", header=None, names=table.column_names, dtype=str)

    register_format(TsvFormat)
    yield TsvFormat
    del FORMATS["tsv"]


def test_a_registered_format_is_written_chosen_read_and_cleaned_up(tsv_format, tmp_path):
    assert choose_formats(["tsv", "json"]) == ("json", "tsv")
    with TableSet(tmp_path, ["tsv"]) as table_set:
        table_set.write_all("mentions", MENTIONS)
        table_set.commit()
    assert (tmp_path / "mentions.tsv").read_text().splitlines()[1].startswith("d1\t1\t-1\t7\t9")
    frame = read_tables(tmp_path, prefer="tsv")["mentions"]
    assert list(frame["start_char"]) == [0, 7] and str(frame["start_char"].dtype) == "Int64"
    with TableSet(tmp_path, ["csv"]) as table_set:
        table_set.write_all("mentions", MENTIONS)
        table_set.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mentions.csv"]
