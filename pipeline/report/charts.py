"""The report's charts, drawn by Plotly; the network's layout computed by networkx.

Each function returns an HTML fragment (a ``<div>`` and the script that draws into it) without
plotly.js, which the page inlines once. Plotly treats text as a small subset of HTML (``<b>``,
``<br>``, links), so every string from the tables is HTML-escaped before it goes into a chart:
Plotly shows ``&lt;`` as ``<``, and a name can never become markup. Element ids are fixed and
the layout is seeded, so the same tables give the same report, byte for byte.
"""

from __future__ import annotations

import html

import pandas as pd

from .data import other_variants, unique_names

FONT = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
        "'Liberation Sans', sans-serif")
CONFIG = {"displaylogo": False, "responsive": True,
          "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
          "toImageButtonOptions": {"format": "png", "scale": 2}}
SHORT_NAME = 32  # characters of a name on an axis; the full name is in the hover
# Fixed margins on every chart over time (room for the legend on the right): see _time_axes.
TIME_MARGIN = {"l": 50, "r": 230, "t": 10, "b": 30}


def base_layout(height: int, **extra) -> dict:
    return {"template": "plotly_white", "height": height, "font": {"family": FONT, "size": 13},
            "margin": {"l": 10, "r": 10, "t": 10, "b": 30}, "hoverlabel": {"font_size": 13},
            **extra}


def figure_html(figure, div_id: str, modebar: bool = True) -> str:
    """The chart's div and script (plotly.js is inlined once for the page)."""
    config = CONFIG if modebar else {**CONFIG, "displayModeBar": False}
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                          config=config)


def short_name(name: str) -> str:
    return name if len(name) <= SHORT_NAME else name[:SHORT_NAME - 1].rstrip() + "…"


def top_entities_chart(entities: pd.DataFrame, label: str, color: str, top: int,
                       div_id: str) -> str:
    """Horizontal bars: the ``top`` entities of one label by mentions, the first on top."""
    import plotly.graph_objects as go

    rows = entities[entities["label"] == label].head(top)
    names = [html.escape(name) for name in unique_names([short_name(n) for n in rows["name"]])]
    hover = [[html.escape(name), int(documents), html.escape(_also_written(variants, name))]
             for name, documents, variants in zip(rows["name"], rows["documents"],
                                                  rows["variants"].fillna(""))]
    figure = go.Figure(go.Bar(
        x=[int(count) for count in rows["mentions"]], y=names, orientation="h",
        marker_color=color, customdata=hover, text=[int(c) for c in rows["mentions"]],
        textposition="outside", cliponaxis=False,
        hovertemplate="<b>%{customdata[0]}</b><br>%{x} mentions in %{customdata[1]} "
                      "articles<br>%{customdata[2]}<extra></extra>"))
    # The count is printed beside each bar, so the value axis is left out.
    figure.update_layout(**base_layout(20 + 26 * len(rows), bargap=0.25,
                                       margin={"l": 10, "r": 40, "t": 0, "b": 0}))
    figure.update_yaxes(autorange="reversed", ticksuffix=" ", automargin=True)
    figure.update_xaxes(visible=False, rangemode="tozero")
    # No tool bar: it would cover the top bar (the chart has no top margin), and bars of a
    # dozen names need no zooming.
    return figure_html(figure, div_id, modebar=False)


def _also_written(variants, name: str, shown: int = 6) -> str:
    others = other_variants(variants, name)
    if not others:
        return ""
    return "also written: " + ", ".join(others[:shown]) + (" …" if len(others) > shown else "")


def timeline_chart(counts: pd.DataFrame, unit: str, div_id: str) -> str:
    """One line per entity (a column of ``counts``): its mentions per period."""
    import plotly.graph_objects as go
    from plotly.colors import qualitative

    figure = go.Figure()
    for number, (name, column) in enumerate(zip(unique_names(list(counts.columns)),
                                                counts.columns)):
        shown = html.escape(short_name(name))
        figure.add_trace(go.Scatter(
            x=_days(counts.index), y=[int(v) for v in counts[column]], name=shown,
            mode="lines+markers", marker={"size": 5},
            line={"color": qualitative.Safe[number % len(qualitative.Safe)], "width": 2},
            hovertemplate=f"<b>{shown}</b><br>%{{x}}: %{{y}} mentions<extra></extra>"))
    figure.update_layout(**base_layout(260, showlegend=True, margin=TIME_MARGIN,
                                       legend={"x": 1.02, "y": 1, "xanchor": "left"}))
    _time_axes(figure, unit, counts.index, counts.to_numpy().ravel().tolist())
    return figure_html(figure, div_id)


def articles_chart(articles: pd.Series, unit: str, div_id: str) -> str:
    """Bars: the dated articles per period, the context every timeline is read against."""
    import plotly.graph_objects as go

    figure = go.Figure(go.Bar(x=_days(articles.index), y=[int(v) for v in articles],
                              marker_color="#8c8c8c",
                              hovertemplate="%{x}: %{y} articles<extra></extra>"))
    figure.update_layout(**base_layout(180, bargap=0.15, margin=TIME_MARGIN))
    _time_axes(figure, unit, articles.index, articles.tolist())
    return figure_html(figure, div_id)


def _days(timestamps) -> list[str]:
    return [timestamp.strftime("%Y-%m-%d") for timestamp in timestamps]


# Plotly's period notation per unit of the timeline: days in milliseconds, months as "M<n>".
PERIODS = {"day": 86_400_000, "month": "M1", "year": "M12"}
TICK_FORMATS = {"day": "%d %b %Y", "month": "%b %Y", "year": "%Y"}
MAX_TICKS = 12


def _time_axes(figure, unit: str, periods: pd.DatetimeIndex, counts=()) -> None:
    """Each value drawn in the middle of its period, period names as tick labels, and the same
    time range and margins on every chart over time, so their axes line up one under the
    other. Counts get whole-number ticks."""
    figure.update_traces(xperiod=PERIODS[unit], xperiodalignment="middle")
    step = -(-len(periods) // MAX_TICKS)  # ceiling: at most MAX_TICKS labels
    dtick = step * PERIODS[unit] if unit == "day" else f"M{step * int(PERIODS[unit][1:])}"
    end = periods.max() + pd.DateOffset(**{f"{unit}s": 1})
    first = periods.min()
    figure.update_xaxes(range=_days([first, end]), tick0=_days([first])[0], dtick=dtick,
                        ticklabelmode="period", tickformat=TICK_FORMATS[unit],
                        hoverformat=TICK_FORMATS[unit])
    figure.update_yaxes(rangemode="tozero", dtick=1 if max(counts, default=0) <= 8 else None)
