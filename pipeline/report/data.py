"""What the report shows, computed from the tables of a run (no HTML here).

Everything is read through ``pipeline.read_tables``, so the report works from JSON or CSV
tables alike. The article text, which the per-article views need, is in the JSON ``documents``
table; when only CSV was written it comes from the run's stored per-article results
(``OUT/.entity-pipeline/``, found through its manifest), and when neither has it the report says
so instead of dropping the section.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..tables import read_tables
from . import NoTables

# Labels in the order people read them; any other label a model has follows, sorted.
LABEL_ORDER = ("PER", "LOC", "ORG", "MISC")
YEAR, MONTH, DAY = 1, 2, 3
# A date as written in the inputs: YYYY, YYYY-MM or YYYY-MM-DD, maybe followed by a time.
_DATE = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ][^\n]*)?\s*\Z")


@dataclass
class ReportData:
    """The tables of one run (``None`` where a table was not written) and the article texts."""

    out: Path
    documents: pd.DataFrame | None
    mentions: pd.DataFrame | None
    entities: pd.DataFrame | None
    cooccurrences: pd.DataFrame | None
    errors: pd.DataFrame | None
    texts: dict[str, str] = field(default_factory=dict)
    texts_note: str = ""

    @property
    def labels(self) -> list[str]:
        return ordered_labels(() if self.entities is None else self.entities["label"].dropna())


def ordered_labels(labels) -> list[str]:
    """The distinct labels: PER, LOC, ORG, MISC first, then any other, sorted."""
    found = set(labels)
    return [label for label in LABEL_ORDER if label in found] + sorted(
        found.difference(LABEL_ORDER))


def load(out: str | Path) -> ReportData:
    """Read the tables in ``out``; raises ``NoTables`` when there are none."""
    out = Path(out)
    if not out.is_dir():
        raise NoTables(f"{out} is not a folder; give the --out folder of an entity-pipeline run")
    tables = read_tables(out)
    if not tables:
        raise NoTables(f"no tables in {out}; write them first with: entity-pipeline run INPUT "
                       f"--out {out}")
    data = ReportData(out, *(tables.get(name) for name in (
        "documents", "mentions", "entities", "cooccurrences", "errors")))
    data.texts, data.texts_note = _article_texts(out, data.documents)
    return data


def _article_texts(out: Path, documents: pd.DataFrame | None) -> tuple[dict[str, str], str]:
    """The text of every article: from the JSON documents table, else from the stored results."""
    if documents is None or documents.empty:
        return {}, ""
    if "text" in documents.columns:
        return dict(zip(documents["doc_id"], documents["text"].fillna(""))), ""
    texts = _stored_texts(out)
    missing = sum(1 for doc_id in documents["doc_id"] if doc_id not in texts)
    if not missing:
        return texts, ""
    return texts, (f"The text of {missing:,} of {len(documents):,} articles is not available: "
                   "the documents table was written as CSV only (the JSON table carries the "
                   "text) and the run's stored results in .entity-pipeline/ do not have it. "
                   f"Run again with --format csv,json or json to see them highlighted.")


def _stored_texts(out: Path) -> dict[str, str]:
    """Article texts from the per-article results a run keeps in ``OUT/.entity-pipeline``."""
    from ..store import STATE_DIR, ShardStore

    try:
        manifest = json.loads((out / STATE_DIR / "manifest.json").read_text(encoding="utf-8"))
        articles = manifest["articles"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    store = ShardStore(out)
    texts = {}
    for doc_id, entry in articles.items():
        shard = store.load(entry.get("key", "")) if isinstance(entry, dict) else None
        if shard and isinstance(shard.get("text"), str):
            texts[doc_id] = shard["text"]
    return texts


# --- dates --------------------------------------------------------------------------------------

def parse_date(value) -> tuple[dt.date, int] | None:
    """``(date, precision)`` for ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a time may follow),
    else ``None``: dates come from the inputs unchecked and may be anything."""
    if not isinstance(value, str):
        return None
    match = _DATE.match(value)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        date = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return date, DAY if day else MONTH if month else YEAR


@dataclass
class Dates:
    """The documents' dates, and the period (day, month or year) the timeline counts in."""

    periods: pd.Series  # doc_id -> period start (Timestamp); dated documents only
    unit: str = ""  # "day", "month", "year"; "" when no document has a date
    first: str = ""
    last: str = ""
    undated: int = 0
    unreadable: list[str] = field(default_factory=list)  # dates that are not dates, a few


