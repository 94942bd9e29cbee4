"""Cases over HTTP on the session dataset: opened from an alert (once per Idempotency-Key),
from entities and from a model group; listed and paged as the state store holds them; moved
along the workflow with reasons, decisions only by roles that decide; notes, remediation
actions and their CSV; 404 for unknown ids and 403 for roles that only read."""
from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa

from casegraph import cases, permissions
from casegraph.state import open_state
from casegraph.store import GraphStore, open_backend

URL = "/api/v1/cases"
INV = {"name": "tests", "role": "investigator", "disabled": False}


@pytest.fixture(scope="module")
def state(api_data):
    s = open_state(api_data[0].state_url())
    yield s
    s.engine.dispose()


@pytest.fixture(scope="module")
def graph(api_data):
    store = GraphStore(open_backend(api_data[0]), api_data[0])
    yield store
    store.close()


def n_cases(state) -> int:
    with state.engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM cases")).scalar_one()


def free_alert(state) -> dict:
    return next(a for a in state.list_alerts(status="open", limit=10**6) if a["case_id"] is None)


def linked_pair(graph) -> list[str]:
    row = graph.read_cypher("MATCH (s:Account)-[:TRANSFERRED]->(r:Account) WHERE s <> r RETURN s.account_id AS s, "
                            "r.account_id AS r ORDER BY s, r LIMIT 1", {}, row_limit=1).rows[0]
    return [f"Account:{row['s']}", f"Account:{row['r']}"]


