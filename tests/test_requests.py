"""casegraph/requests.py on real SQLite and PostgreSQL (and, for subjects and cases, a real
embedded graph loaded from hand-written canonical CSVs): the register, the workflow, the
queue by deadline with its flags, packages, permissions and the audit log."""
from __future__ import annotations

import pytest

from casegraph import audit, cases
from casegraph import requests as rq
from casegraph.errors import PermissionDenied, RequestError, RequestNotFound
from casegraph.loaders.pipeline import load
from casegraph.users import add_user
from tests.support import PASSWORD, write_csv

LE = {"name": "le", "role": "le_response", "disabled": False}
INV = {"name": "inv", "role": "investigator", "disabled": False}
ADM = {"name": "adm", "role": "admin", "disabled": False}
H = 3_600_000
T0 = 1_700_000_000_000
SHA = "ab" * 32


def new(state, actor=LE, received=T0, deadline=T0 + 72 * H, subjects=("Account:A1",), **kw) -> int:
    fields = {"agency": "NCA", "country": "GB", "reference": "REF-1", "legal_basis": "POCA s.345",
              "ask": "KYC and transactions", **kw}
    return rq.add(state, actor, received_at=received, deadline_at=deadline, subjects=subjects, **fields)


def test_a_request_is_recorded_moved_and_audited(state):
    rid = new(state, subjects=("Account:A1", "Wallet:0xabc", "tx:0x01", "Account:A1"))
    r = rq.get(state, rid)
    assert (r["status"], r["agency"], r["priority"], r["created_by"]) == ("received", "NCA", "normal", "le")
    assert r["subjects"] == ["Account:A1", "Wallet:0xabc", "tx:0x01"]
    rq.set_status(state, LE, rid, "in_progress")
    rq.add_note(state, LE, rid, "asked compliance for KYC copies")
    rq.set_status(state, LE, rid, "responded", now=T0 + 10 * H)
    rq.set_status(state, LE, rid, "closed")
    r = rq.get(state, rid)
    assert r["responded_at"] == T0 + 10 * H and r["status"] == "closed"
    assert [(h["from_status"], h["to_status"]) for h in r["history"]] == [
        (None, "received"), ("received", "in_progress"), ("in_progress", "responded"), ("responded", "closed")]
    assert r["notes"][0]["text"] == "asked compliance for KYC copies"
    logged = [(e["action"], e["actor"]) for e in audit.entries(state)]
    assert logged == [("request.add", "le"), ("request.status", "le"), ("request.note", "le"),
                      ("request.status", "le"), ("request.status", "le")]
    assert audit.entries(state, action="request.add")[0]["details"]["subjects"] == r["subjects"]


def test_moves_the_desk_does_not_allow_are_refused_and_declining_needs_a_reason(state):
    rid = new(state)
    with pytest.raises(RequestError, match="can move to in_progress, declined, not responded"):
        rq.set_status(state, LE, rid, "responded")
    with pytest.raises(RequestError, match="needs a reason"):
        rq.set_status(state, LE, rid, "declined", "  ")
    rq.set_status(state, LE, rid, "declined", "no legal basis for wallets abroad")
    r = rq.get(state, rid)
    assert (r["status"], r["decline_reason"], r["responded_at"]) == ("declined", "no legal basis for wallets abroad",
                                                                     None)
    rq.set_status(state, LE, rid, "closed")
    with pytest.raises(RequestError, match="closed is final"):
        rq.set_status(state, LE, rid, "in_progress")
    with pytest.raises(RequestNotFound):
        rq.set_status(state, LE, 999, "in_progress")


def test_bad_input_is_refused_before_anything_is_written(state):
    with pytest.raises(RequestError, match="deadline must be after"):
        new(state, deadline=T0)
    with pytest.raises(RequestError, match="needs agency"):
        new(state, agency=" ")
    with pytest.raises(RequestError, match="unknown priority"):
        new(state, priority="asap")
    with pytest.raises(RequestError, match="unknown label 'Pet'"):
        new(state, subjects=("Pet:1",))
    with pytest.raises(RequestError, match="transaction hash"):
        new(state, subjects=("tx:",))
    assert rq.queue(state) == [] and audit.entries(state) == []


def test_the_queue_is_ordered_by_deadline_with_overdue_and_due_soon_flags(state):
    late = new(state, reference="late", received=T0, deadline=T0 + 10 * H)
    soon = new(state, reference="soon", received=T0, deadline=T0 + 30 * H)
    later = new(state, reference="later", received=T0, deadline=T0 + 200 * H)
    answered = new(state, reference="answered", received=T0, deadline=T0 + 5 * H)
    rq.set_status(state, LE, answered, "declined", "out of scope")
    now = T0 + 20 * H
    q = rq.queue(state, now=now)
    assert [r["reference"] for r in q] == ["answered", "late", "soon", "later"]
    assert {r["reference"]: (r["overdue"], r["due_soon"]) for r in q} == {
        "answered": (False, False), "late": (True, False), "soon": (False, True), "later": (False, False)}
    assert [r["id"] for r in rq.queue(state, overdue=True, now=now)] == [late]
    assert [r["id"] for r in rq.queue(state, status="received", now=now)] == [late, soon, later]
    assert rq.get(state, soon, now=now)["due_soon"] and rq.DUE_SOON_MS == 48 * H
    with pytest.raises(RequestError, match="unknown status"):
        rq.queue(state, status="pending")


