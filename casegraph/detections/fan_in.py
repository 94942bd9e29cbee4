"""Fan-in: many accounts and wallets paying one account within a short window (many-to-one), with
amounts just under a reporting threshold as a scoring bonus (structuring). Follows the FATF / FinCEN
typologies of "funnel accounts" (FinCEN advisory FIN-2014-A005: many deposits from many places into
one account) and "structuring / smurfing" (FATF: many small deposits by many people, each under the
threshold that triggers a report; 31 U.S.C. 5324).

Account-level: the hub is the subject (its senders are often ordinary people, or smurfs each doing
one small thing), so a result is one account with its burst: `counterparties` (distinct senders in
the window), `senders`, `flows` (the movements in), `structured` (how many amounts sit in
[threshold x (1 - near_threshold), threshold) USD), `window_start`/`window_end`.

How: per account, internal transfers and deposits from wallets into it (money_links: exchange hot
wallets left out); the `window_hours` window holding the most distinct senders; reported when it
holds at least `min_counterparties` that add up to at least `threshold_usd`.

Exclusions (each with the evidence it rests on):
- Steady businesses (merchants: many customers paying in, legitimately; very popular accounts): the
  window must hold at least `min_burst_share` of all the distinct senders the account ever had. A
  merchant's three days are a small slice of a steady stream of customers; a funnel's burst is
  most of its history (the generator's merchants are checked never to be reported).
- A new account's first busy days (a small business, a trader or a creator moving its customers to
  a new account: paid by many people from the day it opens): `min_burst_share` compares the window
  with the account's history, and for an account opened a week ago the first three days of a
  steady stream are half of it. A funnel's burst ends (FATF smurfing, FinCEN funnel accounts: a
  set of depositors placing one sum within a short time, then the money is held or moved), a
  customer stream goes on: when new senders keep arriving after the window at `max_after_rate`
  of the window's rate or more (per hour, up to the last movement in the data, over at least
  `window_hours`), it is a stream. Measured on the generator: the planted hubs' rate after the
  burst is at most 0.006 of the burst's; its `busy_newcomers` decoy (an account opened 5.5-9 days
  before the data ends, 40-80 customers) 0.3-0.67; the background account that was the one false
  positive on 5,000 accounts, seed 2 (opened 8 days before the end: 50 distinct senders in its
  first three days, 46 more in the five after, 5 to 4,243 USD each) 0.51. What stays: an account
  opened less than a window before the data ends, or a funnel still collecting when the data
  ends, cannot be told from a stream by timing, and is reported.
- Pass-through accounts: when at least 80% of the burst (same unit) left the account again within
  48 hours of the window's end, the account is a mule passing money on and the `mules` detection
  reports it (its own defaults: 80%, 48 h); fan_in reports collection accounts, which hold. Money
  sent on to an exchange hot wallet is not seen here (money_links leaves hot wallets out), so a
  funnel that cashes out to another exchange at once is reported by fan_in and by mules.
- Collections among friends (a gift, a shared trip: many people chipping in at once) are a burst by
  count but small in total: the window's movements must add up to at least `threshold_usd` (the
  generator's `collections` decoy: 10-25 friends, 5-180 USD each, within two days).
- Exchange hot wallets are never senders (one hot wallet is everyone's other exchange).
- Influencers (many referees) are not money hubs; the generator checks none is reported.

Parameters and what they trade:
- `window_hours` (72): a longer window finds slower funnels and more busy ordinary accounts.
- `min_counterparties` (10): lower finds smaller funnels, and ordinary accounts that had a busy
  week (a birthday, a small sale); higher misses small smurfing operations.
- `min_burst_share` (0.5): lower reports accounts with steady inflows too (merchants); higher misses
  a funnel hidden in an account with a long ordinary history.
- `threshold_usd` (10,000): the window's movements must add up to at least this in USD (splitting
  a sum that stays under the reporting threshold anyway hides nothing; this is what keeps a new
  account's first busy day of small payments out), and amounts just under it count as structured.
  Lower (3,000 for the US travel rule, or the local threshold) finds smaller funnels.
- `near_threshold` (0.1): an amount in [threshold x 0.9, threshold) is structured; the bonus only
  (structuring raises the score, never decides alone).
- `max_after_rate` (0.2): lower also leaves out funnels followed by a little ordinary traffic near
  the data's end; higher reports new accounts whose customer stream slows after its first days.

Score: 0.5 + 0.2 x min(1, senders / 25) + 0.3 x the share of structured amounts."""
from __future__ import annotations

from typing import Any

from casegraph.detections import _fans
from casegraph.detections import _flows as fl

PARAMS = _fans.params("senders")
PASS_HOURS, PASS_RATIO = 48, 0.8     # the mules detection's defaults: money sent straight on


def find(ms: list[fl.Move], **p: Any) -> list[dict[str, Any]]:
    """Movements (oldest first) -> fan-in accounts, highest score first."""
    return _fans.find(ms, True, p, _holds)


def _holds(burst: list[fl.Move], outs: list[fl.Move], p: dict[str, Any]) -> list[str] | None:
    """No more reasons when the account holds the burst; None for a pass-through (mules reports it)."""
    received: dict[str, float] = {}
    for m in burst:
        received[m.unit] = received.get(m.unit, 0.0) + m.value
    until = burst[-1].at + PASS_HOURS * fl.HOUR_MS
    sent: dict[str, float] = {}
    for m in outs:
        if burst[0].at < m.at <= until:
            sent[m.unit] = sent.get(m.unit, 0.0) + m.value
    if sum(min(sent.get(u, 0.0), v) for u, v in received.items()) >= PASS_RATIO * sum(received.values()):
        return None
    return []


def quality(results: list[dict[str, Any]], truth: dict) -> dict[str, float | int]:
    """Account-level precision/recall against the planted fan-in hubs; merchants, payroll,
    influencers, collection organisers and busy newcomers flagged."""
    return _fans.quality(results, truth, "fan_in", "merchants", "payroll", "influencers", "collections",
                         "busy_newcomers")


DETECTION = fl.typology("fan_in", "account",
                        "many accounts and wallets paying one account within days (funnel account), "
                        "amounts just under the reporting threshold scoring higher (structuring)",
                        PARAMS, find)
