"""The audit log: who did what, when. Append-only (SQLite triggers refuse UPDATE and
DELETE) and tamper-evident on every database: each entry stores the SHA-256 of the
previous entry's hash followed by its own canonical JSON, so changing or removing an
entry breaks the chain from there on. (Removing the newest entries leaves a valid,
shorter chain; keep exported copies or the latest hash elsewhere to catch that.)"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import time
from typing import Any

import sqlalchemy as sa

from casegraph.errors import AuditError
from casegraph.state import StateStore, audit_log, now_ms

GENESIS = "0" * 64
EXPORT_FORMATS = ("jsonl", "csv")
_RETRIES = 20


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, entry_id: int, at: int, actor: str, action: str, details_json: str) -> str:
    body = canonical({"id": entry_id, "at": at, "actor": actor, "action": action,
                      "details": json.loads(details_json)})
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def record(state: StateStore, actor: str, action: str, details: dict[str, Any] | None = None) -> int:
    """Append one entry; returns its id."""
    if not actor or not action:
        raise AuditError("an audit entry needs an actor and an action")
    details_json = canonical(details or {})
    for attempt in range(_RETRIES):
        try:
            with state.engine.begin() as conn:
                last = conn.execute(sa.select(audit_log.c.id, audit_log.c.hash)
                                    .order_by(audit_log.c.id.desc()).limit(1)).first()
                entry_id, prev = (last.id + 1, last.hash) if last else (1, GENESIS)
                at = now_ms()
                conn.execute(audit_log.insert().values(
                    id=entry_id, at=at, actor=actor, action=action, details=details_json, prev_hash=prev,
                    hash=entry_hash(prev, entry_id, at, actor, action, details_json)))
            return entry_id
        except (sa.exc.IntegrityError, sa.exc.OperationalError):
            # another writer took this id (or held the lock): back off a little, read the new tail, retry
            time.sleep(random.uniform(0, 0.005) * (attempt + 1))
    raise AuditError(f"could not append to the audit log after {_RETRIES} attempts (too many writers)")


def entries(state: StateStore, since: int | None = None, actor: str | None = None,
            action: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Entries oldest first, filtered by time (epoch ms, inclusive), actor and action."""
    q = sa.select(audit_log).order_by(audit_log.c.id)
    if since is not None:
        q = q.where(audit_log.c.at >= since)
    if actor:
        q = q.where(audit_log.c.actor == actor)
    if action:
        q = q.where(audit_log.c.action == action)
    if limit:
        q = q.limit(limit)
    with state.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    for r in rows:
        r["details"] = json.loads(r["details"])
    return rows


def verify_chain(state: StateStore) -> int | None:
    """The id of the first entry whose hash or link does not match, or None when intact."""
    prev, expected_id = GENESIS, 1
    with state.engine.connect() as conn:
        for r in conn.execute(sa.select(audit_log).order_by(audit_log.c.id)).mappings():
            try:
                ok = (r["id"] == expected_id and r["prev_hash"] == prev and
                      r["hash"] == entry_hash(prev, r["id"], r["at"], r["actor"], r["action"], r["details"]))
            except (ValueError, TypeError):  # details no longer JSON
                ok = False
            if not ok:
                return r["id"]
            prev, expected_id = r["hash"], r["id"] + 1
    return None


def export(state: StateStore, fmt: str = "jsonl") -> str:
    """The whole log, oldest first, with hashes so a copy can be verified on its own."""
    if fmt not in EXPORT_FORMATS:
        raise AuditError(f"unknown export format {fmt!r}; formats: {', '.join(EXPORT_FORMATS)}")
    rows = entries(state)
    if fmt == "jsonl":
        return "".join(canonical(r) + "\n" for r in rows)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[c.name for c in audit_log.c], lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({**r, "details": canonical(r["details"])})
    return buf.getvalue()
