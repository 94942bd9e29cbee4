"""The request desk and freezes over HTTP (api/routes/requests.py, freezes.py): record, queue,
move, assign, notes, packages, subjects, a case; freezes refused to investigators, allowed to
le_response and admin, holding /transfers/check from the frozen sender until lifted."""
from __future__ import annotations

import pytest

from casegraph.store import GraphStore, open_backend

URL = "/api/v1/requests"
H = 3_600_000
T0 = 1_700_000_000_000


@pytest.fixture(scope="module")
def graph(api_data):
    store = GraphStore(open_backend(api_data[0]), api_data[0])
    yield store
    store.close()


def _accounts(graph, n=2) -> list[str]:
    return [r["a"] for r in graph.read_cypher("MATCH (a:Account) RETURN a.account_id AS a ORDER BY a LIMIT $n",
                                              {"n": n}, row_limit=n).rows]


def _new(client, headers, **kw):
    body = {"agency": "NCA", "country": "GB", "reference": "NCA-1", "legal_basis": "POCA s.345",
            "received_at": T0, "deadline_at": T0 + 72 * H, "subjects": [], "ask": "statements", **kw}
    return client.post(URL, headers=headers, json=body)


def test_a_request_is_worked_over_the_api(client, as_role, graph):
    le = as_role("le_response")
    a1 = _accounts(graph, 1)[0]
    r = _new(client, {**le, "Idempotency-Key": "req-1"}, subjects=[f"Account:{a1}", "Wallet:0xnot-there"])
    assert r.status_code == 201, r.text
    req = r.json()
    assert (req["status"], req["overdue"], req["created_by"]) == ("received", True, "token:svc-le_response")
    again = _new(client, {**le, "Idempotency-Key": "req-1"}, subjects=[f"Account:{a1}", "Wallet:0xnot-there"])
    assert again.json()["id"] == req["id"] and again.headers["Idempotent-Replayed"] == "true"
    rid = req["id"]
    subjects = client.get(f"{URL}/{rid}/subjects", headers=as_role("investigator")).json()
    assert [(s["subject"], s["found"]) for s in subjects] == [(f"Account:{a1}", True), ("Wallet:0xnot-there", False)]
    assert client.post(f"{URL}/{rid}/status", headers=le, json={"status": "in_progress"}).json()["status"] == \
        "in_progress"
    bad = client.post(f"{URL}/{rid}/status", headers=le, json={"status": "closed"})
    assert bad.status_code == 422 and "can move to responded, declined" in bad.json()["error"]["message"]
    assert client.post(f"{URL}/{rid}/assignee", headers=le, json={"assignee": "user-le_response"}).json()[
        "assignee"] == "user-le_response"
    assert client.post(f"{URL}/{rid}/notes", headers=le, json={"text": "asked KYC"}).status_code == 201
    pkg = client.post(f"{URL}/{rid}/packages", headers=le, json={"file": "part-1.zip", "sha256": "ab" * 32})
    assert pkg.status_code == 201 and pkg.json()["packages"][0]["sha256"] == "ab" * 32
    assert client.post(f"{URL}/{rid}/packages", headers=le, json={"file": "x.zip"}).status_code == 422
    assert client.post(f"{URL}/{rid}/case", headers=le).status_code == 403       # le_response opens no cases
    made = client.post(f"{URL}/{rid}/case", headers=as_role("investigator"))
    assert made.status_code == 201, made.text
    case = client.get(f"/api/v1/cases/{made.json()['case_id']}", headers=le).json()
    assert f"Account:{a1}" in {e["data"]["id"] for e in case["elements"]}
    assert any("Wallet:0xnot-there" in n["text"] for n in case["notes"])
    client.post(f"{URL}/{rid}/status", headers=le, json={"status": "responded"})
    got = client.get(f"{URL}/{rid}", headers=le).json()
    assert (got["status"], got["overdue"], got["case_id"]) == ("responded", False, made.json()["case_id"])
    assert [h["to_status"] for h in got["history"]] == ["received", "in_progress", "responded"]
    assert got["notes"][0]["text"] == "asked KYC"
    queue = client.get(URL, headers=le, params={"status": "responded"}).json()
    assert rid in [x["id"] for x in queue["requests"]] and queue["total"] >= 1
    assert client.get(f"{URL}/999999", headers=le).status_code == 404


def test_requests_refuse_bad_input_and_roles_without_the_action(client, as_role):
    le = as_role("le_response")
    assert _new(client, le, deadline_at=T0).status_code == 422
    assert _new(client, le, subjects=["Pet:1"]).status_code == 422
    assert _new(client, le, agency="\x00").status_code == 422
    assert _new(client, as_role("investigator")).status_code == 403
    assert client.get(URL, headers=as_role("analyst")).status_code == 403


def test_freezes_are_refused_to_investigators_and_hold_transfers_until_lifted(client, as_role, graph):
    le = as_role("le_response")
    sender, recipient = _accounts(graph, 2)
    rid = _new(client, le).json()["id"]
    freeze = {"target": f"Account:{sender}", "amount": 100, "asset": "USDT", "request_id": rid}
    refused = client.post("/api/v1/freezes", headers=as_role("investigator"), json=freeze)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"

    def check(ref):
        r = client.post("/api/v1/transfers/check", headers=as_role("service"), json={
            "sender": sender, "recipient_account": recipient, "amount": 10, "asset": "USD", "reference": ref})
        assert r.status_code == 200, r.text
        return r.json()

    before = check("freeze-before")
    made = client.post("/api/v1/freezes", headers={**le, "Idempotency-Key": "fz-1"}, json=freeze)
    assert made.status_code == 201, made.text
    fid = made.json()["id"]
    assert made.json()["active"] and made.json()["frozen_by"] == "token:svc-le_response"
    held = check("freeze-during")
    assert held["decision"] == "hold" and held["alert_id"] is not None
    assert f"sender account {sender} is frozen (freeze {fid}: 100 USDT on request {rid})" in held["reasons"]
    alert = client.get(f"/api/v1/alerts/{held['alert_id']}", headers=as_role("investigator")).json()
    assert any(f"freeze {fid}" in x for x in alert["reasons"])
    listed = client.get("/api/v1/freezes", headers=as_role("investigator"), params={"active": True}).json()
    assert fid in [f["id"] for f in listed["freezes"]]
    assert client.post(f"/api/v1/freezes/{fid}/lift", headers=as_role("investigator"),
                       json={"reason": "x"}).status_code == 403
    lifted = client.post(f"/api/v1/freezes/{fid}/lift", headers=as_role("admin"), json={"reason": "court released"})
    assert lifted.status_code == 200 and not lifted.json()["active"] and lifted.json()["lifted_by"] == "token:svc-admin"
    after = check("freeze-after")
    assert after["decision"] == before["decision"] and not any("frozen" in x for x in after["reasons"])
    # an admin may record one too; a bad target or an unknown request is refused
    by_admin = client.post("/api/v1/freezes", headers=as_role("admin"), json={**freeze, "target": "Wallet:0xabc"})
    assert by_admin.status_code == 201
    assert client.post("/api/v1/freezes", headers=le, json={**freeze, "target": "Phone:1"}).status_code == 422
    assert client.post("/api/v1/freezes", headers=le, json={**freeze, "request_id": 999999}).status_code == 404
    client.post(f"/api/v1/freezes/{by_admin.json()['id']}/lift", headers=le, json={"reason": "test over"})
