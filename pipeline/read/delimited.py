"""CSV input (``.csv``, ``.tsv``): a header with ``id`` and ``text`` columns (optional ``date``,
``title``, ``source``), one article per row.

The delimiter is ``,``, ``;``, tab or ``|``: the first of these that splits the header into
fields naming both ``id`` and ``text`` (German spreadsheets write ``;``), unless the caller
names one; Excel's ``sep=;`` first line is honoured too. Column names are compared without
surrounding spaces and case (``ID``, `` Text``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import BinaryIO

from .records import article_from_fields, find_columns, printable, too_long
from .text import BoundedLines, LineTooLong, changed_while_read, numbered, text_stream
from .walk import InputFile

KIND = "malformed-csv"
DELIMITERS = (",", ";", "\t", "|")
_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "'|'"}


def _name(delimiter: str) -> str:
    return _NAMES.get(delimiter, repr(delimiter))
_EXCEL_SEPARATOR = re.compile(r"sep=(.)\r?\n?")


def read_delimited(entry: InputFile, stream: BinaryIO, max_chars: int,
                   delimiter: str | None = None) -> Iterator[dict]:
    text, problem = text_stream(entry, stream, newline="")
    if problem is not None:
        yield problem
        return
    lines = BoundedLines(text, 6 * max_chars + 1024)
    try:
        line = next(lines, None)
        if line is not None and (excel := _EXCEL_SEPARATOR.fullmatch(line)):
            delimiter, line = delimiter or excel.group(1), next(lines, None)
    except LineTooLong as error:
        yield entry.error(KIND, f"the header (line {error.line}) is too long to read; "
                          "is this a CSV file?", line=error.line)
        return
    except UnicodeDecodeError:
        yield changed_while_read(entry, lines.number)
        return
    if line is None:
        return  # no rows: the caller reports the file as empty
    delimiter, header, columns, problem = _header(line, delimiter)
    if problem is not None:
        yield entry.error(KIND, f"the header {problem}", line=lines.number)
        return
    csv.field_size_limit(max(csv.field_size_limit(), max_chars + 1))
    yield from _rows(entry, lines, len(header), columns, max_chars, delimiter)


def _header(line: str, delimiter: str | None):
    """``(delimiter, header fields, columns, None)`` or ``(…, problem)``."""
    candidates = [delimiter] if delimiter else DELIMITERS
    for candidate in candidates:
        header = next(csv.reader([line], delimiter=candidate), [])
        columns, problem = find_columns(header)
        if columns:  # this delimiter finds id and text (maybe twice: then a problem)
            return candidate, header, columns, problem
    separated = (f"separated by {_name(delimiter)}" if delimiter
                 else "separated by commas, semicolons, tabs or '|'")
    return None, [], {}, (f"must name 'id' and 'text' columns {separated}; found "
                          f"'{printable(line.rstrip())}'")


class _Rows:
    """CSV rows, a row that is not valid CSV given as its ``csv.Error`` so reading goes on."""

    def __init__(self, reader):
        self.reader = reader

    def __iter__(self):
        return self

    def __next__(self) -> list[str] | csv.Error:
        try:
            return next(self.reader)
        except csv.Error as error:
            return error


def _rows(entry, lines: BoundedLines, width: int, columns: dict, max_chars: int,
          delimiter: str) -> Iterator[dict]:
    rows = _Rows(csv.reader(lines, delimiter=delimiter))
    for item in numbered(entry, rows, lines, max_chars):
        if isinstance(item, dict):
            yield item
            continue
        start, row = item
        if isinstance(row, csv.Error):
            if "field larger than field limit" in str(row):
                yield too_long(entry.shown, "a field too long to read", max_chars, line=start)
            else:
                yield entry.error(KIND, f"row at line {start}: {row}", line=start)
        elif row in ([], [""]):  # a blank line
            continue
        elif len(row) != width:
            yield entry.error(
                KIND, f"row at line {start} has {len(row)} fields, the header has {width}; "
                f"quote fields that contain {_name(delimiter)} or line breaks", line=start)
        else:
            fields = {name: row[index] for name, index in columns.items()}
            yield article_from_fields(entry.shown, start, fields, max_chars, KIND,
                                      f"line {start}")
