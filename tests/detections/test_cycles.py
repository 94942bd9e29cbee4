"""cycles (round-tripping) scored against the generator's truth on every backend, and its pure
function on hand-written movements."""
from __future__ import annotations

from functools import partial

from casegraph import detections
from casegraph.detections import _flows as fl
from tests.detections import flows
from tests.detections.flows import mv_hours as mv, scored

run = partial(flows.run, "cycles")


def test_cycles_match_truth(loaded):
    store, truth, _ = loaded
    results = scored(store, truth, "cycles")        # two-party repayments and payment circles left out
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    for r in results:
        assert r["ring_id"].startswith("CY-") and len(r["members"]) >= 2 and r["reasons"] and 0 < r["score"] <= 1
        assert r["path"][0]["from"] == r["path"][-1]["to"] == r["origin"]


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


def test_exchange_hot_wallets_are_never_part_of_a_cycle(any_store, sqlite_state, tmp_path):
    """The same round trip twice, once through a wallet of the ring's own and once through an
    exchange hot wallet (which pools everyone's money): only the first is a cycle, on every engine.
    A third round trip in BTC without USD values is read in its own asset."""
    from casegraph.loaders.pipeline import load
    from tests.support import write_csv
    d = tmp_path / "in"
    write_csv(d / "accounts.csv", ["account_id", "registered_at"],
              [[a, "2023-01-01T00:00:00Z"] for a in ("A", "B", "C", "D", "E", "F", "G")])
    write_csv(d / "wallets.csv", ["address", "chain", "label"],
              [["0xOWN", "ETH", ""], ["0xHOT", "ETH", "exchange:Big hot"]])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
              [["T1", "A", "B", "5000", "USDT", "2024-01-02T00:00:00Z", "5000"],
               ["T2", "C", "D", "5000", "USDT", "2024-01-02T00:00:00Z", "5000"],
               ["T3", "E", "F", "0.5", "BTC", "2024-02-01T00:00:00Z", ""],
               ["T4", "F", "G", "0.49", "BTC", "2024-02-01T05:00:00Z", ""],
               ["T5", "G", "E", "0.48", "BTC", "2024-02-01T09:00:00Z", ""]])
    write_csv(d / "withdrawals.csv", ["tx_id", "account_id", "address", "amount", "asset", "at", "amount_usd"],
              [["W1", "B", "0xOWN", "4900", "USDT", "2024-01-02T06:00:00Z", "4900"],
               ["W2", "D", "0xHOT", "4900", "USDT", "2024-01-02T06:00:00Z", "4900"]])
    write_csv(d / "deposits.csv", ["tx_id", "address", "account_id", "amount", "asset", "at", "amount_usd"],
              [["D1", "0xOWN", "A", "4850", "USDT", "2024-01-02T12:00:00Z", "4850"],
               ["D2", "0xHOT", "C", "4850", "USDT", "2024-01-02T12:00:00Z", "4850"]])
    assert load(any_store, sqlite_state, [d], rejects_dir=tmp_path / "rej").ok
    assert {m.tx for m in fl.fetch(any_store)} == {"T1", "T2", "W1", "D1", "T3", "T4", "T5"}
    out = {tuple(r["members"]): r for r in detections.run(any_store, "cycles")}
    assert sorted(out) == [("A", "B"), ("E", "F", "G")]
    assert [s["tx"] for s in out["A", "B"]["path"]] == ["T1", "W1", "D1"]
    btc = [(s["amount"], s["asset"]) for s in out["E", "F", "G"]["path"]]
    assert btc == [(0.5, "BTC"), (0.49, "BTC"), (0.48, "BTC")]
