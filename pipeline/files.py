"""Files that appear whole or not at all: written under a temporary name, then renamed.

A temporary file sits in the folder of its final path as ``.<name>.<random>.tmp``, so the rename
is atomic (same file system) and a killed run's leftovers are easy to find and delete
(``remove_temporaries``, which also deletes the ``.tmp.wal`` log and the ``.tmp.tmp/`` spill
folder a database library keeps beside a temporary database): a temporary is never complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

TEMPORARY_PATTERNS = (".*.tmp", ".*.tmp.wal")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates files readable by the owner only; tables should get the usual permissions.
FILE_MODE = 0o666 & ~_umask()


def _temporary(path: Path) -> tuple[int, Path]:
    """Create the temporary file for ``path``: (open descriptor, its path)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.chmod(descriptor, FILE_MODE)
    return descriptor, Path(temp)


def temporary_path(path: Path) -> Path:
    """A fresh temporary name for ``path``, for a library that creates the file itself (and
    refuses an existing empty one, as DuckDB does). Callers hold the output folder's lock, so
    nothing else takes the name between its creation here and its use."""
    descriptor, temp = _temporary(Path(path))
    os.close(descriptor)
    temp.unlink()
    return temp


class AtomicFile:
    """A file (text, or bytes with ``binary=True``) written under a temporary name and renamed
    into place by ``commit``; ``prepare`` first makes it durable (the part that can fail)."""

    def __init__(self, path: Path, binary: bool = False):
        self.path = Path(path)
        descriptor, self.temp = _temporary(self.path)
        self.stream = (os.fdopen(descriptor, "wb") if binary else
                       os.fdopen(descriptor, "w", encoding="utf-8", newline=""))

    def prepare(self) -> None:
        """Flush, sync and close the temporary: all that is left for ``commit`` is the rename."""
        if not self.stream.closed:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()

    def commit(self) -> None:
        self.prepare()
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        if not self.stream.closed:
            self.stream.close()
        self.temp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a small file atomically (no fsync: survives a killed process, not a power cut)."""
    descriptor, temp = _temporary(Path(path))
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def remove_temporaries(folder: Path) -> None:
    """Delete the temporaries a killed run left in ``folder`` (never complete files)."""
    for pattern in TEMPORARY_PATTERNS:
        for path in Path(folder).glob(pattern):
            if path.is_dir() and not path.is_symlink():  # a database's spill folder
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
