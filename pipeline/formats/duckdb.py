"""DuckDB: every table in one database file, ``OUT/tables.duckdb``, plus views for analysts.

Tables have the typed columns of ``arrow.py`` (a date is the first day of its period plus
``<name>_precision``) and the rows in table order; rows stream in as Arrow record batches of a
bounded size, so memory stays bounded. ``VIEWS`` join the tables the way analysts ask for them;
each view is created when the tables it reads were written.

**Atomic**: the database is built under a temporary name beside the final one; ``prepare``
creates the views, checkpoints (so the write-ahead log is folded in and removed) and closes it;
``commit`` deletes a stale ``tables.duckdb.wal`` (which DuckDB would otherwise replay into the
new file) and renames the file into place. **Deterministic in content**: the same inputs give
the same tables, rows in the same order (DuckDB keeps insertion order). The *bytes* differ from
run to run: DuckDB writes a random database identifier into the file header (and with several
threads the block layout varies too). Compare tables, not files. Should DuckDB spill to disk, it
does so into ``<temporary name>.tmp/``, which it removes on closing (and the next run removes
after a killed one, with the other temporaries).

The file uses DuckDB's 1.0 storage format, so any DuckDB from 1.0 on (the command-line tool, R,
Python) opens it, whatever newer DuckDB wrote it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import temporary_path
from .arrow import RecordBatches, arrow_frame
from .registry import register_format

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ..tables import Table

FILE_NAME = "tables.duckdb"
STORAGE_VERSION = "v1.0.0"  # the oldest DuckDB that can open the file
BATCH_VIEW = "_entity_pipeline_rows"  # the name an Arrow batch is inserted from

# name -> (the tables it reads, its query). Mentions keep the table's columns (m.*) and gain
# their article's date, title and source, their entity's corpus-wide name and label, and the
# text around them; the other views aggregate or label.
VIEWS: dict[str, tuple[tuple[str, ...], str]] = {
    "mention_details": (("mentions", "documents", "entities"), """
        SELECT m.*, d.date, d.date_precision, d.title, d.source,
               e.name AS entity_name, e.label AS entity_label,
               right(substr(d.text, 1, m.start_char), 60) AS text_before,
               substr(d.text, m.end_char + 1, 60) AS text_after
        FROM mentions AS m
        LEFT JOIN documents AS d USING (doc_id)
        LEFT JOIN entities AS e USING (entity_id)
        ORDER BY m.doc_id, m.mention"""),
    "entity_dates": (("mentions", "documents", "entities"), """
        SELECT m.entity_id, e.name, e.label, d.date, d.date_precision,
               count(*) AS mentions, count(DISTINCT m.doc_id) AS documents
        FROM mentions AS m
        JOIN documents AS d USING (doc_id)
        LEFT JOIN entities AS e USING (entity_id)
        WHERE d.date IS NOT NULL AND m.entity_id IS NOT NULL
        GROUP BY m.entity_id, e.name, e.label, d.date, d.date_precision
        ORDER BY d.date, d.date_precision, mentions DESC, e.name, m.entity_id"""),
    "cooccurrence_details": (("cooccurrences", "entities"), """
        SELECT c.entity_id_a, c.name_a, a.label AS label_a,
               c.entity_id_b, c.name_b, b.label AS label_b, c.sentences, c.documents
        FROM cooccurrences AS c
        LEFT JOIN entities AS a ON a.entity_id = c.entity_id_a
        LEFT JOIN entities AS b ON b.entity_id = c.entity_id_b
        ORDER BY c.sentences DESC, c.entity_id_a, c.entity_id_b"""),
}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@register_format
class DuckDbFormat:
    """Every table in ``OUT/tables.duckdb`` (see the module docstring)."""

    name = "duckdb"

    @classmethod
    def paths(cls, out: Path, table: str) -> list[Path]:
        return [Path(out) / FILE_NAME]

    @classmethod
    def for_table_set(cls, out: Path) -> _Database:
        return _Database(Path(out) / FILE_NAME)

    @classmethod
    def read(cls, out: Path, table: Table) -> pd.DataFrame | None:
        path = Path(out) / FILE_NAME
        if not path.exists():
            return None
        import duckdb

        with duckdb.connect(str(path), read_only=True) as connection:
            found = connection.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "AND schema_name = 'main' AND table_name = ?", [table.name]).fetchall()
            if not found:
                return None
            data = connection.table(table.name).to_arrow_table()
        return arrow_frame(data, table)


class _Database:
    """The database of one table set, built under a temporary name (see the module docstring)."""

    def __init__(self, path: Path):
        import duckdb

        self.path = path
        self.temp = temporary_path(path)
        self.connection = duckdb.connect(
            str(self.temp), config={"storage_compatibility_version": STORAGE_VERSION})
        self.tables: list[str] = []

    def open(self, table: Table) -> RecordBatches:
        """Create the table, typed from its Arrow schema; its writer inserts batch by batch."""
        batches = RecordBatches(table, lambda batch: self._insert(table.name, batch))
        self._insert(table.name, batches.schema.empty_table(), create=True)
        self.tables.append(table.name)
        return batches

    def _insert(self, name: str, rows: pa.RecordBatch | pa.Table, create: bool = False) -> None:
        import pyarrow as pa

        if isinstance(rows, pa.RecordBatch):  # registered as a table by every DuckDB version
            rows = pa.Table.from_batches([rows])
        self.connection.register(BATCH_VIEW, rows)
        try:
            self.connection.execute(
                f"CREATE TABLE {_quoted(name)} AS SELECT * FROM {BATCH_VIEW}" if create
                else f"INSERT INTO {_quoted(name)} SELECT * FROM {BATCH_VIEW}")
        finally:
            self.connection.unregister(BATCH_VIEW)

    def prepare(self) -> None:
        """Views, then a checkpoint: the closed file is complete and has no log beside it."""
        for view, (needs, query) in VIEWS.items():
            if set(needs) <= set(self.tables):
                self.connection.execute(f"CREATE VIEW {_quoted(view)} AS {query}")
        self.connection.execute("CHECKPOINT")
        self.connection.close()

    def commit(self) -> None:
        Path(f"{self.path}.wal").unlink(missing_ok=True)
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        self.connection.close()
        for path in (self.temp, Path(f"{self.temp}.wal")):
            path.unlink(missing_ok=True)
