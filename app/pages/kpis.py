"""KPIs: resolution rate, time from alert to decision, second-review (QA) agreement, and
alerts and decisions per detection and per downstream domain, for a period
(casegraph.kpis, the same numbers `casegraph kpis` prints)."""
from __future__ import annotations

import dash
from dash import Input, Output, callback, dash_table, dcc, html

from casegraph import app
from casegraph.app import auth, ids, site
from casegraph import kpis
from casegraph.errors import CasegraphError

dash.register_page(__name__, **site.register(__name__))


def _table(id_: str, first: str) -> dash_table.DataTable:
    return dash_table.DataTable(id=id_, data=[], sort_action="native",
                                columns=[{"name": c, "id": c} for c in (first, *kpis.COUNTS)],
                                style_cell={"textAlign": "left"}, style_table={"overflowX": "auto"})


def layout(**_query):
    return html.Div([
        html.H2("KPIs"),
        html.Div([
            html.Label(["Since (UTC)", dcc.DatePickerSingle(id=ids.KPIS_SINCE, display_format="YYYY-MM-DD",
                                                            clearable=True, placeholder="the beginning")]),
            html.Label(["Until (UTC, inclusive)", dcc.DatePickerSingle(id=ids.KPIS_UNTIL, clearable=True,
                                                                       display_format="YYYY-MM-DD",
                                                                       placeholder="now")]),
        ], className="filters"),
        html.Div(id=ids.KPIS_MESSAGE, className="message"),
        html.Div(id=ids.KPIS_SUMMARY),
        html.H3("Per detection"), _table(ids.KPIS_DETECTIONS, "detection"),
        html.H3("Per domain"), _table(ids.KPIS_DOMAINS, "domain"),
    ])


@callback(Output(ids.KPIS_SUMMARY, "children"), Output(ids.KPIS_DETECTIONS, "data"),
          Output(ids.KPIS_DOMAINS, "data"), Output(ids.KPIS_MESSAGE, "children"),
          Input(ids.KPIS_SINCE, "date"), Input(ids.KPIS_UNTIL, "date"))
def show(since, until):
    try:
        k = kpis.view(app.state(), auth.require("view_kpis"), *kpis.period(since, until))
    except CasegraphError as e:
        return [], [], [], str(e)
    summary = html.Table([html.Tr([html.Th(label), html.Td(text, className="kpi")])
                          for label, text in kpis.headline(k)], className="props kpis")
    return summary, kpis.count_rows(k["per_detection"], "detection"), kpis.count_rows(k["per_domain"], "domain"), ""
