"""The explorer's element-list operations: pure functions over cytoscape element lists
(undo diffs, hide / remove / collapse / pin, path marking, time range, exports), so the
page's callbacks stay thin and these are unit-tested without a browser."""
from __future__ import annotations

from casegraph import exports, graph
from casegraph.graph import is_node, visible

UNDO_LIMIT = 15
USER_HIDDEN = graph.HIDDEN    # the class the shared stylesheet hides
PINNED = "pinned"


# -- pure element-list functions ------------------------------------------------------------

def eid(element: dict) -> str:
    return element["data"]["id"]


def is_pager(element: dict) -> bool:
    return element["data"].get("kind") == "More"


def _classes(element: dict) -> list[str]:
    return (element.get("classes") or "").split()


def _content(element: dict) -> dict:
    return {k: v for k, v in element.items() if k not in ("position", "selected", "grabbed")}


def diff(old: list[dict], new: list[dict]) -> dict:
    """What turns `new` back into `old`: ids added, elements removed, elements changed."""
    before = {eid(e): e for e in old}
    after = {eid(e): e for e in new}
    return {"added": [i for i in after if i not in before],
            "removed": [e for i, e in before.items() if i not in after],
            "changed": [before[i] for i in after if i in before and _content(before[i]) != _content(after[i])]}


def appended(old: list[dict], new: list[dict]) -> list[dict] | None:
    """The elements `new` adds to `old` when that is all that changed (every element of `old`
    still there, its content the same; positions aside), else None. The explorer then sends
    only these (a Patch extending the canvas's list): cytoscape adds them instead of comparing
    every element it already draws, which took most of an expand's repaint on a 500-node canvas."""
    after = {eid(e): e for e in new}
    for e in old:
        kept = after.get(eid(e))
        if kept is None or _content(kept) != _content(e):
            return None
    before = {eid(e) for e in old}
    return [e for e in new if eid(e) not in before]


def undo(elements: list[dict], entry: dict) -> list[dict]:
    """Apply a diff entry backwards."""
    added = set(entry["added"])
    changed = {eid(e): e for e in entry["changed"]}
    out = [changed.get(eid(e), e) for e in elements if eid(e) not in added]
    nodes = [e for e in entry["removed"] if is_node(e)]
    edges = [e for e in entry["removed"] if not is_node(e)]
    return nodes + out + edges


def push(stack: list[dict] | None, old: list[dict], new: list[dict], limit: int = UNDO_LIMIT) -> list[dict]:
    """The undo stack with one more step (oldest steps dropped past `limit`)."""
    entry = diff(old, new)
    if not (entry["added"] or entry["removed"] or entry["changed"]):
        return list(stack or [])
    return (list(stack or []) + [entry])[-limit:]


def drop(elements: list[dict], node_ids: set[str]) -> list[dict]:
    """Elements without these nodes, their edges, and the pagers hanging off them."""
    gone = set(node_ids) | {eid(e) for e in elements if is_pager(e) and e["data"].get("parent_id") in node_ids}
    return [e for e in elements if eid(e) not in gone
            and e["data"].get("source") not in gone and e["data"].get("target") not in gone]


def hide(elements: list[dict], node_ids: set[str]) -> list[dict]:
    """Mark nodes (and so their edges, by style) hidden; they stay for undo and 'show all'."""
    out = []
    for e in elements:
        d = e["data"]
        if d["id"] in node_ids or d.get("source") in node_ids or d.get("target") in node_ids:
            if USER_HIDDEN not in _classes(e):
                e = {**e, "classes": " ".join(_classes(e) + [USER_HIDDEN])}
        out.append(e)
    return out


def show_all(elements: list[dict]) -> list[dict]:
    return [{**e, "classes": " ".join(c for c in _classes(e) if c != USER_HIDDEN)}
            if USER_HIDDEN in _classes(e) else e for e in elements]


def neighbours(elements: list[dict]) -> dict[str, set[str]]:
    """Each node's neighbour ids, from the edges."""
    adj: dict[str, set[str]] = {}
    for e in elements:
        d = e["data"]
        if "source" in d:
            adj.setdefault(d["source"], set()).add(d["target"])
            adj.setdefault(d["target"], set()).add(d["source"])
    return adj


def collapse(elements: list[dict], node_id: str) -> list[dict]:
    """Remove the neighbours that hang only off `node_id`, and its pagers."""
    adj = neighbours(elements)
    leaves = {n for n in adj.get(node_id, set()) if adj.get(n, set()) <= {node_id}}
    pagers = {eid(e) for e in elements if is_pager(e) and e["data"].get("parent_id") == node_id}
    return drop(elements, leaves | pagers)


def time_range(elements: list[dict]) -> tuple[int, int] | None:
    """Earliest and latest `at` (epoch ms) over the money edges."""
    ats = [e["data"]["at"] for e in elements if not is_node(e) and e["data"].get("at") is not None]
    return (min(ats), max(ats)) if ats else None


