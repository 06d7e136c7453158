"""Tables: columns with types, the table-set transaction, reading tables back."""

from __future__ import annotations

import json

import pytest

from conftest import MENTIONS
from pipeline import tables
from pipeline.tables import TABLES, TableSet, choose_tables, read_tables


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


def test_read_tables_of_a_missing_folder_or_format_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no tables folder"):
        read_tables(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="unknown format xlsx; choose from csv, json, parquet"):
        read_tables(tmp_path, prefer="xlsx")


def test_read_tables_prefers_the_typed_formats_then_json(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    for fmt in ("csv", "json", "parquet"):  # one folder each: a commit deletes other formats
        with TableSet(tmp_path / fmt, [fmt]) as table_set:
            table_set.write_all("mentions", [{**MENTIONS[0], "text": f"from {fmt}"}])
            table_set.commit()
        (tmp_path / fmt / f"mentions.{fmt}").rename(folder / f"mentions.{fmt}")
    assert read_tables(folder)["mentions"].loc[0, "text"] == "from parquet"
    assert read_tables(folder, prefer="csv")["mentions"].loc[0, "text"] == "from csv"
    (folder / "mentions.parquet").unlink()
    assert read_tables(folder)["mentions"].loc[0, "text"] == "from json"


def test_every_column_has_a_type_and_errors_are_always_written():
    for table in TABLES.values():
        assert all(column.type in tables.COLUMN_TYPES for column in table.columns), table.name
    assert choose_tables(["mentions"]) == ("mentions", "errors")
    assert choose_tables(["all"]) == tuple(TABLES)
    assert "tokens" not in tables.DEFAULT_TABLES
    with pytest.raises(ValueError, match="unknown table personen; choose from documents"):
        choose_tables(["documents", "personen"])


def test_a_killed_runs_temporaries_and_database_logs_are_removed(tmp_path):
    from pipeline.files import remove_temporaries

    names = [".mentions.parquet.x1.tmp", ".tables.duckdb.x2.tmp", ".tables.duckdb.x2.tmp.wal",
             "tables.duckdb", "notes.tmp"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / ".tables.duckdb.x2.tmp.tmp").mkdir()  # DuckDB's spill folder
    (tmp_path / ".tables.duckdb.x2.tmp.tmp" / "block").write_bytes(b"")
    remove_temporaries(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.tmp", "tables.duckdb"]


def test_switching_formats_deletes_parquet_files_and_the_database(tmp_path):
    with TableSet(tmp_path, ["parquet", "duckdb"]) as table_set:
        table_set.write_all("mentions", MENTIONS)
        table_set.write_all("errors", [])
        table_set.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["errors.parquet", "mentions.parquet",
                                                          "tables.duckdb"]
    with TableSet(tmp_path, ["csv", "parquet"]) as table_set:
        table_set.write_all("errors", [])
        table_set.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["errors.csv", "errors.parquet"]
