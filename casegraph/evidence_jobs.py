"""Evidence packages asked for by other systems (the API): a request is queued in the state
store (evidence_jobs) and answered at once; a worker builds it later, with the same builders
as `casegraph export case|subject` and the UI, into the same folder (evidence.export_dir), as
the actor who asked. The requester polls the job and downloads the package when it is done.

Claiming is one UPDATE ... WHERE state = 'queued' of one job: when several API processes
run a worker each, exactly one of them wins a job, so each package is built once. A job
whose process died while building is queued again when a worker starts on the same host
(its worker column names the host and process); on another host it stays "running"."""
from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from casegraph import audit
from casegraph.errors import CasegraphError, Conflict, EvidenceError, NotFound
from casegraph.permissions import require
from casegraph.state import StateStore, evidence_jobs, now_ms
from casegraph.store.embedded import pid_alive

log = logging.getLogger("casegraph.evidence_jobs")
STATES = ("queued", "running", "done", "failed")
CLAIM_TRIES = 5          # other workers may win the oldest queued jobs first


def _what(what: dict[str, Any]) -> dict[str, Any]:
    """The request as kept: a case ({case_id}) or a subject ({account | wallet, since_ms,
    until_ms}), with request_ref, agency and masked; or a law-enforcement request of the desk
    ({request_id, since_ms?, until_ms?, masked}: its reference and agency are the request's)."""
    if what.get("request_id") is not None:
        if any(what.get(k) is not None for k in ("case_id", "account", "wallet", "request_ref", "agency")):
            raise EvidenceError("a package of a desk request takes its reference, agency and subjects from the "
                                "request: give request_id alone")
        since, until = what.get("since_ms"), what.get("until_ms")
        if since is not None and until is not None and int(since) >= int(until):
            raise EvidenceError("the period is empty: since must be before until")
        return {"request_id": int(what["request_id"]), "masked": bool(what.get("masked")),
                "since_ms": None if since is None else int(since), "until_ms": None if until is None else int(until)}
    out = {"request_ref": str(what.get("request_ref") or "").strip(), "agency": str(what.get("agency") or "").strip(),
           "masked": bool(what.get("masked"))}
    if not out["request_ref"] or not out["agency"]:
        raise EvidenceError("an evidence request needs the request's reference and the requesting agency")
    subjects = [k for k in ("case_id", "account", "wallet") if what.get(k) is not None]
    if len(subjects) != 1:
        raise EvidenceError("name exactly one of case_id, account and wallet")
    if subjects == ["case_id"]:
        return {**out, "case_id": int(what["case_id"])}
    since, until = what.get("since_ms"), what.get("until_ms")
    if since is None or until is None or int(since) >= int(until):
        raise EvidenceError("a subject package needs a period: since before until")
    label = "Account" if subjects == ["account"] else "Wallet"
    return {**out, "subject": f"{label}:{what[subjects[0]]}", "since_ms": int(since), "until_ms": int(until)}


def _public(row) -> dict[str, Any]:
    return {"id": row["id"], "state": row["state"], "requested_by": row["requested_by"], "what": row["what"],
            "file": Path(row["file"]).name if row["file"] else None, "sha256": row["sha256"], "error": row["error"],
            "requested_at": row["requested_at"], "started_at": row["started_at"], "finished_at": row["finished_at"]}


def request(state: StateStore, actor: dict[str, Any], what: dict[str, Any]) -> dict[str, Any]:
    """Queue a package (see _what); a case must exist now. Needs export_evidence."""
    require(actor, "export_evidence")
    kept = _what(what)
    if "case_id" in kept:
        from casegraph import cases
        cases.get_case(state, kept["case_id"])          # CaseNotFound before anything is queued
    if "request_id" in kept:
        from casegraph import requests as desk
        require(actor, "manage_requests")               # the package is recorded on the request
        desk.check_request(state, kept["request_id"])   # RequestNotFound before anything is queued
    with state.engine.begin() as conn:
        job_id = conn.execute(evidence_jobs.insert().values(
            requested_by=actor["name"], role=actor["role"], what=kept, state="queued",
            requested_at=now_ms())).inserted_primary_key[0]
    audit.record(state, actor["name"], "evidence.request", {"job": job_id, **kept})
    return get(state, actor, job_id)


def get(state: StateStore, actor: dict[str, Any], job_id: int) -> dict[str, Any]:
    """One job as the requester sees it: state, file name, SHA-256, error. Needs export_evidence."""
    require(actor, "export_evidence")
    with state.engine.connect() as conn:
        row = conn.execute(sa.select(evidence_jobs).where(evidence_jobs.c.id == int(job_id))).mappings().first()
    if row is None:
        raise NotFound(f"there is no evidence package request {job_id}")
    return _public(row)


def package(state: StateStore, actor: dict[str, Any], job_id: int) -> tuple[Path, str]:
    """(the package file, its SHA-256) of a built job; Conflict while it is not done."""
    job = get(state, actor, job_id)
    if job["state"] != "done":
        raise Conflict(f"evidence package request {job_id} is {job['state']}"
                       + (f": {job['error']}" if job["error"] else "; poll it until it is done"))
    with state.engine.connect() as conn:
        path = Path(conn.execute(sa.select(evidence_jobs.c.file).where(evidence_jobs.c.id == int(job_id))).scalar())
    if not path.is_file():
        raise NotFound(f"the package of request {job_id} is no longer in the evidence folder ({path.name})")
    return path, job["sha256"]


