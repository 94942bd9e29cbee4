"""Cases: what investigators make of alerts, model-team groups and explorer selections.

A case keeps a snapshot of its graph (cytoscape elements) and, for every element, the
query and parameters that brought it in; notes; an assignee; a status workflow with a
reason for every move; remediation actions; second reviews (QA). Every function that
changes something takes the acting user second and checks the permission FIRST, so the
UI and the CLI are held to the same rules, and records what it did in the audit log.
Times are epoch ms (state.now_ms); docs/cases.md describes the workflow."""
from __future__ import annotations

import getpass
import hashlib
import math
import os
from typing import Any, Iterable

import sqlalchemy as sa

from casegraph import graph
from casegraph import audit, explore, exports, kpis
from casegraph.times import iso
from casegraph.errors import AlertTaken, CaseError, CaseNotFound, required_text
from casegraph.permissions import require
from casegraph.state import (StateStore, alerts, append_note, case_actions, case_elements, case_history, case_layouts,
                             case_notes, case_reviews, cases, for_update, now_ms)

STATUSES = ("open", "in_review", "confirmed", "false_positive", "closed")
DECISIONS = ("confirmed", "false_positive")
MOVES: dict[str, tuple[str, ...]] = {
    "open": ("in_review",),
    "in_review": ("confirmed", "false_positive", "open"),
    "confirmed": ("closed",),
    "false_positive": ("closed",),
    "closed": ("in_review",),   # reopen
}
REMEDIATION = ("block", "freeze", "hold_transfer", "victim_outreach", "report_to_le")
ALERT_ACTIONS = ("close", "dismiss", "reopen", "assign")
ACTIONS_CSV_COLUMNS = ("action_id", "case_id", "action", "target_kind", "target_key", "requested_by",
                       "requested_at", "note")
GROUP_MEMBERS = "case_group_members"     # cypher/cases/: a model-team group and its member accounts
LINKS = 50              # relationships kept per shared identifier or wallet when entities come in


