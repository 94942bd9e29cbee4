"""Layering chains: money passed along a chain of accounts (and wallets), each passing on most of
what it received within hours, so that the funds end far from where they entered. Follows the
FATF / FinCEN "layering" stage and its "rapid movement of funds" / "pass-through" red flags (FATF,
Virtual Assets Red Flag Indicators of ML/TF, 2020: funds moved on quickly through several accounts
or addresses with no business purpose; on-chain, "peel chains"; FinCEN FIN-2019-A003 red flags on
rapid transfers through accounts).

Ring-level: a chain is a structure whose accounts act together, so a result is one chain with
`members` (its accounts, in chain order), `path` (the movements in order, each {from, to, rel, at,
usd | amount+asset, tx}), `forwarders` (how many accounts passed the money on), `kept_ratio` (what
left the last node / what entered the first) and `hours` (first to last movement).

How: every movement is paired with the movements that pass its money on (casegraph/detections/
_flows.py: out of the node it reached, within `max_hold_hours`, carrying `min_forward`..1.05 times
its value, same unit); a chain is a path of such pairs through distinct nodes, from a movement
that passes on nothing received before. Reported when at least `min_forwarders` accounts on it
passed the money on. Wallets on the path (a withdrawal to a wallet that deposits into the next
account; an on-chain hop) are part of the chain but do not count as forwarding accounts.

Exclusions (each with the evidence it rests on):
- Someone paying a friend's share on (one account forwarding one payment) is a relay, not a chain:
  it takes `min_forwarders` = 3 accounts in a row (the generator's `relays` decoy).
- A mule (many senders, one destination) forwards money once per sender: one forwarder per chain,
  reported by `mules`, not here. Scatter-gather intermediaries likewise forward once.
- Exchange hot wallets are never part of a chain (money into a hot wallet is not the money coming
  out of it; money_links drops them).
- Nodes with more than `max_degree` movements (busy accounts, payment processors) are not walked
  through: their inflows and outflows cannot be paired one to one.
- A chain may not visit a node twice: money that comes back is a cycle (`cycles`). A round trip of
  5 or more hops still contains a chain of 3 forwarders and is reported by both.

Parameters and what they trade:
- `min_forwarders` (3): 2 finds shorter chains and more coincidences (someone paid, who paid
  someone, who paid someone the same amount the same day); 4 misses short chains.
- `max_hold_hours` (24): how long each account may hold the money; longer finds slower layering and
  pairs more unrelated payments.
- `min_forward` (0.8): the share each hop passes on; lower tolerates skimming and fees, and pairs
  unrelated payments more often.
- `max_hops` (12): longest chain followed, in movements (search time).
- `max_degree` (500): see above.

Score: 0.4 + 0.3 x min(1, forwarders / 6) + 0.3 x the share kept from first to last movement."""
from __future__ import annotations

import hashlib
from typing import Any

from casegraph.catalogue import Param
from casegraph.detections import _flows as fl
from casegraph.detections._quality import confounders_hit, precision_recall
from casegraph.times import iso

PARAMS = (
    Param("min_forwarders", "int", 3, "fewest accounts on the chain that each passed the money on", lo=1, hi=20),
    Param("max_hold_hours", "int", 24, "each account passes the money on within this many hours", lo=1, hi=24 * 30),
    Param("min_forward", "float", 0.8, "each hop carries at least this share of what came in", lo=0.0, hi=1.0,
          lo_open=True),
    Param("max_hops", "int", 12, "longest chain followed, in movements", lo=2, hi=50),
    fl.MAX_DEGREE,
)
MAX_EXPANSIONS = 20_000       # search steps per starting movement (a safeguard on dense neighbourhoods)


def ring_id(members: list[str]) -> str:
    return "LC-" + hashlib.sha1(",".join(sorted(members)).encode()).hexdigest()[:10]


