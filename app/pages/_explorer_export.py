"""The explorer's picture exports (PNG and SVG) with a title and a legend. The browser draws
the canvas (cytoscape, at print resolution) and hands it to the server as the canvas's
`imageData` (a data URI): the PNG through dash-cytoscape's generateImage with action "store",
the SVG through app/assets/export.js (dash-cytoscape cannot store an SVG). The server frames
it with app/picture.py (title: the alert's or case's the explorer was opened from; subtitle:
when, by whom, how much; legend: what is shown) and sends casegraph.png / casegraph.svg.
explorer.py imports this module and puts `stores(reasons)` in its layout."""
from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import unquote_to_bytes

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html, no_update

from casegraph.app import auth, ids, picture
from casegraph.app.pages import _explorer as x
from casegraph.errors import CasegraphError
from casegraph.graph import is_node, visible
from casegraph.times import iso

DEFAULT_TITLE = "casegraph explorer"
FILE = "casegraph"


def text_of(component: Any) -> str:
    """The text a Dash component (or a string, or a list of them) shows."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return "".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def _first_h4(component: Any) -> Any:
    if isinstance(component, html.H4):
        return component
    children = getattr(component, "children", None) if not isinstance(component, (list, tuple)) else component
    for child in children if isinstance(children, (list, tuple)) else [children] if children is not None else []:
        if not isinstance(child, str) and (found := _first_h4(child)) is not None:
            return found
    return None


def title_of(reasons: Any) -> str:
    """A picture's title: the heading of the alert or case the explorer was opened from (its
    reasons panel), else DEFAULT_TITLE."""
    heading = _first_h4(reasons) if reasons is not None else None
    text = text_of(heading).strip() if heading is not None else ""
    return text or DEFAULT_TITLE


def stores(reasons: Any) -> html.Div:
    """The title (set now, from the page's reasons panel), which picture was asked for, and
    the download."""
    return html.Div([dcc.Store(id=ids.EXPLORE_TITLE, data=title_of(reasons)),
                     dcc.Store(id=ids.EXPLORE_IMAGE_KIND, data=None),
                     dcc.Download(id=ids.EXPLORE_DOWNLOAD_IMAGE)])


def decode(uri: str) -> bytes:
    """The bytes of a data URI (base64 or percent-encoded)."""
    head, sep, body = (uri or "").partition(",")
    if not head.startswith("data:") or not sep:
        raise CasegraphError("the canvas sent no picture (not a data URI)")
    if head.endswith(";base64"):
        return base64.b64decode(body)
    return unquote_to_bytes(body)


def subtitle(elements: list[dict], user: str | None, now_ms: int) -> str:
    """When (ISO 8601 UTC), by whom, and how much of the graph the picture shows."""
    n = sum(1 for e in elements if is_node(e))
    who = f" by {user}" if user else ""
    return f"exported {iso(now_ms)}{who} · {n} node(s), {len(elements) - n} edge(s)"


def picture_file(uri: str, kind: str, elements: list[dict], title: str, user: str | None,
                 now_ms: int) -> tuple[str, bytes | str]:
    """The file to send for the canvas picture `uri` of `kind` ("png" or "svg"): its name and
    the picture framed by the title, the subtitle and the legend of the visible elements."""
    shown = visible(elements)
    items, sub = picture.legend(shown), subtitle(shown, user, now_ms)
    if kind == "svg":
        return f"{FILE}.svg", picture.svg(decode(uri).decode("utf-8"), title or DEFAULT_TITLE, sub, items)
    return f"{FILE}.png", picture.png(decode(uri), title or DEFAULT_TITLE, sub, items)


# -- callbacks ------------------------------------------------------------------------------

@callback(Output(ids.EXPLORE_GRAPH, "generateImage"), Output(ids.EXPLORE_IMAGE_KIND, "data", allow_duplicate=True),
          Input(ids.EXPLORE_EXPORT_PNG, "n_clicks"), prevent_initial_call=True)
def export_png(_png):
    """The canvas draws its PNG at print resolution and stores it in its imageData."""
    return {"type": "png", "action": "store", "options": x.image_options("png")}, "png"


clientside_callback(ClientsideFunction("casegraph_export", "svg"),
                    Output(ids.EXPLORE_GRAPH, "imageData", allow_duplicate=True),
                    Output(ids.EXPLORE_IMAGE_KIND, "data", allow_duplicate=True),
                    Input(ids.EXPLORE_EXPORT_SVG, "n_clicks"), State(ids.EXPLORE_GRAPH, "id"),
                    prevent_initial_call=True)


@callback(Output(ids.EXPLORE_DOWNLOAD_IMAGE, "data"), Output(ids.EXPLORE_GRAPH, "imageData", allow_duplicate=True),
          Output(ids.EXPLORE_MESSAGE, "children", allow_duplicate=True),
          Input(ids.EXPLORE_GRAPH, "imageData"), State(ids.EXPLORE_IMAGE_KIND, "data"),
          State(ids.EXPLORE_CANVAS, "data"), State(ids.EXPLORE_TITLE, "data"), prevent_initial_call=True)
def send_picture(uri, kind, canvas, title):
    """The canvas's picture arrived: frame it and send it. The imageData is cleared (the same
    picture asked for again must arrive again, and a multi-megabyte string need not stay in
    the page)."""
    if not uri:
        return no_update, no_update, no_update
    user = (auth.current_user() or {}).get("name")
    try:
        name, content = picture_file(uri, kind or "png", x.Canvas.load(canvas).elements, title, user,
                                     time.time_ns() // 1_000_000)
    except (CasegraphError, OSError, ValueError) as e:
        return no_update, None, f"picture export failed: {e}"
    sent = dcc.send_bytes(content, name) if isinstance(content, bytes) else dcc.send_string(content, name)
    return sent, None, no_update
