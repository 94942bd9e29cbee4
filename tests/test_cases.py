"""casegraph/cases.py on real SQLite (and, for alerts and groups, a real embedded graph
loaded from hand-written canonical CSVs): the workflow rules, permissions checked in the
core, snapshots with provenance, remediation actions, second reviews, bulk alert actions."""
from __future__ import annotations

import csv
import sqlite3

import pytest
import sqlalchemy as sa

from casegraph import audit, cases, explore, graph
from casegraph.errors import AlertTaken, CaseError, CaseNotFound, Conflict, PermissionDenied
from casegraph.state import open_state
from casegraph.users import add_user
from casegraph.loaders.pipeline import load
from tests.support import at_once, write_csv

INV = {"name": "inv", "role": "investigator", "disabled": False}
INV2 = {"name": "inv2", "role": "investigator", "disabled": False}
ANA = {"name": "ana", "role": "analyst", "disabled": False}
LE = {"name": "le", "role": "le_response", "disabled": False}
ADM = {"name": "adm", "role": "admin", "disabled": False}


def node(label: str, key: str) -> dict:
    nid = graph.node_id(label, key)
    return {"data": {"id": nid, "kind": label, "key": key, "label": key, "props": {}, "risk": []},
            "classes": label}


def edge(kind: str, source: str, target: str, tx: str) -> dict:
    return {"data": {"id": f"{kind}:{tx}", "source": source, "target": target, "kind": kind, "label": kind,
                     "props": {"tx_id": tx}}, "classes": kind}


A1, A2, W1 = node("Account", "A1"), node("Account", "A2"), node("Wallet", "0xabc")
T1 = edge("TRANSFERRED", "Account:A1", "Account:A2", "T1")
PROV = {"query": "ui_expand", "params": {"label": "Account", "key": "A1"}}


def new_case(state, actor=INV, elements=(A1, A2, T1), **kw) -> int:
    return cases.create_case(state, actor, "test case", list(elements), PROV, **kw)


def ids_of(elements) -> list[str]:
    return [e["data"]["id"] for e in elements]


def alert(state, detection="rings", entities=("A1", "A2")) -> int:
    members = list(entities)
    state.save_alerts(detection, {}, [(",".join(sorted(members)), members,
                                       {"score": 0.9, "reasons": ["shared device"], "members": members})])
    return max(a["id"] for a in state.list_alerts(status=None))


# ---- workflow -----------------------------------------------------------------------------

def test_the_workflow_moves_with_reasons_and_records_decisions(state):
    cid = new_case(state)
    assert cases.get_case(state, cid)["status"] == "open"
    cases.set_status(state, INV, cid, "in_review", "looking")
    cases.set_status(state, INV, cid, "confirmed", "shared device and funds to one wallet")
    c = cases.get_case(state, cid)
    assert (c["status"], c["decision"], c["decided_by"]) == ("confirmed", "confirmed", "inv")
    assert c["decision_reason"] == "shared device and funds to one wallet" and c["decided_at"] >= c["created_at"]
    cases.set_status(state, INV, cid, "closed", "accounts blocked")
    cases.set_status(state, INV, cid, "in_review", "new evidence")   # reopen clears the decision
    c = cases.get_case(state, cid)
    assert c["decision"] is None and c["decided_at"] is None
    assert [(h["from_status"], h["to_status"]) for h in c["history"]] == [
        (None, "open"), ("open", "in_review"), ("in_review", "confirmed"), ("confirmed", "closed"),
        ("closed", "in_review")]
    assert c["history"][2]["reason"] == "shared device and funds to one wallet"
    logged = [(e["action"], e["details"].get("from"), e["details"].get("to")) for e in audit.entries(state)]
    assert logged == [("case.create", None, None), ("case.status", "open", "in_review"),
                      ("case.status", "in_review", "confirmed"), ("case.status", "confirmed", "closed"),
                      ("case.status", "closed", "in_review")]
    assert audit.entries(state, action="case.status")[1]["details"] == {
        "case_id": cid, "from": "in_review", "to": "confirmed", "reason": "shared device and funds to one wallet"}


@pytest.mark.parametrize("path, to", [([], "confirmed"), ([], "closed"), (["in_review"], "closed"),
                                      (["in_review", "false_positive"], "open"), ([], "open"),
                                      (["in_review", "false_positive"], "confirmed")])
