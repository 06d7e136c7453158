"""Stage 1, read: input paths in, article records and error records out.

An article record is ``{"doc_id", "source", "file", "line", "date", "title", "text"}``; an error
record is ``{"source", "line", "doc_id", "stage", "error", "message"}`` (``stage`` is ``"read"``).
Everything is streamed: one article at a time, and no file is read whole unless it is a single
``.txt`` article below the size limit, so a huge file never fills memory.

Inputs:

* ``.txt``: one article, UTF-8. A leading ``date YYYY-MM[-DD]`` fragment becomes the ``date``
  field and the text starts right after it. ``doc_id`` is the path relative to the folder given
  on the command line, without the suffix (``kasachstan-2022-01``).
* ``.jsonl``: one JSON object per line with ``id`` and ``text``, optional ``date``, ``title``,
  ``source``.
* ``.csv``: a header with ``id`` and ``text`` columns (optional ``date``, ``title``, ``source``).

Folders are read recursively in sorted order; hidden files and folders (``.name``) and the output
folder are skipped. Any other file in a folder is reported as an unsupported input, so every file
ends up either as an article or as an error.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

ARTICLE_SUFFIXES = (".txt", ".jsonl", ".csv")
# spaCy refuses texts longer than nlp.max_length (1,000,000 characters by default).
DEFAULT_MAX_CHARS = 1_000_000
_CHUNK = 1 << 20
_DATE_FRAGMENT = re.compile(r"\A\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\s+")
_OPTIONAL_FIELDS = ("date", "title", "source")


def is_error(record: dict) -> bool:
    """True for an error record, False for an article record."""
    return "error" in record


def error_record(
    source: str | os.PathLike, error: str, message: str, line: int | None = None,
    doc_id: str | None = None, stage: str = "read",
) -> dict:
    return {
        "source": str(source), "line": line, "doc_id": doc_id,
        "stage": stage, "error": error, "message": message,
    }


def iter_records(
    inputs: Iterable[str | os.PathLike],
    max_chars: int = DEFAULT_MAX_CHARS,
    skip: Iterable[str | os.PathLike] = (),
) -> Iterator[dict]:
    """Yield article and error records for files and folders, in a stable order.

    ``skip`` names folders never to descend into (the output folder). A ``doc_id`` seen before
    yields a ``duplicate-id`` error instead of a second article: the first one in input order
    wins.
    """
    skip_real = {os.path.realpath(path) for path in skip}
    seen: dict[str, str] = {}
    for root in inputs:
        for path, doc_id_base in _iter_files(Path(root), skip_real):
            for record in _read_file(path, doc_id_base, max_chars):
                if not is_error(record):
                    where = f"{record['source']}" + (f":{record['line']}" if record["line"] else "")
                    first = seen.get(record["doc_id"])
                    if first is not None:
                        yield error_record(
                            record["source"], "duplicate-id",
                            f"id '{record['doc_id']}' is already used by {first}; "
                            "give every article a unique id",
                            line=record["line"], doc_id=record["doc_id"],
                        )
                        continue
                    seen[record["doc_id"]] = where
                yield record


def _iter_files(root: Path, skip_real: set[str]) -> Iterator[tuple[Path, str]]:
    """Yield (path, doc_id for a .txt article) for every file under ``root``."""
    if not root.is_dir():
        yield root, root.stem
        return
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            name for name in dirnames
            if not name.startswith(".")
            and os.path.realpath(os.path.join(folder, name)) not in skip_real
        )
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            doc_id = relative[: -len(path.suffix)] if path.suffix else relative
            yield path, doc_id


def _read_file(path: Path, doc_id: str, max_chars: int) -> Iterator[dict]:
    if path.is_symlink() and not path.exists():
        yield error_record(
            path, "broken-symlink",
            f"symbolic link points to a missing file ({os.readlink(path)}); "
            "fix or remove the link",
        )
        return
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        yield error_record(
            path, "unsupported-format",
            f"'{path.suffix or path.name}' is not an article format; use .txt (one article), "
            ".jsonl or .csv, or move the file out of the input folder",
        )
        return
    try:
        size = path.stat().st_size
        if suffix == ".txt" and size > 4 * max_chars:
            # UTF-8 needs at most 4 bytes a character: too long without reading it.
            yield _too_long(path, f"{size:,} bytes", max_chars)
            return
        problem = sniff_encoding(path)
        if problem is not None:
            yield error_record(path, problem[0], problem[1])
            return
        if suffix == ".txt":
            yield from _read_txt(path, doc_id, max_chars)
            return
        found = 0
        for found, record in enumerate(
                _read_jsonl(path, max_chars) if suffix == ".jsonl" else _read_csv(path, max_chars),
                start=1):
            yield record
        if not found:  # so that every input file is accounted for
            yield error_record(path, "empty", "file holds no articles; add some or remove it")
    except OSError as error:
        yield error_record(
            path, "unreadable",
            f"cannot read the file ({error.strerror or error}); check its permissions",
        )


def _too_long(
    path: Path, size: str, max_chars: int, line: int | None = None, doc_id: str | None = None,
) -> dict:
    return error_record(
        path, "too-long",
        f"article has {size}, more than the limit of {max_chars:,} characters spaCy "
        "processes at once; split it into several articles",
        line=line, doc_id=doc_id,
    )


def sniff_encoding(path: Path) -> tuple[str, str] | None:
    """Stream the file once: return ``(error, message)`` unless it is UTF-8 text.

    A file with NUL bytes or that decodes neither as UTF-8 nor as Windows-1252 is binary. One
    that is valid Windows-1252 (a superset of Latin-1's printable range) but not UTF-8 is
    reported with a conversion hint rather than guessed: a wrong guess would silently corrupt
    names in the tables.
    """
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    utf8_ok, cp1252_ok, sample = True, True, ""
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            if b"\x00" in chunk:
                return ("binary", "file contains NUL bytes, so it is not text; "
                        "convert it to UTF-8 text (.txt/.jsonl/.csv) first")
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError as error:
                    utf8_ok = False
                    sample = chunk[max(0, error.start - 20): error.start + 20]
            if cp1252_ok:
                try:
                    cp1252.decode(chunk)
                except UnicodeDecodeError:
                    cp1252_ok = False
            if not utf8_ok and not cp1252_ok:
                break
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
            return None
        except UnicodeDecodeError:
            return ("not-utf8", "file ends in the middle of a UTF-8 character (truncated?); "
                    "re-export it as UTF-8")
    if cp1252_ok:
        excerpt = sample.decode("cp1252").strip()
        return ("not-utf8", f"file is not UTF-8 but looks like Windows-1252/Latin-1 "
                f"(…{excerpt}…); convert it, e.g. `iconv -f WINDOWS-1252 -t UTF-8 "
                f"'{path.name}' > fixed.txt`, and run again")
    return ("binary", "file is neither UTF-8 nor Windows-1252 text (binary?); "
            "convert it to UTF-8 text first")


def _read_txt(path: Path, doc_id: str, max_chars: int) -> Iterator[dict]:
    raw = path.read_text(encoding="utf-8-sig")
    match = _DATE_FRAGMENT.match(raw)
    date, text = (match.group(1), raw[match.end():]) if match else (None, raw)
    if not text.strip():
        yield error_record(path, "empty", "article has no text; add text or remove the file",
                           doc_id=doc_id)
    elif len(text) > max_chars:
        yield _too_long(path, f"{len(text):,} characters", max_chars, doc_id=doc_id)
    else:
        yield _article(doc_id, str(path), path, None, date, None, text)


def _article(doc_id, source, path, line, date, title, text) -> dict:
    return {"doc_id": doc_id, "source": source, "file": str(path), "line": line,
            "date": date, "title": title, "text": text}


def _iter_lines(path: Path, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Yield (line number, bytes) with memory bounded by ``limit``; None for an overlong line."""
    with open(path, "rb") as stream:
        number = 0
        while True:
            line = stream.readline(limit + 1)
            if not line:
                return
            number += 1
            if len(line) > limit and not line.endswith(b"\n"):
                while (rest := stream.readline(_CHUNK)) and not rest.endswith(b"\n"):
                    pass
                yield number, None
                continue
            yield number, line


def _read_jsonl(path: Path, max_chars: int) -> Iterator[dict]:
    # JSON escapes can take 6 bytes (\\u00fc) for one character.
    for number, line in _iter_lines(path, 6 * max_chars + 1024):
        if line is None:
            yield _too_long(path, "a line too long to read", max_chars, line=number)
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line.decode("utf-8-sig"))
        except json.JSONDecodeError as error:
            yield error_record(
                path, "malformed-jsonl",
                f"line {number} is not valid JSON ({error.msg} at column {error.colno}); "
                "fix or remove the line",
                line=number,
            )
            continue
        if not isinstance(obj, dict):
            yield error_record(path, "malformed-jsonl",
                               f"line {number} is not a JSON object with 'id' and 'text'",
                               line=number)
            continue
        record = _fields(path, number, obj, max_chars, "malformed-jsonl")
        if record is not None:
            yield record


