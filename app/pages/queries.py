"""Saved queries: the catalogue (built-in cypher/ plus the user's folder) with a form built
from each template's header, results in a grid (sortable, filterable, CSV; app/pages/_grid.py)
and, when they hold nodes or relationships, as a graph; and an ad-hoc read-only Cypher editor
with the CLI's time and row limits."""
from __future__ import annotations

import dash
import dash_cytoscape as cyto
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from casegraph import app
from casegraph.app import auth, forms as f, ids, site
from casegraph.app.pages._grid import export_name, grid_data, results_grid
from casegraph.app.pages._tables import default_text, explorer_href, form_values, result_note
from casegraph import queries
from casegraph.errors import CasegraphError

dash.register_page(__name__, **site.register(__name__))

EXPLORER_LINK_MAX = 100   # nodes carried to the explorer in one link
auth.protect(ids.QUERIES_CYPHER_RUN, "run_adhoc_query")   # refused before the callback for other roles


def read_queries() -> list:
    """The saved queries meant for analysts (queries.for_analysts: the top of cypher/ and the
    user's folder); the templates the UI, the API, the detections and the loader are built
    from are not listed."""
    return queries.for_analysts(app.store().queries)


def param_field(p):
    """One parameter's field: a number field for int and float parameters, text otherwise
    (lists and maps as JSON), labelled with its name and type, its help under it."""
    field_id = {"type": ids.QUERIES_PARAM, "name": p.name}
    common = {"label": f"{p.name} ({p.type})", "withAsterisk": p.required, "description": p.help or None,
              "placeholder": "required" if p.required else "", "width": "wide", "mb": 6}
    if p.type in ("int", "float"):
        default = None if p.required or not isinstance(p.default, (int, float)) else p.default
        return f.number(field_id, default, allowDecimal=p.type == "float", **common)
    return f.text(field_id, default_text(p), **common)


def layout(**_query):
    try:
        options = [(f"{q.name} — {q.title}", q.name) for q in read_queries()]
        problem = ""
    except CasegraphError as e:
        options, problem = [], str(e)
    s = app.settings()
    return html.Div([
        html.H2("Saved queries"),
        f.choice(ids.QUERIES_NAME, options, placeholder="pick a query", clearable=False, width="48em"),
        html.P(id=ids.QUERIES_PURPOSE, className="muted"),
        html.Div(id=ids.QUERIES_FORM),
        f.button("Run query", ids.QUERIES_RUN, kind="primary"),
        html.H3("Ad-hoc Cypher (read-only)"),
        f.area(ids.QUERIES_CYPHER, placeholder="MATCH (a:Account)-[r:USED_DEVICE]->(d) RETURN a, r, d LIMIT 25",
               rows=4, styles={"input": {"fontFamily": "monospace"}}),
        html.Div(f"Time limit {s.query_timeout_ms:,} ms, row limit {s.row_limit:,} rows; "
                 "write clauses are refused.", className="muted"),
        f.button("Run Cypher", ids.QUERIES_CYPHER_RUN, kind="primary"),
        html.Div(problem, id=ids.QUERIES_MESSAGE, className="message"),
        html.Div(id=ids.QUERIES_NOTE, className="muted"),
        results_grid(ids.QUERIES_TABLE),
        f.row([f.button("Download CSV", ids.QUERIES_CSV, disabled=True), html.Span(id=ids.QUERIES_OPEN)],
              align="center"),
        html.Div(id=ids.QUERIES_GRAPH_BOX),
    ])


def graph_box(elements: list[dict]) -> list:
    """The graph of a result, or nothing when it has no nodes or relationships. The canvas is
    created with its elements in a visible box (a cytoscape canvas laid out while hidden is
    drawn at 0x0), and dropped when a result has no graph."""
    if not elements:
        return []
    return [cyto.Cytoscape(id=ids.QUERIES_GRAPH, elements=elements, layout={"name": "cose", "animate": False},
                           stylesheet=_stylesheet(), style={"width": "100%", "height": "55vh"},
                           className="queries-graph")]


def _stylesheet() -> list[dict]:
    try:
        from casegraph.app.styles import stylesheet
        return stylesheet()
    except ImportError:
        return [{"selector": "node", "style": {"label": "data(label)"}}]


@callback(Output(ids.QUERIES_PURPOSE, "children"), Output(ids.QUERIES_FORM, "children"),
          Input(ids.QUERIES_NAME, "value"), prevent_initial_call=True)
def show_form(name):
    if not name:
        return "", []
    try:
        q = app.store().queries.get(name)
    except CasegraphError as e:
        return str(e), []
    return q.purpose, [param_field(p) for p in q.params] or [html.P("no parameters", className="muted")]


def shown(res, name: str | None, row_limit: int) -> tuple:
    """A result -> (rowData, columnDefs, CSV export params, CSV button disabled, graph box,
    message, note, explorer link), the outputs of `run`."""
    from casegraph.graph import to_elements
    elements = to_elements(res)
    columns, rows = grid_data(res)
    nodes = [e["data"]["id"] for e in elements if "source" not in e["data"]]
    link = (dcc.Link(f"open {min(len(nodes), EXPLORER_LINK_MAX)} node(s) in the explorer",
                     href=explorer_href(nodes[:EXPLORER_LINK_MAX])) if nodes else [])
    return (rows, columns, {"fileName": export_name(name)}, not rows, graph_box(elements), "",
            result_note(res, row_limit), link)


def _said(message: str) -> tuple:
    """Outputs that only say `message` (what was shown stays)."""
    return (no_update,) * 5 + (message, "", no_update)


@callback(Output(ids.QUERIES_TABLE, "rowData"), Output(ids.QUERIES_TABLE, "columnDefs"),
          Output(ids.QUERIES_TABLE, "csvExportParams"), Output(ids.QUERIES_CSV, "disabled"),
          Output(ids.QUERIES_GRAPH_BOX, "children"), Output(ids.QUERIES_MESSAGE, "children"),
          Output(ids.QUERIES_NOTE, "children"), Output(ids.QUERIES_OPEN, "children"),
          Input(ids.QUERIES_RUN, "n_clicks"), Input(ids.QUERIES_CYPHER_RUN, "n_clicks"),
          State(ids.QUERIES_NAME, "value"), State({"type": ids.QUERIES_PARAM, "name": ALL}, "value"),
          State({"type": ids.QUERIES_PARAM, "name": ALL}, "id"), State(ids.QUERIES_CYPHER, "value"),
          prevent_initial_call=True)
def run(_q, _c, name, values, field_ids, text):
    s = app.settings()
    try:
        if ctx.triggered_id == ids.QUERIES_CYPHER_RUN:
            user = auth.require("run_adhoc_query")
            if not (text or "").strip():
                return _said("write a Cypher query first")
            res, name = queries.run_cypher(app.store(), app.state(), user, text, row_limit=s.row_limit), None
        else:
            user = auth.require("run_saved_query")
            if not name:
                return _said("pick a query first")
            params = form_values([i["name"] for i in field_ids or []], values or [])
            res = queries.run_saved(app.store(), app.state(), user, name, params, row_limit=s.row_limit)
        return shown(res, name, s.row_limit)
    except CasegraphError as e:
        return [], [], no_update, True, [], str(e), "", []


@callback(Output(ids.QUERIES_TABLE, "exportDataAsCsv"), Input(ids.QUERIES_CSV, "n_clicks"),
          prevent_initial_call=True)
def export_csv(_n):
    """The grid writes its rows (filtered and sorted as shown) to a CSV the browser downloads."""
    try:
        auth.require("run_saved_query")
    except CasegraphError:
        return no_update
    return True
