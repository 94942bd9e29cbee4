"""Freeze orders: an amount of an asset frozen on an account or a wallet, by whom, on which
law-enforcement request or case, until when (or until lifted), lifted with a reason. An
active freeze on the sender holds every transfer the transfer check sees from that account
(`hold`), and the remediation CSV carries freezes and lifts for the systems that enforce them
(`csv_rows`). Recording and lifting need record_freeze and are audited; docs/le-desk.md."""
from __future__ import annotations

from typing import Any, Iterable

import sqlalchemy as sa

from casegraph import audit, cases, graph
from casegraph import requests as desk
from casegraph.errors import FreezeError, FreezeNotFound, required_text
from casegraph.permissions import require
from casegraph.state import StateStore, for_update, freezes, now_ms
from casegraph.times import iso

TARGETS = ("Account", "Wallet")
FREEZE_HOLD = 1.0          # the score of a transfer held because its sender is frozen


def _target(target: str) -> str:
    try:
        label, key = graph.split_node_id((target or "").strip())
    except ValueError:
        label, key = "", ""
    if label not in TARGETS or not key.strip():
        raise FreezeError(f"a freeze is on an account or a wallet (Account:<id>, Wallet:<address>), not {target!r}")
    return graph.node_id(label, key.strip())


def record(state: StateStore, actor: dict[str, Any], target: str, amount: float, asset: str, *,
           request_id: int | None = None, case_id: int | None = None, until: int | None = None,
           reason: str = "", now: int | None = None) -> int:
    """Record a freeze order on `target` ("Account:<id>" or "Wallet:<address>") on a request
    or a case (or both), until `until` (epoch ms; None: until lifted). Returns its id."""
    require(actor, "record_freeze")
    target = _target(target)
    asset = (asset or "").strip().upper()
    if not asset:
        raise FreezeError("a freeze needs the asset frozen")
    try:
        amount = float(amount)
    except (TypeError, ValueError):
        raise FreezeError(f"the amount frozen must be a number, not {amount!r}") from None
    if not amount > 0 or amount == float("inf"):
        raise FreezeError(f"the amount frozen must be above 0, not {amount}")
    if request_id is None and case_id is None:
        raise FreezeError("a freeze is recorded on a request or a case: give one (or both)")
    if request_id is not None:
        desk.check_request(state, int(request_id))
    if case_id is not None:
        cases.check_cases(state, [int(case_id)])
    at = now if now is not None else now_ms()
    if until is not None and int(until) <= at:
        raise FreezeError(f"a freeze until {iso(int(until))} would already have ended")
    values = {"target": target, "amount": amount, "asset": asset, "request_id": request_id, "case_id": case_id,
              "until_at": None if until is None else int(until), "reason": (reason or "").strip()}
    with state.engine.begin() as conn:
        freeze_id = conn.execute(freezes.insert().values(**values, frozen_by=actor["name"], frozen_at=at)
                                 ).inserted_primary_key[0]
    audit.record(state, actor["name"], "freeze.record", {"freeze_id": freeze_id, **values})
    return freeze_id


def lift(state: StateStore, actor: dict[str, Any], freeze_id: int, reason: str) -> None:
    """Lift a freeze, with a reason (the row stays, with who lifted it and when)."""
    require(actor, "record_freeze")
    reason = required_text(reason, "lifting a freeze needs a reason", FreezeError)
    at = now_ms()
    with state.engine.begin() as conn:
        row = conn.execute(for_update(conn, sa.select(freezes).where(freezes.c.id == int(freeze_id)))
                           ).mappings().first()
        if row is None:
            raise FreezeNotFound(f"there is no freeze {freeze_id}")
        if row["lifted_at"] is not None:
            raise FreezeError(f"freeze {freeze_id} was lifted already (by {row['lifted_by']})")
        conn.execute(freezes.update().where(freezes.c.id == int(freeze_id))
                     .values(lifted_by=actor["name"], lifted_at=at, lift_reason=reason))
    audit.record(state, actor["name"], "freeze.lift", {"freeze_id": int(freeze_id), "target": row["target"],
                                                       "reason": reason})


def _is_active(row: dict[str, Any], at: int) -> bool:
    return row["lifted_at"] is None and (row["until_at"] is None or row["until_at"] > at)


def get(state: StateStore, freeze_id: int, *, now: int | None = None) -> dict[str, Any]:
    """One freeze, with `active`."""
    with state.engine.connect() as conn:
        row = conn.execute(sa.select(freezes).where(freezes.c.id == int(freeze_id))).mappings().first()
    if row is None:
        raise FreezeNotFound(f"there is no freeze {freeze_id}")
    return {**row, "active": _is_active(dict(row), now if now is not None else now_ms())}


