"""The window logic fan_in and fan_out share: per account, the window of `window_hours` with the
most distinct counterparties on one side (senders into it, or recipients out of it), the evidence
against it being ordinary business (how much of the account's whole history that window is, and
whether new counterparties keep coming after it), and how many of its amounts sit just under a
reporting threshold (structuring)."""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable

from casegraph.catalogue import Param
from casegraph.detections import _flows as fl
from casegraph.detections._quality import confounders_hit, precision_recall
from casegraph.times import iso

# judge(burst, the account's movements out, params) -> None to leave the account out, else more reasons
Judge = Callable[[list[fl.Move], list[fl.Move], dict[str, Any]], list[str] | None]


def params(side: str) -> tuple[Param, ...]:
    """The parameters fan_in ("senders") and fan_out ("recipients") share."""
    return (
        Param("window_hours", "int", 72, f"the {side} must all fall within this many hours", lo=1, hi=24 * 90),
        Param("min_counterparties", "int", 10, f"fewest distinct {side} within the window", lo=2, hi=100_000),
        Param("min_burst_share", "float", 0.5, f"the window's {side} must be at least this share of all the "
              f"distinct {side} the account ever had (steady businesses have a small share)", lo=0.0, hi=1.0),
        Param("threshold_usd", "float", 10_000.0, "the reporting threshold: the window's movements must add up "
              "to at least this (USD), and amounts just under it count as structured", lo=0.0, hi=1e9, lo_open=True),
        Param("near_threshold", "float", 0.1, "an amount within this share under the threshold counts as "
              "structured (0.1: 9,000-9,999.99 USD under 10,000)", lo=0.0, hi=1.0),
        Param("max_after_rate", "float", 0.2, f"new {side} arriving after the window, per hour (over at least "
              f"window_hours, up to the data's end), as a share of the window's own rate: at or above this the "
              f"stream goes on (a new account's first busy days) and it is no burst", lo=0.0, hi=1e9, lo_open=True),
    )


def burst(times_sides: list[tuple[int, str]], window_ms: int) -> tuple[int, int, int]:
    """(start index, end index exclusive, distinct counterparties) of the window with the most
    distinct counterparties; the earliest such window on ties. Input in time order."""
    best = (0, 0, 0)
    count: Counter = Counter()
    lo = 0
    for hi, (t, who) in enumerate(times_sides):
        count[who] += 1
        while times_sides[lo][0] < t - window_ms:
            c = times_sides[lo][1]
            count[c] -= 1
            if not count[c]:
                del count[c]
            lo += 1
        if len(count) > best[2]:
            best = (lo, hi + 1, len(count))
    return best


def structured(moves: list[fl.Move], threshold_usd: float, near: float) -> int:
    """How many movements are in USD and within `near` of the threshold, under it."""
    return sum(m.unit == "USD" and threshold_usd * (1 - near) <= m.value < threshold_usd for m in moves)


def candidates(ms: list[fl.Move], incoming: bool, *, window_hours: int, min_counterparties: int,
               min_burst_share: float, threshold_usd: float, max_after_rate: float,
               **_) -> list[tuple[str, list[fl.Move], int, int]]:
    """Accounts with a burst: (account, the burst's movements, distinct counterparties in it,
    distinct counterparties ever), for the caller's own exclusions. A burst adds up to at least
    the threshold in USD: splitting a sum that stays under it anyway hides nothing. And a burst
    ends: when new counterparties keep arriving after the window at `max_after_rate` of its rate
    or more (measured up to the last movement in the data, over at least a window), the window is
    the start of a steady stream that the account is too young for `min_burst_share` to see."""
    window_ms = window_hours * fl.HOUR_MS
    end = ms[-1].at if ms else 0
    side: dict[str, list[fl.Move]] = {}
    for m in ms:
        if incoming and m.dst_is_account:
            side.setdefault(m.dst, []).append(m)
        elif not incoming and m.src_is_account:
            side.setdefault(m.src, []).append(m)
    out = []
    for acct, moves in side.items():
        if len(moves) < min_counterparties:
            continue
        other = [(m.at, m.src if incoming else m.dst) for m in moves]
        lo, hi, n = burst(other, window_ms)
        if n < min_counterparties:
            continue
        ever = len({o for _, o in other})
        if n / ever + 1e-9 < min_burst_share:
            continue
        if sum(m.value for m in moves[lo:hi] if m.unit == "USD") < threshold_usd:
            continue
        after = {o for _, o in other[hi:]} - {o for _, o in other[lo:hi]}
        if len(after) * window_ms >= max_after_rate * n * max(end - moves[hi - 1].at, window_ms):
            continue        # the stream goes on: not a burst
        out.append((acct, moves[lo:hi], n, ever))
    return out


