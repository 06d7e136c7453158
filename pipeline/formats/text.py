"""The text formats: CSV (spreadsheet-safe) and JSON (the exact text).

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
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .registry import FileFormat, register_format

if TYPE_CHECKING:
    import pandas as pd

    from ..tables import Table

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
