"""Shared helpers: the sample article, real German sentences, running the real CLI."""

from __future__ import annotations

import json
import os
import re
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.formats import FORMATS
from pipeline.tables import TABLES

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "kasachstan-2022-01.txt"
# What the embedded model and the normalize stage find in SAMPLE (the README's sample output too).
SAMPLE_MENTIONS, SAMPLE_ENTITIES = 63, 19
SHARED = ROOT.parent / "shared"
# The gold corpora and the benchmark (CI has them beside the clone; tests that need them skip
# without); ENTITY_PIPELINE_DATA points elsewhere.
SHARED_DATA = Path(os.environ.get("ENTITY_PIPELINE_DATA", SHARED / "data"))
# Every file a table can be written to, in every registered format.
TABLE_FILES = sorted({path.name for name in TABLES for table_format in FORMATS.values()
                      for path in table_format.paths(Path("."), name)})

# Real German names and phrases (from the sample article's world) to build many distinct,
# realistic one-sentence articles.
PERSONS = ["Kassym-Jomart Tokajew", "Wladimir Putin", "Angela Merkel", "Olaf Scholz",
           "Alexander Lukaschenko", "Emmanuel Macron", "Annalena Baerbock", "Sergej Lawrow",
           "Nursultan Nasarbajew", "Ursula von der Leyen"]
PLACES = ["Almaty", "Moskau", "Berlin", "Minsk", "Paris", "Astana", "Brüssel", "Wien", "Kiew",
          "Genf"]
ORGANISATIONS = ["ODKB", "Vereinten Nationen", "Europäischen Union", "NATO", "OSZE",
                 "Bundesregierung"]
VERBS = ["sprach", "verhandelte"]
DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
# Two rows of the mentions table: a formula-like text, a null, a negative number, both booleans.
MENTIONS = [
    {"doc_id": "d1", "mention": 0, "sentence": 0, "start_char": 0, "end_char": 6,
     "text": "=1+2\"", "label": "ORG", "entity_id": "ORG:x", "name": "Müller", "compound": False,
     "link": "surname-in-corpus", "article_entity_id": "ORG:y"},
    {"doc_id": "d1", "mention": 1, "sentence": -1, "start_char": 7, "end_char": 9,
     "text": "Wien", "label": "LOC", "entity_id": None, "name": "Wien", "compound": True,
     "link": "exact", "article_entity_id": None},
]


def german_sentences(count: int, offset: int = 0) -> list[str]:
    """``count`` distinct German sentences, each naming a person, a place and an organisation."""
    sentences = []
    for number in range(offset, offset + count):
        person = PERSONS[number % len(PERSONS)]
        place = PLACES[number // len(PERSONS) % len(PLACES)]
        organisation = ORGANISATIONS[number // 100 % len(ORGANISATIONS)]
        day = DAYS[number // 600 % len(DAYS)]
        verb = VERBS[number // 4200 % len(VERBS)]
        sentences.append(f"{person} {verb} am {day} in {place} mit Vertretern der "
                         f"{organisation} über die Lage in Kasachstan.")
    assert len(set(sentences)) == count, "sentences must be distinct"
    return sentences


def write_jsonl(path: Path, articles: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as stream:
        for article in articles:
            stream.write(json.dumps(article, ensure_ascii=False) + "\n")
    return path


def articles(count: int, offset: int = 0, prefix: str = "art") -> list[dict]:
    return [{"id": f"{prefix}-{offset + number:05d}", "text": text, "date": "2022-01-07"}
            for number, text in enumerate(german_sentences(count, offset))]


def run_cli(*args, **kwargs):
    """Invoke the real Typer app in-process; returns click's Result."""
    return CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False, **kwargs)


def summary_counts(result) -> str:
    """'N analysed, M reused, K removed' from a run's summary (its speed left out)."""
    second = result.stderr.splitlines()[1]
    found = re.fullmatch(r"([\d,]+) analysed(?: \([\d,]+ tokens/s\))?, ([\d,]+) reused, "
                         r"([\d,]+) removed", second)
    assert found, result.stderr
    return f"{found[1]} analysed, {found[2]} reused, {found[3]} removed"


def table_bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLE_FILES if (out / name).exists()}


def load_json(out: Path, table: str) -> list[dict]:
    return json.loads((out / f"{table}.json").read_text(encoding="utf-8"))


def sample_body() -> str:
    """The sample article's text after its ` date 2022-01 ` metadata fragment."""
    raw = SAMPLE.read_text(encoding="utf-8")
    return raw[re.match(r"\s*date\s+\S+\s+", raw).end():]


def deny_access(monkeypatch, *paths: Path) -> None:
    """Reading these files or listing these folders fails with "Permission denied", as after
    ``chmod 0`` for a normal user: the tests may run as root, who reads anything."""
    denied = {os.path.abspath(path) for path in paths}
    real_open, real_scandir = os.open, os.scandir

    def refuse(path):
        if os.path.abspath(os.fspath(path)) in denied:
            raise PermissionError(13, "Permission denied", os.fspath(path))

    def refusing_open(path, *args, **kwargs):
        refuse(path)
        return real_open(path, *args, **kwargs)

    def refusing_scandir(path="."):
        refuse(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "open", refusing_open)
    monkeypatch.setattr(os, "scandir", refusing_scandir)


@contextmanager
def time_limit(seconds: int):
    """Fail instead of hanging: a blocked open() is interrupted by the alarm."""
    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s (hangs?)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus folder holding a copy of the sample article."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    return folder


@pytest.fixture(autouse=True)
def _no_tty_progress(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
