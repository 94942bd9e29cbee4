"""The 24-hour safety net: decide pending transfers (casegraph/transfer_checks.py)."""
from __future__ import annotations

import math
from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Request
from starlette.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, field_validator, model_validator

from casegraph import transfer_checks
from casegraph.errors import ParameterError

from casegraph.api import errors as err
from casegraph.api import idempotency
from casegraph.api.responses import FastJSON
from casegraph.api.security import needs

router = APIRouter(tags=["transfer risk"], responses=err.COMMON)
BATCH_MAX = 1000
Key = Field(min_length=1, max_length=512)


class Transfer(BaseModel):
    """One pending transfer: give exactly one of recipient_account (an internal transfer) and
    recipient_wallet (a withdrawal, to any address: one never seen before is allowed)."""
    model_config = {"json_schema_extra": {"oneOf": [{"required": ["recipient_account"]},
                                                    {"required": ["recipient_wallet"]}]}}
    sender: str = Key
    # typed `str` with a None default: the document says "a string when given" (null is refused)
    recipient_account: str = Field(default=None, min_length=1, max_length=512)
    recipient_wallet: str = Field(default=None, min_length=1, max_length=512)
    amount: float = Field(ge=0, description="the amount in `asset`")
    asset: str = Field(min_length=1, max_length=32)
    amount_usd: float | None = Field(default=None, ge=0, description="the USD value; else valued with the "
                                     "loaded USD rates (USD itself needs none)")
    reference: str | None = Field(default=None, min_length=1, max_length=256,
                                  description="your id of the transfer; names its alert (a retried check "
                                              "updates the same alert)")

    @field_validator("amount", "amount_usd")
    @classmethod
    def _finite(cls, v):
        if v is not None and not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

    @model_validator(mode="after")
    def _one_recipient(self):
        if (self.recipient_account is None) == (self.recipient_wallet is None):
            raise ValueError("give exactly one of recipient_account and recipient_wallet")
        return self


class Step(BaseModel):
    model_config = {"extra": "allow"}
    from_: str = Field(alias="from")
    from_label: str
    rel: str
    dir: str
    to: str
    to_label: str


class Decision(BaseModel):
    """The decision on one transfer, with why."""
    model_config = {"extra": "allow"}
    decision: Literal["hold", "allow"]
    score: float
    reasons: list[str]
    path: list[Step] = Field(description="the recipient's path to the nearest watchlisted entity (recipient first)")
    hops: int | None
    alert_id: int | None = Field(description="the alert the hold raised (null when allowed)")
    account_id: str = Field(description="the sender")
    amount_usd: float
    amount: float
    asset: str
    reference: str | None
    recipient: dict[str, Any]
    sender_listed_identifiers: list[dict[str, Any]]


class Batch(BaseModel):
    transfers: list[Transfer] = Field(min_length=1, max_length=BATCH_MAX)


class BatchItem(BaseModel):
    index: int
    result: Decision | None = None
    error: err.ErrorBody | None = None


class BatchResult(BaseModel):
    results: list[BatchItem]
    held: int
    allowed: int
    failed: int


@router.post("/transfers/check", response_model=Decision, responses={**err.CONFLICT})
async def check_transfer(transfer: Transfer, request: Request,
                         actor: dict = Depends(needs("check_transfers")),
                         idempotency_key: str | None = Header(default=None, alias=idempotency.HEADER, max_length=255)):
    """Hold or allow one pending transfer; a hold raises an alert (its id is in the answer).
    Concurrent checks are decided together in one query (api/coalesce.py); `async` so that a
    waiting check holds no worker thread."""
    ctx = request.app.state.ctx
    asked = transfer.model_dump()
    if not idempotency_key:
        return FastJSON(_one(await ctx.checks.acheck(actor, asked)))

    def make():
        return 200, _one(ctx.checks.check(actor, asked))
    return await run_in_threadpool(idempotency.once, ctx.state(), actor["token"], idempotency_key,
                                   lambda: idempotency.fingerprint("POST", request.url.path, asked), make)


def _one(found):
    if isinstance(found, ParameterError):
        raise found
    return found


@router.post("/transfers/check-batch", response_model=BatchResult, responses={**err.CONFLICT})
def check_transfers(batch: Batch, request: Request,
                    actor: dict = Depends(needs("check_transfers")),
                    idempotency_key: str | None = Header(default=None, alias=idempotency.HEADER, max_length=255)):
    """Up to 1,000 pending transfers in one call: per transfer, in order, its decision or the
    error that kept it from being decided (the others are still decided)."""
    ctx = request.app.state.ctx
    asked = [t.model_dump() for t in batch.transfers]

    def make():
        found = transfer_checks.check(ctx.store(), ctx.state(), actor, asked)
        items, held, failed = [], 0, 0
        for i, r in enumerate(found):
            if isinstance(r, ParameterError):
                failed += 1
                items.append({"index": i, "result": None, "error": {"code": "invalid", "message": str(r)}})
            else:
                held += r["decision"] == "hold"
                items.append({"index": i, "result": r, "error": None})
        return 200, {"results": items, "held": held, "allowed": len(found) - held - failed, "failed": failed}
    return idempotency.once(ctx.state(), actor["token"], idempotency_key,
                            lambda: idempotency.fingerprint("POST", request.url.path, asked), make)
