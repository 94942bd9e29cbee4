"""Freeze orders on accounts and wallets (casegraph/freezes.py, docs/le-desk.md): record one on
a request or a case, lift it with a reason, list them. An active freeze on a sender account
holds its transfers (POST /transfers/check)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from pydantic import BaseModel, Field

from casegraph import freezes

from casegraph.api import errors as err
from casegraph.api import idempotency, paging
from casegraph.api.fields import ident, text
from casegraph.api.routes.requests import EPOCH_MS_MAX, ID_MAX
from casegraph.api.security import needs

router = APIRouter(tags=["freezes"], responses=err.COMMON)
FreezeId = Path(ge=1, le=ID_MAX)


class NewFreeze(BaseModel):
    """A freeze of `amount` `asset` on `target`, on a request or a case (or both)."""
    target: str = ident(512, description="Account:<id> or Wallet:<address>")
    amount: float = Field(gt=0, le=1e18)
    asset: str = ident(32)
    request_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    case_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    until: int | None = Field(default=None, ge=0, le=EPOCH_MS_MAX, description="epoch ms; default: until lifted")
    reason: str = text(2000, min_length=0, default="", description="e.g. the order's reference")


class Freeze(BaseModel):
    id: int
    target: str
    amount: float
    asset: str
    request_id: int | None
    case_id: int | None
    until_at: int | None = Field(description="epoch ms; null: until lifted")
    reason: str
    frozen_by: str
    frozen_at: int
    lifted_by: str | None
    lifted_at: int | None
    lift_reason: str | None
    active: bool = Field(description="not lifted and not past until_at")


class Freezes(paging.Page):
    freezes: list[Freeze] = Field(description="oldest first")


class Lift(BaseModel):
    reason: str = text(2000, blank=False)


def _one(state, freeze_id: int) -> dict[str, Any]:
    return Freeze.model_validate(freezes.get(state, freeze_id)).model_dump(mode="json")


@router.post("/freezes", response_model=Freeze, status_code=201, responses={**err.NOT_FOUND, **err.CONFLICT})
def record(body: NewFreeze, request: Request, actor: dict = Depends(needs("record_freeze")),
           idempotency_key: str | None = Header(default=None, alias=idempotency.HEADER, max_length=255)):
    """Record a freeze order (an unknown request or case is 404); `Idempotency-Key`."""
    state = request.app.state.ctx.state()

    def make():
        fid = freezes.record(state, actor, body.target, body.amount, body.asset, request_id=body.request_id,
                             case_id=body.case_id, until=body.until, reason=body.reason)
        return 201, _one(state, fid)
    return idempotency.once_for(request, actor, idempotency_key, body.model_dump(), make)


@router.post("/freezes/{freeze_id}/lift", response_model=Freeze, responses=err.NOT_FOUND)
def lift(body: Lift, request: Request, freeze_id: int = FreezeId, actor: dict = Depends(needs("record_freeze"))):
    """Lift a freeze, with a reason (a freeze lifted already is refused, 422)."""
    state = request.app.state.ctx.state()
    freezes.lift(state, actor, freeze_id, body.reason)
    return _one(state, freeze_id)


@router.get("/freezes", response_model=Freezes)
def list_freezes(request: Request, actor: dict = Depends(needs("view_requests")),
                 active: bool = Query(default=False, description="only freezes in force now"),
                 target: str | None = Query(default=None, min_length=1, max_length=512,
                                            pattern=r"^[^\x00-\x1f\x7f-\x9f]*$"),
                 request_id: int | None = Query(default=None, ge=1, le=ID_MAX),
                 case_id: int | None = Query(default=None, ge=1, le=ID_MAX),
                 offset: int = paging.Offset, limit: int = paging.Limit):
    """Freeze orders, oldest first, filtered, a page at a time."""
    rows = freezes.list_freezes(request.app.state.ctx.state(), targets=None if target is None else [target],
                                active_only=active, request_id=request_id, case_id=case_id)
    return {"freezes": rows[offset:offset + limit], "total": len(rows), "offset": offset, "limit": limit}