def test_moves_outside_the_workflow_are_refused_naming_from_to_and_allowed(state, path, to):
    cid = new_case(state)
    for step in path:
        cases.set_status(state, INV, cid, step, "step")
    frm = (path or ["open"])[-1]
    with pytest.raises(CaseError, match=f"cannot move from {frm} to {to}") as e:
        cases.set_status(state, INV, cid, to, "why not")
    assert "open -> in_review" in str(e.value) and "closed -> in_review" in str(e.value)
    assert cases.get_case(state, cid)["status"] == frm


def test_every_move_needs_a_reason_and_a_known_status(state):
    cid = new_case(state)
    for reason in ("", "   ", None):
        with pytest.raises(CaseError, match="needs a reason"):
            cases.set_status(state, INV, cid, "in_review", reason)
    with pytest.raises(CaseError, match="unknown status 'done'"):
        cases.set_status(state, INV, cid, "done", "x")
    with pytest.raises(CaseError, match="no case 999"):
        cases.set_status(state, INV, 999, "in_review", "x")
    assert cases.get_case(state, cid)["status"] == "open"


@pytest.mark.parametrize("actor", [ANA, LE, {**INV, "disabled": True}])
def test_roles_that_may_not_change_cases_are_refused_by_the_core(state, actor):
    cid = new_case(state)
    calls = [lambda: new_case(state, actor),
             lambda: cases.set_status(state, actor, cid, "in_review", "x"),
             lambda: cases.add_note(state, actor, cid, "x"),
             lambda: cases.assign(state, actor, cid, None),
             lambda: cases.add_elements(state, actor, cid, [W1], PROV),
             lambda: cases.remove_elements(state, actor, cid, ["Account:A1"]),
             lambda: cases.record_action(state, actor, cid, "block", "Account:A1"),
             lambda: cases.second_review(state, actor, cid, "confirmed", "x"),
             lambda: cases.bulk_alerts(state, actor, [1], "close", reason="x"),
             lambda: cases.set_status(state, actor, 999, "in_review", "x")]   # permission before lookup
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    c = cases.get_case(state, cid)
    assert c["status"] == "open" and not c["notes"] and ids_of(c["elements"]) == ["Account:A1", "Account:A2",
                                                                                   "TRANSFERRED:T1"]
    assert [e["action"] for e in audit.entries(state)] == ["case.create"]


def test_an_investigator_may_change_but_a_decision_needs_decide_case(state):
    # a role with change_case only does not exist; the check is by action, so an investigator passes both
    cid = new_case(state)
    cases.set_status(state, INV, cid, "in_review", "x")
    cases.set_status(state, ADM, cid, "false_positive", "payroll")
    assert cases.get_case(state, cid)["decided_by"] == "adm"


# ---- snapshot and provenance --------------------------------------------------------------

def test_elements_keep_snapshot_and_provenance_and_are_not_duplicated(state):
    cid = new_case(state)
    other = {"query": "ui_nodes", "params": {"keys": {"Wallet": ["0xabc"]}}}
    assert cases.add_elements(state, INV, cid, [A1, W1], other) == ["Wallet:0xabc"]
    c = cases.get_case(state, cid)
    assert ids_of(c["elements"]) == ["Account:A1", "Account:A2", "TRANSFERRED:T1", "Wallet:0xabc"]
    assert c["elements"][3] == W1
    assert c["provenance"]["Account:A1"]["query"] == "ui_expand"          # first provenance kept
    assert c["provenance"]["Wallet:0xabc"] | {"added_at": 0} == {**other, "added_by": "inv", "added_at": 0}
    assert audit.entries(state, action="case.add")[0]["details"]["element_ids"] == ["Wallet:0xabc"]


