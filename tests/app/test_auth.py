"""Login, sessions, CSRF and role enforcement (app/auth.py): over Flask's test client
against the real app, users and audit log (fast), then a few checks in a real Chromium."""
from __future__ import annotations

import json
import stat
import time

import pytest

from casegraph.app import auth, ids
from casegraph import audit, users
from casegraph.settings import Settings
from tests.support import (PASSWORD, USERS, allow_downloads, body, callback_key, client_for, csrf, login,
                           no_console_errors, pick, post, text_of, user_name, wait_download, wait_grid)


# -- helpers (a test client that logs in and posts callbacks: tests.support.client_for, post) --

def logged_in(client) -> bool:
    return client.get("/").status_code == 200


def audit_of(action: str, actor: str | None = None) -> list[dict]:
    from casegraph import app as ui
    return audit.entries(ui.state(), action=action, actor=actor)


# -- not logged in --------------------------------------------------------------------------------

def test_everything_but_the_login_page_needs_a_login(ui_app):
    c = client_for(ui_app)
    r = c.get("/alerts?status=open")
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=%2Falerts%3Fstatus%3Dopen"
    assert c.get("/").headers["Location"] == "/login"
    for path in ("/_dash-layout", "/_dash-dependencies"):
        r = c.get(path)
        assert r.status_code == 401 and r.json == {"error": "not logged in"}
    key = callback_key(ui_app, ids.ALERTS_TABLE)
    r = c.post("/_dash-update-component", json=body(ui_app, key))
    assert r.status_code == 401
    assert c.get("/login").status_code == 200
    assert c.get("/assets/casegraph.css").status_code == 200


# -- login -------------------------------------------------------------------------------------------