def list_freezes(state: StateStore, *, targets: Iterable[str] | None = None, active_only: bool = False,
                 request_id: int | None = None, case_id: int | None = None,
                 now: int | None = None) -> list[dict[str, Any]]:
    """Freezes, oldest first, each with `active` (not lifted, not past its until); only those on
    `targets`, on a request or case, or only the active ones when asked."""
    at = now if now is not None else now_ms()
    q = sa.select(freezes).order_by(freezes.c.id)
    if targets is not None:
        q = q.where(freezes.c.target.in_(list(targets)))
    if request_id is not None:
        q = q.where(freezes.c.request_id == int(request_id))
    if case_id is not None:
        q = q.where(freezes.c.case_id == int(case_id))
    if active_only:
        q = q.where(freezes.c.lifted_at.is_(None), sa.or_(freezes.c.until_at.is_(None), freezes.c.until_at > at))
    with state.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    return [{**r, "active": _is_active(r, at)} for r in rows]


def active(state: StateStore, target: str | None = None, *, now: int | None = None) -> list[dict[str, Any]]:
    """The active freezes on `target`, or on everything."""
    return list_freezes(state, targets=None if target is None else [_target(target)], active_only=True, now=now)


def frozen_targets(state: StateStore, targets: Iterable[str], *, now: int | None = None) -> set[str]:
    """Which of these node ids have an active freeze (the explorer and search mark them)."""
    wanted = sorted(set(targets))
    return {f["target"] for f in list_freezes(state, targets=wanted, active_only=True, now=now)} if wanted else set()


def describe(row: dict[str, Any]) -> str:
    """"freeze 3: 100 USDT on request 5, until 2026-01-01T00:00:00Z" as reasons and notes say it."""
    on = " and ".join(f"{kind} {row[k]}" for kind, k in (("request", "request_id"), ("case", "case_id"))
                      if row[k] is not None)
    until = f", until {iso(row['until_at'])}" if row["until_at"] is not None else ""
    return f"freeze {row['id']}: {row['amount']:g} {row['asset']} on {on}{until}"


def hold(state: StateStore, results: list[Any], *, now: int | None = None) -> list[Any]:
    """transfer_risk results with every transfer from a frozen sender account held: decision
    hold, score FREEZE_HOLD, a reason per active freeze naming it. Other items (errors) pass."""
    senders = {graph.node_id("Account", r["account_id"]) for r in results if isinstance(r, dict)}
    if not senders:
        return results
    frozen: dict[str, list[dict[str, Any]]] = {}
    for f in list_freezes(state, targets=sorted(senders), active_only=True, now=now):
        frozen.setdefault(graph.split_node_id(f["target"])[1], []).append(f)
    out = []
    for r in results:
        found = frozen.get(r["account_id"]) if isinstance(r, dict) else None
        if found:
            kept = [x for x in r["reasons"] if not x.startswith(("allow:", "hold for 24 h:"))]
            r = {**r, "decision": "hold", "score": FREEZE_HOLD, "reasons": [
                f"hold for 24 h: sender account {r['account_id']} is frozen"]
                + [f"sender account {r['account_id']} is frozen ({describe(f)})" for f in found] + kept}
        out.append(r)
    return out


CSV_ACTIONS = ("freeze", "unfreeze")


def csv_rows(state: StateStore, case_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Freezes and their lifts as remediation CSV rows (cases.ACTIONS_CSV_COLUMNS, times in
    epoch ms under requested_at), for the systems that enforce them: action_id "freeze:<id>"."""
    rows = []
    for f in list_freezes(state):
        if case_ids is not None and f["case_id"] not in set(case_ids):
            continue
        kind, key = graph.split_node_id(f["target"])
        base = {"action_id": f"freeze:{f['id']}", "case_id": f["case_id"] if f["case_id"] is not None else "",
                "target_kind": kind, "target_key": key}
        rows.append({**base, "action": "freeze", "requested_by": f["frozen_by"], "requested_at": f["frozen_at"],
                     "note": describe(f) + (f"; {f['reason']}" if f["reason"] else "")})
        if f["lifted_at"] is not None:
            rows.append({**base, "action": "unfreeze", "requested_by": f["lifted_by"], "requested_at": f["lifted_at"],
                         "note": f"lift of {describe(f)}; {f['lift_reason']}"})
    return rows
