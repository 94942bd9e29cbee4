"""Fund tracing: the walk's rules on a small hand-built graph (loaded from canonical CSV files
into the real embedded store), and on the generated datasets against truth.json (on the
embedded store and on Neo4j)."""
from __future__ import annotations

import time

import pytest

from casegraph.detections import run
from casegraph.errors import ParameterError
from casegraph.loaders.pipeline import load
from tests.support import write_csv

DAY = 86_400


def _at(days: float) -> str:
    return str(int(1_704_067_200 + days * DAY))     # 2024-01-01 + days, epoch seconds


@pytest.fixture
def small(store, state, tmp_path):
    """A1 -1000-> A2 -400-> A3 -300-> 0xW1 -2000-> 0xW2 -50-> A5, in time order; A2 also sent 5000
    to A4 *before* the money arrived, and 700 to an exchange hot wallet that later paid A6;
    A6 sent 90 to A3 after A3's money had left."""
    d = tmp_path / "in"
    d.mkdir()
    write_csv(d / "accounts.csv", ["account_id", "registered_at"], [[f"A{k}", _at(-30)] for k in range(1, 7)])
    write_csv(d / "wallets.csv", ["address", "chain", "label"],
         [["0xW1", "ETH", ""], ["0xW2", "ETH", ""], ["0xHOT", "ETH", "exchange:Example hot"]])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
         [["T1", "A1", "A2", 1000, "USDT", _at(1), 1000],
          ["T2", "A2", "A3", 400, "USDT", _at(2), 400],
          ["T3", "A2", "A4", 5000, "USDT", _at(0.5), 5000],
          ["T4", "A6", "A3", 90, "USDT", _at(3.5), 90]])
    write_csv(d / "withdrawals.csv", ["tx_id", "account_id", "address", "amount", "asset", "at", "amount_usd"],
         [["T5", "A3", "0xW1", 300, "USDT", _at(3), 300],
          ["T6", "A2", "0xHOT", 700, "USDT", _at(2), 700]])
    write_csv(d / "onchain.csv", ["tx_hash", "from_address", "to_address", "amount", "asset", "at", "amount_usd"],
         [["0xS1", "0xW1", "0xW2", 2000, "USDT", _at(4), 2000]])
    write_csv(d / "deposits.csv", ["tx_id", "address", "account_id", "amount", "asset", "at", "amount_usd"],
         [["T7", "0xW2", "A5", 50, "USDT", _at(5), 50],
          ["T8", "0xHOT", "A6", 650, "USDT", _at(3), 650]])
    assert load(store, state, [d], rejects_dir=tmp_path / "rej").ok
    return store


def _by_entity(results):
    return {r["entity"]: r for r in results}


def test_forward_is_time_respecting_and_amount_aware(small):
    got = _by_entity(run(small, "trace_funds", {"account_id": "A1"}))
    # T3 left A2 before T1 brought the money in: A4 is not reached
    assert "A4" not in got
    # the hot wallet is an endpoint: reported, never walked through (A6 is not reached)
    assert got["0xHOT"]["endpoint"] and "A6" not in got
    assert {k: (r["hops"], r["amount_usd"]) for k, r in got.items()} == {
        "A2": (1, 1000.0), "A3": (2, 400.0), "0xHOT": (2, 700.0), "0xW1": (3, 300.0), "0xW2": (4, 300.0)}
    # A5 would be hop 5: beyond the default max_hops of 4
    w2 = got["0xW2"]
    assert [s["tx_id"] for s in w2["path"]] == ["T1", "T2", "T5", "0xS1"]
    assert w2["address"] == "0xW2" and w2["account_id"] is None and w2["path"][0]["at"] == "2024-01-02T00:00:00Z"
    assert "at most 300.00 USD" in w2["reasons"][1]
    assert all(0 < r["score"] <= 1 and r["reasons"] for r in got.values())


def test_hop_limit_and_time_bounds(small):
    assert set(_by_entity(run(small, "trace_funds", {"account_id": "A1", "max_hops": "2"}))) == {"A2", "A3", "0xHOT"}
    six = _by_entity(run(small, "trace_funds", {"account_id": "A1", "max_hops": 6}))
    assert six["A5"]["hops"] == 5 and six["A5"]["amount_usd"] == 50.0
    # since after T1: nothing leaves A1 any more
    assert run(small, "trace_funds", {"account_id": "A1", "since": "2024-01-01T12:00:00Z"}) != []
    assert run(small, "trace_funds", {"account_id": "A1", "since": "2024-01-02T12:00:00Z"}) == []
    # min_amount_usd drops the small hops
    big = _by_entity(run(small, "trace_funds", {"account_id": "A1", "min_amount_usd": 500}))
    assert set(big) == {"A2", "0xHOT"}