def test_login_refuses_a_wrong_password_and_audits_both(ui_app):
    failed_before = len(audit_of("login.failed", "le"))
    c = client_for(ui_app)
    c.get("/login?next=/alerts")
    r = c.post("/login", data={"username": "le", "password": "wrong horse", "csrf_token": csrf(c), "next": "/alerts"})
    assert r.status_code == 200 and b"Wrong user name or password." in r.data
    assert not logged_in(c)
    failed = audit_of("login.failed", "le")
    assert len(failed) == failed_before + 1
    assert "wrong horse" not in json.dumps(failed[-1])          # never the password

    before_token = csrf(c)
    logins_before = len(audit_of("login", "le"))
    r = c.post("/login", data={"username": "le", "password": PASSWORD, "csrf_token": before_token,
                               "next": "/alerts"})
    assert r.status_code == 302 and r.headers["Location"] == "/alerts"
    assert logged_in(c)
    assert csrf(c) and csrf(c) != before_token                      # a new session: new token, no fixation
    entry = audit_of("login", "le")[-1]
    assert len(audit_of("login", "le")) == logins_before + 1 and entry["details"]["role"] == "le_response"
    cookies = r.headers.getlist("Set-Cookie")
    session_cookie = next(h for h in cookies if h.startswith("casegraph_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_login_goes_back_only_to_local_pages(ui_app):
    assert auth.safe_next("/explorer?ids=Account:A1") == "/explorer?ids=Account:A1"
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""):
        assert auth.safe_next(bad) == "/"
    c = client_for(ui_app)
    c.get("/login")
    r = c.post("/login", data={"username": "inv", "password": PASSWORD, "csrf_token": csrf(c),
                               "next": "https://evil.example/"})
    assert r.headers["Location"] == "/"


# -- CSRF --------------------------------------------------------------------------------------------

def test_posts_without_the_csrf_token_are_refused(ui_app):
    c = client_for(ui_app)
    c.get("/login")
    r = c.post("/login", data={"username": "inv", "password": PASSWORD})
    assert r.status_code == 403 and not logged_in(c)
    r = c.post("/login", data={"username": "inv", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403 and not logged_in(c)

    c = client_for(ui_app, "inv")
    payload = body(ui_app, callback_key(ui_app, ids.ALERTS_TABLE), {ids.ALERTS_STATUS: "open"})
    assert post(c, payload, **{auth.CSRF_HEADER: ""}).status_code == 403
    assert post(c, payload, **{auth.CSRF_HEADER: "forged"}).status_code == 403
    assert post(c, payload, Origin="https://evil.example").status_code == 403
    assert post(c, payload, Referer="https://evil.example/page").status_code == 403
    r = post(c, payload, Origin="http://localhost")
    assert r.status_code == 200 and "alert(s)" in r.get_data(as_text=True)
    # logout is a POST with the token too
    assert c.post("/logout").status_code == 403 and logged_in(c)


# -- roles -------------------------------------------------------------------------------------------

def test_callbacks_of_a_page_the_role_may_not_see_are_refused(ui_app):
    key = callback_key(ui_app, ids.AUDIT_TABLE)
    payload = body(ui_app, key, {ids.AUDIT_LIMIT: 100})
    for who in ("inv", "le", "ana"):
        r = post(client_for(ui_app, who), payload)
        assert r.status_code == 403 and "may not view_audit" in r.json["error"], (who, r.data)
    r = post(client_for(ui_app, "adm"), payload)
    assert r.status_code == 200
    rows = r.json["response"][ids.AUDIT_TABLE]["rowData"]
    assert rows and {"login"} <= {row["action"] for row in rows}
    # the page itself renders "not allowed", without the log, for those roles
    router = callback_key(ui_app, "_pages_content")
    route = body(ui_app, router, {"_pages_location": "/audit"})
    route["inputs"] = [{"id": "_pages_location", "property": "pathname", "value": "/audit"},
                       {"id": "_pages_location", "property": "search", "value": ""}]
    shown = post(client_for(ui_app, "ana"), route).get_data(as_text=True)
    assert ids.SHELL_DENIED in shown and ids.AUDIT_TABLE not in shown
    assert ids.AUDIT_TABLE in post(client_for(ui_app, "adm"), route).get_data(as_text=True)


def test_adhoc_cypher_needs_run_adhoc_query_saved_queries_do_not(ui_app):
    key = callback_key(ui_app, f"{ids.QUERIES_TABLE}.rowData")
    text = "UNWIND range(1, 3) AS n RETURN n"
    adhoc = body(ui_app, key, {ids.QUERIES_CYPHER: text, ids.QUERIES_CYPHER_RUN: 1},
                 (f"{ids.QUERIES_CYPHER_RUN}.n_clicks",))
    for who in ("inv", "le"):
        r = post(client_for(ui_app, who), adhoc)
        assert r.status_code == 403 and "may not run_adhoc_query" in r.json["error"]
        assert not audit_of("query.cypher", who)                  # refused before it ran
    r = post(client_for(ui_app, "ana"), adhoc)
    assert r.status_code == 200
    grid = r.json["response"][ids.QUERIES_TABLE]
    assert [row["n"] for row in grid["rowData"]] == [1, 2, 3]
    assert grid["columnDefs"] == [{"field": "n", "headerName": "n", "cellDataType": "number",
                                   "filter": "agNumberColumnFilter"}]
    assert r.json["response"][ids.QUERIES_GRAPH_BOX] == {"children": []}     # no nodes: no graph box
    assert audit_of("query.cypher", "ana")[-1]["details"]["text"] == text
    # a saved query is the page's own action: le_response may run it (and it is audited)
    saved = body(ui_app, key, {ids.QUERIES_NAME: "find_account", ids.QUERIES_RUN: 1},
                 (f"{ids.QUERIES_RUN}.n_clicks",))
    r = post(client_for(ui_app, "le"), saved)
    assert r.status_code == 200
    assert audit_of("query.run", "le")[-1]["details"]["name"] == "find_account"
    # ... and export the grid as CSV (the grid writes the file in the browser)
    export = body(ui_app, callback_key(ui_app, f"{ids.QUERIES_TABLE}.exportDataAsCsv"), {ids.QUERIES_CSV: 1},
                  (f"{ids.QUERIES_CSV}.n_clicks",))
    r = post(client_for(ui_app, "le"), export)
    assert r.status_code == 200 and r.json["response"][ids.QUERIES_TABLE] == {"exportDataAsCsv": True}


def test_every_callback_belongs_to_a_page(ui_app):
    ui_app.server.test_client().get("/login")
    for key in ui_app.callback_map:
        auth.callback_actions(ui_app.callback_map, {"output": key})     # raises for an id of no page
    with pytest.raises(auth.Refused):
        auth.action_of("nobody-knows-me")
    assert set(auth.PAGE_ACTIONS) >= {p["path"] for p in __import__("dash").page_registry.values()}


def test_the_nav_lists_only_allowed_pages(ui_app):
    def nav_ids(who):
        layout = client_for(ui_app, who).get("/_dash-layout").get_data(as_text=True)
        return {p for p in auth.PAGE_ACTIONS if f'"{ids.NAV}-{p.strip("/") or "search"}"' in layout}
    assert nav_ids("adm") == set(auth.PAGE_ACTIONS)
    assert nav_ids("le") == {"/", "/explorer", "/alerts", "/queries", "/cases", "/requests", "/evidence", "/kpis"}
    assert nav_ids("inv") == {"/", "/explorer", "/alerts", "/queries", "/cases", "/requests", "/kpis"}
    assert nav_ids("ana") == {"/", "/explorer", "/alerts", "/queries", "/cases", "/kpis"}


# -- sessions ---------------------------------------------------------------------------------------

def test_an_idle_or_too_old_session_ends(ui_app, ui_data):
    settings, _ = ui_data
    c = client_for(ui_app, "inv")
    with c.session_transaction() as s:
        s["seen_at"] -= (settings.session_minutes * 60 + 1) * 1000
    r = c.get("/alerts")
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=%2Falerts&why=idle"
    assert audit_of("logout", "inv")[-1]["details"]["reason"] == "idle"
    assert "without activity" in c.get("/login?why=idle").get_data(as_text=True)
    assert post(c, body(ui_app, callback_key(ui_app, ids.ALERTS_TABLE))).status_code == 401

    c = client_for(ui_app, "inv")
    with c.session_transaction() as s:
        s["login_at"] -= (auth.MAX_SESSION_HOURS * 3600 + 1) * 1000
    assert "why=expired" in c.get("/").headers["Location"]
    # a recent request keeps an idle-limited session alive
    c = client_for(ui_app, "inv")
    with c.session_transaction() as s:
        s["seen_at"] -= (settings.session_minutes * 60 - 5) * 1000
    assert logged_in(c)


def test_a_disabled_user_is_out_on_the_next_request(ui_app):
    from casegraph import app as ui
    name = f"gone{time.time_ns()}"
    users.add_user(ui.state(), name, "investigator", PASSWORD)
    c = ui_app.server.test_client()
    c.get("/login")
    c.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf(c)})
    assert logged_in(c)
    users.disable_user(ui.state(), name)
    assert "why=disabled" in c.get("/").headers["Location"]
    assert not logged_in(c)


def test_logout_ends_the_session(ui_app):
    c = client_for(ui_app, "ana")
    r = c.post("/logout", data={"csrf_token": csrf(c)})
    assert r.status_code == 302 and r.headers["Location"] == "/login?why=logout"
    assert not logged_in(c)
    assert audit_of("logout", "ana")[-1]["details"]["reason"] == "logout"


def test_the_generated_key_is_made_once_private_and_shared(tmp_path):
    s = Settings.load(state=f"sqlite:///{tmp_path / 'state.sqlite'}", secret_key="")
    key = auth.secret_key(s)
    path = tmp_path / auth.KEY_FILE
    assert path.read_text().strip() == key and len(key) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert auth.secret_key(s) == key                                  # a second process reads the same
    assert auth.secret_key(Settings.load(state=s.state, secret_key="given")) == "given"


# -- in a real browser ------------------------------------------------------------------------------

def shown_nav(duo) -> set[str]:
    """The ids of the nav's links (read in one go)."""
    return set(duo.driver.execute_script("return [...document.querySelectorAll(arguments[0])].map(a => a.id)",
                                         f"#{ids.NAV} a.nav-link"))


@pytest.mark.browser
def test_each_role_sees_its_pages_and_logs_out(dash_duo, ui_app):
    dash_duo.start_server(ui_app, navigate=False)
    for name, role in USERS.items():
        login(dash_duo, name)
        expected = {f"{ids.NAV}-{p.strip('/') or 'search'}" for p in auth.allowed_paths({"role": role})}
        assert shown_nav(dash_duo) == expected, role
        assert text_of(dash_duo, f"#{ids.SHELL_USER}") == f"{name} ({role})"
        if role != "admin":                 # a page the role may not see: "not allowed", no data
            dash_duo.wait_for_page(f"{dash_duo.server_url}/audit")
            dash_duo.wait_for_contains_text(f"#{ids.SHELL_DENIED}", "may not view_audit", timeout=10)
            assert not dash_duo.find_elements(f"#{ids.AUDIT_TABLE}")
        dash_duo.find_element(f"#{ids.SHELL_LOGOUT}").click()
        dash_duo.wait_for_text_to_equal(f"#{ids.LOGIN_NOTE}", "You are logged out.", timeout=10)
        dash_duo.driver.get(f"{dash_duo.server_url}/alerts")
        assert "/login?next=%2Falerts" in dash_duo.driver.current_url
    no_console_errors(dash_duo)


@pytest.mark.browser
def test_wrong_password_then_back_to_the_page_asked_for(dash_duo, ui_app):
    dash_duo.start_server(ui_app, navigate=False)
    dash_duo.driver.get(f"{dash_duo.server.url}/alerts")
    assert "/login" in dash_duo.driver.current_url
    dash_duo.wait_for_element(f"#{ids.LOGIN_NAME}").send_keys("inv")
    dash_duo.find_element(f"#{ids.LOGIN_PASSWORD}").send_keys("not the password")
    dash_duo.find_element(f"#{ids.LOGIN_SUBMIT}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.LOGIN_ERROR}", "Wrong user name or password.", timeout=10)
    assert not dash_duo.find_elements(f"#{ids.SHELL_USER}")
    dash_duo.find_element(f"#{ids.LOGIN_PASSWORD}").send_keys(PASSWORD)
    dash_duo.find_element(f"#{ids.LOGIN_SUBMIT}").click()
    dash_duo.wait_for_contains_text(f"#{ids.ALERTS_COUNT}", "alert(s)", timeout=15)
    assert dash_duo.driver.current_url.endswith("/alerts")
    no_console_errors(dash_duo)


@pytest.mark.browser
def test_admin_reads_filters_and_exports_the_audit_log(dash_duo, ui_app):
    from casegraph import app as ui
    login(dash_duo, "adm", ui_app, path="/audit")
    dash_duo.wait_for_contains_text(f"#{ids.AUDIT_CHAIN}", "hash chain intact", timeout=10)
    pick(dash_duo, ids.AUDIT_ACTION, "login")
    logins = audit.entries(ui.state(), action="login")
    dash_duo.wait_for_text_to_equal(f"#{ids.AUDIT_COUNT}", f"{len(logins):,} entries", timeout=10)
    wait_grid(dash_duo, ids.AUDIT_TABLE, lambda rows: rows and rows[0]["actor"] == "adm")    # newest first
    downloads = allow_downloads(dash_duo)
    dash_duo.find_element(f"#{ids.AUDIT_EXPORT}").click()
    target = wait_download(downloads, "casegraph-audit.jsonl")
    exported = [json.loads(line) for line in target.read_text().splitlines()]
    # the copy verifies on its own: recompute the hash chain from the file
    prev = audit.GENESIS
    for e in exported:
        assert e["prev_hash"] == prev
        prev = audit.entry_hash(prev, e["id"], e["at"], e["actor"], e["action"], audit.canonical(e["details"]))
        assert e["hash"] == prev
    assert "login" in {e["action"] for e in exported} and len(exported) == len(audit.entries(ui.state())) - 1
    assert audit.entries(ui.state(), action="audit.export", actor="adm")
    no_console_errors(dash_duo)


@pytest.mark.browser
def test_a_user_disabled_mid_session_lands_on_the_login_page(dash_duo, ui_app):
    from casegraph import app as ui
    name = f"brief{time.time_ns()}"
    users.add_user(ui.state(), name, "investigator", PASSWORD)
    login(dash_duo, name, ui_app, path="/alerts")
    dash_duo.wait_for_contains_text(f"#{ids.ALERTS_COUNT}", "alert(s)", timeout=10)
    users.disable_user(ui.state(), name)
    # the next callback is refused (401) and the page goes to the login: the dropdown may be gone
    # before it shows its new value, so wait on the login page instead
    pick(dash_duo, ids.ALERTS_STATUS, "all", confirm=False)
    dash_duo.wait_for_text_to_equal(f"#{ids.LOGIN_NOTE}", "Your session has ended; log in again.", timeout=10)
    assert "next=%2Falerts" in dash_duo.driver.current_url
    severe = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert all("401" in e["message"] for e in severe), severe            # only the refused callback


def test_failed_logins_slow_that_name_down_without_locking_it_out(ui_app, monkeypatch):
    from casegraph import app as ui
    from casegraph import logins
    name = f"guessed{time.time_ns()}"
    users.add_user(ui.state(), name, "analyst", PASSWORD)
    clock = [logins.now_ms()]
    monkeypatch.setattr(logins, "now_ms", lambda: clock[0])     # the attempts below happen at one instant
    c = client_for(ui_app)
    c.get("/login")
    for _ in range(logins.NAME_FREE):
        r = c.post("/login", data={"username": name, "password": "guess", "csrf_token": csrf(c)})
        assert b"Wrong user name or password." in r.data
    r = c.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf(c)})
    assert b"Too many failed logins for" in r.data and b"try again in 1 second" in r.data and not logged_in(c)
    assert audit_of("login.failed", name)[-1]["details"]["reason"] == f"too many failed logins for {name}"
    # other names are not affected
    assert client_for(ui_app, "ana").get("/").status_code == 200
    # a back-off, not a lock-out: once it has passed, the right password gets in
    clock[0] += 1001
    r = c.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf(c)})
    assert r.status_code == 302 and logged_in(c)