def test_removing_a_node_takes_its_edges_and_keeps_history(state):
    cid = new_case(state)
    assert cases.remove_elements(state, INV, cid, ["Account:A2"]) == ["Account:A2", "TRANSFERRED:T1"]
    c = cases.get_case(state, cid)
    assert ids_of(c["elements"]) == ["Account:A1"]
    assert [(r["element_id"], r["removed_by"]) for r in c["removed"]] == [("Account:A2", "inv"),
                                                                         ("TRANSFERRED:T1", "inv")]
    with pytest.raises(CaseError, match="not in case"):
        cases.remove_elements(state, INV, cid, ["Account:A2"])
    cases.add_elements(state, INV2, cid, [A2], PROV)          # back in, with a new row
    c = cases.get_case(state, cid)
    assert ids_of(c["elements"]) == ["Account:A1", "Account:A2"] and len(c["removed"]) == 2
    assert c["provenance"]["Account:A2"]["added_by"] == "inv2"


def test_bad_elements_and_provenance_are_refused(state):
    with pytest.raises(CaseError, match="provenance"):
        cases.create_case(state, INV, "t", [A1], {"params": {}})
    with pytest.raises(CaseError, match="not a graph element"):
        cases.create_case(state, INV, "t", [{"id": "x"}], PROV)
    with pytest.raises(CaseError, match="title"):
        cases.create_case(state, INV, " ", [A1], PROV)
    assert cases.list_cases(state) == []


def test_positions_are_kept_with_the_case_apart_from_its_audited_snapshot(state):
    """Issue 16: where the nodes were drawn goes with the case (a case reopens as it was left);
    it is view state, so the snapshot's audited digests do not change."""
    cid = new_case(state)
    assert cases.get_case(state, cid)["positions"] == {}
    saved = cases.save_positions(state, INV, cid, {"Account:A1": {"x": 10, "y": -2.5}, "Account:NOPE": {"x": 1, "y": 1},
                                                   "TRANSFERRED:T1": {"x": 0, "y": 0}})
    assert saved == ["Account:A1"]                              # only nodes the case holds
    cases.save_positions(state, INV2, cid, {"Account:A2": {"x": 3.25, "y": 4}})
    assert cases.get_case(state, cid)["positions"] == {"Account:A1": {"x": 10.0, "y": -2.5},
                                                       "Account:A2": {"x": 3.25, "y": 4.0}}
    cases.save_positions(state, INV, cid, {"Account:A1": {"x": 11, "y": 12}})     # a later save moves it
    assert cases.get_case(state, cid)["positions"]["Account:A1"] == {"x": 11.0, "y": 12.0}
    cases.remove_elements(state, INV, cid, ["Account:A2"])
    assert set(cases.get_case(state, cid)["positions"]) == {"Account:A1"}         # removed nodes: no position
    assert [e["details"]["nodes"] for e in audit.entries(state, action="case.layout")] == [1, 1, 1]
    assert cases.check_against_audit(state) == []
    with pytest.raises(CaseError, match=r"positions\['Account:A1'\]\.y: expected a finite number, not 'up'"):
        cases.save_positions(state, INV, cid, {"Account:A1": {"x": 1, "y": "up"}})
    with pytest.raises(CaseError, match=r"positions\['Account:A1'\]\.x: expected a finite number, not nan"):
        cases.save_positions(state, INV, cid, {"Account:A1": {"x": float("nan"), "y": 1}})
    with pytest.raises(CaseError, match="expected a mapping"):
        cases.save_positions(state, INV, cid, [1, 2])
    with pytest.raises(PermissionDenied):
        cases.save_positions(state, ANA, cid, {"Account:A1": {"x": 1, "y": 1}})


# ---- notes, assignee, listing -------------------------------------------------------------

def test_notes_assignee_and_listing(state):
    add_user(state, "inv2", "investigator", "correct horse battery")
    first, second = new_case(state), new_case(state, elements=[W1])
    cases.add_note(state, INV, first, "called the bank")
    with pytest.raises(CaseError, match="text"):
        cases.add_note(state, INV, first, "  ")
    cases.assign(state, INV, first, "inv2")
    with pytest.raises(CaseError, match="no such user"):
        cases.assign(state, INV, first, "nobody")
    c = cases.get_case(state, first)
    assert c["assignee"] == "inv2" and [(n["author"], n["text"]) for n in c["notes"]] == [("inv", "called the bank")]
    assert [r["id"] for r in cases.list_cases(state)] == [second, first]
    assert [(r["id"], r["elements"]) for r in cases.list_cases(state, assignee="inv2")] == [(first, 3)]
    cases.set_status(state, INV, second, "in_review", "x")
    assert [r["id"] for r in cases.list_cases(state, status="in_review")] == [second]
    assert audit.entries(state, action="case.assign")[0]["details"] == {"case_id": first, "from": None, "to": "inv2"}
    with pytest.raises(CaseError, match="no case 42"):
        cases.get_case(state, 42)