def result(acct: str, moves: list[fl.Move], n: int, ever: int, incoming: bool, p: dict[str, Any],
           extra_reasons: list[str]) -> dict[str, Any]:
    """One fan-in or fan-out account, explained."""
    thr, near = float(p["threshold_usd"]), float(p["near_threshold"])
    k = structured(moves, thr, near)
    totals: dict[str, float] = {}
    for m in moves:
        totals[m.unit] = totals.get(m.unit, 0.0) + m.value
    total = ", ".join(fl.money(v, u) for u, v in sorted(totals.items(), key=lambda x: (x[0] != "USD", x[0])))
    start, end = moves[0].at, moves[-1].at
    hours = max(1, round((end - start) / fl.HOUR_MS))
    others = sorted({m.src if incoming else m.dst for m in moves})
    verb, side = ("received", "senders") if incoming else ("paid out", "recipients")
    reasons = [f"{verb} {len(moves)} movements, {total}, {'from' if incoming else 'to'} {n} distinct {side} "
               f"within {hours} h ({iso(start)} to {iso(end)})",
               f"those {n} {side} are {n / ever:.0%} of all {ever} it ever had: a burst, not a steady business"]
    if k:
        reasons.append(f"{k} of {len(moves)} amounts between {thr * (1 - near):,.0f} and {thr:,.0f} USD, "
                       f"just under the {thr:,.0f} USD reporting threshold (structuring)")
    reasons += extra_reasons
    score = min(1.0, 0.5 + 0.2 * min(1.0, n / 25) + 0.3 * k / len(moves))
    return {"account_id": acct, "score": round(score, 3), "reasons": reasons, "counterparties": n,
            "counterparties_ever": ever, "structured": k, "total_usd": round(totals.get("USD", 0.0), 2),
            "window_start": iso(start), "window_end": iso(end), side: others,
            "flows": [m.step() for m in moves]}


def find(ms: list[fl.Move], incoming: bool, p: dict[str, Any], judge: Judge) -> list[dict[str, Any]]:
    """Movements (oldest first) -> fan-in (incoming) or fan-out accounts, highest score first: every
    candidate whose burst the detection's own `judge` keeps, given the account's movements out."""
    outs: dict[str, list[fl.Move]] = {}
    for m in ms:
        if m.src_is_account:
            outs.setdefault(m.src, []).append(m)
    out = []
    for acct, moves, n, ever in candidates(ms, incoming, **p):
        extra = judge(moves, outs.get(acct, []), p)
        if extra is not None:
            out.append(result(acct, moves, n, ever, incoming, p, extra))
    out.sort(key=lambda r: (-r["score"], -r["counterparties"], r["account_id"]))
    return out


def quality(results: list[dict[str, Any]], truth: dict, kind: str, *confounders: str) -> dict[str, float | int]:
    """Account-level precision/recall against the planted hubs of `kind`; the named confounders flagged."""
    found = [r["account_id"] for r in results]
    return {**precision_recall(found, truth["typologies"][kind]),
            "confounders_flagged": confounders_hit(found, truth, *confounders)}
