"""Single transfer checks that arrive together are decided together: while one facts query
runs, the checks that come in wait in a queue, and the next query takes all of them (up to
a batch of 1,000). A lone check goes at once (no waiting window); under load, 50 concurrent
callers share a few queries instead of each paying the database's per-query cost, and their
holds are written as alerts in one transaction instead of queuing on the state store's lock.
The decisions are exactly those of one-at-a-time checks (transfer_checks.check decides each
transfer on its own)."""
from __future__ import annotations

import asyncio
import gc
import logging
import queue
import time
from concurrent.futures import Future
from typing import Any

from casegraph import transfer_checks
from casegraph.api.background import QueueThread
from casegraph.detections import transfer_risk

BATCH_MAX = 1000
SLOW_S = 1.0                 # a batch slower than this is logged with what it waited for
log = logging.getLogger("casegraph.api")


class Coalescer(QueueThread):
    thread_name = "casegraph-api-checks"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._frozen_at = -1

    def freeze(self) -> None:
        """freeze() now, and remember that the indexes built so far are frozen."""
        freeze()
        self._frozen_at = transfer_risk.BUILDS[0]

    def check(self, actor: dict[str, Any], transfer: dict[str, Any]):
        """The decision on one transfer (or its ParameterError), decided in the next batch."""
        done: Future = Future()
        self.put((actor, transfer, done))
        return done.result()

    async def acheck(self, actor: dict[str, Any], transfer: dict[str, Any]):
        """check() for the event loop: awaits the batch without holding a worker thread."""
        done: Future = Future()
        self.put((actor, transfer, done))
        return await asyncio.wrap_future(done)

    def _run(self) -> None:
        while True:
            batch = [self._q.get()]
            while len(batch) < BATCH_MAX:
                try:
                    batch.append(self._q.get_nowait())
                except queue.Empty:
                    break
            t0 = time.monotonic()
            try:
                found = transfer_checks.check(self.ctx.store(), self.ctx.state(), batch[0][0],
                                              [t for _, t, _ in batch])
            except BaseException as e:  # noqa: BLE001 - every waiting caller hears of it
                for _, _, done in batch:
                    done.set_exception(e)
                continue
            for (_, _, done), result in zip(batch, found):
                done.set_result(result)
            took = time.monotonic() - t0
            if took > SLOW_S:
                log.warning("%d transfer check(s) took %.1f s (indexes built so far: %d)", len(batch), took,
                            transfer_risk.BUILDS[0])
            if transfer_risk.BUILDS[0] != self._frozen_at:
                t0 = time.monotonic()
                self.freeze()
                log.info("froze the heap after an index build in %.2f s", time.monotonic() - t0)


def freeze() -> None:
    """Move what lives now (the app, the transfer check's indexes: millions of objects on a
    large graph) out of the garbage collector's reach: a full collection walked them all,
    stopping every request for ~100 ms several times a second under load (measured with
    gc.callbacks). Called at start-up and after each index build; objects freed later are
    still freed by reference counting."""
    gc.collect()
    gc.freeze()
