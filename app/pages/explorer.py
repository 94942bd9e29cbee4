"""Explorer: a cytoscape canvas of case graph elements. Open ids from the URL
(`/explorer?ids=Account:A1,Wallet:0xabc&alert=12`), expand by relationship kind with
"+N more" pagers, hide / remove / collapse / undo, layouts, legend, a time window over
money movements, shortest path, trace funds, a details panel with provenance, exports. What is
drawn stays where it is: new nodes are placed around it (app/placement.py), from the positions
the canvas reports (app/assets/canvas.js); `/explorer?case=N` opens a case as it was left.

Callbacks are thin: the canvas state and what every control does to it are pure functions
in app/pages/_explorer.py (graph reads through its GraphReader over casegraph.explore), the
element-list operations app/pages/_canvas.py, casegraph.graph and casegraph.exports."""
from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import dash
import dash_cytoscape as cyto
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from casegraph import app, explore
from casegraph.app import auth, forms as f, ids, placement, site, styles
from casegraph.app.canvas import elements_out, watch_positions
from casegraph.app.legend import legend
from casegraph.app.pages import _cases
from casegraph.app.pages import _explorer as x
from casegraph.app.pages import _explorer_export, _explorer_time
from casegraph.app.pages._canvas import edge_rows, eid, export_files, selection_text, tooltip_text
from casegraph.errors import CasegraphError
from casegraph.graph import is_node
from casegraph.times import iso

cyto.load_extra_layouts()   # also brings cytoscape-svg, which SVG export needs
dash.register_page(__name__, **site.register(__name__))


def reader() -> x.GraphReader:
    return x.GraphReader(app.store(), app.state())


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


def layout_options() -> list[dict]:
    return styles.layout_options()


def stylesheet() -> list[dict]:
    return styles.stylesheet()


def _layout_for(name: str, run: int = 0, nodes: int = 0) -> dict:
    return styles.layout_for(name, run, nodes=nodes)


def _run_token() -> int:
    """Tells one run of a layout from the next (dash-cytoscape runs a layout when its prop changes)."""
    return time.time_ns() // 1000


def large(elements: list[dict]) -> bool:
    """Too many nodes for the browser's force layout: use the server-computed one."""
    return sum(1 for e in elements if is_node(e)) > styles.LARGE_GRAPH


_button = f.button


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
    return f.row([
        _button("New case from selection", ids.EXPLORE_NEW_CASE, "A case holding the selected nodes and the edges between them"),
        html.Div(f.choice(ids.EXPLORE_CASE_PICK, open_case_options(), placeholder="case #", width="18em"),
                 id=ids.EXPLORE_CASE_PICK_AREA, n_clicks=0),
        _button("Add selection to case", ids.EXPLORE_ADD_TO_CASE),
        dcc.Location(id=ids.EXPLORE_GO, refresh="callback-nav"),
    ], style={} if auth.may("change_case") else {"display": "none"})


def opened(node_ids: list[str], alert: Any) -> tuple[list[dict], list[str], html.Div | None]:
    """What the URL opens: the nodes (with what links them for an alert), the problems to
    report, and the alert's reasons."""
    elements, problems, reasons = [], [], None
    try:
        if node_ids:
            elements, problems = reader().open(node_ids, with_links=bool(alert))
        if alert:
            reasons = alert_panel(alert)
    except CasegraphError as e:
        problems.append(str(e))
    if not node_ids:
        problems.append("nothing open yet: find an entity on Search, open an alert, or run a saved query")
    return elements, problems, reasons


def ring_groups(alert: Any) -> dict[str, list]:
    """A rings alert's members drawn in one box ({key: [caption, member ids]}); none for others."""
    try:
        row = app.state().get_alert(int(alert)) if alert else None
    except (TypeError, ValueError, CasegraphError):
        return {}
    if not row or row["detection"] != "rings":
        return {}
    members = [f"Account:{a}" for a in row["entities"] or ()]
    return {f"alert-{row['id']}": [f"ring, alert {row['id']} ({len(members)} accounts)", members]}


