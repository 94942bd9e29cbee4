"""Alerts: the queue the detections fill (state store), filterable by detection,
minimum score and status; each alert opens its entities in the explorer. Selected alerts
can be closed, dismissed, reopened or assigned at once, or each opened as a case."""
from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from casegraph import app
from casegraph.app import auth, forms as f, ids, site
from casegraph.app.pages import _cases
from casegraph.app.pages._grid import NUMBER, TIME, table
from casegraph.app.pages._tables import selected_ids, selected_text, table_rows
from casegraph import cases
from casegraph.errors import CasegraphError

dash.register_page(__name__, **site.register(__name__))

STATUSES = [("open", "open"), ("in a case", "in_case"), ("closed", "closed"), ("dismissed", "dismissed"),
            ("all", "all")]
COLUMNS = ["id", "open", "detection", "score", "status", "assignee", "case", "entity_key", "reasons", "updated_at"]
LINKS = {"open": "open_href", "case": "case_href"}      # column -> the row field with its link
KINDS = {"id": NUMBER, "score": NUMBER, "updated_at": TIME}


def _detections() -> list[str]:
    from casegraph import detections
    return detections.names()


def bulk_controls(visible: bool) -> html.Div:
    return html.Div(f.row([
        f.choice(ids.ALERTS_BULK_ACTION, cases.ALERT_ACTIONS, placeholder="action", width="11em"),
        f.text(ids.ALERTS_BULK_ASSIGNEE, placeholder="assignee (assign)", width="name"),
        f.text(ids.ALERTS_BULK_REASON, placeholder="reason (close, dismiss)", width="wide"),
        f.button("Apply to the selected alerts", ids.ALERTS_BULK_APPLY),
        f.button("Open a case from each selected alert", ids.ALERTS_OPEN_CASE),
    ]), id=ids.ALERTS_BULK, style={} if visible else {"display": "none"})


def layout(**_query):
    return html.Div([
        html.H2("Alerts"),
        f.row([
            f.choice(ids.ALERTS_DETECTION, _detections(), label="Detection", placeholder="all detections",
                     width="16em"),
            f.number(ids.ALERTS_MIN_SCORE, 0, label="Min score", minimum=0, step=0.05, debounce=True,
                     width="8em"),
            f.choice(ids.ALERTS_STATUS, [(a, b) for a, b in STATUSES], "open", label="Status", clearable=False,
                     width="11em"),
        ]),
        bulk_controls(auth.may("review_alerts")),
        html.Div(id=ids.ALERTS_BULK_MESSAGE, className="message"),
        html.Div(id=ids.ALERTS_COUNT, className="muted"),
        html.Div(id=ids.ALERTS_MESSAGE, className="message"),
        dcc.Store(id=ids.ALERTS_REFRESH, data=0),
        dcc.Location(id=ids.ALERTS_GO, refresh="callback-nav"),
        html.Div(id=ids.ALERTS_SELECTED, className="muted"),
        # the boxes on the left tick alerts for the bulk buttons (the header's box: every
        # alert the grid's filters leave)
        table(ids.ALERTS_TABLE, COLUMNS, links=LINKS, kinds=KINDS, narrow=("id", "open", "score", "case"),
              wrap=("reasons",), select=True, selectedRows=[]),
    ])


@callback(Output(ids.ALERTS_TABLE, "rowData"), Output(ids.ALERTS_COUNT, "children"),
          Output(ids.ALERTS_MESSAGE, "children"),
          Input(ids.ALERTS_DETECTION, "value"), Input(ids.ALERTS_MIN_SCORE, "value"),
          Input(ids.ALERTS_STATUS, "value"), Input(ids.ALERTS_REFRESH, "data"))
def load_alerts(detection, min_score, status, _refresh):
    try:
        auth.require("view_alerts")
        found = app.state().list_alerts(detection or None, None if status == "all" else status,
                                        float(f.number_or_none(min_score) or 0.0))
    except CasegraphError as e:
        return [], "", str(e)
    return table_rows(found), f"{len(found)} alert(s)", ""


@callback(Output(ids.ALERTS_SELECTED, "children"), Input(ids.ALERTS_TABLE, "selectedRows"))
def show_selected(rows):
    return selected_text(rows)


@callback(Output(ids.ALERTS_BULK_MESSAGE, "children"), Output(ids.ALERTS_REFRESH, "data"),
          Output(ids.ALERTS_TABLE, "selectedRows"), Output(ids.ALERTS_GO, "href"),
          Input(ids.ALERTS_BULK_APPLY, "n_clicks"), Input(ids.ALERTS_OPEN_CASE, "n_clicks"),
          State(ids.ALERTS_TABLE, "selectedRows"), State(ids.ALERTS_BULK_ACTION, "value"),
          State(ids.ALERTS_BULK_ASSIGNEE, "value"), State(ids.ALERTS_BULK_REASON, "value"),
          State(ids.ALERTS_REFRESH, "data"), prevent_initial_call=True)
def bulk(_apply, _open, selected, action, assignee, reason, refresh):
    """A bulk action on the selected alerts, or a case from each (then the case opens)."""
    chosen = selected_ids(selected)
    if not chosen:
        return "select alerts first (the boxes on the left)", no_update, no_update, no_update
    try:
        if ctx.triggered_id == ids.ALERTS_OPEN_CASE:
            user = auth.require("change_case")
            made = [cases.case_from_alert(app.state(), app.store(), user, a) for a in chosen]
            go = _cases.case_href(made[0]) if len(made) == 1 else "/cases"
            return f"opened case(s) {', '.join(f'#{c}' for c in made)}", (refresh or 0) + 1, [], go
        if not action:
            return "pick an action", no_update, no_update, no_update
        user = auth.require("review_alerts")
        done = cases.bulk_alerts(app.state(), user, chosen, action, assignee=(assignee or "").strip() or None,
                                 reason=(reason or "").strip())
    except CasegraphError as e:
        return str(e), no_update, no_update, no_update
    return _cases.bulk_message(done), (refresh or 0) + 1, [], no_update
