"""Roles and what each may do, declared once as data. docs/roles.md shows the same
matrix and a test keeps the two in step; code asks `require(user, action)`."""
from __future__ import annotations

from typing import Any, Mapping

from casegraph.errors import PermissionDenied

ACTIONS: dict[str, str] = {
    "view_graph": "Search, open and expand the graph.",
    "run_saved_query": "Run the saved read queries of the catalogue.",
    "run_adhoc_query": "Run one's own read-only Cypher.",
    "view_alerts": "See the alert queue and open alerts in the explorer.",
    "view_cases": "Read cases: their graph, notes, decisions and remediation.",
    "review_alerts": "Work the alert queue: open, assign, close alerts.",
    "change_case": "Open cases, add notes, entities and remediation.",
    "decide_case": "Confirm or dismiss a case.",
    "export_evidence": "Build evidence packages for law enforcement.",
    "manage_users": "Add, disable and change users and their roles.",
    "view_audit": "Read the audit log.",
    "export_audit": "Export the audit log.",
    "view_kpis": "See the KPIs: the team's (resolution rate, time to decision, QA), the desk's with view_requests.",
    "check_transfers": "Ask the pre-transfer risk check (hold or allow; a hold raises an alert).",
    "manage_watchlists": "Add and retire watchlist entries (accounts, wallets, identifiers).",
    "push_groups": "Push registration groups flagged by a model.",
    "view_requests": "See the law-enforcement request queue, its requests and the freezes.",
    "manage_requests": "Record law-enforcement requests, move them, assign, note, record packages.",
    "record_freeze": "Record and lift freeze orders on accounts and wallets.",
}

ROLES: dict[str, str] = {
    "investigator": "Fraud investigators: review alerts, work and decide cases.",
    "le_response": "Law-enforcement response: answer requests with evidence packages.",
    "analyst": "Analysts: saved and their own read-only queries; never change cases.",
    "admin": "Administrators: everything, including users and the audit log.",
    "service": "Other systems over the API (API tokens): the transfer check, watchlist and model-group "
               "pushes; reads alerts and cases, never changes them.",
}

_READ = ("view_graph", "run_saved_query", "view_alerts", "view_cases")

PERMISSIONS: dict[str, frozenset[str]] = {
    "investigator": frozenset(_READ + ("review_alerts", "change_case", "decide_case", "view_kpis",
                                       "check_transfers", "manage_watchlists", "view_requests")),
    "le_response": frozenset(_READ + ("export_evidence", "view_kpis", "view_requests", "manage_requests", "record_freeze")),
    "analyst": frozenset(_READ + ("run_adhoc_query", "view_kpis", "push_groups")),
    "admin": frozenset(ACTIONS),
    "service": frozenset(_READ + ("check_transfers", "manage_watchlists", "push_groups")),
}

assert set(PERMISSIONS) == set(ROLES)
assert all(p <= set(ACTIONS) for p in PERMISSIONS.values())


def allowed(role: str, action: str) -> bool:
    """Whether `role` may do `action`; an unknown action is a programming error."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; actions: {', '.join(ACTIONS)}")
    return action in PERMISSIONS.get(role, frozenset())


def require(user: Mapping[str, Any], action: str) -> None:
    """Raise PermissionDenied unless the (enabled) user's role allows `action`."""
    role = user.get("role")
    if user.get("disabled"):
        raise PermissionDenied(f"user {user.get('name')!r} is disabled and may not {action}")
    if not allowed(role, action):
        raise PermissionDenied(f"role {role!r} may not {action} (user {user.get('name')!r})")