def document_dates(documents: pd.DataFrame | None) -> Dates:
    if documents is None or documents.empty:
        return Dates(pd.Series(dtype="datetime64[ns]"))
    parsed, raw, unreadable = {}, {}, []
    for doc_id, value in zip(documents["doc_id"], documents["date"]):
        result = parse_date(value)
        if result is not None:
            parsed[doc_id], raw[doc_id] = result, value
        elif isinstance(value, str) and value.strip():
            unreadable.append(value)
    if not parsed:
        return Dates(pd.Series(dtype="datetime64[ns]"), undated=len(documents),
                     unreadable=unreadable[:3])
    dates = [date for date, _ in parsed.values()]
    first = min(parsed, key=lambda doc_id: (parsed[doc_id][0], parsed[doc_id][1]))
    last = max(parsed, key=lambda doc_id: (parsed[doc_id][0], -parsed[doc_id][1]))
    unit = _period_unit(min(dates), max(dates), min(p for _, p in parsed.values()))
    periods = pd.Series({doc_id: _period_start(date, unit) for doc_id, (date, _) in
                         parsed.items()}, dtype="datetime64[ns]")
    return Dates(periods, unit, raw[first].strip(), raw[last].strip(),
                 len(documents) - len(parsed), unreadable[:3])


def _period_unit(first: dt.date, last: dt.date, precision: int) -> str:
    """Days for up to three months, months for up to six years, else years; never finer than
    the coarsest date given (an article dated only ``2022`` has no month)."""
    months = (last.year - first.year) * 12 + last.month - first.month
    if precision >= DAY and (last - first).days <= 92:
        return "day"
    if precision >= MONTH and months <= 72:
        return "month"
    return "year"


def _period_start(date: dt.date, unit: str) -> pd.Timestamp:
    if unit == "year":
        date = date.replace(month=1, day=1)
    elif unit == "month":
        date = date.replace(day=1)
    return pd.Timestamp(date)


def mentions_over_time(data: ReportData, dates: Dates, label: str, top: int) -> pd.DataFrame:
    """Mentions per period of the ``top`` entities of ``label`` (by mentions in dated
    articles): one column per entity name, one row per period, every period in the range."""
    if data.mentions is None or dates.periods.empty:
        return pd.DataFrame()
    mentions = data.mentions[data.mentions["label"] == label]
    period = mentions["doc_id"].map(dates.periods)
    mentions = mentions.assign(period=period).dropna(subset=["period"])
    if mentions.empty:
        return pd.DataFrame()
    totals = mentions.groupby("entity_id").size()
    names = mentions.groupby("entity_id")["name"].first()
    chosen = sorted(totals.index, key=lambda eid: (-totals[eid], names[eid], eid))[:top]
    counts = (mentions[mentions["entity_id"].isin(chosen)]
              .groupby(["period", "entity_id"]).size().unstack(fill_value=0))
    counts = counts.reindex(columns=chosen).reindex(all_periods(dates), fill_value=0)
    counts.columns = [names[eid] for eid in chosen]
    return counts


def articles_over_time(dates: Dates) -> pd.Series:
    """Dated articles per period, every period in the range (zeros included)."""
    if dates.periods.empty:
        return pd.Series(dtype=int)
    return dates.periods.value_counts().reindex(all_periods(dates), fill_value=0)


def all_periods(dates: Dates) -> pd.DatetimeIndex:
    frequency = {"day": "D", "month": "MS", "year": "YS"}[dates.unit]
    return pd.date_range(dates.periods.min(), dates.periods.max(), freq=frequency)


# --- the run at a glance, the articles to show --------------------------------------------------

def run_facts(data: ReportData, dates: Dates) -> dict:
    """The counts of the one-line summary (``None`` where the table was not written)."""
    def rows(frame):
        return None if frame is None else len(frame)

    documents = data.documents
    return {
        "articles": rows(documents),
        "tokens": None if documents is None else int(documents["tokens"].fillna(0).sum()),
        "mentions": rows(data.mentions),
        "entities": rows(data.entities),
        "errors": rows(data.errors),
        "first_date": dates.first, "last_date": dates.last, "undated": dates.undated,
    }


def top_articles(data: ReportData, count: int) -> list[dict]:
    """The ``count`` articles with the most mentions (ties: by doc_id), as plain records."""
    if data.documents is None or count <= 0:
        return []
    ranked = data.documents.sort_values(["mentions", "doc_id"], ascending=[False, True],
                                        kind="stable").head(count)
    return [{key: (None if pd.isna(value) else value) for key, value in row.items()
             if key != "text"} for row in ranked.to_dict("records")]


def article_mentions(data: ReportData, doc_ids: list[str]) -> dict[str, list[dict]]:
    """Mention records of the given articles, by doc_id, in text order."""
    found: dict[str, list[dict]] = {doc_id: [] for doc_id in doc_ids}
    if data.mentions is None or not doc_ids:
        return found
    chosen = data.mentions[data.mentions["doc_id"].isin(doc_ids)]
    for record in chosen.sort_values(["doc_id", "start_char"], kind="stable").to_dict("records"):
        found[record["doc_id"]].append(record)
    return found


def other_variants(variants, name) -> list[str]:
    """The forms an entity was written in besides its name (``Tokajew`` for *Kassym-Jomart
    Tokajew*); the entities table joins the forms with `` | ``."""
    if not isinstance(variants, str):
        return []
    return [variant for variant in variants.split(" | ") if variant and variant != name]


def unique_names(names: list[str]) -> list[str]:
    """Names as shown on a chart axis, where equal names would merge: later ones get " (2)"."""
    seen: dict[str, int] = {}
    shown = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        shown.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return shown
