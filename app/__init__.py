"""The investigator UI: a thin Dash shell (nav bar + page container) over pages in
app/pages/. The graph store and the state store are opened once per process, on first
use, cached by settings, and shared by every callback (`store()`, `state()`); a web
server worker forked from a parent opens its own (`forget`, app/server.py)."""
from __future__ import annotations

import threading
from pathlib import Path

import dash
from dash import Dash, dcc, html

from casegraph.app import forms, ids, site
from casegraph.settings import Settings

_lock = threading.Lock()
_current: Settings | None = None
_stores: dict[Settings, object] = {}
_states: dict[str, object] = {}



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
    """Close the cached graph stores and state connections (serve calls this before its
    workers start and on the way out, and so do the tests)."""
    with _lock:
        for s in _stores.values():
            s.close()
        for st in _states.values():
            st.engine.dispose()
        _stores.clear()
        _states.clear()


def discard_store() -> None:
    """Close the cached graph store after it failed (the health check): the next request
    opens a new one (an embedded server is restarted, a Neo4j or FalkorDB server that came
    back is reached again)."""
    with _lock:
        for s in _stores.values():
            try:
                s.close()
            except Exception:  # noqa: BLE001 - it failed already; closing is best effort
                pass
        _stores.clear()


def forget() -> None:
    """In a forked web server worker: drop whatever the parent process had opened without
    closing it (its sockets are the parent's); this process opens its own on first use."""
    with _lock:
        for st in _states.values():
            st.engine.dispose(close=False)
        _stores.clear()
        _states.clear()


def nav() -> html.Nav:
    """The nav bar for the logged-in user: only the pages their role may open, their name
    and role, and a logout button (a POST form carrying the session's CSRF token)."""
    from casegraph.app import auth
    user = auth.current_user()
    allowed = set(auth.allowed_paths(user))
    registered = {p["path"] for p in dash.page_registry.values()}
    links = [dcc.Link(p.name, href=p.path, className="nav-link", id=f"{ids.NAV}-{p.module}")
             for p in site.PAGES if p.path in allowed and p.path in registered]
    who = []
    if user is not None:
        who = [html.Span(f"{user['name']} ({user['role']})", id=ids.SHELL_USER, className="nav-user",
                         style={"marginLeft": "auto", "color": "#cfd8dc"}),
               html.Form([dcc.Input(type="hidden", name=auth.CSRF_FIELD, value=auth.csrf_token()),
                          html.Button("Log out", id=ids.SHELL_LOGOUT, type="submit", className="nav-logout")],
                         action="/logout", method="POST", className="nav-form", style={"margin": 0})]
    return html.Nav([html.Span("casegraph", className="brand")] + links + who, id=ids.NAV, className="nav")


def shell() -> html.Div:
    """The page shell, built per request (the nav depends on who is logged in)."""
    return forms.provider(html.Div([nav(), html.Main(dash.page_container, className="page")]))


def create_app(app_settings: Settings | None = None) -> Dash:
    """The Dash app over `app_settings` (default: Settings.load()), behind the login and
    role checks of app/auth.py. Pages register themselves when Dash imports app/pages/ on
    the first call in a process."""
    global _current
    _current = app_settings or Settings.load()
    app = Dash(__name__, use_pages=True, pages_folder=str(Path(__file__).parent / "pages"),
               suppress_callback_exceptions=True, title="casegraph", update_title=None)
    app.layout = shell
    from casegraph.app import auth, health
    auth.install(app, _current)
    health.install(app)
    return app
