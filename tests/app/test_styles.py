"""app/styles.py: the stylesheet covers the model and the risk flags, widths follow the
amount, and the preset layout places every node, the same way every time."""
from __future__ import annotations

import json
import math
import random
import re
import time

import pytest

from casegraph import graph
from casegraph.app import icons, styles
from casegraph.model import model


def _rules(selector):
    return [r["style"] for r in styles.stylesheet() if r["selector"] == selector]


def test_every_label_and_flag_has_a_rule():
    sheet = styles.stylesheet()
    json.dumps(sheet)
    for label in model().nodes:
        (style,) = _rules(f"node.{label}")
        assert re.fullmatch(r"#[0-9a-f]{6}", style["background-color"]) and style["shape"]
    for flag in graph.RISK_FLAGS:
        (style,) = _rules(f"node.risk-{flag}")
        if flag == graph.FROZEN:      # a state drawn outside the node, so a risk border still shows
            assert style["outline-color"] == styles.RISK[flag][1] and style["outline-width"] > 1
            assert "border-color" not in style
        else:
            assert style["border-color"] == styles.RISK[flag][1] and style["border-width"] > 1
    assert set(styles.RISK) == set(graph.RISK_FLAGS)
    for cls in (graph.HIDDEN, graph.TIME_HIDDEN):
        assert _rules(f".{cls}") == [{"display": "none"}]
    # hiding comes last so that nothing re-shows a hidden element
    assert [r["selector"] for r in sheet][-2:] == [f".{graph.HIDDEN}", f".{graph.TIME_HIDDEN}"]


def test_legend_covers_every_label_with_its_style():
    assert [label for label, _, _ in styles.LEGEND] == list(model().nodes)
    colours = [c for _, c, _ in styles.LEGEND]
    assert len(set(colours)) == len(colours)
    for label, colour, shape in styles.LEGEND:
        (rule,) = _rules(f"node.{label}")
        assert (rule["background-color"], rule["shape"]) == (colour, shape)
        assert rule["background-image"] == icons.uri(label)


def test_every_kind_has_an_icon_that_is_an_svg_document():
    from xml.etree import ElementTree
    for label in model().nodes:
        root = ElementTree.fromstring(icons.svg(label))
        assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 24 24" and len(root)
        assert icons.uri(label).startswith("data:image/svg+xml;utf8,%3Csvg")
    assert icons.svg("Pet") is None


def test_edge_labels_only_when_asked_and_on_bundles():
    quiet = {r["selector"]: r["style"] for r in styles.stylesheet()}
    loud = {r["selector"]: r["style"] for r in styles.stylesheet(edge_labels=True)}
    assert "label" not in quiet["edge.TRANSFERRED"] and loud["edge.TRANSFERRED"]["label"] == "data(label)"
    assert quiet[f"edge.{graph.BUNDLE}"]["label"] == "data(label)"
    assert quiet[f"edge.{graph.BUNDLED}"] == {"display": "none"}
    assert quiet["node"]["min-zoomed-font-size"] == styles.MIN_LABEL_PX and quiet["node"]["text-valign"] == "bottom"
    assert [name for name, _ in styles.RISK_LEGEND] == [styles.RISK[f][0] for f in graph.RISK_FLAGS]


def _cytoscape_width(amount):
    """The width cytoscape would give an edge: the last matching rule that sets one wins."""
    width = None
    for rule in styles.stylesheet():
        sel = rule["selector"]
        m = re.fullmatch(r"edge\[amount_usd >= ([\d.e+]+)\]", sel)
        if "width" in rule["style"] and (sel == "edge" or (m and amount is not None and amount >= float(m.group(1)))):
            width = rule["style"]["width"]
    return width


def test_edge_width_grows_with_amount_on_a_log_scale():
    amounts = [None, 0, 0.5, 1, 9, 10, 99, 100, 5_000, 1e5, 1e6, 1e7, 1e12]
    widths = [_cytoscape_width(a) for a in amounts]
    assert widths == [styles.edge_width(a) for a in amounts]
    assert widths == sorted(widths) and widths[0] == styles.MIN_WIDTH and widths[-1] == styles.MAX_WIDTH
    assert _cytoscape_width(10) < _cytoscape_width(100) < _cytoscape_width(1000)
    # log scale: ten times the money adds the same width
    assert _cytoscape_width(1000) - _cytoscape_width(100) == _cytoscape_width(100) - _cytoscape_width(10)


