"""GET /healthz, for load balancers and container health checks: 200 with what answered
(the graph store's backend and version, the state store's database), or 503 naming what is
down. Public: no login, no session, no CSRF (app/auth.py lets it through). Cheap: one
trivial query to each store, never a graph scan. The reasons a store is down go to the
server's log, not to the anonymous caller."""
from __future__ import annotations

import logging
from typing import Any

from flask import jsonify

PATH = "/healthz"
TIMEOUT_MS = 5000
log = logging.getLogger("casegraph.health")


def check() -> tuple[dict[str, Any], int]:
    """The health report and its HTTP status."""
    from casegraph import app as ui
    report: dict[str, Any] = {}
    down = []
    try:
        report["graph"] = {"status": "ok", **ui.store().health(TIMEOUT_MS)}
    except Exception as e:  # noqa: BLE001 - any failure means the graph store is down
        log.warning("health: the graph store is down: %s", e)
        ui.discard_store()
        report["graph"] = {"status": "down"}
        down.append("graph")
    try:
        report["state"] = {"status": "ok", "backend": ui.state().ping()}
    except Exception as e:  # noqa: BLE001 - any failure means the state store is down
        log.warning("health: the state store is down: %s", e)
        report["state"] = {"status": "down"}
        down.append("state")
    report = {"status": "down" if down else "ok", **({"down": down} if down else {}), **report}
    return report, 503 if down else 200


def _healthz():
    report, status = check()
    response = jsonify(report)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def install(dash_app) -> None:
    """Serve PATH on the Dash app's Flask server."""
    dash_app.server.add_url_rule(PATH, "casegraph_healthz", _healthz, methods=["GET", "HEAD"])
