"""Model groups over HTTP: a pushed group is found by the UI's search and opens as a case;
who may push; bad groups are 422, unknown ones 404."""
from __future__ import annotations

import pytest

from casegraph import cases, explore
from tests.api.stores import opened

INV = {"name": "inv-groups", "role": "investigator", "disabled": False}


@pytest.fixture(scope="module")
def stores(api_data):
    with opened(api_data[0]) as both:
        yield both


@pytest.fixture(scope="module")
def accounts(stores):
    return stores[0].read_cypher("MATCH (a:Account) RETURN a.account_id AS a ORDER BY a LIMIT 4", {},
                                 row_limit=4).column("a")


def test_a_pushed_group_is_found_by_search_and_reviewed_as_a_case(client, as_role, stores, accounts):
    graph, state = stores
    r = client.post("/api/v1/groups", headers=as_role("service"), json={
        "group_id": "G-API-1", "model": "batchreg-v4", "score": 0.87, "members": accounts})
    assert r.status_code == 200, r.text
    assert r.json()["members"] == len(accounts) and r.json()["group_id"] == "G-API-1"
    assert "Group:G-API-1" in [h["id"] for h in explore.search(graph, "G-API-1")]
    got = client.get("/api/v1/groups/G-API-1", headers=as_role("analyst"))
    assert got.status_code == 200 and got.json()["members"] == sorted(accounts)
    assert got.json()["source"] == "api:token:svc-service" and got.json()["score"] == 0.87
    case = cases.get_case(state, cases.case_from_group(state, graph, INV, "G-API-1"))
    assert case["source"] == "group:G-API-1"
    assert {f"Account:{a}" for a in accounts} <= {e["data"]["id"] for e in case["elements"]}


def test_only_roles_with_push_groups_may_push(client, as_role, accounts):
    group = {"group_id": "G-API-2", "model": "m", "score": 0.5, "members": accounts[:1]}
    assert client.post("/api/v1/groups", headers=as_role("investigator"), json=group).status_code == 403
    assert client.post("/api/v1/groups", headers=as_role("analyst"), json=group).status_code == 200


@pytest.mark.parametrize("bad", [{"score": 1.01}, {"score": -0.1}, {"members": []}, {"group_id": ""},
                                 {"flagged_at": -1}, {"flagged_at": 32_503_680_000_001}, {"model": "x" * 257},
                                 {"group_id": " G"}, {"members": ["A1 "]}, {"group_id": "G\x01"},
                                 {"members": ["A\x00"]}, {"model": "m\x94"}])
def test_a_bad_group_is_refused(client, as_role, bad):
    group = {"group_id": "G-API-BAD", "model": "m", "score": 0.5, "members": ["A1"], **bad}
    r = client.post("/api/v1/groups", headers=as_role("service"), json=group)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_an_unknown_group_is_not_found(client, as_role):
    r = client.get("/api/v1/groups/G-NO-SUCH", headers=as_role("service"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
