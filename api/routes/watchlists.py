"""Watchlists: add, list and retire entries (casegraph/watchlists.py)."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from casegraph import watchlists
from casegraph.times import EPOCH_MS_MAX

from casegraph.api import errors as err
from casegraph.api.security import needs

router = APIRouter(tags=["watchlists"], responses=err.COMMON)
Kind = Literal["account", "wallet", "device", "ip", "phone", "email", "document"]
Text = Field(min_length=1, max_length=512)


class NewEntry(BaseModel):
    watchlist: str = Field(min_length=1, max_length=128)
    kind: Kind
    key: str = Text
    list_source: str | None = Field(default=None, max_length=256, description="who listed it (default: the token)")
    reason: str | None = Field(default=None, max_length=2000)
    listed_at: int | None = Field(default=None, ge=0, le=EPOCH_MS_MAX, description="epoch ms; default now")


class NewEntries(BaseModel):
    entries: list[NewEntry] = Field(min_length=1, max_length=10000)


class Added(BaseModel):
    load_id: str
    added: int


class Entry(BaseModel):
    watchlist: str
    kind: str
    label: str
    key: str | None
    list_source: str | None
    reason: str | None
    listed_at: int | None
    source: str | None
    loaded_at: int | None
    category: str | None = Field(default=None, description="a vendor label's category (watchlists vendor:<category>)")
    entity: str | None = Field(default=None, description="the entity a vendor label names")
    confidence: float | None = Field(default=None, description="a vendor label's confidence, 0..1")


class Entries(BaseModel):
    entries: list[Entry]
    skip: int
    limit: int


class Retire(BaseModel):
    watchlist: str = Field(min_length=1, max_length=128)
    kind: Kind
    key: str = Text
    reason: str = Field(min_length=1, max_length=2000)


class Retired(BaseModel):
    model_config = {"extra": "allow"}
    watchlist: str
    kind: str
    key: str
    retired_reason: str
    retired_at: int


@router.post("/watchlists/entries", response_model=Added)
def add_entries(body: NewEntries, request: Request, actor: dict = Depends(needs("manage_watchlists"))):
    """List accounts, wallets or identifiers; the transfer check sees them on its next call."""
    ctx = request.app.state.ctx
    return watchlists.add(ctx.store(), ctx.state(), actor, [e.model_dump() for e in body.entries])


@router.get("/watchlists/entries", response_model=Entries)
def list_entries(request: Request, actor: dict = Depends(needs("view_graph")),
                 watchlist: str = Query(default="", max_length=128),
                 skip: int = Query(default=0, ge=0, le=10_000_000), limit: int = Query(default=100, ge=1, le=1000)):
    """The entries of one watchlist (or all), a page at a time."""
    ctx = request.app.state.ctx
    return {"entries": watchlists.entries(ctx.store(), watchlist, skip, limit), "skip": skip, "limit": limit}


@router.post("/watchlists/entries/retire", response_model=Retired, responses=err.NOT_FOUND)
def retire_entry(body: Retire, request: Request, actor: dict = Depends(needs("manage_watchlists"))):
    """Take one entity off one watchlist, with a reason (the entry is kept in the audit log)."""
    ctx = request.app.state.ctx
    return watchlists.retire(ctx.store(), ctx.state(), actor, body.watchlist, body.kind, body.key, body.reason)
