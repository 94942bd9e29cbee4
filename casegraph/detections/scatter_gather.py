"""Scatter-gather and gather-scatter: money split over several intermediaries and brought back
together. Scatter-gather: one source pays several intermediaries (accounts, or wallets) that each
pass it on to the same sink within hours. Gather-scatter: several sources pay one hub that pays it
out to several destinations within hours. Follows the FATF / FinCEN layering typologies of
"splitting and recombining" funds through intermediaries (FATF, Professional Money Laundering,
2018: funds split across many accounts and consolidated again; FATF virtual-asset red flags:
funds split over several addresses and re-aggregated) and the scatter-gather / gather-scatter
patterns of the AML literature (IBM AMLworld, Altman et al. 2023).

Ring-level: the structure is the unit (an intermediary alone forwards one payment, like anyone
settling a friend's share), so a result is one structure with `pattern` ("scatter-gather" or
"gather-scatter"), `members` (its accounts: source, sink and intermediary accounts; or source
accounts, hub and destination accounts), `intermediaries` (accounts and wallets), `path` (every
movement, in time order), `forwarded_ratio` and the window.

How (on the money_links rows, exchange hot wallets left out):
- scatter-gather: movements are paired with the movement that passes their money on (casegraph/
  detections/_flows.py: within `max_hold_hours`, `min_forward`..1.05 of the value, same unit); pairs
  source -> X -> sink are grouped by (source, sink); reported when at least `min_intermediaries`
  distinct X fall in one `window_hours` window. The source and the sink are accounts.
- gather-scatter: per account, a `window_hours` window of inflows from at least `min_intermediaries`
  distinct sources, followed (after the window's first inflow, until `max_hold_hours` after its
  last) by outflows to at least `min_intermediaries` distinct destinations, none of them a source,
  that carry at least `min_forward` (and at most 1.05) of what came in.

Exclusions (each with the evidence it rests on):
- A relay (one account passing one payment on) is one intermediary; it takes `min_intermediaries`
  = 3 distinct ones between the same source and sink (the generator's `relays` decoy).
- A mule (many senders, one destination) gathers but does not scatter (`mules` reports it); a
  funnel that holds the money for days (fan_in) and payroll funded from an exchange (the funding
  deposit comes from a hot wallet) do not pass the money on within hours.
- Steady accounts: a gather-scatter hub must not have had as many distinct sources (or destinations)
  in the 30 days before and after the window as in it (a shop that pays suppliers from what
  customers paid does it all the time; a laundering hub's window stands out from its own history).
- Exchange hot wallets are never sources, intermediaries or sinks.
- Nodes with more than `max_degree` movements are not walked through (as intermediaries or hubs).

Parameters and what they trade:
- `min_intermediaries` (3): 2 finds smaller structures and ordinary coincidences; higher misses them.
- `window_hours` (72): how far apart the scattered (or gathered) movements may be; wider finds
  slower structures and more coincidences.
- `max_hold_hours` (24): how long an intermediary (or the hub) holds the money.
- `min_forward` (0.8): the share passed on; lower tolerates fees and skimming.
- `max_degree` (500): higher reaches structures through busier accounts.

Score: 0.5 + 0.3 x the share passed on + 0.2 x min(1, intermediaries / 8)."""
from __future__ import annotations

import hashlib
from typing import Any

from casegraph.catalogue import Param
from casegraph.detections import _flows as fl
from casegraph.detections._quality import confounders_hit, precision_recall
from casegraph.times import iso

PARAMS = (
    Param("min_intermediaries", "int", 3, "fewest distinct intermediaries (or sources and destinations of a hub)",
          lo=2, hi=1000),
    Param("window_hours", "int", 72, "the scattered (or gathered) movements fall within this many hours",
          lo=1, hi=24 * 90),
    Param("max_hold_hours", "int", 24, "an intermediary (or the hub) passes the money on within this many hours",
          lo=1, hi=24 * 30),
    Param("min_forward", "float", 0.8, "least share of the money passed on", lo=0.0, hi=1.0, lo_open=True),
    fl.MAX_DEGREE,
)
STEADY_DAYS = 30       # a hub is steady when the 30 days before and after its window are as busy