def test_listing_pages_counts_and_checks_case_ids(state):
    add_user(state, "inv2", "investigator", "correct horse battery")
    made = [new_case(state) for _ in range(5)]
    for cid in made[:3]:
        cases.assign(state, INV, cid, "inv2")
    cases.set_status(state, INV, made[0], "in_review", "x")
    assert [r["id"] for r in cases.list_cases(state, limit=2)] == [made[4], made[3]]          # newest first
    assert [r["id"] for r in cases.list_cases(state, limit=2, offset=4)] == [made[0]]
    assert [r["id"] for r in cases.list_cases(state, assignee="inv2", limit=2, offset=1)] == [made[1], made[0]]
    assert cases.count_cases(state) == 5 and cases.count_cases(state, assignee="inv2") == 3
    assert cases.count_cases(state, "open", "inv2") == 2 and cases.count_cases(state, "in_review") == 1
    with pytest.raises(CaseError, match="unknown status"):
        cases.count_cases(state, "maybe")
    cases.check_cases(state, made)
    cases.check_cases(state, [])
    with pytest.raises(CaseNotFound, match="no case 98, 99"):
        cases.check_cases(state, [made[0], 99, 98])


# ---- second review ------------------------------------------------------------------------

def test_second_review_by_another_user_on_decided_cases_only(state):
    cid = new_case(state)
    with pytest.raises(CaseError, match="only decided cases"):
        cases.second_review(state, INV2, cid, "confirmed", "x")
    cases.set_status(state, INV, cid, "in_review", "x")
    cases.set_status(state, INV, cid, "confirmed", "ring")
    with pytest.raises(CaseError, match="someone else"):
        cases.second_review(state, INV, cid, "confirmed", "x")
    with pytest.raises(CaseError, match="verdict"):
        cases.second_review(state, INV2, cid, "maybe", "x")
    assert cases.second_review(state, INV2, cid, "confirmed", "agree") is True
    cases.set_status(state, INV, cid, "closed", "done")          # closed after a decision: still reviewable
    assert cases.second_review(state, ADM, cid, "false_positive", "payroll pattern") is False
    reviews = cases.get_case(state, cid)["reviews"]
    assert [(r["reviewer"], r["verdict"], r["decision"], r["agrees"]) for r in reviews] == [
        ("inv2", "confirmed", "confirmed", True), ("adm", "false_positive", "confirmed", False)]
    assert audit.entries(state, action="case.review")[1]["details"]["agrees"] is False


# ---- remediation --------------------------------------------------------------------------

def test_remediation_actions_on_case_entities_export_as_csv(state):
    cid = new_case(state, elements=[A1, A2, T1, W1])
    other = new_case(state, elements=[A2])
    cases.record_action(state, INV, cid, "block", "Account:A1", note="ring lead")
    cases.record_action(state, INV, cid, "hold_transfer", "Wallet:0xabc")
    cases.record_action(state, INV, other, "victim_outreach", "Account:A2")
    with pytest.raises(CaseError, match="not an entity of case"):
        cases.record_action(state, INV, other, "freeze", "Account:A1")
    with pytest.raises(CaseError, match="not an entity of case"):   # an edge is not a target
        cases.record_action(state, INV, cid, "freeze", "TRANSFERRED:T1")
    with pytest.raises(CaseError, match="unknown remediation action 'nuke'"):
        cases.record_action(state, INV, cid, "nuke", "Account:A1")
    rows = list(csv.DictReader(cases.actions_csv(state).splitlines()))
    assert list(rows[0]) == list(cases.ACTIONS_CSV_COLUMNS)
    assert [(r["case_id"], r["action"], r["target_kind"], r["target_key"], r["note"]) for r in rows] == [
        (str(cid), "block", "Account", "A1", "ring lead"), (str(cid), "hold_transfer", "Wallet", "0xabc", ""),
        (str(other), "victim_outreach", "Account", "A2", "")]
    assert rows[0]["requested_by"] == "inv" and rows[0]["requested_at"].endswith("Z")
    assert [r["case_id"] for r in csv.DictReader(cases.actions_csv(state, [other]).splitlines())] == [str(other)]
    assert [a["action"] for a in cases.get_case(state, cid)["actions"]] == ["block", "hold_transfer"]
    # a note that a spreadsheet would run as a formula is written as text (issue 12.10)
    cases.record_action(state, INV, other, "block", "Account:A2", note="=HYPERLINK(\"http://x\")")
    assert list(csv.DictReader(cases.actions_csv(state, [other]).splitlines()))[-1]["note"] == \
        "'=HYPERLINK(\"http://x\")"


