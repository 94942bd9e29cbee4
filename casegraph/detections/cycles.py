"""Cycles (round-tripping): money that leaves an account and comes back to it within a window,
through other accounts and through wallets: internal transfers, withdrawals to a wallet, on-chain
sends between wallets, deposits back into an account. Follows the FATF "round-tripping" /
circular-transaction typology (FATF, Trade-Based Money Laundering, 2006 and 2020; FATF, Money
Laundering and Terrorist Financing through the Real Estate Sector: "loan-back" schemes; FinCEN
advisories on funds "returned to the originator" through layered accounts): the same money goes
round to create the look of turnover or of a legitimate source and ends where it started.

Ring-level: a cycle is a structure, and every account on it takes part (an origin alone would hide
its intermediaries), so a result is one cycle with `members` (its accounts), `origin`, `path` (the
movements in order, each {from, to, rel, at, usd | amount+asset, tx}), `hops`, `trips` (how many
distinct round trips these members made) and `returned_ratio` (what came back / what left).

How: every movement is paired with the movements that pass its money on (casegraph/detections/
_flows.py: out of the node it reached, within `max_hop_hours`, carrying `min_keep`..1.05 times its
value, same unit); a cycle is a chain of such pairs that starts at an account and ends back at it,
with no node twice, `min_hops`..`max_hops` movements long, closing within `window_hours` of the first.
The graph work runs in Python on one query's rows (money_links), so every engine gives the same answer.

Exclusions (each with the evidence it rests on):
- Two-party back-and-forth (A pays B, B pays A back: repaying a loan, a refund, splitting a bill) is
  the commonest legitimate "cycle" and money alone cannot tell it from a round trip, so cycles of
  fewer than `min_hops` = 3 movements are not reported (the generator plants such pairs as the
  `back_and_forth` decoy; lower `min_hops` to 2 to see them).
- A round trip through one's own wallets (withdraw, send between own wallets, deposit back) moves
  money to nobody: a cycle must pass through at least `min_accounts` = 2 accounts.
- Friends paying each other round a circle pay unrelated amounts: each hop must carry at least
  `min_keep` of the previous one (and at most 5% more), so a circle of unrelated payments is not
  the same money going round (the `payment_circles` decoy).
- Exchange hot wallets (label starting "exchange:") are never part of a cycle: they pool everyone's
  money, so a withdrawal to one and a deposit from one are not the same funds (money_links drops them).
- Nodes with more than `max_degree` movements (merchants' and payment processors' accounts) are
  not walked through.

Overlap: a round trip of 5 or more movements whose hops are each forwarded within hours is also a
layering chain; both detections report it (the chain without its closing hop).

Parameters and what they trade:
- `max_hops` (6): longer cycles found, at more search time; real round trips rarely exceed 6 hops.
- `min_hops` (3): 2 also reports every two-party back-and-forth (many false alarms).
- `window_hours` (168): a wider window finds slower round trips (trade-based schemes take weeks)
  and more coincidental ones.
- `max_hop_hours` (72): how long any one node may hold the money; longer finds slower schemes and
  pairs more unrelated payments.
- `min_keep` (0.7): a hop must carry this share of the previous one; lower tolerates heavy fees or
  skimming, and admits circles of unrelated payments.
- `min_accounts` (2): 1 also reports round trips through one's own wallets.
- `max_degree` (500): see above; higher reaches cycles through busier accounts.

Score: 0.4 + 0.4 x the share that came back + 0.1 when the same members went round more than once
+ 0.1 when the cycle passes through three or more accounts, capped at 1."""
from __future__ import annotations

import hashlib
from typing import Any

from casegraph.catalogue import Param
from casegraph.detections import _flows as fl
from casegraph.detections._quality import confounders_hit, precision_recall
from casegraph.times import iso

PARAMS = (
    Param("max_hops", "int", 6, "longest cycle searched, in movements", lo=2, hi=10),
    Param("min_hops", "int", 3, "shortest cycle reported, in movements (2 adds two-party back-and-forth)",
          lo=2, hi=10),
    Param("window_hours", "int", 168, "the money must be back within this many hours of leaving", lo=1, hi=24 * 365),
    Param("max_hop_hours", "int", 72, "each node passes the money on within this many hours", lo=1, hi=24 * 90),
    Param("min_keep", "float", 0.7, "each hop carries at least this share of the previous one", lo=0.0, hi=1.0,
          lo_open=True),
    Param("min_accounts", "int", 2, "fewest distinct accounts on a cycle", lo=1, hi=10),
    fl.MAX_DEGREE,
)
MAX_EXPANSIONS = 20_000       # search steps per starting movement (a safeguard on dense neighbourhoods)


