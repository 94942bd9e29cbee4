"""Scam triage: for each open scam report, the evidence on its suspect (an account or a
wallet) and a verdict, with a freeze recommendation and the reasons for it.

The template (cypher/detect/scam_triage.cypher) gathers, per report: other reports
against the same suspect, the suspect's watchlists and model groups, its account age,
money in and out, watchlisted accounts or wallets it moved money with, and identifiers
(device, phone, e-mail, document; not IPs) it shares with other accounts. When the
`rings` detection exists, ring membership is added from it. Evidence adds points:

| evidence | points |
|---|---|
| the reporter's payment to the suspect is on record (a transfer or withdrawal to it) | 1 |
| the suspect is on a watchlist | 3 |
| other reports against the suspect (3 or more: one more point) | 2 (3) |
| moved money with a watchlisted account or wallet (directly) | 3 |
| shares a device, phone, e-mail or document with a watchlisted account | 2 |
| member of a batch-registration ring, or of a model-flagged group | 1 |
| shares identifiers with other accounts (at most `max_shared` per identifier) | 1 |
| received money from 3 or more different accounts or wallets (not an exchange hot wallet) | 1 |
| passed on most of what it received (out >= 70% of in, 3+ payments in) | 1 |
| an account younger than 180 days when reported | 1 |

Verdict: 4 points or more "likely scam", with a freeze recommended (an account: freeze it;
a wallet: block withdrawals to it and add it to the internal watchlist); 2-3 "needs
review"; fewer "insufficient evidence". A report is never dismissed for lack of evidence:
the verdict orders the queue, an investigator decides.

Money figures add USD values where movements and reports have one and amounts per asset
where not ("1,000.00 USD + 0.4 BTC", casegraph/money.py); "passed on most of what it
received" compares in and out within the same unit (USD, or each asset) and holds when
every unit with money in passed on at least 70% of it."""
from __future__ import annotations

from typing import Any

from casegraph import detections
from casegraph.catalogue import Param
from casegraph.times import iso
from casegraph.detections import Detection, header
from casegraph.detections._quality import precision_recall
from casegraph.money import Money, movement_text

DAY_MS = 86_400_000
YOUNG_DAYS = 180
LIKELY, REVIEW = 4, 2


def _points(row: dict[str, Any], ring: str | None) -> list[tuple[int, str]]:
    """(points, reason) for every piece of evidence on the suspect."""
    ev: list[tuple[int, str]] = []
    kind, suspect = row["suspect_kind"], row["suspect"]
    paid = _money(row, "reporter_paid")
    if paid:
        ev.append((1, f"the reporter's payments to it are on record: {paid.text()}"))
    if row.get("watchlists"):
        ev.append((3, f"{kind} {suspect} is on watchlist {', '.join(sorted(row['watchlists']))}"))
    n = row.get("other_reports") or 0
    if n:
        ev.append((3 if n >= 3 else 2, f"{n} other scam report(s) against it, "
                                       f"{_money(row, 'other_reported').text()} in all"))
    if row.get("money_links"):
        ev.append((3, f"moved money with watchlisted {', '.join(sorted(row['money_links'])[:5])}"))
    shared = [s for s in row.get("shared") or [] if s]
    listed = sorted({a for s in shared for a in s.get("listed") or []})
    if listed:
        ev.append((2, f"shares a device, phone, e-mail or document with watchlisted {', '.join(listed[:5])}"))
    if ring:
        ev.append((1, f"member of batch-registration ring {ring}"))
    elif row.get("groups"):
        ev.append((1, f"in model-flagged group {', '.join(sorted(row['groups']))}"))
    if shared:
        n_acc = sum(s["accounts"] for s in shared)
        ev.append((1, f"shares {len(shared)} identifier(s) with {n_acc} other account link(s)"))
    senders = row.get("senders") or 0
    if senders >= 3 and not str(row.get("wallet_label") or "").startswith("exchange:"):
        ev.append((1, f"received money from {senders} different accounts or wallets"))
    money_in, money_out = _money(row, "in"), _money(row, "out")
    ratio = _passed_on(money_in, money_out)
    if (row.get("in_count") or 0) >= 3 and ratio is not None and ratio >= 0.7:
        ev.append((1, f"passed on {min(ratio, 9.99):.0%} of the {money_in.text()} it received"))
    reg, at = row.get("registered_at"), row.get("reported_at")
    if kind == "account" and reg is not None and at is not None and (at - reg) < YOUNG_DAYS * DAY_MS:
        ev.append((1, f"account {max(0, (at - reg) // DAY_MS)} days old when reported"))
    return ev


