"""The tables: their columns and types (declared once), and writing and reading a set of them.

* ``TABLES``: every table's columns with their types (``string``, ``integer``, ``boolean``,
  ``date``), in output order. Typed formats and ``read_tables`` take the types from here.
* ``TableSet``: a transaction over the tables in ``OUT``, in the chosen formats (``formats/``).
  Rows stream into temporary files; ``commit`` completes every format's files first, then swaps
  them all in and deletes the tables an earlier run wrote that this one did not (another
  ``--format`` or ``--tables``), so the folder never mixes tables of different runs; ``discard``
  (or an exception inside ``with``, or a failure while completing the files) leaves the previous
  tables untouched.
* ``read_tables``: the tables back as pandas DataFrames, from the best format written.

The formats import this module for the column types, so it imports them only where it uses them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from .formats import TableSetFormat, TableWriter

STRING, INTEGER, BOOLEAN = "string", "integer", "boolean"
DATE = "date"  # ISO 8601 text of a day, month or year: 2022-01-07, 2022-01 or 2022
COLUMN_TYPES = (STRING, INTEGER, BOOLEAN, DATE)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # one of COLUMN_TYPES
    csv: bool = True  # False: only in formats that keep the exact text (too big for a cell)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    optional: bool = False  # written only when asked for by name or with "all"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _table(name: str, columns: str, optional: bool = False, not_in_csv: str = "") -> Table:
    """A table from ``"column:type column:type ..."``; ``not_in_csv`` columns come last."""
    parsed = []
    for spec in columns.split() + not_in_csv.split():
        column, kind = spec.split(":")
        if kind not in COLUMN_TYPES:
            raise ValueError(f"table {name}: column {column} has unknown type {kind}")
        parsed.append(Column(column, kind, csv=spec not in not_in_csv.split()))
    return Table(name, tuple(parsed), optional)


TABLES: dict[str, Table] = {table.name: table for table in (
    _table("documents", "doc_id:string source:string file:string line:integer date:date "
           "title:string chars:integer tokens:integer sentences:integer mentions:integer",
           not_in_csv="text:string"),
    _table("mentions", "doc_id:string mention:integer sentence:integer start_char:integer "
           "end_char:integer text:string label:string entity_id:string name:string "
           "compound:boolean link:string article_entity_id:string"),
    _table("entities", "entity_id:string name:string label:string mentions:integer "
           "documents:integer variants:string first_date:date last_date:date"),
    _table("cooccurrences", "entity_id_a:string name_a:string entity_id_b:string "
           "name_b:string sentences:integer documents:integer"),
    _table("tokens", "doc_id:string sentence:integer token:integer start_char:integer "
           "end_char:integer text:string lemma:string", optional=True),
    _table("errors", "source:string line:integer doc_id:string stage:string error:string "
           "message:string"),
)}
ALWAYS_WRITTEN = "errors"  # failures are always recorded
DEFAULT_OUT = "outputs"  # the folder for the tables
DEFAULT_TABLES = tuple(name for name, table in TABLES.items() if not table.optional)


def choose_tables(names: Iterable[str]) -> tuple[str, ...]:
    """The tables to write for ``--tables`` names (``all``: every table), in table order."""
    names = [name.strip() for name in names if name.strip()]
    unknown = [name for name in names if name not in TABLES and name != "all"]
    if unknown or not names:
        raise ValueError(f"unknown table {', '.join(unknown) or '(none)'}; choose from "
                         f"{', '.join(TABLES)} or all")
    chosen = set(TABLES) if "all" in names else {*names, ALWAYS_WRITTEN}
    return tuple(name for name in TABLES if name in chosen)


# --- writing a set of tables -------------------------------------------------------------------

class _OpenTable:
    """One table of a table set: each row goes to every format."""

    def __init__(self, writers: list[TableWriter]):
        self.writers = writers
        self._writes: list[Callable[[dict], None]] = [writer.write for writer in writers]

    def write(self, row: dict) -> None:
        for write in self._writes:
            write(row)

    def finish(self) -> None:
        for writer in self.writers:
            writer.finish()


class TableSet:
    """A transaction over the tables in ``out`` (see the module docstring)."""

    def __init__(self, out: str | os.PathLike, formats: Sequence[str]):
        from .formats import FORMATS

        self.out = Path(out)
        self.formats = [FORMATS[name] for name in formats]
        self._scoped: list[TableSetFormat] = [table_format.for_table_set(self.out)
                                              for table_format in self.formats]
        self.tables: dict[str, _OpenTable] = {}

    def open(self, name: str) -> _OpenTable:
        """Start writing table ``name``; its rows stream to temporaries of every format."""
        self.tables[name] = _OpenTable([scoped.open(TABLES[name]) for scoped in self._scoped])
        return self.tables[name]

    def write_all(self, name: str, rows: Iterable[dict]) -> None:
        table = self.open(name)
        for row in rows:
            table.write(row)

    def commit(self) -> None:
        """Complete every table in every format, then swap them all in and delete stale ones."""
        from .formats import FORMATS

        try:
            for table in self.tables.values():
                table.finish()
            for scoped in self._scoped:
                scoped.prepare()
        except BaseException:
            self.discard()
            raise
        for scoped in self._scoped:
            scoped.commit()
        written = {path for table_format in self.formats for name in self.tables
                   for path in table_format.paths(self.out, name)}
        for table_format in FORMATS.values():
            for name in TABLES:
                for path in table_format.paths(self.out, name):
                    if path not in written:
                        path.unlink(missing_ok=True)

    def discard(self) -> None:
        for scoped in self._scoped:
            scoped.discard()

    def __enter__(self) -> TableSet:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is not None:
            self.discard()


# --- reading -----------------------------------------------------------------------------------

# The order in which read_tables looks for a table: the typed formats (exact text, fastest to
# read), then JSON (exact text), then CSV (spreadsheet apostrophes, no article text); formats
# registered later come last.
READ_PREFERENCE = ("parquet", "duckdb", "json", "csv")


def read_tables(out: str | os.PathLike = DEFAULT_OUT, prefer: str | None = None) -> dict:
    """The tables in ``out`` as pandas DataFrames, keyed by table name.

    Each table is read from the first format in ``READ_PREFERENCE`` (``prefer`` first, when
    given) that the folder holds it in. Whatever the format, a frame has the declared columns
    with the pandas dtypes of their types (``Int64``, ``boolean``, ``string``; dates as their
    ``YYYY[-MM[-DD]]`` text) and the same values, except that CSV lacks the article text and
    keeps its spreadsheet apostrophes.
    """
    from .formats import FORMATS

    out = Path(out)
    if not out.is_dir():
        raise FileNotFoundError(f"no tables folder {out}")
    if prefer is not None and prefer not in FORMATS:
        raise ValueError(f"unknown format {prefer}; choose from {', '.join(FORMATS)}")
    order = [name for name in READ_PREFERENCE if name in FORMATS]
    order += [name for name in FORMATS if name not in order]
    if prefer is not None:
        order = [prefer] + [name for name in order if name != prefer]
    frames = {}
    for table in TABLES.values():
        for name in order:
            frame = FORMATS[name].read(out, table)
            if frame is not None:
                frames[table.name] = _with_dtypes(frame, table)
                break
    return frames


def _with_dtypes(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Nullable integers and booleans, everything else as strings."""
    types = {column.name: column.type for column in table.columns}
    for name in frame.columns:
        if types.get(name) == INTEGER:
            frame[name] = frame[name].astype("Int64")
        elif types.get(name) == BOOLEAN:
            frame[name] = frame[name].map(
                {True: True, False: False, "True": True, "False": False}).astype("boolean")
        else:
            frame[name] = frame[name].astype("string")
    return frame
