"""Every API call in the audit log: the token's name, the endpoint, its parameters (path,
query and JSON body, cut by the audit log's bounds) and the outcome (HTTP status and error
code). Never a token: the Authorization header is not recorded.

Writing one chained audit entry per call would make the audit log the API's bottleneck
(each append locks the chain and moves the signed head), so each worker process queues its
calls and appends them in batches (`audit.record_many`) at most FLUSH_S after the response;
stopping the server (SIGTERM, Ctrl-C) writes what is queued before the process exits. What a
call changed (a case, an alert, a watchlist entry) is recorded by the core function that
changed it, synchronously, as for the UI."""
from __future__ import annotations

import hashlib
import json
import logging
import queue
from typing import Any

from casegraph.api import PREFIX
from casegraph.api.background import QueueThread

FLUSH_S = 0.1
MAX_BATCH = 2000
BODY_MAX = 65_536           # a bigger body (a batch of transfers) is recorded by its size and SHA-256
QUIET = (f"{PREFIX}/health", f"{PREFIX}/version", f"{PREFIX}/openapi.json")

log = logging.getLogger("casegraph.api")


class CallLog(QueueThread):
    """A background writer of call entries for one process."""
    thread_name = "casegraph-api-audit"

    def add(self, actor: str, action: str, details: dict[str, Any]) -> None:
        self.put((actor, action, details))

    def _run(self) -> None:
        while True:
            first = self._q.get()
            if first is None:
                return
            batch, stop = [first], False
            try:
                while len(batch) < MAX_BATCH:
                    item = self._q.get(timeout=FLUSH_S) if len(batch) == 1 else self._q.get_nowait()
                    if item is None:
                        stop = True
                        break
                    batch.append(item)
            except queue.Empty:
                pass
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list) -> None:
        from casegraph import audit
        try:
            audit.record_many(self.ctx.state(), batch)
        except Exception:  # noqa: BLE001 - never lose calls silently: say so in the server log
            log.exception("could not write %d API call(s) to the audit log", len(batch))

    def flush(self) -> None:
        """Write what is queued now (tests, shutdown)."""
        with self._lock:
            thread = self._thread
        if thread is not None and thread.is_alive():
            self._q.put(None)
            thread.join(timeout=30)
        rest = []
        while True:
            try:
                item = self._q.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                rest.append(item)
        if rest:
            self._write(rest)

    def stop(self) -> None:
        self.flush()


def _body(raw: bytes) -> Any:
    if not raw:
        return None
    if len(raw) > BODY_MAX:      # the audit log would keep only its start and digest anyway
        return {"bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    try:
        return json.loads(raw)
    except ValueError:
        return {"bytes": len(raw), "json": False}


def _error_code(raw: bytes) -> str | None:
    try:
        return json.loads(raw)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


class TooLarge(Exception):
    pass


class AuditCalls:
    """ASGI middleware: records each /api/v1 call (except health, version and the OpenAPI
    document, which load balancers and tools poll) once its response has been sent. A body
    over the request_max_mb setting is refused with 413 `too_large` before it is read whole."""

    def __init__(self, app, ctx):
        self.app, self.ctx = app, ctx
        self.max_bytes = ctx.settings.request_max_mb * 1024 * 1024

    async def _too_large(self, send) -> None:
        from casegraph.api.errors import body as error_body
        payload = json.dumps(error_body("too_large", f"the request body is over {self.max_bytes // 1048576} MB "
                                        "(the request_max_mb setting)")).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX + "/") or path in QUIET \
                or path.startswith((f"{PREFIX}/docs", f"{PREFIX}/redoc")):
            await self.app(scope, receive, send)
            return
        body = bytearray()
        seen: dict[str, Any] = {"status": 500, "error": b"", "started": False}
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._too_large(send)
            seen["status"], seen["declared"] = 413, int(length)
            self._record(scope, path, bytes(body), seen)
            return

        async def receive_() -> dict:
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
                if len(body) > self.max_bytes:
                    raise TooLarge()
            return message

        async def send_(message: dict) -> None:
            if message["type"] == "http.response.start":
                seen["status"], seen["started"] = message["status"], True
            elif message["type"] == "http.response.body" and seen["status"] >= 400 and len(seen["error"]) < 4096:
                seen["error"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, receive_, send_)
        except TooLarge:
            if not seen["started"]:
                await self._too_large(send)
            seen["status"] = 413
        finally:
            self._record(scope, path, bytes(body), seen)

    def _record(self, scope, path: str, body: bytes, seen: dict[str, Any]) -> None:
        st = scope.get("state") or {}
        actor = st.get("actor") or {}
        route = scope.get("route")
        endpoint = getattr(route, "path", None)
        if endpoint is not None and not endpoint.startswith(PREFIX):
            endpoint = PREFIX + endpoint        # routers are included under the prefix
        status = seen["status"]
        details = {"method": scope.get("method"), "path": path,
                   "endpoint": endpoint, "path_params": scope.get("path_params") or {},
                   "query": scope.get("query_string", b"").decode("latin-1"),
                   "body": _body(body) if "declared" not in seen else {"bytes": seen["declared"], "read": False},
                   "status": status, "outcome": "ok" if status < 400 else (_error_code(bytes(seen["error"]))
                                                                          or f"http_{status}")}
        name = getattr(route, "name", None) or "unrouted"
        self.ctx.calls.add(actor.get("name") or "anonymous", f"api.{name}"[:64], details)
