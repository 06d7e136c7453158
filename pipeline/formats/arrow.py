"""What the typed formats (Parquet, DuckDB) share: a table's Arrow schema, rows gathered into
Arrow record batches as they stream in, and Arrow data read back as the declared columns.

Types: ``integer`` → int64, ``boolean`` → bool, ``string`` → string (UTF-8, the exact text: no
spreadsheet apostrophe, the article text included), ``date`` → two columns. A date in the tables
is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; typed, it is the *first day* of that period (a
``date32``, so analysts can filter, sort and ``date_trunc``) followed by ``<name>_precision``,
``year``, ``month`` or ``day``, so nothing is lost: ``2022-01`` is ``2022-01-01`` + ``month``.
Reading turns the pair back into the text, so ``read_tables`` gives the same frames from every
format.

Memory: a batch holds ``ROWS_PER_BATCH`` rows, or fewer when the large text columns (those kept
out of CSV: the article text) reach ``LARGE_TEXT_PER_BATCH`` characters; then it goes to the
format's sink (a Parquet row group, a DuckDB insert) and is dropped.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from ..tables import BOOLEAN, DATE, INTEGER, STRING

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ..tables import Table

ROWS_PER_BATCH = 65_536
LARGE_TEXT_PER_BATCH = 16_000_000  # characters: at most 64 MB of UTF-8
PRECISION = "_precision"  # suffix of the column that says what a typed date stands for
PRECISIONS = {"year": 4, "month": 7, "day": 10}  # the length of the date's text


def arrow_type(kind: str) -> pa.DataType:
    import pyarrow as pa

    return {STRING: pa.string(), INTEGER: pa.int64(), BOOLEAN: pa.bool_(),
            DATE: pa.date32()}[kind]


def arrow_schema(table: Table) -> pa.Schema:
    """The typed columns of ``table``: each declared column, a date followed by its precision."""
    import pyarrow as pa

    fields = []
    for column in table.columns:
        fields.append(pa.field(column.name, arrow_type(column.type)))
        if column.type == DATE:
            fields.append(pa.field(column.name + PRECISION, pa.string()))
    return pa.schema(fields)


@lru_cache(maxsize=65_536)
def typed_date(text: str) -> tuple[datetime.date, str]:
    """``2022-01`` → (2022-01-01, ``month``); a text in none of the three forms is refused."""
    precision = next((name for name, length in PRECISIONS.items() if length == len(text)), None)
    try:
        if precision is None:
            raise ValueError
        return datetime.date.fromisoformat((text + "-01-01")[:10]), precision
    except ValueError:
        raise ValueError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD") from None


def date_text(day: datetime.date | None, precision: str | None) -> str | None:
    """The inverse of ``typed_date``."""
    return None if day is None else day.isoformat()[:PRECISIONS[precision]]


class RecordBatches:
    """A ``TableWriter`` that hands its rows to ``sink`` as Arrow record batches of a bounded
    size (see the module docstring); ``finish`` hands over the rest. Rows are kept as they come
    (one append each: the columns are built per batch, at C speed)."""

    def __init__(self, table: Table, sink: Callable[[pa.RecordBatch], None]):
        self.table = table
        self.schema = arrow_schema(table)
        self.sink = sink
        self._large = [column.name for column in table.columns if not column.csv]
        self._start()

    def _start(self) -> None:
        self._rows: list[dict] = []
        self._chars = 0

    def write(self, row: dict) -> None:
        self._rows.append(row)
        for name in self._large:
            self._chars += len(row.get(name) or "")
        if len(self._rows) >= ROWS_PER_BATCH or self._chars >= LARGE_TEXT_PER_BATCH:
            self.finish()

    def finish(self) -> None:
        if self._rows:
            self.sink(self._batch())
            self._start()

    def _batch(self) -> pa.RecordBatch:
        import pyarrow as pa

        arrays = []
        for column in self.table.columns:
            values = [row.get(column.name) for row in self._rows]
            if column.type == DATE:
                typed = [None if text is None else typed_date(text) for text in values]
                arrays.append(pa.array([pair and pair[0] for pair in typed], pa.date32()))
                arrays.append(pa.array([pair and pair[1] for pair in typed], pa.string()))
            else:
                arrays.append(pa.array(values, arrow_type(column.type)))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)


def arrow_frame(data: pa.Table, table: Table) -> pd.DataFrame:
    """Typed Arrow data (from Parquet or DuckDB) as a frame of ``table``'s declared columns:
    dates as their text again, the precision columns dropped."""
    import pandas as pd
    import pyarrow as pa

    columns = [column for column in table.columns if column.name in data.column_names]
    plain = [column.name for column in columns if column.type != DATE]
    frame = data.select(plain).to_pandas(types_mapper=_pandas_type)
    for position, column in enumerate(columns):
        if column.type == DATE:
            texts = map(date_text, data.column(column.name).to_pylist(),
                        data.column(column.name + PRECISION).to_pylist())
            frame.insert(position, column.name, pd.array(list(texts), dtype="string"))
    return frame


def _pandas_type(arrow: pa.DataType):
    """Nullable pandas dtypes, so that a column with an empty value keeps its type."""
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_integer(arrow):
        return pd.Int64Dtype()
    if pa.types.is_boolean(arrow):
        return pd.BooleanDtype()
    if pa.types.is_string(arrow) or pa.types.is_large_string(arrow):
        return pd.StringDtype()
    return None
