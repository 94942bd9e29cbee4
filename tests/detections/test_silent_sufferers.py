"""Detections scored against the generator's ground truth, on the embedded store and on Neo4j."""
from __future__ import annotations


import pytest

from casegraph import detections as detect
from casegraph.detections.silent_sufferers import explain
from casegraph.state import open_state

def test_silent_sufferers_match_truth_exactly(loaded):
    store, truth, _ = loaded
    results = detect.run(store, "silent_sufferers")
    found = {r["account_id"] for r in results}
    expected = set(truth["silent_sufferers"])
    assert expected, "the dataset must plant silent sufferers"
    assert found == expected                                    # recall 1.0 and precision 1.0
    assert not found & set(truth["reported_victims"])           # reported victims are never listed
    losses = [r["amount_lost_usd"] for r in results]
    assert losses == sorted(losses, reverse=True)               # outreach order: biggest loss first
    for r in results:
        assert r["reasons"] and 0 < r["score"] <= 1 and r["paid_to"]


def test_detect_again_updates_open_alerts(loaded):
    store, truth, settings = loaded
    state = open_state(settings.state_url())
    results = detect.run(store, "silent_sufferers")
    first = detect.save_as_alerts(state, "silent_sufferers", {}, results)
    second = detect.save_as_alerts(state, "silent_sufferers", {}, results)
    assert first[0] >= len(truth["silent_sufferers"]) and second == (0, len(results))
    assert len(state.list_alerts("silent_sufferers")) == first[0]


def test_silent_sufferer_explanation_dedupes_and_orders():
    rows = [
        {"account_id": "V1", "route": "transfer", "paid_to": "S1", "tx": "T1", "amount_usd": 100.0, "at": 1000, "watchlist": "internal"},
        {"account_id": "V1", "route": "transfer", "paid_to": "S1", "tx": "T1", "amount_usd": 100.0, "at": 1000, "watchlist": "vendor-intel"},
        {"account_id": "V1", "route": "on-chain hop", "paid_to": "0xs", "tx": "0xh", "amount_usd": 50.0, "at": 3000, "watchlist": "internal"},
        {"account_id": "V2", "route": "withdrawal", "paid_to": "0xs", "tx": "W1", "amount_usd": 500.0, "at": 2000, "watchlist": "internal"},
    ]
    out = explain(rows)
    assert [r["account_id"] for r in out] == ["V2", "V1"]
    v1 = out[1]
    assert (v1["amount_lost_usd"], v1["payments"], v1["paid_to"]) == (150.0, 2, ["0xs", "S1"])
    assert "internal, vendor-intel" in v1["reasons"][0] and v1["first_paid_at"] == "1970-01-01T00:00:01Z"


def test_unknown_detection_is_a_clear_error():
    with pytest.raises(Exception, match="no detection named .rings_x.; there are .*mules.*silent_sufferers"):
        detect.get("rings_x")


def test_a_listed_account_paying_a_listed_one_is_not_a_silent_sufferer(any_store, sqlite_state, tmp_path):
    """Issue 14: on independent data 111 of 2,202 silent sufferers were themselves on the
    watchlist (scammers paying each other); they are not victims to reach out to."""
    from casegraph.loaders.pipeline import load
    from tests.support import write_csv
    d = tmp_path / "in"
    write_csv(d / "accounts.csv", ["account_id", "registered_at"],
              [[a, "2023-01-01T00:00:00Z"] for a in ("S1", "S2", "V1")])
    write_csv(d / "wallets.csv", ["address", "chain", "label"], [["0xW1", "ETH", ""]])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
              [["T1", "V1", "S1", "50", "USDT", "2024-01-02T00:00:00Z", "50"],
               ["T2", "S2", "S1", "900", "USDT", "2024-01-03T00:00:00Z", "900"]])
    write_csv(d / "withdrawals.csv", ["tx_id", "account_id", "address", "amount", "asset", "at", "amount_usd"],
              [["W1", "S2", "0xW1", "10", "USDT", "2024-01-04T00:00:00Z", "10"]])
    write_csv(d / "watchlists.csv", ["watchlist", "account_id", "address", "list_source", "reason", "listed_at"],
              [["internal", "S1", "", "fraud-team", "scam", ""], ["vendor", "S2", "", "vendor", "mule", ""],
               ["internal", "", "0xW1", "fraud-team", "cash-out", ""]])
    assert load(any_store, sqlite_state, [d], rejects_dir=tmp_path / "rej").ok
    assert [r["account_id"] for r in detect.run(any_store, "silent_sufferers")] == ["V1"]


def test_members_of_a_confirmed_ring_are_not_silent_sufferers(any_store, sqlite_state, tmp_path):
    """Issue 14: accounts of a ring an investigator confirmed are one operator's fakes paying
    their operator, not victims; the verdict lives in the case store, which queue() reads."""
    from casegraph import cases
    from casegraph.loaders.pipeline import load
    from tests.support import write_csv
    d = tmp_path / "in"
    write_csv(d / "accounts.csv", ["account_id", "registered_at"],
              [[a, "2023-01-01T00:00:00Z"] for a in ("S1", "R1", "R2", "V1")])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
              [[f"T{k}", a, "S1", "50", "USDT", f"2024-01-0{k}T00:00:00Z", "50"]
               for k, a in enumerate(("R1", "R2", "V1"), start=1)])
    write_csv(d / "watchlists.csv", ["watchlist", "account_id", "address", "list_source", "reason", "listed_at"],
              [["internal", "S1", "", "fraud-team", "scam", ""]])
    assert load(any_store, sqlite_state, [d], rejects_dir=tmp_path / "rej").ok
    every = lambda: [o.results for o in detect.queue(any_store, sqlite_state, "t", ["silent_sufferers"])][0]  # noqa: E731
    assert sorted(r["account_id"] for r in every()) == ["R1", "R2", "V1"]
    inv = {"name": "inv", "role": "investigator", "disabled": False}
    ring = [{"data": {"id": f"Account:{a}", "kind": "Account", "key": a, "label": a, "props": {}, "risk": []}}
            for a in ("R1", "R2")]
    cid = cases.create_case(sqlite_state, inv, "ring", ring, {"query": "alert", "params": {}}, detection="rings")
    assert sorted(r["account_id"] for r in every()) == ["R1", "R2", "V1"]      # not decided yet
    cases.set_status(sqlite_state, inv, cid, "in_review", "looking")
    cases.set_status(sqlite_state, inv, cid, "confirmed", "one operator")
    assert [r["account_id"] for r in every()] == ["V1"]
    # a graph store alone cannot see verdicts; the CLI and the queue apply them
    assert sorted(r["account_id"] for r in detect.run(any_store, "silent_sufferers")) == ["R1", "R2", "V1"]