def test_concurrent_guesses_check_only_the_free_attempts(ui_app, monkeypatch):
    """Issue 12.5: 60 concurrent attempts checked 27 passwords, and the right one got in."""
    from concurrent.futures import ThreadPoolExecutor
    from casegraph import app as ui
    from casegraph import logins
    now = logins.now_ms()
    monkeypatch.setattr(logins, "now_ms", lambda: now)      # one instant: no back-off runs out meanwhile
    name = f"raced{time.time_ns()}"
    users.add_user(ui.state(), name, "analyst", PASSWORD)
    guesses = [f"guess{i}" for i in range(59)]
    guesses.insert(40, PASSWORD)

    def attempt(password):
        c = client_for(ui_app)
        c.get("/login")
        r = c.post("/login", data={"username": name, "password": password, "csrf_token": csrf(c)})
        return r.status_code == 302
    with ThreadPoolExecutor(max_workers=20) as pool:
        got_in = list(pool.map(attempt, guesses))
    checked = [e for e in audit_of("login.failed", name) if "reason" not in e["details"]]
    assert len(checked) + sum(got_in) <= logins.NAME_FREE, (len(checked), sum(got_in))
    assert len(audit_of("login.failed", name)) + sum(got_in) == len(guesses)


def test_a_request_body_over_the_limit_is_refused(ui_app):
    """Issue 12.4: request bodies are capped (setting request_max_mb)."""
    limit = ui_app.server.config["MAX_CONTENT_LENGTH"]
    assert limit == 8 * 2**20
    c = client_for(ui_app, "ana")
    key = callback_key(ui_app, ids.ALERTS_TABLE)
    payload = body(ui_app, key)
    payload["pad"] = "x" * limit
    assert post(c, payload).status_code == 413
    assert post(c, body(ui_app, key)).status_code == 200


