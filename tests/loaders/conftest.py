from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import write_csv


@pytest.fixture
def state(sqlite_state):
    """Loads record themselves in the state store: here on SQLite only, so the graph-heavy
    loader tests run once (tests/test_state.py runs the load records on PostgreSQL too)."""
    return sqlite_state


@pytest.fixture
def small_dataset(tmp_path) -> Path:
    """A handful of canonical files covering every kind, all rows valid (what they load:
    tests.support.EXPECTED_NODES and EXPECTED_RELS)."""
    d = tmp_path / "in"
    write_csv(d / "accounts.csv", ["account_id", "registered_at", "country", "kyc_level", "status",
                                   "referral_code", "referred_by"],
              [["A1", "2024-01-01T10:00:00Z", "GB", 2, "active", "RC1", ""],
               ["A2", "2024-01-01T10:05:00Z", "TR", 1, "active", "RC2", "A1"],
               ["A3", "1704103800", "DE", "", "blocked", "", "A1"],
               ["A4", "2024-02-01T00:00:00+01:00", "", "", "", "", ""]])
    write_csv(d / "wallets.csv", ["address", "chain", "label"],
              [["0xaaa", "ETH", "exchange:Example hot"], ["0xbbb", "ETH", ""]])
    write_csv(d / "account_devices.csv", ["account_id", "device_id", "first_seen", "last_seen", "count"],
              [["A1", "D1", "2024-01-01T10:00:00Z", "2024-03-01T00:00:00Z", 5],
               ["A2", "D1", "2024-01-01T10:05:00Z", "2024-01-05T00:00:00Z", 2]])
    write_csv(d / "account_ips.csv", ["account_id", "ip", "first_seen", "last_seen", "count"],
              [["A1", "10.0.0.1", "", "", ""], ["A3", "10.0.0.1", "", "", 1]])
    write_csv(d / "account_phones.csv", ["account_id", "phone"], [["A1", "+441234"], ["A2", "+441234"]])
    write_csv(d / "account_emails.csv", ["account_id", "email"], [["A1", "a1@example.com"]])
    write_csv(d / "account_documents.csv", ["account_id", "doc_id", "doc_type"], [["A2", "P1", "passport"]])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
              [["T1", "A1", "A2", "100.5", "USDT", "2024-02-01T00:00:00Z", "100.5"],
               ["T2", "A2", "A9", "50", "USDT", "2024-02-02T00:00:00Z", ""]])
    write_csv(d / "deposits.csv", ["tx_id", "address", "account_id", "amount", "asset", "at", "amount_usd",
                                   "tx_hash", "chain"],
              [["D-1", "0xaaa", "A1", "1.5", "ETH", "2024-01-02T00:00:00Z", "3000", "0x01", "ETH"]])
    write_csv(d / "withdrawals.csv", ["tx_id", "account_id", "address", "amount", "asset", "at", "amount_usd",
                                      "tx_hash", "chain"],
              [["W-1", "A2", "0xbbb", "0.5", "ETH", "2024-02-03T00:00:00Z", "1000", "0x02", "ETH"]])
    write_csv(d / "onchain.csv", ["tx_hash", "from_address", "to_address", "amount", "asset", "at",
                                  "amount_usd", "chain"],
              [["0x03", "0xbbb", "0xccc", "0.5", "ETH", "2024-02-03T01:00:00Z", "1000", "ETH"]])
    write_csv(d / "scam_reports.csv", ["report_id", "reporter_id", "reported_at", "amount", "amount_usd",
                                       "asset", "status", "against_account", "against_address"],
              [["R1", "A2", "2024-02-10T00:00:00Z", "50", "50", "USDT", "open", "A9", ""],
               ["R2", "A3", "2024-02-11T00:00:00Z", "", "", "", "open", "", "0xccc"]])
    write_csv(d / "watchlists.csv", ["watchlist", "account_id", "address", "list_source", "reason", "listed_at"],
              [["internal", "A9", "", "fraud-team", "scam", "2024-02-15"],
               ["law-enforcement", "", "0xccc", "agency", "cash-out", "2024-02-16"]])
    write_csv(d / "groups.csv", ["group_id", "account_id", "model", "score", "flagged_at"],
              [["G1", "A1", "batchreg-v3", "0.9", "2024-01-03T00:00:00Z"],
               ["G1", "A2", "batchreg-v3", "0.9", "2024-01-03T00:00:00Z"]])
    return d

