"""Trace funds: follow money forward (where did it go?) or backward (where did it come from?)
from one account or wallet, hop by hop, in time order.

The walk is level by level, one query per hop (cypher/detect/trace_funds_forward.cypher or
trace_funds_backward.cypher) over the whole frontier, each frontier entity with the time the
traced money arrived there.

Rules:
- Time-respecting. Forward, a hop is followed only if it happened strictly after the hop that
  brought the money in (money cannot leave before it arrived); backward, each earlier hop must
  be strictly earlier than the one after it. `since` / `until` bound every hop.
- Amount-aware. The traceable amount of a path is the smallest amount_usd of its hops
  (min(amount arriving, amount leaving) at every step): at most that much of the money can
  have flowed the whole way. It is an upper bound, not an allocation: other money the
  account held is not netted out. Hops without a USD value rank as 0 USD; the figure shown
  is the smallest hop with a USD value (any hop bounds the flow) or, when no hop has one,
  the smallest hop in the first hop's asset ("at most 0.4 BTC"); `amount_usd` is then the
  USD bound or None, and `amount` is the figure shown ({usd, assets}). Each hop shows its USD
  value, or its amount in its asset when it has none (casegraph/money.py).
- Money relationships: TRANSFERRED, WITHDREW, DEPOSITED, SENT. A wallet labelled
  `exchange:...` (an exchange hot wallet) is an endpoint: reported, never walked through —
  past it the trail is in the exchange's own books, and a hot wallet touches half of all users.
- Bounded: paths do not revisit an entity; each entity follows at most `max_fanout` hops (the
  largest), and at most `max_paths` paths (the largest traceable amounts) go on to the next level.
- One result per reached account or wallet, with its best path (largest traceable amount,
  then fewest hops, then nearest in time). `path` lists the steps in the money's time order
  (backward: from the reached entity to the start).

Without `account_id` or `address` there is nothing to trace, so `detect --all` gets []. For the
same reason there is no quality(): a trace has no truth list of its own; tests/detections/
test_trace_funds.py checks it against truth.json (victims' money reaches scam wallets, mules'
senders are found)."""
from __future__ import annotations

import math
from typing import Any

from casegraph.catalogue import Param
from casegraph.times import iso
from casegraph.detections import Detection
from casegraph.errors import ParameterError
from casegraph.model import model
from casegraph.money import Money, asset_of, movement_text
from casegraph.store import GraphStore

NAME = "trace_funds"
EXCHANGE_PREFIX = "exchange:"
FAR_FUTURE = 4_102_444_800_000          # 2100-01-01: "no upper bound"
MAX_HOPS_LIMIT = 6
PARAMS = (
    Param("account_id", "string", None, "the account to trace from (or give address)"),
    Param("address", "string", None, "the wallet to trace from (or give account_id)"),
    Param("direction", "string", "forward", "forward: where the money went; backward: where it came from",
          choices=("forward", "backward")),
    Param("max_hops", "int", 4, "most hops from the start", lo=1, hi=MAX_HOPS_LIMIT),
    Param("since", "time", None, "ignore movements before this time (ISO 8601 or epoch seconds/ms)"),
    Param("until", "time", None, "ignore movements after this time"),
    Param("min_amount_usd", "float", 0.0, "ignore movements below this amount (USD)", lo=0),
    Param("max_paths", "int", 500, "most paths (the largest traceable amounts) taken on to the next hop",
          lo=1, hi=100_000),
    Param("max_fanout", "int", 100, "most movements (the largest) followed out of each entity", lo=1, hi=100_000),
)
VERB = model().money              # relationship type -> what one movement is called


def parse_params(params: dict[str, Any]) -> dict[str, Any]:
    """The user's parameters (strings from the CLI or Python values) checked against PARAMS,
    and then against each other."""
    p = DETECTION.bind(params)
    if p["account_id"] and p["address"]:
        raise ParameterError(f"detection {NAME}: give account_id or address, not both")
    if p["since"] is not None and p["until"] is not None and p["since"] > p["until"]:
        raise ParameterError(f"detection {NAME}: since is later than until")
    return p


