"""The records the read stage yields, and the checks every reader's articles pass through.

An article record is ``{"doc_id", "source", "file", "line", "date", "title", "text"}``; an error
record is ``{"source", "line", "doc_id", "stage", "error", "message"}``. The checks live here,
once, so that every reader (``.txt``, JSONL, CSV, Parquet, and any added later) treats ids,
dates and text alike.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from collections.abc import Iterator

MISSING = object()
# The fields an article may carry in a JSONL object, a CSV header or a Parquet schema.
FIELDS = ("id", "text", "date", "title", "source")
_RECORD_TEXT_FIELDS = {"doc_id": "id", "text": "text", "title": "title", "source": "source",
                       "date": "date"}
# 2022, 2022-01, 2022-01-07, and ISO 8601 date-times whose date part is kept.
_ISO_DATE = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})"
    r"(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")  # 7.1.2022, 07.01.2022


def is_error(record: dict) -> bool:
    """True for an error record, False for an article record."""
    return "error" in record


def error_record(
    source: str | os.PathLike, error: str, message: str, line: int | None = None,
    doc_id: str | None = None, stage: str = "read",
) -> dict:
    return {
        "source": printable(source), "line": line, "doc_id": doc_id,
        "stage": stage, "error": error, "message": message,
    }


def article(doc_id: str, source: str, file: str, line: int | None, date: str | None,
            title: str | None, text: str) -> dict:
    return {"doc_id": doc_id, "source": source, "file": file, "line": line,
            "date": date, "title": title, "text": text}


def printable(value: str | bytes | os.PathLike) -> str:
    """A path or name as it is written to the tables and to messages, one line, no surprises.

    Every printable character stays as it is (``Müller.txt``); a byte that is not UTF-8 (a file
    named with Latin-1 bytes, which Python holds as a surrogate escape) becomes ``\\xfc``, and a
    control or invisible character its Python escape (``\\n``, ``\\x1b``, ``\\u200b``). The
    result always encodes as UTF-8, and the same name always gives the same text, so reruns
    keep their ids.
    """
    text = os.fsdecode(value) if isinstance(value, (bytes, os.PathLike)) else str(value)
    if text.isprintable():
        return text
    return "".join(_printable_char(char) for char in text)


def _printable_char(char: str) -> str:
    if char.isprintable():
        return char
    if "\udc80" <= char <= "\udcff":  # an undecodable byte, as os.fsdecode escapes it
        return f"\\x{ord(char) - 0xdc00:02x}"
    return char.encode("unicode_escape").decode("ascii")


def describe(value) -> str:
    """A value's JSON type in words, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def article_from_fields(file: str, line: int, fields: dict, max_chars: int, kind: str,
                        place: str) -> dict:
    """Validate one JSONL object, CSV row or Parquet row: an article or an error record.

    ``place`` names the row in messages ("line 3", "row 3"); ``kind`` is the error for a row
    that is not an article (``malformed-jsonl`` ...).
    """
    doc_id, problem = _doc_id(fields.get("id", MISSING))
    if problem:
        return error_record(file, kind, f"{place}{problem}", line=line)
    text = fields.get("text", MISSING)
    if text is MISSING or text is None:
        return error_record(file, kind, f"{place} has no 'text'; every article needs one",
                            line=line, doc_id=doc_id)
    if not isinstance(text, str):
        return error_record(file, kind, f"{place}: 'text' is {describe(text)}, not a string",
                            line=line, doc_id=doc_id)
    if not text.strip():
        return error_record(file, "empty", f"{place}: article '{printable(doc_id)}' has no text",
                            line=line, doc_id=doc_id)
    if len(text) > max_chars:
        return too_long(file, f"{len(text):,} characters", max_chars, line=line, doc_id=doc_id)
    extra = {name: field_text(fields.get(name)) for name in ("date", "title", "source")}
    return article(doc_id, extra["source"] or file, file, line, extra["date"], extra["title"],
                   text)


def find_columns(names: list) -> tuple[dict[str, int], str | None]:
    """Which CSV/Parquet column holds which field (names compared without surrounding spaces
    and case): ``(columns, None)``, or ``(columns, what is wrong)`` where ``columns`` is empty
    unless both ``id`` and ``text`` were found."""
    found: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        key = str(name).strip().casefold()
        if key in FIELDS:
            found.setdefault(key, []).append(index)
    if "id" not in found or "text" not in found:
        return {}, f"needs 'id' and 'text' columns, found {printable(names or 'none')}"
    columns = {key: indexes[0] for key, indexes in found.items()}
    for key, indexes in found.items():
        if len(indexes) > 1:
            where = " and ".join(str(index + 1) for index in indexes)
            return columns, f"has {len(indexes)} '{key}' columns (columns {where}); keep one"
    return columns, None


def _doc_id(value) -> tuple[str | None, str | None]:
    """(id, None) for a string or a whole number, else (None, what is wrong with it)."""
    if value is MISSING or value is None:
        return None, " has no 'id'; every article needs one"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value), None
    if isinstance(value, float) and value.is_integer():  # 7.0, as pandas writes integer ids
        return str(int(value)), None
    if isinstance(value, str):
        if value.strip():
            return value, None
        return None, " has an empty 'id'; every article needs one"
    return None, f": 'id' is {describe(value)}; an id must be a string or a whole number"


def field_text(value) -> str | None:
    """An optional field as text: strings as they are, dates in ISO form, anything else
    (numbers, objects, lists) as its JSON text; empty values are None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def too_long(file: str, size: str, max_chars: int, line: int | None = None,
             doc_id: str | None = None) -> dict:
    return error_record(
        file, "too-long",
        f"article has {size}, more than the limit of {max_chars:,} characters spaCy "
        "processes at once; split it into several articles",
        line=line, doc_id=doc_id,
    )


def checked(record: dict) -> Iterator[dict]:
    """Every article passes here: text that cannot be written becomes an error, an invalid
    date an ``invalid-date`` error row while the article itself is kept without a date."""
    for key, name in _RECORD_TEXT_FIELDS.items():
        value = record[key]
        if value is None:
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            yield error_record(
                record["file"], "invalid-unicode",
                f"{_where(record)}'{name}' holds U+{ord(value[error.start]):04X} at character "
                f"{error.start}, half of a UTF-16 surrogate pair and no character by itself "
                "(a broken \\ud800-style escape?); fix or remove it",
                line=record["line"], doc_id=printable(record["doc_id"]))
            return
    if record["date"] is not None:
        date = normal_date(record["date"])
        if date is None:
            yield error_record(
                record["file"], "invalid-date",
                f"{_where(record)}date '{printable(record['date'])}' is not a valid date; "
                "the article was analysed without one. Use YYYY-MM-DD, YYYY-MM or YYYY",
                line=record["line"], doc_id=record["doc_id"])
        record = {**record, "date": date}
    yield record


def _where(record: dict) -> str:
    return f"line {record['line']}: " if record["line"] else ""


def normal_date(value: str) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` for a valid date, else None.

    Accepted: those three forms, an ISO 8601 date-time (its date part is kept) and the German
    ``7.1.2022``/``07.01.2022``. The result sorts as text in date order.
    """
    value = value.strip()
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = match.groups()
    elif match := _GERMAN_DATE.fullmatch(value):
        day, month, year = match.groups()
    else:
        return None
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return "-".join([year] + [part.zfill(2) for part in (month, day) if part])
