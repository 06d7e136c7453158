"""The format registry ``{--format value: format class}`` and the two shapes a format takes.

A format is one class, added with ``@register_format``. ``FileFormat`` subclasses write one file
per table, ``OUT/<table>.<format>``, one instance per table, into an ``AtomicFile`` that the table
set commits. A format that keeps every table in one file (a database such as
``OUT/tables.duckdb``) is instead one class scoped to the whole table set: its
``for_table_set(out)`` returns a ``TableSetFormat``.

Committing a table set is two steps: ``prepare`` does everything that can fail (flushing, syncing,
building indexes or views) for every format, and only then ``commit`` renames the temporaries
into place, so a failure leaves all the old tables, in every format, as they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, ClassVar, Protocol

from ..files import AtomicFile

if TYPE_CHECKING:
    import pandas as pd

    from ..tables import Table


class TableWriter(Protocol):
    """Where the rows of one table go."""

    def write(self, row: dict) -> None: ...

    def finish(self) -> None:
        """The last row was written (not yet visible)."""


class TableSetFormat(Protocol):
    """What ``TableSet`` needs of a format: made once per table set by ``for_table_set``."""

    def open(self, table: Table) -> TableWriter: ...

    def prepare(self) -> None:
        """Make every table written in this format complete and durable, still unseen."""

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
                         f"{format_choices()}, comma-separated")
    return tuple(name for name in FORMATS if name in chosen)


def format_choices() -> str:
    """The formats as help and error messages list them: ``csv, json (both = csv,json)``."""
    aliases = ", ".join(f"{alias} = {','.join(names)}" for alias, names in FORMAT_ALIASES.items())
    return f"{', '.join(FORMATS)} ({aliases})"


DEFAULT_FORMATS = FORMAT_ALIASES["both"]


class FileFormat:
    """A format with one file per table, ``OUT/<table>.<name>``: an instance writes one table
    into an ``AtomicFile`` (a text stream, or a binary one when ``binary``); subclasses write
    the rows (``write``, ``finish``) and read a file."""

    name: ClassVar[str]
    binary: ClassVar[bool] = False

    def __init__(self, stream: IO, table: Table):
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
        self.files.append(AtomicFile(path, binary=self.format.binary))
        return self.format(self.files[-1].stream, table)

    def prepare(self) -> None:
        for file in self.files:
            file.prepare()

    def commit(self) -> None:
        for file in self.files:
            file.commit()

    def discard(self) -> None:
        for file in self.files:
            file.discard()
