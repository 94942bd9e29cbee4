"""Account-takeover detection scored against the generator's ground truth, on the embedded store and on Neo4j."""
from __future__ import annotations

from casegraph.detections import account_takeover as ato
from tests.support import timed_run

H = 3_600_000
DAY = 24 * H


def test_account_takeover_matches_truth(loaded):
    store, truth, _ = loaded
    results, seconds = timed_run(store, "account_takeover")
    q = ato.quality(results, truth)
    assert q["expected"], "the dataset must plant takeovers"
    print(f"\naccount_takeover: {q}, query+explain {seconds:.2f}s")
    assert q["precision"] >= 0.85 and q["recall"] >= 0.85
    # the look-alikes: a late device without a quick withdrawal, a new wallet without a new device
    assert q["confounders_flagged"] == 0
    found = {r["account_id"] for r in results}
    assert not found & set(truth["confounders"]["new_device"]) and not found & set(truth["confounders"]["new_wallet"])
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    for r in results:
        assert r["account_id"] and 0 < r["score"] <= 1 and r["reasons"] and all(r["reasons"])
        assert r["new_identifiers"] and r["withdrawal"]["hours_after"] <= 48


def test_shorter_window_finds_fewer(loaded):
    store, _, _ = loaded
    default, _ = timed_run(store, "account_takeover")
    strict, _ = timed_run(store, "account_takeover", {"window_hours": 1})
    assert {r["account_id"] for r in strict} <= {r["account_id"] for r in default}
    assert len(strict) < len(default)


def _row(account, link, ident, first_seen, tx, at, usd=1000.0, wallet="0xnew", registered_at=0):
    return {"account_id": account, "registered_at": registered_at, "link": link, "identifier": ident,
            "first_seen": first_seen, "tx": tx, "amount_usd": usd, "amount": usd, "asset": "USDT", "at": at,
            "wallet": wallet, "wallet_label": None, "window_hours": 48}


def test_explain_on_hand_written_rows():
    t = 100 * DAY
    rows = [
        # A1: new device and new IP, then two withdrawals: the first one is the takeover
        _row("A1", "USED_DEVICE", "dev9", t, "W1", t + 2 * H, usd=5000.0),
        _row("A1", "USED_IP", "10.0.0.9", t + 60_000, "W1", t + 2 * H, usd=5000.0),
        _row("A1", "USED_DEVICE", "dev9", t, "W2", t + 20 * H, usd=50.0),
        # A2: only a new IP, withdrawal a day and a half later
        _row("A2", "USED_IP", "10.0.0.7", t, "W3", t + 36 * H, usd=800.0),
    ]
    out = ato.explain(rows)
    assert [r["account_id"] for r in out] == ["A1", "A2"]
    a1, a2 = out
    assert a1["withdrawal"]["tx_id"] == "W1" and a1["withdrawal"]["hours_after"] == 2.0
    assert [n["kind"] for n in a1["new_identifiers"]] == ["device", "IP"]
    assert a1["reasons"][0].startswith("new device dev9 first seen ") and "100 days after" in a1["reasons"][0]
    assert "withdrew 5,000.00 USD to 0xnew, a wallet it never used before, 2.0 h after" in a1["reasons"][-1]
    assert a2["score"] < a1["score"] and 0 < a2["score"] <= 1
    assert ato.explain([]) == []


def test_quality_counts_confounders():
    truth = {"ato": ["A1", "A2"], "confounders": {"new_device": ["A3"], "new_wallet": []}}
    q = ato.quality([{"account_id": "A1"}, {"account_id": "A3"}], truth)
    assert q == {"precision": 0.5, "recall": 0.5, "found": 2, "expected": 2, "confounders_flagged": 1}
