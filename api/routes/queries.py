"""Saved queries for analysts (casegraph/queries.py): the list with typed parameters, and a
run under the deployment's limits.

Which queries: queries.for_analysts — read queries that are the user's own (queries_dir)
or built-in at the top of cypher/. The built-in subfolders (api/, cases/, detect/,
evidence/, load/, ui/) hold the internal templates the API, cases, detections, evidence,
the loader and the UI build on; they are neither listed nor run here (404)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from casegraph import queries
from casegraph.store import json_safe

from casegraph.api import errors as err
from casegraph.api.fields import check_plain
from casegraph.api.security import needs

router = APIRouter(tags=["saved queries"], responses=err.COMMON)
Name = Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_\-]+$")


class Parameter(BaseModel):
    name: str
    type: str = Field(description="string, int, float, bool, time, list, map or any")
    required: bool
    default: Any = Field(description="used when the parameter is not given (null when required)")
    help: str
    min: float | None = Field(description="the lowest value allowed (numbers)")
    min_exclusive: bool = Field(description="whether min itself is refused")
    max: float | None = Field(description="the highest value allowed (numbers)")
    choices: list[str] = Field(description="the words allowed (text); empty: any")
    allowed: str = Field(description="the bounds or choices in words; empty: none")


class SavedQuery(BaseModel):
    name: str
    title: str
    purpose: str
    origin: str = Field(description="built-in, or user (the deployment's queries folder)")
    params: list[Parameter]


class SavedQueries(BaseModel):
    queries: list[SavedQuery]


class Run(BaseModel):
    params: dict[str, Any] = Field(default_factory=dict, max_length=64,
                                   description="values by parameter name, checked against the query's types")
    row_limit: int | None = Field(default=None, ge=1, le=10_000_000,
                                  description="most rows returned; capped at the deployment's row_limit")
    timeout_ms: int | None = Field(default=None, ge=1, le=86_400_000,
                                   description="time limit; capped at the deployment's query_timeout_ms")


class Rows(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]] = Field(description="one object per row; graph nodes and relationships as "
                                                   "{id, labels|type, properties}")
    truncated: bool = Field(description="whether rows were left out by the row limit")


def _parameter(p) -> dict[str, Any]:
    return {"name": p.name, "type": p.type, "required": p.required, "default": None if p.required else p.default,
            "help": p.help, "min": p.lo, "min_exclusive": p.lo_open, "max": p.hi, "choices": list(p.choices),
            "allowed": p.allowed}


@router.get("/queries", response_model=SavedQueries)
def list_queries(request: Request, actor: dict = Depends(needs("run_saved_query"))):
    """The saved queries analysts run, with their typed parameters."""
    ctx = request.app.state.ctx
    return {"queries": [{"name": q.name, "title": q.title, "purpose": q.purpose,
                         "origin": "built-in" if q.builtin else "user",
                         "params": [_parameter(p) for p in q.params]}
                        for q in queries.for_analysts(ctx.store().queries)]}


@router.post("/queries/{name}/run", response_model=Rows, responses={**err.NOT_FOUND, **err.TIMEOUT})
def run_query(body: Run, request: Request, name: str = Name, actor: dict = Depends(needs("run_saved_query"))):
    """Run one saved query read-only, within the deployment's row and time limits."""
    ctx = request.app.state.ctx
    store, settings = ctx.store(), ctx.settings
    queries.for_analyst(store.queries, name)
    check_plain(body.params)
    res = queries.run_saved(store, ctx.state(), actor, name, body.params,
                            row_limit=min(body.row_limit or settings.row_limit, settings.row_limit),
                            timeout_ms=min(body.timeout_ms or settings.query_timeout_ms, settings.query_timeout_ms))
    return {"columns": res.columns, "rows": [{c: json_safe(r.get(c)) for c in res.columns} for r in res.rows],
            "truncated": res.truncated}
