"""Explorer: a cytoscape canvas of case graph elements. Open ids from the URL
(`/explorer?ids=Account:A1,Wallet:0xabc&alert=12`), expand by relationship kind with
"+N more" pagers, hide / remove / collapse / undo, layouts, legend, a time window over
money movements, shortest path, trace funds, a details panel with provenance, exports.

Callbacks are thin: the element-list work is pure functions in app/pages/_canvas.py
and app.graph / app.styles / app.exports; graph reads are casegraph.explore."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_cytoscape as cyto
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from casegraph import app
from casegraph import explore, graph
from casegraph.app import auth, ids, styles
from casegraph.app.pages import _cases
from casegraph.app.pages._canvas import (collapse, drop, edge_rows, eid, export_files, hide, is_node, is_pager,
                               mark_path, node_ids_of, pin, push, selection_text, show_all, slider_window, split_id,
                               time_range, undo, visible)
from casegraph.times import iso
from casegraph.errors import CasegraphError, QueryError

cyto.load_extra_layouts()   # also brings cytoscape-svg, which SVG export needs
dash.register_page(__name__, path="/explorer", name="Explorer", title="casegraph: explorer")

TRACE_TOP = 25                # trace funds draws the best paths to this many reached entities
PRESET = "preset"             # the server-computed layout (app.styles.preset_layout)


# -- server reads ---------------------------------------------------------------------------

def open_nodes(node_ids: list[str], with_links: bool = False) -> tuple[list[dict], list[str]]:
    """Node elements for ids (one query) and, `with_links` (an alert's entities), what
    links them: a ring's shared devices, wallets, transfers. Ids not in the graph (or
    malformed) come back as problems."""
    wanted, problems = [], []
    for nid in node_ids:
        try:
            explore.parse_node_id(nid)
            wanted.append(nid)
        except QueryError as e:
            problems.append(str(e))
    elements, missing = explore.nodes(app.store(), wanted)
    problems += [f"{nid} is not in the graph" for nid in missing]
    if not with_links:
        return elements, problems
    return graph.merge(elements, explore.links_between(app.store(), wanted)), problems


def add_risk(elements: list[dict]) -> list[dict]:
    """Nodes with their risk flags (risk colouring)."""
    keys = [eid(e) for e in elements if is_node(e) and not is_pager(e)]
    return graph.with_risk(elements, explore.risk_flags(app.store(), app.state(), keys)) if keys else elements


def alert_panel(alert_id: Any) -> html.Div | None:
    """The reasons of the alert the explorer was opened from."""
    try:
        n = int(alert_id)
    except (TypeError, ValueError):
        return html.Div(f"alert {alert_id!r}: not an alert id", className="message", id=ids.EXPLORE_REASONS)
    row = app.state().get_alert(n)
    if row is None:
        return html.Div(f"there is no alert {n}", className="message", id=ids.EXPLORE_REASONS)
    return html.Div(id=ids.EXPLORE_REASONS, children=[html.H4(f"Alert {n}: {row['detection']} (score {row['score']:.3f}, {row['status']})"),
                     html.Ul([html.Li(str(r)) for r in row["reasons"] or []])], className="reasons")


def layout_options() -> list[str]:
    return list(styles.LAYOUTS)


def legend() -> list:
    items = [html.Span([html.Span(className="swatch", style={"backgroundColor": colour}), f" {label}"],
                       className="legend-item", title=shape) for label, colour, shape in styles.LEGEND]
    items += [html.Span([html.Span(className="swatch ring", style={"borderColor": colour}), f" {text}"],
                        className="legend-item") for text, colour in styles.RISK_LEGEND]
    return items


def stylesheet() -> list[dict]:
    return styles.stylesheet()


def _layout_for(name: str) -> dict:
    return styles.LAYOUTS.get(name) or {"name": name}


def large(elements: list[dict]) -> bool:
    """Too many nodes for the browser's force layout: use the server-computed one."""
    return sum(1 for e in elements if is_node(e)) > styles.LARGE_GRAPH


def _button(label: str, id_: str, title: str = "") -> html.Button:
    return html.Button(label, id=id_, n_clicks=0, title=title)


