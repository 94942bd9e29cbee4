"""Saved queries over HTTP: only the analysts' queries are listed and run, with typed
parameters; results are JSON; the deployment's row and time limits cap what is asked."""
from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from casegraph.catalogue import catalogue
from tests.api.conftest import auth
from tests.api.stores import opened

SLOW = """// title: Count to a large number
// purpose: Takes far longer than a few milliseconds.
// mode: read
// param n: int = 5000000 in 1.. — how far to count
// example: :params {n: 5000000}
UNWIND range(1, $n) AS x
WITH x WHERE x % 7 = 0
RETURN count(x) AS n
"""


@pytest.fixture(scope="module")
def an_account(api_data):
    with opened(api_data[0]) as (graph, _state):
        return graph.read_cypher("MATCH (a:Account)--() RETURN a.account_id AS a ORDER BY a LIMIT 1", {},
                                 row_limit=1).rows[0]["a"]


@pytest.fixture(scope="module")
def strict_client(api_data, tmp_path_factory):
    """The API over the same data with a user query folder (one slow query) and a 50 ms limit."""
    from casegraph.api import create_api
    folder = tmp_path_factory.mktemp("user_queries")
    (folder / "count_far.cypher").write_text(SLOW, encoding="utf-8")
    settings = dataclasses.replace(api_data[0], queries_dir=str(folder), query_timeout_ms=50, row_limit=3)
    with TestClient(create_api(settings), raise_server_exceptions=False) as c:
        yield c


def test_the_list_holds_the_analysts_queries_with_typed_parameters_and_no_internal_template(client, as_role):
    r = client.get("/api/v1/queries", headers=as_role("analyst"))
    assert r.status_code == 200, r.text
    listed = {q["name"]: q for q in r.json()["queries"]}
    assert "find_account" in listed
    internal = [q.name for q in catalogue() if q.path.replace("\\", "/").rsplit("/", 2)[-2] != "cypher"]
    assert internal and not set(internal) & set(listed)
    assert all(catalogue().get(n).mode == "read" for n in listed)
    limit = {p["name"]: p for p in listed["find_account"]["params"]}["limit"]
    assert (limit["type"], limit["required"], limit["default"], limit["min"], limit["max"]) == ("int", False, 200,
                                                                                               1, 10000)
    account_id = {p["name"]: p for p in listed["find_account"]["params"]}["account_id"]
    assert (account_id["type"], account_id["required"], account_id["default"]) == ("string", True, None)


def test_a_run_returns_json_rows_and_the_row_limit_truncates(client, as_role, an_account):
    r = client.post("/api/v1/queries/find_account/run", headers=as_role("investigator"),
                    json={"params": {"account_id": an_account}, "row_limit": 1})
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(body["columns"]) == ["a", "n", "r"] and len(body["rows"]) == 1
    assert body["rows"][0]["a"]["properties"]["account_id"] == an_account and "Account" in body["rows"][0]["a"]["labels"]
    every = client.post("/api/v1/queries/find_account/run", headers=as_role("analyst"),
                        json={"params": {"account_id": an_account}}).json()
    assert body["truncated"] is (len(every["rows"]) > 1) and not every["truncated"]


@pytest.mark.parametrize("name", ["no_such_query", "ui_search_exact", "load_accounts", "rings"])
def test_unknown_and_internal_queries_are_not_found(client, as_role, name):
    r = client.post(f"/api/v1/queries/{name}/run", headers=as_role("analyst"), json={"params": {}})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("params", [{}, {"account_id": "A1", "limit": 0}, {"account_id": "A1", "limit": "ten"},
                                    {"account_id": "A1", "nope": 1}])
def test_bad_parameters_are_422(client, as_role, params):
    r = client.post("/api/v1/queries/find_account/run", headers=as_role("analyst"), json={"params": params})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid", r.text


def test_a_query_past_the_deployments_time_limit_is_504_whatever_was_asked(strict_client, secrets):
    listed = strict_client.get("/api/v1/queries", headers=auth(secrets["analyst"])).json()["queries"]
    assert {"name": "count_far", "origin": "user"}.items() <= {q["name"]: q for q in listed}["count_far"].items()
    r = strict_client.post("/api/v1/queries/count_far/run", headers=auth(secrets["analyst"]),
                           json={"params": {}, "timeout_ms": 600_000})
    assert r.status_code == 504 and r.json()["error"]["code"] == "timeout", r.text


def test_the_deployments_row_limit_caps_what_is_asked(strict_client, secrets, an_account):
    r = strict_client.post("/api/v1/queries/count_far/run", headers=auth(secrets["analyst"]),
                           json={"params": {"n": 10}, "row_limit": 1000})
    assert r.status_code == 200 and r.json()["rows"] == [{"n": 1}]
    many = strict_client.post("/api/v1/queries/find_account/run", headers=auth(secrets["analyst"]),
                              json={"params": {"account_id": an_account}, "row_limit": 1000}).json()
    assert len(many["rows"]) <= 3