def ring_id(members: list[str]) -> str:
    return "SG-" + hashlib.sha1(",".join(sorted(members)).encode()).hexdigest()[:10]


def find(ms: list[fl.Move], *, min_intermediaries: int, window_hours: int, max_hold_hours: int,
         min_forward: float, max_degree: int) -> list[dict[str, Any]]:
    """Movements (oldest first) -> scatter-gather and gather-scatter structures, highest score first."""
    ins, outs = fl.by_node(ms)
    window, hold = window_hours * fl.HOUR_MS, max_hold_hours * fl.HOUR_MS
    nxt = fl.links(ms, hold, min_forward, max_degree, ins, outs)
    out = _scatter_gather(ms, nxt, min_intermediaries, window)
    out += _gather_scatter(ms, ins, outs, min_intermediaries, window, hold, min_forward, max_degree)
    best: dict[str, dict[str, Any]] = {}
    for r in out:
        if r["ring_id"] not in best or r["score"] > best[r["ring_id"]]["score"]:
            best[r["ring_id"]] = r
    res = sorted(best.values(), key=lambda r: (-r["score"], r["window_start"], r["ring_id"]))
    return res


def _scatter_gather(ms, nxt, k_min, window) -> list[dict[str, Any]]:
    pairs: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for i, js in nxt.items():
        a = ms[i]
        if not a.src_is_account:
            continue
        for j in js:
            b = ms[j]
            if b.dst_is_account and b.dst != a.src:
                pairs.setdefault((a.src, b.dst), []).append((i, j))
    out = []
    for (src, sink), ps in pairs.items():
        if len({ms[i].dst for i, _ in ps}) < k_min:
            continue
        ps.sort()
        best: list[tuple[int, int]] = []
        lo = 0
        for hi in range(len(ps)):
            while ms[ps[lo][0]].at < ms[ps[hi][0]].at - window:
                lo += 1
            got = ps[lo:hi + 1]
            if len({ms[i].dst for i, _ in got}) > len({ms[i].dst for i, _ in best}):
                best = got
        mids = sorted({ms[i].dst for i, _ in best})
        if len(mids) < k_min:
            continue
        scattered = [ms[i] for i in dict.fromkeys(i for i, _ in best)]
        gathered = [ms[j] for j in dict.fromkeys(j for _, j in best)]
        mid_accounts = sorted({m.dst for m in scattered if m.dst_is_account})
        members = [src, sink] + [m for m in mid_accounts if m not in (src, sink)]
        out.append(_result("scatter-gather", members, mids, scattered, gathered,
                           f"{src} scattered {_total(scattered)} to {len(mids)} intermediaries "
                           f"({', '.join(mids)}) and they passed {_total(gathered)} on to {sink}"))
    return out


