"""The pure functions behind the Cases and KPIs pages and the case controls on Alerts,
Search and Explorer (app/pages/_cases.py), without a browser or a database."""
from __future__ import annotations

from casegraph.graph import HIDDEN, PATH, pager
from casegraph.app.pages import _cases as v


def node(nid, extra=""):
    label, _, key = nid.partition(":")
    return {"data": {"id": nid, "label": key, "kind": label, "key": key, "props": {}, "risk": []},
            "classes": f"{label} {extra}".strip(), "position": {"x": 1, "y": 2}}


def edge(eid, s, d, kind="TRANSFERRED"):
    return {"data": {"id": eid, "source": s, "target": d, "kind": kind, "label": "", "props": {},
                     "amount_usd": None, "at": None}, "classes": kind}


def test_a_selection_is_only_the_selected_ids_never_pagers():
    selected = [{"id": "Account:A1", "props": {"status": "forged"}}, {"id": "Account:A2"}, {"id": "Account:A1"},
                {"id": "more:Account:A1:*:25", "kind": "More"}, "junk", {"label": "no id"}]
    assert v.selected_ids(selected) == ["Account:A1", "Account:A2"]
    assert v.selected_ids(None) == [] and v.selected_ids([]) == []


def test_selection_title_names_the_nodes():
    assert v.selection_title(["Account:A1", "Wallet:0xw", "IP:1.2.3.4"]) == "Explorer selection: Account:A1 (+2 more)"
    assert v.selection_title(["Account:A1"]) == "Explorer selection: Account:A1"


def test_search_hits_are_grouped_by_the_template_that_found_them():
    hits = [{"id": "Account:A1", "key": "A1"}, {"id": "Device:A1", "key": "A1"},
            {"id": "Account:A10", "key": "A10"}]
    groups = v.search_groups(" A1 ", hits, 20)
    assert groups == [({"query": "ui_search_exact", "params": {"text": "A1"}}, ["Account:A1", "Device:A1"]),
                      ({"query": "ui_search_prefix", "params": {"text": "A1", "limit": 20}}, ["Account:A10"])]
    # a full node id is an exact hit; no prefix group when nothing else was found
    assert v.search_groups("Wallet:0xw", [{"id": "Wallet:0xw", "key": "0xw"}], 20) == \
        [({"query": "ui_search_exact", "params": {"text": "Wallet:0xw"}}, ["Wallet:0xw"])]
    assert v.search_groups("x", [], 20) == []


def test_a_model_group_found_alone_is_reviewed_as_a_group():
    assert v.model_group([{"id": "Group:G7", "key": "G7", "kind": "Group"}]) == "G7"
    assert v.model_group([{"id": "Group:G7", "key": "G7"}, {"id": "Account:A1", "key": "A1"}]) is None
    assert v.model_group([{"id": "Account:G7", "key": "G7"}]) is None and v.model_group([]) is None


CASE = {
    "id": 7, "title": "rings alert 3", "status": "confirmed", "assignee": None, "source": "alert:3",
    "detection": "rings", "domain": "kyc_fraud", "created_by": "inv", "created_at": 0, "updated_at": 60_000,
    "decision": "confirmed", "decision_reason": "shared documents", "decided_by": "inv", "decided_at": 3_600_000,
    "alert_ids": [3],
    "elements": [node("Account:A1", f"{PATH} risk-ring-member"), node("Account:A2"), node("Device:D1"),
                 edge("USED_DEVICE:Account:A1->Device:D1", "Account:A1", "Device:D1"),
                 edge("T:9", "Account:A1", "Account:GONE")],
    "provenance": {"Account:A1": {"query": "ui_nodes", "params": {"keys": {"Account": ["A1", "A2"]}},
                                  "added_by": "inv", "added_at": 0}},
    "notes": [{"author": "inv", "at": 1000, "text": "same passport"}],
    "history": [{"actor": "inv", "at": 0, "from_status": None, "to_status": "open", "reason": "created"},
                {"actor": "inv", "at": 3_600_000, "from_status": "in_review", "to_status": "confirmed",
                 "reason": "shared documents"}],
    "actions": [{"id": 1, "action": "freeze", "target": "Account:A1", "note": "", "requested_by": "inv",
                 "requested_at": 2000}],
    "reviews": [{"reviewer": "qa", "at": 5000, "verdict": "false_positive", "decision": "confirmed",
                 "decided_by": "inv", "agrees": False, "reason": "not convinced"}],
}


