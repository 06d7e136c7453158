"""Shared by the report tests: real runs (sample, dated, hostile) and readers of the page.

The fixtures are session-scoped: the runs and reports are made once and read by both
tests/test_report.py and the browser test.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, write_jsonl

# Nine short articles over four months: day, time-stamped and month-only dates, and two
# articles without a date. (Dates that are not dates: test_report.py's test_parse_date.)
DATED = [
    {"id": "d1", "date": "2022-01-05", "title": "Ausnahmezustand in Kasachstan",
     "text": "Kassym-Jomart Tokajew rief in Almaty den Ausnahmezustand aus. Die Proteste in "
             "Kasachstan hatten sich am Dienstag ausgeweitet."},
    {"id": "d2", "date": "2022-01-06", "title": "Truppen aus Russland",
     "text": "Wladimir Putin schickte Truppen der ODKB nach Kasachstan. Der Kreml in Moskau "
             "sprach von einer Friedensmission."},
    {"id": "d3", "date": "2022-01-20T09:30:00+01:00",
     "text": "Präsident Tokajew dankte Wladimir Putin für die Hilfe. In Almaty kehrte langsam "
             "Ruhe ein."},
    {"id": "d4", "date": "2022-02-14",
     "text": "Olaf Scholz reiste nach Moskau und traf Wladimir Putin im Kreml. Die NATO "
             "beobachtete das Treffen genau."},
    {"id": "d5", "date": "2022-02-15",
     "text": "In Berlin sprach Annalena Baerbock mit Vertretern der Europäischen Union über die "
             "Lage in der Ukraine."},
    {"id": "d6", "date": "2022-03-02",
     "text": "Die Vereinten Nationen verurteilten in New York den Angriff auf die Ukraine. "
             "Wladimir Putin wies die Kritik zurück."},
    {"id": "d7", "date": "2022-04",
     "text": "Emmanuel Macron gewann in Paris die erste Runde der Präsidentschaftswahl in "
             "Frankreich."},
    {"id": "d8",
     "text": "Olaf Scholz sprach in Berlin mit Emmanuel Macron über die Ukraine."},
    {"id": "d9",
     "text": "Annalena Baerbock reiste nach Kiew und traf Vertreter der Regierung der Ukraine."},
]

# Markup that would run if any string from an article reached the page unescaped.
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HOSTILE_DATE = "<b>2022</b>"
HOSTILE_ARTICLE = {
    "id": "<script>alert('id')</script>", "title": "</script><svg onload=alert(2)>",
    "source": "<iframe src=javascript:alert(3)>",
    "text": "Angela Merkel traf <script>alert(4)</script> in Berlin Emmanuel Macron. "
            "</script><img src=x onerror=alert(5)> Die NATO tagte in Brüssel mit Olaf Scholz.",
}


def run_and_report(inputs: Path, out: Path) -> Path:
    """A real run over ``inputs`` and its report (``run --report``)."""
    result = run_cli("run", inputs, "--out", out, "--quiet", "--report")
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file()
    return out


@pytest.fixture(scope="session")
def sample_out(tmp_path_factory) -> Path:
    """The tables of a real run over the sample article, and its report."""
    return run_and_report(ROOT / "corpus", tmp_path_factory.mktemp("sample") / "outputs")


@pytest.fixture(scope="session")
def dated_out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dated")
    return run_and_report(write_jsonl(folder / "news.jsonl", DATED), folder / "outputs")


@pytest.fixture(scope="session")
def hostile_out(tmp_path_factory) -> Path:
    """A real run over a hostile article, then every name, date and one label of its tables
    made hostile too (the class: any string in any table), and the report of that."""
    folder = tmp_path_factory.mktemp("hostile")
    write_jsonl(folder / "news.jsonl", [HOSTILE_ARTICLE])
    out = folder / "outputs"
    assert run_cli("run", folder / "news.jsonl", "--out", out, "--quiet").exit_code == 0
    for table, columns in (("entities", ["name", "variants", "first_date", "last_date"]),
                           ("mentions", ["name"]), ("cooccurrences", ["name_a", "name_b"]),
                           ("documents", ["date"])):
        rows = json.loads((out / f"{table}.json").read_text(encoding="utf-8"))
        for row in rows:
            for column in columns:
                row[column] = HOSTILE_DATE if "date" in column else HOSTILE + row[column]
            if row.get("label") == "ORG":
                row["label"] = "<svg onload=alert(6)>"
        (out / f"{table}.json").write_text(json.dumps(rows, ensure_ascii=False),
                                           encoding="utf-8")
    result = run_cli("report", out)
    assert result.exit_code == 0, result.output
    return out


def page(out: Path) -> str:
    return (out / "report.html").read_text(encoding="utf-8")


def plotly_figure(html: str, div_id: str) -> tuple[list, dict]:
    """The data and layout that the page hands to ``Plotly.newPlot`` for one chart."""
    match = re.search(r'Plotly\.newPlot\(\s*"' + re.escape(div_id) + r'",\s*', html)
    assert match, f"no chart {div_id}"
    decoder = json.JSONDecoder()
    data, end = decoder.raw_decode(html, match.end())
    layout, _ = decoder.raw_decode(html, html.index("{", end))
    return data, layout


def table_rows(html: str) -> list[list]:
    """The rows the entities DataTable is given (cells HTML-escaped by itables)."""
    start = html.index('"data_json": ') + len('"data_json": ')
    return json.loads(json.JSONDecoder().raw_decode(html, start)[0])


_MARK = re.compile(r'<mark class="entity"[^>]*>\s*(.*?)\s*<span[^>]*>(.*?)'
                   r'(?:\s*<a[^>]*href="([^"]*)">(.*?)</a>\s*)?</span>\s*</mark>', re.S)


def marks(html: str) -> list[tuple[str, str, str, str]]:
    """(text, label, link, canonical name) of every highlighted mention, in page order."""
    return [tuple((part or "").strip() for part in found) for found in _MARK.findall(html)]


class Tags(HTMLParser):
    """Every start tag of a page with its attributes (script contents are not parsed)."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
