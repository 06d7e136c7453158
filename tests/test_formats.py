"""Formats: the registry, CSV (spreadsheet-safe) and JSON bytes, and adding a format."""

from __future__ import annotations

import csv
import json

import pytest

from conftest import MENTIONS
from pipeline.formats import FORMATS, FileFormat, choose_formats, neutralise, register_format
from pipeline.tables import TABLES, TableSet, read_tables


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


# --- the typed formats: Parquet and DuckDB -------------------------------------------------------

DOCUMENTS = [
    {"doc_id": "d1", "source": "a.txt", "file": "a.txt", "line": None, "date": "2022-01",
     "title": "", "chars": 13, "tokens": 3, "sentences": 1, "mentions": 2,
     "text": "=Wien. Müller"},
    {"doc_id": "d2", "source": "b.jsonl", "file": "b.jsonl", "line": 3, "date": "2021",
     "title": "Almaty\u200b", "chars": 1, "tokens": 1, "sentences": 1, "mentions": 0,
     "text": "x\n\u00a0y"},
    {"doc_id": "d3", "source": "b.jsonl", "file": "b.jsonl", "line": 4, "date": "2020-02-29",
     "title": None, "chars": 1, "tokens": 1, "sentences": 1, "mentions": 0, "text": "z"},
    {"doc_id": "d4", "source": "b.jsonl", "file": "b.jsonl", "line": 5, "date": None,
     "title": None, "chars": 1, "tokens": 1, "sentences": 1, "mentions": 0, "text": ""},
]
ENTITIES = [{"entity_id": "ORG:x", "name": "Müller", "label": "ORG", "mentions": 1,
             "documents": 1, "variants": "Müller", "first_date": "2021",
             "last_date": "2022-01"}]
TYPED = {"string": "string", "integer": "int64", "boolean": "bool", "date": "date32[day]"}


def write_tables(out, formats, **tables):
    with TableSet(out, formats) as table_set:
        for name, rows in tables.items():
            table_set.write_all(name, rows)
        table_set.commit()


def duckdb_rows(out, query):
    import duckdb

    with duckdb.connect(str(out / "tables.duckdb"), read_only=True) as connection:
        return connection.execute(query).fetchall()


def test_typed_formats_keep_types_exact_text_and_dates_with_their_precision(tmp_path):
    import datetime

    import pyarrow.parquet as pq

    write_tables(tmp_path, ["parquet", "duckdb"], documents=DOCUMENTS, mentions=MENTIONS,
                 entities=ENTITIES)
    documents = pq.read_table(tmp_path / "documents.parquet")
    expected = []
    for column in TABLES["documents"].columns:
        expected.append((column.name, TYPED[column.type]))
        if column.type == "date":
            expected.append((column.name + "_precision", "string"))
    assert [(field.name, str(field.type)) for field in documents.schema] == expected
    assert documents.column("date").to_pylist() == [
        datetime.date(2022, 1, 1), datetime.date(2021, 1, 1), datetime.date(2020, 2, 29), None]
    assert documents.column("date_precision").to_pylist() == ["month", "year", "day", None]
    assert documents.column("title").to_pylist() == ["", "Almaty\u200b", None, None]
    assert documents.column("text").to_pylist() == [d["text"] for d in DOCUMENTS]
    mentions = pq.read_table(tmp_path / "mentions.parquet").to_pylist()
    assert mentions[0]["text"] == "=1+2\"" and mentions[1]["compound"] is True
    assert duckdb_rows(tmp_path, "SELECT column_name, data_type FROM duckdb_columns() "
                       "WHERE table_name = 'entities' AND data_type <> 'VARCHAR'") == [
        ("mentions", "BIGINT"), ("documents", "BIGINT"), ("first_date", "DATE"),
        ("last_date", "DATE")]
    assert duckdb_rows(tmp_path, "SELECT doc_id, date, date_precision, text FROM documents") == [
        (d["doc_id"], *documents.select(["date", "date_precision"]).to_pylist()[n].values(),
         d["text"]) for n, d in enumerate(DOCUMENTS)]
    assert duckdb_rows(tmp_path, "SELECT sentence, compound FROM mentions WHERE text = '=1+2\"'"
                       ) == [(0, False)]