def operator() -> dict[str, Any]:
    """The actor of the command line: the local operator, as the OS knows them, with the admin role."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name (a container's uid without a passwd entry)
        name = f"uid:{os.getuid()}"
    return {"name": f"cli:{name}", "role": "admin", "disabled": False}


# ---- small checks -------------------------------------------------------------------------

def _reason(reason: str | None, what: str) -> str:
    return required_text(reason, f"{what} needs a reason", CaseError)


def _element_id(element: Any) -> str:
    try:
        eid = element["data"]["id"]
    except (TypeError, KeyError):
        raise CaseError(f"not a graph element (a dict with data.id): {str(element)[:80]!r}") from None
    if not isinstance(eid, str) or not eid:
        raise CaseError(f"graph element without an id: {str(element)[:80]!r}")
    return eid


def _provenance(provenance: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(provenance, dict) or not str(provenance.get("query") or "").strip():
        raise CaseError("provenance must say which query (or what) brought the elements in: "
                        "{'query': ..., 'params': {...}}")
    params = provenance.get("params") or {}
    if not isinstance(params, dict):
        raise CaseError("provenance params must be a mapping")
    return str(provenance["query"]).strip(), params


def check_assignee(state: StateStore, name: str | None) -> str | None:
    if name is None or not str(name).strip():
        return None
    from casegraph.users import get_user
    user = get_user(state, str(name).strip())
    if user is None:
        raise CaseError(f"cannot assign to {name!r}: no such user")
    if user["disabled"]:
        raise CaseError(f"cannot assign to {name!r}: the user is disabled")
    return user["name"]


def _case_row(conn, case_id: int, lock: bool = False) -> dict[str, Any]:
    """The case's row; with `lock`, held until the transaction ends (state.for_update), so
    changes to one case from several app instances run one after the other and each sees
    the one before (two "in_review -> decided" moves cannot both pass)."""
    q = sa.select(cases).where(cases.c.id == case_id)
    row = conn.execute(for_update(conn, q) if lock else q).mappings().first()
    if row is None:
        raise CaseNotFound(f"there is no case {case_id}")
    return dict(row)


# ---- creating cases -----------------------------------------------------------------------

def create_case(state: StateStore, actor: dict[str, Any], title: str, elements: list[dict[str, Any]],
                provenance: dict[str, Any], *, source: str = "selection", alert_ids: Iterable[int] = (),
                assignee: str | None = None, detection: str | None = None, domain: str | None = None,
                now: int | None = None) -> int:
    """A new open case with `elements` as its snapshot (each with `provenance`), linked to
    `alert_ids` (those alerts get status "in_case"). Returns the case id."""
    require(actor, "change_case")
    title = (title or "").strip()
    if not title:
        raise CaseError("a case needs a title")
    query, params = _provenance(provenance)
    assignee = check_assignee(state, assignee)
    domain = domain or kpis.domain_of(detection)
    if domain is not None and domain not in kpis.DOMAIN_NAMES:
        raise CaseError(f"unknown domain {domain!r}; domains: {', '.join(kpis.DOMAIN_NAMES)}")
    alert_ids = [int(a) for a in dict.fromkeys(alert_ids)]
    at = now if now is not None else now_ms()
    with state.engine.begin() as conn:
        _check_alerts(conn, alert_ids, free=True)
        case_id = conn.execute(cases.insert().values(
            title=title, status="open", assignee=assignee, source=source, detection=detection, domain=domain,
            created_by=actor["name"], created_at=at, updated_at=at)).inserted_primary_key[0]
        conn.execute(case_history.insert().values(case_id=case_id, actor=actor["name"], at=at, from_status=None,
                                                  to_status="open", reason=f"created from {source}"))
        added, digest = _insert_elements(conn, case_id, elements, query, params, actor["name"], at)
        if alert_ids:
            conn.execute(alerts.update().where(alerts.c.id.in_(alert_ids))
                         .values(case_id=case_id, status="in_case", updated_at=at))
    audit.record(state, actor["name"], "case.create",
                 {"case_id": case_id, "title": title, "source": source, "alert_ids": alert_ids,
                  "detection": detection, "domain": domain, "assignee": assignee,
                  "element_ids": added, "added_at": at, "elements_sha256": digest, "query": query, "params": params})
    return case_id


def _check_alerts(conn, alert_ids: list[int], free: bool) -> list[dict[str, Any]]:
    """The alerts, locked until the transaction ends (in id order: two transactions never
    wait on each other crosswise), so what is checked here still holds when they change."""
    if not alert_ids:
        return []
    rows = [dict(r) for r in conn.execute(for_update(conn, sa.select(alerts).where(alerts.c.id.in_(alert_ids))
                                                     .order_by(alerts.c.id))).mappings()]
    missing = sorted(set(alert_ids) - {r["id"] for r in rows})
    if missing:
        raise CaseNotFound(f"there is no alert {', '.join(map(str, missing))}")
    if free:
        taken = [f"{r['id']} (case {r['case_id']})" for r in rows if r["case_id"] is not None]
        if taken:
            raise AlertTaken(f"alert {', '.join(taken)} is already in a case")
    return rows


def alert_node_ids(alert: dict[str, Any]) -> list[str]:
    """What an alert opens with, as explorer node ids: its entities (wallets where the result
    says so, else accounts), then its evidence - the explaining path to the listing
    (scammer_links, transfer_risk: every node of `path`), whom a silent sufferer paid
    (`paid_to_nodes`) and a mule's senders and where it sent the money on (`flow_nodes`) - so
    the alert opens with what its reasons name, linked."""
    result = alert.get("result") or {}
    wallets = {result.get("address")} | ({result.get("entity")} if result.get("kind") == "wallet" else set())
    out = [f"Wallet:{e}" if e in wallets else f"Account:{e}" for e in alert.get("entities") or [] if e]
    for step in result.get("path") or []:
        if isinstance(step, dict):
            out += [f"{step[label]}:{step[key]}" for label, key in (("from_label", "from"), ("to_label", "to"))
                    if step.get(label) and step.get(key) is not None]
    out += [n for key in ("paid_to_nodes", "flow_nodes") for n in result.get(key) or [] if isinstance(n, str)]
    return list(dict.fromkeys(out))


def case_from_alert(state: StateStore, store, actor: dict[str, Any], alert_id: int) -> int:
    """A case from an alert: its entities and what links them (the same elements the explorer
    shows for the alert), the detection and its domain copied from the alert."""
    require(actor, "change_case")
    alert = state.get_alert(int(alert_id))
    if alert is None:
        raise CaseNotFound(f"there is no alert {alert_id}")
    if alert.get("case_id") is not None:
        raise AlertTaken(f"alert {alert_id} is already in case {alert['case_id']}")
    ents = [str(e) for e in alert["entities"] or ()]
    about = ", ".join(ents) if len(ents) <= 3 else f"{', '.join(ents[:2])} and {len(ents) - 2} more"
    title = f"{alert['detection']} alert {alert['id']}: {about or alert['entity_key']}"
    case_id = create_case(state, actor, title, [], {"query": "alert", "params": {"alert_id": alert["id"]}},
                          source=f"alert:{alert['id']}", alert_ids=[alert["id"]], detection=alert["detection"],
                          domain=kpis.domain_of(alert["detection"]))
    missing = add_entities(state, store, actor, case_id, alert_node_ids(alert))["missing"]
    if missing:
        add_note(state, actor, case_id, f"not in the graph when the case was opened: {', '.join(missing)}")
    return case_id


def case_from_group(state: StateStore, store, actor: dict[str, Any], group_id: str) -> int:
    """A case from a model-team Group (batch registration): the group, its member accounts
    and what links them; source "group:<id>", domain kyc_fraud."""
    require(actor, "change_case")
    res = store.read(GROUP_MEMBERS, {"group_id": str(group_id)})
    if not res.rows:
        raise CaseNotFound(f"there is no group {group_id!r} in the graph")
    members = [graph.node_id("Account", r["a"].properties["account_id"]) for r in res.rows if r["a"] is not None]
    group = res.rows[0]["g"].properties
    title = f"group {group_id} ({group.get('model', 'model')}, score {group.get('score')}): {len(members)} accounts"
    case_id = create_case(state, actor, title, graph.to_elements(res),
                          {"query": GROUP_MEMBERS, "params": {"group_id": str(group_id)}},
                          source=f"group:{group_id}", domain=kpis.GROUP_DOMAIN)
    add_entities(state, store, actor, case_id, members)
    return case_id


def add_entities(state: StateStore, store, actor: dict[str, Any], case_id: int, node_ids: Iterable[str],
                 provenance: dict[str, Any] | None = None) -> dict[str, Any]:
    """Add entities to a case by node id ("Account:A1"), as the graph has them now, with what
    links them to each other and to the case's other accounts: the identifiers and wallets
    two or more of them share, and the transfers and referrals between them (the links the
    explorer draws for accounts opened together). Each element keeps the query that read it:
    `provenance` (the query that found the entities, e.g. a search) or ui_nodes, and
    ui_links_between for the links. Every path that puts entities into a case comes here.
    Returns {"added": [entity ids added], "links": [linking element ids added], "missing":
    [node ids not in the graph]}."""
    require(actor, "change_case")
    wanted = list(dict.fromkeys(node_ids))
    nodes, missing = explore.nodes(store, wanted)
    with state.engine.connect() as conn:
        _case_row(conn, case_id)
        present = _current_ids(conn, case_id)
    fresh = [e for e in nodes if e["data"]["id"] not in present]
    added = add_elements(state, actor, case_id, fresh, provenance or {
        "query": "ui_nodes", "params": {"keys": explore.keys_by_label(wanted)}}) if fresh else []
    present |= set(added)
    asked = {key for label, key in map(explore.parse_node_id, wanted) if label == "Account"}
    accounts = sorted((key for label, key in map(graph.split_node_id, present) if label == "Account"),
                      key=lambda k: (k not in asked, k))      # past the cap, the entities just added come first
    keys = accounts[:explore.LINKS_MAX_ACCOUNTS]
    links = [e for e in explore.links_between(store, [graph.node_id("Account", k) for k in keys], max_links=LINKS)
             if e["data"]["id"] not in present]
    linked = add_elements(state, actor, case_id, links, {
        "query": "ui_links_between", "params": {"keys": keys, "max_links": LINKS}}) if links else []
    return {"added": added, "links": linked, "missing": missing}


def add_selection(state: StateStore, store, actor: dict[str, Any], case_id: int | None,
                  node_ids: Iterable[str], title: str | None = None) -> dict[str, Any]:
    """An explorer selection into a case: the nodes named by `node_ids` and every relationship
    between two of them, all read from the graph now (a browser sends only ids; whatever
    else it sends is never evidence). `case_id` None opens a new case titled `title`.
    Returns {"case_id", "added": [element ids], "missing": [node ids not in the graph]}."""
    require(actor, "change_case")
    picked = explore.selection(store, node_ids)
    if not picked.nodes:
        gone = f": {', '.join(picked.missing[:5])}" if picked.missing else ""
        raise CaseError(f"none of the selected nodes is in the graph{gone}")
    read_nodes = {"query": "ui_nodes", "params": {"keys": picked.keys}}
    if case_id is None:
        case_id = create_case(state, actor, title or "Explorer selection", picked.nodes, read_nodes,
                              source="explorer")
        added = [e["data"]["id"] for e in picked.nodes]
    else:
        added = add_elements(state, actor, int(case_id), picked.nodes, read_nodes)
    if picked.links:
        added += add_elements(state, actor, case_id, picked.links, {
            "query": "ui_selection_links", "params": {"keys": picked.keys, "max_links": explore.SELECTION_LINKS}})
    if picked.missing:
        add_note(state, actor, case_id, f"selected but not in the graph: {', '.join(picked.missing)}")
    return {"case_id": case_id, "added": added, "missing": picked.missing}


# ---- elements -----------------------------------------------------------------------------

def _current_ids(conn, case_id: int) -> set[str]:
    return set(conn.execute(sa.select(case_elements.c.element_id).where(
        case_elements.c.case_id == case_id, case_elements.c.removed_at.is_(None))).scalars())


def snapshot_digest(rows: list[dict[str, Any]]) -> str:
    """SHA-256 of elements as a case keeps them (id and element, in insertion order): what the
    audit entry of their insertion records, so `audit verify` notices a changed snapshot."""
    return hashlib.sha256(audit.canonical([[r["element_id"], r["element"]] for r in rows]).encode("utf-8")).hexdigest()


def _insert_elements(conn, case_id: int, elements, query: str, params: dict[str, Any], by: str,
                     at: int) -> tuple[list[str], str]:
    present = _current_ids(conn, case_id)
    rows = []
    for e in elements or ():
        eid = _element_id(e)
        if eid in present or e["data"].get("kind") == graph.MORE:   # pagers are not evidence
            continue
        rows.append({"case_id": case_id, "element_id": eid, "element": e, "query": query, "params": params,
                     "added_by": by, "added_at": at})
        present.add(eid)
    if rows:
        conn.execute(case_elements.insert(), rows)     # one executemany, not a statement per element
    return [r["element_id"] for r in rows], snapshot_digest(rows)


def _touch(conn, case_id: int, at: int) -> None:
    conn.execute(cases.update().where(cases.c.id == case_id).values(updated_at=at))


def add_elements(state: StateStore, actor: dict[str, Any], case_id: int, elements: list[dict[str, Any]],
                 provenance: dict[str, Any]) -> list[str]:
    """Add elements to a case's snapshot (those already in it are left as they are); returns
    the ids added."""
    require(actor, "change_case")
    query, params = _provenance(provenance)
    at = now_ms()
    with state.engine.begin() as conn:
        _case_row(conn, case_id, lock=True)
        added, digest = _insert_elements(conn, case_id, elements, query, params, actor["name"], at)
        if added:
            _touch(conn, case_id, at)
    audit.record(state, actor["name"], "case.add", {"case_id": case_id, "element_ids": added, "added_at": at,
                                                    "elements_sha256": digest, "query": query, "params": params})
    return added


def remove_elements(state: StateStore, actor: dict[str, Any], case_id: int, element_ids: Iterable[str]) -> list[str]:
    """Take elements out of a case's snapshot (and the edges that touch a removed node); the
    rows stay, marked removed_by/removed_at. Returns the ids removed."""
    require(actor, "change_case")
    wanted = set(element_ids)
    at = now_ms()
    with state.engine.begin() as conn:
        _case_row(conn, case_id, lock=True)
        rows = conn.execute(sa.select(case_elements.c.id, case_elements.c.element_id, case_elements.c.element)
                            .where(case_elements.c.case_id == case_id, case_elements.c.removed_at.is_(None))
                            ).mappings().all()
        unknown = sorted(wanted - {r["element_id"] for r in rows})
        if unknown:
            raise CaseError(f"not in case {case_id}: {', '.join(unknown)}")
        gone = [r for r in rows if r["element_id"] in wanted or r["element"]["data"].get("source") in wanted
                or r["element"]["data"].get("target") in wanted]
        if gone:
            conn.execute(case_elements.update().where(case_elements.c.id.in_([r["id"] for r in gone]))
                         .values(removed_by=actor["name"], removed_at=at))
            _touch(conn, case_id, at)
    removed = [r["element_id"] for r in gone]
    audit.record(state, actor["name"], "case.remove", {"case_id": case_id, "element_ids": removed})
    return removed


# ---- layout (where the nodes are drawn) ---------------------------------------------------

def checked_positions(positions: Any, what: str = "positions") -> dict[str, dict[str, float]]:
    """Node positions as a canvas sends them, checked: a mapping of node id to {"x": number,
    "y": number}, finite numbers. CaseError naming the first bad entry and field."""
    if not isinstance(positions, dict):
        raise CaseError(f"{what}: expected a mapping of node id to {{x, y}}, not {type(positions).__name__}")
    out = {}
    for nid, p in positions.items():
        if not isinstance(nid, str) or not nid:
            raise CaseError(f"{what}: node id {nid!r} is not a non-empty string")
        if not isinstance(p, dict):
            raise CaseError(f"{what}[{nid!r}]: expected {{x, y}}, not {str(p)[:40]!r}")
        for field in ("x", "y"):
            v = p.get(field)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise CaseError(f"{what}[{nid!r}].{field}: expected a finite number, not {v!r}")
        out[nid] = {"x": float(p["x"]), "y": float(p["y"])}
    return out


def save_positions(state: StateStore, actor: dict[str, Any], case_id: int, positions: Any) -> list[str]:
    """Keep where the case's nodes are drawn (from the explorer or the case page), so the
    case reopens as it was left: positions of nodes the case holds replace the ones saved
    before; others are ignored. Returns the node ids whose position was saved."""
    require(actor, "change_case")
    given = checked_positions(positions)
    at = now_ms()
    with state.engine.begin() as conn:
        _case_row(conn, case_id, lock=True)
        held = {r["element_id"] for r in conn.execute(
            sa.select(case_elements.c.element_id, case_elements.c.element).where(
                case_elements.c.case_id == case_id, case_elements.c.removed_at.is_(None))).mappings()
            if "source" not in (r["element"].get("data") or {})}
        kept = {nid: p for nid, p in given.items() if nid in held}
        if not kept:
            return []
        before = conn.execute(sa.select(case_layouts.c.positions).where(case_layouts.c.case_id == case_id)).scalar()
        values = {"positions": {**(before or {}), **kept}, "saved_by": actor["name"], "saved_at": at}
        if before is None:
            conn.execute(case_layouts.insert().values(case_id=case_id, **values))
        else:
            conn.execute(case_layouts.update().where(case_layouts.c.case_id == case_id).values(**values))
    audit.record(state, actor["name"], "case.layout", {"case_id": case_id, "nodes": len(kept)})
    return sorted(kept)


# ---- notes, assignee, status --------------------------------------------------------------

def add_note(state: StateStore, actor: dict[str, Any], case_id: int, text: str) -> None:
    """Append a note to a case."""
    require(actor, "change_case")
    text = required_text(text, "a note needs some text", CaseError)
    at = now_ms()
    with state.engine.begin() as conn:
        _case_row(conn, case_id, lock=True)
        append_note(conn, case_notes, cases, case_id, actor["name"], at, text)
    audit.record(state, actor["name"], "case.note", {"case_id": case_id, "text": text})


def assign(state: StateStore, actor: dict[str, Any], case_id: int, assignee_name: str | None) -> None:
    """Give a case to a user (an enabled user's name), or to nobody (None or "")."""
    require(actor, "change_case")
    name = check_assignee(state, assignee_name)
    at = now_ms()
    with state.engine.begin() as conn:
        before = _case_row(conn, case_id, lock=True)["assignee"]
        conn.execute(cases.update().where(cases.c.id == case_id).values(assignee=name, updated_at=at))
    audit.record(state, actor["name"], "case.assign", {"case_id": case_id, "from": before, "to": name})


def set_status(state: StateStore, actor: dict[str, Any], case_id: int, to_status: str, reason: str, *,
               now: int | None = None) -> None:
    """Move a case along the workflow (MOVES), with a reason. Confirming or dismissing as a
    false positive needs decide_case and records the decision; reopening a closed case
    (closed -> in_review) clears it (the history keeps it)."""
    require(actor, "decide_case" if to_status in DECISIONS else "change_case")
    if to_status not in STATUSES:
        raise CaseError(f"unknown status {to_status!r}; statuses: {', '.join(STATUSES)}")
    reason = _reason(reason, f"moving a case to {to_status}")
    at = now if now is not None else now_ms()
    with state.engine.begin() as conn:
        row = _case_row(conn, case_id, lock=True)
        frm = row["status"]
        if to_status not in MOVES[frm]:
            allowed = "; ".join(f"{a} -> {', '.join(b)}" for a, b in MOVES.items())
            raise CaseError(f"case {case_id}: cannot move from {frm} to {to_status} "
                            f"(from {frm}: {', '.join(MOVES[frm])}; allowed moves: {allowed})")
        values: dict[str, Any] = {"status": to_status, "updated_at": at}
        if to_status in DECISIONS:
            values |= {"decision": to_status, "decision_reason": reason, "decided_by": actor["name"],
                       "decided_at": at}
        elif frm == "closed":
            values |= {"decision": None, "decision_reason": None, "decided_by": None, "decided_at": None}
        conn.execute(cases.update().where(cases.c.id == case_id).values(**values))
        conn.execute(case_history.insert().values(case_id=case_id, actor=actor["name"], at=at, from_status=frm,
                                                  to_status=to_status, reason=reason))
    audit.record(state, actor["name"], "case.status",
                 {"case_id": case_id, "from": frm, "to": to_status, "reason": reason})


def second_review(state: StateStore, actor: dict[str, Any], case_id: int, verdict: str, reason: str, *,
                  now: int | None = None) -> bool:
    """QA: another user's verdict (confirmed | false_positive) on a decided case; stored with
    whether it agrees with the decision. Returns the agreement."""
    require(actor, "decide_case")
    if verdict not in DECISIONS:
        raise CaseError(f"a second review's verdict is one of {', '.join(DECISIONS)}, not {verdict!r}")
    reason = _reason(reason, "a second review")
    at = now if now is not None else now_ms()
    with state.engine.begin() as conn:
        row = _case_row(conn, case_id, lock=True)
        if not row["decision"]:
            raise CaseError(f"case {case_id} is {row['status']}: only decided cases (confirmed, false_positive, "
                            "or closed after a decision) get a second review")
        if row["decided_by"] == actor["name"]:
            raise CaseError(f"case {case_id} was decided by {actor['name']}: the second review must be "
                            "by someone else")
        agrees = verdict == row["decision"]
        conn.execute(case_reviews.insert().values(
            case_id=case_id, reviewer=actor["name"], at=at, verdict=verdict, decision=row["decision"],
            decided_by=row["decided_by"], agrees=agrees, reason=reason))
        _touch(conn, case_id, at)
    audit.record(state, actor["name"], "case.review",
                 {"case_id": case_id, "verdict": verdict, "decision": row["decision"], "agrees": agrees,
                  "reason": reason})
    return agrees


# ---- remediation --------------------------------------------------------------------------

def record_action(state: StateStore, actor: dict[str, Any], case_id: int, action: str, target: str,
                  note: str = "") -> int:
    """Record a remediation action (REMEDIATION) on a node of the case ("<Label>:<key>").
    Returns the action id."""
    require(actor, "change_case")
    if action not in REMEDIATION:
        raise CaseError(f"unknown remediation action {action!r}; actions: {', '.join(REMEDIATION)}")
    at = now_ms()
    with state.engine.begin() as conn:
        _case_row(conn, case_id, lock=True)
        held = conn.execute(sa.select(case_elements.c.element).where(
            case_elements.c.case_id == case_id, case_elements.c.element_id == target,
            case_elements.c.removed_at.is_(None))).scalar()
        if held is None or not graph.is_node(held):
            raise CaseError(f"{target!r} is not an entity of case {case_id}; add it to the case first")
        action_id = conn.execute(case_actions.insert().values(
            case_id=case_id, action=action, target=target, note=(note or "").strip(), requested_by=actor["name"],
            requested_at=at)).inserted_primary_key[0]
        _touch(conn, case_id, at)
    audit.record(state, actor["name"], "case.action", {"case_id": case_id, "action_id": action_id,
                                                       "action": action, "target": target, "note": note})
    return action_id


def actions_csv(state: StateStore, case_ids: Iterable[int] | None = None) -> str:
    """Remediation actions as CSV for downstream systems (ACTIONS_CSV_COLUMNS), oldest first:
    the cases' actions, and the freeze orders and their lifts (casegraph/freezes.py: action
    freeze or unfreeze, action_id "freeze:<id>"; with `case_ids`, those on these cases)."""
    from casegraph import freezes
    case_ids = None if case_ids is None else [int(c) for c in case_ids]
    q = sa.select(case_actions).order_by(case_actions.c.id)
    if case_ids is not None:
        q = q.where(case_actions.c.case_id.in_(case_ids))
    with state.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    out = []
    for r in rows:
        kind, key = graph.split_node_id(r["target"])
        out.append({"action_id": r["id"], "case_id": r["case_id"], "action": r["action"], "target_kind": kind,
                    "target_key": key, "requested_by": r["requested_by"], "requested_at": r["requested_at"],
                    "note": r["note"]})
    out = sorted(out + freezes.csv_rows(state, case_ids), key=lambda r: r["requested_at"])   # stable: ids in order
    return exports.write_csv([{**r, "requested_at": iso(r["requested_at"])} for r in out], ACTIONS_CSV_COLUMNS)


# ---- reading ------------------------------------------------------------------------------

def get_case(state: StateStore, case_id: int) -> dict[str, Any]:
    """Everything about a case (see the contract in docs/cases.md)."""
    with state.engine.connect() as conn:
        case = _case_row(conn, case_id)
        by_case = lambda t, order: conn.execute(  # noqa: E731
            sa.select(t).where(t.c.case_id == case_id).order_by(order)).mappings().all()
        els = by_case(case_elements, case_elements.c.id)
        case["alert_ids"] = list(conn.execute(sa.select(alerts.c.id).where(alerts.c.case_id == case_id)
                                              .order_by(alerts.c.id)).scalars())
        case["elements"] = [r["element"] for r in els if r["removed_at"] is None]
        saved = conn.execute(sa.select(case_layouts.c.positions).where(case_layouts.c.case_id == case_id)).scalar()
        nodes = {e["data"]["id"] for e in case["elements"] if graph.is_node(e)}
        case["positions"] = {nid: p for nid, p in (saved or {}).items() if nid in nodes}
        case["provenance"] = {r["element_id"]: {"query": r["query"], "params": r["params"],
                                                "added_by": r["added_by"], "added_at": r["added_at"]}
                              for r in els if r["removed_at"] is None}
        case["removed"] = [{"element_id": r["element_id"], "removed_by": r["removed_by"],
                            "removed_at": r["removed_at"]} for r in els if r["removed_at"] is not None]
        case["notes"] = [{"author": r["author"], "at": r["at"], "text": r["text"]}
                         for r in by_case(case_notes, case_notes.c.id)]
        case["history"] = [{"actor": r["actor"], "at": r["at"], "from_status": r["from_status"],
                            "to_status": r["to_status"], "reason": r["reason"]}
                           for r in by_case(case_history, case_history.c.id)]
        case["actions"] = [{"id": r["id"], "action": r["action"], "target": r["target"], "note": r["note"],
                            "requested_by": r["requested_by"], "requested_at": r["requested_at"]}
                           for r in by_case(case_actions, case_actions.c.id)]
        case["reviews"] = [{"reviewer": r["reviewer"], "at": r["at"], "verdict": r["verdict"],
                            "decision": r["decision"], "decided_by": r["decided_by"], "agrees": bool(r["agrees"]),
                            "reason": r["reason"]} for r in by_case(case_reviews, case_reviews.c.id)]
    return case


def _case_filters(status: str | None, assignee: str | None) -> list:
    if status is not None and status not in STATUSES:
        raise CaseError(f"unknown status {status!r}; statuses: {', '.join(STATUSES)}")
    return ([cases.c.status == status] if status else []) + ([cases.c.assignee == assignee] if assignee else [])


def list_cases(state: StateStore, status: str | None = None, assignee: str | None = None, *,
               limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Case summaries, newest first, with how many elements (current) and alerts each has;
    a page of them with `limit` and `offset`."""
    n_el = (sa.select(sa.func.count()).where(case_elements.c.case_id == cases.c.id,
                                              case_elements.c.removed_at.is_(None)).scalar_subquery())
    n_al = sa.select(sa.func.count()).where(alerts.c.case_id == cases.c.id).scalar_subquery()
    q = (sa.select(cases, n_el.label("elements"), n_al.label("alerts")).where(*_case_filters(status, assignee))
         .order_by(cases.c.id.desc()).limit(limit).offset(offset))
    with state.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def count_cases(state: StateStore, status: str | None = None, assignee: str | None = None) -> int:
    """How many cases list_cases would return with the same filters and no limit."""
    q = sa.select(sa.func.count()).select_from(cases).where(*_case_filters(status, assignee))
    with state.engine.connect() as conn:
        return conn.execute(q).scalar_one()


def check_cases(state: StateStore, case_ids: Iterable[int]) -> None:
    """CaseNotFound naming the ids that are not cases."""
    wanted = {int(c) for c in case_ids}
    with state.engine.connect() as conn:
        known = set(conn.execute(sa.select(cases.c.id).where(cases.c.id.in_(wanted))).scalars()) if wanted else set()
    missing = sorted(wanted - known)
    if missing:
        raise CaseNotFound(f"there is no case {', '.join(map(str, missing))}")


def confirmed_ring_members(state: StateStore) -> set[str]:
    """Accounts in a rings case an investigator confirmed as fraud (the case's current
    account elements): one operator's fake accounts, not people who could be victims."""
    q = (sa.select(case_elements.c.element_id)
         .join(cases, cases.c.id == case_elements.c.case_id)
         .where(cases.c.detection == "rings", cases.c.decision == "confirmed",
                case_elements.c.removed_at.is_(None), case_elements.c.element_id.like("Account:%")))
    with state.engine.connect() as conn:
        return {eid.split(":", 1)[1] for eid in conn.execute(q).scalars()}


# ---- the alert queue ----------------------------------------------------------------------

def bulk_alerts(state: StateStore, actor: dict[str, Any], alert_ids: Iterable[int], action: str, *,
                assignee: str | None = None, reason: str = "") -> dict[str, Any]:
    """One action on many alerts: close or dismiss (with a reason), reopen, or assign.
    Alerts in a case keep their status (the case decides them) and are reported as skipped.
    Returns {"action", "changed": [ids], "skipped": [{"id", "why"}]}."""
    require(actor, "review_alerts")
    if action not in ALERT_ACTIONS:
        raise CaseError(f"unknown alert action {action!r}; actions: {', '.join(ALERT_ACTIONS)}")
    ids = [int(a) for a in dict.fromkeys(alert_ids)]
    if not ids:
        raise CaseError("no alerts given")
    if action in ("close", "dismiss"):
        reason = _reason(reason, f"{action} alerts")
    if action == "assign":
        if not (assignee or "").strip():
            raise CaseError("assign alerts needs --assignee")
        assignee = check_assignee(state, assignee)
    at = now_ms()
    values: dict[str, Any] = (
        {"assignee": assignee} if action == "assign" else
        {"status": "open", "closed_reason": None} if action == "reopen" else
        {"status": "closed" if action == "close" else "dismissed", "closed_reason": reason})
    changed, skipped = [], []
    with state.engine.begin() as conn:
        rows = _check_alerts(conn, ids, free=False)
        for r in sorted(rows, key=lambda r: r["id"]):
            if action != "assign" and r["status"] == "in_case":
                skipped.append({"id": r["id"], "why": f"in case {r['case_id']}"})
            elif action == "reopen" and r["status"] == "open":
                skipped.append({"id": r["id"], "why": "already open"})
            else:
                changed.append(r["id"])
        if changed:     # one statement for all: every changed alert gets the same values
            conn.execute(alerts.update().where(alerts.c.id.in_(changed)).values(updated_at=at, **values))
    audit.record(state, actor["name"], "alerts.bulk",
                 {"action": action, "alert_ids": changed, "skipped": skipped, "assignee": assignee,
                  "reason": reason or None})
    return {"action": action, "changed": changed, "skipped": skipped}


# ---- checking cases against the audit log -------------------------------------------------

def check_against_audit(state: StateStore) -> list[str]:
    """What in the case tables differs from what the (hash-chained) audit log recorded: the
    elements of every insertion (by their digest), and every status move and decision. One
    line per difference; [] when they agree. Entries written before digests were recorded
    are checked for their moves only."""
    problems: list[str] = []
    moves: dict[int, list[dict[str, Any]]] = {}
    with state.engine.connect() as conn:
        for entry in audit.entries(state):
            d, action = entry["details"], entry["action"]
            if action in ("case.create", "case.add") and "elements_sha256" in d:
                rows = [dict(r) for r in conn.execute(sa.select(case_elements.c.element_id, case_elements.c.element)
                        .where(case_elements.c.case_id == d["case_id"], case_elements.c.added_at == d["added_at"],
                               case_elements.c.element_id.in_(d["element_ids"] or [""]))
                        .order_by(case_elements.c.id)).mappings()]
                if snapshot_digest(rows) != d["elements_sha256"]:
                    problems.append(f"case {d['case_id']}: the elements added at {iso(d['added_at'])} differ from "
                                    f"what audit entry {entry['id']} recorded")
            elif action == "case.status":
                moves.setdefault(int(d["case_id"]), []).append({"to": d["to"], "reason": d["reason"],
                                                                "actor": entry["actor"]})
        history: dict[int, list[dict[str, Any]]] = {}
        for r in conn.execute(sa.select(case_history).where(case_history.c.from_status.is_not(None))
                              .order_by(case_history.c.id)).mappings():
            history.setdefault(int(r["case_id"]), []).append({"to": r["to_status"], "reason": r["reason"],
                                                              "actor": r["actor"]})
        current = {int(r["id"]): dict(r) for r in conn.execute(
            sa.select(cases.c.id, cases.c.status, cases.c.decision, cases.c.decision_reason)).mappings()}
    for case_id in sorted(set(moves) | set(history)):
        if moves.get(case_id, []) != history.get(case_id, []):
            problems.append(f"case {case_id}: its status history differs from the moves the audit log recorded")
        last = (moves.get(case_id) or [None])[-1]
        row = current.get(case_id)
        if last and row and (row["status"] != last["to"] or (
                last["to"] in DECISIONS and (row["decision"], row["decision_reason"]) != (last["to"], last["reason"]))):
            problems.append(f"case {case_id}: its status or decision ({row['status']}, {row['decision']}) differs from "
                            f"the last move the audit log recorded ({last['to']})")
    return problems
