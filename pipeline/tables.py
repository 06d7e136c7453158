"""The tables: their columns and types (declared once), their formats, and writing a set at once.

* ``TABLES``: every table's columns with their types (``string``, ``integer``, ``boolean``,
  ``date``), in output order. Typed formats and ``read_tables`` take the types from here.
* ``FORMATS``: the registry ``{--format value: format class}``. A format is one class, added
  with ``@register_format``. ``FileFormat`` subclasses write one file per table,
  ``OUT/<table>.<format>``, one instance per table. A format that keeps every table in one file
  (a database such as ``OUT/tables.duckdb``) is instead one class scoped to the whole table set
  (``TableSetFormat``: ``open`` each table, ``commit``, ``discard``).
* ``TableSet``: a transaction over the tables in ``OUT``. Rows stream into temporary files;
  ``commit`` swaps them all in and deletes the tables an earlier run wrote that this one did not
  (another ``--format`` or ``--tables``), so the folder never mixes tables of different runs;
  ``discard`` (or an exception inside ``with``) leaves the previous tables untouched.

CSV: UTF-8, a header, no index column, ``\\n`` line ends; empty values are empty cells, lists
JSON arrays. **Spreadsheet safety**: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return gets a leading apostrophe (``'=SUMME(A1)``), so that spreadsheets show it
as text instead of running it as a formula (OWASP's "CSV injection" advice); numbers are never
changed. Columns marked ``csv=False`` (the article text) are left out. JSON: an array of records,
one per line, non-ASCII kept as is, the exact text: use it when you need the text byte for byte.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TextIO

from .files import AtomicFile

if TYPE_CHECKING:
    import pandas as pd

STRING, INTEGER, BOOLEAN = "string", "integer", "boolean"
DATE = "date"  # ISO 8601 text, day or month precision: 2022-01-07 or 2022-01
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
           "compound:boolean"),
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


# --- formats -----------------------------------------------------------------------------------

class TableWriter(Protocol):
    """Where the rows of one table go."""

    def write(self, row: dict) -> None: ...

    def finish(self) -> None:
        """The last row was written (not yet visible)."""


class TableSetFormat(Protocol):
    """What ``TableSet`` needs of a format: made once per table set by ``for_table_set``."""

    def open(self, table: Table) -> TableWriter: ...

    def commit(self) -> None:
        """Make every table written in this format visible, replacing the old ones."""

    def discard(self) -> None:
        """Delete the temporaries; the old tables stay."""


FORMATS: dict[str, type] = {}
FORMAT_ALIASES = {"both": ("csv", "json")}


def register_format(cls: type) -> type:
    """Class decorator: make ``cls`` the format ``cls.name`` (a ``--format`` value).

    The class provides ``for_table_set(out) -> TableSetFormat``, ``paths(out, table name)``
    (the files that hold that table, for deleting stale ones) and ``read(out, table)`` (a
    DataFrame, or None when the folder has no such table in this format).
    """
    FORMATS[cls.name] = cls
    return cls


def choose_formats(names: Iterable[str]) -> tuple[str, ...]:
    """The formats for ``--format`` names (``both`` = csv and json), in registry order."""
    names = [name.strip() for name in names if name.strip()]
    chosen = {one for name in names for one in FORMAT_ALIASES.get(name, (name,))}
    unknown = [name for name in names if name not in FORMATS and name not in FORMAT_ALIASES]
    if unknown or not chosen:
        raise ValueError(f"unknown format {', '.join(unknown) or '(none)'}; choose from "
                         f"{', '.join(FORMATS)} (comma-separated; both = csv,json)")
    return tuple(name for name in FORMATS if name in chosen)


DEFAULT_FORMATS = FORMAT_ALIASES["both"]


class FileFormat:
    """A format with one file per table, ``OUT/<table>.<name>``: an instance writes one table
    into an ``AtomicFile``; subclasses write the rows (``write``, ``finish``) and read a file."""

    name: ClassVar[str]

    def __init__(self, stream: TextIO, table: Table):
        self.stream = stream
        self.table = table

    def write(self, row: dict) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Complete the file (still under its temporary name)."""

    @classmethod
    def read_file(cls, path: Path, table: Table) -> pd.DataFrame:
        raise NotImplementedError

    @classmethod
    def paths(cls, out: Path, table: str) -> list[Path]:
        return [Path(out) / f"{table}.{cls.name}"]

    @classmethod
    def read(cls, out: Path, table: Table) -> pd.DataFrame | None:
        [path] = cls.paths(out, table.name)
        return cls.read_file(path, table) if path.exists() else None

    @classmethod
    def for_table_set(cls, out: Path) -> _FilesOfTableSet:
        return _FilesOfTableSet(cls, Path(out))


class _FilesOfTableSet:
    """A ``FileFormat`` scoped to a table set: one atomic file per table opened."""

    def __init__(self, file_format: type[FileFormat], out: Path):
        self.format = file_format
        self.out = out
        self.files: list[AtomicFile] = []

    def open(self, table: Table) -> FileFormat:
        [path] = self.format.paths(self.out, table.name)
        self.files.append(AtomicFile(path))
        return self.format(self.files[-1].stream, table)

    def commit(self) -> None:
        for file in self.files:
            file.commit()

    def discard(self) -> None:
        for file in self.files:
            file.discard()


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


@register_format
class CsvFormat(FileFormat):
    """CSV, spreadsheet-safe (see the module docstring)."""

    name = "csv"

    def __init__(self, stream: TextIO, table: Table):
        super().__init__(stream, table)
        self.columns = [column.name for column in table.columns if column.csv]
        self.writer = csv.writer(stream, lineterminator="\n")
        self.writer.writerow(self.columns)

    def write(self, row: dict) -> None:
        self.writer.writerow([csv_cell(row.get(column)) for column in self.columns])

    @classmethod
    def read_file(cls, path: Path, table: Table) -> pd.DataFrame:
        import pandas as pd

        return pd.read_csv(path, encoding="utf-8", keep_default_na=False, na_values=[""],
                           dtype=str)


@register_format
class JsonFormat(FileFormat):
    """A JSON array of records, one record per line, the exact text."""

    name = "json"

    def __init__(self, stream: TextIO, table: Table):
        super().__init__(stream, table)
        self.columns = table.column_names
        self.rows = 0
        stream.write("[")

    def write(self, row: dict) -> None:
        record = {column: row.get(column) for column in self.columns}
        self.stream.write((",\n" if self.rows else "\n") + json.dumps(record, ensure_ascii=False))
        self.rows += 1

    def finish(self) -> None:
        self.stream.write("\n]\n" if self.rows else "]\n")

    @classmethod
    def read_file(cls, path: Path, table: Table) -> pd.DataFrame:
        import pandas as pd

        records = json.loads(path.read_text(encoding="utf-8"))
        return pd.DataFrame.from_records(records, columns=None if records else table.column_names)


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
        """Swap every table in at once, then delete the stale ones."""
        try:
            for table in self.tables.values():
                table.finish()
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

def read_tables(out: str | os.PathLike = "outputs", prefer: str = "json") -> dict:
    """The tables in ``out`` as pandas DataFrames, keyed by table name.

    JSON tables are preferred because they keep the exact text; another format is read where
    only that was written (CSV cells may carry the spreadsheet-safety apostrophe). Columns get
    the pandas dtypes of their declared types, whatever the format.
    """
    out = Path(out)
    if not out.is_dir():
        raise FileNotFoundError(f"no tables folder {out}")
    order = [prefer] + [name for name in FORMATS if name != prefer]
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