def _money(row: dict[str, Any], name: str) -> Money:
    """The template's `<name>_usd` and `<name>_assets` ([asset, amount] pairs) as one sum."""
    m = Money()
    if row.get(f"{name}_usd"):
        m.add(row[f"{name}_usd"])
    return m.add_assets(row.get(f"{name}_assets") or ())


def _passed_on(money_in: Money, money_out: Money) -> float | None:
    """Out over in, unit by unit (USD, then each asset); the smallest share over the units
    with money in; None when nothing came in."""
    units = ([(money_in.usd, money_out.usd)] if money_in.usd > 0 else []) + \
        [(v, money_out.assets.get(k, 0.0)) for k, v in money_in.assets.items() if v > 0]
    return min(o / i for i, o in units) if units else None


def assess(row: dict[str, Any], ring: str | None = None) -> dict[str, Any]:
    """One report's evidence -> verdict, freeze recommendation and reasons."""
    ev = _points(row, ring)
    points = sum(p for p, _ in ev)
    kind = row["suspect_kind"]
    if points >= LIKELY:
        verdict, freeze = "likely scam", True
        action = "freeze the account" if kind == "account" else "block withdrawals to the wallet and watchlist it"
    elif points >= REVIEW:
        verdict, freeze, action = "needs review", False, "review the evidence before acting"
    else:
        verdict, freeze, action = "insufficient evidence", False, "gather more evidence (contact the reporter)"
    reported = movement_text(row.get("reported_usd"), row.get("reported_amount"), row.get("reported_asset")) \
        if row.get("reported_usd") is not None or row.get("reported_amount") is not None else "no amount given"
    reasons = [f"report {row['report_id']} by {row['reporter']}: {reported} "
               f"against {kind} {row['suspect']}"] + [r for _, r in ev] + [f"{verdict}: {action}"]
    return {"report_id": row["report_id"], "suspect": row["suspect"], "suspect_kind": kind,
            "account_id": row["suspect"] if kind == "account" else None,
            "address": row["suspect"] if kind == "wallet" else None,
            "verdict": verdict, "freeze": freeze, "recommendation": action, "evidence_points": points,
            "score": round(min(1.0, max(0.05, points / 8)), 3), "reasons": reasons,
            "reporter": row["reporter"], "report_status": row.get("report_status"),
            "reported_at": iso(row["reported_at"]) if row.get("reported_at") is not None else None,
            "reported_usd": row.get("reported_usd"), "other_reports": row.get("other_reports") or 0,
            "watchlists": sorted(row.get("watchlists") or []), "ring": ring}


def explain(rows: list[dict[str, Any]], rings: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Reports -> triaged reports, most evidence first."""
    rings = rings or {}
    out = [assess(r, rings.get(r["suspect"])) for r in rows]
    out.sort(key=lambda r: (-r["evidence_points"], r["report_id"]))
    return out


def run(store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The template's rows (its header's parameters), with ring membership from the rings
    detection unless with_rings is false."""
    params = DETECTION.bind(params)
    with_rings = params.pop("with_rings")
    rows = store.read("scam_triage", params, row_limit=None).rows
    rings: dict[str, str] = {}
    if with_rings and rows and "rings" in detections.names():
        suspects = {r["suspect"] for r in rows if r["suspect_kind"] == "account"}
        for ring in detections.run(store, "rings"):
            for m in set(ring["members"]) & suspects:
                rings[m] = ring["ring_id"]
    return explain(rows, rings)


def quality(results: list[dict[str, Any]], truth: dict) -> dict[str, float | int]:
    """Every report in the sample is genuine (victims report real scammers), so: how many
    open reports get a freeze recommendation, and are the frozen suspects real scammers."""
    bad = set(truth["scammers"]) | set(truth.get("scammer_wallets", []))
    frozen = [r["suspect"] for r in results if r["freeze"]]
    q = precision_recall(frozen, bad & {r["suspect"] for r in results})
    return {"reports": len(results), "freeze": len(frozen),
            "freeze_share": round(len(frozen) / len(results), 4) if results else 0.0,
            "precision": q["precision"], "recall": q["recall"]}


DETECTION = Detection(
    name="scam_triage", level="report",
    summary="open scam reports with the evidence on the suspect, a verdict and a freeze recommendation",
    domain="ato_scam", risk_flag=None, query="scam_triage", explain=explain,
    params=header("scam_triage") + (
        Param("with_rings", "bool", True, "add ring membership (runs the rings detection); false skips it"),),
    runner=run)