def _forwarders(path: list[fl.Move]) -> int:
    """Accounts in the middle of the path: each received one movement and sent the next."""
    return sum(m.dst_is_account for m in path[:-1])


def find(ms: list[fl.Move], *, min_forwarders: int, max_hold_hours: int, min_forward: float, max_hops: int,
         max_degree: int) -> list[dict[str, Any]]:
    """Movements (oldest first) -> layering chains, one per set of members, highest score first."""
    nxt = fl.links(ms, max_hold_hours * fl.HOUR_MS, min_forward, max_degree)
    fed = {j for js in nxt.values() for j in js}
    chains: list[list[int]] = []
    for start in nxt:
        if start in fed:
            continue            # passes on money received before: part of a longer chain
        m0, budget = ms[start], MAX_EXPANSIONS
        stack = [([start], {m0.src, m0.dst})]
        while stack and budget > 0:
            path, seen = stack.pop()
            grown = False
            if len(path) < max_hops:
                for j in nxt.get(path[-1], ()):
                    budget -= 1
                    if ms[j].dst not in seen:
                        stack.append((path + [j], seen | {ms[j].dst}))
                        grown = True
            if not grown and _forwarders([ms[i] for i in path]) >= min_forwarders:
                chains.append(path)
    best: dict[tuple[str, ...], list[fl.Move]] = {}
    for c in chains:
        path = [ms[i] for i in c]
        members = tuple(sorted(fl.accounts_on(path)))
        old = best.get(members)
        if old is None or (len(path), path[-1].value / path[0].value) > (len(old), old[-1].value / old[0].value):
            best[members] = path
    # a chain whose accounts all lie on a longer reported chain adds nothing
    keep = [m for m in best if not any(set(m) < set(o) for o in best)]
    out = [_explain(best[m]) for m in keep]
    out.sort(key=lambda r: (-r["score"], r["started_at"], r["ring_id"]))
    return out


def _explain(path: list[fl.Move]) -> dict[str, Any]:
    members = fl.accounts_on(path)
    fwd = _forwarders(path)
    ratio = path[-1].value / path[0].value
    hours = (path[-1].at - path[0].at) / fl.HOUR_MS
    holds = [(b.at - a.at) / fl.HOUR_MS for a, b in zip(path, path[1:])]
    route = " -> ".join([path[0].src] + [m.dst for m in path])
    unit = path[0].unit
    least = min(b.value / a.value for a, b in zip(path, path[1:]))
    reasons = [f"{fl.money(path[0].value, unit)} entered on {iso(path[0].at)} and passed through {fwd} accounts "
               f"in {hours:.0f} h, each sending on at least {least:.0%} of what it got within {max(holds):.0f} h: "
               f"{route}",
               f"{fl.money(path[-1].value, unit)} ({ratio:.0%}) left the chain by "
               f"{fl.KIND_NAME[path[-1].kind]} to {path[-1].dst} on {iso(path[-1].at)}"]
    score = min(1.0, 0.4 + 0.3 * min(1.0, fwd / 6) + 0.3 * min(1.0, ratio))
    return {"ring_id": ring_id(members), "members": members, "score": round(score, 3), "reasons": reasons,
            "forwarders": fwd, "hops": len(path), "kept_ratio": round(ratio, 3), "hours": round(hours, 1),
            "started_at": iso(path[0].at), "ended_at": iso(path[-1].at), "path": [m.step() for m in path]}



def quality(results: list[dict[str, Any]], truth: dict) -> dict[str, float | int]:
    """Member-level precision/recall against the planted chains; relays and mules flagged."""
    found = {m for r in results for m in r["members"]}
    return {**precision_recall(found, truth["typologies"]["layering"]),
            "confounders_flagged": confounders_hit(found, truth, "relays") + len(found & set(truth["mules"]))}


DETECTION = fl.typology("layering", "ring",
                        "chains of accounts each passing on most of what it received within hours "
                        "(layering, rapid pass-through)",
                        PARAMS, find)
