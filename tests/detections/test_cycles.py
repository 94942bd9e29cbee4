"""cycles (round-tripping) scored against the generator's truth on every backend, and its pure
function on hand-written movements."""
from __future__ import annotations

from casegraph import detections
from casegraph.detections import _flows as fl, cycles
from tests.support import timed_run

H = 3_600_000
T0 = 1_700_000_000_000


def test_cycles_match_truth(loaded):
    store, truth, _ = loaded
    results, seconds = timed_run(store, "cycles")
    assert truth["typologies"]["cycles"], "the dataset must plant cycles"
    q = cycles.quality(results, truth)
    print(f"\ncycles: {q}, {seconds:.2f}s")
    assert q["precision"] >= 0.9 and q["recall"] >= 0.9
    assert q["confounders_flagged"] == 0        # two-party repayments, payment circles
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    for r in results:
        assert r["ring_id"].startswith("CY-") and len(r["members"]) >= 2 and r["reasons"] and 0 < r["score"] <= 1
        assert r["path"][0]["from"] == r["path"][-1]["to"] == r["origin"]


def mv(src, dst, kind, hours, value, asset=None, tx=None):
    return {"src": src, "dst": dst, "kind": kind, "at": T0 + int(hours * H), "value": value, "asset": asset,
            "tx": tx or f"{src}-{dst}-{hours}"}


def run(rows, **given):
    return cycles.find(fl.moves(rows), **detections.get("cycles").bind(given))


def test_find_on_hand_written_movements():
    rows = [
        # a round trip through an account and a wallet: A -> B -> wallet wB -> back into A
        mv("A", "B", "T", 0, 5000), mv("B", "wB", "W", 10, 4900), mv("wB", "A", "D", 20, 4850),
        # two-party back-and-forth (a loan paid back): not a laundering cycle by default
        mv("P", "Q", "T", 0, 300), mv("Q", "P", "T", 30, 300),
        # friends paying round a circle, amounts unrelated (a quarter of the previous hop)
        mv("F1", "F2", "T", 0, 60), mv("F2", "F3", "T", 5, 15), mv("F3", "F1", "T", 9, 14),
        # one's own wallets: out, between own wallets, back in (one account only)
        mv("S", "w1", "W", 0, 1000), mv("w1", "w2", "S", 2, 998), mv("w2", "S", "D", 4, 995),
        # a slow return (money held 10 days at one hop)
        mv("X", "Y", "T", 0, 800), mv("Y", "Z", "T", 240, 790), mv("Z", "X", "T", 250, 780),
    ]
    out = run(rows)
    assert [r["members"] for r in out] == [["A", "B"]]
    r = out[0]
    assert r["origin"] == "A" and r["hops"] == 3 and r["returned_ratio"] == 0.97
    assert [s["rel"] for s in r["path"]] == ["TRANSFERRED", "WITHDREW", "DEPOSITED"]
    assert "came back 20 h later through 3 movements: A -> B -> wB -> A" in r["reasons"][0]
    # the parameters open up what the defaults leave out, one at a time
    assert ["P", "Q"] in [r["members"] for r in run(rows, min_hops=2)]
    assert ["S"] in [r["members"] for r in run(rows, min_accounts=1)]
    assert ["X", "Y", "Z"] in [r["members"] for r in run(rows, max_hop_hours=300, window_hours=300)]
    assert ["F1", "F2", "F3"] in [r["members"] for r in run(rows, min_keep=0.2)]
    # cycles longer than max_hops are not searched
    assert [r["members"] for r in run(rows, max_hops=2, min_hops=2)] == [["P", "Q"]]


def test_amounts_without_usd_compare_in_their_own_asset_only():
    rows = [mv("A", "B", "T", 0, 0.5, "BTC"), mv("B", "C", "T", 1, 0.49, "BTC"), mv("C", "A", "T", 2, 0.48, "BTC"),
            # the same path in mixed units is not the same money
            mv("D", "E", "T", 0, 100), mv("E", "F", "T", 1, 99, "ETH"), mv("F", "D", "T", 2, 98)]
    out = run(rows)
    assert [r["members"] for r in out] == [["A", "B", "C"]]
    assert "0.5 BTC left A" in out[0]["reasons"][0] and out[0]["path"][0]["asset"] == "BTC"
