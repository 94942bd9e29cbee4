"""casegraph/feedback.py: labels from decided cases and missed rings, on a real embedded
graph (hand-written, and a generated dataset checked against its own groups file)."""
from __future__ import annotations

import csv
import json

import pytest
import sqlalchemy as sa

from casegraph import cases, detections, feedback
from casegraph.errors import ConfigError
from casegraph.generate import generate
from casegraph.state import alerts
from casegraph.times import to_epoch_ms
from casegraph.loaders.pipeline import load
from tests.support import write_csv

INV = {"name": "inv", "role": "investigator", "disabled": False}
SINCE = to_epoch_ms("2024-06-01T00:00:00Z")


def ring_alert(state, members: list[str], created_at: int | None = None) -> int:
    key = ",".join(sorted(members))
    state.save_alerts("rings", {}, [(key, members, {"score": 0.8, "reasons": ["shared"], "members": members})])
    with state.engine.begin() as conn:
        aid = conn.execute(sa.select(alerts.c.id).where(alerts.c.entity_key == key)).scalar_one()
        if created_at is not None:
            conn.execute(alerts.update().where(alerts.c.id == aid).values(created_at=created_at))
    return aid


def decide(state, cid: int, decision: str, reason: str, at: int | None = None) -> None:
    cases.set_status(state, INV, cid, "in_review", "look", now=at)
    cases.set_status(state, INV, cid, decision, reason, now=at)


@pytest.fixture
def hand(any_store, state, tmp_path):
    """A1..A6; model group G1 = {A1, A2}; on every backend."""
    store = any_store
    d = tmp_path / "data"
    d.mkdir()
    t = "2024-01-01T10:00:00Z"
    write_csv(d / "accounts.csv", ["account_id", "registered_at", "country", "kyc_level", "status", "referral_code",
                              "referred_by"], [[f"A{i}", t, "GB", 1, "active", "", ""] for i in range(1, 7)])
    write_csv(d / "groups.csv", ["group_id", "account_id", "model", "score", "flagged_at"],
         [["G1", "A1", "batchreg-v3", "0.8", t], ["G1", "A2", "batchreg-v3", "0.8", t]])
    assert load(store, state, [d], rejects_dir=tmp_path / "rej").ok
    return store, state


def test_feedback_labels(hand):
    store, state = hand
    ring_alert(state, ["A1", "A2"])                             # the model flagged it
    missed = ring_alert(state, ["A3", "A4"])                    # nobody in a group: missed
    ring_alert(state, ["A5", "A1"])                             # one member in a group: flagged
    dismissed = ring_alert(state, ["A5", "A6"])
    cases.bulk_alerts(state, INV, [dismissed], "dismiss", reason="family")
    ring_alert(state, ["A3", "A6"], created_at=SINCE - 1)       # before --since
    fp_ring = ring_alert(state, ["A4", "A6"])                   # its case said false positive
    fp_case = cases.case_from_alert(state, store, INV, fp_ring)
    decide(state, fp_case, "false_positive", "siblings")

    group_case = cases.case_from_group(state, store, INV, "G1")
    decide(state, group_case, "confirmed", "same document batch")
    ring_case = cases.case_from_alert(state, store, INV, missed)
    decide(state, ring_case, "confirmed", "ring")
    old = cases.create_case(state, INV, "old", [], {"query": "x"})
    decide(state, old, "false_positive", "before", at=SINCE - 1)

    rows = feedback.rows(state, store, SINCE)
    got = [(r["label"], r["case_id"], r["group_id"], r["account_ids"]) for r in rows]
    assert got == [("false_positive", fp_case, None, ["A4", "A6"]),
                   ("confirmed", group_case, "G1", ["A1", "A2"]),
                   ("confirmed", ring_case, None, ["A3", "A4"]),
                   ("missed", ring_case, None, ["A3", "A4"])]
    assert rows[1]["reason"] == "same document batch" and rows[1]["decided_at"].endswith("Z")
    assert f"ring alert {missed}" in rows[3]["reason"] and rows[3]["detection"] == "rings"
    everything = feedback.rows(state, store, None)
    assert [r["label"] for r in everything].count("false_positive") == 2
    assert sorted(r["account_ids"] for r in everything if r["label"] == "missed") == [["A3", "A4"], ["A3", "A6"]]


def test_feedback_json_and_csv(hand):
    store, state = hand
    ring_alert(state, ["A3", "A4"])
    rows = feedback.rows(state, store, None)
    assert json.loads(feedback.render(rows, "json")) == rows
    back = list(csv.DictReader(feedback.render(rows, "csv").splitlines()))
    assert list(back[0]) == list(feedback.COLUMNS)
    assert back[0]["label"] == "missed" and back[0]["account_ids"] == "A3;A4" and back[0]["case_id"] == ""
    with pytest.raises(ConfigError, match="unknown feedback format"):
        feedback.render(rows, "xml")


def test_missed_rings_on_generated_data(store, state, tmp_path):
    """Rings the detection finds on a generated dataset, against the generator's groups file."""
    d = tmp_path / "gen"
    generate(d, 1500, 11)
    assert load(store, state, [d], rejects_dir=tmp_path / "rej").ok
    detections.save_as_alerts(state, "rings", {}, detections.run(store, "rings"))
    with open(d / "groups.csv", newline="") as fh:
        grouped = {r["account_id"] for r in csv.DictReader(fh)}
    rings = [a["entities"] for a in state.list_alerts(detection="rings")]
    expected = sorted(sorted(m) for m in rings if not grouped.intersection(m))
    found = sorted(r["account_ids"] for r in feedback.missed(state, store, None))
    assert found == expected
    assert 0 < len(found) < len(rings)     # the data has both flagged and missed rings