def test_case_detail_rows():
    head = dict(v.header_items(CASE))
    assert head["status"] == "confirmed" and head["assignee"] == "nobody" and head["alerts"] == "3"
    assert head["decision"] == "confirmed by inv at 1970-01-01T01:00:00Z: shared documents"
    shown = v.canvas_elements(CASE)
    # the dangling edge is left out (cytoscape cannot draw it), the path highlight dropped
    assert [e["data"]["id"] for e in shown] == ["Account:A1", "Account:A2", "Device:D1",
                                                "USED_DEVICE:Account:A1->Device:D1"]
    assert shown[0]["classes"] == "Account risk-ring-member"
    assert v.target_options(CASE)[-1] == {"label": "Device:D1", "value": "Device:D1"}
    assert [o["value"] for o in v.target_options(CASE)][:2] == ["Account:A1", "Account:A2"]
    assert dict(v.provenance_rows(CASE, "Account:A1")) == {
        "query": "ui_nodes", "params": "keys={'Account': ['A1', 'A2']}", "added by": "inv",
        "added at": "1970-01-01T00:00:00Z"}
    assert v.provenance_rows(CASE, "Device:D1") == [("provenance", "none recorded")]
    assert v.note_rows(CASE) == [{"at": "1970-01-01T00:00:01Z", "author": "inv", "text": "same passport"}]
    assert [h["move"] for h in v.history_rows(CASE)] == ["- -> open", "in_review -> confirmed"]
    assert v.action_rows(CASE)[0]["target"] == "Account:A1"
    assert v.review_rows(CASE)[0]["agrees"] == "no"
    assert v.reviewable(CASE) and not v.reviewable({**CASE, "decision": None, "status": "in_review"})


def test_moves_to_a_decision_need_decide_case():
    assert v.move_action("confirmed") == "decide_case" and v.move_action("false_positive") == "decide_case"
    assert {v.move_action(s) for s in ("open", "in_review", "closed")} == {"change_case"}


def test_case_ids_and_links():
    assert v.case_id_of("12") == 12 and v.case_id_of(" 3 ") == 3
    assert v.case_id_of("x") is None and v.case_id_of("0") is None and v.case_id_of(None) is None
    assert v.case_href(5) == "/cases?id=5"
    rows = v.case_rows([{"id": 5, "title": "t", "status": "open", "created_at": 0, "updated_at": None}])
    assert rows[0]["open"] == "#5" and rows[0]["open_href"] == "/cases?id=5" and rows[0]["created_at"] == "1970-01-01T00:00:00Z"
    assert rows[0]["updated_at"] == "" and rows[0]["assignee"] == ""
    assert v.case_options([{"id": 5, "title": "t", "status": "open"}]) == [{"label": "#5 t (open)", "value": "5"}]


def test_bulk_message():
    assert v.bulk_message({"action": "close", "changed": [2, 4], "skipped": [{"id": 1, "why": "in case 9"}]}) == \
        "close: 2 alert(s) changed (2, 4); skipped 1 (in case 9)"


def test_entities_message_says_what_came_in_and_what_is_not_in_the_graph():
    assert v.entities_message({"added": ["Account:A1"], "links": ["Device:D1", "USED_DEVICE:x"], "missing": []}) == \
        "added Account:A1 and 2 linking element(s)"
    assert v.entities_message({"added": ["Account:A1"], "links": [], "missing": ["Account:A9"]}) == \
        "added Account:A1; not in the graph: Account:A9"
    assert v.entities_message({"added": [], "links": [], "missing": ["Account:A9"]}) == "not in the graph: Account:A9"
    assert v.entities_message({"added": [], "links": [], "missing": []}) == "nothing new: already in the case"
