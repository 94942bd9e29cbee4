"""The request desk pages' pure functions (app/pages/_requests.py, _freezes.py): queue rows and
their flags, subjects as resolved (unknown ones kept), the register form's fields, freeze rows."""
from __future__ import annotations

import pytest

from casegraph.app.pages import _freezes, _requests
from casegraph.errors import CasegraphError, RequestError
from casegraph.times import to_epoch_ms

NOW = to_epoch_ms("2026-12-05T10:00:00Z")
H = 3_600_000


def _row(rid, status="received", deadline=NOW + 100 * H, overdue=False, due_soon=False):
    return {"id": rid, "deadline_at": deadline, "received_at": NOW - H, "overdue": overdue, "due_soon": due_soon,
            "priority": "high", "status": status, "agency": "NCA", "country": "GB", "reference": f"R-{rid}",
            "subjects": 2, "assignee": None}


def test_queue_rows_link_each_request_and_flag_its_deadline():
    rows = _requests.queue_rows([_row(3, overdue=True), _row(4, due_soon=True), _row(5)])
    assert [r["open"] for r in rows] == ["#3", "#4", "#5"]
    assert [r["open_href"] for r in rows] == ["/requests?id=3", "/requests?id=4", "/requests?id=5"]
    assert [r["flag"] for r in rows] == ["OVERDUE", "due soon", ""]
    assert rows[0]["deadline"] == "2026-12-09T14:00:00Z" and rows[0]["assignee"] == ""
    assert [r["id"] for r in _requests.open_only([_row(1, "responded"), _row(2, "in_progress"), _row(6, "closed")])
            ] == [2]


def test_subjects_keep_the_unknown_ones_and_link_the_found_ones():
    resolved = [{"subject": "Account:A1", "label": "Account", "key": "A1", "found": True, "node_ids": ["Account:A1"]},
                {"subject": "Wallet:0xno", "label": "Wallet", "key": "0xno", "found": False, "node_ids": []},
                {"subject": "tx:0xab", "label": "transaction", "key": "0xab", "found": True,
                 "node_ids": ["Account:A1", "Wallet:0xw"]}]
    rows = _requests.subject_rows(resolved)
    assert [r["in_graph"] for r in rows] == ["yes", "not in the graph", "yes: Account:A1, Wallet:0xw"]
    assert rows[0]["open"] == "open" and rows[0]["open_href"] == "/explorer?ids=Account:A1"
    assert rows[1]["open"] == rows[1]["open_href"] == ""
    assert _requests.node_ids(resolved) == ["Account:A1", "Wallet:0xw"]
    assert _freezes.target_options(_requests.node_ids(resolved) + ["Device:D1"]) == [
        {"label": "Account:A1", "value": "Account:A1"}, {"label": "Wallet:0xw", "value": "Wallet:0xw"}]


def _form(*values) -> dict:
    return dict(zip(_requests.FORM_FIELDS, values))


def test_the_register_form_becomes_the_desks_arguments():
    got = _requests.new_request(_form(" NCA ", "gb", "REF-9", "POCA s.345", "", "2026-12-10T17:00", "urgent",
                                      "Account:A1\nWallet:0xabc, tx:0xdef;Account:A2", "KYC"), now=NOW)
    assert got == {"agency": " NCA ", "country": "GB", "reference": "REF-9", "legal_basis": "POCA s.345",
                   "received_at": NOW, "deadline_at": to_epoch_ms("2026-12-10T17:00:00Z"), "priority": "urgent",
                   "subjects": ["Account:A1", "Wallet:0xabc", "tx:0xdef", "Account:A2"], "ask": "KYC"}
    assert _requests.new_request(_form("A", "B", "C", "D", "2026-12-01", "2026-12-02", None, None, None),
                                 now=NOW)["received_at"] == to_epoch_ms("2026-12-01")
    with pytest.raises(RequestError, match="response deadline"):
        _requests.new_request(_form("A", "B", "C", "D", "", "  ", None, None, None), now=NOW)
    with pytest.raises(CasegraphError, match="deadline 'next friday' is not a date"):
        _requests.new_request(_form("A", "B", "C", "D", "", "next friday", None, None, None), now=NOW)


def _freeze(fid, lifted=False, active=True, until=None):
    return {"id": fid, "target": "Account:A1", "amount": 1500.0, "asset": "USDT", "request_id": 7, "case_id": None,
            "until_at": until, "reason": "court order", "frozen_by": "le", "frozen_at": NOW,
            "lifted_by": "adm" if lifted else None, "lifted_at": NOW + H if lifted else None,
            "lift_reason": "released" if lifted else None, "active": active and not lifted}


def test_freeze_rows_say_their_state_and_only_active_ones_can_be_lifted():
    found = [_freeze(1, lifted=True), _freeze(2, until=NOW + 48 * H), _freeze(3, active=False, until=NOW - H)]
    rows = _freezes.rows(found)
    assert [(r["id"], r["state"]) for r in rows] == [(3, "ended"), (2, "active"), (1, "lifted")]
    assert rows[1]["until"] == "2026-12-07T10:00:00Z" and rows[1]["on"] == "request 7" and rows[1]["amount"] == "1500"
    assert rows[2]["lift_reason"] == "released"
    assert _freezes.lift_options(found) == [
        {"label": "freeze 2: 1500 USDT on request 7, until 2026-12-07T10:00:00Z on Account:A1", "value": "2"}]
