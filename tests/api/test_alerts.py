"""The alert queue over HTTP on the session dataset: filters and pages hold what the state
store holds (checked with SQL), one alert reads whole, status and assignee changes show on
a re-read, and only roles that review alerts may change them."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from casegraph import cases
from casegraph.state import open_state

URL = "/api/v1/alerts"


@pytest.fixture(scope="module")
def state(api_data):
    s = open_state(api_data[0].state_url())
    yield s
    s.engine.dispose()


def sql_ids(state, where: str = "1 = 1", **params) -> list[int]:
    """Alert ids in the queue's order, straight from the table."""
    with state.engine.connect() as conn:
        return list(conn.execute(sa.text(f"SELECT id FROM alerts WHERE {where} ORDER BY score DESC, id"),
                                 params).scalars())


def all_pages(client, headers, limit: int, **filters) -> tuple[list[int], set[int]]:
    ids, totals = [], set()
    for offset in range(0, 100_000, limit):
        r = client.get(URL, headers=headers, params={**filters, "limit": limit, "offset": offset})
        assert r.status_code == 200, r.text
        body = r.json()
        totals.add(body["total"])
        ids += [a["id"] for a in body["alerts"]]
        if not body["alerts"] or len(ids) > body["total"]:
            return ids, totals
    pytest.fail("paging never ended")


def an_open_alert(state) -> dict:
    return next(a for a in state.list_alerts(status="open", limit=10**6) if a["case_id"] is None
                and a["assignee"] is None)


def test_pages_of_every_filter_hold_what_the_alerts_table_holds(client, as_role, state):
    h = as_role("service")
    detection = state.list_alerts(status=None, limit=1)[0]["detection"]
    mine = [a["id"] for a in state.list_alerts(status="open", limit=10**6)[::7]]
    cases.bulk_alerts(state, cases.operator(), mine, "assign", assignee="user-le_response")
    created = sorted({a["created_at"] for a in state.list_alerts(status=None, limit=10**6)})
    since, until = created[len(created) // 2], created[-1]
    asked = [
        ({}, "status = 'open'"),
        ({"status": "all"}, "1 = 1"),
        ({"status": "all", "detection": detection}, f"detection = '{detection}'"),
        ({"min_score": 0.5}, "status = 'open' AND score >= 0.5"),
        ({"status": "all", "assignee": "user-le_response"}, "assignee = 'user-le_response'"),
        ({"status": "all", "created_since": since, "created_until": until},
         f"created_at >= {since} AND created_at < {until}"),
    ]
    for filters, where in asked:
        expected = sql_ids(state, where)
        got, totals = all_pages(client, h, 7, **filters)      # several pages each
        assert got == expected and totals == {len(expected)}, filters
        assert expected, f"the dataset has no alert for {filters}: the test would prove nothing"


def test_an_alert_reads_whole_with_its_node_ids(client, as_role, state):
    row = state.list_alerts(detection="rings", status=None, limit=1)[0]
    r = client.get(f"{URL}/{row['id']}", headers=as_role("le_response"))
    assert r.status_code == 200, r.text
    got = r.json()
    for key in ("detection", "entity_key", "status", "score", "entities", "reasons", "result", "assignee", "case_id"):
        assert got[key] == row[key], key
    assert got["node_ids"] == [f"Account:{e}" for e in row["entities"]] and len(got["node_ids"]) >= 2


def test_closing_assigning_and_reopening_show_on_a_re_read(client, as_role, state):
    a = an_open_alert(state)
    url, h = f"{URL}/{a['id']}", as_role("investigator")
    missing = client.patch(url, headers=h, json={"status": "closed"})
    assert missing.status_code == 422 and "needs a reason" in missing.json()["error"]["message"]
    r = client.patch(url, headers=h, json={"status": "closed", "reason": "payroll account", "assignee": "user-admin"})
    assert r.status_code == 200, r.text
    again = client.get(url, headers=h).json()
    assert (again["status"], again["closed_reason"], again["assignee"]) == ("closed", "payroll account", "user-admin")
    assert state.get_alert(a["id"])["status"] == "closed"
    assert a["id"] in [x["id"] for x in client.get(URL, headers=h, params={
        "status": "closed", "assignee": "user-admin", "limit": 1000}).json()["alerts"]]
    client.patch(url, headers=h, json={"status": "open"})
    assert (state.get_alert(a["id"])["status"], state.get_alert(a["id"])["closed_reason"]) == ("open", None)
    gone = client.patch(url, headers=h, json={"assignee": "nobody-here"})
    assert gone.status_code == 422 and "no such user" in gone.json()["error"]["message"]


@pytest.mark.parametrize("role", ["analyst", "le_response", "service"])
def test_roles_that_do_not_review_alerts_read_but_may_not_change_them(client, as_role, state, role):
    a = an_open_alert(state)
    assert client.get(f"{URL}/{a['id']}", headers=as_role(role)).status_code == 200
    r = client.patch(f"{URL}/{a['id']}", headers=as_role(role), json={"status": "dismissed", "reason": "x"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert state.get_alert(a["id"])["status"] == "open"


def test_an_alert_in_a_case_keeps_its_status(client, as_role, state):
    a = an_open_alert(state)
    made = client.post("/api/v1/cases", headers=as_role("investigator"), json={"alert_id": a["id"]})
    assert made.status_code == 201, made.text
    r = client.patch(f"{URL}/{a['id']}", headers=as_role("investigator"), json={"status": "dismissed", "reason": "x"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    assert state.get_alert(a["id"])["status"] == "in_case"


def test_unknown_alerts_and_bad_parameters(client, as_role):
    h = as_role("investigator")
    for r in (client.get(f"{URL}/999999", headers=h),
              client.patch(f"{URL}/999999", headers=h, json={"status": "open"})):
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    for params in ({"limit": 1001}, {"status": "maybe"}, {"created_since": 32503680000001}, {"min_score": -1},
                   {"offset": -1}):
        r = client.get(URL, headers=h, params=params)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", params
    assert client.patch(f"{URL}/1", headers=h, json={}).status_code == 422
    assert client.get(f"{URL}/0", headers=h).status_code == 422
