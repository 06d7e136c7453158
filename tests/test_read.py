"""Stage 1: reading .txt/.jsonl/.csv inputs, and every kind of bad input as an error record."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from pipeline import read
from conftest import SAMPLE, deny_access, sample_body


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
    ("articles.json", b'[{"id": "a", "text": "Minsk."}]', [(None, "unsupported-format")],
     "jq -c '.[]' in.json > out.jsonl"),
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
    deny_access(monkeypatch, path)
    [error] = records(path)
    assert (error["error"], "Permission denied" in error["message"]) == ("unreadable", True)
    assert error["doc_id"] == "secret"


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


# --- ids, text, optional fields: the same rules for every reader -------------------------------

@pytest.mark.parametrize("value, expected", [
    (7, ("7", None)), (7.0, ("7", None)), ("a/b c", ("a/b c", None)),
    (1.5, (None, "line 1: 'id' is the number 1.5; an id must be a string or a whole number")),
    (True, (None, "line 1: 'id' is true; an id must be a string or a whole number")),
    (["x"], (None, "line 1: 'id' is a list; an id must be a string or a whole number")),
    (None, (None, "line 1 has no 'id'; every article needs one")),
    ("  ", (None, "line 1 has an empty 'id'; every article needs one")),
])
def test_jsonl_ids_say_what_is_wrong(tmp_path, value, expected):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": value, "text": "Angela Merkel war in Paris."}) + "\n",
                    encoding="utf-8")
    [record] = records(path)
    assert (record["doc_id"], record.get("message")) == expected
    assert record.get("error", "malformed-jsonl") == "malformed-jsonl"


def test_jsonl_messages_name_the_problem(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"id": "a", "text": "offen\n'                       # 1
                     b'{"id": "b", "text": "eins", "text": "zwei"}\n'      # 2
                     + b"[" * 100_000 + b"\n"                              # 3
                     b'"nur Text"\n'                                       # 4
                     b'{"id": "c", "text": ["Minsk"]}\n'                   # 5
                     b'{"id": "d"}\n'                                      # 6
                     b'{"id": 1' + b"0" * 5000 + b', "text": "x"}\n')      # 7
    assert [r["message"] for r in records(path)] == [
        "line 1 is not valid JSON (Unterminated string starting at column 21); fix or remove "
        "the line",
        "line 2 has the key 'text' twice (JSON would keep only the last); keep one",
        "line 3 nests JSON too deeply to read; fix or remove the line",
        "line 4 is a string, not a JSON object with 'id' and 'text'",
        "line 5: 'text' is a list, not a string",
        "line 6 has no 'text'; every article needs one",
        "line 7 cannot be read as JSON (Exceeds the limit (4300 digits) for integer string "
        "conversion: value has 5001 digits; use sys.set_int_max_str_digits() to increase the "
        "limit); fix or remove the line",
    ]


def test_jsonl_bom_crlf_and_structured_fields(tmp_path):
    path = tmp_path / "a.jsonl"
    first = {"id": "a", "text": "Tokajew\r\nsprach.", "title": {"de": "Unruhen"},
             "source": ["dpa", "AFP"], "date": "2022-01-07T14:30:00+06:00"}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(first).encode() + b"\r\n\xef\xbb\xbf"
                     + json.dumps({"id": "b", "text": "Minsk.", "date": 2022}).encode() + b"\r\n")
    assert [(r["doc_id"], r["line"], r["text"], r["title"], r["source"], r["date"])
            for r in records(path)] == [
        ("a", 1, "Tokajew\r\nsprach.", '{"de": "Unruhen"}', '["dpa", "AFP"]', "2022-01-07"),
        ("b", 2, "Minsk.", None, str(path), "2022")]


@pytest.mark.parametrize("field", ["text", "id", "title", "source", "date"])
def test_text_that_cannot_be_written_as_utf8_is_an_error(tmp_path, field):
    article = {"id": "art", "text": "Angela Merkel in Berlin.", "title": "Titel",
               "source": "dpa", "date": "2022-01-07"}
    article[field] = article[field][:3] + "\ud800" + article[field][3:]
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(article) + "\n" + json.dumps({"id": "g", "text": "Wien."}) + "\n",
                    encoding="utf-8")
    bad, good = records(path)
    assert (bad["error"], bad["line"], good["doc_id"]) == ("invalid-unicode", 1, "g")
    assert bad["message"].startswith(f"line 1: '{field}' holds U+D800 at character 3")
    assert bad["doc_id"] == ("art\\ud800" if field == "id" else "art")
    bad["doc_id"].encode("utf-8")


# --- dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2022", "2022"), ("2022-01", "2022-01"), ("2022-01-07", "2022-01-07"),
    ("2022-01-07T14:30:00Z", "2022-01-07"), ("2022-01-07 14:30", "2022-01-07"),
    ("7.1.2022", "2022-01-07"), ("07.01.2022", "2022-01-07"), (" 2022-01-07 ", "2022-01-07"),
    ("2022-13-45", None), ("2022-02-30", None), ("gestern", None), ("0000-01-01", None),
    ("2022-1-7", None), ("2022-01-07T25:00", None), ("31.2.2022", None), ("", None),
])
def test_dates_are_validated(value, expected):
    from pipeline.read.records import normal_date

    assert normal_date(value) == expected


def test_invalid_dates_are_error_rows_and_the_article_stays_without_date(tmp_path):
    (tmp_path / "a.txt").write_text("date 2022-13-45 Angela Merkel in Paris.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("date 7.1.2022\nOlaf Scholz in Wien.", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text('{"id": "c", "text": "Minsk.", "date": "gestern"}\n',
                                      encoding="utf-8")
    found = [(r["doc_id"], r.get("error"), r.get("date"), r.get("text")) for r in records(tmp_path)]
    assert found == [
        ("a", "invalid-date", None, None), ("a", None, None, "Angela Merkel in Paris."),
        ("b", None, "2022-01-07", "Olaf Scholz in Wien."),
        ("c", "invalid-date", None, None), ("c", None, None, "Minsk.")]
    message = records(tmp_path / "c.jsonl")[0]["message"]
    assert message == ("line 1: date 'gestern' is not a valid date; the article was analysed "
                       "without one. Use YYYY-MM-DD, YYYY-MM or YYYY")


# --- CSV delimiters and headers ----------------------------------------------------------------

@pytest.mark.parametrize("content", [
    "id;text;date\r\nk1;Angela Merkel, Olaf Scholz;07.01.2022\r\nk2;\"Minsk; Wien\";\r\n",
    "id\ttext\tdate\nk1\tAngela Merkel, Olaf Scholz\t2022-01-07\nk2\tMinsk; Wien\t\n",
    "ID | Text | Date\nk1|Angela Merkel, Olaf Scholz|2022-01-07\nk2|Minsk; Wien|\n",
    'sep=;\nid;text;date\nk1;Angela Merkel, Olaf Scholz;2022-01-07\nk2;"Minsk; Wien";\n',

])
def test_csv_delimiter_is_found_from_the_header(tmp_path, content):
    path = tmp_path / "a.csv"
    path.write_text(content, encoding="utf-8")
    assert [(r["doc_id"], r["text"].strip(), r["date"]) for r in records(path)] == [
        ("k1", "Angela Merkel, Olaf Scholz", "2022-01-07"), ("k2", "Minsk; Wien", None)]


def test_csv_explicit_delimiter_and_tsv(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id;text\nk1;Angela Merkel, Olaf Scholz\n", encoding="utf-8")
    assert records(path, csv_delimiter=";")[0]["text"] == "Angela Merkel, Olaf Scholz"
    [error] = records(path, csv_delimiter=",")
    assert error["message"] == ("the header must name 'id' and 'text' columns separated by "
                                "commas; found 'id;text'")
    tsv = tmp_path / "b.tsv"
    tsv.write_text("id\ttext\nk2\tMinsk, Wien\n", encoding="utf-8")
    assert records(tsv)[0]["text"] == "Minsk, Wien"


@pytest.mark.parametrize("header, message", [
    ("id,text,text", "the header has 2 'text' columns (columns 2 and 3); keep one"),
    ("ID,text,id", "the header has 2 'id' columns (columns 1 and 3); keep one"),
    ("name;body;x", "the header must name 'id' and 'text' columns separated by commas, "
                    "semicolons, tabs or '|'; found 'name;body;x'"),
])
def test_csv_header_problems(tmp_path, header, message):
    path = tmp_path / "a.csv"
    path.write_text(header + "\n1,Angela Merkel,x\n", encoding="utf-8")
    [error] = records(path)
    assert (error["error"], error["line"], error["message"]) == ("malformed-csv", 1, message)


def test_csv_overlong_line_is_skipped_and_reading_goes_on(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,text\nk1," + "Wort " * 200 + "\nk2," + "Wort " * 400
                    + "\nk3,Minsk\n", encoding="utf-8")
    found = [(r["line"], r.get("error"), r["doc_id"]) for r in records(path, max_chars=100)]
    assert found == [(2, "too-long", "k1"), (3, "too-long", None), (4, None, "k3")]


def test_empty_csv_and_parquet_files_are_empty(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"")
    (tmp_path / "b.parquet").write_bytes(b"")
    (tmp_path / "c.csv").write_bytes(b"sep=;\n")
    assert errors_of(tmp_path) == [("a.csv", None, "empty"), ("b.parquet", None, "empty"),
                                   ("c.csv", None, "empty")]


# --- encodings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(tmp_path, codec):
    bom = {"utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-32": b""}[codec]
    text = "date 2022-01-07 Der Bürgermeister von München traf Angela Merkel."
    (tmp_path / "a.txt").write_bytes(bom + text.encode(codec))
    (tmp_path / "b.csv").write_bytes(bom + "id\ttext\nb1\tGrüße aus Köln\n".encode(codec))
    (tmp_path / "c.jsonl").write_bytes(
        bom + '{"id": "c1", "text": "Düsseldorf"}\n'.encode(codec))
    assert [(r["doc_id"], r["date"], r["text"]) for r in records(tmp_path)] == [
        ("a", "2022-01-07", "Der Bürgermeister von München traf Angela Merkel."),
        ("b1", None, "Grüße aus Köln"), ("c1", None, "Düsseldorf")]


def test_utf16_without_a_byte_order_mark_says_so(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("Der Bürgermeister von München traf Angela Merkel.".encode("utf-16-le"))
    [error] = records(path)
    assert (error["error"], error["doc_id"]) == ("not-utf8", "a")
    assert "UTF-16 text without a byte order mark" in error["message"]
    assert "iconv -f UTF-16LE -t UTF-8" in error["message"]


def test_damaged_utf16_is_not_called_binary(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xff\xfe" + "Köln".encode("utf-16-le") + b"\x00\xd8A\x00")  # surrogate
    [error] = records(path)
    assert (error["error"], "UTF-16 byte order mark" in error["message"]) == ("not-utf8", True)


def test_txt_line_ends_are_read_as_newlines(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"date 2022-01\r\nErste Zeile.\r\nZweite Zeile.\rDritte.")
    [article] = records(path)
    assert (article["date"], article["text"]) == ("2022-01", "Erste Zeile.\nZweite Zeile.\nDritte.")


# --- Parquet -----------------------------------------------------------------------------------

def write_parquet(path: Path, columns: dict, **kwargs) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path, **kwargs)
    return path


def test_parquet_rows_are_articles(tmp_path):
    import datetime

    path = write_parquet(tmp_path / "a.parquet", {
        "id": [1, 2, 3, None], "Text": ["Angela Merkel traf Olaf Scholz.", "Minsk.", " ", "x"],
        "date": [datetime.date(2022, 1, 7), None, None, None],
        "title": ["Treffen", None, None, None], "extra": [1.5, 2.5, 3.5, 4.5]})
    found = [(r["line"], r["doc_id"], r.get("error"), r.get("date"), r.get("title"))
             for r in records(path)]
    assert found == [(1, "1", None, "2022-01-07", "Treffen"), (2, "2", None, None, None),
                     (3, "3", "empty", None, None), (4, None, "malformed-parquet", None, None)]
    assert records(path)[3]["message"] == "row 4 has no 'id'; every article needs one"


def test_parquet_is_streamed_by_row_group(tmp_path):
    import pyarrow as pa

    texts = [f"Artikel {number}: " + "Angela Merkel traf Olaf Scholz in Berlin. " * 500
             for number in range(1000)]
    path = write_parquet(tmp_path / "a.parquet", {"id": list(range(1000)), "text": texts},
                         row_group_size=20, compression="none")
    assert path.stat().st_size > 20_000_000
    before = pa.total_allocated_bytes()
    stream = read.iter_records([path])
    assert next(stream)["doc_id"] == "0"
    assert pa.total_allocated_bytes() - before < 5_000_000, "only one row group in memory"
    assert sum(1 for _ in stream) == 999


def test_bad_parquet_files(tmp_path):
    import pyarrow as pa

    (tmp_path / "a.parquet").write_bytes(b"PAR1 nicht wirklich")
    write_parquet(tmp_path / "b.parquet", {"id": ["x"], "body": ["Minsk."]})
    write_parquet(tmp_path / "c.parquet", {"id": pa.array([], pa.string()),
                                           "text": pa.array([], pa.string())})
    invalid = pa.Array.from_buffers(pa.string(), 2, [
        None, pa.py_buffer(bytes([0, 0, 0, 0, 6, 0, 0, 0, 12, 0, 0, 0])),
        pa.py_buffer("Minsk.".encode() + b"M\xfcnchen")])
    write_parquet(tmp_path / "d.parquet", {"id": ["d1", "d2"], "text": invalid})
    found = [(Path(r["source"]).name, r["line"], r.get("error"), r["doc_id"])
             for r in records(tmp_path)]
    assert found == [("a.parquet", None, "malformed-parquet", None),
                     ("b.parquet", None, "malformed-parquet", None),
                     ("c.parquet", None, "empty", None),
                     ("d.parquet", 1, None, "d1"),
                     ("d.parquet", 2, "not-utf8", None)]
    messages = [r.get("message") for r in records(tmp_path)]
    assert messages[0].startswith("not a Parquet file, or a damaged one (")
    assert messages[1] == "the file needs 'id' and 'text' columns, found ['id', 'body']"
    assert messages[4] == ("row 2: 'text' is not valid UTF-8 text; write the file again from "
                           "UTF-8 strings")


def test_damaged_parquet_keeps_the_rows_before_the_damage(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", {
        "id": [f"p{n}" for n in range(300)], "text": [f"Artikel {n} über Minsk." for n in range(300)]},
        row_group_size=100, compression="none")
    data = bytearray(path.read_bytes())
    middle = data.index(b"Artikel 150")
    data[middle - 200:middle + 200] = b"\xff" * 400
    path.write_bytes(bytes(data))
    found = records(path)
    assert [r["doc_id"] for r in found[:100]] == [f"p{n}" for n in range(100)]
    [damage] = [r for r in found if read.is_error(r)]
    assert (damage["error"], damage["line"]) == ("malformed-parquet", 101)
    assert damage["message"].startswith("rows 101–200 are damaged (")
    assert [r["doc_id"] for r in found[101:]] == [f"p{n}" for n in range(200, 300)]


@pytest.mark.parametrize("name", ["a.jsonl", "a.csv"])
def test_text_that_stops_decoding_after_the_check_keeps_the_rows_before(tmp_path, monkeypatch,
                                                                         name):
    """A file rewritten between the encoding check and the reading (simulated by a check
    that lets everything pass): the rows before the damage land, then one error row."""
    from pipeline.read import text

    path = tmp_path / name
    rows = [f"a{n}" for n in range(1000)]  # more than one buffer of the text decoder
    good = ("".join(f'{{"id": "{row}", "text": "Angela Merkel."}}\n' for row in rows)
            if name.endswith("jsonl") else "id,text\n" + "".join(f"{row},Olaf Scholz.\n"
                                                                for row in rows))
    path.write_bytes(good.encode() + b"b,M\xfcnchen\n" * 3)
    monkeypatch.setattr(text, "diagnose", lambda data, name: ("utf-8-sig", None))
    found = records(path)
    assert [r["doc_id"] for r in found[:-1]] == rows[:len(found) - 1]
    assert len(found) > 100 and found[-1]["error"] == "not-utf8"
    assert "changed while the run read it" in found[-1]["message"]


def test_mutated_inputs_never_raise(tmp_path):
    """Valid files of every format with random bytes changed, inserted and deleted (a fixed
    seed): every one ends as articles or error rows, and everything read can be written."""
    import io
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = io.BytesIO()
    pq.write_table(pa.table({"id": ["p1", "p2"], "text": ["Minsk", "Köln"],
                             "date": ["2022-01-07", "x"]}), parquet, row_group_size=1)
    seeds = {".jsonl": json.dumps({"id": "a", "text": "Angela Merkel in Berlin.",
                                   "date": "2022-01-07"}).encode() + b"\n" * 2,
             ".csv": "id;text;date\r\n1;\"Merkel, Scholz\";07.01.2022\r\n".encode(),
             ".txt": "date 2022-01 Der Bürgermeister von München.".encode(),
             ".parquet": parquet.getvalue()}
    pieces = [b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\\ud800", b'"', b"\n", b"\r", b"[" * 3000,
              b"1" * 5000, b"sep=|\n", b'"id"', b"\\u0000", b"NaN", b"1e999"]
    rng = random.Random(14)
    for number in range(240):
        suffix = rng.choice(list(seeds))
        data = bytearray(seeds[suffix])
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(data) + 1)
            choice = rng.random()
            if choice < 0.4:
                data[at:at + 1] = bytes([rng.randrange(256)])
            elif choice < 0.7:
                data[at:at] = rng.choice(pieces)
            else:
                del data[at:at + rng.randint(1, 20)]
        (tmp_path / f"f{number:03d}{suffix}").write_bytes(bytes(data))
    found = records(tmp_path, max_chars=rng.choice([40, 1_000_000]))
    assert len(found) >= 240
    for record in found:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