# ---- the alert queue ----------------------------------------------------------------------

def test_bulk_alert_actions(state):
    add_user(state, "inv2", "investigator", "correct horse battery")
    a, b, c = alert(state, entities=["A1", "A2"]), alert(state, entities=["A3", "A4"]), alert(state, entities=["A5"])
    cid = cases.create_case(state, INV, "t", [A1], PROV, alert_ids=[c])
    with pytest.raises(CaseError, match="needs a reason"):
        cases.bulk_alerts(state, INV, [a, b], "close")
    with pytest.raises(CaseError, match="no alert 999"):
        cases.bulk_alerts(state, INV, [a, 999], "close", reason="x")
    out = cases.bulk_alerts(state, INV, [a, c], "dismiss", reason="known payroll")
    assert out == {"action": "dismiss", "changed": [a], "skipped": [{"id": c, "why": f"in case {cid}"}]}
    cases.bulk_alerts(state, INV, [b], "close", reason="handled")
    cases.bulk_alerts(state, INV, [a, b, c], "assign", assignee="inv2")
    got = {x["id"]: x for x in state.list_alerts(status=None)}
    assert [(got[i]["status"], got[i]["closed_reason"], got[i]["assignee"]) for i in (a, b, c)] == [
        ("dismissed", "known payroll", "inv2"), ("closed", "handled", "inv2"), ("in_case", None, "inv2")]
    assert cases.bulk_alerts(state, INV, [a, b], "reopen")["changed"] == [a, b]
    assert {x["status"] for x in state.list_alerts(status=None) if x["id"] in (a, b)} == {"open"}
    assert [e["details"]["action"] for e in audit.entries(state, action="alerts.bulk")] == [
        "dismiss", "close", "assign", "reopen"]
    with pytest.raises(CaseError, match="unknown alert action"):
        cases.bulk_alerts(state, INV, [a], "delete")


def test_an_alert_goes_into_one_case_only(state):
    a = alert(state)
    cid = cases.create_case(state, INV, "t", [A1], PROV, alert_ids=[a])
    assert cases.get_case(state, cid)["alert_ids"] == [a] and state.get_alert(a)["status"] == "in_case"
    with pytest.raises(AlertTaken, match="already in a case") as taken:
        cases.create_case(state, INV, "t", [A1], PROV, alert_ids=[a])
    assert isinstance(taken.value, CaseError) and isinstance(taken.value, Conflict)    # 409 over the API


def test_two_instances_deciding_one_case_at_once_make_one_decision(state_url):
    """Two app instances (an engine each) move the same case at the same moment: one move
    wins and the other is refused as a move from the winner's status, never two decisions."""
    one, two = open_state(state_url), open_state(state_url)
    for _ in range(6):
        cid = new_case(one)
        cases.set_status(one, INV, cid, "in_review", "look")
        said = at_once(lambda: cases.set_status(one, INV, cid, "confirmed", "yes"),
                       lambda: cases.set_status(two, INV2, cid, "false_positive", "no"), errors=True)
        assert sorted(type(r).__name__ for r in said) == ["CaseError", "NoneType"], said
        won = "confirmed" if said[0] is None else "false_positive"
        lost = "false_positive" if won == "confirmed" else "confirmed"
        assert f"cannot move from {won} to {lost}" in str(next(r for r in said if r is not None))
        case = cases.get_case(two, cid)
        assert (case["status"], case["decision"]) == (won, won)
        assert [h["to_status"] for h in case["history"]] == ["open", "in_review", won]
    assert audit.check(one).intact
    one.engine.dispose()
    two.engine.dispose()


def test_operator_is_the_cli_admin():
    op = cases.operator()
    assert op["name"].startswith("cli:") and op["role"] == "admin" and op["disabled"] is False