def ring_id(members: list[str]) -> str:
    return "CY-" + hashlib.sha1(",".join(sorted(members)).encode()).hexdigest()[:10]


def find(ms: list[fl.Move], *, max_hops: int, min_hops: int, window_hours: int, max_hop_hours: int,
         min_keep: float, min_accounts: int, max_degree: int) -> list[dict[str, Any]]:
    """Movements (oldest first) -> cycles, one result per set of members, highest score first."""
    nxt = fl.links(ms, max_hop_hours * fl.HOUR_MS, min_keep, max_degree)
    window = window_hours * fl.HOUR_MS
    cycles: list[list[int]] = []
    for start in nxt:
        m0 = ms[start]
        if not m0.src_is_account:
            continue
        origin, budget = m0.src, MAX_EXPANSIONS
        stack = [(start, [start], {m0.src, m0.dst})]
        while stack and budget > 0:
            i, path, seen = stack.pop()
            for j in nxt.get(i, ()):
                budget -= 1
                m = ms[j]
                if m.at - m0.at > window:
                    continue
                if m.dst == origin:
                    if len(path) + 1 >= min_hops:
                        cycles.append(path + [j])
                elif m.dst not in seen and len(path) + 1 < max_hops:
                    stack.append((j, path + [j], seen | {m.dst}))
    groups: dict[tuple[str, ...], list[list[int]]] = {}
    for c in cycles:
        members = tuple(sorted(fl.accounts_on([ms[i] for i in c])))
        if len(members) >= min_accounts:
            groups.setdefault(members, []).append(c)
    out = [_explain(ms, list(members), cs) for members, cs in groups.items()]
    out.sort(key=lambda r: (-r["score"], r["started_at"], r["ring_id"]))
    return out


def _explain(ms: list[fl.Move], members: list[str], cs: list[list[int]]) -> dict[str, Any]:
    # the round trip that brought back the most (then the earliest) explains the ring
    best = max(cs, key=lambda c: (ms[c[-1]].value / ms[c[0]].value, -ms[c[0]].at))
    path = [ms[i] for i in best]
    trips = len({c[0] for c in cs})
    ratio = path[-1].value / path[0].value
    unit = path[0].unit
    hours = (path[-1].at - path[0].at) / fl.HOUR_MS
    route = " -> ".join([path[0].src] + [m.dst for m in path])
    reasons = [f"{fl.money(path[0].value, unit)} left {path[0].src} on {iso(path[0].at)} and "
               f"{fl.money(path[-1].value, unit)} ({ratio:.0%}) came back {hours:.0f} h later "
               f"through {len(path)} movements: {route}",
               f"{len(members)} accounts on the cycle: {', '.join(members)}"]
    if trips > 1:
        reasons.append(f"these accounts went round {trips} times")
    score = min(1.0, 0.4 + 0.4 * min(1.0, ratio) + 0.1 * (trips > 1) + 0.1 * (len(members) >= 3))
    return {"ring_id": ring_id(members), "members": members, "score": round(score, 3), "reasons": reasons,
            "origin": path[0].src, "hops": len(path), "trips": trips, "returned_ratio": round(ratio, 3),
            "started_at": iso(path[0].at), "closed_at": iso(path[-1].at), "path": [m.step() for m in path]}



def quality(results: list[dict[str, Any]], truth: dict) -> dict[str, float | int]:
    """Member-level precision/recall against the planted cycles; decoys (two-party repayments,
    payment circles) flagged."""
    found = {m for r in results for m in r["members"]}
    return {**precision_recall(found, truth["typologies"]["cycles"]),
            "confounders_flagged": confounders_hit(found, truth, "back_and_forth", "payment_circles")}


DETECTION = fl.typology("cycles", "ring",
                        "money that goes round through other accounts and wallets and comes back to "
                        "its origin within days (round-tripping)",
                        PARAMS, find)
