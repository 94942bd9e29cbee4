"""What one API process holds: its settings, the graph store and the state store (opened on
first use, one per process: uvicorn's workers are separate processes), the token cache, the
rate limiter, the writer of call entries and the evidence-package worker."""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from casegraph.settings import Settings

log = logging.getLogger("casegraph.api")
TOKEN_CACHE_S = 1.0      # a revoked token is refused within this long


class Context:
    def __init__(self, settings: Settings, workers: int = 1):
        from casegraph.api.calls import CallLog
        from casegraph.api.coalesce import Coalescer
        from casegraph.api.limits import RateLimiter
        self.settings = settings
        self.workers = max(1, workers)
        self._lock = threading.Lock()
        self._store = None
        self._state = None
        self._tokens: tuple[float, dict[str, dict[str, Any]]] = (0.0, {})
        self.limiter = RateLimiter(self.workers)
        self.calls = CallLog(self)
        self.checks = Coalescer(self)
        self.evidence = None             # the evidence-package worker (start_evidence_worker)

    def store(self):
        with self._lock:
            if self._store is None:
                from casegraph.store import open_store
                self._store = open_store(self.settings)
            return self._store

    def state(self):
        with self._lock:
            if self._state is None:
                from casegraph.state import open_state
                self._state = open_state(self.settings.state_url())
            return self._state

    def tokens(self, digest: str | None = None) -> dict[str, dict[str, Any]]:
        """Every token by secret digest, read again from the state store once it is
        TOKEN_CACHE_S old (so a revocation takes effect within that long on every worker); a
        `digest` not in it is looked up on its own (one indexed row: a token created a moment
        ago works at once)."""
        from casegraph import tokens
        at, known = self._tokens
        if time.monotonic() - at >= TOKEN_CACHE_S:
            known = tokens.by_digest(self.state())
            self._tokens = (time.monotonic(), known)
        elif digest is not None and digest not in known:
            row = tokens.find(self.state(), digest)
            if row is not None:
                known = {**known, digest: row}
                self._tokens = (at, known)
        return known

    def warm(self) -> None:
        """Build the transfer check's indexes; a graph that does not answer yet is not an
        error here (the first check builds them, /health says what is down)."""
        from casegraph import transfer_checks
        try:
            transfer_checks.warm(self.store())
        except Exception:  # noqa: BLE001 - start anyway; logged for the operator
            log.warning("could not build the transfer check's indexes at start-up", exc_info=True)

    def start_evidence_worker(self) -> None:
        """Build queued evidence packages in this process (casegraph/evidence_jobs.py)."""
        from casegraph.evidence_jobs import Worker
        self.evidence = Worker(self.state, self.store, self.settings).start()

    def close(self) -> None:
        if self.evidence is not None:
            self.evidence.stop()
            self.evidence = None
        self.calls.stop()
        with self._lock:
            if self._store is not None:
                self._store.close()
            if self._state is not None:
                self._state.engine.dispose()
            self._store = self._state = None