# ---- old state files ----------------------------------------------------------------------

def test_an_old_state_file_gains_the_new_alert_columns(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE alerts (id INTEGER PRIMARY KEY, detection VARCHAR(64) NOT NULL, entity_key TEXT "
                   "NOT NULL, status VARCHAR(16) NOT NULL, score FLOAT NOT NULL, params JSON NOT NULL, entities "
                   "JSON NOT NULL, reasons JSON NOT NULL, result JSON NOT NULL, created_at BIGINT NOT NULL, "
                   "updated_at BIGINT NOT NULL)")
        db.execute("INSERT INTO alerts VALUES (1, 'rings', 'A1', 'open', 0.9, '{}', '[\"A1\"]', '[]', "
                   "'{\"score\": 0.9}', 5, 5)")
    state = open_state(f"sqlite:///{path}")
    open_state(f"sqlite:///{path}")                       # twice: the step is idempotent
    cols = {c["name"] for c in sa.inspect(state.engine).get_columns("alerts")}
    assert {"assignee", "case_id", "closed_reason"} <= cols
    assert any(i["column_names"] == ["case_id"] for i in sa.inspect(state.engine).get_indexes("alerts"))
    assert state.get_alert(1)["entities"] == ["A1"] and state.get_alert(1)["case_id"] is None
    cid = cases.create_case(state, INV, "t", [A1], PROV, alert_ids=[1])
    assert state.get_alert(1)["case_id"] == cid


# ---- from the graph: alerts and model groups ----------------------------------------------

@pytest.fixture
def graph_state(any_store, state, tmp_path):
    """A1, A2, A3 share device D1 (A3 not in any alert); A1 -> A2 transfer; group G1 = {A1, A2};
    on every backend."""
    store = any_store
    d = tmp_path / "data"
    d.mkdir()
    t = "2024-01-01T10:00:00Z"
    write_csv(d / "accounts.csv", ["account_id", "registered_at", "country", "kyc_level", "status", "referral_code",
                              "referred_by"], [[a, t, "GB", 1, "active", "", ""] for a in ("A1", "A2", "A3", "A4")])
    write_csv(d / "account_devices.csv", ["account_id", "device_id", "first_seen", "last_seen", "count"],
         [[a, "D1", t, t, 1] for a in ("A1", "A2", "A3")])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
         [["T1", "A1", "A2", "100", "USDT", t, "100"]])
    write_csv(d / "groups.csv", ["group_id", "account_id", "model", "score", "flagged_at"],
         [["G1", "A1", "batchreg-v3", "0.8", t], ["G1", "A2", "batchreg-v3", "0.8", t]])
    assert load(store, state, [d], rejects_dir=tmp_path / "rej").ok
    return store, state


def test_case_from_alert_snapshots_what_the_explorer_shows(graph_state):
    store, state = graph_state
    a = alert(state, entities=["A1", "A2", "A9"])          # A9 is not in the graph
    cid = cases.case_from_alert(state, store, INV, a)
    c = cases.get_case(state, cid)
    ids = ["Account:A1", "Account:A2", "Account:A9"]
    nodes, _ = explore.nodes(store, ids)
    shown = graph.merge(nodes, explore.links_between(store, ids))       # the explorer's open_nodes
    assert sorted(ids_of(c["elements"])) == sorted(ids_of(shown))
    assert {"Device:D1", "Account:A1", "Account:A2"} <= set(ids_of(c["elements"]))
    assert "Account:A3" not in ids_of(c["elements"])
    assert c["provenance"]["Account:A1"]["query"] == "ui_nodes"
    assert c["provenance"]["Account:A1"]["params"] == {"keys": {"Account": ["A1", "A2", "A9"]}}
    # the links are read for the accounts the case holds (A9 is not in the graph)
    assert c["provenance"]["Device:D1"] | {"added_at": 0} == {
        "query": "ui_links_between", "params": {"keys": ["A1", "A2"], "max_links": 50},
        "added_by": "inv", "added_at": 0}
    assert (c["source"], c["detection"], c["domain"], c["alert_ids"]) == (f"alert:{a}", "rings", "kyc_fraud", [a])
    assert "Account:A9" in c["notes"][0]["text"]
    assert state.get_alert(a)["status"] == "in_case" and state.get_alert(a)["case_id"] == cid
    with pytest.raises(AlertTaken, match="already in case"):
        cases.case_from_alert(state, store, INV, a)
    with pytest.raises(PermissionDenied):
        cases.case_from_alert(state, store, ANA, alert(state, entities=["A3"]))


