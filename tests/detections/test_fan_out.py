"""fan_out (dispersal, structuring) scored against the generator's truth on every backend, and its
pure function on hand-written movements."""
from __future__ import annotations

from functools import partial

from tests.detections import flows
from tests.detections.flows import DAY, H, T0, mv, scored

run = partial(flows.run, "fan_out")


def test_fan_out_matches_truth(loaded):
    store, truth, _ = loaded
    results = scored(store, truth, "fan_out")    # payroll above all (one payer, many staff)
    for r in results:
        assert r["counterparties"] >= 10 and r["reasons"] and 0 < r["score"] <= 1 and r["recipients"]


def test_find_on_hand_written_movements():
    rows = [mv("w0", "HUB", "D", T0 - H, 30_000)]
    # HUB: pays 15 fresh accounts (3 of them by withdrawal to wallets) within 2 days, once each
    rows += [mv("HUB", f"R{k}" if k < 12 else f"w{k}", "T" if k < 12 else "W", T0 + k * 3 * H, 1800 + k)
             for k in range(15)]
    # PAYROLL: the same 12 staff every 30 days
    rows += [mv("PAYROLL", f"E{k}", "T", T0 + m * 30 * DAY + k * 60_000, 2500) for m in range(4) for k in range(12)]
    out = run(rows)
    assert [r["account_id"] for r in out] == ["HUB"]
    hub = out[0]
    assert hub["counterparties"] == 15 and hub["structured"] == 0 and hub["recipients"][:2] == ["R0", "R1"]
    assert hub["reasons"][0].startswith("paid out 15 movements, 27,105.00 USD, to 15 distinct recipients within 42 h")
    # a payroll's first and only run, with nothing to recur, is a fan-out: the documented trade-off
    first = [r for r in rows if r["src"] != "PAYROLL" or r["at"] < T0 + DAY]
    assert "PAYROLL" in [r["account_id"] for r in run(first)]
    # a shorter recurrence gap makes the monthly runs count as recurring: still excluded; a gap
    # longer than the months between runs makes every run look one-off
    assert "PAYROLL" not in [r["account_id"] for r in run(rows, recurring_days=7)]
    assert "PAYROLL" in [r["account_id"] for r in run(rows, recurring_days=100)]
