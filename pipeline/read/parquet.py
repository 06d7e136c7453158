"""Parquet input: columns ``id`` and ``text`` (optional ``date``, ``title``, ``source``), one
article per row, read a batch of rows at a time with pyarrow, so memory holds one row group's
columns, never the whole file. Rows are numbered from 1 in the ``line`` column.

A row that is not an article (no id, a missing text, text that is not valid UTF-8 in a column
written without checks) is an error row like a bad JSONL line; a file that is not Parquet, or
is damaged, is one error row (after the rows that could be read).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO

from .records import article_from_fields, find_columns
from .walk import InputFile

KIND = "malformed-parquet"
BATCH_ROWS = 64  # articles of up to 1,000,000 characters: at most some hundred MB a batch


class _NotText:
    """A value of a string column that is not valid UTF-8."""


NOT_TEXT = _NotText()


def read_parquet(entry: InputFile, stream: BinaryIO, max_chars: int) -> Iterator[dict]:
    import pyarrow
    import pyarrow.parquet

    if os.fstat(stream.fileno()).st_size == 0:
        return  # the caller reports the file as empty
    try:
        parquet = pyarrow.parquet.ParquetFile(stream)
        names = parquet.schema_arrow.names
    except (pyarrow.ArrowException, OSError) as error:
        yield entry.error(KIND, f"not a Parquet file, or a damaged one ({error}); "
                          "write it again with pyarrow, pandas or DuckDB")
        return
    columns, problem = find_columns(names)
    if problem is not None:
        yield entry.error(KIND, f"the file {problem}")
        return
    selected = {field: names[index] for field, index in columns.items()}
    first = 1
    for group in range(parquet.metadata.num_row_groups):
        yield from _row_group(entry, parquet, group, first, selected, max_chars)
        first += parquet.metadata.row_group(group).num_rows


def _row_group(entry: InputFile, parquet, group: int, first: int, selected: dict[str, str],
               max_chars: int) -> Iterator[dict]:
    """The rows of one row group (``selected``: field → column name); a damaged group is one
    error row, and the next group is read as usual."""
    import pyarrow

    row = first
    try:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=[group],
                                          columns=list(selected.values()), use_threads=False):
            values = {field: _values(batch.column(name)) for field, name in selected.items()}
            for index in range(batch.num_rows):
                fields = {field: column[index] for field, column in values.items()}
                yield _article(entry, row, fields, max_chars)
                row += 1
    except (pyarrow.ArrowException, OSError) as error:
        last = first + parquet.metadata.row_group(group).num_rows - 1
        yield entry.error(KIND, f"rows {row}–{last} are damaged ({error}); the other rows "
                          "were read", line=row)


def _values(column) -> list:
    """A column as Python values; a string that is not valid UTF-8 becomes ``NOT_TEXT``."""
    try:
        values = column.to_pylist()
    except UnicodeDecodeError:
        values = []
        for index in range(len(column)):
            try:
                values.append(column[index].as_py())
            except UnicodeDecodeError:
                values.append(NOT_TEXT)
    return [_text(value) for value in values]


def _text(value):
    """Bytes (a binary column) as UTF-8 text where they are."""
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return NOT_TEXT
    return value


def _article(entry: InputFile, row: int, fields: dict, max_chars: int) -> dict:
    broken = [field for field, value in fields.items() if value is NOT_TEXT]
    if broken:
        return entry.error("not-utf8", f"row {row}: '{broken[0]}' is not valid UTF-8 text; "
                           "write the file again from UTF-8 strings", line=row)
    return article_from_fields(entry.shown, row, fields, max_chars, KIND, f"row {row}")
