"""Input paths in, the files to read out (in a stable order), and an error row for every path
that is not read.

Rules, in the words of the README:

* Folders are read recursively, files before sub-folders, each in sorted order; hidden names
  (``.name``) are skipped, and so is every output folder (one given as ``skip``, or any folder
  holding ``.entity-pipeline/``): tables are never read as articles.
* Symbolic links are followed, to files and to folders. A link to its own folder or a folder
  above it (a loop), a link into a folder this run reads anyway, and the same file or folder
  reached a second time (an input given twice, a folder inside another input, a hard link)
  are not read again: each gets an error row naming where it is read.
* Only regular files are opened. FIFOs, sockets and devices get a ``special-file`` row; a FIFO
  is never opened, so it cannot hang the run.
* With two or more folders given, each ``.txt`` id starts with its folder's name, so equal
  relative paths in different folders stay apart; with one folder the ids are relative to it,
  so a rerun of the same folder keeps them.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .records import error_record, printable

# Where a run keeps its state in its output folder; a folder holding one is never input.
STATE_DIR = ".entity-pipeline"
_SPECIAL_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                  (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                  (stat.S_ISDIR, "a folder"))  # a folder: only when a file became one


class InputFile(NamedTuple):
    """A file to read: ``path`` opens it, ``shown`` names it in tables and messages."""

    path: str
    shown: str
    doc_id: str | None  # the article id when the file is one .txt article, else None

    def error(self, kind: str, message: str, line: int | None = None,
              doc_id: str | None = None) -> dict:
        return error_record(self.shown, kind, message, line=line, doc_id=doc_id or self.doc_id)


def iter_inputs(roots: Iterable[str | os.PathLike],
                skip: Iterable[str | os.PathLike] = ()) -> Iterator[InputFile | dict]:
    """Yield an ``InputFile`` for every file to read and an error record for every path not
    read, root by root in the order given."""
    roots = [os.fspath(root) for root in roots]
    walker = _Walker(roots, skip)
    for root in roots:
        yield from walker.root(root)


def _txt_id(relative: str) -> str | None:
    stem, suffix = os.path.splitext(relative)
    return printable(stem) if suffix.lower() == ".txt" else None


def special_kind(mode: int) -> str:
    return next((name for test, name in _SPECIAL_KINDS if test(mode)), "an unknown kind of file")


def special_file(entry: InputFile, mode: int) -> dict:
    return entry.error("special-file", f"is {special_kind(mode)}, not a regular file, so it was "
                       "not opened; articles are read from regular files only")


def path_error(entry: InputFile, error: OSError) -> dict:
    """The error row for a path that cannot be looked at or opened."""
    if error.errno == errno.ELOOP:
        return entry.error("symlink-loop", "symbolic link points to itself or into a loop of "
                           "links; fix or remove the link")
    if error.errno == errno.ENOENT:
        if os.path.islink(entry.path):
            return entry.error("broken-symlink", "symbolic link points to a missing file "
                               f"({printable(os.readlink(entry.path))}); fix or remove the link")
        return entry.error("missing", "does not exist (any more): deleted or moved while the "
                           "run was reading its folder? run again")
    return entry.error("unreadable", f"cannot read it ({error.strerror or error}); "
                       "check its permissions")


def _independent(folders: list[str]) -> set[str]:
    """The input folders that are not output folders nor inside another input folder: with
    two or more, equal relative paths must not collide, so their ids get the folder's name."""
    folders = {folder for folder in folders if not _is_output(folder)}
    return {folder for folder in folders
            if not any(other != folder and os.path.commonpath([other, folder]) == other
                       for other in folders)}


def _is_output(folder: str) -> bool:
    return os.path.isdir(os.path.join(folder, STATE_DIR))


