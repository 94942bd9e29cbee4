"""Login, sessions, CSRF protection and role enforcement for the UI, on the server.

- Login checks the argon2id hash (casegraph.users); failed logins slow further attempts down
  (casegraph.logins: counted atomically in the state store, per name and client address,
  a back-off of at most a minute rather than a lock-out).
- Sessions are Flask's signed cookie (HttpOnly, SameSite=Lax, Secure over https) keyed by
  settings.secret_key, or by a random key generated once into a file next to the state
  store, so every process on that state shares it. A session holds the user's name, the
  login time, the last request's time and a CSRF token. It ends after
  settings.session_minutes without a request, and MAX_SESSION_HOURS after login; the user
  is re-read from the state store on every request, so a disabled user is out at once.
- CSRF: every POST carries the session's token, in the form (login, logout) or in the
  X-CSRFToken header, which dash-renderer copies from the `_csrf_token` cookie on every
  callback (double submit: the cookie must match the signed session); a cross-site
  Origin or Referer is refused too.
- Roles: each page needs one action and each component id belongs to a page by its
  prefix, both declared in app/site.py (PAGE_ACTIONS by path, PREFIX_ACTIONS by prefix). Before a callback runs, the callback
  the server has registered under the request's `output` is looked up, and every id it
  reads or writes must be allowed to the user's role; a trigger that needs more (the
  ad-hoc Cypher button) is declared with `protect(id, action)`. Callbacks also call
  `require(action)`, and the core re-checks with the actor.
"""
from __future__ import annotations

import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, g, has_request_context, jsonify, redirect, render_template_string, request, session
from flask.sessions import SecureCookieSessionInterface

from casegraph import audit, logins, permissions, users
from casegraph.app import site
from casegraph.errors import PermissionDenied
from casegraph.settings import Settings

MAX_SESSION_HOURS = 12
SEEN_EVERY_S = 30                    # the last-seen time is rewritten at most this often
CSRF_COOKIE = "_csrf_token"          # dash-renderer's default csrf_token_name
CSRF_HEADER = "X-CSRFToken"          # dash-renderer's default csrf_header_name
CSRF_FIELD = "csrf_token"            # the hidden field of the login and logout forms
SESSION_ID = "sid"                   # the session's id in the cookie (casegraph.logins keeps its hash)
KEY_FILE = "casegraph-ui-secret.key"

# path -> the action its page needs; component-id prefix -> the same (None: any logged-in
# user: the shell and Dash's page router, whose page layouts are guarded by `guard_layout`)
PAGE_ACTIONS: dict[str, str] = site.page_actions()
PREFIX_ACTIONS: dict[str, str | None] = site.prefix_actions()
# component id -> the action a callback it triggers needs on top of its page's (see protect)
TRIGGER_ACTIONS: dict[str, str] = {}

_PUBLIC = ("/login", "/_favicon.ico", "/healthz")      # /healthz: app/health.py, for load balancers
# Dash's own JavaScript bundles are library code anyone can fetch: no session lookup for them
_PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_WHY = {
    "idle": "Your session ended after {minutes} minutes without activity; log in again.",
    "expired": f"Sessions last at most {MAX_SESSION_HOURS} hours; log in again.",
    "disabled": "Your user is disabled or no longer exists.",
    "logout": "You are logged out.",
    "ended": "Your session has ended; log in again.",
}


class Refused(Exception):
    """A request the guard turns away (status and message for the response)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def protect(component_id: str, action: str) -> str:
    """Declare that callbacks triggered by `component_id` need `action` on top of their
    page's action (refused with 403 before the callback runs). Returns the id."""
    permissions.allowed("admin", action)      # an unknown action is an error here, not at request time
    TRIGGER_ACTIONS[component_id] = action
    return component_id


def now_ms() -> int:
    return int(time.time() * 1000)


# -- the key that signs sessions ---------------------------------------------------------------

def secret_key(settings: Settings) -> str:
    """settings.secret_key, or the generated key (created once next to a SQLite state file,
    mode 0600, or in a PostgreSQL state store: every app instance on the state shares it)."""
    from casegraph.state import shared_key
    return settings.secret_key or shared_key(settings, KEY_FILE, "UI key")


def _https() -> bool:
    return request.is_secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, Secure whenever the request came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and _https())


