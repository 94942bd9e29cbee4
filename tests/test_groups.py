"""casegraph/groups.py on a real embedded graph and state store: a pushed group is written
like a loaded one (load record, provenance, audit), search finds it, it becomes a case."""
from __future__ import annotations

import pytest

from casegraph import audit, cases, explore, groups
from casegraph.errors import NotFound, ParameterError, PermissionDenied

SVC = {"name": "token:models", "role": "service", "disabled": False}
INV = {"name": "inv", "role": "investigator", "disabled": False}
GROUP = {"group_id": "G-PUSH-1", "model": "batchreg-v4", "score": 0.91, "members": ["A1", "A2", "A2", "A3"],
         "flagged_at": 1_735_689_600_000}


def test_a_pushed_group_is_written_like_a_loaded_one(store, state):
    out = groups.push(store, state, SVC, GROUP)
    assert (out["group_id"], out["members"]) == ("G-PUSH-1", 3)          # A2 once
    got = groups.get(store, SVC, "G-PUSH-1")
    assert got["members"] == ["A1", "A2", "A3"]
    assert (got["model"], got["score"], got["flagged_at"], got["source"]) == (
        "batchreg-v4", 0.91, 1_735_689_600_000, "api:token:models")
    load = state.recent_loads(1)[0]
    assert (load["load_id"], load["kind"], load["file"], load["status"], load["rows_written"]) == (
        out["load_id"], "groups", "api:token:models", "complete", 3)
    [entry] = audit.entries(state, action="group.push")
    assert entry["details"]["members"] == ["A1", "A2", "A3"] and entry["actor"] == "token:models"


def test_search_finds_a_pushed_group_and_it_becomes_a_case(store, state):
    groups.push(store, state, SVC, GROUP)
    assert [h["id"] for h in explore.search(store, "G-PUSH-1")] == ["Group:G-PUSH-1"]
    case_id = cases.case_from_group(state, store, INV, "G-PUSH-1")
    case = cases.get_case(state, case_id)
    assert case["source"] == "group:G-PUSH-1"
    ids = {e["data"]["id"] for e in case["elements"]}
    assert {"Group:G-PUSH-1", "Account:A1", "Account:A2", "Account:A3"} <= ids


def test_pushing_again_adds_members_and_updates_the_score(store, state):
    groups.push(store, state, SVC, GROUP)
    groups.push(store, state, SVC, {**GROUP, "score": 0.5, "members": ["A4"]})
    got = groups.get(store, SVC, "G-PUSH-1")
    assert got["members"] == ["A1", "A2", "A3", "A4"] and got["score"] == 0.5


@pytest.mark.parametrize("bad", [{"score": 1.5}, {"score": None}, {"score": True}, {"members": []},
                                 {"group_id": ""}, {"members": [f"A{i}" for i in range(groups.MEMBERS_MAX + 1)]}])
def test_a_bad_group_is_refused_before_anything_is_written(store, state, bad):
    with pytest.raises(ParameterError):
        groups.push(store, state, SVC, {**GROUP, **bad})
    assert state.recent_loads() == []


def test_pushing_needs_push_groups_and_an_unknown_group_is_not_found(store, state):
    with pytest.raises(PermissionDenied):
        groups.push(store, state, INV, GROUP)
    with pytest.raises(NotFound):
        groups.get(store, INV, "G-NONE")