def opened_case(case_id: Any) -> tuple[list[dict], list[str], html.Div | None]:
    """What `/explorer?case=N` opens: the case's snapshot where it was drawn when last saved
    (risk colours read again from the graph), with the case's title above the canvas."""
    from casegraph import cases
    n = _cases.case_id_of(case_id)
    if n is None:
        return [], [f"not a case id: {case_id!r}"], None
    try:
        auth.require("view_cases")
        case = cases.get_case(app.state(), n)
        elements = placement.absorb(reader().with_risk(_cases.canvas_elements(case)), case["positions"])
    except CasegraphError as e:
        return [], [str(e)], None
    title = html.Div(html.H4(dcc.Link(f"Case {n}: {case['title']}", href=_cases.case_href(n))),
                     id=ids.EXPLORE_REASONS, className="reasons")
    return elements, [], title


def tools() -> html.Div:
    return f.row([
        f.choice(ids.EXPLORE_REL, placeholder="expand by: every kind", width="15em"),
        _button("Expand", ids.EXPLORE_EXPAND, "Expand the selected node(s), or the one last tapped"),
        _button("Collapse", ids.EXPLORE_COLLAPSE, "Remove the neighbours that hang only off the node"),
        _button("Hide", ids.EXPLORE_HIDE), _button("Show all", ids.EXPLORE_SHOW_ALL),
        _button("Pin", ids.EXPLORE_PIN, "Pin / unpin the selected node(s): layouts leave them in place"),
        _button("Remove", ids.EXPLORE_REMOVE), _button("Undo", ids.EXPLORE_UNDO),
        _button("Shortest path", ids.EXPLORE_PATH, "Between the two selected nodes"),
        _button("Trace funds", ids.EXPLORE_TRACE, "From the selected node"),
        f.segments(ids.EXPLORE_TRACE_DIRECTION, ["forward", "backward"], "forward"),
        f.text(ids.EXPLORE_ADD_TEXT, placeholder="add: Account:A1… or search text", width="add"),
        _button("Add to canvas", ids.EXPLORE_ADD_NODES, "Add nodes by id (comma-separated) or the first "
                                                         "20 search hits"),
    ])


def views(start: str) -> html.Div:
    return f.row([
        f.choice(ids.EXPLORE_LAYOUT, layout_options(), start, clearable=False, searchable=False, width="15em"),
        _button("Re-layout", ids.EXPLORE_RELAYOUT, "Lay out every node again with the chosen layout "
                                                   "(pinned nodes stay); expanding places only the new nodes"),
        html.Span("Export: "),
        _button("PNG", ids.EXPLORE_EXPORT_PNG), _button("SVG", ids.EXPLORE_EXPORT_SVG),
        _button("Cytoscape JSON", ids.EXPLORE_EXPORT_JSON), _button("GraphML", ids.EXPLORE_EXPORT_GRAPHML),
        _button("CSV", ids.EXPLORE_EXPORT_CSV),
        f.checks(ids.EXPLORE_EDGE_LABELS, [("amounts on edges", "on")], mb=6),
        html.Span(id=ids.EXPLORE_COUNT, className="muted"),
        html.Span(id=ids.EXPLORE_SELECTION, className="muted"),
        html.Span(id=ids.EXPLORE_PLACED, className="muted"),
    ], align="center")


def time_bar(canvas: x.Canvas) -> html.Div:
    lo, hi, value, disabled = canvas.slider()
    return html.Div([
        html.Span("Money movements between ", className="muted"),
        html.Span(id=ids.EXPLORE_TIME_LABEL),
        f.window(ids.EXPLORE_TIME, lo, hi, value, disabled),
    ], className="timebar")