# -- who is logged in ---------------------------------------------------------------------------

def current_user() -> dict[str, Any] | None:
    """The logged-in user of this request (re-read from the state store), or None."""
    if not has_request_context():
        return None
    return g.get("casegraph_user")


def require(action: str) -> dict[str, Any]:
    """The logged-in user when their role may do `action`; else PermissionDenied."""
    user = current_user()
    if user is None:
        raise PermissionDenied(f"log in first (needed: {action})")
    permissions.require(user, action)
    return user


def may(action: str) -> bool:
    """Whether the logged-in user may do `action` (for showing controls; never protection)."""
    user = current_user()
    return user is not None and not user.get("disabled") and permissions.allowed(user["role"], action)


def csrf_token() -> str:
    """The session's CSRF token, created when missing."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def _state():
    from casegraph import app as ui
    return ui.state()


def _end(reason: str) -> None:
    """End the session (recorded as a logout with its reason)."""
    name = session.get("user")
    logins.end_session(_state(), session.get(SESSION_ID))
    session.clear()
    if name:
        audit.record(_state(), name, "logout", {"reason": reason, "ip": request.remote_addr})
    g.casegraph_why = reason


def _session_user(settings: Settings) -> dict[str, Any] | None:
    """The session's user after the expiry and disabled checks (ending the session if one fails)."""
    name = session.get("user")
    if not name:
        return None
    if not logins.session_active(_state(), session.get(SESSION_ID), name):
        session.clear()         # ended elsewhere (logged out): a copy of the cookie is worth nothing
        g.casegraph_why = "ended"
        return None
    now = now_ms()
    if now - int(session.get("seen_at", 0)) > settings.session_minutes * 60_000:
        _end("idle")
        return None
    if now - int(session.get("login_at", 0)) > MAX_SESSION_HOURS * 3_600_000:
        _end("expired")
        return None
    user = users.get_user(_state(), name)
    if user is None or user["disabled"]:
        _end("disabled")
        return None
    if now - int(session["seen_at"]) > SEEN_EVERY_S * 1000:
        session["seen_at"] = now
    return user


# -- the guard ----------------------------------------------------------------------------------

def _is_api(path: str) -> bool:
    return path.startswith("/_")          # /_dash-layout, /_dash-update-component, /_dash-component-suites/...


def _check_csrf() -> None:
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    expected = session.get(CSRF_FIELD) or ""
    if not expected or not hmac.compare_digest(sent, expected):
        raise Refused(403, "missing or wrong CSRF token; reload the page")
    for header in ("Origin", "Referer"):
        value = request.headers.get(header)
        if value and value != "null":
            if urlsplit(value).netloc != request.host:
                raise Refused(403, f"cross-site request refused ({header} {urlsplit(value).netloc})")
            break


def _id_name(component_id: Any) -> str:
    """A component id's name: the id itself, or a pattern-matching id's "type"."""
    if isinstance(component_id, dict):
        return str(component_id.get("type", ""))
    if isinstance(component_id, str) and component_id.startswith("{"):
        try:
            return _id_name(json.loads(component_id))
        except ValueError:
            return component_id
    return str(component_id)


def action_of(component_id: Any) -> str | None:
    """The action the page owning `component_id` needs (None: any logged-in user).
    An id of no known page is refused: new pages declare their prefix in app/site.py."""
    name = _id_name(component_id)
    for prefix, action in PREFIX_ACTIONS.items():
        if name.startswith(prefix):
            return action
    raise Refused(403, f"component {name!r} belongs to no page casegraph knows")


def callback_actions(callback_map: dict[str, Any], body: dict[str, Any]) -> set[str]:
    """Every action the callback a Dash request names needs: the page actions of the ids
    it was registered with (from the server's own callback map, not the request), and
    the actions protect() declared for what triggered it."""
    output = body.get("output")
    cb = callback_map.get(output) if isinstance(output, str) else None
    if cb is None:
        raise Refused(400, "unknown callback")
    names: list[Any] = []
    if not cb.get("no_output"):
        from dash._utils import split_callback_id
        parts = split_callback_id(output)
        names += [p["id"] for p in (parts if isinstance(parts, list) else [parts])]
    names += [d["id"] for d in list(cb.get("inputs") or []) + list(cb.get("state") or [])]
    actions = {a for a in (action_of(n) for n in names) if a}
    for prop in body.get("changedPropIds") or []:
        trigger = _id_name(str(prop).rsplit(".", 1)[0])
        if trigger in TRIGGER_ACTIONS:
            actions.add(TRIGGER_ACTIONS[trigger])
    return actions


