"""casegraph/evidence_jobs.py on real SQLite and PostgreSQL state stores (and the embedded
graph for builds): requests are checked before they are queued, concurrent workers claim
each job exactly once, a failed build says why, a revoked token gets nothing built, and the
worker thread builds what is queued."""
from __future__ import annotations

import os
import threading
import time

import pytest

from casegraph import audit, evidence_jobs, tokens
from casegraph.errors import CaseNotFound, Conflict, EvidenceError, NotFound, PermissionDenied
from casegraph.state import open_state

LE = {"name": "le1", "role": "le_response", "disabled": False}
INV = {"name": "inv", "role": "investigator", "disabled": False}
WALLET = {"wallet": "0xabsent", "since_ms": 0, "until_ms": 10, "request_ref": "R-1", "agency": "FIU"}


def test_a_request_is_checked_queued_and_audited(state):
    job = evidence_jobs.request(state, LE, {**WALLET, "request_ref": " R-1 "})
    assert job["state"] == "queued" and job["requested_by"] == "le1"
    assert job["what"] == {"subject": "Wallet:0xabsent", "since_ms": 0, "until_ms": 10, "request_ref": "R-1",
                           "agency": "FIU", "masked": False}
    assert evidence_jobs.get(state, LE, job["id"]) == job
    assert audit.entries(state, action="evidence.request")[0]["details"]["job"] == job["id"]
    with pytest.raises(Conflict, match="queued"):
        evidence_jobs.package(state, LE, job["id"])


@pytest.mark.parametrize("what, error", [
    ({**WALLET, "agency": " "}, EvidenceError), ({**WALLET, "account": "A1"}, EvidenceError),
    ({**WALLET, "until_ms": 0}, EvidenceError), ({"case_id": 42, "request_ref": "R", "agency": "A"}, CaseNotFound)])
def test_a_bad_request_queues_nothing(state, what, error):
    with pytest.raises(error):
        evidence_jobs.request(state, LE, what)
    with pytest.raises(NotFound):
        evidence_jobs.get(state, LE, 1)


def test_asking_and_reading_need_export_evidence(state):
    with pytest.raises(PermissionDenied):
        evidence_jobs.request(state, INV, WALLET)
    job = evidence_jobs.request(state, LE, WALLET)
    with pytest.raises(PermissionDenied):
        evidence_jobs.get(state, INV, job["id"])


def test_concurrent_workers_claim_every_job_exactly_once(state, state_url):
    ids = [evidence_jobs.request(state, LE, WALLET)["id"] for _ in range(30)]
    claimed: list[list[int]] = [[] for _ in range(4)]

    def work(i: int) -> None:
        mine = open_state(state_url)
        try:
            while (job := evidence_jobs.claim(mine, f"w{i}")) is not None:
                claimed[i].append(job["id"])
        finally:
            mine.engine.dispose()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(j for c in claimed for j in c) == ids
    assert {evidence_jobs.get(state, LE, j)["state"] for j in ids} == {"running"}


def test_a_failed_build_ends_the_job_with_why(store, state):
    job = evidence_jobs.request(state, LE, WALLET)
    done = evidence_jobs.run_once(state, store, store.settings, "w")
    assert done["id"] == job["id"] and done["state"] == "failed" and "0xabsent" in done["error"]
    assert evidence_jobs.run_once(state, store, store.settings, "w") is None
    with pytest.raises(Conflict, match="failed"):
        evidence_jobs.package(state, LE, job["id"])


def test_a_token_revoked_before_the_build_gets_nothing_built(store, state):
    _secret, row = tokens.create(state, "le-svc", "le_response", by="tests")
    actor = {"name": tokens.actor_name("le-svc"), "role": "le_response", "disabled": False}
    evidence_jobs.request(state, actor, WALLET)
    tokens.revoke(state, "le-svc", by="tests")
    done = evidence_jobs.run_once(state, store, store.settings, "w")
    assert done["state"] == "failed" and "no longer active" in done["error"]


def test_the_worker_thread_builds_what_is_queued(store, state):
    worker = evidence_jobs.Worker(lambda: state, lambda: store, store.settings, poll_s=30).start()
    try:
        job = evidence_jobs.request(state, LE, WALLET)
        worker.wake()
        deadline = time.monotonic() + 30
        while evidence_jobs.get(state, LE, job["id"])["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, "the worker did not build the job"
            time.sleep(0.02)
        assert evidence_jobs.get(state, LE, job["id"])["state"] == "failed"
    finally:
        worker.stop()


def test_jobs_of_ended_processes_on_this_host_are_queued_again(state):
    import socket
    import subprocess
    import sys
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                           text=True, check=True).stdout.strip()
    host = socket.gethostname()
    jobs = [evidence_jobs.request(state, LE, WALLET)["id"] for _ in range(3)]
    for worker in (f"{host}:{ended}:1", f"{host}:{os.getpid()}:1", f"elsewhere:{ended}:1"):
        assert evidence_jobs.claim(state, worker) is not None
    assert evidence_jobs.requeue_orphans(state, host) == [jobs[0]]
    assert [evidence_jobs.get(state, LE, j)["state"] for j in jobs] == ["queued", "running", "running"]
    assert evidence_jobs.claim(state, "next")["id"] == jobs[0]