def claim(state: StateStore, worker: str) -> dict[str, Any] | None:
    """Take the oldest queued job for `worker` (running), or None when none is queued."""
    for _ in range(CLAIM_TRIES):
        with state.engine.connect() as conn:
            row = conn.execute(sa.select(evidence_jobs).where(evidence_jobs.c.state == "queued")
                               .order_by(evidence_jobs.c.id).limit(1)).mappings().first()
        if row is None:
            return None
        # its own transaction: a reader's snapshot would make SQLite refuse the write when
        # another worker wrote first; the WHERE on state decides who wins
        with state.engine.begin() as conn:
            won = conn.execute(evidence_jobs.update()
                               .where(evidence_jobs.c.id == row["id"], evidence_jobs.c.state == "queued")
                               .values(state="running", worker=worker, started_at=now_ms())).rowcount
        if won == 1:
            return {**dict(row), "state": "running", "worker": worker}
    return None


def requeue_orphans(state: StateStore, host: str) -> list[int]:
    """Queue again the running jobs of processes on `host` that no longer exist; their ids."""
    with state.engine.connect() as conn:
        running = conn.execute(sa.select(evidence_jobs.c.id, evidence_jobs.c.worker).where(
            evidence_jobs.c.state == "running", evidence_jobs.c.worker.like(f"{host}:%"))).all()
    orphans = []
    for job_id, worker in running:
        if not worker.startswith(f"{host}:"):         # LIKE's _ matches any character
            continue
        pid = worker[len(host) + 1:].split(":")[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            with state.engine.begin() as conn:
                if conn.execute(evidence_jobs.update().where(evidence_jobs.c.id == job_id,
                                                             evidence_jobs.c.worker == worker)
                                .values(state="queued", worker=None, started_at=None)).rowcount:
                    orphans.append(job_id)
    if orphans:
        log.warning("evidence package requests %s were being built by processes that ended: queued again", orphans)
    return orphans


def _finish(db: StateStore, job_id: int, **values: Any) -> None:
    with db.engine.begin() as conn:
        conn.execute(evidence_jobs.update().where(evidence_jobs.c.id == job_id).values(finished_at=now_ms(), **values))


def _still_allowed(state: StateStore, actor: dict[str, Any]) -> None:
    """A token revoked or expired since it asked gets nothing built."""
    from casegraph import tokens
    name = actor["name"]
    if name.startswith("token:"):
        row = tokens.get(state, name.removeprefix("token:"))
        if row is None or tokens.status(row) != "active":
            raise EvidenceError(f"the requesting token {name!r} is no longer active; nothing was built")


def build(state: StateStore, store, settings, job: dict[str, Any]) -> dict[str, Any]:
    """Build a claimed job's package as its requester; the job ends done or failed (with the
    error a requester may read; anything unexpected is logged and reported as internal)."""
    from casegraph import evidence
    what = job["what"]
    actor = {"name": job["requested_by"], "role": job["role"], "disabled": False}
    common = {"mask": what["masked"], "out_dir": evidence.export_dir(settings), "settings": settings}
    if "request_id" not in what:
        common.update(request_ref=what["request_ref"], agency=what["agency"])
    try:
        _still_allowed(state, actor)
        if "request_id" in what:
            built = evidence.build_request_package(state, store, actor, what["request_id"], since_ms=what["since_ms"],
                                                   until_ms=what["until_ms"], **common)
        elif "case_id" in what:
            built = evidence.build_case_package(state, store, actor, what["case_id"], **common)
        else:
            built = evidence.build_subject_package(state, store, actor, what["subject"], since_ms=what["since_ms"],
                                                   until_ms=what["until_ms"], **common)
    except CasegraphError as e:
        _finish(state, job["id"], state="failed", error=str(e)[:2000])
    except Exception:  # noqa: BLE001 - the job must end; the log has the traceback
        log.exception("evidence package request %s failed", job["id"])
        _finish(state, job["id"], state="failed", error="internal error; the server log has the details")
    else:
        _finish(state, job["id"], state="done", file=built["path"], sha256=built["sha256"])
    with state.engine.connect() as conn:
        return _public(conn.execute(sa.select(evidence_jobs).where(evidence_jobs.c.id == job["id"])).mappings().one())


def run_once(state: StateStore, store, settings, worker: str) -> dict[str, Any] | None:
    """Claim and build one queued job; None when there was none."""
    job = claim(state, worker)
    return build(state, store, settings, job) if job is not None else None


class Worker:
    """A thread that builds queued jobs one at a time: woken by wake() (a request in this
    process), else it looks every poll_s seconds (requests made in another process)."""

    def __init__(self, state, store, settings, poll_s: float = 2.0):
        self._open = (state, store)            # callables: opened on first use, as the API's context does
        self.settings = settings
        self.poll_s = poll_s
        self.name = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="evidence-worker", daemon=True)

    def start(self) -> "Worker":
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout_s: float = 60.0) -> None:
        """Stop after the job being built, if any."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        orphans_checked = False
        while not self._stop.is_set():
            try:
                state, store = self._open[0](), self._open[1]()
                if not orphans_checked:
                    requeue_orphans(state, socket.gethostname())
                    orphans_checked = True
                while not self._stop.is_set() and run_once(state, store, self.settings, self.name) is not None:
                    pass
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
                log.exception("evidence worker %s", self.name)
            self._wake.wait(self.poll_s)
            self._wake.clear()