def test_packages_and_assignees(state):
    add_user(state, "lee", "le_response", PASSWORD)
    rid = new(state)
    rq.assign(state, LE, rid, "lee")
    p1 = rq.record_package(state, LE, rid, "pkg-1.zip", SHA.upper())
    p2 = rq.record_package(state, LE, rid, "pkg-2.zip", "cd" * 32)
    r = rq.get(state, rid)
    assert r["assignee"] == "lee"
    assert [(p["id"], p["file"], p["sha256"]) for p in r["packages"]] == [(p1, "pkg-1.zip", SHA),
                                                                       (p2, "pkg-2.zip", "cd" * 32)]
    assert audit.entries(state, action="request.package")[0]["details"]["sha256"] == SHA
    with pytest.raises(RequestError, match="not a SHA-256"):
        rq.record_package(state, LE, rid, "pkg-3.zip", "abc")
    with pytest.raises(cases.CaseError, match="no such user"):
        rq.assign(state, LE, rid, "nobody")


def test_permissions_are_checked_in_the_core(state):
    with pytest.raises(PermissionDenied):
        new(state, actor=INV)
    rid = new(state, actor=ADM)
    for change in (lambda: rq.set_status(state, INV, rid, "in_progress"), lambda: rq.add_note(state, INV, rid, "x"),
                   lambda: rq.record_package(state, INV, rid, "f.zip", SHA)):
        with pytest.raises(PermissionDenied):
            change()


def desk_files(d):
    """Canonical files in the folder `d` (made here): A1 -> A2 transfer; A1 withdrew to 0xbbb
    (tx_hash 0x01). Returns `d`."""
    d.mkdir()
    t = "2024-01-01T10:00:00Z"
    write_csv(d / "accounts.csv", ["account_id", "registered_at", "country", "kyc_level", "status", "referral_code",
                                   "referred_by"], [[a, t, "GB", 1, "active", "", ""] for a in ("A1", "A2")])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
              [["T1", "A1", "A2", "100", "USDT", t, "100"]])
    write_csv(d / "withdrawals.csv", ["tx_id", "account_id", "address", "amount", "asset", "at", "amount_usd",
                                      "tx_hash", "chain"], [["W1", "A1", "0xbbb", "0.05", "ETH", t, "80", "0x01", "ETH"]])
    return d


@pytest.fixture
def desk_graph(store, state, tmp_path):
    """desk_files loaded."""
    assert load(store, state, [desk_files(tmp_path / "data")], rejects_dir=tmp_path / "rej").ok
    return store, state


def test_subjects_resolve_against_the_graph_and_unknown_ones_stay(desk_graph):
    store, state = desk_graph
    found = rq.resolve(store, ["Account:A2", "Wallet:0xnope", "tx:0x01", "tx:0xnope"])
    assert [(s["subject"], s["found"], s["node_ids"]) for s in found] == [
        ("Account:A2", True, ["Account:A2"]), ("Wallet:0xnope", False, []),
        ("tx:0x01", True, ["Account:A1", "Wallet:0xbbb"]), ("tx:0xnope", False, [])]
    assert found[2]["label"] == "transaction"


def test_a_case_from_a_request_holds_the_found_subjects_and_notes_the_rest(desk_graph):
    store, state = desk_graph
    rid = new(state, subjects=("Account:A2", "tx:0x01", "Wallet:0xnope"))
    with pytest.raises(PermissionDenied):
        rq.case_from_request(state, store, LE, rid)       # le_response does not open cases
    cid = rq.case_from_request(state, store, INV, rid)
    case = cases.get_case(state, cid)
    ids = {e["data"]["id"] for e in case["elements"]}
    assert {"Account:A1", "Account:A2", "Wallet:0xbbb"} <= ids
    assert any(e["data"].get("kind") == "TRANSFERRED" for e in case["elements"])
    assert case["title"] == f"LE request {rid}: NCA REF-1"
    assert any("Wallet:0xnope" in n["text"] for n in case["notes"])
    assert rq.get(state, rid)["case_id"] == cid
    assert audit.entries(state, action="request.case")[0]["details"]["unknown"] == ["Wallet:0xnope"]
    with pytest.raises(RequestError, match="already has case"):
        rq.case_from_request(state, store, INV, rid)


def test_a_finished_evidence_job_is_recorded_as_a_package(state):
    from casegraph.state import evidence_jobs
    rid = new(state)
    with state.engine.begin() as conn:
        done, queued = (conn.execute(evidence_jobs.insert().values(
            requested_by="le", role="le_response", what={"case_id": 1}, state=s, file=f, sha256=h,
            requested_at=T0)).inserted_primary_key[0] for s, f, h in (("done", "pkg.zip", SHA),
                                                                     ("queued", None, None)))
    pid = rq.record_job_package(state, LE, rid, done)
    assert rq.get(state, rid)["packages"] == [{"id": pid, "file": "pkg.zip", "sha256": SHA, "evidence_job_id": done,
                                               "recorded_by": "le", "recorded_at": rq.get(state, rid)["packages"][0]
                                               ["recorded_at"]}]
    with pytest.raises(RequestError, match="is queued"):
        rq.record_job_package(state, LE, rid, queued)
