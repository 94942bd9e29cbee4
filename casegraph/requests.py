"""The law-enforcement request desk: a register of incoming requests (agency, country,
reference, legal basis, received and deadline times, priority, subjects, the ask), their
workflow (received -> in_progress -> responded | declined -> closed), assignee, notes, the
evidence packages sent in answer (several per request: partial responses, each with its
SHA-256) and a case made from a request. Subjects are resolved against the graph; unknown
ones are listed as such, never dropped. Every change checks the permission first and is
audited, as in casegraph/cases.py. Times are epoch ms; docs/le-desk.md describes the desk."""
from __future__ import annotations

import re
from typing import Any, Iterable

import sqlalchemy as sa

from casegraph import audit, cases, explore, graph
from casegraph.errors import QueryError, RequestError, RequestNotFound, required_text
from casegraph.permissions import require
from casegraph.state import (StateStore, append_note, for_update, le_request_history, le_request_notes,
                             le_request_packages, le_request_subjects, le_requests, now_ms)

STATUSES = ("received", "in_progress", "responded", "declined", "closed")
MOVES: dict[str, tuple[str, ...]] = {
    "received": ("in_progress", "declined"),
    "in_progress": ("responded", "declined"),
    "responded": ("closed",),
    "declined": ("closed",),
    "closed": (),
}
ANSWERED = ("responded", "declined", "closed")     # no longer overdue
PRIORITIES = ("low", "normal", "high", "urgent")
DUE_SOON_MS = 48 * 3_600_000         # a deadline within this long is "due soon"
TX = "tx"                            # subject prefix of a transaction hash: "tx:<hash>"
TRANSACTIONS = "request_transactions"    # cypher/cases/: transfers carrying given hashes
FIELDS = ("agency", "country", "reference", "legal_basis", "ask")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


# ---- checks -------------------------------------------------------------------------------

def parse_subject(subject: str) -> tuple[str, str]:
    """("Account", "A1") from "Account:A1", (TX, hash) from "tx:<hash>"; RequestError for
    anything else (labels only from the model)."""
    text = (subject or "").strip()
    if text.startswith(f"{TX}:"):
        key = text[len(TX) + 1:].strip()
        if not key:
            raise RequestError(f"subject {subject!r}: a transaction hash after {TX}:")
        return TX, key
    try:
        return explore.parse_node_id(text)
    except QueryError as e:
        raise RequestError(f"subject {subject!r}: {e} (or {TX}:<hash> for a transaction)") from None


def _subjects(subjects: Iterable[str]) -> list[str]:
    out = []
    for s in dict.fromkeys(str(x).strip() for x in subjects):
        label, key = parse_subject(s)
        out.append(f"{label}:{key}")
    return list(dict.fromkeys(out))


def _row(conn, request_id: int, lock: bool = False) -> dict[str, Any]:
    q = sa.select(le_requests).where(le_requests.c.id == request_id)
    row = conn.execute(for_update(conn, q) if lock else q).mappings().first()
    if row is None:
        raise RequestNotFound(f"there is no request {request_id}")
    return dict(row)


def check_request(state: StateStore, request_id: int) -> None:
    """RequestNotFound unless the request exists."""
    with state.engine.connect() as conn:
        _row(conn, int(request_id))


def flags(row: dict[str, Any], at: int) -> dict[str, bool]:
    """overdue: past the deadline and not answered (responded, declined or closed); due_soon:
    not answered, not overdue, and the deadline within DUE_SOON_MS."""
    open_ = row["status"] not in ANSWERED
    overdue = open_ and at > row["deadline_at"]
    return {"overdue": overdue, "due_soon": open_ and not overdue and row["deadline_at"] - at <= DUE_SOON_MS}


# ---- changes ------------------------------------------------------------------------------

def add(state: StateStore, actor: dict[str, Any], *, agency: str, country: str, reference: str,
        legal_basis: str, received_at: int, deadline_at: int, priority: str = "normal",
        subjects: Iterable[str] = (), ask: str = "", assignee: str | None = None, now: int | None = None) -> int:
    """Record an incoming request (status received). Returns its id."""
    require(actor, "manage_requests")
    values = {k: (v or "").strip() for k, v in (("agency", agency), ("country", country), ("reference", reference),
                                                ("legal_basis", legal_basis), ("ask", ask))}
    missing = [k for k in FIELDS if k != "ask" and not values[k]]
    if missing:
        raise RequestError(f"a request needs {', '.join(missing)}")
    if priority not in PRIORITIES:
        raise RequestError(f"unknown priority {priority!r}; priorities: {', '.join(PRIORITIES)}")
    received_at, deadline_at = int(received_at), int(deadline_at)
    if deadline_at <= received_at:
        raise RequestError("the response deadline must be after the time the request was received")
    subjects = _subjects(subjects)
    assignee = cases.check_assignee(state, assignee)
    at = now if now is not None else now_ms()
    with state.engine.begin() as conn:
        request_id = conn.execute(le_requests.insert().values(
            **values, received_at=received_at, deadline_at=deadline_at, priority=priority, status="received",
            assignee=assignee, created_by=actor["name"], created_at=at, updated_at=at)).inserted_primary_key[0]
        if subjects:
            conn.execute(le_request_subjects.insert(), [{"request_id": request_id, "subject": s} for s in subjects])
        conn.execute(le_request_history.insert().values(request_id=request_id, actor=actor["name"], at=at,
                                                        from_status=None, to_status="received", reason="recorded"))
    audit.record(state, actor["name"], "request.add",
                 {"request_id": request_id, **values, "received_at": received_at, "deadline_at": deadline_at,
                  "priority": priority, "subjects": subjects, "assignee": assignee})
    return request_id


