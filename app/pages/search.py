"""Search: find any entity by account id, wallet address, device id, IP, phone, e-mail
or document id, and open it in the explorer."""
from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

import app
from app import ids
from app.pages._tables import explorer_href
from casegraph.errors import CasegraphError

dash.register_page(__name__, path="/", name="Search", title="casegraph: search")


def result_rows(hits: list[dict]) -> list:
    """Search hits -> one line each: kind, label, detail and an "open" link."""
    if not hits:
        return [html.P("nothing found", className="muted")]
    head = [html.P([f"{len(hits)} hit(s)"] + ([" · ", dcc.Link("open all in the explorer", className="search-all",
                                                               href=explorer_href([h["id"] for h in hits]))]
                                              if len(hits) > 1 else []), className="muted")]
    return head + [html.Div([
        html.Span(h["kind"], className=f"tag {h['kind']}"),
        dcc.Link(h["key"], href=explorer_href([h["id"]]), className="search-hit"),
        html.Span(h["label"] if h.get("label") and h["label"] != h["key"] else "", className="muted"),
        html.Span(h.get("detail") or "", className="muted"),
    ], className="search-row") for h in hits]


layout = html.Div([
    html.H2("Search"),
    html.P("An account id, wallet address, device id, IP, phone, e-mail or document id.", className="muted"),
    dcc.Input(id=ids.SEARCH_INPUT, type="text", placeholder="e.g. A100000001 or 0xabc…", debounce=True,
              className="wide", autoFocus=True),
    html.Button("Search", id=ids.SEARCH_BUTTON, n_clicks=0),
    html.Div(id=ids.SEARCH_MESSAGE, className="message"),
    html.Div(id=ids.SEARCH_RESULTS),
])


@callback(Output(ids.SEARCH_RESULTS, "children"), Output(ids.SEARCH_MESSAGE, "children"),
          Input(ids.SEARCH_BUTTON, "n_clicks"), Input(ids.SEARCH_INPUT, "value"),
          prevent_initial_call=True)
def run_search(_clicks, text):
    text = (text or "").strip()
    if not text:
        return [], ""
    try:
        from casegraph import explore
        return result_rows(explore.search(app.store(), text, limit=20)), ""
    except CasegraphError as e:
        return [], str(e)
