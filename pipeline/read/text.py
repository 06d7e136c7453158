"""Opening input files safely and reading them as text: encodings, bounded lines, ``.txt``.

**Encodings, decided**: UTF-8 (with or without a byte order mark), and UTF-16 or UTF-32 *with*
a byte order mark (Excel's "Unicode text" export), which says unambiguously what it is. Nothing
else is guessed: a file that is not UTF-8 is reported, with a conversion hint when it decodes
as Windows-1252 or looks like UTF-16 without a byte order mark, because a wrong guess silently
corrupts names (``MÃ¼ller``) in every table.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from .records import article, printable, too_long
from .walk import InputFile, special_kind

CHUNK = 1 << 20
# Byte order marks, longest first (UTF-32 LE starts like UTF-16 LE).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# A .txt article may start with a `date 2022-01-07` fragment: metadata, not text.
_DATE_FRAGMENT = re.compile(r"\A\s*date\s+(\d\S*)\s+")


class NotRegularFile(OSError):
    """The path turned out to be a FIFO, socket or device when it was opened."""

    def __init__(self, mode: int):
        super().__init__(f"is {special_kind(mode)}")
        self.mode = mode


def open_regular(path: str) -> BinaryIO:
    """Open a regular file for reading, and nothing else.

    ``O_NONBLOCK`` makes opening a FIFO return at once instead of waiting for a writer, and the
    check on the open descriptor catches a file replaced by a FIFO or device after the folder
    was listed.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(mode)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def chunks(stream: BinaryIO) -> Iterator[bytes]:
    return iter(lambda: stream.read(CHUNK), b"")


def diagnose(data: Iterable[bytes], name: str) -> tuple[str | None, tuple[str, str] | None]:
    """Stream the bytes once: ``(codec, None)`` for text we read, else ``(None, (error,
    message))``. ``name`` is the file's printable name, for the conversion hint."""
    data = iter(data)
    first = next(data, b"")
    codec = next((codec for bom, codec in _BOMS if first.startswith(bom)), "utf-8-sig")
    decoder = codecs.getincrementaldecoder(codec)()
    cp1252 = codecs.getincrementaldecoder("cp1252")() if codec == "utf-8-sig" else None
    sample = None
    for chunk in _prepend(first, data):
        if codec == "utf-8-sig" and b"\x00" in chunk:
            return None, _nul_problem(chunk)
        try:
            if sample is None and "\x00" in decoder.decode(chunk):
                return None, _nul_problem(b"")
        except UnicodeDecodeError as error:
            if codec != "utf-8-sig":
                return None, ("not-utf8", f"file starts with a {codec.upper()} byte order mark "
                              "but is not valid UTF-16/UTF-32 (damaged?); re-export it as UTF-8")
            sample = chunk[max(0, error.start - 20): error.start + 20]
        if cp1252 is not None and not _decodes(cp1252, chunk):
            cp1252 = None
        if sample is not None and cp1252 is None:
            break
    if sample is None:
        try:
            decoder.decode(b"", final=True)
            return codec, None
        except UnicodeDecodeError:
            return None, ("not-utf8", "file ends in the middle of a character (truncated?); "
                          "re-export it as UTF-8")
    if cp1252 is not None:
        excerpt = sample.decode("cp1252").strip()
        return None, ("not-utf8", f"file is not UTF-8 but looks like Windows-1252/Latin-1 "
                      f"(…{printable(excerpt)}…); convert it, e.g. `iconv -f WINDOWS-1252 -t "
                      f"UTF-8 '{name}' > fixed.txt`, and run again")
    return None, ("binary", "file is neither UTF-8 nor Windows-1252 text (binary?); "
                  "convert it to UTF-8 text first")


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def _decodes(decoder, chunk: bytes) -> bool:
    try:
        decoder.decode(chunk)
        return True
    except UnicodeDecodeError:
        return False


