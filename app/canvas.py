"""What the cytoscape canvases share on the Dash side: the clientside callback that keeps a
canvas's node positions in a dcc.Store (app/assets/canvas.js; the explorer and the case page
use it, so the server knows where the browser drew every node, for incremental layout and a
case's saved layout), and sending a canvas only the elements it lacks."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, Patch, State, clientside_callback, no_update

from casegraph.app.pages._canvas import appended


def watch_positions(graph_id: str, store_id: str, text_id: str) -> None:
    """Register the callback: the canvas `graph_id` reports its positions to `store_id`,
    and `text_id` says how many it holds."""
    clientside_callback(ClientsideFunction("casegraph", "watch_positions"), Output(text_id, "children"),
                        Input(graph_id, "elements"), Input(store_id, "data"),
                        State(graph_id, "id"), State(store_id, "id"))


def elements_out(before: list[dict] | None, elements: list[dict]):
    """What goes to a canvas's `elements`: only the new ones (a Patch extending the list the
    browser holds) when nothing else changed, else the whole list. With the whole list,
    dash-cytoscape compares and re-applies every element it already draws. Nodes the canvas
    already drew go without a position either way: the browser knows where they are (a drag
    since the server last heard would otherwise be undone); new ones go with theirs."""
    added = appended(before, elements) if before else None
    if added is not None:
        if not added:
            return no_update
        patch = Patch()
        patch.extend(added)
        return patch
    drawn = {e["data"]["id"] for e in before or ()}
    return [{k: v for k, v in e.items() if k != "position"} if e["data"]["id"] in drawn else e for e in elements]
