"""Account takeover: an established account is reached from a device or IP it never used
before and, shortly after, money leaves for a wallet the account never dealt with.

The template (cypher/detect/account_takeover.cypher) returns one row per (late identifier,
withdrawal to a never-used wallet within the window); here the rows are grouped per account:
the earliest such withdrawal is "the" takeover withdrawal, and every late identifier first
seen before it (within the window) is listed. A late device alone (new phone) or a new
wallet alone (an owner's new cold wallet) is not reported: the template needs both.

Exclusions: a late device or IP with no withdrawal to a new wallet after it (a new phone, a
trip abroad), and a new wallet with no late device or IP before it (an owner's new cold
wallet): each alone is an ordinary event (the generator's `new_device` and `new_wallet`
confounders). Withdrawals to exchange hot wallets count like any other new wallet.

Parameters, and what each trades: `new_identifier_after_days` lower catches takeovers of
young accounts but counts a user's second device in the first week; `window_hours` longer
catches slow attackers but pairs unrelated events in active accounts; `min_amount_usd`
higher drops small probes and test withdrawals an attacker often makes first.
"""
from __future__ import annotations

from typing import Any

from casegraph.times import iso
from casegraph.detections import Detection
from casegraph.detections._quality import confounders_hit, precision_recall
from casegraph.money import movement_text

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
KIND = {"USED_DEVICE": "device", "USED_IP": "IP"}


def _score(kinds: set[str], hours_after: float, window_hours: float) -> float:
    # a new device AND a new IP together, and a withdrawal that follows at once, weigh most
    quick = max(0.0, 1.0 - hours_after / max(window_hours, 1e-9))
    return round(min(1.0, 0.55 + 0.15 * (len(kinds) - 1) + 0.3 * quick), 3)


def explain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """(late identifier, withdrawal) rows -> one result per account, highest score first."""
    by_account: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r.get("at") is None or r.get("first_seen") is None:
            continue
        by_account.setdefault(r["account_id"], []).append(r)
    out = []
    for account_id, rs in by_account.items():
        first_w = min(rs, key=lambda r: (r["at"], str(r.get("tx"))))
        idents = {}
        for r in rs:
            if r["tx"] == first_w["tx"]:
                idents[(r["link"], r["identifier"])] = r
        news = sorted(idents.values(), key=lambda r: (r["first_seen"], r["link"], str(r["identifier"])))
        window = float(first_w["window_hours"])
        earliest = news[0]["first_seen"]
        hours_after = (first_w["at"] - earliest) / HOUR_MS
        reg = first_w.get("registered_at")
        reasons = []
        for n in news:
            age = f", {(n['first_seen'] - reg) / DAY_MS:.0f} days after the account registered" if reg is not None else ""
            reasons.append(f"new {KIND.get(n['link'], n['link'])} {n['identifier']} first seen {iso(n['first_seen'])}{age}")
        usd = first_w.get("amount_usd")
        amount = movement_text(usd, first_w.get("amount"), first_w.get("asset"))
        label = f" ({first_w['wallet_label']})" if first_w.get("wallet_label") else ""
        reasons.append(f"withdrew {amount} to {first_w['wallet']}{label}, a wallet it never used before, "
                       f"{hours_after:.1f} h after the first new identifier appeared (tx {first_w['tx']})")
        kinds = {n["link"] for n in news}
        out.append({"account_id": account_id, "score": _score(kinds, hours_after, window), "reasons": reasons,
                    "new_identifiers": [{"kind": KIND.get(n["link"], n["link"]), "id": n["identifier"],
                                         "first_seen": iso(n["first_seen"])} for n in news],
                    "withdrawal": {"tx_id": first_w["tx"], "wallet": first_w["wallet"],
                                   "amount_usd": usd, "amount": first_w.get("amount"), "asset": first_w.get("asset"),
                                   "at": iso(first_w["at"]), "hours_after": round(hours_after, 1)},
                    "taken_over_at": iso(earliest)})
    out.sort(key=lambda r: (-r["score"], -(r["withdrawal"]["amount_usd"] or 0), r["account_id"]))
    return out


def quality(results: list[dict[str, Any]], truth: dict[str, Any]) -> dict[str, Any]:
    """Precision/recall against truth["ato"]; confounders_flagged counts new_device and new_wallet users reported."""
    found = [r["account_id"] for r in results]
    return {**precision_recall(found, truth.get("ato", [])),
            "confounders_flagged": confounders_hit(found, truth, "new_device", "new_wallet")}


DETECTION = Detection(name="account_takeover", level="account",
                      summary="a late new device or IP followed within hours by a withdrawal to a never-used wallet",
                      domain="ato_scam", risk_flag=None, query="account_takeover", explain=explain)
