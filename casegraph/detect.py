"""Detections: named Cypher templates from cypher/detect/ plus the little Python that
turns their rows into explained results. Account-level results are
{account_id, score, reasons, ...}; ring-level results {ring_id, members, score, reasons, ...}.

Only `silent_sufferers` exists so far; the rest of the catalogue (issue 3) plugs in here."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from casegraph.console import iso
from casegraph.errors import QueryError
from casegraph.store import GraphStore


@dataclass(frozen=True)
class Detection:
    name: str
    level: str                     # "account" or "ring"
    query: str                     # the catalogue query that finds the evidence
    explain: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
    summary: str


def silent_sufferer_results(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Payments -> one result per account, largest loss first (the outreach order)."""
    by_account: dict[str, dict[str, Any]] = {}
    for r in rows:
        acc = by_account.setdefault(r["account_id"], {"payments": {}, "watchlists": set()})
        # the same payment appears once per watchlist its recipient is on
        acc["payments"][(r["route"], r["tx"])] = r
        acc["watchlists"].add(r["watchlist"])
    out = []
    for account_id, acc in by_account.items():
        payments = list(acc["payments"].values())
        total = round(sum(p["amount_usd"] or 0 for p in payments), 2)
        times = sorted(p["at"] for p in payments if p["at"] is not None)
        to = sorted({p["paid_to"] for p in payments})
        routes = sorted({p["route"] for p in payments})
        reasons = [f"paid {len(payments)} time(s), {total:,.2f} USD in all, to {', '.join(to)} "
                   f"(on watchlist {', '.join(sorted(acc['watchlists']))}) by {', '.join(routes)}",
                   "filed no scam report"]
        out.append({"account_id": account_id,
                    "score": round(min(1.0, 0.5 + math.log10(1 + total) / 10), 3),
                    "reasons": reasons, "amount_lost_usd": total, "payments": len(payments),
                    "paid_to": to, "first_paid_at": iso(times[0]) if times else None,
                    "last_paid_at": iso(times[-1]) if times else None})
    out.sort(key=lambda r: (-r["amount_lost_usd"], r["last_paid_at"] or "", r["account_id"]))
    return out


DETECTIONS: dict[str, Detection] = {d.name: d for d in (
    Detection("silent_sufferers", "account", "silent_sufferers", silent_sufferer_results,
              "accounts that paid a watchlisted account or wallet and never reported it"),
)}


def get(name: str) -> Detection:
    try:
        return DETECTIONS[name]
    except KeyError:
        raise QueryError(f"no detection named {name!r}; there are {', '.join(sorted(DETECTIONS))}") from None


def run(store: GraphStore, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run one detection; every result says why (reasons)."""
    d = get(name)
    res = store.read(d.query, params or {}, row_limit=None)
    return d.explain(res.rows)


def entity_key(detection: Detection, result: dict[str, Any]) -> str:
    """What an alert is about: the account, or the sorted members of a ring."""
    if detection.level == "ring":
        return ",".join(sorted(result["members"]))
    return result["account_id"]