def _nul_problem(chunk: bytes) -> tuple[str, str]:
    """NUL bytes: binary, unless every other byte is NUL, as in UTF-16 without a BOM."""
    half = len(chunk) // 2
    if half >= 8 and max(chunk[0::2].count(0), chunk[1::2].count(0)) > 0.4 * half:
        order = "LE" if chunk[1::2].count(0) > chunk[0::2].count(0) else "BE"
        return ("not-utf8", "file looks like UTF-16 text without a byte order mark; convert "
                f"it, e.g. `iconv -f UTF-16{order} -t UTF-8 in.txt > fixed.txt`, or save it "
                "as UTF-8")
    return ("binary", "file contains NUL bytes, so it is not text; "
            "convert it to UTF-8 text (.txt/.jsonl/.csv) first")


class LineTooLong(Exception):
    def __init__(self, line: int):
        super().__init__(f"line {line} is too long")
        self.line = line


class BoundedLines:
    """The lines of a text stream, none longer than ``limit`` characters in memory.

    A longer line is skipped (read in pieces and dropped) and raises ``LineTooLong`` from
    ``next``; iteration then goes on with the next line. ``number`` is the last line's number.
    """

    def __init__(self, stream: io.TextIOBase, limit: int):
        self.stream, self.limit, self.number = stream, limit, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.stream.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) > self.limit and not line.endswith(("\n", "\r")):
            while (rest := self.stream.readline(CHUNK)) and not rest.endswith(("\n", "\r")):
                pass
            raise LineTooLong(self.number)
        return line


def numbered(entry: InputFile, items: Iterator, lines: BoundedLines,
             max_chars: int) -> Iterator[tuple[int, object] | dict]:
    """``(line it starts on, item)`` for the items read from ``lines`` (the lines themselves,
    or CSV rows); an over-long line is a ``too-long`` error record and reading goes on, text
    that stops decoding ends the file with an error record."""
    while True:
        start = lines.number + 1
        try:
            item = next(items)
        except StopIteration:
            return
        except LineTooLong as error:
            yield too_long(entry.shown, "a line too long to read", max_chars, line=error.line)
            continue
        except UnicodeDecodeError:
            yield changed_while_read(entry, lines.number)
            return
        yield start, item


def text_stream(entry: InputFile, stream: BinaryIO, newline: str | None):
    """``(text stream, None)`` over the whole file, or ``(None, error record)``."""
    codec, problem = diagnose(chunks(stream), entry.shown)
    if problem is not None:
        return None, entry.error(*problem)
    stream.seek(0)
    return io.TextIOWrapper(stream, encoding=codec, newline=newline), None


def changed_while_read(entry: InputFile, line: int) -> dict:
    return entry.error("not-utf8", f"file stopped being valid text after line {line}; it was "
                       "probably changed while the run read it. Articles before that line "
                       "were read; run again")


def read_txt(entry: InputFile, stream: BinaryIO, max_chars: int) -> Iterator[dict]:
    """One ``.txt`` article; never more than ``4 × max_chars`` bytes are read into memory."""
    limit = 4 * max_chars  # no encoding we read needs more than 4 bytes a character
    size = os.fstat(stream.fileno()).st_size
    if size > limit:
        yield too_long(entry.shown, f"{size:,} bytes", max_chars, doc_id=entry.doc_id)
        return
    data = stream.read(limit + 1)
    if len(data) > limit:  # it grew since it was listed
        yield too_long(entry.shown, f"more than {limit:,} bytes", max_chars, doc_id=entry.doc_id)
        return
    codec, problem = diagnose([data], entry.shown)
    if problem is not None:
        yield entry.error(*problem)
        return
    raw = data.decode(codec).replace("\r\n", "\n").replace("\r", "\n")
    match = _DATE_FRAGMENT.match(raw)
    date, text = (match.group(1), raw[match.end():]) if match else (None, raw)
    if not text.strip():
        yield entry.error("empty", "article has no text; add text or remove the file")
    elif len(text) > max_chars:
        yield too_long(entry.shown, f"{len(text):,} characters", max_chars, doc_id=entry.doc_id)
    else:
        yield article(entry.doc_id, entry.shown, entry.shown, None, date, None, text)
