"""`casegraph serve` as a user runs it: it serves the UI over --db on --host/--port, with
debug off unless asked, behind a login; a taken port, a bad --db or no user who could log
in is a one-line error, not a traceback."""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args, env):
    return [sys.executable, "-m", "casegraph.cli", *args], {**os.environ, **env}


@pytest.fixture
def env(embedded_dir, tmp_path):
    return {"CASEGRAPH_DB": f"embedded:{embedded_dir}", "CASEGRAPH_GRAPH": f"serve_{tmp_path.name}",
            "CASEGRAPH_STATE": f"sqlite:///{tmp_path / 'state.sqlite'}"}


PASSWORD = "correct horse battery"


def add_user(env, name="boss", role="admin"):
    from casegraph.state import open_state
    from casegraph.users import add_user as add
    add(open_state(env["CASEGRAPH_STATE"]), name, role, PASSWORD)


def get(url: str, timeout: float = 30.0, opener=None) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with (opener or urllib.request.build_opener()).open(url, timeout=5) as r:
                return r.status, r.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_answers_every_page_after_login_and_refuses_a_taken_port(env):
    port = free_port()
    add_user(env)
    args, full_env = cli("serve", "--port", str(port), env=env)
    proc = subprocess.Popen(args, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        status, html = get(f"http://127.0.0.1:{port}/")       # redirected to the login form
        assert status == 200 and 'id="login-form"' in html
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        _, form = get(f"http://127.0.0.1:{port}/login", opener=browser)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode({"username": "boss", "password": PASSWORD, "csrf_token": token}).encode()
        with browser.open(f"http://127.0.0.1:{port}/login", data=data, timeout=10) as r:
            assert r.status == 200 and r.url == f"http://127.0.0.1:{port}/"
        status, layout = get(f"http://127.0.0.1:{port}/_dash-layout", opener=browser)
        assert status == 200
        for page in ("Search", "Explorer", "Alerts", "Saved queries"):
            assert f'"{page}"' in layout  # the nav bar links every page
        for path in ("/explorer", "/alerts", "/queries"):
            assert get(f"http://127.0.0.1:{port}{path}", opener=browser)[0] == 200
        # a second server on the same port: a one-line error, exit 1
        taken = subprocess.run(cli("serve", "--port", str(port), env=env)[0], env=full_env,
                               capture_output=True, text=True, timeout=60)
        assert taken.returncode == 1
        assert taken.stderr.strip() == f"Error: port {port} on 127.0.0.1 is already in use; " \
                                       "stop what uses it or pick another with --port"
        assert "Traceback" not in taken.stderr
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}" in out
    assert "Debug mode: off" in out + err


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