def set_status(state: StateStore, actor: dict[str, Any], request_id: int, to_status: str,
               reason: str | None = None, *, now: int | None = None) -> None:
    """Move a request (MOVES). Declining needs a reason; responding records responded_at."""
    require(actor, "manage_requests")
    if to_status not in STATUSES:
        raise RequestError(f"unknown status {to_status!r}; statuses: {', '.join(STATUSES)}")
    reason = (reason or "").strip()
    if to_status == "declined" and not reason:
        raise RequestError("declining a request needs a reason")
    at = now if now is not None else now_ms()
    with state.engine.begin() as conn:
        row = _row(conn, request_id, lock=True)
        frm = row["status"]
        if to_status not in MOVES[frm]:
            allowed = ", ".join(MOVES[frm]) or "none (closed is final)"
            raise RequestError(f"request {request_id} is {frm}: it can move to {allowed}, not {to_status}")
        values: dict[str, Any] = {"status": to_status, "updated_at": at}
        if to_status == "responded":
            values["responded_at"] = at
        if to_status == "declined":
            values["decline_reason"] = reason
        conn.execute(le_requests.update().where(le_requests.c.id == request_id).values(**values))
        conn.execute(le_request_history.insert().values(request_id=request_id, actor=actor["name"], at=at,
                                                        from_status=frm, to_status=to_status, reason=reason))
    audit.record(state, actor["name"], "request.status",
                 {"request_id": request_id, "from": frm, "to": to_status, "reason": reason})


def assign(state: StateStore, actor: dict[str, Any], request_id: int, name: str | None) -> None:
    """Give a request to a user (an enabled user's name), or to nobody (None or "")."""
    require(actor, "manage_requests")
    name = cases.check_assignee(state, name)
    with state.engine.begin() as conn:
        before = _row(conn, request_id, lock=True)["assignee"]
        conn.execute(le_requests.update().where(le_requests.c.id == request_id)
                     .values(assignee=name, updated_at=now_ms()))
    audit.record(state, actor["name"], "request.assign", {"request_id": request_id, "from": before, "to": name})


def add_note(state: StateStore, actor: dict[str, Any], request_id: int, text: str) -> None:
    """Append a note to a request."""
    require(actor, "manage_requests")
    text = required_text(text, "a note needs some text", RequestError)
    at = now_ms()
    with state.engine.begin() as conn:
        _row(conn, request_id, lock=True)
        append_note(conn, le_request_notes, le_requests, request_id, actor["name"], at, text)
    audit.record(state, actor["name"], "request.note", {"request_id": request_id, "text": text})


def record_package(state: StateStore, actor: dict[str, Any], request_id: int, file: str, sha256: str,
                   evidence_job_id: int | None = None) -> int:
    """Record an evidence package sent in answer (one of several: partial responses) with its
    SHA-256. Returns the package record's id."""
    require(actor, "manage_requests")
    file, digest = (file or "").strip(), (sha256 or "").strip().lower()
    if not file:
        raise RequestError("a package needs its file name")
    if not _SHA256.match(digest):
        raise RequestError(f"{sha256!r} is not a SHA-256 (64 hex digits)")
    at = now_ms()
    with state.engine.begin() as conn:
        _row(conn, request_id, lock=True)
        package_id = conn.execute(le_request_packages.insert().values(
            request_id=request_id, file=file, sha256=digest, evidence_job_id=evidence_job_id,
            recorded_by=actor["name"], recorded_at=at)).inserted_primary_key[0]
        conn.execute(le_requests.update().where(le_requests.c.id == request_id).values(updated_at=at))
    audit.record(state, actor["name"], "request.package",
                 {"request_id": request_id, "package_id": package_id, "file": file, "sha256": digest,
                  "evidence_job_id": evidence_job_id})
    return package_id


def record_job_package(state: StateStore, actor: dict[str, Any], request_id: int, job_id: int) -> int:
    """Record a finished evidence job (casegraph/evidence_jobs.py) as a package of the request."""
    from casegraph import evidence_jobs
    job = evidence_jobs.get(state, actor, int(job_id))
    if job["state"] != "done" or not job.get("sha256"):
        raise RequestError(f"evidence job {job_id} is {job['state']}: only a finished package can be recorded")
    return record_package(state, actor, request_id, job["file"], job["sha256"], evidence_job_id=int(job_id))


