"""Stage 5, write: tables as CSV and/or JSON, written atomically.

* CSV: UTF-8, a header, no index column, ``\\n`` line ends. Empty values are empty cells, lists
  are JSON arrays. **Spreadsheet safety**: a text cell that begins with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return gets a leading apostrophe (``'=SUMME(A1)``), so that Excel,
  LibreOffice or Google Sheets show it as text instead of running it as a formula (the OWASP
  "CSV injection" advice). Numbers are never changed.
* JSON: an array of records, one per line, non-ASCII kept as is, and the exact text (no
  apostrophes): use JSON when you need the text byte for byte.

Every file is written to a temporary file in the same folder and moved into place with
``os.replace``, so a reader sees either the old complete table or the new complete one.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FORMATS = ("csv", "json")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates files readable by the owner only; tables should get the usual permissions.
FILE_MODE = 0o666 & ~_umask()
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Column order of every table; `text` is in the JSON documents table only.
SCHEMAS: dict[str, list[str]] = {
    "documents": ["doc_id", "source", "file", "line", "date", "title", "chars", "tokens",
                  "sentences", "mentions"],
    "mentions": ["doc_id", "mention", "sentence", "start_char", "end_char", "text", "label",
                 "entity_id", "name", "compound"],
    "entities": ["entity_id", "name", "label", "mentions", "documents", "variants",
                 "first_date", "last_date"],
    "cooccurrences": ["entity_id_a", "name_a", "entity_id_b", "name_b", "sentences",
                      "documents"],
    "tokens": ["doc_id", "sentence", "token", "start_char", "end_char", "text", "lemma"],
    "errors": ["source", "line", "doc_id", "stage", "error", "message"],
}
JSON_ONLY_COLUMNS = {"documents": ["text"]}
TABLES = tuple(SCHEMAS)


def neutralise(value: str) -> str:
    """Make a CSV text cell inert in spreadsheets (see the module docstring)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return neutralise(value)
    return value


class AtomicFile:
    """A text file written under a temporary name and renamed into place by ``commit``."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        self.temp = Path(temp)
        os.chmod(descriptor, FILE_MODE)
        self.stream = os.fdopen(descriptor, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        if not self.stream.closed:
            self.stream.close()
        self.temp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a small file atomically (no fsync: survives a killed process, not a power cut)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class TableWriter:
    """Streams the rows of one table into its CSV and/or JSON temporary files."""

    def __init__(self, out: Path, name: str, formats: Iterable[str],
                 columns: list[str] | None = None):
        self.name = name
        self.columns = list(columns if columns is not None else SCHEMAS[name])
        self.json_columns = self.columns + JSON_ONLY_COLUMNS.get(name, [])
        self.rows = 0
        self.files: dict[str, AtomicFile] = {}
        for fmt in formats:
            self.files[fmt] = AtomicFile(Path(out) / f"{name}.{fmt}")
        if "csv" in self.files:
            self.csv = csv.writer(self.files["csv"].stream, lineterminator="\n")
            self.csv.writerow(self.columns)
        if "json" in self.files:
            self.files["json"].stream.write("[")

    def write(self, row: dict) -> None:
        if "csv" in self.files:
            self.csv.writerow([csv_cell(row.get(column)) for column in self.columns])
        if "json" in self.files:
            record = {column: row.get(column) for column in self.json_columns}
            separator = ",\n" if self.rows else "\n"
            self.files["json"].stream.write(separator + json.dumps(record, ensure_ascii=False))
        self.rows += 1

    def finish(self) -> None:
        """Complete the temporary files (not yet visible)."""
        if "json" in self.files:
            self.files["json"].stream.write("\n]\n" if self.rows else "]\n")

    def commit(self) -> None:
        for file in self.files.values():
            file.commit()

    def discard(self) -> None:
        for file in self.files.values():
            file.discard()


def table_paths(out: Path, name: str) -> dict[str, Path]:
    return {fmt: Path(out) / f"{name}.{fmt}" for fmt in FORMATS}


def read_tables(out: str | os.PathLike = "outputs", prefer: str = "json") -> dict:
    """The tables in ``out`` as pandas DataFrames, keyed by table name.

    JSON tables are preferred because they keep the exact text; CSV is read where only CSV was
    written (its cells may carry the spreadsheet-safety apostrophe).
    """
    import pandas as pd

    frames = {}
    for name in TABLES:
        paths = table_paths(Path(out), name)
        order = [prefer] + [fmt for fmt in FORMATS if fmt != prefer]
        for fmt in order:
            if not paths[fmt].exists():
                continue
            if fmt == "json":
                records = json.loads(paths[fmt].read_text(encoding="utf-8"))
                frames[name] = pd.DataFrame.from_records(records, columns=None if records else
                                                         SCHEMAS[name] or None)
            else:
                frames[name] = pd.read_csv(paths[fmt], encoding="utf-8", keep_default_na=False,
                                           na_values=[""], dtype=str)
            frames[name] = _with_dtypes(frames[name])
            break
    return frames


INTEGER_COLUMNS = {"line", "chars", "tokens", "sentences", "mentions", "mention", "sentence",
                   "start_char", "end_char", "token", "documents"}


def _with_dtypes(frame):
    """Nullable integers and booleans, text as strings: the same dtypes from CSV and JSON."""
    for column in frame.columns:
        if column in INTEGER_COLUMNS:
            frame[column] = frame[column].astype("Int64")
        elif column == "compound":
            frame[column] = frame[column].map(
                {True: True, False: False, "True": True, "False": False}).astype("boolean")
        else:
            frame[column] = frame[column].astype("string")
    return frame