def layout(ids_=None, alert=None, case=None, **query):
    node_ids = [i for i in (query.get("ids") or ids_ or "").split(",") if i.strip()]
    if case is not None:
        elements, problems, reasons = opened_case(case)
    else:
        elements, problems, reasons = opened(node_ids, alert)
    start = x.start_layout(elements, large(elements))
    if start == x.PRESET:
        elements = styles.preset_layout(elements)
    elif start == x.KEEP:
        elements = placement.place(elements)
    canvas = x.Canvas(elements, [], groups=ring_groups(alert) if case is None else {})
    canvas = canvas.but(elements=x.arranged(canvas.elements, canvas))
    elements = canvas.elements
    return html.Div([
        html.Div([
            tools(), views(start), case_controls(),
            html.Div(" · ".join(problems), id=ids.EXPLORE_MESSAGE, className="message"),
            reasons or html.Div(id=ids.EXPLORE_REASONS),
            # autoRefreshLayout off: an expand places its new nodes itself (app/placement.py)
            # instead of dash-cytoscape running the whole layout again over every node
            cyto.Cytoscape(id=ids.EXPLORE_GRAPH, elements=elements, stylesheet=stylesheet(),
                           layout=_layout_for(start, nodes=sum(1 for e in elements if is_node(e))),
                           boxSelectionEnabled=True, autoRefreshLayout=False, contextMenu=x.context_menu(),
                           minZoom=0.05, maxZoom=4, style={"width": "100%", "height": "70vh"}),
            _explorer_time.timeline(canvas), time_bar(canvas), _explorer_export.stores(reasons),
            html.Div(legend(), id=ids.EXPLORE_LEGEND, className="legend"),
        ], className="explore-main"),
        html.Div([html.Div(id=ids.EXPLORE_TOOLTIP, className="tooltip"),
                  html.H4("Details"), html.Div("tap a node", id=ids.EXPLORE_DETAILS)], className="explore-side"),
        dcc.Store(id=ids.EXPLORE_CANVAS, data=canvas.dump()), dcc.Store(id=ids.EXPLORE_POSITIONS, data={}),
        dcc.Store(id=ids.EXPLORE_FOCUS, data=eid(elements[0]) if elements else None),
        dcc.Download(id=ids.EXPLORE_DOWNLOAD), dcc.Download(id=ids.EXPLORE_DOWNLOAD_EDGES),
    ], className="explore")


# -- callbacks ------------------------------------------------------------------------------

# What every control that changes the canvas sends back (several callbacks share them).
CANVAS_OUTPUTS = [Output(ids.EXPLORE_CANVAS, "data", allow_duplicate=True),
                  Output(ids.EXPLORE_GRAPH, "elements", allow_duplicate=True),
                  Output(ids.EXPLORE_MESSAGE, "children", allow_duplicate=True),
                  Output(ids.EXPLORE_TIME, "min", allow_duplicate=True),
                  Output(ids.EXPLORE_TIME, "max", allow_duplicate=True),
                  Output(ids.EXPLORE_TIME, "value", allow_duplicate=True),
                  Output(ids.EXPLORE_TIME, "disabled", allow_duplicate=True),
                  Output(ids.EXPLORE_GRAPH, "layout", allow_duplicate=True)]
POSITIONS = State(ids.EXPLORE_POSITIONS, "data")
watch_positions(ids.EXPLORE_GRAPH, ids.EXPLORE_POSITIONS, ids.EXPLORE_PLACED)


def send(do, *args, slider: bool = True) -> tuple:
    """Run one control (a function of _explorer) and turn its Change into CANVAS_OUTPUTS.
    The canvas reports its elements back without classes or pinning (dash-cytoscape syncs
    only data and position), so the store is the truth and the canvas is only ever written;
    where each node is drawn comes from the positions store (POSITIONS). A layout is sent
    only when the Change asks for one over every node."""
    try:
        change = do(*args)
    except CasegraphError as e:
        change = x.Change(message=str(e))
    message = no_update if change.message is None else change.message
    if change.canvas is None:
        return (no_update, no_update, message) + (no_update,) * 5
    knobs = change.canvas.slider() if slider else (no_update,) * 4
    run = _layout_for(change.layout, _run_token(), sum(1 for e in change.canvas.elements if is_node(e))) if change.layout else no_update
    before = args[0].elements if args and isinstance(args[0], x.Canvas) else None
    return (change.canvas.dump(), elements_out(before, change.canvas.elements), message, *knobs, run)


