"""Table formats: a registry ``{--format value: format class}`` and the formats themselves.

* ``registry.py``: ``@register_format``, ``FileFormat`` (one file per table) and the protocol of
  a format that keeps every table in one file; choosing formats from ``--format``.
* ``text.py``: CSV (spreadsheet-safe) and JSON (the exact text).

The modules register their formats on import, in this order, which is the order of
``choose_formats``. None of them imports a heavy library before a table is written or read, so
``entity-pipeline --help`` stays instant.
"""

from .registry import (DEFAULT_FORMATS, FORMAT_ALIASES, FORMATS, FileFormat, TableSetFormat,
                       TableWriter, choose_formats, format_choices, register_format)
from .text import CsvFormat, JsonFormat, csv_cell, neutralise

__all__ = ["DEFAULT_FORMATS", "FORMAT_ALIASES", "FORMATS", "FileFormat", "TableSetFormat",
           "TableWriter", "choose_formats", "format_choices", "register_format", "CsvFormat",
           "JsonFormat", "csv_cell", "neutralise"]
