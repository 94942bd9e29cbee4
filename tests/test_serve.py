"""`casegraph serve` as a user runs it: a production web server (gunicorn) for the UI over
--db on --host/--port, behind a login, with a public /healthz, stopped cleanly by SIGTERM;
a taken port, a bad --db or no user who could log in is a one-line error, not a traceback."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import PASSWORD, free_port, login_over_http, run_cli, start_serve, stop_serve


def cli(*args, env):
    return [sys.executable, "-m", "casegraph.cli", *args], {**os.environ, **env}


@pytest.fixture
def env(embedded_dir, tmp_path):
    return {"CASEGRAPH_DB": f"embedded:{embedded_dir}", "CASEGRAPH_GRAPH": f"serve_{tmp_path.name}",
            "CASEGRAPH_STATE": f"sqlite:///{tmp_path / 'state.sqlite'}"}


def add_user(env, name="boss", role="admin"):
    from casegraph.state import open_state
    from casegraph.users import add_user as add
    add(open_state(env["CASEGRAPH_STATE"]), name, role, PASSWORD)


def test_serve_runs_a_production_server_behind_a_login_and_stops_cleanly_on_sigterm(env):
    import requests
    run_cli("user", "add", "boss", "--role", "admin", "--password-stdin", input=PASSWORD + "\n", env=env)
    proc, base = start_serve(env, "--workers", "2", "--threads", "2")
    try:
        health = requests.get(f"{base}/healthz", timeout=10)          # no session, no cookie needed
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text
        assert health.json()["graph"]["backend"] == "falkordb" and health.json()["state"]["backend"] == "sqlite"
        first = requests.get(f"{base}/", timeout=10)                    # redirected to the login form
        assert first.status_code == 200 and 'id="login-form"' in first.text
        browser = login_over_http(base, "boss")
        layout = browser.get(f"{base}/_dash-layout", timeout=10)
        assert layout.status_code == 200
        for page in ("Search", "Explorer", "Alerts", "Saved queries"):
            assert f'"{page}"' in layout.text  # the nav bar links every page
        for path in ("/explorer", "/alerts", "/queries"):
            assert browser.get(f"{base}{path}", timeout=10).status_code == 200
        # every script and style the page lists is served by every worker, whichever served the page
        index = browser.get(f"{base}/", timeout=10).text
        suites = sorted(set(re.findall(r'(?:src|href)="(/_dash-component-suites/[^"]+)"', index)))
        assert len(suites) > 5, index
        def fetch(url):                    # a new connection each, 16 at once, as a browser does: any worker takes them
            return url, browser.get(f"{base}{url}", headers={"Connection": "close"}, timeout=30).status_code
        with ThreadPoolExecutor(16) as pool:
            failed = {url: code for url, code in pool.map(fetch, suites * 8) if code != 200}
        assert not failed, failed
        # a second server on the same port: a one-line error, exit 1
        port = base.rsplit(":", 1)[1]
        taken = run_cli("serve", "--port", port, env=env, check=False, timeout=60)
        assert taken.returncode == 1
        assert taken.stderr.strip() == f"Error: port {port} on 127.0.0.1 is already in use; " \
                                       "stop what uses it or pick another with --port"
        assert "Traceback" not in taken.stderr
    finally:
        t0 = time.monotonic()
        code, output = stop_serve(proc)
    assert code == 0 and time.monotonic() - t0 < 10, output
    assert f"{base}" in output and "2 worker(s) x 2 threads" in output
    assert "development server" not in output.lower() and "Debug mode" not in output
    assert "Traceback" not in output, output


def test_serve_refuses_when_no_user_could_log_in(env):
    args, full_env = cli("serve", "--port", str(free_port()), env=env)
    proc = subprocess.run(args, env=full_env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == ("Error: no user can log in to the UI: add one with "
                                   "`casegraph user add NAME --role admin`, then serve again")


def test_serve_bad_db_is_an_error_not_a_traceback(env):
    add_user(env)
    args, full_env = cli("serve", "--port", str(free_port()), "--db", "bolt://127.0.0.1:1", env=env)
    proc = subprocess.run(args, env=full_env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    # (the Neo4j driver's own message may wrap; what matters: an error, not a traceback)
    assert proc.stderr.startswith("Error: cannot reach Neo4j") and "Traceback" not in proc.stderr, proc.stderr


def test_demo_refuses_a_taken_port_before_any_work(env, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        args, full_env = cli("demo", "--port", str(port), "--data", str(tmp_path / "sample"), env=env)
        proc = subprocess.run(args, env=full_env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and f"port {port} on 127.0.0.1 is already in use" in proc.stderr
    assert "--no-serve" in proc.stderr
    assert not (tmp_path / "sample").exists()   # nothing generated


def test_demo_creates_a_first_admin_once_and_prints_its_password(tmp_path, capsys):
    from casegraph import audit, users
    from casegraph.cli import _first_admin
    from casegraph.state import open_state
    state = open_state(f"sqlite:///{tmp_path / 'state.sqlite'}")
    _first_admin(state)
    line = capsys.readouterr().out.strip()
    password = re.match(r"UI login: user admin, password (\S+)  \(shown only this once", line).group(1)
    assert users.authenticate(state, "admin", password)["role"] == "admin"
    assert [e["details"]["name"] for e in audit.entries(state, action="user.add")] == ["admin"]
    _first_admin(state)                      # users exist: nothing new, nothing printed
    assert capsys.readouterr().out == "" and len(users.list_users(state)) == 1