@callback(*CANVAS_OUTPUTS, Input(ids.EXPLORE_EXPAND, "n_clicks"), Input(ids.EXPLORE_GRAPH, "tapNodeData"),
          State(ids.EXPLORE_CANVAS, "data"), State(ids.EXPLORE_GRAPH, "selectedNodeData"),
          State(ids.EXPLORE_FOCUS, "data"), State(ids.EXPLORE_REL, "value"), State(ids.EXPLORE_LAYOUT, "value"),
          POSITIONS, prevent_initial_call=True)
def grow(_expand, tapped, canvas, selected, focus, rel, layout_name, positions):
    """Expand the chosen nodes, or page on when a "+N more" node is tapped."""
    canvas = x.Canvas.load(canvas, positions)
    if ctx.triggered_id == ids.EXPLORE_GRAPH:
        return send(x.next_page, canvas, reader(), tapped, layout_name)
    return send(x.expand, canvas, reader(), x.chosen_nodes(selected, focus), rel, layout_name)


@callback(*CANVAS_OUTPUTS, Input(ids.EXPLORE_GRAPH, "contextMenuData"), State(ids.EXPLORE_CANVAS, "data"),
          State(ids.EXPLORE_LAYOUT, "value"), POSITIONS, prevent_initial_call=True)
def context(picked, canvas, layout_name, positions):
    """A context-menu item on a node or an edge (x.menu; details and new case below)."""
    return send(x.menu, x.Canvas.load(canvas, positions), reader(), picked, layout_name)


@callback(*CANVAS_OUTPUTS, Input(ids.EXPLORE_ADD_NODES, "n_clicks"), Input(ids.EXPLORE_ADD_TEXT, "n_submit"),
          State(ids.EXPLORE_ADD_TEXT, "value"), State(ids.EXPLORE_CANVAS, "data"), State(ids.EXPLORE_LAYOUT, "value"),
          POSITIONS, prevent_initial_call=True)
def add_nodes(_n, _submit, text, canvas, layout_name, positions):
    """Add nodes by id or by search, placed around what is drawn."""
    return send(x.add, x.Canvas.load(canvas, positions), reader(), text, layout_name)


@callback(Output(ids.EXPLORE_GRAPH, "stylesheet"), Input(ids.EXPLORE_EDGE_LABELS, "value"), prevent_initial_call=True)
def edge_labels(on):
    return styles.stylesheet(edge_labels=bool(on))


EDITS = {ids.EXPLORE_COLLAPSE: "collapse", ids.EXPLORE_HIDE: "hide", ids.EXPLORE_SHOW_ALL: "show_all",
         ids.EXPLORE_REMOVE: "remove", ids.EXPLORE_PIN: "pin"}


@callback(*CANVAS_OUTPUTS, *[Input(i, "n_clicks") for i in EDITS],
          State(ids.EXPLORE_CANVAS, "data"), State(ids.EXPLORE_GRAPH, "selectedNodeData"),
          State(ids.EXPLORE_FOCUS, "data"), prevent_initial_call=True)
def edit(_collapse, _hide, _show_all, _remove, _pin, canvas, selected, focus):
    """Collapse, hide, show all, remove, pin: changes to what is drawn, no graph read (and no
    node placed: the canvas keeps every node where it is)."""
    return send(x.edit, x.Canvas.load(canvas), EDITS.get(ctx.triggered_id), x.chosen_nodes(selected, focus))


@callback(*CANVAS_OUTPUTS, Input(ids.EXPLORE_UNDO, "n_clicks"), State(ids.EXPLORE_CANVAS, "data"),
          POSITIONS, prevent_initial_call=True)
def step_back(_undo, canvas, positions):
    return send(x.step_back, x.Canvas.load(canvas, positions))


@callback(*CANVAS_OUTPUTS, Input(ids.EXPLORE_PATH, "n_clicks"), Input(ids.EXPLORE_TRACE, "n_clicks"),
          State(ids.EXPLORE_CANVAS, "data"), State(ids.EXPLORE_GRAPH, "selectedNodeData"),
          State(ids.EXPLORE_FOCUS, "data"), State(ids.EXPLORE_TRACE_DIRECTION, "value"),
          State(ids.EXPLORE_LAYOUT, "value"), POSITIONS, prevent_initial_call=True)
