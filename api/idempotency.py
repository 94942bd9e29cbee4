"""Idempotency-Key on the POSTs that create (a transfer check that may raise an alert, a case,
an evidence request): the first answer is kept (per token and key) with the SHA-256 of the
request; a retry with the same key and the same request gets that answer again and changes
nothing; the same key with another request is refused (409), as is a retry while the first
request still runs. Keys are kept KEEP_DAYS days."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

import sqlalchemy as sa

from casegraph.errors import Conflict
from casegraph.state import StateStore, api_idempotency, now_ms

from casegraph.api.responses import FastJSON

KEEP_DAYS = 7
HEADER = "Idempotency-Key"


def fingerprint(method: str, path: str, payload: Any) -> str:
    text = json.dumps([method, path, payload], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def once(state: StateStore, token: str, key: str | None, request: Callable[[], str],
         make: Callable[[], tuple[int, Any]]) -> FastJSON:
    """make() -> (status, JSON-able body), run at most once per (token, key); request() gives
    the request's fingerprint (computed only when there is a key)."""
    if not key:
        status, payload = make()
        return FastJSON(payload, status_code=status)
    request_sha256 = request()
    if len(key) > 255:
        raise Conflict(f"{HEADER} is longer than 255 characters")
    at = now_ms()
    with state.engine.begin() as conn:
        conn.execute(api_idempotency.delete().where(api_idempotency.c.created_at < at - KEEP_DAYS * 86_400_000))
        try:
            with conn.begin_nested():
                conn.execute(api_idempotency.insert().values(token=token, key=key, request_sha256=request_sha256,
                                                             created_at=at))
            first = None
        except sa.exc.IntegrityError:
            first = conn.execute(sa.select(api_idempotency).where(api_idempotency.c.token == token,
                                                                 api_idempotency.c.key == key)).mappings().first()
    if first is not None:
        if first["request_sha256"] != request_sha256:
            raise Conflict(f"{HEADER} {key!r} was used for another request")
        if first["status"] is None:
            raise Conflict(f"the request with {HEADER} {key!r} is still running; retry later")
        return FastJSON(json.loads(first["body"]), status_code=first["status"],
                            headers={"Idempotent-Replayed": "true"})
    try:
        status, payload = make()
    except BaseException:
        with state.engine.begin() as conn:      # failed: the key may be used again
            conn.execute(api_idempotency.delete().where(api_idempotency.c.token == token,
                                                        api_idempotency.c.key == key))
        raise
    response = FastJSON(payload, status_code=status)
    with state.engine.begin() as conn:
        conn.execute(api_idempotency.update().where(api_idempotency.c.token == token, api_idempotency.c.key == key)
                     .values(status=status, body=response.body.decode("utf-8")))
    return response


def once_for(request, actor: dict[str, Any], key: str | None, payload: Any,
             make: Callable[[], tuple[int, Any]]) -> FastJSON:
    """`once` for a route: the app's state store, the caller's token, the request fingerprinted
    as POST to its path with `payload`."""
    return once(request.app.state.ctx.state(), actor["token"], key,
                lambda: fingerprint("POST", request.url.path, payload), make)