def test_only_plain_asset_files_are_public(ui_app):
    """Issue 12.12: `/assets//etc/passwd` answered the app shell without a login."""
    c = client_for(ui_app)
    assert c.get("/assets/casegraph.css").status_code == 200
    for path in ("/assets//etc/passwd", "/assets/../casegraph/settings.py", "/_dash-component-suites//x"):
        r = c.get(path)
        refused = r.status_code == 401 or (r.status_code == 302 and r.headers["Location"].startswith("/login"))
        assert refused and b"_dash-renderer" not in r.data, (path, r.status_code)


def test_the_actions_csv_without_an_open_case_says_so(ui_app):
    """Issue 12.12: the cases page's actions-CSV button answered 500 with no case open."""
    c = client_for(ui_app, "inv")
    key = next(k for k, cb in ui_app.callback_map.items()
               if ids.CASES_ACTIONS_CSV in [i["id"] for i in cb["inputs"]])
    r = post(c, body(ui_app, key, {ids.CASES_ACTIONS_CSV: 1, ids.CASES_ID: None},
                     changed=(f"{ids.CASES_ACTIONS_CSV}.n_clicks",)))
    assert r.status_code == 200 and "open a case first" in json.dumps(r.json)


def test_every_response_carries_the_security_headers(ui_app):
    """Issue 12.12. The browser tests show the policy does not break the UI (no console errors)."""
    c = client_for(ui_app, "ana")
    for path in ("/login", "/", "/assets/casegraph.css", "/_dash-layout", "/healthz"):
        h = client_for(ui_app).get(path).headers if path == "/login" else c.get(path).headers
        assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff", path
        csp = h["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self' 'sha256-" in csp and "unsafe-eval" not in csp


def test_logging_out_ends_the_session_for_every_copy_of_its_cookie(ui_app):
    """Issue 12.12: a cookie copied before logout kept working until it idled out."""
    a = client_for(ui_app, "ana")
    stolen = a.get_cookie("casegraph_session").value
    b = ui_app.server.test_client()
    b.set_cookie("casegraph_session", stolen)
    assert logged_in(b)
    assert a.post("/logout", data={"csrf_token": csrf(a)}).status_code == 302
    assert not logged_in(a)
    r = b.get("/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login") and "why=ended" in r.headers["Location"]
