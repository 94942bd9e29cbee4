"""Fan-out: one account paying many accounts and wallets within a short window (one-to-many), with
amounts just under a reporting threshold as a scoring bonus (structuring). Follows the FATF / FinCEN
typologies of dispersal ("fan-out" of funds to many accounts to break up a sum; FinCEN funnel-account
and structuring advisories; FATF "smurfing" on the way out: many payments each under the threshold).

Account-level: the payer is the subject (the recipients may be unwitting), so a result is one
account with its burst: `counterparties` (distinct recipients in the window), `recipients`, `flows`
(the movements out), `structured`, `window_start`/`window_end`.

How: per account, internal transfers out and withdrawals to wallets (money_links: exchange hot
wallets left out); the `window_hours` window holding the most distinct recipients; reported when
it holds at least `min_counterparties` that add up to at least `threshold_usd`.

Exclusions (each with the evidence it rests on):
- Payroll and other recurring payments (one payer to many staff, allowances, subscriptions): when
  at least half of the window's recipients were also paid by the account more than `recurring_days`
  before or after the window, the burst is a recurring run, not a one-off dispersal. A company's
  salary run pays the same people every month; a dispersal pays fresh accounts once (the
  generator's payroll accounts are checked never to be reported). A company's very first run,
  with no other yet, looks like a fan-out: the trade-off of `recurring_days`.
- Steady payers (very active ordinary accounts): the window must hold at least `min_burst_share` of
  all the distinct recipients the account ever paid. A young account's steady payments (a new
  business paying its suppliers from the day it opens) go on after the window: as in fan_in,
  `max_after_rate` leaves out a window that new recipients keep following.
- Exchange hot wallets are never recipients (a withdrawal to another exchange is one destination
  whoever receives it).
- Influencers (many referees) are not money hubs; the generator checks none is reported.

Parameters and what they trade:
- `window_hours` (72), `min_counterparties` (10), `min_burst_share` (0.5), `threshold_usd` (10,000),
  `near_threshold` (0.1), `max_after_rate` (0.2): as in fan_in (recipients instead of senders).
- `recurring_days` (20): a recipient paid again at least this many days away from the burst is a
  recurring payee; lower treats weekly payments as recurring too, higher needs longer history
  before payroll is recognised.

Score: 0.5 + 0.2 x min(1, recipients / 25) + 0.3 x the share of structured amounts."""
from __future__ import annotations

from typing import Any

from casegraph.catalogue import Param
from casegraph.detections import _fans
from casegraph.detections import _flows as fl

PARAMS = _fans.params("recipients") + (
    Param("recurring_days", "int", 20, "a recipient also paid at least this many days before or after the "
          "window is a recurring payee (payroll); half the window's recipients recurring excludes it",
          lo=1, hi=365),)
DAY_MS = 24 * fl.HOUR_MS


def find(ms: list[fl.Move], **p: Any) -> list[dict[str, Any]]:
    """Movements (oldest first) -> fan-out accounts, highest score first."""
    return _fans.find(ms, False, p, _once)


def _once(burst: list[fl.Move], paid: list[fl.Move], p: dict[str, Any]) -> list[str] | None:
    """None for a recurring run (half the recipients also paid at another time: payroll), else what
    recurs as a reason."""
    gap = int(p["recurring_days"]) * DAY_MS
    lo, hi = burst[0].at - gap, burst[-1].at + gap
    recipients = {m.dst for m in burst}
    again = {m.dst for m in paid if m.dst in recipients and not lo <= m.at <= hi}
    if 2 * len(again) >= len(recipients):
        return None
    return [f"{len(again)} of them were paid by it at another time"] if again else []


def quality(results: list[dict[str, Any]], truth: dict) -> dict[str, float | int]:
    """Account-level precision/recall against the planted fan-out hubs; payroll, merchants and
    influencers flagged."""
    return _fans.quality(results, truth, "fan_out", "payroll", "merchants", "influencers")


DETECTION = fl.typology("fan_out", "account",
                        "one account paying many accounts and wallets within days, once each (dispersal), "
                        "amounts just under the reporting threshold scoring higher (structuring)",
                        PARAMS, find)