def _check_callback(dash_app, user: dict[str, Any]) -> None:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused(400, "a callback request needs a JSON body")
    for action in sorted(callback_actions(dash_app.callback_map, body)):
        if not permissions.allowed(user["role"], action):
            raise Refused(403, f"role {user['role']!r} may not {action} (user {user['name']!r})")


def _login_url(why: str | None = None) -> str:
    target = request.full_path.rstrip("?") if request.method == "GET" else "/"
    query = {"next": target} if target not in ("/", "") else {}
    if why:
        query["why"] = why
    return "/login" + ("?" + urlencode(query) if query else "")


def _public_file(path: str) -> bool:
    """A stylesheet or script anyone may fetch: a plain file name under /assets/, or a Dash
    bundle path without empty or parent segments. Anything else under these prefixes (e.g.
    `/assets//etc/passwd`, which Dash answered with the app shell) needs a login."""
    if not path.startswith(_PUBLIC_PREFIXES):
        return False
    rest = path.split("/", 2)[2]
    parts = rest.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return False
    return len(parts) == 1 if path.startswith("/assets/") else True


def _guard(dash_app, settings: Settings):
    path = request.path
    g.casegraph_user = None
    if path in _PUBLIC or _public_file(path):
        return None
    try:
        user = _session_user(settings)
        if user is None:
            why = g.get("casegraph_why")
            if _is_api(path):
                raise Refused(401, "not logged in" + (f" ({why})" if why else ""))
            return redirect(_login_url(why))
        g.casegraph_user = user
        if request.method not in _SAFE_METHODS:
            _check_csrf()
        if path.endswith("/_dash-update-component"):
            _check_callback(dash_app, user)
    except Refused as e:
        return jsonify(error=str(e)), e.status
    return None


_CSP: dict[str, str] = {}


def content_security_policy(dash_app) -> str:
    """The Content-Security-Policy every response carries: scripts from this server only, plus
    Dash's own inline renderer script by its hash (Dash.csp_hashes); inline styles allowed
    (React and the grid and graph libraries set them); images also from data: and blob:
    (the graph's PNG and SVG exports); no framing, no plugins, forms and links back here only."""
    if "value" not in _CSP:
        scripts = " ".join(["'self'", *dash_app.csp_hashes()])
        _CSP["value"] = "; ".join([
            "default-src 'self'", f"script-src {scripts}", "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'",
            "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"])
    return _CSP["value"]


def _security_headers(dash_app, response):
    response.headers.setdefault("Content-Security-Policy", content_security_policy(dash_app))
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _set_csrf_cookie(response):
    token = session.get(CSRF_FIELD)
    if token and request.cookies.get(CSRF_COOKIE) != token:
        # readable by the page's script (dash-renderer sends it back as X-CSRFToken)
        response.set_cookie(CSRF_COOKIE, token, httponly=False, samesite="Strict", secure=_https(), path="/")
    return response


# -- login and logout ---------------------------------------------------------------------------

LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>casegraph: log in</title>
<link rel="stylesheet" href="/assets/casegraph.css"></head>
<body><nav class="nav"><span class="brand">casegraph</span></nav>
<main class="page login">
<h2>Log in</h2>
{% if note %}<p class="muted" id="login-note">{{ note }}</p>{% endif %}
{% if error %}<p class="message" id="login-error">{{ error }}</p>{% endif %}
<form method="post" action="/login" id="login-form" autocomplete="on">
<input type="hidden" name="csrf_token" value="{{ token }}">
<input type="hidden" name="next" value="{{ next }}">
<p><label>User name<br><input id="login-name" name="username" value="{{ name }}" autofocus required></label></p>
<p><label>Password<br><input id="login-password" name="password" type="password" required></label></p>
<p><button id="login-submit" type="submit">Log in</button></p>
</form></main></body></html>"""


def safe_next(target: str | None) -> str:
    """A local path to go back to after login; anything else (another site) is "/"."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def _login_form(settings: Settings, *, error: str = "", name: str = "", status: int = 200):
    why = request.args.get("why", "")
    note = _WHY.get(why, "").format(minutes=settings.session_minutes)
    return render_template_string(LOGIN_PAGE, token=csrf_token(), next=safe_next(request.values.get("next")),
                                  error=error, note=note, name=name), status