def _fields(path: Path, number: int, obj: dict, max_chars: int, kind: str) -> dict:
    """Validate one JSONL object or CSV row and return an article or an error record."""
    doc_id, text = obj.get("id"), obj.get("text")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        return error_record(path, kind, f"line {number} has no 'id'; every article needs one",
                            line=number)
    if not isinstance(text, str):
        return error_record(path, kind, f"line {number} has no 'text' string", line=number,
                            doc_id=doc_id)
    if not text.strip():
        return error_record(path, "empty", f"line {number}: article '{doc_id}' has no text",
                            line=number, doc_id=doc_id)
    if len(text) > max_chars:
        return _too_long(path, f"{len(text):,} characters", max_chars, line=number,
                         doc_id=doc_id)
    extra = {}
    for field in _OPTIONAL_FIELDS:
        value = obj.get(field)
        extra[field] = None if value in (None, "") else str(value)
    return _article(doc_id, extra["source"] or str(path), path, number, extra["date"],
                    extra["title"], text)


def _read_csv(path: Path, max_chars: int) -> Iterator[dict]:
    csv.field_size_limit(max(csv.field_size_limit(), 6 * max_chars))
    with open(path, "rb") as binary:
        stream = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        reader = csv.reader(stream)
        try:
            header = next(reader, None)
        except csv.Error as error:
            yield error_record(path, "malformed-csv", f"header is not valid CSV ({error})",
                               line=1)
            return
        if header is None or "id" not in header or "text" not in header:
            yield error_record(
                path, "malformed-csv",
                f"header must name 'id' and 'text' columns, found {header or 'nothing'}",
                line=1,
            )
            return
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield error_record(path, "malformed-csv", f"row at line {start}: {error}",
                                   line=start)
                continue
            if not row or row == [""]:
                continue
            if len(row) != len(header):
                yield error_record(
                    path, "malformed-csv",
                    f"row at line {start} has {len(row)} fields, the header has {len(header)}; "
                    "quote fields that contain commas or line breaks",
                    line=start,
                )
                continue
            yield _fields(path, start, dict(zip(header, row)), max_chars, "malformed-csv")
