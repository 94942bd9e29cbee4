"""KPIs: resolution rate, time from alert to decision, second-review (QA) agreement, and
alerts and decisions per detection and per downstream domain, for a period, and for roles
that see law-enforcement requests the desk's (received, responded, time to respond, overdue,
per agency and country): casegraph.kpis, the same numbers `casegraph kpis` prints."""
from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from casegraph import app
from casegraph.app import auth, forms as f, ids, site
from casegraph.app.pages._grid import NUMBER, table
from casegraph import kpis
from casegraph.errors import CasegraphError

dash.register_page(__name__, **site.register(__name__))


def _table(id_: str, first: str, counts: tuple[str, ...] = kpis.COUNTS):
    """A count table: `first` names the row (detection, domain, agency, country), the counts
    are numbers (sorted as numbers); as tall as its rows."""
    return table(id_, [first, *counts], kinds=dict.fromkeys(counts, NUMBER), height=None)


def layout(**_query):
    return html.Div([
        html.H2("KPIs"),
        f.row([f.date(ids.KPIS_SINCE, label="Since (UTC)", placeholder="the beginning"),
               f.date(ids.KPIS_UNTIL, label="Until (UTC, inclusive)", placeholder="now")]),
        html.Div(id=ids.KPIS_MESSAGE, className="message"),
        html.Div(id=ids.KPIS_SUMMARY),
        html.H3("Per detection"), _table(ids.KPIS_DETECTIONS, "detection"),
        html.H3("Per domain"), _table(ids.KPIS_DOMAINS, "domain"),
        html.Div([
            html.H3("Law-enforcement requests"),
            html.P("Received and responded in the period; time to respond from receipt to response; overdue: "
                   "received in the period, past the deadline and not answered now (docs/le-desk.md).",
                   className="muted"),
            html.Div(id=ids.KPIS_DESK_SUMMARY),
            html.H4("Per agency"), _table(ids.KPIS_DESK_AGENCIES, "agency", kpis.DESK_COUNTS),
            html.H4("Per country"), _table(ids.KPIS_DESK_COUNTRIES, "country", kpis.DESK_COUNTS),
        ], id=ids.KPIS_DESK, style={} if auth.may("view_requests") else {"display": "none"}),
    ])


@callback(Output(ids.KPIS_SUMMARY, "children"), Output(ids.KPIS_DETECTIONS, "rowData"),
          Output(ids.KPIS_DOMAINS, "rowData"), Output(ids.KPIS_MESSAGE, "children"),
          Input(ids.KPIS_SINCE, "value"), Input(ids.KPIS_UNTIL, "value"))
def show(since, until):
    try:
        k = kpis.view(app.state(), auth.require("view_kpis"), *kpis.period(since, until))
    except CasegraphError as e:
        return [], [], [], str(e)
    return (_summary(kpis.headline(k)), kpis.count_rows(k["per_detection"], "detection"),
            kpis.count_rows(k["per_domain"], "domain"), "")


def _summary(items: list[tuple[str, str]]) -> html.Table:
    return html.Table([html.Tr([html.Th(label), html.Td(text, className="kpi")]) for label, text in items],
                      className="props kpis")


@callback(Output(ids.KPIS_DESK_SUMMARY, "children"), Output(ids.KPIS_DESK_AGENCIES, "rowData"),
          Output(ids.KPIS_DESK_COUNTRIES, "rowData"), Input(ids.KPIS_SINCE, "value"), Input(ids.KPIS_UNTIL, "value"))
def show_desk(since, until):
    """The desk's KPIs, for roles that see the requests (the others see nothing of them)."""
    try:
        auth.require("view_kpis")
        auth.require("view_requests")
        k = kpis.desk(app.state(), *kpis.period(since, until))
    except CasegraphError as e:
        return html.P(str(e), className="message"), [], []
    return (_summary(kpis.desk_headline(k)), kpis.count_rows(k["per_agency"], "agency", kpis.DESK_COUNTS),
            kpis.count_rows(k["per_country"], "country", kpis.DESK_COUNTS))
