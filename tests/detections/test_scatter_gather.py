"""scatter_gather (scatter-gather and gather-scatter) scored against the generator's truth on every
backend, and its pure function on hand-written movements."""
from __future__ import annotations

from functools import partial

from tests.detections import flows
from tests.detections.flows import DAY, H, T0, mv, scored

run = partial(flows.run, "scatter_gather")


def test_scatter_gather_matches_truth(loaded):
    store, truth, _ = loaded
    results = scored(store, truth, "scatter_gather")        # relays, payroll, mules left out
    assert {r["pattern"] for r in results} == {"scatter-gather", "gather-scatter"}
    for r in results:
        assert len(r["intermediaries"]) >= 3 and r["reasons"] and 0 < r["score"] <= 1 and r["path"]


def test_find_on_hand_written_movements():
    rows = []
    # scatter-gather: S pays I1, I2 and its own wallet wS, each passes ~95% on to T within hours
    for k, (mid, kind_in, kind_out) in enumerate((("I1", "T", "T"), ("I2", "T", "T"), ("wS", "W", "D"))):
        rows += [mv("S", mid, kind_in, T0 + k * H, 2000 + 100 * k),
                 mv(mid, "T", kind_out, T0 + k * H + 5 * H, (2000 + 100 * k) * 0.95)]
    # a relay twice over: R1 and R2 pass two payments from P on to Q (two intermediaries only)
    rows += [mv("P", "R1", "T", T0, 500), mv("R1", "Q", "T", T0 + H, 490),
             mv("P", "R2", "T", T0, 700), mv("R2", "Q", "T", T0 + H, 690)]
    # gather-scatter: G1, G2 and a wallet pay HUB; within hours it pays D1, D2 and a wallet
    rows += [mv("G1", "HUB", "T", T0 + 50 * DAY, 1000), mv("G2", "HUB", "T", T0 + 50 * DAY + H, 1500),
             mv("wg", "HUB", "D", T0 + 50 * DAY + 2 * H, 2000),
             mv("HUB", "D1", "T", T0 + 50 * DAY + 6 * H, 1400), mv("HUB", "D2", "T", T0 + 50 * DAY + 7 * H, 1400),
             mv("HUB", "wd", "W", T0 + 50 * DAY + 8 * H, 1400)]
    # a shop: customers in, suppliers out, the same every week (steady)
    for w in range(6):
        t = T0 + 100 * DAY + w * 7 * DAY
        rows += [mv(f"C{w}{k}", "SHOP", "T", t + k * H, 400) for k in range(3)]
        rows += [mv("SHOP", f"V{w}{k}", "T", t + 5 * H + k * H, 380) for k in range(3)]
    out = run(rows)
    assert [(r["pattern"], r["members"]) for r in out] == [
        ("gather-scatter", ["G1", "G2", "HUB", "D1", "D2"]), ("scatter-gather", ["S", "T", "I1", "I2"])]
    gs, sg = out
    assert sg["intermediaries"] == ["I1", "I2", "wS"] and sg["forwarded_ratio"] == 0.95
    assert sg["reasons"][0].startswith("S scattered 6,300.00 USD to 3 intermediaries (I1, I2, wS) and they passed")
    assert gs["intermediaries"] == ["D1", "D2", "G1", "G2", "wd", "wg"] and gs["forwarded_ratio"] == 0.933
    # two intermediaries are enough when asked: the relays then count
    assert ["P", "Q", "R1", "R2"] in [r["members"] for r in run(rows, min_intermediaries=2)]
    # a stricter share passed on drops the gather-scatter hub (93%) and keeps the scatter-gather (95%)
    assert [r["pattern"] for r in run(rows, min_forward=0.94)] == ["scatter-gather"]