def test_case_from_group_holds_the_group_its_members_and_their_links(graph_state):
    store, state = graph_state
    cid = cases.case_from_group(state, store, INV, "G1")
    c = cases.get_case(state, cid)
    ids = set(ids_of(c["elements"]))
    assert {"Group:G1", "Account:A1", "Account:A2", "Device:D1"} <= ids and "Account:A3" not in ids
    assert sum(e["data"].get("kind") == "IN_GROUP" for e in c["elements"]) == 2
    assert any(e["data"].get("kind") == "TRANSFERRED" for e in c["elements"])
    assert c["provenance"]["Group:G1"]["query"] == cases.GROUP_MEMBERS
    assert (c["source"], c["domain"]) == ("group:G1", "kyc_fraud")
    with pytest.raises(CaseError, match="no group 'G9'"):
        cases.case_from_group(state, store, INV, "G9")


def test_add_entities_reads_them_from_the_graph_with_what_links_them_to_the_case(graph_state):
    store, state = graph_state
    cid = cases.create_case(state, INV, "by hand", [], PROV)
    done = cases.add_entities(state, store, INV, cid, ["Account:A1", "Account:A7"])
    assert done == {"added": ["Account:A1"], "links": [], "missing": ["Account:A7"]}     # one account: no links yet
    # A3 shares D1 with A1: the device and both USED_DEVICE edges come in with it
    done = cases.add_entities(state, store, INV, cid, ["Account:A3", "Account:A1"],
                              {"query": "ui_search_exact", "params": {"text": "A3"}})
    assert done["added"] == ["Account:A3"] and done["missing"] == []
    assert "Device:D1" in done["links"] and len([i for i in done["links"] if i.startswith("USED_DEVICE")]) == 2
    c = cases.get_case(state, cid)
    assert c["provenance"]["Account:A3"]["query"] == "ui_search_exact"
    assert c["provenance"]["Device:D1"]["params"] == {"keys": ["A1", "A3"], "max_links": 50}
    # the elements are the graph's, not whatever a caller holds
    a3 = next(e for e in c["elements"] if e["data"]["id"] == "Account:A3")
    assert a3["data"]["props"]["country"] == "GB" and a3["data"]["props"]["source"].endswith("accounts.csv")
    again = cases.add_entities(state, store, INV, cid, ["Account:A1", "Account:A3"])
    assert again == {"added": [], "links": [], "missing": []}
    with pytest.raises(PermissionDenied):
        cases.add_entities(state, store, ANA, cid, ["Account:A2"])
    with pytest.raises(CaseError, match="no case 99"):
        cases.add_entities(state, store, INV, 99, ["Account:A2"])


def test_changed_snapshots_and_decisions_are_caught_by_the_audit_log(state):
    """Issue 12.6: case decisions and snapshots were not covered by the hash chain: changing
    an element's content or a decision in the database went unnoticed."""
    cid = new_case(state)
    cases.set_status(state, INV, cid, "in_review", "looks like a ring")
    cases.set_status(state, INV, cid, "confirmed", "shared device and KYC")
    assert cases.check_against_audit(state) == []
    with state.engine.begin() as conn:
        row = conn.execute(sa.text("SELECT id, element FROM case_elements WHERE element_id = 'TRANSFERRED:T1'")).first()
        element = row.element if isinstance(row.element, dict) else __import__("json").loads(row.element)
        element["data"]["props"]["amount_usd"] = 250000
        conn.execute(sa.text("UPDATE case_elements SET element = :e WHERE id = :i"),
                     {"e": __import__("json").dumps(element), "i": row.id})
    assert [p for p in cases.check_against_audit(state) if "elements added" in p] != []
    with state.engine.begin() as conn:
        conn.execute(sa.text("UPDATE cases SET decision = 'false_positive', status = 'false_positive' WHERE id = :i"),
                     {"i": cid})
    assert any("status or decision" in p for p in cases.check_against_audit(state))
