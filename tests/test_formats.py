"""Formats: the registry, CSV (spreadsheet-safe) and JSON bytes, and adding a format."""

from __future__ import annotations

import csv
import json

import pytest

from conftest import MENTIONS
from pipeline.formats import FORMATS, FileFormat, choose_formats, neutralise, register_format
from pipeline.tables import TableSet, read_tables


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
        "doc_id,mention,sentence,start_char,end_char,text,label,entity_id,name,compound,link,"
        "article_entity_id\n"
        "d1,0,0,0,6,\"'=1+2\"\"\",ORG,ORG:x,Müller,False,surname-in-corpus,ORG:y\n"
        "d1,1,-1,7,9,Wien,LOC,,Wien,True,exact,\n")
    assert (tmp_path / "mentions.json").read_text(encoding="utf-8") == (
        '[\n{"doc_id": "d1", "mention": 0, "sentence": 0, "start_char": 0, "end_char": 6, '
        '"text": "=1+2\\"", "label": "ORG", "entity_id": "ORG:x", "name": "Müller", '
        '"compound": false, "link": "surname-in-corpus", "article_entity_id": "ORG:y"},\n'
        '{"doc_id": "d1", "mention": 1, "sentence": -1, "start_char": 7, "end_char": 9, '
        '"text": "Wien", "label": "LOC", "entity_id": null, "name": "Wien", "compound": true, '
        '"link": "exact", "article_entity_id": null}'
        "\n]\n")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with open(tmp_path / "mentions.csv", encoding="utf-8", newline="") as stream:
        assert list(csv.DictReader(stream))[0]["text"] == "'=1+2\""
    assert json.loads((tmp_path / "mentions.json").read_text())[0]["text"] == "=1+2\""


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

    registered = dict(FORMATS)
    register_format(TsvFormat)
    yield TsvFormat
    FORMATS.clear()
    FORMATS.update(registered)


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
