"""Tokens, roles, rate limits and the audit of calls: each role's token is refused exactly
what docs/roles.md refuses it, over every endpoint; an expired or revoked token is refused;
a token never appears in the server log or the audit log; every call is audited."""
from __future__ import annotations

import json
import re

import httpx
import pytest
from fastapi.routing import APIRoute

from casegraph import audit, tokens
from casegraph.api import PREFIX
from casegraph.permissions import ROLES, allowed
from casegraph.state import api_tokens, open_state
from tests.api.conftest import auth
from tests.support import REPO

PUBLIC = {"/api/v1/health", "/api/v1/version"}


def action_of(route: APIRoute) -> str | None:
    """The action the route's `needs(...)` dependency asks for (None: public)."""
    stack = list(route.dependant.dependencies)
    while stack:
        d = stack.pop()
        if getattr(d.call, "action", None):
            return d.call.action
        stack.extend(d.dependencies)
    return None


def endpoints(_app=None) -> list[tuple[str, str, str | None]]:
    """(method, path, action) of every documented operation (the routers the app includes)."""
    from casegraph.api.routes import ROUTERS
    out = []
    for router in ROUTERS:
        for r in router.routes:
            if isinstance(r, APIRoute) and r.include_in_schema:
                out.extend((m, PREFIX + r.path, action_of(r)) for m in sorted(r.methods))
    return sorted(out, key=lambda x: (x[1], x[0]))


def test_the_endpoints_are_the_openapi_documents_operations(api_app):
    doc = api_app.openapi()
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert documented == {(m, p) for m, p, _ in endpoints()}


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_endpoint_but_health_and_version_needs_an_action(api_app):
    found = endpoints(api_app)
    assert len(found) >= 6
    assert {p for _, p, a in found if a is None} <= PUBLIC
    assert all(a is not None for _, p, a in found if p not in PUBLIC)


def test_docs_list_every_endpoint_with_its_action(api_app):
    doc = (REPO / "docs" / "api.md").read_text()
    rows = set(re.findall(r"^\| `(GET|POST|PATCH|PUT|DELETE) ([^`]+)` \| (?:`(\w+)`|none) \|", doc, re.M))
    want = {(m, p[len(PREFIX):], a or "") for m, p, a in endpoints(api_app)}
    assert rows == want


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_is_refused_exactly_what_the_matrix_refuses(client, api_app, secrets, role):
    """An empty request to every endpoint: a role the matrix refuses gets 403 `forbidden`
    before anything runs; a role it allows never does (it gets on to validation, 404, or an
    answer)."""
    wrong = []
    for method, path, action in endpoints(api_app):
        if action is None:
            continue
        r = client.request(method, _url(path), headers=auth(secrets[role]), json={} if method != "GET" else None)
        refused = r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        if refused == allowed(role, action):
            wrong.append((method, path, action, r.status_code, r.text[:120]))
    assert wrong == []


def test_no_unknown_or_malformed_token_gets_in(client, api_app):
    for method, path, action in endpoints(api_app):
        if action is None:
            continue
        for headers in ({}, {"Authorization": "Bearer cgt_not-a-token"}, {"Authorization": "Basic abc"}):
            r = client.request(method, _url(path), headers=headers, json={} if method != "GET" else None)
            assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized", (method, path, r.text)
            assert r.headers.get("WWW-Authenticate") == "Bearer"


def _state(api_data):
    return open_state(api_data[0].state_url())


def _wait_until(call, want_status: int, seconds: float = 5.0) -> httpx.Response:
    """Poll until the server answers want_status (token changes reach every worker within 1 s)."""
    import time
    deadline = time.monotonic() + seconds
    while True:
        r = call()
        if r.status_code == want_status or time.monotonic() > deadline:
            return r


def test_a_new_token_works_at_once_and_a_revoked_one_is_refused(client, api_data):
    state = _state(api_data)
    secret, _ = tokens.create(state, "svc-revoke-me", "service", by="tests")
    get = lambda: client.get("/api/v1/watchlists/entries", headers=auth(secret))  # noqa: E731
    assert get().status_code == 200
    tokens.revoke(state, "svc-revoke-me", by="tests")
    r = _wait_until(get, 401)
    assert r.status_code == 401 and "revoked" in r.json()["error"]["message"]
    assert secret not in r.text


