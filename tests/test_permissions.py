"""The role matrix: what the issue asks, and docs/roles.md agrees with permissions.py."""
from __future__ import annotations

import re

import pytest

from casegraph.errors import CasegraphError, PermissionDenied
from casegraph.permissions import ACTIONS, PERMISSIONS, ROLES, allowed, require
from tests.support import REPO

DOCS = REPO / "docs" / "roles.md"


def _doc_matrix() -> dict[str, set[str]]:
    """role -> actions marked `yes` in the docs' table (header row names the roles)."""
    lines = [ln for ln in DOCS.read_text().splitlines() if ln.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert header[0] == "action" and header[-1] == "what it covers"
    roles = header[1:-1]
    out: dict[str, set[str]] = {r: set() for r in roles}
    actions = []
    for ln in lines[1:]:
        cells = [c.strip() for c in ln.strip("|").split("|")]
        action = re.sub(r"`", "", cells[0])
        actions.append(action)
        for role, cell in zip(roles, cells[1:len(roles) + 1]):
            assert cell in ("yes", ""), (action, role, cell)
            if cell == "yes":
                out[role].add(action)
    assert actions and set(actions) == set(ACTIONS), "docs/roles.md lists other actions than permissions.py"
    return out


def test_docs_matrix_matches_permissions():
    assert _doc_matrix() == {role: set(acts) for role, acts in PERMISSIONS.items()}


def test_the_issue_rules():
    exporters = {r for r in ROLES if allowed(r, "export_evidence")}
    assert exporters == {"le_response", "admin"}
    assert allowed("analyst", "run_adhoc_query") and allowed("analyst", "run_saved_query")
    assert not any(allowed("analyst", a) for a in ("change_case", "decide_case", "review_alerts"))
    assert {r for r in ROLES if allowed(r, "manage_users")} == {"admin"}
    assert {r for r in ROLES if allowed(r, "view_audit") or allowed(r, "export_audit")} == {"admin"}
    assert all(allowed("investigator", a) for a in ("review_alerts", "change_case", "decide_case"))


def test_require_names_role_and_action():
    require({"name": "ann", "role": "analyst"}, "run_adhoc_query")
    with pytest.raises(PermissionDenied, match=r"role 'analyst' may not decide_case \(user 'ann'\)") as e:
        require({"name": "ann", "role": "analyst"}, "decide_case")
    assert isinstance(e.value, CasegraphError)
    with pytest.raises(PermissionDenied, match="role 'intern' may not view_graph"):
        require({"name": "x", "role": "intern"}, "view_graph")
    with pytest.raises(PermissionDenied, match="disabled"):
        require({"name": "old", "role": "admin", "disabled": True}, "view_graph")
    with pytest.raises(ValueError, match="unknown action 'fly'"):
        require({"name": "ann", "role": "admin"}, "fly")