def node_ids_of(selected: list[dict] | None) -> list[str]:
    """The selected graph nodes (no pagers, no group boxes)."""
    return [d["id"] for d in selected or [] if d.get("kind") not in (graph.MORE, graph.COMPOUND)]


def selection_text(selected: list[dict] | None) -> str:
    """What the server has seen selected, in one line ("" for nothing): dash-cytoscape
    reports a selection about 100 ms after it happens, so the page says which one a
    button will act on (and the browser tests wait for it)."""
    chosen = sorted(node_ids_of(selected))
    if not chosen:
        return ""
    return f"{len(chosen)} selected: {', '.join(chosen)}"


def split_id(node_id: str) -> tuple[str, str]:
    label, _, key = node_id.partition(":")
    return label, key


def mark_path(elements: list[dict], path_ids: set[str]) -> list[dict]:
    """Highlight exactly `path_ids` (class casegraph.graph.PATH): the last path or trace asked for."""
    out = []
    for e in elements:
        cls = [c for c in _classes(e) if c != graph.PATH] + ([graph.PATH] if eid(e) in path_ids else [])
        out.append({**e, "classes": " ".join(cls)})
    return out


def pin(elements: list[dict], node_ids: set[str]) -> list[dict]:
    """Toggle pinning: a pinned node keeps its place (cytoscape `locked`) through layouts."""
    out = []
    for e in elements:
        if eid(e) in node_ids and is_node(e) and not is_pager(e):
            pinned = PINNED in _classes(e)
            cls = [c for c in _classes(e) if c != PINNED] + ([] if pinned else [PINNED])
            e = {**e, "classes": " ".join(cls), "locked": not pinned}
        out.append(e)
    return out


def export_files(kind: str, elements: list[dict]) -> list[tuple[str, str | bytes]]:
    """(filename, content) per file an export writes, over the visible elements."""
    shown = visible(elements)
    if kind == "json":
        return [("casegraph.cyjs", exports.to_cytoscape_json(shown))]
    if kind == "graphml":
        return [("casegraph.graphml", exports.to_graphml(shown))]
    nodes, edges = exports.to_csv(shown)
    return [("casegraph-nodes.csv", nodes), ("casegraph-edges.csv", edges)]


def property_rows(data: dict) -> list[dict]:
    """An element's properties in the order the details panel and the tooltip show them, like
    explore.details' rows: the model's properties in model order (a node's key first), then
    any others by name, provenance last; times also as ISO 8601. The same on every backend
    (Neo4j and FalkorDB return properties in different orders)."""
    from casegraph.model import model
    from casegraph.times import iso
    m = model()
    spec = m.nodes.get(data.get("kind")) or m.relationships.get(data.get("kind"))
    types = dict(spec.properties) if spec is not None else {}
    order = {name: i for i, name in enumerate(types)}
    key = getattr(spec, "key", None)
    prov = list(m.provenance)
    props = data.get("props") or {}
    rows = []
    for name in sorted(props, key=lambda p: (p in prov, p != key, p not in types, order.get(p, 0), p)):
        value = props[name]
        is_time = types.get(name) == "time" or name == "loaded_at"
        shown = iso(value) if is_time and isinstance(value, (int, float)) and not isinstance(value, bool) else value
        rows.append({"property": name, "value": shown, "provenance": name in prov})
    return rows


def bundle_rows(data: dict) -> list[dict]:
    """A bundle of movements (graph.bundle) for the details panel: how many, the total, the
    first and last, and each movement's id (the context menu shows them one by one)."""
    from casegraph.times import iso
    rows = [("movements", data.get("count")), ("total", data.get("label", "").partition("x ")[2]),
            ("first", iso(data.get("first_at"))), ("last", iso(data.get("last_at")))]
    rows += [("movement", m) for m in data.get("members") or []]
    return [{"property": k, "value": v, "provenance": False} for k, v in rows]


def edge_rows(data: dict) -> list[dict]:
    """An edge's rows for the details panel (property_rows; a bundle's are bundle_rows)."""
    return bundle_rows(data) if data.get(graph.BUNDLE) else property_rows(data)


def tooltip_text(data: dict | None, most: int = 6) -> str:
    """One line on a hovered node or edge: what it is, then its first `most` properties
    (property_rows' order, provenance left out)."""
    if not data:
        return ""
    if data.get(graph.BUNDLE):
        return f"{data.get('kind')} {data.get('source')} -> {data.get('target')}: {data.get('label')} " \
               "(right-click: show them one by one)"
    rows = [r for r in property_rows(data) if not r["provenance"]][:most]
    return f"{data.get('kind')} {data.get('key') or data.get('id')}: " + ", ".join(
        f"{r['property']}={r['value']}" for r in rows)
