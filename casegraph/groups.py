"""Registration groups the model team's batch-registration model flagged, pushed by that
system rather than loaded from a `groups` file: written through the same load template
(load_groups), so a pushed group is exactly like a loaded one: provenance `api:<token>`, a
load record in the state store, one audit entry for the push. Search finds it (its Group
node, by group_id) and cases.case_from_group turns it into a case.

Pushing a group again adds members and updates its model, score and flagged_at (the
template merges, as a second file load does); it never removes a member. Members the graph
does not know yet are created as bare accounts, as a file load creates them."""
from __future__ import annotations

from typing import Any

from casegraph import audit, pushes
from casegraph.errors import NotFound, ParameterError
from casegraph.permissions import require
from casegraph.state import StateStore, now_ms

TEMPLATE = "load_groups"
MEMBERS = "case_group_members"          # cypher/cases/: the group and its member accounts
MEMBERS_MAX = 10_000


def _rows(group: dict[str, Any], at: int) -> list[dict[str, Any]]:
    members = list(dict.fromkeys(str(m) for m in group.get("members") or ()))
    if not str(group.get("group_id") or ""):
        raise ParameterError("a group needs a group_id")
    if not 1 <= len(members) <= MEMBERS_MAX:
        raise ParameterError(f"a group has 1 to {MEMBERS_MAX:,} members, not {len(members):,}")
    score = group.get("score")
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
        raise ParameterError(f"a group's score is between 0 and 1, not {score!r}")
    return [{"group_id": str(group["group_id"]), "account_id": m, "model": group.get("model"),
             "score": float(score), "flagged_at": group.get("flagged_at") or at} for m in members]


def push(store, state: StateStore, actor: dict[str, Any], group: dict[str, Any]) -> dict[str, Any]:
    """group: {group_id, model, score (0..1), members: [account ids], flagged_at? (epoch ms;
    default now)} -> {load_id, group_id, members}. Needs push_groups."""
    require(actor, "push_groups")
    at = now_ms()
    rows = _rows(group, at)
    load_id = pushes.write(store, state, actor, "groups", group, {TEMPLATE: rows}, at)
    audit.record(state, actor["name"], "group.push", {
        "load_id": load_id, "group_id": rows[0]["group_id"], "model": rows[0]["model"],
        "score": rows[0]["score"], "members": [r["account_id"] for r in rows]})
    return {"load_id": load_id, "group_id": rows[0]["group_id"], "members": len(rows)}


def get(store, actor: dict[str, Any], group_id: str) -> dict[str, Any]:
    """The group's properties and its member account ids (NotFound when there is none)."""
    require(actor, "view_graph")
    rows = store.read(MEMBERS, {"group_id": str(group_id)}, row_limit=MEMBERS_MAX * 10).rows
    if not rows:
        raise NotFound(f"there is no group {group_id!r} in the graph")
    props = rows[0]["g"].properties
    return {"group_id": str(group_id), "model": props.get("model"), "score": props.get("score"),
            "flagged_at": props.get("flagged_at"), "source": props.get("source"),
            "loaded_at": props.get("loaded_at"),
            "members": [r["a"].properties["account_id"] for r in rows if r["a"] is not None]}
