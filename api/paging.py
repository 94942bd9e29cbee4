"""Lists a page at a time: `offset` and `limit` in, the page with the `total` that matches out."""
from __future__ import annotations

from fastapi import Query
from pydantic import BaseModel, Field

LIMIT_MAX = 1000
Offset = Query(default=0, ge=0, le=10_000_000, description="how many matches to skip")
Limit = Query(default=100, ge=1, le=LIMIT_MAX, description=f"at most this many (up to {LIMIT_MAX})")


class Page(BaseModel):
    total: int = Field(description="how many match the filters (the same on every page)")
    offset: int
    limit: int
