"""Money movements without a USD value (no amount_usd, no rates file): detection reasons and
figures show them per asset, never as USD, and exposures are not 0 (on each real backend)."""
from __future__ import annotations

import pytest

from casegraph.detections import run
from casegraph.loaders.pipeline import load
from tests.support import write_csv


@pytest.fixture
def store(any_store, sqlite_state, tmp_path):
    """S1 and wallet 0xW1 are watchlisted. V1 paid S1 0.4 BTC (no USD value) and 100 USDT
    (100 USD); V2 withdrew 0.2 ETH (no USD value) to 0xW1; V3 paid S1 0.5 BTC and reported it."""
    d = tmp_path / "in"
    write_csv(d / "accounts.csv", ["account_id", "registered_at"],
              [[a, "2023-01-01T00:00:00Z"] for a in ("S1", "V1", "V2", "V3")])
    write_csv(d / "wallets.csv", ["address", "chain", "label"], [["0xW1", "ETH", ""]])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
              [["T1", "V1", "S1", "0.4", "BTC", "2024-01-02T00:00:00Z", ""],
               ["T2", "V1", "S1", "100", "USDT", "2024-01-03T00:00:00Z", "100"],
               ["T3", "V3", "S1", "0.5", "btc", "2024-01-04T00:00:00Z", ""]])
    write_csv(d / "withdrawals.csv", ["tx_id", "account_id", "address", "amount", "asset", "at", "amount_usd"],
              [["W1", "V2", "0xW1", "0.2", "ETH", "2024-01-05T00:00:00Z", ""]])
    write_csv(d / "scam_reports.csv", ["report_id", "reporter_id", "reported_at", "amount", "amount_usd", "asset",
                                       "status", "against_account", "against_address"],
              [["R1", "V3", "2024-01-06T00:00:00Z", "0.5", "", "BTC", "open", "S1", ""]])
    write_csv(d / "watchlists.csv", ["watchlist", "account_id", "address", "list_source", "reason", "listed_at"],
              [["internal", "S1", "", "fraud-team", "scam", "2024-01-10"],
               ["internal", "", "0xW1", "fraud-team", "cash-out", "2024-01-10"]])
    assert load(any_store, sqlite_state, [d], rejects_dir=tmp_path / "rej").ok
    return any_store


def _by(results, key="account_id"):
    return {r[key]: r for r in results}


def test_scammer_links_exposure_is_per_asset_and_not_zero(store):
    got = _by(run(store, "scammer_links", {}))
    v1, v2 = got["V1"], got["V2"]
    assert "moved 100.00 USD + 0.4 BTC directly to or from watchlisted entities" in v1["reasons"]
    assert v1["direct_exposure"] == {"usd": 100.0, "assets": {"BTC": 0.4}}
    assert "moved 0.2 ETH directly to or from watchlisted entities" in v2["reasons"]
    assert v2["direct_exposure"] == {"usd": 0.0, "assets": {"ETH": 0.2}}
    assert "V2 -[WITHDREW 0.2 ETH]-> 0xW1" in v2["reasons"][1]
    assert any(r.startswith("up to 0.2 ETH along the path") for r in v2["reasons"])
    assert not any("0.00 USD" in r for r in v2["reasons"])


def test_silent_sufferers_loss_is_per_asset(store):
    got = _by(run(store, "silent_sufferers", {}))
    assert set(got) == {"V1", "V2"}          # V3 reported
    assert got["V1"]["reasons"][0].startswith("paid 2 time(s), 100.00 USD + 0.4 BTC in all, to S1")
    assert got["V2"]["reasons"][0].startswith("paid 1 time(s), 0.2 ETH in all, to 0xW1")
    assert got["V2"]["amount_lost"] == {"usd": 0.0, "assets": {"ETH": 0.2}}


def test_transfer_risk_and_scam_triage_print_the_asset(store):
    [check] = run(store, "transfer_risk", {"sender": "V1", "recipient_account": "S1", "amount_usd": 50.0})
    assert check["decision"] == "hold"
    assert any("(R1; 0.5 BTC reported)" in r for r in check["reasons"])
    assert any("paid this recipient 2 time(s) before, 100.00 USD + 0.4 BTC in all" in r for r in check["reasons"])
    assert check["recipient"]["paid_before"] == {"usd": 100.0, "assets": {"BTC": 0.4}}
    [triage] = run(store, "scam_triage", {})
    assert triage["reasons"][0] == "report R1 by V3: 0.5 BTC against account S1"
    assert "the reporter's payments to it are on record: 0.5 BTC" in triage["reasons"]


def test_trace_funds_hops_and_bound_in_the_asset(store):
    got = _by(run(store, "trace_funds", {"account_id": "V2"}), "entity")
    w = got["0xW1"]
    assert "withdrawal W1 V2 -> 0xW1 0.2 ETH at 2024-01-05T00:00:00Z" in w["reasons"][0]
    assert w["reasons"][1].startswith("at most 0.2 ETH can have flowed the whole way")
    assert w["amount_usd"] is None and w["amount"] == {"usd": 0.0, "assets": {"ETH": 0.2}}