def open_case_options() -> list[dict]:
    """The cases a selection can be added to (open or in review, newest first); none for
    roles that do not change cases."""
    try:
        from casegraph import cases
        if auth.may("change_case"):
            found = [c for s in ("open", "in_review") for c in cases.list_cases(app.state(), status=s)]
            return _cases.case_options(sorted(found, key=lambda c: -c["id"]))
    except CasegraphError:
        pass
    return []


def case_controls() -> html.Div:
    """New case from the selection, or add it to an open case (for roles that change cases)."""
    return html.Div([
        _button("New case from selection", ids.EXPLORE_NEW_CASE, "A case holding the selected nodes and the edges between them"),
        html.Div(dcc.Dropdown(id=ids.EXPLORE_CASE_PICK, options=open_case_options(), placeholder="case #",
                              style={"minWidth": "260px"}), id=ids.EXPLORE_CASE_PICK_AREA, n_clicks=0),
        _button("Add selection to case", ids.EXPLORE_ADD_TO_CASE),
        dcc.Location(id=ids.EXPLORE_GO, refresh="callback-nav"),
    ], className="toolbar", style={} if auth.may("change_case") else {"display": "none"})


def layout(ids_=None, alert=None, **query):
    node_ids = [i for i in (query.get("ids") or ids_ or "").split(",") if i.strip()]
    elements, problems, reasons = [], [], None
    try:
        if node_ids:
            elements, missing = open_nodes(node_ids, with_links=bool(alert))
            elements = add_risk(elements)
            problems += missing
        if alert:
            reasons = alert_panel(alert)
    except CasegraphError as e:
        problems.append(str(e))
    if not node_ids:
        problems.append("nothing open yet: find an entity on Search, open an alert, or run a saved query")
    first = eid(elements[0]) if elements else None
    span = time_range(elements)
    layouts = layout_options()
    start = PRESET if large(elements) else layouts[0]
    if start == PRESET:
        elements = styles.preset_layout(elements)
    return html.Div([
        html.Div([
            html.Div([
                html.Label(["Expand by ", dcc.Dropdown(id=ids.EXPLORE_REL, options=[], placeholder="every kind",
                                                       clearable=True, style={"minWidth": "220px"})]),
                _button("Expand", ids.EXPLORE_EXPAND, "Expand the selected node(s), or the one last tapped"),
                _button("Collapse", ids.EXPLORE_COLLAPSE, "Remove the neighbours that hang only off the node"),
                _button("Hide", ids.EXPLORE_HIDE), _button("Show all", ids.EXPLORE_SHOW_ALL),
                _button("Pin", ids.EXPLORE_PIN, "Pin / unpin the selected node(s): layouts leave them in place"),
                _button("Remove", ids.EXPLORE_REMOVE), _button("Undo", ids.EXPLORE_UNDO),
                _button("Shortest path", ids.EXPLORE_PATH, "Between the two selected nodes"),
                _button("Trace funds", ids.EXPLORE_TRACE, "From the selected node"),
                dcc.Dropdown(id=ids.EXPLORE_TRACE_DIRECTION, value="forward", clearable=False,
                             options=["forward", "backward"], style={"width": "120px"}),
            ], className="toolbar"),
            html.Div([
                html.Label(["Layout ", dcc.Dropdown(id=ids.EXPLORE_LAYOUT, options=layouts, clearable=False,
                                                    value=start, style={"width": "180px"})]),
                html.Span("Export: "),
                _button("PNG", ids.EXPLORE_EXPORT_PNG), _button("SVG", ids.EXPLORE_EXPORT_SVG),
                _button("Cytoscape JSON", ids.EXPLORE_EXPORT_JSON), _button("GraphML", ids.EXPLORE_EXPORT_GRAPHML),
                _button("CSV", ids.EXPLORE_EXPORT_CSV),
                html.Span(id=ids.EXPLORE_COUNT, className="muted"),
                html.Span(id=ids.EXPLORE_SELECTION, className="muted"),
            ], className="toolbar"),
            case_controls(),
            html.Div([
                html.Span("Money movements between ", className="muted"),
                html.Span(id=ids.EXPLORE_TIME_LABEL),
                dcc.RangeSlider(id=ids.EXPLORE_TIME, min=span[0] if span else 0, max=span[1] if span else 1,
                                value=list(span) if span else [0, 1], step=1,
                                marks=None, allowCross=False, updatemode="mouseup", allow_direct_input=False,
                                tooltip=None, disabled=span is None),
            ], className="timebar"),
            html.Div(" · ".join(problems), id=ids.EXPLORE_MESSAGE, className="message"),
            reasons or html.Div(id=ids.EXPLORE_REASONS),
            cyto.Cytoscape(id=ids.EXPLORE_GRAPH, elements=elements, stylesheet=stylesheet(),
                           layout=_layout_for(start), boxSelectionEnabled=True,
                           minZoom=0.05, maxZoom=4, style={"width": "100%", "height": "70vh"}),
            html.Div(legend(), id=ids.EXPLORE_LEGEND, className="legend"),
        ], className="explore-main"),
        html.Div([html.Div(id=ids.EXPLORE_TOOLTIP, className="tooltip"),
                  html.H4("Details"), html.Div("tap a node", id=ids.EXPLORE_DETAILS)], className="explore-side"),
        dcc.Store(id=ids.EXPLORE_ELEMENTS, data=elements),
        dcc.Store(id=ids.EXPLORE_UNDO_STACK, data=[]),
        dcc.Store(id=ids.EXPLORE_FOCUS, data=first),
        dcc.Download(id=ids.EXPLORE_DOWNLOAD), dcc.Download(id=ids.EXPLORE_DOWNLOAD_EDGES),
    ], className="explore")


