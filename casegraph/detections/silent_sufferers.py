"""Silent sufferers: accounts that paid a known scammer and never reported it —
the people scam-prevention staff reach out to, largest loss first.

Exclusions: accounts that filed a scam report (they did speak up) and accounts that are on a
watchlist themselves (known scammers paying each other are not victims; on an independent
dataset 111 of 2,202 results were such accounts), and members of a batch-registration ring
an investigator confirmed (a `rings` case decided "confirmed": its accounts are one
operator's fakes paying their operator, not victims). The verdicts live in the case store,
so this last exclusion applies where it is at hand: `casegraph detect` (with or without
alerts) and the alert queue; `detections.run` on a graph store alone cannot see it.

The loss is summed in USD over payments with a USD value (`amount_lost_usd`, which orders
and scores the results) and per asset over payments without one (`amount_lost`:
{usd, assets}); the reason shows both ("1,000.00 USD + 0.4 BTC"), never a non-USD sum as USD.
`paid_to_nodes` names whom they paid as node ids (an account for a transfer, a wallet for a
withdrawal or an on-chain hop): an alert opens in the explorer with them, linked."""
from __future__ import annotations

import math
from typing import Any

from casegraph.times import iso
from casegraph.detections import Detection
from casegraph.detections._quality import precision_recall
from casegraph.money import total as money_total


def explain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
        lost = money_total(payments)
        total = round(lost.usd, 2)
        times = sorted(p["at"] for p in payments if p["at"] is not None)
        to = sorted({p["paid_to"] for p in payments})
        # a transfer pays an account; a withdrawal or an on-chain hop ends at a wallet
        to_nodes = sorted({f"{'Account' if p['route'] == 'transfer' else 'Wallet'}:{p['paid_to']}" for p in payments})
        routes = sorted({p["route"] for p in payments})
        reasons = [f"paid {len(payments)} time(s), {lost.text()} in all, to {', '.join(to)} "
                   f"(on watchlist {', '.join(sorted(acc['watchlists']))}) by {', '.join(routes)}",
                   "filed no scam report"]
        out.append({"account_id": account_id,
                    "score": round(min(1.0, 0.5 + math.log10(1 + total) / 10), 3),
                    "reasons": reasons, "amount_lost_usd": total, "amount_lost": lost.as_dict(),
                    "payments": len(payments),
                    "paid_to": to, "paid_to_nodes": to_nodes, "first_paid_at": iso(times[0]) if times else None,
                    "last_paid_at": iso(times[-1]) if times else None})
    out.sort(key=lambda r: (-r["amount_lost_usd"], r["last_paid_at"] or "", r["account_id"]))
    return out

def quality(results: list[dict[str, Any]], truth: dict) -> dict[str, float | int]:
    """Exact definition, so precision and recall should both be 1; reported victims listed must be 0."""
    found = [r["account_id"] for r in results]
    return {**precision_recall(found, truth["silent_sufferers"]),
            "reported_victims_listed": len(set(found) & set(truth["reported_victims"]))}


DETECTION = Detection(name="silent_sufferers", level="account",
                      summary="accounts that paid a watchlisted account or wallet and never reported it",
                      domain="ato_scam", risk_flag="silent-sufferer", query="silent_sufferers", explain=explain,
                      skip_confirmed_rings=True)
