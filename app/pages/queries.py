"""Saved queries: the catalogue (built-in cypher/ plus the user's folder) with a form built
from each template's header, results as a sortable table and as a graph; and an ad-hoc
read-only Cypher editor with the CLI's time and row limits."""
from __future__ import annotations

import dash
import dash_cytoscape as cyto
from dash import ALL, Input, Output, State, callback, ctx, dash_table, dcc, html, no_update

from casegraph import app
from casegraph.app import auth, ids, site
from casegraph.app.pages._tables import default_text, explorer_href, form_values, result_note, table_of
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


def param_field(p) -> html.Div:
    kind = {"int": "number", "float": "number"}.get(p.type, "text")
    return html.Div([
        html.Label(f"{p.name} ({p.type}){'' if not p.required else ' *'}", htmlFor=f"queries-param-{p.name}"),
        dcc.Input(id={"type": ids.QUERIES_PARAM, "name": p.name}, type=kind, value=default_text(p),
                  placeholder="required" if p.required else "", debounce=False,
                  step="any" if p.type == "float" else None, className="wide"),
        html.Span(p.help, className="muted"),
    ], className="param")


def layout(**_query):
    try:
        options = [{"label": f"{q.name} — {q.title}", "value": q.name} for q in read_queries()]
        problem = ""
    except CasegraphError as e:
        options, problem = [], str(e)
    s = app.settings()
    return html.Div([
        html.H2("Saved queries"),
        dcc.Dropdown(id=ids.QUERIES_NAME, options=options, placeholder="pick a query", clearable=False),
        html.P(id=ids.QUERIES_PURPOSE, className="muted"),
        html.Div(id=ids.QUERIES_FORM),
        html.Button("Run query", id=ids.QUERIES_RUN, n_clicks=0),
        html.H3("Ad-hoc Cypher (read-only)"),
        dcc.Textarea(id=ids.QUERIES_CYPHER, placeholder="MATCH (a:Account)-[r:USED_DEVICE]->(d) RETURN a, r, d LIMIT 25",
                     style={"width": "100%", "height": "7em", "fontFamily": "monospace"}),
        html.Div(f"Time limit {s.query_timeout_ms:,} ms, row limit {s.row_limit:,} rows; "
                 "write clauses are refused.", className="muted"),
        html.Button("Run Cypher", id=ids.QUERIES_CYPHER_RUN, n_clicks=0),
        html.Div(problem, id=ids.QUERIES_MESSAGE, className="message"),
        html.Div(id=ids.QUERIES_NOTE, className="muted"),
        dash_table.DataTable(id=ids.QUERIES_TABLE, columns=[], data=[], sort_action="native",
                             filter_action="native", page_size=25, style_table={"overflowX": "auto"},
                             style_cell={"textAlign": "left", "maxWidth": "420px", "whiteSpace": "normal",
                                         "height": "auto"}),
        html.Div(id=ids.QUERIES_OPEN),
        cyto.Cytoscape(id=ids.QUERIES_GRAPH, elements=[], layout={"name": "cose", "animate": False},
                       stylesheet=_stylesheet(), style={"width": "100%", "height": "55vh"}),
    ])


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


@callback(Output(ids.QUERIES_TABLE, "columns"), Output(ids.QUERIES_TABLE, "data"),
          Output(ids.QUERIES_GRAPH, "elements"), Output(ids.QUERIES_MESSAGE, "children"),
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
                return no_update, no_update, no_update, "write a Cypher query first", "", no_update
            res = queries.run_cypher(app.store(), app.state(), user, text, row_limit=s.row_limit)
        else:
            user = auth.require("run_saved_query")
            if not name:
                return no_update, no_update, no_update, "pick a query first", "", no_update
            params = form_values([i["name"] for i in field_ids or []], values or [])
            res = queries.run_saved(app.store(), app.state(), user, name, params, row_limit=s.row_limit)
        from casegraph.graph import to_elements
        elements = to_elements(res)
    except CasegraphError as e:
        return [], [], [], str(e), "", []
    columns, rows = table_of(res)
    nodes = [e["data"]["id"] for e in elements if "source" not in e["data"]]
    link = (dcc.Link(f"open {min(len(nodes), EXPLORER_LINK_MAX)} node(s) in the explorer",
                     href=explorer_href(nodes[:EXPLORER_LINK_MAX])) if nodes else [])
    return columns, rows, elements, "", result_note(res, s.row_limit), link
