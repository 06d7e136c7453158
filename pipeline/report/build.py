"""Put the report together: each section's content from the data, then the page.

Each section either has its chart or table, or a note that says why not and how to get it
(no dates, no co-occurrences table, no article text), never an empty gap.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..about import __version__
from . import charts, data as report_data, page
from .articles import article_view
from .colors import LABEL_NAMES, label_colors, label_title, tint
from .network import cooccurrence_graph, network_chart

TOP_PER_LABEL = 15  # bars per label
TIMELINE_TOP = 5  # lines per label
NETWORK_NODES = 40
NETWORK_EDGES = 120
TABLE_ROWS = 10_000  # the page stays small for any corpus; the tables hold every entity
ERRORS_SHOWN = 50


def build_report(data: report_data.ReportData, articles: int) -> str:
    dates = report_data.document_dates(data.documents)
    colors = label_colors(data.labels)
    table, table_note = _entities_table(data)
    shown, articles_note = _articles(data, colors, articles)
    return page.render(
        "report.html", version=__version__, title=f"Entities in {data.out.resolve().name}",
        folder=data.out.resolve().name, summary=_summary(report_data.run_facts(data, dates)),
        plotly_js=page.plotly_js(), table_library=page.table_library(),
        bars=_bars(data, colors), bars_note=_no_entities(data),
        timeline=_timeline(data, dates), network=_network(data, colors),
        table=table, table_note=table_note, articles=shown, articles_note=articles_note,
        tints={label: tint(color) for label, color in colors.items()},
        label_names=LABEL_NAMES, errors=_errors(data.errors))


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def _missing(table: str) -> str:
    return (f"The {table} table was not written by this run; run again with --tables "
            f"including {table} (the default does).")


def _no_entities(data) -> str:
    """Why there is nothing to show about entities ("" when there is something)."""
    if data.entities is None:
        return _missing("entities")
    if data.entities.empty:
        return ("No entities were found in the articles." if data.documents is None or
                len(data.documents) else "The run has no articles.")
    return ""


def _summary(facts: dict) -> list[str]:
    parts = []
    for key, noun, plural in (("articles", "article", None), ("tokens", "token", None),
                              ("mentions", "mention", None), ("entities", "entity", "entities"),
                              ("errors", "error", None)):
        if facts[key] is not None:
            parts.append(_count(facts[key], noun, plural))
    if facts["first_date"]:
        span = facts["first_date"] if facts["first_date"] == facts["last_date"] else \
            f"{facts['first_date']} to {facts['last_date']}"
        parts.append(span + (f" ({facts['undated']:,} undated)" if facts["undated"] else ""))
    else:
        parts.append("no dates")
    return parts


def _bars(data, colors) -> list[dict]:
    if data.entities is None:
        return []
    bars = []
    for number, label in enumerate(data.labels):
        count = int((data.entities["label"] == label).sum())
        bars.append({"title": label_title(label), "count": count,
                     "color": colors[label], "chart": charts.top_entities_chart(
                         data.entities, label, colors[label], TOP_PER_LABEL, f"top-{number}")})
    return bars


def _timeline(data, dates: report_data.Dates) -> dict:
    if data.documents is None:
        return {"note": _missing("documents")}
    if data.documents.empty:
        return {"note": "The run has no articles."}
    if dates.periods.empty:
        unreadable = (f" Dates the report cannot read, e.g. {', '.join(map(repr, dates.unreadable))}"
                      ", are treated as missing." if dates.unreadable else "")
        return {"note": "The articles have no dates, so there is nothing to draw over time. "
                        "Give them a date (YYYY, YYYY-MM or YYYY-MM-DD) in the date field of "
                        "JSONL or CSV inputs, or start a .txt file with \"date 2022-01-07\"."
                        + unreadable}
    articles = report_data.articles_over_time(dates)
    if len(articles) < 2:
        return {"note": f"All dated articles are from the same {dates.unit} "
                        f"({dates.first}): there is no change over time to draw."}
    notes = []
    if dates.undated:
        notes.append(f"{_count(dates.undated, 'article')} without a readable date "
                     f"{'is' if dates.undated == 1 else 'are'} not counted here.")
    charts_by_label = []
    for number, label in enumerate(data.labels):
        counts = report_data.mentions_over_time(data, dates, label, TIMELINE_TOP)
        if not counts.empty:
            charts_by_label.append({"title": label_title(label), "count": len(counts.columns),
                                    "chart": charts.timeline_chart(counts, dates.unit,
                                                                   f"time-{number}")})
    return {"note": " ".join(notes), "unit": dates.unit, "charts": charts_by_label,
            "articles": charts.articles_chart(articles, dates.unit, "time-articles")}


def _network(data, colors) -> dict:
    if _no_entities(data) or data.cooccurrences is None:
        return {"note": _no_entities(data) or _missing("cooccurrences")}
    graph = cooccurrence_graph(data.entities, data.cooccurrences, NETWORK_NODES, NETWORK_EDGES)
    if graph.number_of_nodes() == 0:
        return {"note": "No two entities are named in the same sentence, so there is no "
                        "network to draw."}
    return {"chart": network_chart(graph, colors, "network-chart"),
            "nodes": graph.number_of_nodes()}


def _entities_table(data) -> tuple[str, str]:
    if _no_entities(data):
        return "", _no_entities(data)
    total = len(data.entities)
    note = (f"Showing the {TABLE_ROWS:,} most mentioned of {total:,} entities; the entities "
            "table of the run has all of them." if total > TABLE_ROWS else "")
    return page.entities_table(data.entities, TABLE_ROWS), note


def _articles(data, colors, count: int) -> tuple[list[dict], str]:
    if data.documents is None:
        return [], _missing("documents")
    chosen = report_data.top_articles(data, count)
    if not chosen:
        return [], ("No articles were asked for (--articles 0)." if count <= 0 else
                    "The run has no articles.")
    mentions = report_data.article_mentions(data, [a["doc_id"] for a in chosen])
    shown = []
    for number, article in enumerate(chosen):
        text = data.texts.get(article["doc_id"])
        view = None if text is None else article_view(text, mentions[article["doc_id"]],
                                                      colors, f"article-{number}")
        shown.append({"anchor": f"article-{number}", "view": view,
                      "heading": article["title"] or article["doc_id"],
                      "meta": _article_meta(article, len(mentions[article["doc_id"]]))})
    note = data.texts_note
    if data.mentions is None:
        note = (note + " " if note else "") + _missing("mentions")
    return shown, note


def _article_meta(article: dict, mentions: int) -> str:
    parts = [article["doc_id"]] if article.get("title") else []
    parts += [article.get("date") or "no date", _count(mentions, "mention")]
    return " · ".join(str(part) for part in parts)


def _errors(errors: pd.DataFrame | None) -> dict | None:
    if errors is None or errors.empty:
        return None
    kinds = Counter(errors["error"].fillna("unknown"))
    summary = (f"{_count(len(errors), 'input')} could not be processed: "
               + ", ".join(f"{count:,} {kind}" for kind, count in
                           sorted(kinds.items(), key=lambda item: (-item[1], item[0])))
               + ". The README's table of errors says what to do about each.")
    rows = errors.head(ERRORS_SHOWN).astype(object).where(errors.head(ERRORS_SHOWN).notna(), "")
    more = (f"The first {ERRORS_SHOWN} are shown; the errors table of the run has all "
            f"{len(errors):,}." if len(errors) > ERRORS_SHOWN else "")
    return {"summary": summary, "rows": rows.to_dict("records"), "more": more}


def article_page(article: dict, mentions: list[dict]) -> str:
    """The page of one article (``show --html``): its highlighted text and its entities."""
    colors = label_colors(report_data.ordered_labels(m["label"] for m in mentions))
    view = article_view(article["text"], mentions, colors, "article")
    return page.render("article.html", version=__version__,
                       title=article.get("title") or article["doc_id"], article=article,
                       mentions=len(mentions), view=view, label_names=LABEL_NAMES,
                       colors={label: tint(color) for label, color in colors.items()})
