"""How the explorer draws the graph: the cytoscape stylesheet (one colour and shape per
model label, risk colouring, edge width by USD amount on a log scale), the legend, the
layouts, and a server-computed preset layout for large graphs. Pure; no Dash."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from casegraph import palette
from casegraph.app import icons
from casegraph.graph import BUNDLE, BUNDLED, COLLAPSED, COMPOUND, FROZEN, IN_COLLAPSED, META, HIDDEN, MORE, PATH, RISK_FLAGS, TIME_HIDDEN, is_node
from casegraph.model import model

# label -> (colour, cytoscape shape), shared with the evidence package's drawings
NODE_STYLE = palette.NODES
FALLBACK = palette.NODE_FALLBACK

# flag -> (legend text, colour): drawn as a thick border, the most severe flag wins
RISK: dict[str, tuple[str, str]] = {
    "reported-victim": ("reported victim", "#1f9e89"),
    "silent-sufferer": ("silent sufferer", "#8fbc3f"),
    "ring-member": ("ring member", "#9467bd"),
    "mule": ("mule", "#ff7f0e"),
    "watchlisted": ("watchlisted", "#d62728"),
    FROZEN: ("frozen (a ring outside the border)", "#00acc1"),
}

EDGE_COLOURS = palette.MONEY
EDGE_DEFAULT = palette.EDGE_DEFAULT

# USD thresholds for edge width: 1 px plus 1 px per power of ten (log scale)
WIDTH_STEPS = tuple(10 ** k for k in range(0, 8))
MIN_WIDTH, MAX_WIDTH = 1.0, 1.0 + len(WIDTH_STEPS)

LEGEND: list[tuple[str, str, str]] = [(label, *NODE_STYLE.get(label, FALLBACK)) for label in model().nodes]
RISK_LEGEND: list[tuple[str, str]] = [RISK[f] for f in RISK_FLAGS]
# edges: one colour per kind of money movement (what one is called, from the model), grey for the rest
EDGE_LEGEND: list[tuple[str, str]] = [(noun, EDGE_COLOURS.get(rel, EDGE_DEFAULT))
                                      for rel, noun in model().money.items()] + [("other link", EDGE_DEFAULT)]

LAYOUTS: dict[str, dict[str, Any]] = {
    # force-directed (cytoscape-fcose, from dash-cytoscape's extra layouts, served by this app):
    # the default; fast enough for a few hundred nodes in the browser
    "fcose": {"name": "fcose", "quality": "default", "randomize": True, "animate": False, "fit": True,
              "padding": 30, "nodeRepulsion": 6500, "idealEdgeLength": 70, "nodeSeparation": 75,
              "packComponents": True},
    "cose": {"name": "cose", "animate": False, "nodeRepulsion": 8000, "idealEdgeLength": 80,
             "numIter": 1000, "randomize": False, "fit": True, "padding": 30},
    "breadthfirst": {"name": "breadthfirst", "directed": True, "spacingFactor": 1.2, "animate": False,
                     "fit": True, "padding": 30},
    "concentric": {"name": "concentric", "minNodeSpacing": 30, "animate": False, "fit": True, "padding": 30},
    "circle": {"name": "circle", "animate": False, "fit": True, "padding": 30},
    "grid": {"name": "grid", "animate": False, "fit": True, "padding": 30},
    # every node where it is (positions kept, from the canvas or a case); no layout computed
    "keep": {"name": "preset", "animate": False, "fit": True, "padding": 30},
    # positions computed on the server (preset_layout), for canvases too large for the browser
    "preset": {"name": "preset", "animate": False, "fit": True, "padding": 30},
}
LAYOUT_LABELS = {"fcose": "fcose (force-directed)", "keep": "preset (keep positions)",
                 "preset": "preset (server, large canvases)"}
DEFAULT_LAYOUT = "fcose"
FCOSE_REFINE_MAX = 200        # above this many nodes fcose gives its spectral draft only
KEEP = "keep"
LARGE_GRAPH = 300   # above this many nodes the UI should prefer the server-computed preset layout


def layout_options() -> list[dict[str, str]]:
    """The layout chooser's entries (label, value), the default first."""
    return [{"label": LAYOUT_LABELS.get(name, name), "value": name} for name in LAYOUTS]


def layout_for(name: str | None, run: int = 0, pinned: dict[str, dict[str, float]] | None = None,
               nodes: int = 0) -> dict[str, Any]:
    """The cytoscape layout for chooser entry `name` over a canvas of `nodes` nodes. `run` tells
    two runs of the same layout apart (dash-cytoscape runs a layout only when its prop changes);
    `pinned` nodes stay where they are (cytoscape leaves `locked` nodes alone; fcose also gets them
    as fixed constraints). fcose refines its spectral layout only up to FCOSE_REFINE_MAX nodes:
    the refinement grows with the square of the nodes (1,000 nodes took tens of seconds in
    Chromium, bench/RESULTS.md), the spectral draft stays near-linear."""
    spec = dict(LAYOUTS.get(name or DEFAULT_LAYOUT) or {"name": name})
    if run:
        spec["run"] = run
    if spec["name"] == "fcose":
        if nodes > FCOSE_REFINE_MAX:
            spec["quality"] = "draft"
        if pinned:
            spec["fixedNodeConstraint"] = [{"nodeId": nid, "position": {"x": p["x"], "y": p["y"]}}
                                           for nid, p in sorted(pinned.items())]
    return spec


