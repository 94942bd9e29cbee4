"""layering (chains of rapid pass-through) scored against the generator's truth on every backend,
and its pure function on hand-written movements."""
from __future__ import annotations

from functools import partial

from tests.detections import flows
from tests.detections.flows import mv_hours as mv, scored

run = partial(flows.run, "layering")


def test_layering_matches_truth(loaded):
    store, truth, _ = loaded
    results = scored(store, truth, "layering")        # relays, mules left out
    for r in results:
        assert r["forwarders"] >= 3 and r["reasons"] and 0 < r["score"] <= 1
        assert [s["to"] for s in r["path"][:-1]] == [s["from"] for s in r["path"][1:]]      # a connected path


def test_find_on_hand_written_movements():
    rows = [
        # a wallet funds A, which passes ~95% on within hours: A -> B -> (wallet wB) -> C -> out
        mv("w0", "A", "D", 0, 10_000), mv("A", "B", "T", 2, 9500), mv("B", "wB", "W", 5, 9400),
        mv("wB", "C", "D", 6, 9390), mv("C", "wout", "W", 9, 9000),
        # a relay (one forwarder) and a two-forwarder chain
        mv("P", "R", "T", 0, 400), mv("R", "Q", "T", 1, 390),
        mv("X1", "X2", "T", 0, 400), mv("X2", "X3", "T", 1, 390), mv("X3", "X4", "T", 2, 385),
        # a chain broken by a two-day hold
        mv("Y1", "Y2", "T", 0, 700), mv("Y2", "Y3", "T", 1, 690), mv("Y3", "Y4", "T", 50, 680),
        mv("Y4", "Y5", "T", 51, 670),
        # money that goes round is a cycle, not a chain: K1 -> K2 -> K3 -> K1
        mv("K1", "K2", "T", 0, 900), mv("K2", "K3", "T", 1, 890), mv("K3", "K1", "T", 2, 880),
    ]
    out = run(rows)
    assert [r["members"] for r in out] == [["A", "B", "C"]]
    r = out[0]
    assert r["forwarders"] == 3 and r["hops"] == 5 and r["kept_ratio"] == 0.9 and r["hours"] == 9.0
    assert "passed through 3 accounts in 9 h" in r["reasons"][0]
    assert r["reasons"][0].endswith(": w0 -> A -> B -> wB -> C -> wout")
    assert r["reasons"][1].startswith("9,000.00 USD (90%) left the chain by withdrawal to wout")
    # two forwarders when asked; a longer hold joins the broken chain
    assert ["X1", "X2", "X3", "X4"] in [r["members"] for r in run(rows, min_forwarders=2)]
    assert ["Y1", "Y2", "Y3", "Y4", "Y5"] in [r["members"] for r in run(rows, max_hold_hours=72)]
    # the circle's longest path through distinct nodes, K1 -> K2 -> K3, has one forwarder
    assert not any("K1" in r["members"] for r in run(rows, min_forwarders=2))
