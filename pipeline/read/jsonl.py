"""JSONL input: one JSON object per line with ``id`` and ``text``, optional ``date``,
``title``, ``source``; every line that is not an article becomes an error row of its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from .records import FIELDS, article_from_fields, describe
from .text import BoundedLines, numbered, text_stream
from .walk import InputFile

KIND = "malformed-jsonl"


class _DuplicateField(ValueError):
    pass


def _refuse_duplicate_fields(pairs: list[tuple[str, object]]) -> dict:
    """JSON keeps the last of two equal keys silently; for an article's fields that would
    hide a mistake, so it is an error."""
    names = [name for name, _ in pairs if name in FIELDS]
    for name in names:
        if names.count(name) > 1:
            raise _DuplicateField(name)
    return dict(pairs)


def read_jsonl(entry: InputFile, stream: BinaryIO, max_chars: int) -> Iterator[dict]:
    text, problem = text_stream(entry, stream, newline=None)
    if problem is not None:
        yield problem
        return
    # JSON escapes take up to 6 characters (\u00fc) for one character of text.
    lines = BoundedLines(text, 6 * max_chars + 1024)
    for item in numbered(entry, lines, lines, max_chars):
        if isinstance(item, dict):
            yield item
            continue
        number, line = item
        line = line.lstrip("\ufeff").rstrip("\n")  # a BOM where files were concatenated
        if line.strip():
            yield _parse(entry, number, line, max_chars)


def _parse(entry: InputFile, number: int, line: str, max_chars: int) -> dict:
    try:
        obj = json.loads(line, object_pairs_hook=_refuse_duplicate_fields)
    except json.JSONDecodeError as error:
        reason = f"{error.msg.removesuffix(' at')} at column {error.colno}"
        return entry.error(KIND, f"line {number} is not valid JSON ({reason}); "
                           "fix or remove the line", line=number)
    except RecursionError:
        return entry.error(KIND, f"line {number} nests JSON too deeply to read; "
                           "fix or remove the line", line=number)
    except _DuplicateField as error:
        return entry.error(KIND, f"line {number} has the key '{error}' twice (JSON would keep "
                           "only the last); keep one", line=number)
    except ValueError as error:  # e.g. a number of more digits than Python converts
        return entry.error(KIND, f"line {number} cannot be read as JSON ({error}); "
                           "fix or remove the line", line=number)
    if not isinstance(obj, dict):
        return entry.error(KIND, f"line {number} is {describe(obj)}, not a JSON object with "
                           "'id' and 'text'", line=number)
    return article_from_fields(entry.shown, number, obj, max_chars, KIND, f"line {number}")