# -- callbacks ------------------------------------------------------------------------------

def _expand(elements: list[dict], node_id: str, rel: str | None, skip: int = 0) -> list[dict]:
    new, _total = explore.expand(app.store(), node_id, rel=rel or None, skip=skip)
    return graph.merge(elements, add_risk(new))


@callback(Output(ids.EXPLORE_ELEMENTS, "data"), Output(ids.EXPLORE_GRAPH, "elements"),
          Output(ids.EXPLORE_UNDO_STACK, "data"),
          Output(ids.EXPLORE_MESSAGE, "children"),
          Output(ids.EXPLORE_TIME, "min"), Output(ids.EXPLORE_TIME, "max"),
          Output(ids.EXPLORE_TIME, "value"), Output(ids.EXPLORE_TIME, "disabled"),
          Input(ids.EXPLORE_EXPAND, "n_clicks"), Input(ids.EXPLORE_GRAPH, "tapNodeData"),
          Input(ids.EXPLORE_COLLAPSE, "n_clicks"), Input(ids.EXPLORE_HIDE, "n_clicks"),
          Input(ids.EXPLORE_SHOW_ALL, "n_clicks"), Input(ids.EXPLORE_REMOVE, "n_clicks"),
          Input(ids.EXPLORE_UNDO, "n_clicks"), Input(ids.EXPLORE_PATH, "n_clicks"),
          Input(ids.EXPLORE_TRACE, "n_clicks"), Input(ids.EXPLORE_TIME, "value"),
          Input(ids.EXPLORE_PIN, "n_clicks"),
          State(ids.EXPLORE_ELEMENTS, "data"), State(ids.EXPLORE_GRAPH, "selectedNodeData"),
          State(ids.EXPLORE_REL, "value"), State(ids.EXPLORE_UNDO_STACK, "data"),
          State(ids.EXPLORE_FOCUS, "data"), State(ids.EXPLORE_TRACE_DIRECTION, "value"),
          State(ids.EXPLORE_TIME, "min"), State(ids.EXPLORE_TIME, "max"), State(ids.EXPLORE_LAYOUT, "value"),
          prevent_initial_call=True)
def change_graph(*args):
    """Every change to the element list, dispatched on what was clicked. The list itself
    lives in a store: the canvas reports its elements back without their classes or
    pinning (dash-cytoscape syncs only data and position), so it is never read back."""
    out = _change(*args)
    return (out[0],) + out


