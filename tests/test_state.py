"""The application-state store: the alert queue."""
from __future__ import annotations


def test_alerts_saved_updated_and_fetched_by_id(state):
    found = [("A1", ["A1"], {"score": 0.7, "reasons": ["paid a scammer"]}),
             ("A2", ["A2"], {"score": 0.4, "reasons": ["shares a device"]})]
    assert state.save_alerts("silent_sufferers", {}, found) == (2, 0)
    assert state.save_alerts("silent_sufferers", {}, found[:1]) == (0, 1)
    queue = state.list_alerts("silent_sufferers")
    assert [a["entity_key"] for a in queue] == ["A1", "A2"]            # highest score first
    one = state.get_alert(queue[1]["id"])
    assert one["entity_key"] == "A2" and one["reasons"] == ["shares a device"] and one["entities"] == ["A2"]
    assert state.get_alert(10_000) is None


def test_reviewed_alerts_are_not_raised_again(state):
    from casegraph import cases
    found = [("A1", ["A1"], {"score": 0.7, "reasons": ["x"]}), ("A2", ["A2"], {"score": 0.6, "reasons": ["y"]})]
    state.save_alerts("mules", {}, found)
    a1 = next(a for a in state.list_alerts("mules") if a["entity_key"] == "A1")
    cases.bulk_alerts(state, cases.operator(), [a1["id"]], "dismiss", reason="known payroll account")
    assert state.save_alerts("mules", {}, found) == (0, 1)               # A2 updated, A1 stays dismissed
    assert [a["entity_key"] for a in state.list_alerts("mules")] == ["A2"]
    assert state.save_alerts("mules", {}, [("A1,A3", ["A1", "A3"], {"score": 0.9, "reasons": ["z"]})]) == (1, 0)
