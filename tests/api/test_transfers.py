"""The transfer check over HTTP: decisions agree with the in-process check, holds raise
alerts, the batch form, idempotency, and watchlist changes seen at once."""
from __future__ import annotations

import json

import pytest

from casegraph.detections import transfer_risk
from casegraph.store import GraphStore, open_backend
from tests.api.conftest import auth


@pytest.fixture(scope="module")
def graph(api_data):
    store = GraphStore(open_backend(api_data[0]), api_data[0])
    yield store
    store.close()


@pytest.fixture(scope="module")
def truth(api_data):
    return json.loads((api_data[1] / "truth.json").read_text())


def _pairs(graph, n=20):
    return graph.read_cypher("MATCH (s:Account)-[:TRANSFERRED]->(r:Account) RETURN DISTINCT s.account_id AS s, "
                             "r.account_id AS r ORDER BY s, r LIMIT $n", {"n": n}, row_limit=n).rows


def _listed_account(graph) -> str:
    return graph.read_cypher("MATCH (a:Account)-[:LISTED_ON]->(:Watchlist) RETURN a.account_id AS a "
                             "ORDER BY a LIMIT 1", {}, row_limit=1).rows[0]["a"]


def test_a_payment_to_a_watchlisted_account_is_held_with_its_alert(client, as_role, graph, api_data):
    sender = _pairs(graph, 1)[0]["s"]
    listed = _listed_account(graph)
    r = client.post("/api/v1/transfers/check", headers=as_role("service"), json={
        "sender": sender, "recipient_account": listed, "amount": 250, "asset": "USD", "reference": "tx-held-1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decision"] == "hold" and body["score"] >= 0.9
    assert any("watchlist" in x for x in body["reasons"])
    assert body["alert_id"] is not None and body["reference"] == "tx-held-1" and body["amount_usd"] == 250
    alert = client.get(f"/api/v1/alerts/{body['alert_id']}", headers=as_role("service")).json()
    assert alert["detection"] == "transfer_risk" and alert["entity_key"] == "transfer:tx-held-1"
    assert alert["status"] == "open" and alert["reasons"] == body["reasons"]


def test_http_decisions_are_the_in_process_ones(client, as_role, graph):
    for pair in _pairs(graph, 15):
        r = client.post("/api/v1/transfers/check", headers=as_role("investigator"), json={
            "sender": pair["s"], "recipient_account": pair["r"], "amount": 50, "asset": "USDT", "amount_usd": 50})
        assert r.status_code == 200, r.text
        mine = transfer_risk.run(graph, {"sender": pair["s"], "recipient_account": pair["r"], "amount_usd": 50})[0]
        got = r.json()
        assert (got["decision"], got["score"], got["reasons"]) == (mine["decision"], mine["score"], mine["reasons"])


def test_the_batch_form_decides_each_and_reports_bad_ones_in_place(client, as_role, graph):
    pairs = _pairs(graph, 30)
    transfers = [{"sender": p["s"], "recipient_account": p["r"], "amount": 10, "asset": "USD"} for p in pairs]
    transfers.insert(3, {"sender": "NO-SUCH-ACCOUNT", "recipient_wallet": "0xnew", "amount": 1, "asset": "USD"})
    transfers.insert(5, {"sender": pairs[0]["s"], "recipient_wallet": "bc1-never-seen", "amount": 1, "asset": "BTC"})
    r = client.post("/api/v1/transfers/check-batch", headers=as_role("service"), json={"transfers": transfers})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["index"] for x in body["results"]] == list(range(len(transfers)))
    assert body["results"][3]["error"]["code"] == "invalid" and "NO-SUCH-ACCOUNT" in body["results"][3]["error"]["message"]
    assert "no USD rate for asset 'BTC'" in body["results"][5]["error"]["message"]
    assert body["failed"] == 2 and body["held"] + body["allowed"] == len(pairs)
    single = client.post("/api/v1/transfers/check", headers=as_role("service"), json=transfers[0]).json()
    assert body["results"][0]["result"]["reasons"] == single["reasons"]