def follow(_path, _trace, canvas, selected, focus, direction, layout_name, positions):
    """Shortest path between the two selected nodes, or trace funds from the chosen one."""
    canvas = x.Canvas.load(canvas, positions)
    if ctx.triggered_id == ids.EXPLORE_PATH:
        return send(x.shortest_path, canvas, reader(), x.chosen_nodes(selected, None), layout_name)
    return send(x.trace_funds, canvas, reader(), x.chosen_nodes(selected, focus), direction, layout_name)


@callback(*CANVAS_OUTPUTS, Input(ids.EXPLORE_TIME, "value"), State(ids.EXPLORE_CANVAS, "data"),
          POSITIONS, prevent_initial_call=True)
def narrow(window, canvas, positions):
    """The time window moved: movements outside it are hidden (the slider keeps its value)."""
    return send(x.narrow, x.Canvas.load(canvas, positions), window, slider=False)


@callback(Output(ids.EXPLORE_TIME_LABEL, "children"), Input(ids.EXPLORE_TIME, "value"),
          State(ids.EXPLORE_TIME, "disabled"))
def show_window(window, disabled):
    if disabled or not window:
        return "(no money movements on the canvas)"
    return f"{iso(window[0])} and {iso(window[1])}"


@callback(Output(ids.EXPLORE_COUNT, "children"), Input(ids.EXPLORE_CANVAS, "data"))
def count(canvas):
    return x.count_text(x.Canvas.load(canvas))


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


@callback(Output(ids.EXPLORE_DETAILS, "children"), Output(ids.EXPLORE_REL, "data"),
          Output(ids.EXPLORE_FOCUS, "data"),
          Input(ids.EXPLORE_GRAPH, "tapNodeData"), Input(ids.EXPLORE_GRAPH, "contextMenuData"),
          prevent_initial_call=True)
def tap_details(tapped, picked):
    """A node's details, when it is tapped or its menu's "Open details" is chosen."""
    if ctx.triggered_id == ids.EXPLORE_GRAPH and "contextMenuData" in ctx.triggered[0]["prop_id"]:
        if (picked or {}).get("menuItemId") != "details" or not picked.get("elementId"):
            return no_update, no_update, no_update
        tapped = {"id": picked["elementId"], "kind": picked["elementId"].partition(":")[0]}
    if not tapped or tapped.get("kind") in ("More", "Compound"):
        return no_update, no_update, no_update
    nid = tapped["id"]
    try:
        d = explore.details(app.store(), nid) or {}
        counts = explore.neighbour_counts(app.store(), nid) or {}
    except CasegraphError as e:
        return html.P(str(e), className="message"), no_update, nid
    options = f.options((f"{t} ({n})", t) for t, n in sorted(counts.items()) if n)
    shown = details_view(nid, d)
    if tapped.get("kind") in ("Account", "Wallet") and auth.may("export_evidence"):
        shown.insert(1, dcc.Link("evidence package about it", href=f"/evidence?{urlencode({'subject': nid})}",
                                 className="evidence-link"))
    return shown, options, nid


@callback(Output(ids.EXPLORE_TOOLTIP, "children"),
          Input(ids.EXPLORE_GRAPH, "mouseoverNodeData"), Input(ids.EXPLORE_GRAPH, "mouseoverEdgeData"),
          prevent_initial_call=True)
def tooltip(node, edge):
    return tooltip_text(edge if ctx.triggered_id and "Edge" in (ctx.triggered[0]["prop_id"]) else node)


@callback(Output(ids.EXPLORE_GRAPH, "layout"), Output(ids.EXPLORE_GRAPH, "elements", allow_duplicate=True),
          Output(ids.EXPLORE_CANVAS, "data", allow_duplicate=True),
          Input(ids.EXPLORE_LAYOUT, "value"), Input(ids.EXPLORE_RELAYOUT, "n_clicks"),
          State(ids.EXPLORE_CANVAS, "data"), POSITIONS, prevent_initial_call=True)
