"""Stage 5: CSV/JSON writing, spreadsheet safety, atomic replacement."""

from __future__ import annotations

import csv
import json

import pytest

from pipeline.write import TableWriter, neutralise, read_tables


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


def test_table_writer_csv_and_json(tmp_path):
    writer = TableWriter(tmp_path, "mentions", ["csv", "json"])
    writer.write({"doc_id": "d1", "mention": 0, "sentence": 0, "start_char": 0, "end_char": 6,
                  "text": "=1+2\"", "label": "ORG", "entity_id": "ORG:x", "name": "Müller",
                  "compound": False})
    writer.write({"doc_id": "d1", "mention": 1, "sentence": -1, "start_char": 7,
                  "end_char": 9, "text": "Wien", "label": "LOC", "entity_id": None,
                  "name": "Wien", "compound": True})
    writer.finish()
    assert not (tmp_path / "mentions.csv").exists(), "nothing is visible before commit"
    writer.commit()
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


def test_discard_keeps_the_old_table(tmp_path):
    (tmp_path / "errors.csv").write_text("old\n", encoding="utf-8")
    writer = TableWriter(tmp_path, "errors", ["csv"])
    writer.write({"source": "x", "error": "empty"})
    writer.discard()
    assert (tmp_path / "errors.csv").read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["errors.csv"]


def test_empty_tables_and_read_tables(tmp_path):
    for fmt in (["json"], ["csv"]):
        writer = TableWriter(tmp_path / fmt[0], "errors", fmt)
        writer.finish()
        writer.commit()
    assert (tmp_path / "json" / "errors.json").read_text() == "[]\n"
    assert (tmp_path / "csv" / "errors.csv").read_text() == (
        "source,line,doc_id,stage,error,message\n")
    frames = read_tables(tmp_path / "json")
    assert list(frames) == ["errors"]
    assert list(frames["errors"].columns) == ["source", "line", "doc_id", "stage", "error",
                                              "message"]
