"""Who appears with whom: the co-occurrence network of the most mentioned entities.

networkx places the nodes (a spring layout, seeded, so the picture is the same every time);
Plotly draws it: edges as lines whose width follows the number of shared sentences, nodes sized
by mentions and coloured by label, one legend entry per label.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from .charts import base_layout, figure_html, short_name
from .colors import label_title

SEED = 7
EDGE_WIDTHS = (1.0, 2.5, 5.0)  # thin, medium, thick: by the third of the strongest edge


def cooccurrence_graph(entities: pd.DataFrame, cooccurrences: pd.DataFrame, top: int,
                       max_edges: int):
    """The ``top`` most mentioned entities that share a sentence with another, joined by their
    ``max_edges`` strongest pairs (by the sentences naming both); lone nodes are dropped."""
    import networkx as nx

    paired = set(cooccurrences["entity_id_a"]) | set(cooccurrences["entity_id_b"])
    nodes = entities[entities["entity_id"].isin(paired)].head(top)
    chosen = set(nodes["entity_id"])
    pairs = cooccurrences[cooccurrences["entity_id_a"].isin(chosen)
                          & cooccurrences["entity_id_b"].isin(chosen)]
    pairs = pairs.sort_values(["sentences", "entity_id_a", "entity_id_b"],
                              ascending=[False, True, True], kind="stable").head(max_edges)
    graph = nx.Graph()
    linked = set(pairs["entity_id_a"]) | set(pairs["entity_id_b"])
    for row in nodes.itertuples(index=False):
        if row.entity_id in linked:
            graph.add_node(row.entity_id, name=row.name, label=row.label,
                           mentions=int(row.mentions), documents=int(row.documents))
    for row in pairs.itertuples(index=False):
        graph.add_edge(row.entity_id_a, row.entity_id_b, sentences=int(row.sentences))
    return graph


def network_chart(graph, colors: dict[str, str], div_id: str) -> str:
    import networkx as nx
    import plotly.graph_objects as go

    # Unweighted: a few strong pairs would otherwise pull their nodes into one knot and fling
    # weakly linked groups to the edges of the picture.
    positions = nx.spring_layout(graph, seed=SEED, weight=None, iterations=200)
    figure = go.Figure()
    for trace in _edge_traces(graph, positions):
        figure.add_trace(trace)
    largest = max(data["mentions"] for _, data in graph.nodes(data=True))
    for label, color in colors.items():
        members = [node for node, data in graph.nodes(data=True) if data["label"] == label]
        if not members:
            continue
        names = [graph.nodes[node]["name"] for node in members]
        figure.add_trace(go.Scatter(
            x=[positions[node][0] for node in members],
            y=[positions[node][1] for node in members],
            mode="markers+text", name=html.escape(label_title(label)),
            text=[html.escape(short_name(name)) for name in names], textposition="top center",
            textfont={"size": 11}, customdata=[_node_hover(graph, node) for node in members],
            hovertemplate="%{customdata}<extra></extra>",
            marker={"color": color, "line": {"color": "white", "width": 1},
                    "size": [10 + 30 * math.sqrt(graph.nodes[node]["mentions"] / largest)
                             for node in members]}))
    xs, ys = zip(*positions.values())
    figure.update_layout(**base_layout(640, xaxis=_axis(xs), yaxis=_axis(ys), hovermode="closest",
                                   legend={"orientation": "h", "y": 1.02, "x": 0,
                                           "itemsizing": "constant"}))
    return figure_html(figure, div_id)


def _axis(values, padding: float = 0.12) -> dict:
    """A hidden axis with room around the nodes for their names."""
    low, high = min(values), max(values)
    room = (high - low or 1) * padding
    return {"visible": False, "range": [low - room, high + room]}


def _edge_traces(graph, positions):
    import plotly.graph_objects as go

    strongest = max((data["sentences"] for *_, data in graph.edges(data=True)), default=1)
    groups: dict[float, tuple[list, list]] = {width: ([], []) for width in EDGE_WIDTHS}
    for a, b, data in graph.edges(data=True):
        share = data["sentences"] / strongest
        width = EDGE_WIDTHS[min(len(EDGE_WIDTHS) - 1, int(share * len(EDGE_WIDTHS)))]
        xs, ys = groups[width]
        xs += [positions[a][0], positions[b][0], None]
        ys += [positions[a][1], positions[b][1], None]
    for width, (xs, ys) in groups.items():
        if xs:
            yield go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                             line={"color": "rgba(120, 120, 120, 0.45)", "width": width})


def _node_hover(graph, node) -> str:
    data = graph.nodes[node]
    partners = sorted(graph[node].items(), key=lambda item: (-item[1]["sentences"],
                                                             graph.nodes[item[0]]["name"]))
    lines = [f"<b>{html.escape(data['name'])}</b> ({html.escape(data['label'])})",
             f"{data['mentions']:,} mentions in {data['documents']:,} articles",
             "most often with:"]
    lines += [f"  {html.escape(graph.nodes[other]['name'])} ({edge['sentences']} sentences)"
              for other, edge in partners[:5]]
    return "<br>".join(lines)
