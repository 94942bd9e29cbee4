"""Audit (admins): the append-only audit log, newest first, filtered by time, actor and
action; whether its hash chain is intact; and the whole log as a download (JSON lines or
CSV, with the hashes, like `casegraph audit export`), itself recorded in the log."""
from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from casegraph import app
from casegraph.app import auth, forms as f, ids, site
from casegraph.app.pages._audit import chain_text, count_text, rows_of, since_ms
from casegraph.app.pages._grid import NUMBER, TIME, table
from casegraph import audit, cases
from casegraph.errors import CasegraphError

dash.register_page(__name__, **site.register(__name__))

COLUMNS = ["id", "at", "actor", "action", "details"]
LIMITS = (100, 500, 2000)
auth.protect(ids.AUDIT_EXPORT, "export_audit")


def layout(**_query):
    """The page; the hash chain is checked once, here, as the page loads (not per filter)."""
    try:
        state = app.state()
        actors, actions = audit.known(state, "actor"), audit.known(state, "action")
        chain, intact = chain_text(audit.check(state), cases.check_against_audit(state))
    except CasegraphError as e:
        actors, actions, chain, intact = [], [], str(e), False
    export = [] if not auth.may("export_audit") else [
        f.choice(ids.AUDIT_FORMAT, audit.EXPORT_FORMATS, "jsonl", clearable=False, searchable=False, width="8em"),
        f.button("Export the whole log", ids.AUDIT_EXPORT),
        dcc.Download(id=ids.AUDIT_DOWNLOAD)]
    return html.Div([
        html.H2("Audit log"),
        html.P(chain, id=ids.AUDIT_CHAIN, className="chain-ok" if intact else "message"),
        f.row([
            f.text(ids.AUDIT_SINCE, label="Since (UTC)", placeholder="2026-01-31", debounce=True, width="when"),
            f.choice(ids.AUDIT_ACTOR, actors, label="Actor", placeholder="everyone", width="14em"),
            f.choice(ids.AUDIT_ACTION, actions, label="Action", placeholder="every action", width="16em"),
            f.choice(ids.AUDIT_LIMIT, LIMITS, LIMITS[0], label="Show", clearable=False, searchable=False,
                     width="8em"),
        ]),
        f.row(export),
        html.Div(id=ids.AUDIT_COUNT, className="muted"),
        html.Div(id=ids.AUDIT_MESSAGE, className="message"),
        # details are compact JSON: shown whole, over several lines
        table(ids.AUDIT_TABLE, COLUMNS, kinds={"id": NUMBER, "at": TIME}, narrow=("id",), wrap=("details",)),
    ])


@callback(Output(ids.AUDIT_TABLE, "rowData"), Output(ids.AUDIT_COUNT, "children"), Output(ids.AUDIT_MESSAGE, "children"),
          Input(ids.AUDIT_SINCE, "value"), Input(ids.AUDIT_ACTOR, "value"), Input(ids.AUDIT_ACTION, "value"),
          Input(ids.AUDIT_LIMIT, "value"))
def show(since, actor, action, limit):
    """The newest entries that match the filters, newest first."""
    try:
        auth.require("view_audit")
        state = app.state()
        where = {"since": since_ms(since), "actor": actor or None, "action": action or None}
        found = audit.entries(state, **where, limit=int(limit or LIMITS[0]), newest_first=True)
        total = audit.count(state, **where)
    except CasegraphError as e:
        return [], "", str(e)
    return rows_of(found), count_text(total, len(found)), ""


@callback(Output(ids.AUDIT_DOWNLOAD, "data"), Output(ids.AUDIT_MESSAGE, "children", allow_duplicate=True),
          Input(ids.AUDIT_EXPORT, "n_clicks"), State(ids.AUDIT_FORMAT, "value"), prevent_initial_call=True)
def export(_clicks, fmt):
    try:
        text = audit.export_for(app.state(), auth.require("export_audit"), fmt or "jsonl")
    except CasegraphError as e:
        return no_update, str(e)
    return dcc.send_string(text, f"casegraph-audit.{fmt}"), ""
