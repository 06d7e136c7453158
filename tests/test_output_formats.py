"""One run writing CSV, JSON, Parquet and DuckDB over .txt, .jsonl and .parquet inputs: the same
rows in every format, typed columns, and the same tables again for reruns, workers, increments."""

from __future__ import annotations

import datetime
import json
import re
import shutil

import pytest

from conftest import SAMPLE, load_json, run_cli, write_jsonl
from pipeline.formats import neutralise
from pipeline.formats.arrow import typed_date
from pipeline.tables import TABLES, read_tables

ALL_FORMATS = "csv,json,parquet,duckdb"
# Real German news sentences; dates of every precision, one invalid (an errors row), none.
NEWS = [
    {"id": "news-1", "date": "2022-01-07", "title": "=Lage in Almaty",
     "text": "Der kasachische Präsident Kassym-Jomart Tokajew hat die ODKB um Hilfe gebeten. "
             "In Almaty blieb die Lage am Freitag angespannt, berichtete die Nachrichtenagentur "
             "Interfax."},
    {"id": "news-2", "date": "2022", "source": "dpa",
     "text": "Bundeskanzler Olaf Scholz telefonierte mit Wladimir Putin über die Lage in "
             "Kasachstan.\nDie Europäische Union forderte ein Ende der Gewalt."},
    {"id": "news-3", "date": "gestern",
     "text": "Annalena Baerbock reiste nach Genf, wo sie Sergej Lawrow traf."},
]
ARCHIVE = {
    "id": ["archiv-1", "archiv-2"],
    "text": ["Nursultan Nasarbajew regierte Kasachstan fast drei Jahrzehnte lang von Astana aus.",
             "Die OSZE beobachtete die Wahl in Minsk, Alexander Lukaschenko erklärte sich zum "
             "Sieger."],
    "date": ["2021-03", None],
    "title": ["Rückblick", ""],
}


def build_corpus(folder):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir()
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    write_jsonl(folder / "news.jsonl", NEWS)
    pq.write_table(pa.table(ARCHIVE), folder / "archiv.parquet", row_group_size=1)
    return folder


def run_all(corpus, out, *options):
    result = run_cli("run", corpus, "--out", out, "--format", ALL_FORMATS, "--tables", "all",
                     *options)
    assert result.exit_code == 1, result.output  # the invalid date, and nothing else
    return result


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """(corpus, out) of one run in all four formats."""
    root = tmp_path_factory.mktemp("formats")
    corpus = build_corpus(root / "corpus")
    run_all(corpus, root / "out")
    return corpus, root / "out"


def test_every_format_holds_the_same_rows(written):
    corpus, out = written
    frames = {name: read_tables(out, prefer=name) for name in ALL_FORMATS.split(",")}
    exact = frames["json"]
    assert sorted(exact) == sorted(TABLES)
    assert len(exact["documents"]) == 6 and len(exact["mentions"]) > 70
    assert list(exact["errors"]["error"]) == ["invalid-date"]
    for name, frame in exact.items():
        for typed in ("parquet", "duckdb"):
            assert frame.equals(frames[typed][name]), (typed, name)
        assert frames["csv"][name].equals(as_in_csv(frame, TABLES[name])), name
    assert list(exact["documents"]["doc_id"]) == ["archiv-1", "archiv-2", "kasachstan-2022-01",
                                                  "news-1", "news-2", "news-3"]
    assert list(exact["documents"]["date"].fillna("-")) == ["2021-03", "-", "2022-01",
                                                            "2022-01-07", "2022", "-"]
    assert exact["documents"].loc[3, "title"] == "=Lage in Almaty"
    assert frames["csv"]["documents"].loc[3, "title"] == "'=Lage in Almaty"


def as_in_csv(frame, table):
    """The frame as CSV holds it: no article text, apostrophes, empty text as no value."""
    frame = frame[[column.name for column in table.columns if column.csv]].copy()
    for column in table.columns:
        if column.csv and column.type in ("string", "date"):
            frame[column.name] = frame[column.name].map(
                lambda text: neutralise(text) if isinstance(text, str) and text else None
            ).astype("string")
    return frame


