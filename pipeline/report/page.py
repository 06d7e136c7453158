"""The page: Jinja2 templates (autoescaped) with every script and style inlined.

Nothing on the page is fetched: plotly.js comes from the plotly package, DataTables (the
sortable, searchable entities table) from the itables package, the styles from
``templates/report.css``; a Content-Security-Policy in the page forbids any request, so a
library that tried to load something would fail loudly in the browser instead of phoning home.
"""

from __future__ import annotations

import functools

import pandas as pd

from .data import other_variants

TABLE_COLUMNS = {"name": "name", "label": "label", "mentions": "mentions",
                 "documents": "articles", "variants": "also written", "first_date": "first date",
                 "last_date": "last date"}


@functools.cache
def environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("pipeline.report", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


def render(template: str, **context) -> str:
    env = environment()
    css = env.loader.get_source(env, "report.css")[0]
    return env.get_template(template).render(css=css, **context)


def inline_script(source: str) -> str:
    """Source for an inline ``<script>``: a ``</script`` inside it would end the element early
    (``<\\/`` means the same to JavaScript in strings and regular expressions)."""
    return source.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return inline_script(get_plotlyjs())


def table_library() -> str:
    """itables' offline DataTables bundle (scripts and styles), to include once per page."""
    from itables.javascript import generate_init_offline_itables_html
    from itables.options import dt_bundle

    return generate_init_offline_itables_html(dt_bundle)


def entities_table(entities: pd.DataFrame, max_rows: int) -> str:
    """The entities as a DataTable: most mentioned first (the table's order, kept by
    ``order=[]``), sorted by a click on any column's name, searchable. itables escapes every
    cell (``allow_html`` stays off)."""
    from itables.javascript import to_html_datatable

    frame = entities.head(max_rows)[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
    frame["also written"] = [", ".join(other_variants(variants, name)) for variants, name in
                             zip(frame["also written"], frame["name"])]
    for column in ("mentions", "articles"):
        frame[column] = frame[column].fillna(0).astype(int)
    for column in ("name", "label", "also written", "first date", "last date"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "")
    return to_html_datatable(
        frame, table_id="entity-table", connected=False, showIndex=False, maxBytes=0,
        pageLength=25, lengthMenu=[10, 25, 100, 500], order=[], classes="display compact",
        style="table-layout:auto;width:100%;margin:0", text_in_header_can_be_selected=False,
        display_logo_when_loading=False, allow_html=False)
