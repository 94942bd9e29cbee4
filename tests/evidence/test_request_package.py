"""Packages built from a law-enforcement request (evidence.build_request_package), on each
backend: the request's subjects (or its case), the manifest naming the request, the package
recorded on the request with its SHA-256, unknown subjects listed, permissions."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from casegraph import audit
from casegraph import requests as desk
from casegraph.errors import EvidenceError, PermissionDenied
from casegraph.state import le_requests
from casegraph.evidence import build_request_package, verify
from casegraph.times import to_epoch_ms

T0 = to_epoch_ms("2026-03-02")
DAY = 86_400_000


def _request(state, le_actor, subjects) -> int:
    return desk.add(state, le_actor, agency="Europol", country="NL", reference="EP-2026-0042",
                    legal_basis="EIO 2014/41/EU", received_at=T0, deadline_at=T0 + 10 * DAY,
                    subjects=subjects, ask="transactions and KYC")


def test_a_package_from_a_request_holds_its_subjects_names_the_request_and_is_recorded(ev, read_zip, le_actor,
                                                                                        tmp_path):
    settings, store, state, truth, _ = ev
    scammer, victim = truth["scammers"][0], truth["victims"][0]
    subjects = [f"Account:{scammer}", f"Account:{victim}", "Account:NOT-THERE"]
    rid = _request(state, le_actor, subjects)
    built = build_request_package(state, store, le_actor, rid, out_dir=tmp_path, settings=settings)

    files = read_zip(built["path"])
    m = json.loads(files["manifest.json"])
    assert m["request"]["id"] == rid and m["request"]["reference"] == "EP-2026-0042"
    assert m["request"]["subjects"] == subjects and m["request"]["deadline"] == "2026-03-12T00:00:00Z"
    assert (m["request_ref"], m["agency"]) == ("EP-2026-0042", "Europol")
    assert (m["since"], m["until"]) == (None, None)
    node_ids = {r["id"] for r in csv.DictReader(io.StringIO(files["nodes.csv"].decode()))}
    assert {f"Account:{scammer}", f"Account:{victim}"} <= node_ids
    assert "request subject Account:NOT-THERE is not in the graph" in m["notes"]
    assert {q["subject"] for q in m["queries"]} == {f"Account:{scammer}", f"Account:{victim}"}
    assert "EP-2026-0042" in files["report.html"].decode() and "Response deadline" in files["report.html"].decode()
    assert verify(built["path"]) == []

    req = desk.get(state, rid)
    digest = hashlib.sha256(Path(built["path"]).read_bytes()).hexdigest()
    assert [(p["file"], p["sha256"], p["recorded_by"]) for p in req["packages"]] == [
        (built["path"], digest, le_actor["name"])]
    exported = [e for e in audit.entries(state, action="evidence.export") if e["details"]["sha256"] == digest]
    assert exported[0]["details"]["request_id"] == rid

    # a partial response later: a second package, both recorded
    again = build_request_package(state, store, le_actor, rid, out_dir=tmp_path, settings=settings,
                                  since_ms=to_epoch_ms("2024-01-01"), until_ms=to_epoch_ms("2026-01-01"))
    assert [p["sha256"] for p in desk.get(state, rid)["packages"]] == [digest, again["sha256"]]
    m2 = json.loads(read_zip(again["path"])["manifest.json"])
    assert (m2["since"], m2["until"]) == ("2024-01-01T00:00:00Z", "2026-01-01T00:00:00Z")


def test_a_request_with_a_case_is_packaged_from_the_case(ev, ev_case, read_zip, le_actor, tmp_path):
    settings, store, state, *_ = ev
    rid = _request(state, le_actor, ["Account:NOT-THERE"])
    with state.engine.begin() as conn:      # the request's case, as case_from_request links them
        conn.execute(le_requests.update().where(le_requests.c.id == rid).values(case_id=ev_case))
    m = json.loads(read_zip(build_request_package(state, store, le_actor, rid, out_dir=tmp_path,
                                                  settings=settings)["path"])["manifest.json"])
    assert m["case_id"] == ev_case and m["request"]["id"] == rid


def test_a_request_whose_subjects_the_graph_lacks_is_refused(ev, le_actor, tmp_path):
    settings, store, state, *_ = ev
    rid = _request(state, le_actor, ["Account:NOT-THERE", "Wallet:0xnowhere"])
    with pytest.raises(EvidenceError, match="none of request"):
        build_request_package(state, store, le_actor, rid, out_dir=tmp_path, settings=settings)
    assert not list(tmp_path.iterdir()) and desk.get(state, rid)["packages"] == []


@pytest.mark.parametrize("role, missing", [("investigator", "export_evidence"), ("analyst", "export_evidence")])
def test_only_the_desk_packages_a_request(ev, le_actor, tmp_path, role, missing):
    settings, store, state, truth, _ = ev
    rid = _request(state, le_actor, [f"Account:{truth['scammers'][0]}"])
    with pytest.raises(PermissionDenied, match=missing):
        build_request_package(state, store, {"name": "x", "role": role, "disabled": False}, rid, out_dir=tmp_path,
                              settings=settings)
    assert not list(tmp_path.iterdir())
