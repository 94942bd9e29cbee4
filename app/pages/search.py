"""Search: find any entity by account id, wallet address, device id, IP, phone, e-mail
or document id, and open it in the explorer, or open a case from the hits."""
from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from casegraph import app, freezes
from casegraph.app import auth, forms as f, ids, site
from casegraph.app.pages import _cases
from casegraph.app.pages._grid import fit_height, hit_columns, hit_rows, results_grid
from casegraph.app.pages._tables import explorer_href, hits_count, shown
from casegraph.errors import CasegraphError

LIMIT = 20                 # hits per page; "more" asks for the next page

dash.register_page(__name__, **site.register(__name__))


def result_rows(hits: list[dict], more: bool = False, frozen: set[str] = frozenset()) -> list:
    """Search hits -> the count (with "open all in the explorer") and a grid of them, one row
    each: kind, the key linking to the explorer, label, detail, "frozen" on those in `frozen`
    (an active freeze order); with `more`, the count says so ("20+ hits") and the "more"
    button below the grid shows the next page."""
    if not hits:
        return [html.P("nothing found", className="muted")]
    head = [html.P([hits_count(len(hits), more)] + ([" · ", dcc.Link("open all in the explorer", className="search-all",
                                               href=explorer_href([h["id"] for h in hits]))]
                              if len(hits) > 1 else []), className="muted")]
    return head + [results_grid(ids.SEARCH_GRID, height=fit_height(len(hits)), columnDefs=hit_columns(),
                                rowData=hit_rows(hits, frozen))]


def layout(**_query):
    return html.Div([
        html.H2("Search"),
        html.P("An account id, wallet address, device id, IP, phone, e-mail or document id.", className="muted"),
        f.row([f.text(ids.SEARCH_INPUT, placeholder="e.g. A100000001 or 0xabc…", debounce=True, width="wide",
                      inputProps={"autoFocus": True}),
               f.button("Search", ids.SEARCH_BUTTON, kind="primary")]),
        html.Div(id=ids.SEARCH_MESSAGE, className="message"),
        html.Div(id=ids.SEARCH_RESULTS),
        f.button(f"{LIMIT} more", ids.SEARCH_MORE, style={"display": "none"}),
        f.button("New case from these hits", ids.SEARCH_NEW_CASE,
                 style={} if auth.may("change_case") else {"display": "none"}),
        dcc.Store(id=ids.SEARCH_HITS, data=None),
        dcc.Location(id=ids.SEARCH_GO, refresh="callback-nav"),
    ])


def _find(text: str, limit: int):
    """(results, message, hits store, "more" button style) for `text` with `limit` hits shown."""
    text = (text or "").strip()
    hidden = {"display": "none"}
    if not text:
        return [], "", None, hidden
    from casegraph import explore
    limit = min(limit, explore.SEARCH_LIMIT_MAX - 1)
    try:
        auth.require("view_graph")
        hits, more = shown(explore.search(app.store(), text, limit=limit + 1), limit)
        frozen = freezes.frozen_targets(app.state(), [h["id"] for h in hits])
    except CasegraphError as e:
        return [], str(e), None, hidden
    last = limit >= explore.SEARCH_LIMIT_MAX - 1
    message = f"the first {limit} hits are shown: type more of the key to narrow the search" if more and last else ""
    return (result_rows(hits, more, frozen), message, {"text": text, "hits": hits, "limit": limit},
            {} if more and not last else hidden)


@callback(Output(ids.SEARCH_RESULTS, "children"), Output(ids.SEARCH_MESSAGE, "children"),
          Output(ids.SEARCH_HITS, "data"), Output(ids.SEARCH_MORE, "style"),
          Input(ids.SEARCH_BUTTON, "n_clicks"), Input(ids.SEARCH_INPUT, "value"),
          prevent_initial_call=True)
def run_search(_clicks, text):
    return _find(text, LIMIT)


@callback(Output(ids.SEARCH_RESULTS, "children", allow_duplicate=True),
          Output(ids.SEARCH_MESSAGE, "children", allow_duplicate=True),
          Output(ids.SEARCH_HITS, "data", allow_duplicate=True), Output(ids.SEARCH_MORE, "style", allow_duplicate=True),
          Input(ids.SEARCH_MORE, "n_clicks"), State(ids.SEARCH_HITS, "data"), prevent_initial_call=True)
def more_hits(_n, found):
    """The same search with the next page of hits added (search caps one ask at its maximum)."""
    if not found:
        return no_update, no_update, no_update, no_update
    return _find(found["text"], found.get("limit", LIMIT) + LIMIT)


@callback(Output(ids.SEARCH_MESSAGE, "children", allow_duplicate=True), Output(ids.SEARCH_GO, "href"),
          Input(ids.SEARCH_NEW_CASE, "n_clicks"), State(ids.SEARCH_HITS, "data"), prevent_initial_call=True)
def new_case(_n, found):
    """A case holding every hit shown and what links them, each hit with the search template
    that found it; a model-team group found alone is reviewed as a case of the group and its
    members."""
    if not found or not found.get("hits"):
        return "search first: the case is made from the hits shown", no_update
    from casegraph import cases
    try:
        user = auth.require("change_case")
        state = app.state()
        group = _cases.model_group(found["hits"])
        if group is not None:
            case_id = cases.case_from_group(state, app.store(), user, group)
            return f"opened case #{case_id}", _cases.case_href(case_id)
        case_id = cases.create_case(state, user, f"Search: {found['text']}", [],
                                    {"query": "search", "params": {"text": found["text"]}}, source="search")
        for provenance, node_ids in _cases.search_groups(found["text"], found["hits"], LIMIT):
            cases.add_entities(state, app.store(), user, case_id, node_ids, provenance)
    except CasegraphError as e:
        return str(e), no_update
    return f"opened case #{case_id}", _cases.case_href(case_id)
