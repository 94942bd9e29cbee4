"""Evidence: a law-enforcement request about a subject (an account or a wallet) and a
period -> the evidence package casegraph.evidence builds (as `casegraph export subject`
does), downloaded, with its SHA-256, files and limits shown. For roles with
export_evidence; the core checks the actor again and records evidence.export.
`/evidence?subject=Account:A1` fills the subject in (the explorer links it)."""
from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from casegraph import app
from casegraph.app import auth, forms as f, ids, site
from casegraph.app.pages import _evidence as v
from casegraph.errors import CasegraphError

dash.register_page(__name__, **site.register(__name__))


def layout(subject=None, **_query):
    kind, text = v.prefill(subject)
    return html.Div([
        html.H2("Evidence package about a subject"),
        html.P("An account or a wallet, and what the graph holds about it in a period [since, until): "
               "identifiers, linked accounts, money movements with counterparties, watchlist listings and "
               "scam reports (docs/evidence.md). Dates are ISO 8601, UTC.", className="muted"),
        f.row([f.segments(ids.EVIDENCE_KIND, v.KINDS, kind),
               f.text(ids.EVIDENCE_SUBJECT, text, width="32em",
                      placeholder="account id or wallet address (or Account:<id>, Wallet:<address>)")]),
        f.row([f.text(ids.EVIDENCE_SINCE, label="since", placeholder="2024-01-01", width="when"),
               f.text(ids.EVIDENCE_UNTIL, label="until (exclusive)", placeholder="2025-01-01", width="when")]),
        f.row([f.text(ids.EVIDENCE_REF, placeholder="request reference", width="name"),
               f.text(ids.EVIDENCE_AGENCY, placeholder="requesting agency", width="name"),
               f.checks(ids.EVIDENCE_MASK, [("mask personal data", "mask")]),
               f.button("Build package", ids.EVIDENCE_BUILD, kind="primary")]),
        dcc.Loading(html.Div([html.Div(id=ids.EVIDENCE_MESSAGE, className="message"),
                              html.Div(id=ids.EVIDENCE_RESULT)])),
        dcc.Download(id=ids.EVIDENCE_DOWNLOAD),
    ])


@callback(Output(ids.EVIDENCE_DOWNLOAD, "data"), Output(ids.EVIDENCE_RESULT, "children"),
          Output(ids.EVIDENCE_MESSAGE, "children"),
          Input(ids.EVIDENCE_BUILD, "n_clicks"), State(ids.EVIDENCE_KIND, "value"),
          State(ids.EVIDENCE_SUBJECT, "value"), State(ids.EVIDENCE_SINCE, "value"),
          State(ids.EVIDENCE_UNTIL, "value"), State(ids.EVIDENCE_REF, "value"),
          State(ids.EVIDENCE_AGENCY, "value"), State(ids.EVIDENCE_MASK, "value"), prevent_initial_call=True)
def build(_n, kind, subject, since, until, ref, agency, mask):
    """Build the package as the logged-in user into the UI's export folder and send it."""
    from casegraph import evidence as ev
    try:
        user = auth.require("export_evidence")
        subject_id = v.subject_id(kind, subject)
        since_ms, until_ms = v.period(since, until)
        built = ev.build_subject_package(app.state(), app.store(), user, subject_id, since_ms=since_ms,
                                         until_ms=until_ms, request_ref=(ref or "").strip(),
                                         agency=(agency or "").strip(), mask=bool(mask), settings=app.settings(),
                                         out_dir=v.export_dir(app.settings()))
    except CasegraphError as e:
        return no_update, [], str(e)
    data, shown = v.sent(built)
    return data, shown, ""