def test_an_expired_token_is_refused(client, api_data):
    state = _state(api_data)
    secret, _ = tokens.create(state, "svc-expiring", "service", by="tests", expires_days=30)
    get = lambda: client.get("/api/v1/watchlists/entries", headers=auth(secret))  # noqa: E731
    assert get().status_code == 200
    with state.engine.begin() as conn:       # 30 days later
        conn.execute(api_tokens.update().where(api_tokens.c.name == "svc-expiring").values(expires_at=1))
    r = _wait_until(get, 401)
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]


def test_the_rate_limit_answers_429_with_retry_after(client, api_data):
    secret, _ = tokens.create(_state(api_data), "svc-slow", "service", by="tests", rate_per_s=2)
    answers = [client.get("/api/v1/watchlists/entries", headers=auth(secret)) for _ in range(4)]
    assert [r.status_code for r in answers[:2]] == [200, 200]
    limited = answers[-1]
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    other = client.get("/api/v1/watchlists/entries", headers=auth(api_data[2]["service"]))
    assert other.status_code == 200          # per token: the others are not slowed


def test_every_call_is_audited_with_token_endpoint_parameters_and_outcome(client, api_app, api_data):
    secret, _ = tokens.create(_state(api_data), "svc-audited", "analyst", by="tests")
    ok = client.get("/api/v1/watchlists/entries", params={"limit": 7}, headers=auth(secret))
    refused = client.post("/api/v1/watchlists/entries/retire", headers=auth(secret),
                          json={"watchlist": "w", "kind": "account", "key": "A1", "reason": "r"})
    assert ok.status_code == 200 and refused.status_code == 403
    api_app.state.ctx.calls.flush()
    found = audit.entries(_state(api_data), actor="token:svc-audited")
    calls = [(e["action"], e["details"]) for e in found if e["action"].startswith("api.")]
    assert [(a, d["endpoint"], d["status"], d["outcome"]) for a, d in calls] == [
        ("api.list_entries", "/api/v1/watchlists/entries", 200, "ok"),
        ("api.retire_entry", "/api/v1/watchlists/entries/retire", 403, "forbidden")]
    assert calls[0][1]["query"] == "limit=7" and calls[1][1]["body"]["key"] == "A1"
    assert audit.check(_state(api_data)).intact


def test_a_token_never_appears_in_the_server_log_or_the_audit_log(live_api, api_data):
    secret = api_data[2]["service"]
    for path in ("/api/v1/watchlists/entries", f"/api/v1/watchlists/entries?watchlist={'x' * 5}"):
        assert httpx.get(live_api + path, headers=auth(secret), timeout=10).status_code == 200
    assert httpx.get(live_api + "/api/v1/watchlists/entries", headers=auth(secret + "x"), timeout=10).status_code == 401
    state = _state(api_data)
    exported = _wait_for_audit(state, "token:svc-service")
    assert secret not in exported and secret[4:] not in exported
    log = (api_data[1] / "api.log").read_text()
    assert "watchlists/entries" in log and secret not in log and secret[4:] not in log


def _wait_for_audit(state, actor: str, seconds: float = 10.0) -> str:
    """The audit log exported once the live server has written its queued calls."""
    import time
    deadline = time.monotonic() + seconds
    while True:
        text = audit.export(state)
        if actor in text or time.monotonic() > deadline:
            return text


def test_a_body_over_the_size_limit_is_refused_with_413_and_audited(client, api_app, api_data):
    limit = api_app.state.ctx.settings.request_max_mb * 1024 * 1024
    big = b'{"transfers": [' + b" " * (limit + 10) + b"]}"
    r = client.post("/api/v1/transfers/check-batch", content=big, headers={
        **auth(api_data[2]["service"]), "Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    api_app.state.ctx.calls.flush()
    last = audit.entries(_state(api_data), action="api.unrouted")[-1]["details"]
    assert last["status"] == 413 and last["body"]["bytes"] > limit