def pick_layout(name, _relayout, canvas, positions):
    """Choosing a layout, or Re-layout, lays out every node again (pinned ones stay): browser
    layouts run in cytoscape, the preset one places every node on the server."""
    placed, run = x.relayout(x.Canvas.load(canvas, positions), name, _run_token())
    if placed is None:
        return run, no_update, no_update
    return run, placed.elements, placed.dump()


@callback(Output(ids.EXPLORE_DOWNLOAD, "data"), Output(ids.EXPLORE_DOWNLOAD_EDGES, "data"),
          Output(ids.EXPLORE_MESSAGE, "children", allow_duplicate=True),
          Input(ids.EXPLORE_EXPORT_JSON, "n_clicks"), Input(ids.EXPLORE_EXPORT_GRAPHML, "n_clicks"),
          Input(ids.EXPLORE_EXPORT_CSV, "n_clicks"), State(ids.EXPLORE_CANVAS, "data"),
          prevent_initial_call=True)
def export_file(_j, _g, _c, canvas):
    kind = {ids.EXPLORE_EXPORT_JSON: "json", ids.EXPLORE_EXPORT_GRAPHML: "graphml"}.get(ctx.triggered_id, "csv")
    try:
        files = export_files(kind, x.Canvas.load(canvas).elements)
    except CasegraphError as e:
        return no_update, no_update, str(e)
    out = [dcc.send_bytes(c, name) if isinstance(c, bytes) else dcc.send_string(c, name) for name, c in files]
    return out[0], (out[1] if len(out) > 1 else no_update), ""


@callback(Output(ids.EXPLORE_CASE_PICK, "data"), Input(ids.EXPLORE_CASE_PICK_AREA, "n_clicks"),
          prevent_initial_call=True)
def refresh_cases(_n):
    """Cases made since the page opened (here, on another page or by someone else) appear
    when the menu is clicked open."""
    return open_case_options()


@callback(Output(ids.EXPLORE_MESSAGE, "children", allow_duplicate=True), Output(ids.EXPLORE_GO, "href"),
          Input(ids.EXPLORE_NEW_CASE, "n_clicks"), Input(ids.EXPLORE_ADD_TO_CASE, "n_clicks"),
          Input(ids.EXPLORE_GRAPH, "contextMenuData"), State(ids.EXPLORE_GRAPH, "selectedNodeData"),
          State(ids.EXPLORE_CASE_PICK, "value"), POSITIONS, prevent_initial_call=True)
def to_case(_new, _add, picked, selected, case_id, positions):
    """The selected nodes and the relationships between them into a new case (which then
    opens) or into the case picked, with where they are drawn (so the case reopens as it was
    left). Only the selected ids and positions come from the browser: every element is read
    again from the graph (cases.add_selection). The node's menu does the same for that node
    ("New case with this node", "Add to the case picked above")."""
    from casegraph import cases
    from_menu = ctx.triggered_id == ids.EXPLORE_GRAPH
    item = (picked or {}).get("menuItemId") if from_menu else None
    if from_menu and (item not in ("new-case", "add-to-case") or not picked.get("elementId")):
        return no_update, no_update
    new_case = item == "new-case" if from_menu else ctx.triggered_id == ids.EXPLORE_NEW_CASE
    picked = [picked["elementId"]] if from_menu else _cases.selected_ids(selected)
    if not picked:
        return "select nodes first (shift-click or drag a box)", no_update
    try:
        user = auth.require("change_case")
        if new_case:
            made = cases.add_selection(app.state(), app.store(), user, None, picked, _cases.selection_title(picked))
            cases.save_positions(app.state(), user, made["case_id"], _cases.picked_positions(picked, positions))
            return f"opened case #{made['case_id']}", _cases.case_href(made["case_id"])
        if case_id is None:
            return "pick the case to add to (the case # menu above the canvas)", no_update
        added = cases.add_selection(app.state(), app.store(), user, int(case_id), picked)["added"]
        cases.save_positions(app.state(), user, int(case_id), _cases.picked_positions(picked, positions))
    except CasegraphError as e:
        return str(e), no_update
    return [f"added {len(added)} element(s) to ", dcc.Link(f"case #{case_id}", href=_cases.case_href(case_id))], no_update