def test_every_format_reads_back_the_same_frames(tmp_path):
    for table_format in FORMATS:
        write_tables(tmp_path / table_format, [table_format], documents=DOCUMENTS,
                     mentions=MENTIONS, entities=ENTITIES, errors=[])
    frames = {name: read_tables(tmp_path / name) for name in FORMATS}
    for name, from_json in frames["json"].items():
        for typed in ("parquet", "duckdb"):
            assert from_json.equals(frames[typed][name]), (typed, name)
            assert list(from_json.dtypes) == list(frames[typed][name].dtypes)
    assert frames["parquet"]["documents"]["date"].tolist()[:3] == ["2022-01", "2021",
                                                                   "2020-02-29"]


def test_empty_typed_tables_keep_their_columns_and_types(tmp_path):
    import pyarrow.parquet as pq

    write_tables(tmp_path, ["parquet", "duckdb"], errors=[], entities=[])
    schema = pq.read_schema(tmp_path / "entities.parquet")
    assert str(schema.field("first_date").type) == "date32[day]"
    assert pq.read_metadata(tmp_path / "entities.parquet").num_rows == 0
    assert duckdb_rows(tmp_path, "SELECT count(*) FROM errors") == [(0,)]
    frames = read_tables(tmp_path, prefer="duckdb")
    assert list(frames) == ["entities", "errors"] and frames["errors"].empty
    assert str(frames["errors"]["line"].dtype) == "Int64"


def test_parquet_and_duckdb_appear_only_at_commit_and_leave_no_temporaries(tmp_path):
    (tmp_path / "tables.duckdb.wal").write_bytes(b"a stale log DuckDB would replay")
    table_set = TableSet(tmp_path, ["parquet", "duckdb"])
    table_set.write_all("mentions", MENTIONS)
    assert not [path for path in tmp_path.iterdir() if not path.name.startswith(".")
                and path.name != "tables.duckdb.wal"]
    table_set.commit()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mentions.parquet",
                                                                "tables.duckdb"]
    assert duckdb_rows(tmp_path, "SELECT count(*) FROM mentions") == [(2,)]