def _change(_e, tapped, _c, _h, _s, _r, _u, _p, _t, window, _pin,
            elements, selected, rel, stack, focus, direction, lo, hi, layout_name):
    trigger = ctx.triggered_id
    elements = elements or []
    chosen = node_ids_of(selected) or ([focus] if focus else [])
    message = ""
    try:
        if trigger == ids.EXPLORE_TIME:
            window = window or [lo, hi]
            new = graph.filter_time(elements, window[0], window[1])
            return new, no_update, "", no_update, no_update, no_update, no_update
        if trigger == ids.EXPLORE_GRAPH:
            if not tapped or tapped.get("kind") != "More":
                return (no_update,) * 7
            new = _expand([e for e in elements if eid(e) != tapped["id"]], tapped["parent_id"],
                          tapped.get("rel"), int(tapped.get("skip") or 0))
        elif trigger == ids.EXPLORE_UNDO:
            if not stack:
                return no_update, no_update, "nothing to undo", no_update, no_update, no_update, no_update
            new, stack = undo(elements, stack[-1]), stack[:-1]
            return (new, stack, f"undone ({len(stack)} step(s) left)") + slider_window(new, lo, hi, window)
        elif not chosen and trigger != ids.EXPLORE_SHOW_ALL:
            return no_update, no_update, "select or tap a node first", no_update, no_update, no_update, no_update
        elif trigger == ids.EXPLORE_EXPAND:
            new = elements
            for n in chosen:
                new = _expand(new, n, rel)
            added = sum(1 for e in new if is_node(e) and not is_pager(e)) - \
                sum(1 for e in elements if is_node(e) and not is_pager(e))
            message = f"expanded {', '.join(chosen)}" + (f" by {rel}" if rel else "") + f": {added} new node(s)"
        elif trigger == ids.EXPLORE_COLLAPSE:
            new = elements
            for n in chosen:
                new = collapse(new, n)
        elif trigger == ids.EXPLORE_HIDE:
            new = hide(elements, set(chosen))
        elif trigger == ids.EXPLORE_SHOW_ALL:
            new = show_all(elements)
        elif trigger == ids.EXPLORE_REMOVE:
            new = drop(elements, set(chosen))
        elif trigger == ids.EXPLORE_PIN:
            new = pin(elements, set(chosen))
        elif trigger == ids.EXPLORE_PATH:
            picked = node_ids_of(selected)
            if len(picked) != 2:
                return no_update, no_update, "select exactly two nodes (shift-click) for a shortest path", \
                    no_update, no_update, no_update, no_update
            found = explore.shortest_path(app.store(), picked[0], picked[1])
            if not found:
                return no_update, no_update, f"no path of up to 6 hops between {picked[0]} and {picked[1]}", \
                    no_update, no_update, no_update, no_update
            new = mark_path(graph.merge(elements, add_risk(found)), {eid(e) for e in found})
            message = f"shortest path: {sum(1 for e in found if not is_node(e))} hop(s)"
        elif trigger == ids.EXPLORE_TRACE:
            label, key = split_id(chosen[0])
            if label not in ("Account", "Wallet"):
                return no_update, no_update, "trace funds starts from an account or a wallet", \
                    no_update, no_update, no_update, no_update
            from casegraph import detections
            params = {"account_id" if label == "Account" else "address": key, "direction": direction or "forward"}
            results = detections.run(app.store(), "trace_funds", params)
            found = explore.trace_elements(app.store(), chosen[0], results,
                                                                 TRACE_TOP) if results else []
            new = mark_path(graph.merge(elements, add_risk(found)), {eid(e) for e in found}) if found else elements
            message = (f"trace {direction}: {len(results)} entities reached; showing the best "
                       f"{min(len(results), TRACE_TOP)} path(s)") if results else "no money movements to trace"
        else:
            return (no_update,) * 7
    except CasegraphError as e:
        return no_update, no_update, str(e), no_update, no_update, no_update, no_update
    if layout_name == PRESET and any(is_node(e) and "position" not in e for e in new):
        new = styles.preset_layout(new)
    span = slider_window(new, lo, hi, window)
    if not span[3]:     # a narrowed time window applies to the movements just added too
        new = graph.filter_time(new, span[2][0], span[2][1])
    return (new, push(stack, elements, new), message) + span


@callback(Output(ids.EXPLORE_TIME_LABEL, "children"), Input(ids.EXPLORE_TIME, "value"),
          State(ids.EXPLORE_TIME, "disabled"))
