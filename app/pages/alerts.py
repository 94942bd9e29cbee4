"""Alerts: the queue the detections fill (state store), filterable by detection,
minimum score and status; each alert opens its entities in the explorer."""
from __future__ import annotations

import dash
from dash import Input, Output, callback, dash_table, dcc, html

import app
from app import ids
from app.pages._tables import table_rows
from casegraph.errors import CasegraphError

dash.register_page(__name__, path="/alerts", name="Alerts", title="casegraph: alerts")

STATUSES = [("open", "open"), ("closed", "closed"), ("all", "all")]
COLUMNS = ["id", "open", "detection", "score", "status", "entity_key", "reasons", "updated_at"]


def _detections() -> list[str]:
    from casegraph import detections
    return detections.names()


def layout(**_query):
    return html.Div([
        html.H2("Alerts"),
        html.Div([
            html.Label(["Detection", dcc.Dropdown(id=ids.ALERTS_DETECTION, options=_detections(),
                                                  placeholder="all detections", clearable=True)]),
            html.Label(["Min score", dcc.Input(id=ids.ALERTS_MIN_SCORE, type="number", value=0, min=0,
                                               step=0.05, debounce=True)]),
            html.Label(["Status", dcc.Dropdown(id=ids.ALERTS_STATUS, value="open", clearable=False,
                                               options=[{"label": a, "value": b} for a, b in STATUSES])]),
        ], className="filters"),
        html.Div(id=ids.ALERTS_COUNT, className="muted"),
        html.Div(id=ids.ALERTS_MESSAGE, className="message"),
        dash_table.DataTable(
            id=ids.ALERTS_TABLE, data=[], page_size=25, sort_action="native", filter_action="native",
            columns=[{"name": c, "id": c, **({"presentation": "markdown"} if c == "open" else {})}
                     for c in COLUMNS],
            markdown_options={"link_target": "_self"},
            style_cell={"textAlign": "left", "whiteSpace": "normal", "height": "auto", "maxWidth": "520px"},
            style_table={"overflowX": "auto"}),
    ])


@callback(Output(ids.ALERTS_TABLE, "data"), Output(ids.ALERTS_COUNT, "children"),
          Output(ids.ALERTS_MESSAGE, "children"),
          Input(ids.ALERTS_DETECTION, "value"), Input(ids.ALERTS_MIN_SCORE, "value"),
          Input(ids.ALERTS_STATUS, "value"))
def load_alerts(detection, min_score, status):
    try:
        found = app.state().list_alerts(detection or None, None if status == "all" else status,
                                        float(min_score or 0.0))
    except CasegraphError as e:
        return [], "", str(e)
    return table_rows(found), f"{len(found)} alert(s)", ""