def _is_exchange(label: Any) -> bool:
    return bool(label) and str(label).startswith(EXCHANGE_PREFIX)


def _better(a: dict[str, Any], b: dict[str, Any] | None, forward: bool) -> bool:
    """Is path a a better witness than path b: more money, then fewer hops, then nearer in time."""
    if b is None:
        return True
    ta, tb = (a["arrival"], b["arrival"]) if forward else (-a["arrival"], -b["arrival"])
    return (-a["amount"], len(a["steps"]), ta) < (-b["amount"], len(b["steps"]), tb)


def walk(hop, start: tuple[str, str], p: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The level-by-level walk. `hop(accounts, wallets)` runs one query for the frontier and
    returns movement rows; returns the best path per reached (kind, key)."""
    forward = p["direction"] == "forward"
    if forward:
        start_at = p["since"] - 1 if p["since"] is not None else -1
    else:
        start_at = p["until"] + 1 if p["until"] is not None else FAR_FUTURE
    paths = [{"entity": start, "arrival": start_at, "amount": math.inf, "steps": [], "seen": {start}}]
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for _ in range(p["max_hops"]):
        if not paths:
            break
        # one frontier item per entity: the loosest time bound among the paths that end there
        bound: dict[tuple[str, str], int] = {}
        for q in paths:
            e, t = q["entity"], q["arrival"]
            bound[e] = min(bound.get(e, t), t) if forward else max(bound.get(e, t), t)
        accounts = [{"key": k, "at": t} for (kind, k), t in bound.items() if kind == "account"]
        wallets = [{"key": k, "at": t} for (kind, k), t in bound.items() if kind == "wallet"]
        out: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in hop(accounts, wallets):
            if r.get("at") is None:
                continue
            out.setdefault((r["src_kind"], r["src"]), []).append(r)
        for rows in out.values():
            rows.sort(key=lambda r: (-(r.get("amount_usd") or 0.0), r["at"], str(r["tx"])))
        nxt = []
        for q in paths:
            taken = 0
            for r in out.get(q["entity"], []):
                if taken >= p["max_fanout"]:
                    break
                if (forward and r["at"] <= q["arrival"]) or (not forward and r["at"] >= q["arrival"]):
                    continue                        # this path's money was not there yet (or any more)
                dst = (r["dst_kind"], r["dst"])
                if dst in q["seen"]:
                    continue
                taken += 1
                step = {"tx_id": r["tx"], "type": r["rel"], "from": r["src"] if forward else r["dst"],
                        "to": r["dst"] if forward else r["src"], "amount_usd": r.get("amount_usd"),
                        "amount": r.get("amount"), "asset": r.get("asset"), "at": iso(r["at"])}
                new = {"entity": dst, "arrival": r["at"], "amount": min(q["amount"], r.get("amount_usd") or 0.0),
                       "steps": q["steps"] + [step], "seen": q["seen"] | {dst},
                       "exchange": dst[0] == "wallet" and _is_exchange(r.get("dst_label")),
                       "label": r.get("dst_label")}
                if _better(new, best.get(dst), forward):
                    best[dst] = new
                if not new["exchange"]:
                    nxt.append(new)
        nxt.sort(key=lambda q: (-q["amount"], len(q["steps"]), q["arrival"] if forward else -q["arrival"]))
        paths = nxt[:p["max_paths"]]
    best.pop(start, None)
    return best


def explain_paths(best: dict[tuple[str, str], dict[str, Any]], start: tuple[str, str],
                  direction: str) -> list[dict[str, Any]]:
    """Best path per reached entity -> explained results, highest score first."""
    top = max((q["amount"] for q in best.values()), default=0.0) or 1.0
    out = []
    for (kind, key), q in best.items():
        hops = len(q["steps"])
        bound = path_bound(q["steps"])
        amount = round(bound.usd, 2) if bound.usd_parts else None
        score = round(max(0.01, min(1.0, (0.1 + 0.9 * q["amount"] / top) * 0.85 ** (hops - 1))), 3)
        what = f"account {key}" if kind == "account" else f"wallet {key}"
        steps = q["steps"] if direction == "forward" else q["steps"][::-1]     # in the money's time order
        moves = "; ".join(f"{VERB[s['type']]} {s['tx_id']} {s['from']} -> {s['to']} "
                          f"{movement_text(s['amount_usd'], s['amount'], s['asset'])} at {s['at']}" for s in steps)
        way = "reached from" if direction == "forward" else "sent money that reached"
        reasons = [f"{what} {way} {start[0]} {start[1]} in {hops} hop(s), time-ordered: {moves}",
                   f"at most {bound.text()} can have flowed the whole way (the smallest hop on the path"
                   + (")" if all(s["amount_usd"] is not None for s in steps) else
                      " with a value that compares: some hops have no USD value)")]
        if q.get("exchange"):
            reasons.append(f"exchange hot wallet ({q['label']}): the trail ends here, in the exchange's own books")
        out.append({"account_id": key if kind == "account" else None,
                    "address": key if kind == "wallet" else None, "entity": key, "kind": kind,
                    "hops": hops, "path": steps, "amount_usd": amount, "amount": bound.as_dict(), "score": score,
                    "reasons": reasons, "endpoint": bool(q.get("exchange")), "label": q.get("label")})
    out.sort(key=lambda r: (-r["score"], r["hops"], r["entity"]))
    return out


def path_bound(steps: list[dict[str, Any]]) -> Money:
    """The most that can have flowed along all of a path, as shown: its smallest hop with a USD
    value; without one, its smallest hop in the first hop's asset."""
    usd = [s["amount_usd"] for s in steps if s.get("amount_usd") is not None]
    if usd:
        return Money().add(min(usd))
    first = asset_of(steps[0].get("asset")) if steps else None
    same = [s["amount"] for s in steps if s.get("amount") is not None and asset_of(s.get("asset")) == first]
    return Money().add(None, min(same), first) if same else Money()


def run(store: GraphStore, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Trace from params['account_id'] or params['address']; [] when neither is given."""
    p = parse_params(params)
    if not p["account_id"] and not p["address"]:
        return []
    found = store.read("trace_funds_start", {"account_id": p["account_id"] or "",
                                             "address": p["address"] or ""}, row_limit=None).rows
    if not found:
        what = f"account {p['account_id']}" if p["account_id"] else f"wallet {p['address']}"
        raise ParameterError(f"detection {NAME}: there is no {what} in the graph")
    if found[0]["kind"] == "wallet" and _is_exchange(found[0].get("label")):
        raise ParameterError(f"detection {NAME}: {p['address']} is an exchange hot wallet ({found[0]['label']}); "
                             "money in it is pooled, so a trace from it means nothing: trace the accounts "
                             "that deposited or withdrew through it instead")
    start = (found[0]["kind"], found[0]["key"])
    query = "trace_funds_forward" if p["direction"] == "forward" else "trace_funds_backward"
    bounds = {"since": p["since"] if p["since"] is not None else 0,
              "until": p["until"] if p["until"] is not None else FAR_FUTURE,
              "min_amount_usd": p["min_amount_usd"]}

    def hop(accounts, wallets):
        return store.read(query, {"accounts": accounts, "wallets": wallets, **bounds}, row_limit=None).rows

    return explain_paths(walk(hop, start, p), start, p["direction"])


def explain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of one hop alone explain nothing: trace_funds runs through run()."""
    return []


DETECTION = Detection(
    name=NAME, level="account",
    summary="follow money forward or backward from an account or wallet, in time order, "
            "with how much can have flowed",
    domain="ato_scam", risk_flag=None, query="trace_funds_forward", explain=explain, params=PARAMS,
    runner=run, needs_input=True)
