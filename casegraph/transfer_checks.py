"""Pending transfers checked for other systems (the API's transfer endpoints): the amount
valued in USD, the transfer_risk decision (casegraph/detections/transfer_risk.py), and for a
hold an alert in the queue that scam-prevention staff work during the 24 hours, one per held
transfer (keyed by the caller's reference, so a retried check updates the same alert)."""
from __future__ import annotations

import threading
import time
from typing import Any

from casegraph import freezes, vendor
from casegraph.detections import transfer_risk
from casegraph.errors import ParameterError
from casegraph.permissions import require
from casegraph.state import StateStore, now_ms

RATES_TTL_S = 60.0        # rates loaded since are used within a minute
_rates: dict[str, tuple[float, Any]] = {}
_rates_lock = threading.Lock()


def _known_rates(store):
    from casegraph.loaders.rates import Rates
    key = f"{store.backend.describe()}|{store.settings.graph}"
    with _rates_lock:
        hit = _rates.get(key)
        if hit is None or time.monotonic() - hit[0] > RATES_TTL_S:
            hit = (time.monotonic(), Rates.from_store(store))
            _rates[key] = hit
        return hit[1]


def usd_value(store, amount: float, asset: str, amount_usd: float | None) -> float:
    """The transfer's USD value: amount_usd when given, the amount for USD, else amount x the
    asset's latest USD rate loaded (the `rates` kind, at most 7 days old)."""
    if amount_usd is not None:
        return float(amount_usd)
    if asset.strip().upper() == "USD":
        return float(amount)
    filled = _known_rates(store).fill_rows("transfers", [{"amount": amount, "asset": asset, "at": now_ms()}])
    usd = filled[0].get("amount_usd")
    if usd is None:
        raise ParameterError(f"no USD rate for asset {asset!r} in the last 7 days (load one with the rates kind), "
                             "so send amount_usd")
    return float(usd)


def warm(store, params: dict[str, Any] | None = None) -> None:
    """Build the transfer check's in-memory indexes now (a server starting up), so that the
    first checks do not wait for them (about 1 s on the 1M-account sample)."""
    p = transfer_risk.DETECTION.bind(params or {})
    fingerprint = transfer_risk.memory_fingerprint(store)
    transfer_risk.listed_index(store, fingerprint["watchlists"])
    transfer_risk.reports_index(store, fingerprint["reports"])
    transfer_risk.exposure_index(store, p["k_hold"], p["max_shared"], p["max_degree"], fingerprint["watchlists"],
                                 vendor.categories_param(p["categories"], f"detection {transfer_risk.NAME}"))


def alert_key(check: dict[str, Any], at: int, position: int = 0) -> str:
    """One alert per held transfer: the caller's reference, else sender, recipient, time and
    the check's position in its batch (two unreferenced checks of one pair in one batch are
    two transfers)."""
    if check.get("reference"):
        return f"transfer:{check['reference']}"
    recipient = check.get("recipient_account") or check.get("recipient_wallet")
    return f"transfer:{check['sender']}>{recipient}@{at}#{position}"


def check(store, state: StateStore, actor: dict[str, Any], checks: list[dict[str, Any]],
          params: dict[str, Any] | None = None) -> list[dict[str, Any] | ParameterError]:
    """checks: {sender, recipient_account | recipient_wallet, amount, asset, amount_usd?,
    reference?} -> per check, in order, the decision (with `alert_id` for a hold) or the
    ParameterError that says why it could not be decided. A sender account under an active
    freeze (casegraph/freezes.py) is held whatever the graph says."""
    require(actor, "check_transfers")
    p = transfer_risk.DETECTION.bind(params or {})
    valued: list[dict[str, Any]] = []
    errors: dict[int, ParameterError] = {}
    for i, c in enumerate(checks):
        try:
            valued.append({**c, "amount_usd": usd_value(store, c["amount"], c["asset"], c.get("amount_usd"))})
        except ParameterError as e:
            errors[i] = e
            valued.append({**c, "sender": c["sender"], "amount_usd": 0.0, "skip": True})
    todo = [i for i, c in enumerate(valued) if not c.get("skip")]
    decided = freezes.hold(state, transfer_risk.check_many(store, [valued[i] for i in todo], p))
    out: list[dict[str, Any] | ParameterError] = [errors.get(i) for i in range(len(checks))]
    held = []
    at = now_ms()
    for i, result in zip(todo, decided):
        if isinstance(result, ParameterError):
            out[i] = result
            continue
        result = {**result, "reference": checks[i].get("reference"), "asset": checks[i]["asset"],
                  "amount": checks[i]["amount"], "alert_id": None}
        if result["decision"] == "hold":
            held.append((i, alert_key(checks[i], at, i), result))
        out[i] = result
    if held:
        recipient = lambda r: r["recipient"]["key"]  # noqa: E731
        state.save_alerts(transfer_risk.NAME, {k: v for k, v in p.items() if v is not None},
                          [(key, [r["account_id"], recipient(r)], r) for _, key, r in held])
        ids = state.latest_alert_ids(transfer_risk.NAME, [key for _, key, _ in held])
        for _, key, r in held:
            r["alert_id"] = ids.get(key)
    return out
