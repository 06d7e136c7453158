"""Table formats: a registry ``{--format value: format class}`` and the formats themselves.

* ``registry.py``: ``@register_format``, ``FileFormat`` (one file per table) and the protocol of
  a format that keeps every table in one file; choosing formats from ``--format``.
* ``text.py``: CSV (spreadsheet-safe) and JSON (the exact text).
* ``arrow.py``: what the typed formats share: the Arrow schema of a table, rows gathered into
  record batches, and reading Arrow data back as the declared columns.
* ``parquet.py``: ``OUT/<table>.parquet``; ``duckdb.py``: ``OUT/tables.duckdb`` and its views.

The modules register their formats on import, in this order, which is the order of
``choose_formats``. None of them imports pyarrow or DuckDB before a table is written or read, so
``entity-pipeline --help`` stays instant.
"""

from .registry import (DEFAULT_FORMATS, FORMAT_ALIASES, FORMATS, FileFormat, TableSetFormat,
                       TableWriter, choose_formats, format_choices, register_format)
from .text import CsvFormat, JsonFormat, csv_cell, neutralise
from .parquet import ParquetFormat
from .duckdb import DuckDbFormat

__all__ = ["DEFAULT_FORMATS", "FORMAT_ALIASES", "FORMATS", "FileFormat", "TableSetFormat",
           "TableWriter", "choose_formats", "format_choices", "register_format", "CsvFormat",
           "JsonFormat", "ParquetFormat", "DuckDbFormat", "csv_cell", "neutralise"]
