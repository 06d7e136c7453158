"""The one reader of token-per-line gold NER files, for training and for scoring alike.

Two layouts, told apart per sentence:

- **index first**: GermEval 2014 TSV (index, token, outer tag, inner tag) and UNER IOB2 (index,
  token, tag, ...): the first column counts the sentence's tokens 1..n and the tag is the third
  column (GermEval's outer tag). Every line starting with ``#`` is a comment: GermEval puts the
  source URL there, UNER ``# text = ...``.
- **token first**: CoNLL ``token tag`` or CoNLL-2003 ``token POS chunk tag``: the tag is the last
  column of the file's first token line. Here ``#`` is also a token, so a line starting with ``#``
  is a token line when its tag column holds a BIO tag (``#<TAB>O``) and a comment otherwise.

Columns are tab-separated, or whitespace-separated in a line without tabs. ``-DOCSTART-`` lines
are skipped and a blank line ends a sentence. A file that is not such gold (not UTF-8, one
column, a tag that is not ``O``/``B-X``/``I-X``, no tagged token at all) raises
``GoldFormatError`` naming the line, instead of silently scoring or training on nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from ..read.text import chunks, diagnose

BIO_TAG = re.compile(r"O|[BI]-\S+")
LAYOUTS = "GermEval 2014 TSV (index, token, tag, tag) or CoNLL (token ... tag)"

Span = tuple[int, int, str]


class GoldFormatError(ValueError):
    """A gold file that cannot be read as NER gold: the message names the file, line and fix."""


class GoldSentence(NamedTuple):
    words: list[str]
    tags: list[str]
    comments: list[str]  # the comment lines just before the sentence, without the leading '#'

    @property
    def source(self) -> str:
        """GermEval's source URL (the comment's first field), or '' if there is none."""
        fields = self.comments[-1].strip().split("\t") if self.comments else []
        return fields[0] if fields else ""


def _split(line: str) -> list[str]:
    return line.split("\t") if "\t" in line else line.split()


def _tag_column(fields: list[str], index_first: bool, width: int) -> int:
    return 2 if index_first else width - 1


class _Parser:
    """Collects one sentence at a time and checks each token line against the file's layout."""

    def __init__(self, path: Path):
        self.path = path
        self.width: int | None = None  # columns of the file's first token line
        self.index_first_file = False  # its first token line reads '1<TAB>token<TAB>tag...'
        self.first_line = 0
        self.rows: list[tuple[int, list[str]]] = []
        self.comments: list[str] = []
        self.pending_comments: list[str] = []

    def fail(self, number: int, problem: str) -> GoldFormatError:
        return GoldFormatError(f"{self.path}, line {number}: {problem}; expected {LAYOUTS}")

    def is_token_line(self, line: str) -> bool:
        """A '#' line is a token only in token-first files, and only with a BIO tag after it."""
        if not line.startswith("#"):
            return True
        if self.index_first_file:
            return False
        fields = _split(line)
        tag = fields[self.width - 1] if self.width and len(fields) >= self.width else fields[-1]
        return fields[0] == "#" and len(fields) >= 2 and BIO_TAG.fullmatch(tag) is not None

    def add(self, number: int, line: str) -> None:
        fields = _split(line)
        if len(fields) < 2:
            raise self.fail(number, f"one column ({line[:40]!r}), not a token and its tag")
        if self.width is None:
            self.width, self.first_line = len(fields), number
            self.index_first_file = fields[0] == "1" and len(fields) >= 3
        elif len(fields) < self.width:
            raise self.fail(number, f"{len(fields)} columns, but line {self.first_line} has {self.width}")
        if not self.rows:
            self.comments, self.pending_comments = self.pending_comments, []
        self.rows.append((number, fields))

    def sentence(self) -> GoldSentence | None:
        """The collected sentence, its tags checked; None when nothing was collected."""
        if not self.rows:
            return None
        rows, self.rows = self.rows, []
        index_first = all(fields[0] == str(i) for i, (_, fields) in enumerate(rows, 1))
        if index_first and len(rows[0][1]) < 3:
            index_first = False  # 'N tag' lines: a numeric token, then its tag
        words, tags = [], []
        for number, fields in rows:
            tag = fields[_tag_column(fields, index_first, self.width or len(fields))]
            if not BIO_TAG.fullmatch(tag):
                raise self.fail(number, f"{tag[:40]!r} is not a BIO tag (O, B-TYPE or I-TYPE)")
            words.append(fields[1] if index_first else fields[0])
            tags.append(tag)
        return GoldSentence(words, tags, self.comments)


def parse_gold_lines(lines: Iterable[str], path: Path) -> Iterator[GoldSentence]:
    """Sentences of a gold file given as lines (``path`` only names it in errors)."""
    parser = _Parser(path)
    count = 0
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            sentence = parser.sentence()
            if sentence:
                count += 1
                yield sentence
        elif line.startswith("-DOCSTART-"):
            continue
        elif parser.is_token_line(line):
            parser.add(number, line)
        else:
            parser.pending_comments.append(line[1:])
    sentence = parser.sentence()
    if sentence:
        count += 1
        yield sentence
    if not count:
        raise GoldFormatError(f"{path}: no token lines with tags found; expected {LAYOUTS}")


def read_gold_file(path: Path) -> Iterator[GoldSentence]:
    """Sentences of a gold file; GoldFormatError when it is not UTF-8 gold (checked first)."""
    path = Path(path)
    with path.open("rb") as stream:
        codec, problem = diagnose(chunks(stream), path.name)
    if problem and problem[0] == "binary":
        raise GoldFormatError(f"{path}: not a text file (NUL bytes, or neither UTF-8 nor "
                              f"Windows-1252); expected {LAYOUTS}")
    if problem:  # one line: the message quotes the undecodable passage, line breaks and all
        raise GoldFormatError(f"{path}: {' '.join(problem[1].split())}")
    with path.open(encoding=codec) as lines:
        yield from parse_gold_lines(lines, path)


def bio_to_spans(tags: list[str], label_map: dict[str, str]) -> list[Span]:
    """Token spans from IOB2 tags; an ``I-`` after ``O`` or another type starts a span (IOB1
    files have such). Types missing from ``label_map`` (OTH, LOCderiv, ...) are dropped."""
    spans: list[Span] = []
    start, current = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, raw_type = tag.partition("-")
        continues = prefix == "I" and raw_type == current
        if current is not None and not continues:
            label = label_map.get(current)
            if label:
                spans.append((start, i, label))
            current = None
        if prefix in ("B", "I") and not continues:
            start, current = i, raw_type
    return spans
