"""Money movements shared by the money-laundering typology detections (cycles, fan_in, fan_out,
scatter_gather, layering): one query (`money_links`) fetches every internal transfer,
withdrawal, deposit and on-chain send that does not touch an exchange hot wallet; the graph
work happens here, in Python, the same on every engine (and faster than variable-length Cypher).

A node is an account id or a wallet address. A movement's value is its USD value when it has
one (amount_usd), else its amount in its own asset; values of different units are never
compared (casegraph/money.py: an amount without a USD value has no comparable size).

`links` pairs a movement into a node with a movement out of it that plausibly carries the same
money on: it leaves after the first arrived, within `hold_ms`, carrying between `min_ratio` and
MAX_GROWTH times its value, in the same unit. Nodes with more than `max_degree` movements
(payment processors, very busy accounts) are not walked through: their inflows and outflows
cannot be paired one to one."""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from typing import Any, NamedTuple

from casegraph.catalogue import Param
from casegraph.times import iso

QUERY = "money_links"
HOUR_MS = 3_600_000
# A hop may carry a little more than came in (a few dollars of the account's own money, rounding);
# more than this is other money, not the same money passed on.
MAX_GROWTH = 1.05
KIND_NAME = {"T": "transfer", "W": "withdrawal", "D": "deposit", "S": "on-chain send"}
REL = {"T": "TRANSFERRED", "W": "WITHDREW", "D": "DEPOSITED", "S": "SENT"}
MAX_DEGREE = Param("max_degree", "int", 500, "nodes with more money movements than this (all time) are "
                   "not walked through: their inflows and outflows cannot be paired one to one; higher "
                   "finds structures through busier accounts, at more time", lo=2, hi=100_000_000)


class Move(NamedTuple):
    src: str
    dst: str
    kind: str           # T, W, D, S
    at: int             # epoch ms
    unit: str           # "USD", or the asset of a movement without a USD value
    value: float
    tx: str

    @property
    def src_is_account(self) -> bool:
        return self.kind in "TW"

    @property
    def dst_is_account(self) -> bool:
        return self.kind in "TD"

    def step(self) -> dict[str, Any]:
        """The movement as a path step: who to whom, what, when, how much."""
        out = {"from": self.src, "from_label": "Account" if self.src_is_account else "Wallet",
               "rel": REL[self.kind], "to": self.dst, "to_label": "Account" if self.dst_is_account else "Wallet",
               "at": iso(self.at), "tx": self.tx}
        if self.unit == "USD":
            out["usd"] = round(self.value, 2)
        else:
            out["amount"], out["asset"] = self.value, self.unit
        return out


def money(value: float, unit: str) -> str:
    return f"{value:,.2f} USD" if unit == "USD" else f"{value:,.8g} {unit}"


def fetch(store, exchange_prefix: str = "exchange:") -> list[Move]:
    """Every movement, oldest first (ties by tx)."""
    rows = store.read(QUERY, {"exchange_prefix": exchange_prefix}, row_limit=None).rows
    return moves(rows)


def moves(rows: list[dict[str, Any]]) -> list[Move]:
    """Query rows {src, dst, at, value, k} -> movements, oldest first; rows without a time or a
    value are dropped. k is the kind, the asset when the value is not in USD, a space, the tx."""
    out = []
    for r in rows:
        at, value, k = r.get("at"), r.get("value"), r.get("k")
        if at is None or value is None or not k or r.get("src") is None or r.get("dst") is None:
            continue
        value = float(value)
        if value <= 0:
            continue
        asset, _, tx = k[1:].partition(" ")      # kind, asset (empty: USD), space, tx
        unit = asset.strip().upper() or "USD"
        out.append(Move(str(r["src"]), str(r["dst"]), k[0], int(at), unit, value, tx))
    out.sort(key=lambda m: (m.at, m.tx, m.src, m.dst))
    return out


def by_node(ms: list[Move]) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """(node -> indexes of movements into it, node -> indexes of movements out of it), each in time order."""
    ins: dict[str, list[int]] = defaultdict(list)
    outs: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(ms):
        outs[m.src].append(i)
        ins[m.dst].append(i)
    return ins, outs


def links(ms: list[Move], hold_ms: int, min_ratio: float, max_degree: int,
          ins: dict | None = None, outs: dict | None = None) -> dict[int, list[int]]:
    """movement index -> indexes of the movements that pass its money on (see the module docstring)."""
    if ins is None or outs is None:
        ins, outs = by_node(ms)
    nxt: dict[int, list[int]] = {}
    for node, out_idx in outs.items():
        in_idx = ins.get(node)
        if not in_idx or len(in_idx) + len(out_idx) > max_degree:
            continue
        times = [ms[j].at for j in out_idx]
        for i in in_idx:
            a = ms[i]
            k = bisect_right(times, a.at)
            lo, hi = a.value * min_ratio, a.value * MAX_GROWTH
            while k < len(times) and times[k] <= a.at + hold_ms:
                b = ms[out_idx[k]]
                if b.unit == a.unit and lo <= b.value <= hi:
                    nxt.setdefault(i, []).append(out_idx[k])
                k += 1
    return nxt


def accounts_on(path: list[Move]) -> list[str]:
    """The accounts a path of movements passes through, in order, each once."""
    seen: list[str] = []
    for m in path:
        for node, acct in ((m.src, m.src_is_account), (m.dst, m.dst_is_account)):
            if acct and node not in seen:
                seen.append(node)
    return seen


def typology(name: str, level: str, summary: str, params, find) -> Any:
    """The Detection of a typology: its runner reads every movement (money_links) once and
    hands them, with the checked parameters, to `find(moves, **params)`."""
    from casegraph.detections import Detection

    def explain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return find(moves(rows), **detection.bind({}))

    def run(store, given: dict[str, Any]) -> list[dict[str, Any]]:
        params = detection.bind(given)          # checked before the store is touched
        return find(fetch(store), **params)

    detection = Detection(name=name, level=level, summary=summary, domain="ato_scam", risk_flag=None,
                          query=QUERY, explain=explain, params=params, runner=run)
    return detection
