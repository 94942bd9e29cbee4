"""One background thread that does the writing while the main thread reads and encodes
the next batch: the MERGE loader sends UNWIND batches through it, the bulk loader its
GRAPH.BULK commands. An error in the thread is raised again in the main thread at its
next put() or at finish(); after stop() the remaining jobs are dropped."""
from __future__ import annotations

import queue
import threading
from typing import Any


class Worker(threading.Thread):
    """Subclasses implement handle(job); jobs are queued with put() (at most `depth` wait)."""

    def __init__(self, name: str, depth: int):
        super().__init__(daemon=True, name=name)
        self.jobs: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self._stop_requested = threading.Event()

    def handle(self, job: Any) -> None:
        raise NotImplementedError

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if self.error is not None or self._stop_requested.is_set():
                continue
            try:
                self.handle(job)
            except BaseException as e:  # noqa: BLE001 - handed to the main thread
                self.error = e

    def put(self, job: Any) -> None:
        """Queue a job, waiting while the queue is full; raises the thread's error if it had one."""
        while True:
            if self.error is not None:
                raise self.error
            try:
                self.jobs.put(job, timeout=0.2)
                return
            except queue.Full:
                continue

    def stop(self) -> None:
        """Drop the jobs still queued (an interrupted or failed load) and wait for the job
        in hand, so nothing is written after this returns; the thread's error is dropped
        (the caller is already raising its own)."""
        self._stop_requested.set()
        self.jobs.put(None)
        self.join()

    def finish(self) -> None:
        """Wait until every queued job is done; raise the thread's error if it had one."""
        self.jobs.put(None)
        self.join()
        if self.error is not None:
            raise self.error
