"""Logins: throttling attempts, and the server-side record of the sessions they start.

Throttling is counted atomically in the state store, so that every process and
thread on one state store counts the same attempts.

Before a password is checked, `begin` takes a slot under a lock (the attempt is written
as "pending"), counting the attempts of the last WINDOW_MINUTES that were checked or are
being checked; `finish` records the outcome. Sixty concurrent guesses therefore check at
most the free attempts, not whatever got past a count read before the others were written.

Three counts, each answering one attack, and none locking a user out:
- the name from one client address: NAME_FREE free failures, then a back-off that doubles
  per failure, at most BACKOFF_MAX_S (one guesser, one account);
- the name from any address: NAME_ANY_FREE, then the same back-off (guessing one account
  from many addresses);
- the address for any name: ADDRESS_MAX checked failures, then that address is refused
  until the window has passed (password spraying).
The real user, even while someone guesses, waits at most BACKOFF_MAX_S; a back-off, not a
lock-out. Behind a reverse proxy every client has the proxy's address: have the proxy set
X-Forwarded-For and run with a trusted-proxy setting (see docs/deployment.md).

Sessions: the UI's signed cookie carries a random session id; the state store keeps its
SHA-256 and whether it has ended. Logging out (or an idle, expired or disabled session)
ends it there, so a copy of the cookie taken before stops working at once."""
from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from casegraph.state import StateStore, login_attempts, now_ms, ui_sessions

WINDOW_MINUTES = 15
NAME_FREE = 5
NAME_ANY_FREE = 50
ADDRESS_MAX = 100
BACKOFF_MAX_S = 60


@dataclass(frozen=True)
class Slot:
    """A login attempt allowed to check a password (`attempt` is its row id), or refused:
    `attempt` None, `wait_s` seconds to wait and `reason`."""
    attempt: int | None
    wait_s: int = 0
    reason: str = ""


def backoff_s(failures: int, free: int) -> float:
    """Seconds to wait after the last attempt once `failures` reached `free`: 1, 2, 4, ... at
    most BACKOFF_MAX_S; none below `free`."""
    if failures < free:
        return 0.0
    return float(min(2 ** (failures - free), BACKOFF_MAX_S))


def begin(state: StateStore, name: str, address: str, now: int | None = None) -> Slot:
    """A slot to check a password for `name` from `address`, or the refusal and how long to wait."""
    now = now_ms() if now is None else now
    since = now - WINDOW_MINUTES * 60_000
    counted = sa.and_(login_attempts.c.at >= since, login_attempts.c.outcome != "ok")
    with state.engine.begin() as conn:
        state.dialect.serialize(conn, "login_attempts")

        def tally(*where) -> tuple[int, int]:
            row = conn.execute(sa.select(sa.func.count(), sa.func.max(login_attempts.c.at))
                               .where(counted, *where)).first()
            return int(row[0] or 0), int(row[1] or 0)
        by_address, _ = tally(login_attempts.c.address == address)
        if by_address >= ADDRESS_MAX:
            return Slot(None, WINDOW_MINUTES * 60, "too many failed logins from this address")
        for free, where in ((NAME_FREE, (login_attempts.c.name == name, login_attempts.c.address == address)),
                            (NAME_ANY_FREE, (login_attempts.c.name == name,))):
            failures, last = tally(*where)
            wait_ms = backoff_s(failures, free) * 1000 - max(now - last, 0)
            if failures >= free and wait_ms > 0:
                return Slot(None, math.ceil(wait_ms / 1000), f"too many failed logins for {name}")
        attempt = conn.execute(login_attempts.insert().values(
            name=name, address=address, at=now, outcome="pending")).inserted_primary_key[0]
    return Slot(int(attempt))


def finish(state: StateStore, attempt: int, ok: bool) -> None:
    """Record whether the password checked in `attempt` was right."""
    with state.engine.begin() as conn:
        conn.execute(login_attempts.update().where(login_attempts.c.id == attempt)
                     .values(outcome="ok" if ok else "failed"))



def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start_session(state: StateStore, name: str) -> str:
    """A new session id for `name` (kept in the signed cookie; the state store keeps its hash)."""
    session_id = secrets.token_urlsafe(32)
    with state.engine.begin() as conn:
        conn.execute(ui_sessions.insert().values(id_hash=_hash(session_id), name=name, started_at=now_ms()))
    return session_id


def session_active(state: StateStore, session_id: str | None, name: str) -> bool:
    """Whether `session_id` was started for `name` and has not ended."""
    if not session_id:
        return False
    with state.engine.connect() as conn:
        row = conn.execute(sa.select(ui_sessions.c.name, ui_sessions.c.ended_at)
                           .where(ui_sessions.c.id_hash == _hash(session_id))).first()
    return row is not None and row.name == name and row.ended_at is None


def end_session(state: StateStore, session_id: str | None) -> None:
    """End a session for good (logging out); ending it twice is not an error."""
    if session_id:
        with state.engine.begin() as conn:
            conn.execute(ui_sessions.update().where(ui_sessions.c.id_hash == _hash(session_id),
                                                    ui_sessions.c.ended_at.is_(None)).values(ended_at=now_ms()))
