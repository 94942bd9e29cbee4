"""app/server.py, the production web server: a request in flight when SIGTERM arrives is
answered in full, then the server exits 0 (what `docker stop` or a rolling restart needs)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import requests
from dash.testing.wait import until

from casegraph.app import server
from tests.support import free_port

SLOW_APP = r"""
import pathlib, sys, time
import dash
from flask import Flask
from casegraph.app.server import serve

app = Flask("slow")

@app.get("/slow")
def slow():
    pathlib.Path(sys.argv[2]).touch()        # the request is in flight
    time.sleep(2)
    return "done"

ui = dash.Dash("slow", server=app)
ui.layout = dash.html.Div("slow")
serve(ui, "127.0.0.1", int(sys.argv[1]), 1, 2)
"""


def test_sigterm_lets_the_request_in_flight_finish_then_exits_0(tmp_path):
    port, started = free_port(), tmp_path / "started"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_APP, str(port), str(started)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=os.environ.copy())
    base, answer = f"http://127.0.0.1:{port}", {}
    try:
        until(lambda: _answers(base), timeout=30)
        slow = threading.Thread(target=lambda: answer.update(r=requests.get(f"{base}/slow", timeout=30)))
        slow.start()
        until(started.exists, timeout=10)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        slow.join(timeout=30)
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert answer["r"].status_code == 200 and answer["r"].text == "done"
    assert proc.returncode == 0 and time.monotonic() - t0 < 10, out
    assert "Handling signal: term" in out and "Traceback" not in out


def _answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/_dash-layout", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def test_bind_addresses():
    assert server.bind("0.0.0.0", 8050) == "0.0.0.0:8050"
    assert server.bind("::", 8050) == "[::]:8050"
    assert server.options("127.0.0.1", 1, 3, 5)["workers"] == 3 and server.options("h", 1, 3, 5)["threads"] == 5
