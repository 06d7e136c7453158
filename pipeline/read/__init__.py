"""Stage 1, read: input paths in, article records and error records out.

An article record is ``{"doc_id", "source", "file", "line", "date", "title", "text"}``; an error
record is ``{"source", "line", "doc_id", "stage", "error", "message"}`` (``stage`` is ``"read"``).
Everything is streamed: one article at a time, and no file is read whole unless it is a single
``.txt`` article below the size limit, so a huge file never fills memory.

Inputs (the README's "Input" and "Bad input" sections are the user's version of this):

* ``.txt``: one article; a leading ``date YYYY-MM-DD`` fragment becomes the ``date`` field and
  the text starts right after it. ``doc_id`` is the path relative to the folder given, without
  the suffix (``kasachstan-2022-01``); see ``walk`` for two or more folders.
* ``.jsonl``: one JSON object per line with ``id`` and ``text``, optional ``date``, ``title``,
  ``source``.
* ``.csv``/``.tsv``: a header with ``id`` and ``text`` columns (optional ``date``, ``title``,
  ``source``), separated by ``,``, ``;``, tab or ``|``.
* ``.parquet``: the same columns, streamed by row group.

Modules: ``walk`` (paths → files, symbolic links, special files, output folders), ``text``
(opening, encodings, ``.txt``), ``jsonl``, ``delimited``, ``parquet`` (one format each),
``records`` (the record shapes and the checks every article passes: ids, text that cannot be
written as UTF-8, dates), and ``count`` (a quick estimate of the records, for a progress
bar). Every file ends up as articles or as error rows, never as nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from .count import estimate_records
from .delimited import DELIMITERS, read_delimited
from .jsonl import read_jsonl
from .parquet import read_parquet
from .records import checked, error_record, is_error, printable
from .text import NotRegularFile, open_regular, read_txt
from .walk import STATE_DIR, InputFile, iter_inputs, path_error, special_file

__all__ = ["iter_records", "is_error", "error_record", "estimate_records", "printable",
           "DEFAULT_MAX_CHARS", "STATE_DIR", "ARTICLE_SUFFIXES", "DELIMITERS"]

# spaCy refuses texts longer than nlp.max_length (1,000,000 characters by default).
DEFAULT_MAX_CHARS = 1_000_000
ARTICLE_SUFFIXES = (".txt", ".jsonl", ".csv", ".tsv", ".parquet")


def iter_records(
    inputs: Iterable[str | os.PathLike],
    max_chars: int = DEFAULT_MAX_CHARS,
    skip: Iterable[str | os.PathLike] = (),
    csv_delimiter: str | None = None,
) -> Iterator[dict]:
    """Yield article and error records for files and folders, in a stable order.

    ``skip`` names output folders, never read (any folder holding ``.entity-pipeline/`` is
    skipped as well). ``csv_delimiter`` fixes the CSV delimiter instead of finding it from the
    header. A ``doc_id`` seen before yields a ``duplicate-id`` error instead of a second
    article: the first one in input order wins.
    """
    seen: dict[str, str] = {}
    for item in iter_inputs(inputs, skip):
        if is_error(item):
            yield item
            continue
        for record in _read_file(item, max_chars, csv_delimiter):
            if is_error(record):
                yield record
                continue
            for record in checked(record):
                yield record if is_error(record) else _unique(record, seen)


def _unique(record: dict, seen: dict[str, str]) -> dict:
    """The article, or a ``duplicate-id`` error when its id was used before."""
    where = record["file"] + (f":{record['line']}" if record["line"] else "")
    first = seen.setdefault(record["doc_id"], where)
    if first == where:
        return record
    hint = ("two inputs hold the same path: rename one of the files or folders"
            if record["line"] is None else "give every article a unique id")
    return error_record(
        record["file"], "duplicate-id",
        f"id '{printable(record['doc_id'])}' is already used by {first}; {hint}",
        line=record["line"], doc_id=record["doc_id"])


def _read_file(entry: InputFile, max_chars: int, csv_delimiter: str | None) -> Iterator[dict]:
    suffix = os.path.splitext(entry.path)[1].lower()
    if suffix not in ARTICLE_SUFFIXES:
        name = printable(suffix or os.path.basename(entry.path))
        hint = (" (a JSON array of articles becomes JSONL with `jq -c '.[]' in.json > "
                "out.jsonl`)" if suffix == ".json" else "")
        yield entry.error("unsupported-format", f"'{name}' is not an article format; use .txt "
                          "(one article), .jsonl, .csv, .tsv or .parquet, or move the file out "
                          f"of the input folder{hint}")
        return
    found = False
    try:
        with open_regular(entry.path) as stream:
            if suffix == ".txt":
                records = read_txt(entry, stream, max_chars)
            elif suffix == ".jsonl":
                records = read_jsonl(entry, stream, max_chars)
            elif suffix == ".parquet":
                records = read_parquet(entry, stream, max_chars)
            else:
                records = read_delimited(entry, stream, max_chars, csv_delimiter)
            for record in records:
                found = True
                yield record
    except NotRegularFile as error:
        yield special_file(entry, error.mode)
        return
    except OSError as error:
        yield path_error(entry, error)
        return
    if not found:  # so that every input file is accounted for
        yield entry.error("empty", "file holds no articles; add some or remove it")