def show_window(window, disabled):
    if disabled or not window:
        return "(no money movements on the canvas)"
    return f"{iso(window[0])} and {iso(window[1])}"


@callback(Output(ids.EXPLORE_COUNT, "children"), Input(ids.EXPLORE_ELEMENTS, "data"))
def count(elements):
    shown = visible(elements or [])
    n = sum(1 for e in shown if is_node(e))
    return f"{n} node(s), {len(shown) - n} edge(s) shown"


@callback(Output(ids.EXPLORE_SELECTION, "children"), Input(ids.EXPLORE_GRAPH, "selectedNodeData"))
def show_selection(selected):
    return selection_text(selected)


def details_view(node_id: str, d: dict) -> list:
    """The details panel: every property (provenance marked, times as ISO 8601) and, per
    relationship type, relationships out / in and distinct neighbours."""
    degree = d.get("degree") or {}
    deg_rows = [html.Tr([html.Td(t), html.Td(v["out"]), html.Td(v["in"]), html.Td(v["neighbours"])])
                for t, v in sorted(degree.items())]
    return [html.H5(f"{d.get('kind', '')} {d.get('key', node_id)}"), _props_table(d.get("rows") or []),
            html.H5("Relationships"),
            html.Table([html.Tr([html.Th("type"), html.Th("out"), html.Th("in"), html.Th("neighbours")])]
                       + deg_rows, className="props") if deg_rows else html.P("none")]


