"""The clientside callback that keeps a canvas's node positions in a dcc.Store
(app/assets/canvas.js): the explorer and the case page both use it, so the server knows
where the browser drew every node (for incremental layout and for a case's saved layout)."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, clientside_callback


def watch_positions(graph_id: str, store_id: str, text_id: str) -> None:
    """Register the callback: the canvas `graph_id` reports its positions to `store_id`,
    and `text_id` says how many it holds."""
    clientside_callback(ClientsideFunction("casegraph", "watch_positions"), Output(text_id, "children"),
                        Input(graph_id, "elements"), Input(store_id, "data"),
                        State(graph_id, "id"), State(store_id, "id"))
