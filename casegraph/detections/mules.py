"""Mules: accounts that receive internal transfers from many distinct senders and send
most of it straight on (transfer out or withdrawal) within a short window.

The template (cypher/detect/mules.cypher) does the fan-in aggregation and returns, per
candidate, its inflows and outflows; the time-window arithmetic happens here:

- outflows consume inflows first-in first-out, but only inflows received at most
  `window_hours` before the outflow (money held longer is not "passed through": a
  merchant sweeping weeks-old takings forwards nothing by this measure);
- inflows are grouped into active periods (split where no inflow arrives for
  QUIET_DAYS), so an account that was ordinary for a year and then turned mule is
  judged on its mule period;
- an account is reported when some period has >= min_senders distinct senders and
  >= min_forward_ratio of that period's received amount was sent on within the window.

Money is counted in USD where a movement has a USD value (amount_usd) and in its own asset
where it has none: an outflow only consumes inflows of the same unit (USD, or that asset),
and a period's forward ratio is the mean of its units' ratios weighted by their inflows (all
in USD, as with complete data: forwarded / received). `received_usd` / `forwarded_usd` are
the USD parts; `received` / `forwarded` ({usd, assets}) and the reasons show the whole
figures, amounts without a USD value per asset (casegraph/money.py). `flow_nodes` names the
period's senders and where the money went (an account for a transfer, a wallet for a
withdrawal) as node ids, at most FLOW_NODES_MAX, the biggest first: a mule alert opens in the
explorer with its in- and out-flows.

Exclusions: merchants (many payers, but takings kept for weeks: held longer than
`window_hours` is not forwarded), payroll and other payers (fan-out without fan-in), and
accounts whose fan-in period forwards less than `min_forward_ratio`. Structured laundering
through chains, cycles and fans is left to the typology detections (layering, cycles,
fan_in, fan_out, scatter_gather).

Parameters, and what each trades: `min_senders` lower finds small mule rings but flags
friends splitting a bill; `window_hours` longer catches slower mules but credits ordinary
spending as forwarding; `min_forward_ratio` lower finds mules that keep a cut but flags
accounts that happen to spend what they receive.
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Any

from casegraph.times import iso
from casegraph.detections import Detection
from casegraph.detections._quality import confounders_hit, precision_recall
from casegraph.money import Money

HOUR_MS = 3_600_000
QUIET_DAYS = 7          # a gap of this many days without an inflow starts a new active period


def _value(m: dict[str, Any]) -> tuple[str, float]:
    """(unit, value) of a movement: ("USD", amount_usd) when it has a USD value, else its asset and amount."""
    if m.get("amount_usd") is not None:
        return "USD", float(m["amount_usd"])
    asset = str(m.get("asset") or "?").strip().upper() or "?"
    return asset, float(m.get("amount") or 0.0)


def _money(unit: str, value: float) -> Money:
    if not value:
        return Money()
    return Money().add(value) if unit == "USD" else Money().add(None, value, unit)


def _assess(row: dict[str, Any]) -> dict[str, Any] | None:
    # the template returns its bound parameters (defaults filled in) on every row
    min_senders = int(row["min_senders"])
    window_ms = int(row["window_hours"]) * HOUR_MS
    min_ratio = float(row["min_forward_ratio"])

    # dedupe by tx id (a relationship may only appear once, but be safe), drop empty entries
    inflows = list({(i.get("tx"), i.get("at"), i.get("from")): i
                    for i in row.get("inflows") or [] if i and i.get("at") is not None}.values())
    outflows = list({(o.get("tx"), o.get("at"), o.get("to"), o.get("route")): o
                     for o in row.get("outflows") or [] if o and o.get("at") is not None}.values())
    if not inflows or not outflows:
        return None
    inflows.sort(key=lambda i: (i["at"], str(i.get("tx"))))
    outflows.sort(key=lambda o: (o["at"], str(o.get("tx"))))

    # active periods over the inflows
    period_of: list[int] = []
    p, prev = 0, None
    for i in inflows:
        if prev is not None and i["at"] - prev > QUIET_DAYS * 24 * HOUR_MS:
            p += 1
        period_of.append(p)
        prev = i["at"]

    # FIFO matching of outflows against inflows received within the window before them
    units = [_value(i) for i in inflows]
    remaining = [v for _, v in units]
    forwarded = [0.0] * len(inflows)
    delays: list[list[int]] = [[] for _ in inflows]
    used_by: list[list[int]] = [[] for _ in inflows]     # outflow indexes that consumed inflow k
    first = 0                                            # oldest inflow not yet expired or used up
    for oi, o in enumerate(outflows):
        unit, need = _value(o)
        t = o["at"]
        k = first
        while k < len(inflows) and inflows[k]["at"] <= t and need > 1e-9:
            if t - inflows[k]["at"] <= window_ms and remaining[k] > 1e-9 and units[k][0] == unit:
                take = min(need, remaining[k])
                remaining[k] -= take
                forwarded[k] += take
                need -= take
                delays[k].append(t - inflows[k]["at"])
                used_by[k].append(oi)
            k += 1
        while first < len(inflows) and (remaining[first] <= 1e-9 or t - inflows[first]["at"] > window_ms):
            first += 1

    best = None
    for pid in sorted(set(period_of)):
        ks = [k for k, q in enumerate(period_of) if q == pid]
        senders = {inflows[k].get("from") for k in ks}
        rec_u: dict[str, float] = {}
        fwd_u: dict[str, float] = {}
        n_u: Counter = Counter()
        for k in ks:
            u, v = units[k]
            rec_u[u] = rec_u.get(u, 0.0) + v
            fwd_u[u] = fwd_u.get(u, 0.0) + forwarded[k]
            n_u[u] += 1
        counted = [u for u in rec_u if rec_u[u] > 0]
        if not counted or len(senders) < min_senders:
            continue
        ratio = sum(fwd_u[u] / rec_u[u] * n_u[u] for u in counted) / sum(n_u[u] for u in counted)
        if ratio + 1e-9 < min_ratio:
            continue
        received, fwd = Money(), Money()
        for u in rec_u:
            received += _money(u, rec_u[u])
            fwd += _money(u, fwd_u[u])
        cand = {"ks": ks, "senders": senders, "received": received, "forwarded": fwd, "ratio": ratio}
        if best is None or (ratio, len(senders), fwd.usd) > (best["ratio"], len(best["senders"]),
                                                              best["forwarded"].usd):
            best = cand
    if best is None:
        return None

    ks = best["ks"]
    outs = sorted({oi for k in ks for oi in used_by[k]})
    max_delay = max((d for k in ks for d in delays[k]), default=0)
    routes = Counter((outflows[oi]["route"], outflows[oi].get("to")) for oi in outs)
    by_route: dict[str, list[tuple[str, int]]] = {}
    for (route, to), n in sorted(routes.items(), key=lambda x: (x[0][0], str(x[0][1]))):
        by_route.setdefault(route, []).append((str(to), n))
    parts = []
    for route, dests in by_route.items():
        n = sum(c for _, c in dests)
        noun = route if n == 1 else route + "s"
        parts.append(f"{n} {noun} to {', '.join(d for d, _ in dests)}")
    first_at, last_at = inflows[ks[0]]["at"], inflows[ks[-1]]["at"]
    hours = max(1, math.ceil(max_delay / HOUR_MS))
    received, fwd, ratio, n_senders = best["received"], best["forwarded"], best["ratio"], len(best["senders"])
    reasons = [
        f"received {len(ks)} transfers from {n_senders} accounts, {received.text()}, "
        f"between {iso(first_at)} and {iso(last_at)}",
        f"sent on {ratio:.0%} ({fwd.text()}) within {hours} h: {'; '.join(parts)}",
    ]
    score = round(min(1.0, 0.4 + 0.4 * min(1.0, ratio) + 0.2 * min(1.0, n_senders / 20)), 3)
    return {"account_id": row["account_id"], "score": score, "reasons": reasons,
            "senders": n_senders, "inflows": len(ks), "received_usd": round(received.usd, 2),
            "forwarded_usd": round(fwd.usd, 2), "received": received.as_dict(), "forwarded": fwd.as_dict(),
            "forward_ratio": round(ratio, 3),
            "max_delay_hours": round(max_delay / HOUR_MS, 1),
            "sent_to": sorted({str(outflows[oi].get("to")) for oi in outs}),
            "first_in_at": iso(first_at), "last_in_at": iso(last_at),
            "flow_nodes": _flow_nodes([inflows[k] for k in ks], [outflows[oi] for oi in outs])}


FLOW_NODES_MAX = 60     # senders and destinations an alert opens with (the biggest by value first)


def _flow_nodes(ins: list[dict[str, Any]], outs: list[dict[str, Any]]) -> list[str]:
    """The node ids of the period's senders and of where the money went (accounts for
    transfers, wallets for withdrawals), what a mule alert opens with: at most FLOW_NODES_MAX,
    half each way, those moving the most (by USD, else by amount) first."""
    def ranked(moves: list[dict[str, Any]], key: str, label_of) -> list[str]:
        total: dict[str, float] = {}
        for m in moves:
            if m.get(key) is not None:
                node = label_of(m) + ":" + str(m[key])
                total[node] = total.get(node, 0.0) + _value(m)[1]
        return sorted(total, key=lambda n: (-total[n], n))
    half = FLOW_NODES_MAX // 2
    senders = ranked(ins, "from", lambda m: "Account")[:half]
    dests = ranked(outs, "to", lambda m: "Wallet" if m.get("route") == "withdrawal" else "Account")
    return senders + dests[:FLOW_NODES_MAX - len(senders)]


def explain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Candidates with their inflows and outflows -> mules, highest score first."""
    out = [r for r in (_assess(row) for row in rows) if r is not None]
    out.sort(key=lambda r: (-r["score"], -r["received_usd"], r["account_id"]))
    return out


def quality(results: list[dict[str, Any]], truth: dict) -> dict[str, float | int]:
    """Account-level precision/recall against truth mules; merchants and payroll flagged."""
    found = [r["account_id"] for r in results]
    return {**precision_recall(found, truth["mules"]),
            "confounders_flagged": confounders_hit(found, truth, "merchants", "payroll")}


DETECTION = Detection(name="mules", level="account",
                      summary="accounts that receive transfers from many accounts and send most of it on within hours",
                      domain="ato_scam", risk_flag="mule", query="mules", explain=explain)