def test_a_failure_while_completing_keeps_every_old_table(tmp_path, monkeypatch):
    from pipeline.formats import duckdb as duckdb_format

    write_tables(tmp_path, ["csv", "parquet", "duckdb"], mentions=MENTIONS)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    monkeypatch.setitem(duckdb_format.VIEWS, "broken", (("mentions",), "SELECT * FROM nowhere"))
    with pytest.raises(Exception, match="nowhere"):
        write_tables(tmp_path, ["csv", "parquet", "duckdb"], mentions=MENTIONS[:1])
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_rows_stream_in_bounded_batches(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from pipeline.formats import arrow

    monkeypatch.setattr(arrow, "ROWS_PER_BATCH", 3)
    monkeypatch.setattr(arrow, "LARGE_TEXT_PER_BATCH", 10)
    mentions = [{**MENTIONS[0], "mention": number} for number in range(7)]
    documents = [{**DOCUMENTS[2], "doc_id": f"d{number}", "text": "Wien" * 2}
                 for number in range(4)]
    write_tables(tmp_path, ["parquet", "duckdb"], mentions=mentions, documents=documents)
    groups = pq.ParquetFile(tmp_path / "mentions.parquet").metadata
    assert [groups.row_group(n).num_rows for n in range(groups.num_row_groups)] == [3, 3, 1]
    groups = pq.ParquetFile(tmp_path / "documents.parquet").metadata
    assert [groups.row_group(n).num_rows for n in range(groups.num_row_groups)] == [2, 2]
    assert duckdb_rows(tmp_path, "SELECT list(mention) FROM mentions") == [(list(range(7)),)]


def test_parquet_bytes_repeat_and_hold_no_time_or_run(tmp_path):
    import pyarrow.parquet as pq

    for out in ("a", "b"):
        write_tables(tmp_path / out, ["parquet"], documents=DOCUMENTS, mentions=MENTIONS)
    for name in ("documents.parquet", "mentions.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    metadata = pq.read_metadata(tmp_path / "a" / "mentions.parquet")
    assert set(metadata.metadata) == {b"ARROW:schema"}
    assert metadata.created_by.startswith("parquet-cpp-arrow version")
    assert metadata.row_group(0).column(0).compression == "ZSTD"


def test_a_date_in_none_of_the_three_forms_is_refused():
    from pipeline.formats.arrow import date_text, typed_date

    for text in ("2022", "2022-01", "2022-01-07"):
        assert date_text(*typed_date(text)) == text
    for text in ("2022-13", "2022-1-7", "07.01.2022", "2022-02-30", "gestern"):
        with pytest.raises(ValueError, match="is not YYYY"):
            typed_date(text)


def test_duckdb_views_join_mentions_with_dates_entities_and_context(tmp_path):
    write_tables(tmp_path, ["duckdb"], documents=DOCUMENTS, mentions=MENTIONS, entities=ENTITIES,
                 cooccurrences=[{"entity_id_a": "ORG:x", "name_a": "Müller",
                                 "entity_id_b": "LOC:y", "name_b": "Wien", "sentences": 2,
                                 "documents": 1}])
    assert duckdb_rows(tmp_path, "SELECT mention, text, date, date_precision, entity_name, "
                       "entity_label, text_before, text_after FROM mention_details") == [
        (0, "=1+2\"", datetime_date(2022, 1, 1), "month", "Müller", "ORG", "", " Müller"),
        (1, "Wien", datetime_date(2022, 1, 1), "month", None, None, "=Wien. ", "ller")]
    assert duckdb_rows(tmp_path, "SELECT * FROM entity_dates") == [
        ("ORG:x", "Müller", "ORG", datetime_date(2022, 1, 1), "month", 1, 1)]
    assert duckdb_rows(tmp_path, "SELECT label_a, name_b, label_b, sentences FROM "
                       "cooccurrence_details") == [("ORG", "Wien", None, 2)]


def test_a_view_is_made_only_when_its_tables_are_written(tmp_path):
    write_tables(tmp_path, ["duckdb"], mentions=MENTIONS, entities=ENTITIES)
    assert duckdb_rows(tmp_path, "SELECT view_name FROM duckdb_views() WHERE NOT internal") == []


def datetime_date(*parts):
    import datetime

    return datetime.date(*parts)


def test_a_typed_binary_format_is_a_few_lines(tmp_path):
    """Arrow IPC files through the same seams as Parquet: binary stream, RecordBatches."""
    from pipeline.formats.arrow import RecordBatches, arrow_frame

    class ArrowIpcFormat(FileFormat):
        name = "arrow"
        binary = True

        def __init__(self, stream, table):
            import pyarrow as pa

            super().__init__(stream, table)
            self.batches = RecordBatches(table, lambda batch: self.writer.write_batch(batch))
            self.writer = pa.ipc.new_file(stream, self.batches.schema)
            self.write = self.batches.write

        def finish(self):
            self.batches.finish()
            self.writer.close()

        @classmethod
        def read_file(cls, path, table):
            import pyarrow as pa

            with pa.memory_map(str(path)) as source:
                return arrow_frame(pa.ipc.open_file(source).read_all(), table)

    registered = dict(FORMATS)
    register_format(ArrowIpcFormat)
    try:
        write_tables(tmp_path / "ipc", ["arrow"], documents=DOCUMENTS, mentions=MENTIONS)
        write_tables(tmp_path / "json", ["json"], documents=DOCUMENTS, mentions=MENTIONS)
        from_ipc, from_json = read_tables(tmp_path / "ipc"), read_tables(tmp_path / "json")
        assert from_ipc.keys() == from_json.keys()
        assert all(from_ipc[name].equals(from_json[name]) for name in from_json)
    finally:
        FORMATS.clear()
        FORMATS.update(registered)