def _fmt(key: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and (key.endswith("_at") or key in
                                                                    ("at", "first_seen", "last_seen")):
        return f"{iso(value)}"
    return str(value)


def _props_table(rows: list[dict]) -> html.Table:
    return html.Table([html.Tr([html.Th(r["property"]), html.Td(str(r["value"]))],
                               className="provenance" if r.get("provenance") else None) for r in rows],
                      className="props")


@callback(Output(ids.EXPLORE_DETAILS, "children", allow_duplicate=True),
          Input(ids.EXPLORE_GRAPH, "tapEdgeData"), prevent_initial_call=True)
def tap_edge(edge):
    """An edge's details come with it (every property and its provenance): no query."""
    if not edge or edge.get("kind") == "More":
        return no_update
    return [html.H5(f"{edge['kind']}: {edge['source']} -> {edge['target']}"), _props_table(edge_rows(edge))]


@callback(Output(ids.EXPLORE_DETAILS, "children"), Output(ids.EXPLORE_REL, "options"),
          Output(ids.EXPLORE_FOCUS, "data"),
          Input(ids.EXPLORE_GRAPH, "tapNodeData"), prevent_initial_call=True)
def tap_details(tapped):
    if not tapped or tapped.get("kind") == "More":
        return no_update, no_update, no_update
    nid = tapped["id"]
    try:
        d = explore.details(app.store(), nid) or {}
        counts = explore.neighbour_counts(app.store(), nid) or {}
    except CasegraphError as e:
        return html.P(str(e), className="message"), no_update, nid
    options = [{"label": f"{t} ({n})", "value": t} for t, n in sorted(counts.items()) if n]
    shown = details_view(nid, d)
    if tapped.get("kind") in ("Account", "Wallet") and auth.may("export_evidence"):
        shown.insert(1, dcc.Link("evidence package about it", href=f"/evidence?{urlencode({'subject': nid})}",
                                 className="evidence-link"))
    return shown, options, nid


@callback(Output(ids.EXPLORE_TOOLTIP, "children"),
          Input(ids.EXPLORE_GRAPH, "mouseoverNodeData"), Input(ids.EXPLORE_GRAPH, "mouseoverEdgeData"),
          prevent_initial_call=True)
def tooltip(node, edge):
    d = edge if ctx.triggered_id and "Edge" in (ctx.triggered[0]["prop_id"]) else node
    if not d:
        return ""
    props = d.get("props") or {}
    shown = ", ".join(f"{k}={_fmt(k, v)}" for k, v in list(props.items())[:6] if k not in ("load_id",))
    return f"{d.get('kind')} {d.get('key') or d.get('id')}: {shown}"


@callback(Output(ids.EXPLORE_GRAPH, "layout"), Output(ids.EXPLORE_GRAPH, "elements", allow_duplicate=True),
          Output(ids.EXPLORE_ELEMENTS, "data", allow_duplicate=True),
          Input(ids.EXPLORE_LAYOUT, "value"), State(ids.EXPLORE_ELEMENTS, "data"),
          prevent_initial_call=True)
def pick_layout(name, elements):
    if name == PRESET:
        try:
            placed = styles.preset_layout(elements or [])
        except CasegraphError:
            return {"name": "grid"}, no_update, no_update
        return _layout_for(PRESET), placed, placed
    return _layout_for(name), no_update, no_update


@callback(Output(ids.EXPLORE_GRAPH, "generateImage"),
          Input(ids.EXPLORE_EXPORT_PNG, "n_clicks"), Input(ids.EXPLORE_EXPORT_SVG, "n_clicks"),
          prevent_initial_call=True)
def export_image(_png, _svg):
    kind = "svg" if ctx.triggered_id == ids.EXPLORE_EXPORT_SVG else "png"
    return {"type": kind, "action": "download", "filename": "casegraph",
            **({"options": {"full": True, "bg": "white"}} if kind == "png" else {"options": {"full": True}})}


@callback(Output(ids.EXPLORE_DOWNLOAD, "data"), Output(ids.EXPLORE_DOWNLOAD_EDGES, "data"),
          Output(ids.EXPLORE_MESSAGE, "children", allow_duplicate=True),
          Input(ids.EXPLORE_EXPORT_JSON, "n_clicks"), Input(ids.EXPLORE_EXPORT_GRAPHML, "n_clicks"),
          Input(ids.EXPLORE_EXPORT_CSV, "n_clicks"), State(ids.EXPLORE_ELEMENTS, "data"),
          prevent_initial_call=True)
def export_file(_j, _g, _c, elements):
    kind = {ids.EXPLORE_EXPORT_JSON: "json", ids.EXPLORE_EXPORT_GRAPHML: "graphml"}.get(ctx.triggered_id, "csv")
    try:
        files = export_files(kind, elements or [])
    except CasegraphError as e:
        return no_update, no_update, str(e)
    out = [dcc.send_bytes(c, name) if isinstance(c, bytes) else dcc.send_string(c, name) for name, c in files]
    return out[0], (out[1] if len(out) > 1 else no_update), ""


@callback(Output(ids.EXPLORE_CASE_PICK, "options"), Input(ids.EXPLORE_CASE_PICK_AREA, "n_clicks"),
          prevent_initial_call=True)
def refresh_cases(_n):
    """Cases made since the page opened (here, on another page or by someone else) appear
    when the menu is clicked open."""
    return open_case_options()


@callback(Output(ids.EXPLORE_MESSAGE, "children", allow_duplicate=True), Output(ids.EXPLORE_GO, "href"),
          Input(ids.EXPLORE_NEW_CASE, "n_clicks"), Input(ids.EXPLORE_ADD_TO_CASE, "n_clicks"),
          State(ids.EXPLORE_ELEMENTS, "data"), State(ids.EXPLORE_GRAPH, "selectedNodeData"),
          State(ids.EXPLORE_CASE_PICK, "value"), prevent_initial_call=True)
def to_case(_new, _add, elements, selected, case_id):
    """The selected nodes and the edges between them into a new case (which then opens) or
    into the case picked."""
    from casegraph import cases
    chosen = _cases.selection(elements or [], selected)
    picked = _cases.node_ids(chosen)
    if not picked:
        return "select nodes first (shift-click or drag a box)", no_update
    provenance = _cases.selection_provenance(picked)
    try:
        user = auth.require("change_case")
        if ctx.triggered_id == ids.EXPLORE_NEW_CASE:
            made = cases.create_case(app.state(), user, _cases.selection_title(picked), chosen, provenance,
                                     source="explorer")
            return f"opened case #{made}", _cases.case_href(made)
        if case_id is None:
            return "pick the case to add to", no_update
        added = cases.add_elements(app.state(), user, int(case_id), chosen, provenance)
    except CasegraphError as e:
        return str(e), no_update
    return [f"added {len(added)} element(s) to ", dcc.Link(f"case #{case_id}", href=_cases.case_href(case_id))], no_update
