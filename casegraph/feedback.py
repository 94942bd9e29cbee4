"""Labels for the model team (`casegraph feedback --since DATE`): cases decided confirmed or
false_positive, and "missed" rings: ring alerts whose members no model Group flagged.
Definitions in docs/cases.md."""
from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from casegraph.exports import write_csv
from casegraph.times import iso
from casegraph.errors import ConfigError
from casegraph.state import StateStore, alerts, case_elements, cases

COLUMNS = ("label", "case_id", "detection", "group_id", "account_ids", "decided_at", "reason")
FORMATS = ("json", "csv")
RING_DETECTION = "rings"
GROUPED = "case_grouped_accounts"     # cypher/cases/: which accounts are in some model Group


def _accounts(elements: list[dict[str, Any]]) -> list[str]:
    return sorted(e["data"]["key"] for e in elements if e["data"].get("kind") == "Account")


def decided(state: StateStore, since_ms: int | None) -> list[dict[str, Any]]:
    """One row per case decided (confirmed / false_positive) at or after since_ms, oldest first."""
    q = sa.select(cases).where(cases.c.decided_at.is_not(None)).order_by(cases.c.decided_at, cases.c.id)
    if since_ms is not None:
        q = q.where(cases.c.decided_at >= since_ms)
    with state.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
        elements: dict[int, list[dict[str, Any]]] = {}
        for case_id, element in conn.execute(sa.select(case_elements.c.case_id, case_elements.c.element).where(
                case_elements.c.case_id.in_([c["id"] for c in rows]), case_elements.c.removed_at.is_(None))):
            elements.setdefault(case_id, []).append(element)
        out = []
        for c in rows:
            els = elements.get(c["id"], [])
            source = c["source"] or ""
            out.append({"label": c["decision"], "case_id": c["id"], "detection": c["detection"],
                        "group_id": source.split(":", 1)[1] if source.startswith("group:") else None,
                        "account_ids": _accounts(els), "decided_at": iso(c["decided_at"]),
                        "reason": c["decision_reason"]})
    return out


def missed(state: StateStore, store, since_ms: int | None) -> list[dict[str, Any]]:
    """Ring alerts created at or after since_ms none of whose members is in a model Group:
    rings the detections found and the model did not flag. Alerts dismissed from the queue
    and rings whose case was decided false_positive are left out."""
    q = sa.select(alerts).where(alerts.c.detection == RING_DETECTION, alerts.c.status != "dismissed") \
        .order_by(alerts.c.created_at, alerts.c.id)
    if since_ms is not None:
        q = q.where(alerts.c.created_at >= since_ms)
    with state.engine.connect() as conn:
        rings = [dict(r) for r in conn.execute(q).mappings()]
        decisions = dict(conn.execute(sa.select(cases.c.id, cases.c.decision)).all())
    rings = [r for r in rings if decisions.get(r["case_id"]) != "false_positive"]
    members = sorted({m for r in rings for m in r["entities"] or ()})
    grouped = {row["account_id"] for row in store.read(GROUPED, {"keys": members}).rows} if members else set()
    out = []
    for r in rings:
        if grouped.intersection(r["entities"] or ()):
            continue
        out.append({"label": "missed", "case_id": r["case_id"], "detection": r["detection"], "group_id": None,
                    "account_ids": sorted(r["entities"] or ()), "decided_at": "",
                    "reason": f"ring alert {r['id']} (score {float(r['score']):.2f}, {iso(r['created_at'])}): "
                              "no member is in a model group"})
    return out


def rows(state: StateStore, store, since_ms: int | None) -> list[dict[str, Any]]:
    """Every feedback label since since_ms: decided cases, then missed rings."""
    return decided(state, since_ms) + missed(state, store, since_ms)


def render(found: list[dict[str, Any]], fmt: str) -> str:
    """JSON (an array) or CSV (account_ids joined with ';')."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown feedback format {fmt!r}; formats: {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    return write_csv(({**r, "account_ids": ";".join(r["account_ids"])} for r in found), COLUMNS)
