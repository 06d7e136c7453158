"""The HTML report from real runs: what it shows, exactly, and what it never does.

The browser renders it in tests/test_report_browser.py; here the page is read as text.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from conftest import (ROOT, SAMPLE, SAMPLE_ENTITIES, SAMPLE_MENTIONS, load_json, run_cli,
                      write_jsonl)
from report_support import (HOSTILE, Tags, dated_out, hostile_out, marks, page,  # noqa: F401
                            plotly_figure, sample_out, table_rows)

def test_sample_report_summary_and_bars(sample_out):
    html = page(sample_out)
    assert ("1 article</span> · <span>786 tokens</span> · "
            f"<span>{SAMPLE_MENTIONS} mentions</span> · <span>{SAMPLE_ENTITIES} entities</span> · "
            "<span>0 errors</span> · <span>2022-01</span>") in html
    expected = {  # the entities table's order: most mentions, then name
        "top-0": (["Kassym-Jomart Tokajew", "Nursultan Nasarbajew", "Wladimir Putin",
                   "Arkadi Dubnow", "Jüngere", "Lukaschenko", "Vladimir Tretyakov"],
                  [7, 7, 4, 1, 1, 1, 1]),
        "top-1": (["Kasachstan", "Russland", "Moskau", "Almaty", "Belarus", "USA", "Ukraine",
                   "Zentralasien"], [15, 7, 6, 3, 1, 1, 1, 1]),
        "top-2": (["ODKB", "dpa", "AP", "Eurasische Wirtschaftsunion"], [2, 2, 1, 1]),
    }
    for div_id, (names, counts) in expected.items():
        [bars], _ = plotly_figure(html, div_id)
        assert (bars["y"], bars["x"]) == (names, counts), div_id
    assert "People (PER)" in html and "Places (LOC)" in html and "Organisations (ORG)" in html
    [tokajew_bar, *_], _ = plotly_figure(html, "top-0")
    assert tokajew_bar["customdata"][0] == [
        "Kassym-Jomart Tokajew", 1, "also written: Kassym-Schomart Tokajew, Tokajew"]


def test_sample_report_table_network_and_single_month(sample_out):
    html = page(sample_out)
    rows = table_rows(html)
    entities = load_json(sample_out, "entities")
    assert [row[0] for row in rows] == [entity["name"] for entity in entities]
    assert rows[1] == ["Kassym-Jomart Tokajew", "PER", 7, 1,
                       "Kassym-Schomart Tokajew, Tokajew", "2022-01", "2022-01"]
    nodes = [trace for trace in plotly_figure(html, "network-chart")[0]
             if trace["mode"] == "markers+text"]
    assert [trace["name"] for trace in nodes] == ["People (PER)", "Places (LOC)",
                                                  "Organisations (ORG)"]
    named = {name for trace in nodes for name in trace["text"]}
    pairs = load_json(sample_out, "cooccurrences")
    assert named == {pair[side] for pair in pairs for side in ("name_a", "name_b")}
    assert {"Kassym-Jomart Tokajew", "ODKB", "Kasachstan"} <= named
    assert "Almaty" not in named  # never named in a sentence with another entity
    assert "All dated articles are from the same month (2022-01)" in html


def test_sample_report_highlights_every_mention_with_its_entity(sample_out):
    html = page(sample_out)
    found = marks(html)
    mentions = load_json(sample_out, "mentions")
    assert [(text, label) for text, label, _, _ in found] == [
        (m["text"], m["label"]) for m in mentions]
    # merged mentions show their entity's name and link to its row in the article's list
    tokajew = [(link, name) for text, label, link, name in found if text == "Tokajew"]
    assert tokajew and set(tokajew) == {("#article-0-e1", "Kassym-Jomart Tokajew")}
    assert '<tr id="article-0-e1"><td>Kassym-Jomart Tokajew</td><td>PER</td>' in html
    assert ("Almaty", "LOC", "", "") in found  # written as named: nothing added
    assert html.count('<details class="card wide article" open') == 1


def test_report_is_self_contained_small_and_the_same_every_time(sample_out, tmp_path):
    html = page(sample_out)
    tags = Tags(html).tags
    assert not [attrs for tag, attrs in tags if tag in ("script", "img", "iframe") and
                "src" in attrs]
    assert not [tag for tag, _ in tags if tag == "link"]
    assert "default-src 'none'" in html  # the browser refuses any request the page might try
    assert (sample_out / "report.html").stat().st_size < 10_000_000
    copy = tmp_path / sample_out.name  # the folder's name is the page's title
    shutil.copytree(sample_out, copy)
    assert run_cli("report", copy).exit_code == 0
    assert (copy / "report.html").read_bytes() == (sample_out / "report.html").read_bytes()


def test_report_with_dates_counts_per_month(dated_out):
    html = page(dated_out)
    assert "<span>2022-01-05 to 2022-04 (2 undated)</span>" in html
    assert "2 articles without a readable date are not counted here." in html
    [articles], _ = plotly_figure(html, "time-articles")
    assert (articles["x"][:1], articles["y"]) == (["2022-01-01"], [3, 2, 1, 1])
    # each line is the entity's mentions per month in the dated articles of the tables
    month = {"d1": 0, "d2": 0, "d3": 0, "d4": 1, "d5": 1, "d6": 2, "d7": 3}
    mentions = [m for m in load_json(dated_out, "mentions") if m["label"] == "PER"]
    lines, _ = plotly_figure(html, "time-0")
    assert "Wladimir Putin" in [line["name"] for line in lines]
    for line in lines:
        counts = [0, 0, 0, 0]
        for mention in mentions:
            if mention["name"] == line["name"] and mention["doc_id"] in month:
                counts[month[mention["doc_id"]]] += 1
        assert line["y"] == counts, line["name"]
    assert "mentions per month of the 5 most mentioned" in html


def test_report_without_dates_says_so(tmp_path):
    write_jsonl(tmp_path / "news.jsonl", [
        {"id": "a", "text": "Olaf Scholz traf Emmanuel Macron in Paris."},
        {"id": "b", "text": "Annalena Baerbock reiste nach Kiew."}])
    out = tmp_path / "out"
    assert run_cli("run", tmp_path / "news.jsonl", "--out", out, "-q", "--report").exit_code == 0
    html = page(out)
    assert "<span>no dates</span>" in html
    assert "The articles have no dates, so there is nothing to draw over time." in html
    assert 'Plotly.newPlot(                        "time-' not in html


def test_report_of_a_run_without_entities_or_without_articles(tmp_path):
    write_jsonl(tmp_path / "blau.jsonl", [{"id": "x", "text": "Der Himmel ist heute blau."}])
    (tmp_path / "leer").mkdir()
    (tmp_path / "leer" / "leer.txt").write_text("", encoding="utf-8")
    for corpus, note, code in ((tmp_path / "blau.jsonl", "No entities were found in the "
                                "articles.", 0), (tmp_path / "leer", "The run has no articles.", 1)):
        out = tmp_path / f"out-{corpus.stem}"
        assert run_cli("run", corpus, "--out", out, "-q", "--report").exit_code == code
        html = page(out)
        assert html.count(f'<p class="note">{note}</p>') >= 3, corpus  # bars, network, table
        assert "Plotly.newPlot" not in html


def test_report_lists_the_errors(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    (corpus / "leer.txt").write_text("", encoding="utf-8")
    (corpus / "latin1.txt").write_bytes("Grüße aus Köln".encode("latin-1"))
    out = tmp_path / "out"
    assert run_cli("run", corpus, "--out", out, "-q").exit_code == 1
    result = run_cli("report", out)
    assert result.exit_code == 0
    html = page(out)
    assert "<span>2 errors</span>" in html
    assert "2 inputs could not be processed: 1 empty, 1 not-utf8." in html
    assert html.count("<td>not-utf8</td>") == html.count("<td>empty</td>") == 1
    assert '<a href="#errors">Errors</a>' in html


def test_hostile_strings_never_become_markup(hostile_out, sample_out):
    html = page(hostile_out)
    tags = Tags(html).tags
    assert {tag for tag, _ in tags} <= {tag for tag, _ in Tags(page(sample_out)).tags}
    assert not {"img", "iframe", "b"} & {tag for tag, _ in tags}
    assert not [name for _, attrs in tags for name in attrs if name.startswith("on")]
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in html  # the article text, shown as text
    assert "&lt;script&gt;alert(&#39;id&#39;)&lt;/script&gt;" in html  # its id
    assert "&lt;/script&gt;&lt;svg onload=alert(2)&gt;" in html  # its title
    assert "Dates the report cannot read, e.g. &#39;&lt;b&gt;2022&lt;/b&gt;&#39;" in html
    rows = table_rows(html)
    assert rows and all(row[0].startswith("&lt;script&gt;alert(") for row in rows)
    labels = {label for _, label, _, _ in marks(html)}
    assert "&lt;svg onload=alert(6)&gt;" in labels  # a label from the tables, escaped too


def test_csv_only_takes_the_text_from_the_stored_results(sample_out, tmp_path):
    out = tmp_path / "csv"
    assert run_cli("run", ROOT / "corpus", "--out", out, "-q", "--format", "csv").exit_code == 0
    assert run_cli("report", out).exit_code == 0
    assert marks(page(out)) == marks(page(sample_out))
    shutil.rmtree(out / ".entity-pipeline")
    assert run_cli("report", out).exit_code == 0
    html = page(out)
    assert marks(html) == []
    assert ("The text of 1 of 1 articles is not available: the documents table was written as "
            "CSV only") in html
    assert "kasachstan-2022-01</strong>" in html  # the article is listed all the same


def test_report_without_tables_is_a_usage_error(tmp_path):
    result = run_cli("report", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: no tables in {tmp_path}; write them first with: "
                             f"entity-pipeline run INPUT --out {tmp_path}\n")
    missing = run_cli("report", tmp_path / "nowhere")
    assert missing.exit_code == 2
    assert missing.stderr.startswith(f"Error: {tmp_path / 'nowhere'} is not a folder")
    assert not (tmp_path / "report.html").exists()


def test_articles_option_and_missing_tables(sample_out, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(sample_out, out)
    assert run_cli("report", out, "--articles", "0").exit_code == 0
    assert "No articles were asked for (--articles 0)." in page(out)
    (out / "cooccurrences.json").unlink()
    (out / "cooccurrences.csv").unlink()
    assert run_cli("report", out).exit_code == 0
    assert ("The cooccurrences table was not written by this run; run again with --tables "
            "including cooccurrences") in page(out)


def test_run_report_writes_it_and_a_plain_run_says_it_is_stale(tmp_path):
    out = tmp_path / "out"
    result = run_cli("run", SAMPLE, "--out", out, "--report")
    assert result.exit_code == 0
    assert f"Report: {out / 'report.html'} (" in result.stderr
    again = run_cli("run", SAMPLE, "--out", out)
    assert f"{out / 'report.html'} is from an earlier run; update it with: " \
           f"entity-pipeline report {out}" in again.stderr


def test_show_html_highlights_one_article(tmp_path):
    target = tmp_path / "seite" / "artikel.html"
    result = run_cli("show", SAMPLE, "--html", target)
    assert result.exit_code == 0, result.output
    assert "Tokajew" in result.stdout  # the terminal table is still printed
    assert result.stderr.strip() == f"Highlighted article: {target}"
    html = target.read_text(encoding="utf-8")
    found = marks(html)
    assert len(found) == SAMPLE_MENTIONS
    assert ("Tokajew", "PER", "#article-e1", "Kassym-Jomart Tokajew") in found
    assert "Plotly" not in html and len(html) < 100_000  # no charts, no chart library
    assert "<h1>kasachstan-2022-01</h1>" in html


def test_missing_library_exits_2_with_the_install_command(sample_out, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "plotly" else real(name, *args))
    result = run_cli("report", sample_out)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: the report needs plotly, which is not installed; "
                                    "install them with: pip install 'plotly")


@pytest.mark.parametrize("value, expected", [
    ("2022", (dt.date(2022, 1, 1), 1)), ("2022-03", (dt.date(2022, 3, 1), 2)),
    ("2022-03-09", (dt.date(2022, 3, 9), 3)), (" 2022-3-9 ", (dt.date(2022, 3, 9), 3)),
    ("2022-03-09T10:00:00Z", (dt.date(2022, 3, 9), 3)), ("2022-03-09 10:00", (dt.date(2022, 3, 9), 3)),
    ("2022-13", None), ("2022-02-30", None), ("gestern", None), ("", None), (None, None),
    ("09.03.2022", None), ("<b>2022</b>", None),
])
def test_parse_date(value, expected):
    from pipeline.report.data import parse_date

    assert parse_date(value) == expected


@pytest.mark.parametrize("dates, unit", [
    (["2022-01-01", "2022-03-31"], "day"),  # up to three months: days
    (["2022-01-01", "2022-04-15"], "month"),
    (["2022-01-01", "2022-01-20", "2022-04"], "month"),  # a month-only date: no days
    (["2022-01-01", "2022-01-02", "2021"], "year"),  # a year-only date: no months
    (["2016-01", "2022-01"], "month"), (["2016-01", "2022-02"], "year"),  # six years
])
def test_timeline_unit(dates, unit):
    from pipeline.report.data import document_dates

    documents = pd.DataFrame({"doc_id": [str(n) for n in range(len(dates))], "date": dates})
    assert document_dates(documents).unit == unit


def test_entities_table_is_capped(sample_out, tmp_path, monkeypatch):
    from pipeline.report import build, write_report

    monkeypatch.setattr(build, "TABLE_ROWS", 5)
    write_report(sample_out, path=tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert len(table_rows(html)) == 5
    assert f"Showing the 5 most mentioned of {SAMPLE_ENTITIES} entities" in html


def test_overlapping_mentions_are_reported_not_drawn():
    from pipeline.report.articles import article_view

    text = "Die ODKB-Truppen in Almaty."
    mentions = [{"start_char": 4, "end_char": 8, "text": "ODKB", "label": "ORG",
                 "entity_id": "a", "name": "ODKB"},
                {"start_char": 4, "end_char": 15, "text": "ODKB-Truppen", "label": "ORG",
                 "entity_id": "b", "name": "ODKB-Truppen"},
                {"start_char": 20, "end_char": 26, "text": "Almaty", "label": "LOC",
                 "entity_id": "c", "name": "Almaty"},
                {"start_char": 30, "end_char": 40, "text": "weg", "label": "LOC",
                 "entity_id": "d", "name": "weg"}]
    view = article_view(text, mentions, {"ORG": "#59a14f", "LOC": "#f28e2b"}, "x")
    assert view.skipped == 2
    assert [(t, label) for t, label, _, _ in marks(view.markup)] == [("ODKB", "ORG"),
                                                                     ("Almaty", "LOC")]