def test_layouts():
    assert {"cose", "breadthfirst", "concentric", "circle", "grid", "preset"} <= set(styles.LAYOUTS)
    # issue 16: fcose (dash-cytoscape's extra layouts) is the default; "keep" runs no layout at all
    assert styles.layout_options()[0] == {"label": "fcose (force-directed)", "value": "fcose"}
    assert styles.layout_for(None)["name"] == "fcose" and styles.layout_for(styles.KEEP)["name"] == "preset"
    # a re-run is a new prop; past FCOSE_REFINE_MAX nodes only the spectral draft (the refinement is quadratic)
    assert styles.layout_for("fcose", run=3)["run"] == 3 and "run" not in styles.layout_for("fcose")
    assert styles.layout_for("fcose", nodes=styles.FCOSE_REFINE_MAX)["quality"] == "default"
    assert styles.layout_for("fcose", nodes=styles.FCOSE_REFINE_MAX + 1)["quality"] == "draft"
    pinned = styles.layout_for("fcose", pinned={"Account:A1": {"x": 1.0, "y": 2.0}})
    assert pinned["fixedNodeConstraint"] == [{"nodeId": "Account:A1", "position": {"x": 1.0, "y": 2.0}}]
    assert "fixedNodeConstraint" not in styles.layout_for("grid", pinned={"Account:A1": {"x": 1.0, "y": 2.0}})
    assert all(v["name"] == (k if k != styles.KEEP else "preset") for k, v in styles.LAYOUTS.items())


def _random_graph(n_nodes, n_edges, seed=3):
    rnd = random.Random(seed)
    nodes = [{"data": {"id": f"Account:A{i}", "kind": "Account", "label": f"A{i}"}, "classes": "Account"}
             for i in range(n_nodes)]
    edges = []
    for j in range(n_edges):
        a, b = rnd.randrange(n_nodes), rnd.randrange(n_nodes)
        edges.append({"data": {"id": f"TRANSFERRED:T{j}", "source": f"Account:A{a}", "target": f"Account:A{b}",
                               "kind": "TRANSFERRED", "amount_usd": 10.0, "at": None}, "classes": "TRANSFERRED"})
    return nodes + edges


@pytest.mark.parametrize("n_nodes, n_edges", [(0, 0), (1, 0), (2, 1), (40, 10), (1000, 1500)])
def test_preset_layout_places_every_node_deterministically(n_nodes, n_edges):
    els = _random_graph(n_nodes, n_edges)
    els += graph.pager("Account:A0", None, 25, 10) if n_nodes else []
    started = time.perf_counter()
    laid = styles.preset_layout(els)
    took = time.perf_counter() - started
    assert [e["data"] for e in laid] == [e["data"] for e in els]
    nodes = [e for e in laid if graph.is_node(e)]
    assert all(math.isfinite(e["position"]["x"]) and math.isfinite(e["position"]["y"]) for e in nodes)
    assert not any("position" in e for e in laid if not graph.is_node(e))
    assert styles.preset_layout(els) == laid
    if n_nodes >= 40:
        distinct = {(e["position"]["x"], e["position"]["y"]) for e in nodes}
        assert len(distinct) == len(nodes)
        print(f"\npreset_layout: {len(nodes)} nodes, {n_edges} edges in {took * 1000:.0f} ms")


def test_force_layout_blocks_give_the_same_positions():
    """Large graphs compute repulsion a block of rows at a time; the result must not change."""
    import numpy as np
    edges = [(i, (i * 7 + 3) % 60) for i in range(60)]
    whole = styles._force_layout(60, edges, seed=1)
    assert np.allclose(styles._force_layout(60, edges, seed=1, block=7), whole, atol=1e-5)
    assert np.isfinite(whole).all() and not np.allclose(styles._force_layout(60, edges, seed=2), whole)


def test_the_legend_names_every_money_movement_with_its_edge_colour():
    from casegraph.app import icons, styles
    from casegraph.model import model
    money = model().money
    assert [t for t, _ in styles.EDGE_LEGEND[:-1]] == list(money.values())
    assert [c for _, c in styles.EDGE_LEGEND[:-1]] == [styles.EDGE_COLOURS[r] for r in money]
    assert styles.EDGE_LEGEND[-1] == ("other link", styles.EDGE_DEFAULT)