def edge_width(amount_usd: float | None) -> float:
    """The width an edge of `amount_usd` gets: 1 px, plus 1 px per power of ten of USD
    from 1 USD up (log scale), at most MAX_WIDTH. What the stylesheet's steps encode."""
    if amount_usd is None or not math.isfinite(amount_usd) or amount_usd < 1:
        return MIN_WIDTH
    return min(MAX_WIDTH, MIN_WIDTH + 1 + math.floor(math.log10(amount_usd) + 1e-9))


MIN_LABEL_PX = 7      # labels are not drawn while the zoom makes them smaller than this on screen
LABEL_HIDDEN = "label-hidden"   # a caption that would overlap another (app/assets/canvas.js): not drawn


def stylesheet(edge_labels: bool = False) -> list[dict[str, Any]]:
    """The explorer's cytoscape stylesheet. Later rules win where they overlap, so risk
    comes after labels (most severe flag last) and hiding comes last.

    Readability: an icon per node kind (app/icons.py) on its colour; a short caption under
    the node (its full id in the tooltip and details), on a light backing so crossing edges do
    not hide it, never drawn over its own node, and not drawn at all when zoomed out so far that
    it would be smaller than MIN_LABEL_PX; edge labels (amounts) only when asked for, and on a
    bundle of movements (graph.bundle) its count and total."""
    rules: list[dict[str, Any]] = [
        {"selector": "node", "style": {
            "label": "data(label)", "font-size": 9, "text-valign": "bottom", "text-halign": "center",
            "text-margin-y": 3, "width": 26, "height": 26, "background-color": FALLBACK[0], "shape": FALLBACK[1],
            "border-width": 1, "border-color": "#ffffff", "text-wrap": "ellipsis", "text-max-width": 110,
            "min-zoomed-font-size": MIN_LABEL_PX, "text-background-color": "#ffffff",
            "text-background-opacity": 0.75, "text-background-padding": 1, "text-background-shape": "roundrectangle",
            "background-width": "62%", "background-height": "62%", "background-clip": "none"}},
        {"selector": "edge", "style": {
            "width": MIN_WIDTH, "line-color": EDGE_DEFAULT, "target-arrow-color": EDGE_DEFAULT,
            "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.8,
            "opacity": 0.85, "font-size": 7, "text-rotation": "autorotate"}},
    ]
    for label, (colour, shape) in NODE_STYLE.items():
        icon = {"background-image": icons.uri(label)} if icons.uri(label) else {}
        rules.append({"selector": f"node.{label}", "style": {"background-color": colour, "shape": shape, **icon}})
    for rel, colour in EDGE_COLOURS.items():
        rules.append({"selector": f"edge.{rel}", "style": {"line-color": colour, "target-arrow-color": colour,
                                                           **({"label": "data(label)"} if edge_labels else {})}})
    for step in WIDTH_STEPS:
        rules.append({"selector": f"edge[amount_usd >= {step}]", "style": {"width": edge_width(step)}})
    for flag in RISK_FLAGS:
        if flag != FROZEN:
            rules.append({"selector": f"node.risk-{flag}", "style": {
                "border-width": 5, "border-color": RISK[flag][1], "border-style": "solid"}})
    # frozen is a state, not a risk: an outline outside whatever risk border the node has
    rules.append({"selector": f"node.risk-{FROZEN}", "style": {
        "outline-width": 4, "outline-color": RISK[FROZEN][1], "outline-offset": 2, "outline-style": "solid",
        "outline-opacity": 1}})
    rules += [
        {"selector": f"node.{MORE}", "style": {
            "shape": "round-rectangle", "background-color": "#eeeeee", "border-color": "#888888",
            "border-width": 1, "border-style": "dashed", "width": 56, "height": 18, "text-valign": "center",
            "text-margin-y": 0, "font-size": 9, "color": "#333333"}},
        {"selector": f"edge.{MORE}", "style": {"line-style": "dashed", "line-color": "#cccccc",
                                               "target-arrow-shape": "none", "width": 1}},
        {"selector": f".{PATH}", "style": {"overlay-color": "#ffbf00", "overlay-opacity": 0.25,
                                           "overlay-padding": 4}},
        {"selector": f"edge.{PATH}", "style": {"line-color": "#ffbf00", "target-arrow-color": "#ffbf00"}},
        {"selector": "node.pinned", "style": {"border-style": "double", "border-width": 4,
                                              "border-color": "#333333"}},
        {"selector": ":selected", "style": {"overlay-color": "#1f77b4", "overlay-opacity": 0.3,
                                            "overlay-padding": 5}},
        # a bundle of movements (graph.bundle): its count and total, wider with more movements
        {"selector": f"edge.{BUNDLE}", "style": {"label": "data(label)", "font-size": 7, "line-style": "solid",
                                                  "text-background-color": "#ffffff", "text-background-opacity": 0.8,
                                                  "text-background-padding": 1, "min-zoomed-font-size": MIN_LABEL_PX}},
        {"selector": f"edge.{BUNDLED}", "style": {"display": "none"}},
        # drawn transparent, not removed: its size still counts when the captions are sorted out
        {"selector": f"node.{LABEL_HIDDEN}", "style": {"text-opacity": 0, "text-background-opacity": 0}},
        # group boxes (graph.grouped): a ring's or a model group's members inside one box,
        # which collapses to one node with a link per outside neighbour (graph.collapse_group)
        {"selector": f"node.{COMPOUND}", "style": {
            "shape": "round-rectangle", "background-color": "#f3e5f5", "background-opacity": 0.45,
            "border-width": 1.5, "border-style": "dashed", "border-color": "#7b1fa2", "padding": 14,
            "text-valign": "top", "text-halign": "center", "text-margin-y": -2, "font-size": 10,
            "font-weight": "bold", "color": "#4a148c", "background-image": "none", "text-max-width": 420,
            "text-wrap": "none"}},
        {"selector": f"node.{COMPOUND}.{COLLAPSED}", "style": {
            "width": 46, "height": 46, "background-color": "#9c27b0", "background-opacity": 0.85,
            "border-style": "double", "border-width": 4, "text-valign": "bottom", "text-margin-y": 4}},
        {"selector": f"node.{IN_COLLAPSED}", "style": {"display": "none"}},
        {"selector": f"edge.{META}", "style": {"line-style": "dashed", "line-color": "#9c27b0",
                                                "target-arrow-color": "#9c27b0", "label": "data(label)",
                                                "font-size": 7, "min-zoomed-font-size": MIN_LABEL_PX}},
        {"selector": f".{HIDDEN}", "style": {"display": "none"}},
        {"selector": f".{TIME_HIDDEN}", "style": {"display": "none"}},
    ]
    return rules


