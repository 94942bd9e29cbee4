"""GET /healthz (app/health.py): public, cheap, 200 with what answered, 503 naming what is
down; on the session's app, and on a real `casegraph serve` whose stores are taken away."""
from __future__ import annotations

import requests

from casegraph.state import open_state
from casegraph.store.embedded import stop_server
from casegraph.users import add_user
from tests.support import PASSWORD, start_serve, stop_serve


def test_healthz_answers_without_a_session_and_starts_none(ui_app):
    client = ui_app.server.test_client()
    r = client.get("/healthz")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert r.json["status"] == "ok" and "down" not in r.json
    assert r.json["graph"]["status"] == "ok" and r.json["graph"]["backend"] == "falkordb"
    assert r.json["graph"]["version"].startswith("FalkorDB ")
    assert r.json["state"] == {"status": "ok", "backend": "sqlite"}
    assert "Set-Cookie" not in r.headers                          # no session, no CSRF cookie
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405             # nothing to change here


def test_healthz_names_the_store_that_is_down(tmp_path, postgres_databases):
    folder = tmp_path / "graph"                                   # a private embedded server to stop
    state_url = postgres_databases.create()
    state = open_state(state_url)
    add_user(state, "boss", "admin", PASSWORD)
    state.engine.dispose()
    env = {"CASEGRAPH_DB": f"embedded:{folder}", "CASEGRAPH_STATE": state_url}
    proc, base = start_serve(env, "--workers", "1", "--threads", "2")
    try:
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
        assert stop_server(folder)
        down = requests.get(f"{base}/healthz", timeout=30)
        assert down.status_code == 503
        assert down.json() == {"status": "down", "down": ["graph"], "graph": {"status": "down"},
                               "state": {"status": "ok", "backend": "postgresql"}}
        # the next request opens the store again: the embedded server is started again
        assert requests.get(f"{base}/healthz", timeout=60).json()["status"] == "ok"
        postgres_databases.drop(state_url)                        # the state database is gone
        down = requests.get(f"{base}/healthz", timeout=30)
        assert down.status_code == 503 and down.json()["down"] == ["state"], down.text
        assert down.json()["graph"]["status"] == "ok"
    finally:
        code, output = stop_serve(proc)
        stop_server(folder)
    assert code == 0, output
    assert "health: the graph store is down" in output and "health: the state store is down" in output
    assert "Traceback" not in output
