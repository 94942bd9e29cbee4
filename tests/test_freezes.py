"""casegraph/freezes.py on real SQLite and PostgreSQL: freeze orders recorded and lifted with
permissions and audit, in the remediation CSV, and (on a real embedded graph) holding every
transfer the transfer check and `detect transfer_risk` see from a frozen sender."""
from __future__ import annotations

import csv

import pytest

from casegraph import audit, cases, detections, freezes, transfer_checks
from casegraph import requests as rq
from casegraph.errors import FreezeError, FreezeNotFound, PermissionDenied, RequestNotFound
from tests.test_requests import ADM, INV, LE, H, T0, desk_graph, new  # noqa: F401 - a fixture

FAR = 4_000_000_000_000          # 2096


def test_a_freeze_is_recorded_listed_and_lifted_with_audit(state):
    rid = new(state)
    fid = freezes.record(state, LE, "Account:A1", 100, "usdt", request_id=rid, until=FAR, reason="court order 12")
    f = freezes.get(state, fid)
    assert (f["target"], f["amount"], f["asset"], f["request_id"], f["frozen_by"], f["active"]) == (
        "Account:A1", 100.0, "USDT", rid, "le", True)
    assert [x["id"] for x in freezes.active(state, "Account:A1")] == [fid] and freezes.active(state, "Account:A2") == []
    with pytest.raises(FreezeError, match="needs a reason"):
        freezes.lift(state, ADM, fid, " ")
    freezes.lift(state, ADM, fid, "funds released by the court")
    f = freezes.get(state, fid)
    assert (f["active"], f["lifted_by"], f["lift_reason"]) == (False, "adm", "funds released by the court")
    assert freezes.active(state) == [] and [x["id"] for x in freezes.list_freezes(state)] == [fid]
    with pytest.raises(FreezeError, match="lifted already"):
        freezes.lift(state, ADM, fid, "again")
    assert [(e["action"], e["actor"]) for e in audit.entries(state) if e["action"].startswith("freeze")] == [
        ("freeze.record", "le"), ("freeze.lift", "adm")]
    with pytest.raises(FreezeNotFound):
        freezes.lift(state, ADM, 999, "x")


def test_an_investigator_cannot_record_or_lift_a_freeze(state):
    rid = new(state)
    with pytest.raises(PermissionDenied, match="record_freeze"):
        freezes.record(state, INV, "Account:A1", 1, "BTC", request_id=rid)
    fid = freezes.record(state, ADM, "Wallet:0xabc", 1, "BTC", request_id=rid)
    with pytest.raises(PermissionDenied):
        freezes.lift(state, INV, fid, "no")


def test_bad_freezes_are_refused(state):
    rid = new(state)
    for kw, msg in (({"target": "Phone:+44"}, "account or a wallet"), ({"amount": 0}, "above 0"),
                    ({"amount": "lots"}, "must be a number"), ({"asset": " "}, "needs the asset"),
                    ({"request_id": None}, "on a request or a case"), ({"until": T0}, "already have ended")):
        args = {"target": "Account:A1", "amount": 5, "asset": "ETH", "request_id": rid, **kw}
        with pytest.raises(FreezeError, match=msg):
            freezes.record(state, LE, args.pop("target"), args.pop("amount"), args.pop("asset"), **args)
    with pytest.raises(RequestNotFound):
        freezes.record(state, LE, "Account:A1", 5, "ETH", request_id=999)
    assert freezes.list_freezes(state) == []


def test_a_freeze_ends_at_its_until(state):
    rid = new(state)
    fid = freezes.record(state, LE, "Account:A1", 5, "ETH", request_id=rid, until=T0 + 10 * H, now=T0)
    assert [f["id"] for f in freezes.active(state, now=T0 + 9 * H)] == [fid]
    assert freezes.active(state, now=T0 + 10 * H) == []


def test_the_remediation_csv_carries_freezes_and_lifts(state):
    cid = cases.create_case(state, INV, "t", [], {"query": "test", "params": {}})
    rid = new(state)
    on_case = freezes.record(state, ADM, "Wallet:0xabc", 2.5, "BTC", case_id=cid, reason="stolen funds")
    on_request = freezes.record(state, LE, "Account:A1", 100, "USDT", request_id=rid)
    freezes.lift(state, LE, on_request, "released")
    rows = list(csv.DictReader(cases.actions_csv(state).splitlines()))
    assert list(rows[0]) == list(cases.ACTIONS_CSV_COLUMNS)
    assert [(r["action_id"], r["case_id"], r["action"], r["target_kind"], r["target_key"]) for r in rows] == [
        (f"freeze:{on_case}", str(cid), "freeze", "Wallet", "0xabc"),
        (f"freeze:{on_request}", "", "freeze", "Account", "A1"),
        (f"freeze:{on_request}", "", "unfreeze", "Account", "A1")]
    assert rows[0]["note"] == f"freeze {on_case}: 2.5 BTC on case {cid}; stolen funds"
    assert rows[2]["requested_by"] == "le" and rows[2]["requested_at"].endswith("Z")
    only_case = list(csv.DictReader(cases.actions_csv(state, [cid]).splitlines()))
    assert [r["action_id"] for r in only_case] == [f"freeze:{on_case}"]


CHECK = {"sender": "A1", "recipient_account": "A2", "amount": 50, "asset": "USD", "reference": "pay-1"}


def test_a_frozen_sender_is_held_by_the_transfer_check_until_the_freeze_is_lifted(desk_graph):
    store, state = desk_graph
    assert transfer_checks.check(store, state, ADM, [CHECK])[0]["decision"] == "allow"
    rid = new(state)
    fid = freezes.record(state, LE, "Account:A1", 100, "USDT", request_id=rid)
    held = transfer_checks.check(store, state, ADM, [CHECK])[0]
    assert held["decision"] == "hold" and held["score"] == freezes.FREEZE_HOLD
    assert held["reasons"][0] == "hold for 24 h: sender account A1 is frozen"
    assert held["reasons"][1] == f"sender account A1 is frozen (freeze {fid}: 100 USDT on request {rid})"
    alert = state.get_alert(held["alert_id"])
    assert alert["detection"] == "transfer_risk" and alert["reasons"][1] == held["reasons"][1]
    # the CLI's path: detections.queue applies the case store's records too
    found = detections.queue(store, state, "cli:test", ["transfer_risk"],
                             {"sender": "A1", "recipient_account": "A2", "amount_usd": 50})[0].results
    assert found[0]["decision"] == "hold" and "frozen" in found[0]["reasons"][1]
    freezes.lift(state, LE, fid, "released")
    assert transfer_checks.check(store, state, ADM, [{**CHECK, "reference": "pay-2"}])[0]["decision"] == "allow"
