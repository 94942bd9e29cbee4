"""What the Cases page, and the case controls on Alerts, Search and Explorer,
show and send: pure functions from casegraph.cases answers to rows and texts, and
from the explorer's canvas to the elements a case keeps (unit-tested without a browser)."""
from __future__ import annotations

from typing import Any

from casegraph import graph
from casegraph.app import placement, styles
from casegraph.times import iso

# classes that are the explorer's view state, not part of what a case keeps
VIEW_CLASSES = {graph.HIDDEN, graph.TIME_HIDDEN, graph.PATH, "pinned"}
DECIDED = ("confirmed", "false_positive")


def case_href(case_id: int) -> str:
    return f"/cases?id={int(case_id)}"


def move_action(to_status: str) -> str:
    """The permission a move to `to_status` needs: deciding needs decide_case."""
    return "decide_case" if to_status in DECIDED else "change_case"


def case_id_of(value: Any) -> int | None:
    """A case id from the URL or a store, or None when it is not a whole number."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if n > 0 else None


# -- case list and detail ---------------------------------------------------------------------

def case_rows(found: list[dict]) -> list[dict]:
    """list_cases rows -> table rows linking to each case ("open", its href in open_href),
    times as ISO."""
    return [{"id": c["id"], "open": f"#{c['id']}", "open_href": case_href(c["id"]), "title": c.get("title") or "",
             "status": c.get("status") or "", "assignee": c.get("assignee") or "",
             "source": c.get("source") or "", "detection": c.get("detection") or "",
             "created_at": iso(c.get("created_at")), "updated_at": iso(c.get("updated_at"))} for c in found]


def header_items(case: dict) -> list[tuple[str, str]]:
    """(label, value) pairs for the case header."""
    items = [("status", case["status"]), ("assignee", case.get("assignee") or "nobody"),
             ("source", case.get("source") or ""), ("detection", case.get("detection") or ""),
             ("domain", case.get("domain") or ""), ("alerts", ", ".join(map(str, case.get("alert_ids") or []))),
             ("created", f"{iso(case.get('created_at'))} by {case.get('created_by') or ''}"),
             ("updated", iso(case.get("updated_at")))]
    if case.get("decision"):
        items.append(("decision", f"{case['decision']} by {case.get('decided_by') or ''} at "
                                  f"{iso(case.get('decided_at'))}: {case.get('decision_reason') or ''}"))
    return [(k, v) for k, v in items if v]


def canvas_elements(case: dict) -> list[dict]:
    """The case's current snapshot as canvas elements (no view-state classes, edges only
    between nodes the snapshot holds)."""
    out = [clean(e) for e in case.get("elements") or []]
    nodes = {e["data"]["id"] for e in out if graph.is_node(e)}
    return [e for e in out if graph.is_node(e) or (e["data"]["source"] in nodes and e["data"]["target"] in nodes)]


def picked_positions(picked: list[str], positions: dict | None) -> dict:
    """Where the browser drew the picked nodes (those it reported)."""
    return {nid: (positions or {})[nid] for nid in picked if nid in (positions or {})}


def drawn(case: dict, positions: dict | None, version: int | None) -> tuple[list[dict], dict]:
    """The case's snapshot where it is drawn now (`positions`, the browser's) or was saved
    (the case's), nodes without a place put around their neighbours; and the layout: the
    positions kept (preset) once any node has one, else the force layout (`version` makes
    each render's a new run)."""
    elements = placement.absorb(placement.absorb(canvas_elements(case), case.get("positions")), positions)
    if any(graph.is_node(e) and "position" in e for e in elements):
        return placement.place(elements), styles.layout_for(styles.KEEP)
    return elements, styles.layout_for(styles.DEFAULT_LAYOUT, run=int(version or 0) + 1,
                                       nodes=sum(1 for e in elements if graph.is_node(e)))


def explorer_link(case: dict) -> str:
    """The explorer opening this case as it was left (`/explorer?case=N`)."""
    return f"/explorer?case={int(case['id'])}"


def node_ids(elements: list[dict]) -> list[str]:
    return [e["data"]["id"] for e in elements if graph.is_node(e) and e["data"].get("kind") != graph.MORE]


def target_options(case: dict) -> list[dict]:
    """Remediation targets: the snapshot's nodes, accounts and wallets first."""
    nodes = [e["data"] for e in case.get("elements") or [] if graph.is_node(e)]
    nodes.sort(key=lambda d: (d.get("kind") not in ("Account", "Wallet"), d["id"]))
    return [{"label": d["id"], "value": d["id"]} for d in nodes]


def provenance_rows(case: dict, element_id: str) -> list[tuple[str, str]]:
    """How an element came into the case: query, parameters, who added it and when."""
    p = (case.get("provenance") or {}).get(element_id)
    if not p:
        return [("provenance", "none recorded")]
    params = ", ".join(f"{k}={v}" for k, v in sorted((p.get("params") or {}).items()))
    return [("query", str(p.get("query") or "")), ("params", params),
            ("added by", str(p.get("added_by") or "")), ("added at", iso(p.get("added_at")))]


def note_rows(case: dict) -> list[dict]:
    return [{"at": iso(n.get("at")), "author": n.get("author") or "", "text": n.get("text") or ""}
            for n in case.get("notes") or []]


def history_rows(case: dict) -> list[dict]:
    return [{"at": iso(h.get("at")), "actor": h.get("actor") or "",
             "move": f"{h.get('from_status') or '-'} -> {h.get('to_status') or ''}", "reason": h.get("reason") or ""}
            for h in case.get("history") or []]


def action_rows(case: dict) -> list[dict]:
    rows = []
    for a in case.get("actions") or []:
        rows.append({"action": a.get("action") or "", "target": a.get("target") or "",
                     "requested_by": a.get("requested_by") or "", "at": iso(a.get("requested_at")),
                     "note": a.get("note") or ""})
    return rows


def review_rows(case: dict) -> list[dict]:
    return [{"at": iso(r.get("at")), "reviewer": r.get("reviewer") or "",
             "verdict": r.get("verdict") or "", "agrees": "yes" if r.get("agrees") else "no",
             "reason": r.get("reason") or ""} for r in case.get("reviews") or []]


def reviewable(case: dict) -> bool:
    """A second review is for decided cases."""
    return bool(case.get("decision")) or case.get("status") in DECIDED


# -- elements a case takes in -----------------------------------------------------------------

def clean(element: dict) -> dict:
    """An element as a case keeps it: data and the style classes, no position or view state."""
    classes = [c for c in graph.classes_of(element) if c not in VIEW_CLASSES]
    return {"data": element["data"], "classes": " ".join(classes)}


def selected_ids(selected: list[dict] | None) -> list[str]:
    """The ids of the explorer's selected nodes, never pagers or group boxes, in order, once each.
    Ids are all a case takes from the browser: the elements are read again from the graph."""
    return list(dict.fromkeys(str(d["id"]) for d in selected or []
                              if isinstance(d, dict) and d.get("id") and d.get("kind") not in (graph.MORE, graph.COMPOUND)))


def entities_message(done: dict) -> str:
    """What cases.add_entities did, in one line."""
    added = [f"added {', '.join(done['added'])}"] if done.get("added") else []
    if done.get("links"):
        added.append(f"{len(done['links'])} linking element(s)")
    parts = [" and ".join(added)] if added else []
    if done.get("missing"):
        parts.append(f"not in the graph: {', '.join(done['missing'])}")
    return "; ".join(parts) or "nothing new: already in the case"


def selection_title(node_ids_: list[str]) -> str:
    if not node_ids_:
        return "Explorer selection"
    more = f" (+{len(node_ids_) - 1} more)" if len(node_ids_) > 1 else ""
    return f"Explorer selection: {node_ids_[0]}{more}"


def search_groups(text: str, hits: list[dict], limit: int) -> list[tuple[dict, list[str]]]:
    """Search hits split by the template that found them (explore.search): keys equal to
    the text come from ui_search_exact, the others from ui_search_prefix. Each group is
    (provenance, node ids); empty groups are left out."""
    text = (text or "").strip()
    exact = [h["id"] for h in hits if h["key"] == text or h["id"] == text]
    prefix = [h["id"] for h in hits if h["id"] not in exact]
    groups = []
    if exact:
        groups.append(({"query": "ui_search_exact", "params": {"text": text}}, exact))
    if prefix:
        groups.append(({"query": "ui_search_prefix", "params": {"text": text, "limit": limit}}, prefix))
    return groups


def model_group(hits: list[dict]) -> str | None:
    """The model-team group to review as a case when the hits are exactly one Group, else None."""
    if len(hits) == 1 and str(hits[0].get("id", "")).startswith("Group:"):
        return hits[0]["key"]
    return None


def case_options(found: list[dict]) -> list[dict]:
    """Open cases for the explorer's "add to case" menu."""
    from casegraph.app.forms import options
    return options((f"#{c['id']} {c.get('title') or ''} ({c.get('status')})", c["id"]) for c in found)


# -- the alert queue --------------------------------------------------------------------------

def bulk_message(done: dict) -> str:
    """What bulk_alerts did, in one line."""
    changed = done.get("changed") or []
    text = f"{done.get('action')}: {len(changed)} alert(s) changed"
    if changed:
        text += f" ({', '.join(map(str, changed))})"
    skipped = done.get("skipped") or []
    if skipped:
        text += "; skipped " + ", ".join(f"{s['id']} ({s['why']})" for s in skipped)
    return text