def _login(settings: Settings):
    if request.method == "GET":
        if current_user() is not None or _session_user(settings) is not None:
            return redirect(safe_next(request.args.get("next")))
        return _login_form(settings)
    try:
        _check_csrf()
    except Refused as e:
        return jsonify(error=str(e)), e.status
    name = (request.form.get("username") or "").strip()[:128]
    address = (request.remote_addr or "-")[:64]
    slot = logins.begin(_state(), name or "-", address)
    if slot.attempt is None:
        audit.record(_state(), name or "-", "login.failed", {"ip": address, "reason": slot.reason})
        return _login_form(settings, name=name, error=f"{slot.reason.capitalize()}; try again in "
                                                      f"{slot.wait_s} second{'s' if slot.wait_s != 1 else ''}.")
    user = users.authenticate(_state(), name, request.form.get("password") or "")
    logins.finish(_state(), slot.attempt, ok=user is not None)
    if user is None:
        audit.record(_state(), name or "-", "login.failed", {"ip": request.remote_addr})
        # 200, not 401: the browser shows the form again with the error
        return _login_form(settings, error="Wrong user name or password.", name=name)
    session.clear()                          # a fresh session: no fixation
    now = now_ms()
    session.update(user=user["name"], login_at=now, seen_at=now, **{CSRF_FIELD: secrets.token_urlsafe(32),
                                                                     SESSION_ID: logins.start_session(_state(), user["name"])})
    audit.record(_state(), user["name"], "login", {"role": user["role"], "ip": request.remote_addr})
    return redirect(safe_next(request.form.get("next")))


def _logout():
    if session.get("user"):
        _end("logout")
    return redirect("/login?why=logout")


def install(dash_app, settings: Settings) -> None:
    """Sessions, the guard, /login and /logout on the Dash app's Flask server, and the
    page guard on every registered page."""
    server: Flask = dash_app.server
    server.secret_key = secret_key(settings)
    server.session_interface = _SessionInterface()
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         SESSION_COOKIE_NAME="casegraph_session",
                         MAX_CONTENT_LENGTH=settings.request_max_mb * 1024 * 1024)    # larger bodies: 413
    server.before_request(lambda: _guard(dash_app, settings))
    server.after_request(_set_csrf_cookie)
    server.after_request(lambda response: _security_headers(dash_app, response))
    server.add_url_rule("/login", "casegraph_login", lambda: _login(settings), methods=["GET", "POST"])
    server.add_url_rule("/logout", "casegraph_logout", _logout, methods=["POST"])
    guard_pages()


# -- pages --------------------------------------------------------------------------------------

def not_allowed(action: str):
    from dash import html

    from casegraph.app import ids
    user = current_user() or {}
    return html.Div([html.H2("Not allowed"),
                     html.P(f"Your role ({user.get('role', 'none')}) may not {action}: "
                            f"{permissions.ACTIONS[action][:1].lower()}{permissions.ACTIONS[action][1:]}")],
                    id=ids.SHELL_DENIED, className="message")


def guard_layout(path: str, layout):
    """A page layout that renders only for roles with the page's action."""
    if getattr(layout, "casegraph_guarded", False):
        return layout
    action = PAGE_ACTIONS.get(path)
    if action is None:
        raise RuntimeError(f"page {path} is not declared in casegraph.app.site.PAGES")

    def guarded(**query):
        if not may(action):
            return not_allowed(action)
        return layout(**query) if callable(layout) else layout

    guarded.casegraph_guarded = True
    return guarded


def guard_pages() -> None:
    """Wrap every registered page's layout (idempotent)."""
    import dash
    for page in dash.page_registry.values():
        page["layout"] = guard_layout(page["path"], page["layout"])


def allowed_paths(user: dict[str, Any] | None) -> list[str]:
    """The page paths the user's role may open."""
    if not user or user.get("disabled"):
        return []
    return [p for p, a in PAGE_ACTIONS.items() if permissions.allowed(user["role"], a)]