def _gather_scatter(ms, ins, outs, k_min, window, hold, min_forward, max_degree) -> list[dict[str, Any]]:
    out = []
    for hub, in_idx in ins.items():
        out_idx = outs.get(hub)
        if not out_idx or len(in_idx) < k_min or len(out_idx) < k_min or len(in_idx) + len(out_idx) > max_degree:
            continue
        if not ms[in_idx[0]].dst_is_account:
            continue
        found = None
        for a in range(len(in_idx)):
            t0 = ms[in_idx[a]].at
            b = a
            while b < len(in_idx) and ms[in_idx[b]].at <= t0 + window:
                b += 1
            gathered = [ms[i] for i in in_idx[a:b]]
            sources = {m.src for m in gathered}
            if len(sources) < k_min:
                continue
            until = gathered[-1].at + hold
            scattered = [ms[j] for j in out_idx if t0 < ms[j].at <= until]
            dests = {m.dst for m in scattered}
            if len(dests) < k_min or dests & sources:
                continue
            if (_steady(ms, in_idx, "src", t0, until, len(sources))
                    or _steady(ms, out_idx, "dst", t0, until, len(dests))):
                continue
            got, sent = _by_unit(gathered), _by_unit(scattered)
            if set(sent) - set(got):
                continue
            ratio = sum(sent.values()) / sum(got.values())
            if not min_forward <= ratio <= fl.MAX_GROWTH:
                continue
            found = (gathered, scattered, sources, dests)
            break
        if found is None:
            continue
        gathered, scattered, sources, dests = found
        members = sorted(s for s in sources if any(m.src == s and m.src_is_account for m in gathered))
        members = members + [hub] + sorted(d for d in dests if any(m.dst == d and m.dst_is_account for m in scattered))
        out.append(_result("gather-scatter", members, sorted(sources | dests), gathered, scattered,
                           f"{hub} gathered {_total(gathered)} from {len(sources)} sources "
                           f"({', '.join(sorted(sources))}) and scattered {_total(scattered)} to "
                           f"{len(dests)} destinations ({', '.join(sorted(dests))})"))
    return out


def _steady(ms, idx, side, t0, until, n) -> bool:
    """Whether the hub had at least `n` distinct counterparties on this side in the STEADY_DAYS
    before and after the window [t0, until] (outside it): then the window is business as usual."""
    span = STEADY_DAYS * 24 * fl.HOUR_MS
    around = {getattr(ms[i], side) for i in idx
              if t0 - span <= ms[i].at < t0 or until < ms[i].at <= until + span}
    return len(around) >= n


def _by_unit(moves: list[fl.Move]) -> dict[str, float]:
    out: dict[str, float] = {}
    for m in moves:
        out[m.unit] = out.get(m.unit, 0.0) + m.value
    return out


def _total(moves: list[fl.Move]) -> str:
    return ", ".join(fl.money(v, u) for u, v in sorted(_by_unit(moves).items(), key=lambda x: (x[0] != "USD", x[0])))


def _result(pattern, members, others, first, second, what) -> dict[str, Any]:
    a, b = _by_unit(first), _by_unit(second)
    ratio = sum(min(b.get(u, 0.0), v) for u, v in a.items()) / sum(a.values())
    moves = sorted(first + second, key=lambda m: (m.at, m.tx))
    hours = (moves[-1].at - moves[0].at) / fl.HOUR_MS
    reasons = [what, f"{ratio:.0%} passed on; all {len(moves)} movements within {hours:.0f} h "
                     f"({iso(moves[0].at)} to {iso(moves[-1].at)})"]
    score = min(1.0, 0.5 + 0.3 * min(1.0, ratio) + 0.2 * min(1.0, len(others) / 8))
    return {"ring_id": ring_id(members), "members": members, "score": round(score, 3), "reasons": reasons,
            "pattern": pattern, "intermediaries": others, "forwarded_ratio": round(ratio, 3),
            "window_start": iso(moves[0].at), "window_end": iso(moves[-1].at),
            "path": [m.step() for m in moves]}



def quality(results: list[dict[str, Any]], truth: dict) -> dict[str, float | int]:
    """Member-level precision/recall against the planted scatter-gather and gather-scatter
    structures; relays, payroll and mules flagged."""
    found = {m for r in results for m in r["members"]}
    return {**precision_recall(found, truth["typologies"]["scatter_gather"]),
            "confounders_flagged": confounders_hit(found, truth, "relays", "payroll")
            + len(found & set(truth["mules"]))}


DETECTION = fl.typology("scatter_gather", "ring",
                        "money split over several intermediaries and brought together again within "
                        "hours (scatter-gather), or gathered from several sources and paid out to several "
                        "destinations (gather-scatter)",
                        PARAMS, find)
