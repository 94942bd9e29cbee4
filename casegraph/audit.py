"""The audit log: who did what, when. Append-only (triggers refuse UPDATE and DELETE, and
on PostgreSQL TRUNCATE: casegraph/state.py) and tamper-evident on every database: each
entry stores the SHA-256 of the previous entry's hash followed by its own canonical JSON,
so changing or removing an entry breaks the chain from there on. Removing the newest
entries would leave a valid, shorter chain, so on SQLite the newest id and hash are also
kept outside the database, in a "head" file next to it (`<state file>.audit-head`), which
`check_head` compares; on other databases keep exported copies elsewhere to catch that."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from casegraph.errors import AuditError
from casegraph.exports import write_csv
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


TEXT_MAX = 4096          # characters of one text value an entry keeps (the rest: its length and digest)
DETAILS_MAX = 1_000_000  # characters of an entry's details, at most (a big case's element ids fit)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > TEXT_MAX:
        return f"{value[:TEXT_MAX]}… [cut: {len(value):,} characters, sha256 {_digest(value)}]"
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_cut(v) for v in value]
    return value


def bounded(details: dict[str, Any]) -> str:
    """An entry's details as stored: long texts (a 20 MB query) cut to their start, length and
    SHA-256, and details still too long kept as their start, length and SHA-256. What was
    asked stays provable from the digest without the log growing with every request."""
    text = canonical(_cut(details))
    if len(text) <= DETAILS_MAX:
        return text
    whole = canonical(details)
    return canonical({"cut": True, "chars": len(whole), "sha256": _digest(whole), "start": text[:TEXT_MAX]})


def record(state: StateStore, actor: str, action: str, details: dict[str, Any] | None = None) -> int:
    """Append one entry; returns its id."""
    return record_many(state, [(actor, action, details)])[0]


def record_many(state: StateStore, entries: list[tuple[str, str, dict[str, Any] | None]]) -> list[int]:
    """Append entries (actor, action, details) in this order, in one transaction and with one
    move of the head: how the API writes a batch of calls (casegraph/api/calls.py). Returns
    their ids."""
    if any(not actor or not action for actor, action, _ in entries):
        raise AuditError("an audit entry needs an actor and an action")
    if not entries:
        return []
    stored = [(actor, action, bounded(details or {})) for actor, action, details in entries]
    for attempt in range(_RETRIES):
        try:
            ids: list[int] = []
            with state.engine.begin() as conn:
                # one append at a time: each links to the one before it (without this, writers that
                # read the same tail collide on the next id and retry; under many writers, on
                # PostgreSQL or SQLite alike, one could lose all its retries)
                state.dialect.serialize(conn, "audit_log")
                last = conn.execute(sa.select(audit_log.c.id, audit_log.c.hash)
                                    .order_by(audit_log.c.id.desc()).limit(1)).first()
                entry_id, prev = (last.id, last.hash) if last else (0, GENESIS)
                at = now_ms()
                rows = []
                for actor, action, details_json in stored:
                    entry_id += 1
                    prev = entry_hash(prev, entry_id, at, actor, action, details_json)
                    rows.append({"id": entry_id, "at": at, "actor": actor, "action": action,
                                 "details": details_json, "prev_hash": rows[-1]["hash"] if rows else
                                 (last.hash if last else GENESIS), "hash": prev})
                    ids.append(entry_id)
                conn.execute(audit_log.insert(), rows)
            _advance_head(state, ids[-1], prev)
            return ids
        except (sa.exc.IntegrityError, sa.exc.OperationalError):
            # another writer took this id (or held the lock): back off a little, read the new tail, retry
            time.sleep(random.uniform(0, 0.005) * (attempt + 1))
    raise AuditError(f"could not append to the audit log after {_RETRIES} attempts (too many writers)")


def head_file(state: StateStore) -> Path | None:
    """Where the newest entry's id and hash are kept outside the database: the setting
    audit_head (a file every app instance reaches, for a PostgreSQL state store), else beside
    a SQLite state file; None for a server database without the setting."""
    from casegraph.settings import Settings
    configured = Settings.load().audit_head
    if configured:
        return Path(configured)
    url = state.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database + ".audit-head")


def _signing_settings(path: Path):
    """The settings that locate the signing key (CASEGRAPH_SIGNING_KEY, else the key beside
    the SQLite state file the head lies next to), as evidence signing finds it."""
    from casegraph.settings import Settings
    if path.name.endswith(".audit-head"):
        return Settings.load(state=f"sqlite:///{str(path)[: -len('.audit-head')]}")
    return Settings.load()


def _signed_head(path: Path, entry_id: int, entry_hash_: str) -> str:
    from casegraph import signing
    body = {"id": entry_id, "hash": entry_hash_}
    return canonical({**body, **signing.sign(_signing_settings(path), canonical(body).encode("utf-8"))})


def _advance_head(state: StateStore, entry_id: int, entry_hash_: str) -> None:
    """Move the head forward to (entry_id, hash), signed with the deployment's key (so that
    recomputing the chain cannot be followed by rewriting the head); never back (writers may
    finish out of order)."""
    path = head_file(state)
    if path is None:
        return
    signed = _signed_head(path, entry_id, entry_hash_)
    with open(path, "a+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        try:
            current = json.loads(f.read() or "{}").get("id", 0)
        except ValueError:
            current = 0
        if entry_id > current:
            f.seek(0)
            f.truncate()
            f.write(signed)
            f.flush()
            os.fsync(f.fileno())


def check_head(state: StateStore) -> str | None:
    """None when the log still ends where the head file says it did; else what is wrong."""
    from casegraph import signing
    path = head_file(state)
    if path is None:
        return None
    if not path.exists():
        if count(state):
            return (f"the audit head file {path} is missing: the newest entries can no longer be checked "
                    "(it is written with every entry; someone removed it)")
        return None
    try:
        head = json.loads(path.read_text(encoding="utf-8"))
        head_id, head_hash = int(head["id"]), str(head["hash"])
    except (ValueError, KeyError, TypeError):
        return f"the audit head file {path} is unreadable"
    why = signing.check(head, canonical({"id": head_id, "hash": head_hash}).encode("utf-8"),
                        signing.public_keys(_signing_settings(path)))
    if why:
        return f"the audit head file {path} is not signed by this deployment's key: {why}"
    with state.engine.connect() as conn:
        row = conn.execute(sa.select(audit_log.c.hash).where(audit_log.c.id == head_id)).first()
        last = conn.execute(sa.select(sa.func.max(audit_log.c.id))).scalar() or 0
    if row is None:
        return (f"entries {last + 1}..{head_id} were removed: the log ends at entry {last}, "
                f"but entry {head_id} had been written ({path})")
    if row.hash != head_hash:
        return f"entry {head_id} differs from the hash recorded in {path}"
    return None


def _where(q, since: int | None, actor: str | None, action: str | None):
    if since is not None:
        q = q.where(audit_log.c.at >= since)
    if actor:
        q = q.where(audit_log.c.actor == actor)
    if action:
        q = q.where(audit_log.c.action == action)
    return q


def entries(state: StateStore, since: int | None = None, actor: str | None = None,
            action: str | None = None, limit: int | None = None, newest_first: bool = False) -> list[dict[str, Any]]:
    """Entries filtered by time (epoch ms, inclusive), actor and action; oldest first, or
    the newest `limit` first with `newest_first`."""
    q = _where(sa.select(audit_log), since, actor, action)
    q = q.order_by(audit_log.c.id.desc() if newest_first else audit_log.c.id)
    if limit:
        q = q.limit(limit)
    with state.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    for r in rows:
        r["details"] = json.loads(r["details"])
    return rows


def count(state: StateStore, since: int | None = None, actor: str | None = None, action: str | None = None) -> int:
    """How many entries the same filters as `entries` match."""
    q = _where(sa.select(sa.func.count()).select_from(audit_log), since, actor, action)
    with state.engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


def known(state: StateStore, column: str) -> list[str]:
    """The distinct actors ("actor") or actions ("action") in the log, sorted (for filter menus)."""
    if column not in ("actor", "action"):
        raise AuditError(f"the audit log is filtered by actor or action, not {column!r}")
    col = audit_log.c[column]
    with state.engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.select(col).distinct().order_by(col))]


def verify_chain(state: StateStore) -> int | None:
    """The id of the first entry whose hash or link does not match, or None when intact."""
    return check(state).broken_at


@dataclass(frozen=True)
class ChainCheck:
    """The hash chain recomputed over the whole log (one pass), and the head kept outside it."""
    entries: int
    broken_at: int | None           # the first entry that does not match, if any
    head: str | None                # what the head file says is wrong (newest entries removed), if anything

    @property
    def intact(self) -> bool:
        return self.broken_at is None and self.head is None


def check(state: StateStore) -> ChainCheck:
    """Recompute the chain and compare the head file: how many entries, and where it breaks."""
    prev, expected_id, n, broken = GENESIS, 1, 0, None
    with state.engine.connect() as conn:
        for r in conn.execute(sa.select(audit_log).order_by(audit_log.c.id)).mappings():
            n += 1
            if broken is not None:
                continue
            try:
                ok = (r["id"] == expected_id and r["prev_hash"] == prev and
                      r["hash"] == entry_hash(prev, r["id"], r["at"], r["actor"], r["action"], r["details"]))
            except (ValueError, TypeError):  # details no longer JSON
                ok = False
            if not ok:
                broken = r["id"]
            prev, expected_id = r["hash"], r["id"] + 1
    return ChainCheck(n, broken, check_head(state) if broken is None else None)


def export(state: StateStore, fmt: str = "jsonl") -> str:
    """The whole log, oldest first, with hashes so a copy can be verified on its own."""
    if fmt not in EXPORT_FORMATS:
        raise AuditError(f"unknown export format {fmt!r}; formats: {', '.join(EXPORT_FORMATS)}")
    rows = entries(state)
    if fmt == "jsonl":
        return "".join(canonical(r) + "\n" for r in rows)
    return write_csv(({**r, "details": canonical(r["details"])} for r in rows), [c.name for c in audit_log.c])


def export_for(state: StateStore, actor: dict[str, Any], fmt: str = "jsonl") -> str:
    """The whole log as `export` writes it, for `actor` (who needs export_audit); the export
    itself is then recorded (the copy ends at the entry before that record)."""
    from casegraph.permissions import require
    require(actor, "export_audit")
    text = export(state, fmt)
    record(state, actor["name"], "audit.export", {"format": fmt, "entries": text.count("\n") - (fmt == "csv")})
    return text