def _force_layout(n: int, edges: list[tuple[int, int]], seed: int, iterations: int = 50,
                  block: int | None = None) -> np.ndarray:
    """Fruchterman-Reingold in numpy (x, y in about [0, 1]): repulsion between every pair,
    computed a block of rows at a time so memory stays O(block x n); attraction along
    edges; a weak pull to the centre keeps separate components on screen. networkx's own
    spring_layout took 17 s for 1,000 nodes here; this takes about 1 s."""
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    k = 1.0 / math.sqrt(n)
    temp, cool = 0.1, 0.1 / (iterations + 1)
    src = np.array([a for a, _ in edges], dtype=np.int64)
    dst = np.array([b for _, b in edges], dtype=np.int64)
    block = block or max(1, min(n, 4_000_000 // n))
    for _ in range(iterations):
        x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
        disp = np.empty_like(pos)
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            dx = x[lo:hi, None] - x[None, :]
            dy = y[lo:hi, None] - y[None, :]
            w = dx * dx
            w += dy * dy
            np.maximum(w, 1e-6, out=w)
            np.divide(k * k, w, out=w)
            w[np.arange(hi - lo), np.arange(lo, hi)] = 0.0
            disp[lo:hi, 0] = (dx * w).sum(1)
            disp[lo:hi, 1] = (dy * w).sum(1)
        if len(src):
            e = pos[src] - pos[dst]
            f = e * np.sqrt((e * e).sum(1))[:, None] / k
            np.add.at(disp, src, -f)
            np.add.at(disp, dst, f)
        disp -= 0.05 * (pos - 0.5) * n * k
        length = np.maximum(np.sqrt((disp * disp).sum(1))[:, None], 1e-9)
        pos += disp / length * np.minimum(length, temp)
        temp -= cool
    return pos


def preset_layout(elements: list[dict[str, Any]], seed: int = 7) -> list[dict[str, Any]]:
    """The elements with a computed "position" on every node (a force-directed layout,
    deterministic for the same elements and seed, about 60 px between neighbours); edges
    unchanged. For graphs too large for the browser's own force layout to stay interactive."""
    nodes = sorted({e["data"]["id"] for e in elements if is_node(e)})
    index = {nid: i for i, nid in enumerate(nodes)}
    edges = sorted((index[e["data"]["source"]], index[e["data"]["target"]]) for e in elements
                   if not is_node(e) and e["data"]["source"] in index and e["data"]["target"] in index
                   and e["data"]["source"] != e["data"]["target"])
    if not nodes:
        return [dict(e) for e in elements]
    pos = _force_layout(len(nodes), edges, seed) if len(nodes) > 1 else np.zeros((1, 2))
    scale = 60.0 * math.sqrt(len(nodes))
    out = []
    for e in elements:
        if is_node(e):
            x, y = (float(v) * scale for v in pos[index[e["data"]["id"]]])
            if not (math.isfinite(x) and math.isfinite(y)):
                x, y = 0.0, 0.0
            e = {**e, "position": {"x": round(x, 2), "y": round(y, 2)}}
        out.append(e)
    return out
