"""The production web server of `casegraph serve` and `casegraph demo`: gunicorn, with
`workers` prefork processes of `threads` threads each (gthread workers).

Why gunicorn: the UI's callbacks spend much of their time in Python (building cytoscape
elements, JSON), which threads of one process cannot run in parallel; worker processes use
every core, their threads overlap the waits on the graph and state databases, and a SIGTERM
lets the requests in flight finish (up to GRACEFUL_S) before the process exits 0.

The app is built once in the parent and forked; the graph store and the state engine are
opened lazily, per worker (casegraph.app.store()/state()). Nothing opened before the fork
may be used by two processes: the parent closes what it opened to check the settings, and
each worker forgets anything inherited (`post_fork`)."""
from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

GRACEFUL_S = 30          # what a stop waits for requests in flight


class _Server(BaseApplication):
    """gunicorn over a WSGI app built in this process, configured here (never from the
    command line or GUNICORN_CMD_ARGS)."""

    def __init__(self, wsgi, options: dict[str, Any]):
        self._wsgi, self._options = wsgi, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if key in self.cfg.settings:       # settings a gunicorn release lacks are left out
                self.cfg.set(key, value)

    def load(self):
        return self._wsgi


def _post_fork(_arbiter, _worker) -> None:
    from casegraph import app as ui
    ui.forget()


def bind(host: str, port: int) -> str:
    """gunicorn's address for host and port (an IPv6 address goes in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    return {
        "bind": [bind(host, port)],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "graceful_timeout": GRACEFUL_S,
        "post_fork": _post_fork,
        "proc_name": "casegraph",
        # no control socket in the home folder: several instances on one machine, read-only homes
        "control_socket_disable": True,
        "errorlog": "-",
        "loglevel": "info",
    }


def prime(dash_app) -> None:
    """Render Dash's index page once, here, before the workers fork. Dash serves a component's
    script (/_dash-component-suites/...) only once its process has rendered an index page
    that lists it; without this, a worker that has not yet served "/" answers the scripts the
    browser got from another worker's page with 500, and the page never starts (seen with
    2 workers: the login went through, the app did not load)."""
    with dash_app.server.test_request_context("/"):
        dash_app._setup_server()        # what Dash does before its first request (assets, eager loading)
        dash_app.index()


def serve(dash_app, host: str, port: int, workers: int, threads: int) -> None:
    """Serve `dash_app` until SIGTERM (graceful) or Ctrl-C; returns by SystemExit(0)."""
    prime(dash_app)
    _Server(dash_app.server, options(host, port, workers, threads)).run()
