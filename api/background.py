"""A queue with one thread of its own that takes what is put in it, started on first use (and
again if it ever died): what the API's writer of call entries and its transfer-check batcher
are built on."""
from __future__ import annotations

import queue
import threading
from typing import Any


class QueueThread:
    thread_name = "casegraph-api-queue"

    def __init__(self, ctx):
        self.ctx = ctx
        self._q: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def put(self, item: Any) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
                self._thread.start()
        self._q.put(item)

    def _run(self) -> None:          # pragma: no cover - each subclass has its own
        raise NotImplementedError
