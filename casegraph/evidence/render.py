"""graph.png and graph.svg: the package's graph drawn with networkx and matplotlib (Agg,
no display), a seeded layout so the same elements give the same picture, one colour per
node label and money movement (casegraph/palette.py, the explorer's colours) with a
legend, and the short labels the explorer shows."""
from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from casegraph import graph, palette  # noqa: E402

SEED = 7
LAYOUT_MAX = 3000     # past this many nodes they are drawn on a circle (no force layout)
LABELLED_MAX = 150     # past this many nodes only accounts, wallets and the subject are labelled


def _graph(elements: list[dict[str, Any]]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for e in sorted((e for e in elements if graph.is_node(e)), key=lambda e: e["data"]["id"]):
        g.add_node(e["data"]["id"], kind=e["data"]["kind"], label=str(e["data"].get("label") or e["data"]["key"]))
    for e in sorted((e for e in elements if not graph.is_node(e)), key=lambda e: e["data"]["id"]):
        d = e["data"]
        if d["source"] in g and d["target"] in g:
            g.add_edge(d["source"], d["target"], key=d["id"], kind=d["kind"])
    return g


def _figure(elements: list[dict[str, Any]], title: str, subject: str | None):
    g = _graph(elements)
    n = g.number_of_nodes()
    size = min(24.0, max(8.0, 2.0 + n ** 0.5 * 1.2))
    fig, ax = plt.subplots(figsize=(size, size * 0.75), dpi=100)
    ax.set_title(title, fontsize=12)
    ax.axis("off")
    if n == 0:
        ax.text(0.5, 0.5, "no elements", ha="center", va="center")
        return fig
    # the force layout costs n^2 per iteration: fewer iterations for big packages, a circle past LAYOUT_MAX
    if n > LAYOUT_MAX:
        pos = nx.circular_layout(sorted(g))
    else:
        pos = nx.spring_layout(nx.Graph(g), seed=SEED, k=1.5 / max(n, 1) ** 0.5, iterations=100 if n <= 500 else 30)
    kinds = sorted({g.nodes[v]["kind"] for v in g})
    for kind in kinds:
        nodes = [v for v in g if g.nodes[v]["kind"] == kind]
        nx.draw_networkx_nodes(g, pos, nodelist=nodes, node_color=palette.node_colour(kind),
                               node_size=[420 if v == subject else 160 for v in nodes],
                               edgecolors=["#d62728" if v == subject else "white" for v in nodes], linewidths=1.5, ax=ax)
    edge_kinds = sorted({d["kind"] for _, _, d in g.edges(data=True)})
    for kind in edge_kinds:
        edges = [(u, v) for u, v, d in g.edges(data=True) if d["kind"] == kind]
        nx.draw_networkx_edges(g, pos, edgelist=edges, edge_color=palette.edge_colour(kind),
                               width=1.4 if kind in palette.MONEY else 0.8, arrows=True, arrowsize=8,
                               node_size=160, ax=ax)
    labelled = [v for v in g if n <= LABELLED_MAX or g.nodes[v]["kind"] in ("Account", "Wallet") or v == subject]
    above = {v: (x, y + 0.035) for v, (x, y) in pos.items()}   # beside the dot, not over it
    nx.draw_networkx_labels(g, above, labels={v: g.nodes[v]["label"] for v in labelled},
                            font_size=7 if n <= 60 else 5, ax=ax)
    handles = [Line2D([], [], marker="o", linestyle="", color=palette.node_colour(k), label=k) for k in kinds]
    handles += [Line2D([], [], color=palette.MONEY[k], label=k) for k in edge_kinds if k in palette.MONEY]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return fig


def render(elements: list[dict[str, Any]], title: str, subject: str | None = None) -> tuple[bytes, bytes]:
    """(graph.png, graph.svg) of the elements."""
    fig = _figure(elements, title, subject)
    try:
        png, svg = io.BytesIO(), io.BytesIO()
        fig.savefig(png, format="png", metadata={"Software": None}, bbox_inches="tight")
        # no date, and a fixed salt for the ids matplotlib gives clip paths: the same bytes every
        # time; labels stay text (searchable, selectable), not glyph outlines
        with matplotlib.rc_context({"svg.hashsalt": "casegraph-evidence", "svg.fonttype": "none"}):
            fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    finally:
        plt.close(fig)
    return png.getvalue(), svg.getvalue()
