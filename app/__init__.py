"""The investigator UI: a thin Dash shell (nav bar + page container) over pages in
app/pages/. The graph store and the state store are opened once per process, cached
by settings, and shared by every callback (`store()`, `state()`)."""
from __future__ import annotations

import threading
from pathlib import Path

import dash
from dash import Dash, dcc, html

from app import ids
from casegraph.settings import Settings

_lock = threading.Lock()
_current: Settings | None = None
_stores: dict[Settings, object] = {}
_states: dict[str, object] = {}

PAGES = [("Search", "/"), ("Explorer", "/explorer"), ("Alerts", "/alerts"), ("Saved queries", "/queries")]


def settings() -> Settings:
    """The settings the running app was created with."""
    if _current is None:
        raise RuntimeError("create_app(settings) has not been called")
    return _current


def store():
    """The graph store for the app's settings, opened on first use and kept."""
    s = settings()
    with _lock:
        if s not in _stores:
            from casegraph.store import open_store
            _stores[s] = open_store(s)
        return _stores[s]


def state():
    """The application-state store (alerts) for the app's settings."""
    url = settings().state_url()
    with _lock:
        if url not in _states:
            from casegraph.state import open_state
            _states[url] = open_state(url)
        return _states[url]


def close() -> None:
    """Close the cached graph stores (serve and the tests call this on the way out)."""
    with _lock:
        for s in _stores.values():
            s.close()
        _stores.clear()
        _states.clear()


def create_app(app_settings: Settings | None = None) -> Dash:
    """The Dash app over `app_settings` (default: Settings.load()). Pages register
    themselves when Dash imports app/pages/ on the first call in a process."""
    global _current
    _current = app_settings or Settings.load()
    app = Dash(__name__, use_pages=True, pages_folder=str(Path(__file__).parent / "pages"),
               suppress_callback_exceptions=True, title="casegraph", update_title=None)
    app.layout = html.Div([
        html.Nav([html.Span("casegraph", className="brand")]
                 + [dcc.Link(name, href=path, className="nav-link", id=f"{ids.NAV}-{path.strip('/') or 'search'}")
                    for name, path in PAGES], id=ids.NAV, className="nav"),
        html.Main(dash.page_container, className="page"),
    ])
    return app