class _Walker:
    """Walks the roots, remembering every file and folder read (by device and inode)."""

    def __init__(self, roots: list[str], skip: Iterable[str | os.PathLike]):
        self.skip = {os.path.realpath(path) for path in skip}
        self.folders = [os.path.realpath(root) for root in roots if os.path.isdir(root)]
        self.prefix_ids = len(_independent(self.folders)) > 1
        self.seen: dict[tuple[int, int], str] = {}

    def root(self, root: str) -> Iterator[InputFile | dict]:
        entry = InputFile(root, printable(root), _txt_id(os.path.basename(root)))
        try:
            info = os.stat(root)
        except OSError as error:
            yield path_error(entry, error)
            return
        is_folder = stat.S_ISDIR(info.st_mode)
        if is_folder:
            entry = entry._replace(doc_id=None)
        folder = root if is_folder else os.path.dirname(os.path.abspath(root))
        if os.path.realpath(folder) in self.skip or _is_output(folder):
            yield entry.error(
                "output-folder", f"{'is' if is_folder else 'lies in'} an output folder of "
                f"entity-pipeline (it holds {STATE_DIR}/), whose tables are never read as "
                "articles; give the folder of your articles and a separate --out")
        elif not is_folder:
            yield from self._file(entry, info)
        elif not (claimed := self._claim(info, entry.shown)):
            name = os.path.basename(os.path.abspath(root)) if self.prefix_ids else ""
            yield from self._folder(root, printable(name))
        else:
            yield entry.error("already-read", f"is {claimed}, already read in this run "
                              "(given twice, or inside another input); read once")

    def _claim(self, info: os.stat_result, shown: str) -> str | None:
        """Mark a file or folder as read; return where it was read if it already was."""
        key = (info.st_dev, info.st_ino)
        if not info.st_ino:  # a file system without inode numbers: nothing to compare
            return None
        if key in self.seen:
            return self.seen[key]
        self.seen[key] = shown
        return None

    def _file(self, entry: InputFile, info: os.stat_result) -> Iterator[InputFile | dict]:
        if not stat.S_ISREG(info.st_mode):
            yield special_file(entry, info.st_mode)
        elif claimed := self._claim(info, entry.shown):
            yield entry.error("already-read", f"is the same file as {claimed}, already read "
                              "in this run (given twice, a link or a hard link); read once")
        else:
            yield entry

    def _folder(self, root: str, id_prefix: str) -> Iterator[InputFile | dict]:
        stack = [(root, id_prefix)]
        while stack:
            folder, relative = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda item: item.name)
            except OSError as error:
                yield path_error(InputFile(folder, printable(folder), None), error)
                continue
            subfolders: list[tuple[str, str]] = []
            folder_real = os.path.realpath(folder)
            for item in entries:
                if item.name.startswith("."):
                    continue
                name = f"{relative}/{item.name}" if relative else item.name
                entry = InputFile(item.path, printable(item.path), _txt_id(name))
                yield from self._entry(item, entry, folder_real, name, subfolders)
            stack.extend(reversed(subfolders))

    def _entry(self, item: os.DirEntry, entry: InputFile, folder_real: str, name: str,
               subfolders: list) -> Iterator[InputFile | dict]:
        """Yield what one folder entry contributes; append a folder to descend into."""
        try:
            info = item.stat()  # follows a symbolic link
        except OSError as error:
            yield path_error(entry, error)
            return
        is_folder = stat.S_ISDIR(info.st_mode)
        if is_folder:
            if os.path.realpath(item.path) in self.skip or _is_output(item.path):
                return  # an output folder: its tables are not articles (documented, no error)
            entry = entry._replace(doc_id=None)
        if item.is_symlink() and (problem := self._link_problem(item.path, is_folder,
                                                                folder_real)):
            yield entry.error(*problem)
        elif not is_folder:
            yield from self._file(entry, info)
        elif claimed := self._claim(info, entry.shown):
            yield entry.error("already-read", f"is the folder {claimed}, already read in this "
                              "run; read once")
        else:
            subfolders.append((item.path, printable(name)))

    def _link_problem(self, path: str, is_folder: bool, folder_real: str) -> tuple | None:
        """Why a symbolic link is not followed, or None to follow it."""
        target = os.path.realpath(path)
        if is_folder and os.path.commonpath([folder_real, target]) == target:
            return ("symlink-loop", f"symbolic link to {printable(target)}, its own folder or "
                    "one above it: following it would loop forever, so it was not followed")
        for root in self.folders:
            if os.path.commonpath([root, target]) == root:
                inside = [] if target == root else os.path.relpath(target, root).split(os.sep)
                if not any(part.startswith(".") for part in inside):  # hidden: not read there
                    return ("already-read", f"symbolic link to {printable(target)}, which this "
                            "run reads under that path; not read twice (remove the link to "
                            "silence this)")
        return None
