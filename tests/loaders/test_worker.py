"""The background writer thread both loaders share: errors reach the main thread, stop drops the rest."""
from __future__ import annotations

import threading

import pytest

from casegraph.loaders.worker import Worker


class Collect(Worker):
    def __init__(self, fail_on=None, gate=None):
        super().__init__("test-worker", depth=2)
        self.done, self.fail_on, self.gate = [], fail_on, gate

    def handle(self, job):
        if self.gate is not None:
            self.gate.wait(5)
        if job == self.fail_on:
            raise ValueError(f"cannot write {job}")
        self.done.append(job)


def test_every_job_is_done_in_order():
    w = Collect()
    w.start()
    for i in range(10):
        w.put(i)
    w.finish()
    assert w.done == list(range(10)) and not w.is_alive()


def test_an_error_in_the_thread_is_raised_in_the_main_thread():
    w = Collect(fail_on=3)
    w.start()
    with pytest.raises(ValueError, match="cannot write 3"):
        for i in range(50):
            w.put(i)
        w.finish()
    assert w.done == [0, 1, 2]          # nothing after the failed job is written


def test_stop_drops_what_is_queued_and_waits_for_the_job_in_hand():
    gate = threading.Event()
    w = Collect(gate=gate)
    w.start()
    for i in range(3):
        w.put(i)                         # job 0 in hand (waiting at the gate), 1 and 2 queued
    threading.Timer(0.2, gate.set).start()
    w.stop()
    assert not w.is_alive() and w.done == [0]