# ---- the graph ----------------------------------------------------------------------------

def resolve(store, subjects: Iterable[str]) -> list[dict[str, Any]]:
    """Each subject as the graph has it now: {subject, label, key, found, node_ids} (node_ids:
    the node itself, or for a transaction both of its parties); found False for one the
    graph does not have, which stays in the list."""
    parsed = [(s, *parse_subject(s)) for s in subjects]
    node_subjects = [s for s, label, _ in parsed if label != TX]
    _, missing = explore.nodes(store, node_subjects) if node_subjects else ([], [])
    hashes = [key for _, label, key in parsed if label == TX]
    parties: dict[str, list[str]] = {}
    if hashes:
        for r in store.read(TRANSACTIONS, {"hashes": hashes}, row_limit=None).rows:
            ids = [graph.node_element_id(n) for n in (r["s"], r["t"])]
            parties.setdefault(r["tx_hash"], []).extend(i for i in ids if i)
    out = []
    for s, label, key in parsed:
        ids = list(dict.fromkeys(parties.get(key, []))) if label == TX else ([] if s in missing else [s])
        out.append({"subject": s, "label": "transaction" if label == TX else label, "key": key,
                    "found": bool(ids), "node_ids": ids})
    return out


def case_from_request(state: StateStore, store, actor: dict[str, Any], request_id: int) -> int:
    """A case from a request: the subjects the graph has (for a transaction, its parties) and
    what links them, titled after the request; the subjects it does not have are noted in the
    case. The request keeps the case's id."""
    require(actor, "view_requests")
    require(actor, "change_case")
    req = get(state, request_id)
    if req["case_id"] is not None:
        raise RequestError(f"request {request_id} already has case {req['case_id']}")
    found = resolve(store, req["subjects"])
    node_ids = list(dict.fromkeys(n for s in found for n in s["node_ids"]))
    if not node_ids:
        raise RequestError(f"none of request {request_id}'s subjects is in the graph")
    title = f"LE request {request_id}: {req['agency']} {req['reference']}"
    picked = cases.add_selection(state, store, actor, None, node_ids, title)
    case_id = picked["case_id"]
    unknown = [s["subject"] for s in found if not s["found"]]
    if unknown:
        cases.add_note(state, actor, case_id, f"request subjects not in the graph: {', '.join(unknown)}")
    with state.engine.begin() as conn:
        conn.execute(le_requests.update().where(le_requests.c.id == request_id)
                     .values(case_id=case_id, updated_at=now_ms()))
    audit.record(state, actor["name"], "request.case", {"request_id": request_id, "case_id": case_id,
                                                        "node_ids": node_ids, "unknown": unknown})
    return case_id


# ---- reading ------------------------------------------------------------------------------

def get(state: StateStore, request_id: int, *, now: int | None = None) -> dict[str, Any]:
    """A request with its subjects, notes, history, packages and flags."""
    at = now if now is not None else now_ms()
    with state.engine.connect() as conn:
        req = _row(conn, int(request_id))
        by = lambda t: conn.execute(sa.select(t).where(t.c.request_id == req["id"])  # noqa: E731
                                    .order_by(t.c.id)).mappings().all()
        req["subjects"] = [r["subject"] for r in by(le_request_subjects)]
        req["notes"] = [{"author": r["author"], "at": r["at"], "text": r["text"]} for r in by(le_request_notes)]
        req["history"] = [{"actor": r["actor"], "at": r["at"], "from_status": r["from_status"],
                           "to_status": r["to_status"], "reason": r["reason"]} for r in by(le_request_history)]
        req["packages"] = [{k: r[k] for k in ("id", "file", "sha256", "evidence_job_id", "recorded_by",
                                              "recorded_at")} for r in by(le_request_packages)]
    return {**req, **flags(req, at)}


def queue(state: StateStore, *, status: str | None = None, overdue: bool = False, assignee: str | None = None,
          limit: int | None = None, offset: int = 0, now: int | None = None) -> list[dict[str, Any]]:
    """Requests by deadline, soonest first, with their overdue and due_soon flags; `status`
    None is every status; `overdue` only the overdue ones."""
    if status is not None and status not in STATUSES:
        raise RequestError(f"unknown status {status!r}; statuses: {', '.join(STATUSES)}")
    at = now if now is not None else now_ms()
    where = ([le_requests.c.status == status] if status else []) + \
            ([le_requests.c.assignee == assignee] if assignee else []) + \
            ([le_requests.c.status.not_in(ANSWERED), le_requests.c.deadline_at < at] if overdue else [])
    n_subjects = (sa.select(sa.func.count()).where(le_request_subjects.c.request_id == le_requests.c.id)
                  .scalar_subquery())
    q = (sa.select(le_requests, n_subjects.label("subjects")).where(*where)
         .order_by(le_requests.c.deadline_at, le_requests.c.id).limit(limit).offset(offset))
    with state.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    return [{**r, **flags(r, at)} for r in rows]