def test_fanout_cap_keeps_the_largest_hops(small):
    # A2 can pass money on by T2 (400 to A3) or T6 (700 to the hot wallet): a fan-out of one keeps T6
    assert set(_by_entity(run(small, "trace_funds", {"account_id": "A1", "max_fanout": 1}))) == {"A2", "0xHOT"}


def test_backward(small):
    got = _by_entity(run(small, "trace_funds", {"address": "0xW2", "direction": "backward", "max_hops": 6}))
    # T4 reached A3 after A3's money had left for 0xW1: A6 is not a source
    assert "A6" not in got
    assert {k: r["hops"] for k, r in got.items()} == {"0xW1": 1, "A3": 2, "A2": 3, "A1": 4}
    a1 = got["A1"]
    assert [s["tx_id"] for s in a1["path"]] == ["T1", "T2", "T5", "0xS1"]     # in the money's time order
    assert a1["amount_usd"] == 300.0 and a1["account_id"] == "A1"
    # from A5 backward: the deposit, then the chain; 0xHOT's deposit went to A6, not here
    from_a5 = _by_entity(run(small, "trace_funds", {"account_id": "A5", "direction": "backward"}))
    assert set(from_a5) == {"0xW2", "0xW1", "A3", "A2"} and from_a5["A2"]["amount_usd"] == 50.0


@pytest.mark.parametrize("params, message", [
    ({"account_id": "A1", "address": "0xW1"}, "not both"),
    ({"account_id": "A1", "direction": "sideways"}, "forward or backward"),
    ({"account_id": "A1", "max_hops": 7}, "between 1 and 6"),
    ({"account_id": "A1", "max_hops": "many"}, "whole number"),
    ({"account_id": "A1", "since": "yesterday-ish"}, "must be a time"),
    ({"account_id": "A1", "min_amount_usd": "-5"}, ">= 0"),
    ({"account_id": "A1", "hops": 2}, "unknown parameter(s) hops"),
    ({"account_id": "A1", "since": "2025-01-01", "until": "2024-01-01"}, "since is later than until"),
    ({"account_id": "NOPE"}, "no account NOPE"),
    ({"address": "0xNOPE", "direction": "backward"}, "no wallet 0xNOPE"),
    ({"address": "0xHOT"}, "is an exchange hot wallet"),
])
def test_bad_parameters(small, params, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(small, "trace_funds", params)


def test_no_start_means_nothing_to_trace(store):
    assert run(store, "trace_funds", {}) == []


def _hop_victims(store, truth):
    """Victims that paid through a wallet of their own which then SENT to a scam wallet."""
    return sorted({r["v"] for r in store.read_cypher(
        "MATCH (v:Account)-[:WITHDREW]->(:Wallet)-[:SENT]->(x:Wallet) "
        "WHERE v.account_id IN $victims AND x.address IN $wallets RETURN DISTINCT v.account_id AS v",
        {"victims": truth["victims"], "wallets": truth["scammer_wallets"]}, row_limit=None).rows})


def test_victims_paying_by_onchain_hop_reach_a_scam_wallet(loaded):
    store, truth, _ = loaded
    victims = _hop_victims(store, truth)
    assert victims, "the dataset must plant victims paying through a wallet of their own"
    scam_wallets = set(truth["scammer_wallets"])
    t0 = time.perf_counter()
    for v in victims:
        res = run(store, "trace_funds", {"account_id": v, "max_hops": 2})
        hits = [r for r in res if r["address"] in scam_wallets]
        assert hits, f"forward trace from victim {v} reaches no scam wallet"
        assert all(r["hops"] <= 2 and r["amount_usd"] > 0 for r in hits)
    print(f"\ntrace_funds: {len(victims)} hop victims traced in {time.perf_counter() - t0:.2f}s")


def test_backward_from_a_mule_reaches_its_senders_and_forward_a_scam_entity(loaded):
    store, truth, _ = loaded
    scam = set(truth["scammers"]) | set(truth["scammer_wallets"])
    for m in truth["mules"]:
        senders = {r["s"] for r in store.read_cypher(
            "MATCH (s:Account)-[:TRANSFERRED]->(:Account {account_id: $m}) RETURN DISTINCT s.account_id AS s",
            {"m": m}, row_limit=None).rows}
        back = run(store, "trace_funds", {"account_id": m, "direction": "backward", "max_hops": 2})
        assert senders and senders <= {r["account_id"] for r in back if r["hops"] == 1}
        fwd = run(store, "trace_funds", {"account_id": m, "max_hops": 2})
        assert any(r["entity"] in scam for r in fwd), f"mule {m}'s money reaches no scam entity"
