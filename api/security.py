"""Who is calling: `Authorization: Bearer <token>` (casegraph/tokens.py), checked on every
call, then the token's rate limit, then the action the endpoint needs (docs/roles.md; the
core functions check the actor again, as they do for the UI's users)."""
from __future__ import annotations

from typing import Any, Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from casegraph import tokens
from casegraph.errors import AuthError, CasegraphError
from casegraph.permissions import require

from casegraph.api.limits import retry_after

bearer = HTTPBearer(auto_error=False, description="An API token: `casegraph token create NAME --role ROLE`")


class RateLimited(CasegraphError):
    def __init__(self, token: str, wait_s: float):
        super().__init__(f"rate limit of token {token!r} reached; retry after {retry_after(wait_s)} s")
        self.wait_s = wait_s


async def caller(request: Request, creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> dict[str, Any]:
    """The authenticated, rate-limited actor of this call. `async` on purpose: it runs on the
    event loop (tokens come from a cache refreshed once a second) instead of costing every
    call a hop to a worker thread and back."""
    if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
        raise AuthError("send an API token: Authorization: Bearer <token>")
    ctx = request.app.state.ctx
    actor = tokens.check(ctx.tokens(tokens.digest(creds.credentials)), creds.credentials)
    request.state.actor = actor
    wait = ctx.limiter.take(actor["token"], actor["rate_per_s"])
    if wait > 0:
        raise RateLimited(actor["token"], wait)
    return actor


def needs(action: str) -> Callable[..., dict[str, Any]]:
    """A dependency: the caller, when their role may do `action` (else 403)."""
    async def dependency(actor: dict[str, Any] = Depends(caller)) -> dict[str, Any]:
        require(actor, action)
        return actor
    dependency.action = action          # read by the role-matrix test and docs/api.md
    return dependency