def test_parquet_and_duckdb_hold_the_json_rows_typed(written):
    import duckdb
    import pyarrow.parquet as pq

    _, out = written
    types = {"string": "string", "integer": "int64", "boolean": "bool", "date": "date32[day]"}
    with duckdb.connect(str(out / "tables.duckdb"), read_only=True) as connection:
        for name, table in TABLES.items():
            expected = [typed_row(record, table) for record in load_json(out, name)]
            parquet = pq.read_table(out / f"{name}.parquet")
            assert parquet.to_pylist() == expected, name
            for column in table.columns:
                assert str(parquet.schema.field(column.name).type) == types[column.type]
            rows = connection.execute(f"SELECT * FROM {name}")
            assert [dict(zip([c[0] for c in rows.description], row)) for row in rows.fetchall()
                    ] == expected, name


def typed_row(record: dict, table) -> dict:
    """A JSON record as the typed formats store it: a date as its first day and precision."""
    row = {}
    for column in table.columns:
        value = record[column.name]
        if column.type == "date":
            day, precision = typed_date(value) if value is not None else (None, None)
            row.update({column.name: day, column.name + "_precision": precision})
        else:
            row[column.name] = value
    return row


def test_duckdb_offsets_and_views_answer_analysts_questions(written):
    import duckdb

    _, out = written
    with duckdb.connect(str(out / "tables.duckdb"), read_only=True) as connection:
        def query(sql):
            return connection.execute(sql).fetchall()

        assert query("SELECT count(*) FROM mentions AS m JOIN documents AS d USING (doc_id) "
                     "WHERE substr(d.text, m.start_char + 1, m.end_char - m.start_char) "
                     "<> m.text") == [(0,)]
        text = NEWS[0]["text"]
        start = text.index("ODKB")
        assert query("SELECT text_before, text, text_after, date, entity_label "
                     "FROM mention_details WHERE doc_id = 'news-1' AND text = 'ODKB'") == [
            (text[max(start - 60, 0):start], "ODKB", text[start + 4:start + 64],
             datetime.date(2022, 1, 7), "ORG")]
        assert query("SELECT count(*), sum(mentions) FROM entity_dates") == query(
            "SELECT count(DISTINCT (entity_id, doc_id)), count(*) FROM mentions "
            "WHERE doc_id NOT IN ('news-3', 'archiv-2')")
        [(label,)] = query("SELECT label_a FROM cooccurrence_details "
                           "WHERE name_a = 'Kassym-Jomart Tokajew' LIMIT 1")
        assert label == "PER"
        assert query("SELECT name, label FROM entities ORDER BY mentions DESC LIMIT 1") == [
            ("Kasachstan", "LOC")]


def test_tables_repeat_across_reruns_workers_and_increments(written, tmp_path):
    corpus, out = written
    parquet = parquet_bytes(out)
    database = duckdb_content(out)
    run_all(corpus, out, "--force")
    assert parquet_bytes(out) == parquet and duckdb_content(out) == database
    run_all(corpus, tmp_path / "two", "--workers", "2", "--batch-size", "1")
    assert parquet_bytes(tmp_path / "two") == parquet
    assert duckdb_content(tmp_path / "two") == database
    news = corpus / "news.jsonl"
    aside = tmp_path / "news.jsonl"
    shutil.move(news, aside)
    try:
        result = run_cli("run", corpus, "--out", tmp_path / "grown", "--format", ALL_FORMATS,
                         "--tables", "all")
        assert result.exit_code == 0, result.output
    finally:
        shutil.move(aside, news)
    grown = run_all(corpus, tmp_path / "grown")
    assert re.search(r"\b3 analysed \(.*\), 3 reused", grown.stderr), grown.stderr
    assert parquet_bytes(tmp_path / "grown") == parquet
    assert duckdb_content(tmp_path / "grown") == database


def parquet_bytes(out) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.glob("*.parquet"))}


def duckdb_content(out) -> dict:
    """Every table's and view's rows, in order, and the columns with their types."""
    import duckdb

    with duckdb.connect(str(out / "tables.duckdb"), read_only=True) as connection:
        names = [name for (name,) in connection.execute(
            "SELECT table_name FROM duckdb_tables() UNION ALL "
            "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()]
        return {name: (connection.execute(f"DESCRIBE {name}").fetchall(),
                       connection.execute(f"SELECT * FROM {name}").fetchall())
                for name in names}


def test_switching_formats_deletes_the_typed_files(written, tmp_path):
    corpus, _ = written
    out = tmp_path / "out"
    run_all(corpus, out)
    result = run_cli("run", corpus, "--out", out, "--format", "json")
    assert result.exit_code == 1, result.output
    assert sorted(path.name for path in out.iterdir()) == [
        ".entity-pipeline", "cooccurrences.json", "documents.json", "entities.json",
        "errors.json", "mentions.json"]
    assert json.loads((out / "errors.json").read_text())[0]["error"] == "invalid-date"