def opened(client, headers, **body) -> dict:
    r = client.post(URL, headers=headers, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def element_ids(case: dict) -> set[str]:
    return {e["data"]["id"] for e in case["elements"]}


def test_a_case_from_an_alert_takes_the_alert_and_a_retry_returns_the_same_case(client, as_role, state):
    a = free_alert(state)
    h = {**as_role("investigator"), "Idempotency-Key": f"case-from-alert-{a['id']}"}
    before = n_cases(state)
    first = client.post(URL, headers=h, json={"alert_id": a["id"]})
    again = client.post(URL, headers=h, json={"alert_id": a["id"]})
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    assert n_cases(state) == before + 1
    case = first.json()
    assert (case["source"], case["alert_ids"], case["detection"]) == (f"alert:{a['id']}", [a["id"]], a["detection"])
    notes = " ".join(n["text"] for n in case["notes"])      # entities gone from the graph are named in a note
    assert all(n in element_ids(case) or n in notes for n in cases.alert_node_ids(a)) and element_ids(case)
    got = client.get(f"/api/v1/alerts/{a['id']}", headers=as_role("service")).json()
    assert (got["status"], got["case_id"]) == ("in_case", case["id"])
    taken = client.post(URL, headers=as_role("investigator"), json={"alert_id": a["id"]})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "conflict"
    other = client.post(URL, headers=h, json={"alert_id": free_alert(state)["id"]})
    assert other.status_code == 409                                      # the key was used for another request
    assert n_cases(state) == before + 1


def test_a_case_from_entities_holds_them_and_what_links_them(client, as_role, graph, state):
    pair = linked_pair(graph)
    case = opened(client, as_role("admin"), entities=pair + ["Account:NOT-IN-GRAPH"], title="paid each other")
    assert case["title"] == "paid each other" and case["source"] == "explorer"
    assert set(pair) <= element_ids(case)
    assert any(e["data"].get("kind") == "TRANSFERRED" and {e["data"]["source"], e["data"]["target"]} == set(pair)
               for e in case["elements"])
    assert "Account:NOT-IN-GRAPH" in case["notes"][0]["text"]
    assert case["provenance"][pair[0]]["query"] == "ui_nodes"
    for body, code in (({"entities": ["Spaceship:X1"]}, "invalid_request"),         # a label outside the model
                       ({"entities": ["no-colon"]}, "invalid_request"),
                       ({"entities": ["Account:NOT-IN-GRAPH"]}, "invalid"),
                       ({"alert_id": 1, "entities": pair}, "invalid_request"),
                       ({"title": "t", "group_id": "G1"}, "invalid_request"), ({}, "invalid_request")):
        r = client.post(URL, headers=as_role("investigator"), json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == code, (body, r.text)


def test_a_case_from_a_model_group_holds_the_group_and_its_members(client, as_role, graph):
    row = graph.read_cypher("MATCH (a:Account)-[:IN_GROUP]->(g:Group) RETURN g.group_id AS g, "
                            "collect(a.account_id) AS members ORDER BY g LIMIT 1", {}, row_limit=1).rows[0]
    case = opened(client, as_role("investigator"), group_id=row["g"])
    assert case["source"] == f"group:{row['g']}" and case["domain"] == "kyc_fraud"
    assert {f"Group:{row['g']}"} | {f"Account:{m}" for m in row["members"]} <= element_ids(case)
    r = client.post(URL, headers=as_role("investigator"), json={"group_id": "NO-SUCH-GROUP"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_status_moves_keep_their_reasons_and_decisions_need_decide_case(client, as_role, graph, monkeypatch):
    cid = opened(client, as_role("investigator"), entities=linked_pair(graph))["id"]
    move = lambda role, to, reason="because": client.post(  # noqa: E731
        f"{URL}/{cid}/status", headers=as_role(role), json={"status": to, "reason": reason})
    assert move("investigator", "confirmed").status_code == 422                  # open -> confirmed is no move
    assert move("investigator", "in_review", "").status_code == 422              # every move needs a reason
    # a role that may change cases but not decide them: moves, but does not confirm
    monkeypatch.setitem(permissions.PERMISSIONS, "service", permissions.PERMISSIONS["service"] | {"change_case"})
    r = move("service", "in_review", "two accounts paying each other")
    assert r.status_code == 200, r.text
    denied = move("service", "confirmed")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    monkeypatch.undo()
    assert move("analyst", "in_review").status_code == 403
    decided = move("investigator", "confirmed", "one operator behind both")
    assert decided.status_code == 200
    case = client.get(f"{URL}/{cid}", headers=as_role("le_response")).json()
    assert (case["status"], case["decision"], case["decision_reason"], case["decided_by"]) == (
        "confirmed", "confirmed", "one operator behind both", "token:svc-investigator")
    assert [(m["from_status"], m["to_status"], m["reason"], m["actor"]) for m in case["history"][1:]] == [
        ("open", "in_review", "two accounts paying each other", "token:svc-service"),
        ("in_review", "confirmed", "one operator behind both", "token:svc-investigator")]


def test_an_str_draft_of_a_confirmed_case_as_xml_and_pdf(client, as_role, graph):
    from xml.etree import ElementTree
    cid = opened(client, as_role("investigator"), entities=linked_pair(graph))["id"]
    draft = lambda role, **body: client.post(f"{URL}/{cid}/str-draft", headers=as_role(role), json=body)  # noqa: E731
    early = draft("le_response")
    assert early.status_code == 422 and "only from a confirmed case" in early.json()["error"]["message"]
    for to in ("in_review", "confirmed"):
        assert client.post(f"{URL}/{cid}/status", headers=as_role("investigator"),
                           json={"status": to, "reason": "two accounts of one operator"}).status_code == 200
    xml = draft("le_response", entity_id="4711", institution="Example Exchange")
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    report = ElementTree.fromstring(xml.content)
    assert report.tag == "report" and report.findtext("rentity_id") == "4711"
    assert report.findtext("entity_reference") == f"casegraph-case-{cid}"
    pdf = draft("admin", format="pdf", masked=True)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert draft("investigator").status_code == 403
    assert draft("le_response", format="docx").status_code == 422
    assert client.post(f"{URL}/999999/str-draft", headers=as_role("le_response"), json={}).status_code == 404


def test_notes_and_remediation_actions_show_in_the_case_and_its_csv(client, as_role, graph):
    pair = linked_pair(graph)
    cid = opened(client, as_role("investigator"), entities=pair)["id"]
    h = as_role("investigator")
    note = client.post(f"{URL}/{cid}/notes", headers=h, json={"text": "called the bank"})
    assert note.status_code == 201 and note.json()["notes"][-1]["text"] == "called the bank"
    done = [client.post(f"{URL}/{cid}/actions", headers=h, json=body) for body in (
        {"action": "freeze", "target": pair[0], "note": "ring lead"}, {"action": "victim_outreach", "target": pair[1]})]
    assert [r.status_code for r in done] == [201, 201], done[0].text
    assert done[0].json()["action"] == "freeze" and done[0].json()["requested_by"] == "token:svc-investigator"
    outside = client.post(f"{URL}/{cid}/actions", headers=h, json={"action": "block", "target": "Account:ELSEWHERE"})
    assert outside.status_code == 422 and "not an entity of case" in outside.json()["error"]["message"]
    assert client.post(f"{URL}/{cid}/actions", headers=h, json={"action": "nuke", "target": pair[0]}).status_code == 422
    case = client.get(f"{URL}/{cid}", headers=as_role("analyst")).json()
    assert [(a["action"], a["target"], a["note"]) for a in case["actions"]] == [
        ("freeze", pair[0], "ring lead"), ("victim_outreach", pair[1], "")]
    one = client.get(f"{URL}/{cid}/remediation.csv", headers=as_role("service"))
    assert one.status_code == 200 and one.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(one.text.splitlines()))
    assert list(rows[0]) == list(cases.ACTIONS_CSV_COLUMNS)
    assert [(r["case_id"], r["action"], r["target_kind"] + ":" + r["target_key"], r["note"]) for r in rows] == [
        (str(cid), "freeze", pair[0], "ring lead"), (str(cid), "victim_outreach", pair[1], "")]
    both = client.get(f"{URL}/remediation.csv", headers=as_role("service"), params={"case_id": [cid, cid]})
    assert both.status_code == 200 and list(csv.DictReader(both.text.splitlines())) == rows
    every = list(csv.DictReader(client.get(f"{URL}/remediation.csv", headers=as_role("service")).text.splitlines()))
    assert rows[0] in every and len(every) >= len(rows)


def test_listing_filters_and_pages_hold_what_the_state_store_holds(client, as_role, graph, state):
    made = [opened(client, as_role("investigator"), entities=linked_pair(graph))["id"] for _ in range(3)]
    cases.assign(state, INV, made[1], "user-investigator")
    cases.set_status(state, INV, made[2], "in_review", "listing test")
    h, me = as_role("service"), "user-investigator"
    for filters, expected in (({}, cases.list_cases(state)),
                              ({"status": "in_review"}, cases.list_cases(state, "in_review")),
                              ({"assignee": me}, cases.list_cases(state, assignee=me))):
        ids = []
        for offset in range(0, 2 * len(expected) + 2, 2):     # one page more than needed: it is empty
            body = client.get(URL, headers=h, params={**filters, "limit": 2, "offset": offset}).json()
            assert body["total"] == len(expected), filters
            ids += [c["id"] for c in body["cases"]]
        assert ids == [c["id"] for c in expected] and ids, filters
    listed = client.get(URL, headers=h, params={"assignee": "user-investigator"}).json()["cases"]
    assert made[1] in [c["id"] for c in listed] and all(c["elements"] >= 2 for c in listed)
    assert client.get(URL, headers=h, params={"status": "maybe"}).status_code == 422
    assert client.get(URL, headers=h, params={"limit": 1001}).status_code == 422


def test_unknown_cases_are_404(client, as_role):
    h = as_role("investigator")
    for r in (client.get(f"{URL}/999999", headers=h),
              client.post(f"{URL}/999999/status", headers=h, json={"status": "in_review", "reason": "x"}),
              client.post(f"{URL}/999999/notes", headers=h, json={"text": "x"}),
              client.post(f"{URL}/999999/actions", headers=h, json={"action": "block", "target": "Account:A"}),
              client.get(f"{URL}/999999/remediation.csv", headers=h),
              client.get(f"{URL}/remediation.csv", headers=h, params={"case_id": [999999]}),
              client.post(URL, headers=h, json={"alert_id": 999999})):
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", r.request.url


def test_nul_characters_are_refused_before_the_database(client, as_role, graph):
    """PostgreSQL text cannot hold NUL: refused as invalid (422), never a database error (500)."""
    h = as_role("investigator")
    cid = opened(client, h, entities=linked_pair(graph))["id"]
    for r in (client.post(f"{URL}/{cid}/notes", headers=h, json={"text": "a\x00b"}),
              client.post(f"{URL}/{cid}/status", headers=h, json={"status": "in_review", "reason": "\x00"}),
              client.post(URL, headers=h, json={"entities": ["Account:A\x00"]}),
              client.get(URL, headers=h, params={"assignee": "x\x00"})):
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", r.text


@pytest.mark.parametrize("role", ["analyst", "le_response", "service"])
def test_roles_that_only_read_cases_may_not_change_them(client, as_role, graph, state, role):
    cid = opened(client, as_role("investigator"), entities=linked_pair(graph))["id"]
    assert client.get(f"{URL}/{cid}", headers=as_role(role)).status_code == 200
    before = n_cases(state)
    for r in (client.post(URL, headers=as_role(role), json={"entities": linked_pair(graph)}),
              client.post(f"{URL}/{cid}/notes", headers=as_role(role), json={"text": "x"}),
              client.post(f"{URL}/{cid}/status", headers=as_role(role), json={"status": "in_review", "reason": "x"})):
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert n_cases(state) == before and cases.get_case(state, cid)["notes"] == []
