"""Health and version: no token needed (load balancers and deploy checks call them)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from casegraph import __version__

router = APIRouter(tags=["meta"])


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
    """Whether the graph and the state databases answer (503 when either does not)."""
    ctx = request.app.state.ctx
    graph = state = "ok"
    try:
        ctx.store().health(timeout_ms=2000)
    except Exception as e:  # noqa: BLE001 - reported, not raised: this is the health check
        graph = f"unavailable: {str(e).splitlines()[0][:200] if str(e) else type(e).__name__}"
    try:
        ctx.state().ping()
    except Exception as e:  # noqa: BLE001
        state = f"unavailable: {str(e).splitlines()[0][:200] if str(e) else type(e).__name__}"
    ok = graph == "ok" and state == "ok"
    return JSONResponse({"status": "ok" if ok else "unavailable", "graph": graph, "state": state},
                        status_code=200 if ok else 503)


@router.get("/version", response_model=Version)
def version(request: Request) -> Version:
    """casegraph's version, the API's version and the graph backend it serves."""
    ctx = request.app.state.ctx
    return Version(version=__version__, api="v1", backend=ctx.settings.db.split(":", 1)[0])
