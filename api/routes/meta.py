"""Health and version: no token needed (load balancers and deploy checks call them)."""
from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from casegraph import __version__

router = APIRouter(tags=["meta"])
log = logging.getLogger("casegraph.api")


class Health(BaseModel):
    status: str
    graph: str
    state: str


class Version(BaseModel):
    version: str
    api: str
    backend: str


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(request: Request):
    """Whether the graph and the state databases answer (503 when either does not). Why one
    is down goes to the server log, not to the anonymous caller (as the UI's /healthz)."""
    ctx = request.app.state.ctx
    found = {}
    for name, check in (("graph", lambda: ctx.store().health(timeout_ms=2000)), ("state", lambda: ctx.state().ping())):
        try:
            check()
            found[name] = "ok"
        except Exception:  # noqa: BLE001 - reported, not raised: this is the health check
            log.exception("health check: the %s store does not answer", name)
            found[name] = "down"
    ok = all(v == "ok" for v in found.values())
    return JSONResponse({"status": "ok" if ok else "down", **found}, status_code=200 if ok else 503)


@router.get("/version", response_model=Version)
def version(request: Request) -> Version:
    """casegraph's version, the API's version and the graph backend it serves."""
    ctx = request.app.state.ctx
    return Version(version=__version__, api="v1", backend=ctx.settings.db.split(":", 1)[0])
