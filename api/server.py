"""`casegraph api`: the HTTP API in its own processes, under uvicorn (ASGI; `workers`
processes, each with its own graph and state connections and its own writer of call
entries), next to the UI's gunicorn rather than inside it.

Why its own process: the transfer check sits in the exchange's withdrawal path, so its
latency must not depend on what investigators do in the UI (a large expand keeps a UI worker
busy for a second), it is scaled and firewalled on its own (internal services call it, people
do not), and FastAPI's validation and OpenAPI come from ASGI; mounting it inside the WSGI UI
would need a bridge on every call. Both faces share the graph, the state store, the role
matrix and the audit log."""
from __future__ import annotations

import os

ENV_WORKERS = "CASEGRAPH_API_WORKERS"


def app():
    """uvicorn's factory: the API for the settings in the environment (each worker calls it)."""
    from casegraph.api import create_api
    from casegraph.settings import Settings
    return create_api(Settings.load(), workers=int(os.environ.get(ENV_WORKERS, "1")))


def serve(host: str, port: int, workers: int, log_level: str = "info", access_log: bool = True) -> None:
    """Serve until SIGTERM or Ctrl-C (requests in flight finish, queued call entries are written)."""
    import uvicorn
    os.environ[ENV_WORKERS] = str(workers)
    uvicorn.run("casegraph.api.server:app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, access_log=access_log, proxy_headers=False,
                timeout_graceful_shutdown=30)