def test_a_batch_over_1000_is_refused(client, as_role):
    one = {"sender": "A", "recipient_wallet": "w", "amount": 1, "asset": "USD"}
    r = client.post("/api/v1/transfers/check-batch", headers=as_role("service"), json={"transfers": [one] * 1001})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_a_retried_hold_with_the_same_idempotency_key_returns_the_first_answer(client, as_role, graph):
    sender, listed = _pairs(graph, 1)[0]["s"], _listed_account(graph)
    asked = {"sender": sender, "recipient_account": listed, "amount": 99, "asset": "USD"}
    h = {**as_role("service"), "Idempotency-Key": "retry-abc"}
    first = client.post("/api/v1/transfers/check", headers=h, json=asked)
    again = client.post("/api/v1/transfers/check", headers=h, json=asked)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    other = client.post("/api/v1/transfers/check", headers=h, json={**asked, "amount": 100})
    assert other.status_code == 409 and other.json()["error"]["code"] == "conflict"


def test_a_watchlisted_wallet_holds_at_once_and_retiring_it_allows_again(client, as_role, graph):
    sender = _pairs(graph, 1)[0]["s"]
    wallet = "0xapi-test-fresh-scam-wallet"
    check = {"sender": sender, "recipient_wallet": wallet, "amount": 10, "asset": "USD"}
    before = client.post("/api/v1/transfers/check", headers=as_role("service"), json=check).json()
    assert before["decision"] == "allow"
    added = client.post("/api/v1/watchlists/entries", headers=as_role("service"), json={"entries": [
        {"watchlist": "compliance", "kind": "wallet", "key": wallet, "reason": "reported by a victim's bank"}]})
    assert added.status_code == 200 and added.json()["added"] == 1
    after = client.post("/api/v1/transfers/check", headers=as_role("service"), json=check).json()
    assert after["decision"] == "hold" and any("compliance" in x for x in after["reasons"])
    listed = client.get("/api/v1/watchlists/entries", headers=as_role("analyst"),
                        params={"watchlist": "compliance"}).json()["entries"]
    assert [(e["kind"], e["key"], e["reason"]) for e in listed] == [("wallet", wallet, "reported by a victim's bank")]
    gone = client.post("/api/v1/watchlists/entries/retire", headers=as_role("service"), json={
        "watchlist": "compliance", "kind": "wallet", "key": wallet, "reason": "bank withdrew the report"})
    assert gone.status_code == 200, gone.text
    assert client.post("/api/v1/transfers/check", headers=as_role("service"), json=check).json()["decision"] == "allow"
    again = client.post("/api/v1/watchlists/entries/retire", headers=as_role("service"), json={
        "watchlist": "compliance", "kind": "wallet", "key": wallet, "reason": "twice"})
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_found"


def test_a_vendor_labelled_wallet_holds_with_its_category_until_retired(client, as_role, graph, api_data, tmp_path):
    from casegraph.loaders.pipeline import load
    from casegraph.state import open_state
    from tests.support import VENDOR_LABELS, write_csv
    sender = _pairs(graph, 1)[0]["s"]
    wallet = "0xapi-test-vendor-sanctioned"
    check = {"sender": sender, "recipient_wallet": wallet, "amount": 10, "asset": "USD"}
    assert client.post("/api/v1/transfers/check", headers=as_role("service"), json=check).json()["decision"] == "allow"
    write_csv(tmp_path / "vendor_labels.csv", VENDOR_LABELS,
              [[wallet, "ETH", "Sanctions", "Example Group", "ExampleVendor", "0.9", ""]])
    state = open_state(api_data[0].state_url())
    try:
        assert load(graph, state, [tmp_path / "vendor_labels.csv"], rejects_dir=tmp_path / "rej").ok
    finally:
        state.engine.dispose()
    held = client.post("/api/v1/transfers/check", headers=as_role("service"), json=check).json()
    assert held["decision"] == "hold"
    assert held["reasons"][0] == "hold for 24 h: recipient is labelled sanctions by ExampleVendor (Example Group, " \
                                 "confidence 0.9)"
    listed = client.get("/api/v1/watchlists/entries", headers=as_role("analyst"),
                        params={"watchlist": "vendor:sanctions"}).json()["entries"]
    assert [(e["key"], e["list_source"], e["category"], e["entity"], e["confidence"]) for e in listed] == [
        (wallet, "ExampleVendor", "sanctions", "Example Group", 0.9)]
    gone = client.post("/api/v1/watchlists/entries/retire", headers=as_role("service"), json={
        "watchlist": "vendor:sanctions", "kind": "wallet", "key": wallet, "reason": "vendor withdrew the label"})
    assert gone.status_code == 200 and gone.json()["category"] == "sanctions"
    assert client.post("/api/v1/transfers/check", headers=as_role("service"), json=check).json()["decision"] == "allow"
