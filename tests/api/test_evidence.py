"""Evidence packages over HTTP: ask, poll until the worker has built it, download; the bytes
are the reported SHA-256 and the package verifies (signature, files, audit log). Who may
ask and read; unknown ids; failed builds; the Idempotency-Key."""
from __future__ import annotations

import hashlib
import time

import pytest

from casegraph import audit, cases, signing
from casegraph.evidence import verify
from tests.api.stores import opened

INV = {"name": "inv-evidence", "role": "investigator", "disabled": False}
WAIT_S = 120


@pytest.fixture(scope="module")
def stores(api_data):
    with opened(api_data[0]) as both:
        yield both


@pytest.fixture(scope="module", autouse=True)
def signing_key(api_data):
    """The deployment's signing key at the configured place (a configured key is never made
    on first use: an operator makes it), unless another module made it first."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption())
    try:
        with open(signing.key_path(api_data[0]), "xb") as fh:
            fh.write(pem)
    except FileExistsError:
        pass


@pytest.fixture(scope="module")
def case_id(stores):
    graph, state = stores
    with state.engine.connect() as conn:
        alert = conn.exec_driver_sql(
            "SELECT id FROM alerts WHERE status = 'open' AND detection = 'rings' ORDER BY id LIMIT 1").scalar()
    return cases.case_from_alert(state, graph, INV, alert)


def _settled(client, headers, job_id: int) -> dict:
    """The job once it is done or failed (polled; fails the test after WAIT_S)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        r = client.get(f"/api/v1/evidence/{job_id}", headers=headers)
        assert r.status_code == 200, r.text
        if r.json()["state"] in ("done", "failed") or time.monotonic() > deadline:
            return r.json()
        time.sleep(0.05)


def test_a_case_package_is_built_polled_downloaded_and_verifies(client, as_role, case_id, api_data, stores, tmp_path):
    h = as_role("le_response")
    r = client.post("/api/v1/evidence", headers=h, json={"case_id": case_id, "request_ref": "LE-2026-001",
                                                         "agency": "City Police", "masked": True})
    assert r.status_code == 202, r.text
    assert r.json()["state"] == "queued" and r.json()["what"]["case_id"] == case_id
    job = _settled(client, h, r.json()["id"])
    assert job["state"] == "done", job
    assert job["file"].endswith(".zip") and job["requested_by"] == "token:svc-le_response"
    got = client.get(f"/api/v1/evidence/{job['id']}/download", headers=h)
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    assert hashlib.sha256(got.content).hexdigest() == job["sha256"] == got.headers["X-Checksum-SHA256"]
    assert got.headers["ETag"] == f'"{job["sha256"]}"'
    path = tmp_path / job["file"]
    path.write_bytes(got.content)
    exported = {e["details"]["sha256"] for e in audit.entries(stores[1], action="evidence.export")
                if e["actor"] == "token:svc-le_response"}
    assert verify(path, keys=signing.public_keys(api_data[0]), exported=exported) == []


def test_a_subject_package_for_a_period(client, as_role, stores):
    account = stores[0].read_cypher("MATCH (a:Account)-[:TRANSFERRED]->() RETURN a.account_id AS a ORDER BY a LIMIT 1",
                                {}, row_limit=1).rows[0]["a"]
    h = as_role("admin")
    r = client.post("/api/v1/evidence", headers=h, json={
        "account": account, "since": "2000-01-01", "until": "32503680000000", "request_ref": "R-2", "agency": "FIU"})
    assert r.status_code == 202, r.text
    job = _settled(client, h, r.json()["id"])
    assert job["state"] == "done" and job["what"]["subject"] == f"Account:{account}", job
    got = client.get(f"/api/v1/evidence/{job['id']}/download", headers=h)
    assert hashlib.sha256(got.content).hexdigest() == job["sha256"]


def test_a_package_answering_a_desk_request_is_recorded_on_it(client, as_role, stores):
    account = stores[0].read_cypher("MATCH (a:Account)-[:TRANSFERRED]->() RETURN a.account_id AS a ORDER BY a LIMIT 1",
                                    {}, row_limit=1).rows[0]["a"]
    h = as_role("le_response")
    asked = client.post("/api/v1/requests", headers=h, json={
        "agency": "FIU-NL", "country": "NL", "reference": "FIU-9", "legal_basis": "Wwft art. 17",
        "received_at": 1_767_225_600_000, "deadline_at": 1_767_830_400_000,
        "subjects": [f"Account:{account}", "Wallet:0xnot-in-the-graph"]})
    assert asked.status_code == 201, asked.text
    rid = asked.json()["id"]
    assert client.post("/api/v1/evidence", headers=as_role("investigator"), json={"request_id": rid}).status_code == 403
    r = client.post("/api/v1/evidence", headers=h, json={"request_id": rid, "masked": True})
    assert r.status_code == 202, r.text
    job = _settled(client, h, r.json()["id"])
    assert job["state"] == "done" and job["what"]["request_id"] == rid, job
    packages = client.get(f"/api/v1/requests/{rid}", headers=h).json()["packages"]
    assert [p["sha256"] for p in packages] == [job["sha256"]]
    got = client.get(f"/api/v1/evidence/{job['id']}/download", headers=h)
    assert hashlib.sha256(got.content).hexdigest() == job["sha256"]
    assert client.post("/api/v1/evidence", headers=h, json={"request_id": 999999}).status_code == 404


def test_a_failed_build_says_why_and_its_download_is_a_conflict(client, as_role):
    h = as_role("le_response")
    r = client.post("/api/v1/evidence", headers=h, json={
        "wallet": "0xnot-in-the-graph", "since": "2024-01-01", "until": "2025-01-01", "request_ref": "R-3",
        "agency": "FIU"})
    job = _settled(client, h, r.json()["id"])
    assert job["state"] == "failed" and "0xnot-in-the-graph" in job["error"]
    got = client.get(f"/api/v1/evidence/{job['id']}/download", headers=h)
    assert got.status_code == 409 and got.json()["error"]["code"] == "conflict"


def test_an_investigator_may_neither_ask_nor_read(client, as_role, case_id):
    asked = {"case_id": case_id, "request_ref": "R", "agency": "A"}
    assert client.post("/api/v1/evidence", headers=as_role("investigator"), json=asked).status_code == 403
    job = client.post("/api/v1/evidence", headers=as_role("le_response"), json=asked).json()
    assert client.get(f"/api/v1/evidence/{job['id']}", headers=as_role("investigator")).status_code == 403
    assert client.get(f"/api/v1/evidence/{job['id']}/download", headers=as_role("investigator")).status_code == 403


def test_unknown_ids_and_cases_are_not_found(client, as_role):
    h = as_role("le_response")
    assert client.get("/api/v1/evidence/999999", headers=h).status_code == 404
    assert client.get("/api/v1/evidence/999999/download", headers=h).status_code == 404
    r = client.post("/api/v1/evidence", headers=h, json={"case_id": 999999, "request_ref": "R", "agency": "A"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("bad", [
    {"request_ref": "R", "agency": "A"},                                         # no subject
    {"case_id": 1, "account": "A1", "request_ref": "R", "agency": "A"},           # two
    {"account": "A1", "since": "2024-01-01", "request_ref": "R", "agency": "A"},  # no until
    {"case_id": 1, "since": "2024-01-01", "request_ref": "R", "agency": "A"},     # a period on a case
    {"account": "A1", "since": "soon", "until": "2025-01-01", "request_ref": "R", "agency": "A"},
    {"account": "A1", "since": "2025-01-01", "until": "2024-01-01", "request_ref": "R", "agency": "A"},
    {"case_id": 1, "request_ref": " ", "agency": "A"},
    {"case_id": 1, "request_ref": "R"},
    {"request_id": 1, "agency": "A"},                                             # a desk request names its agency
    {"request_id": 1, "case_id": 1},
])
def test_a_bad_request_is_422(client, as_role, bad):
    r = client.post("/api/v1/evidence", headers=as_role("le_response"), json=bad)
    assert r.status_code == 422, r.text


def test_a_retry_with_the_same_idempotency_key_queues_nothing_new(client, as_role, case_id, stores):
    h = {**as_role("le_response"), "Idempotency-Key": "ev-once"}
    asked = {"case_id": case_id, "request_ref": "R-idem", "agency": "A"}
    first = client.post("/api/v1/evidence", headers=h, json=asked)
    again = client.post("/api/v1/evidence", headers=h, json=asked)
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    with stores[1].engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM evidence_jobs WHERE what LIKE '%R-idem%'").scalar() == 1
