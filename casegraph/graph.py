"""Query results as cytoscape elements, and the pure operations the explorer applies
to an element list (merge, remove, time filter, risk flags). No Dash here: every
callback calls these, and they are unit-tested without a browser.

Element ids do not depend on the backend: a node is "<Label>:<key>" with the key
property model.yaml declares, a relationship "<TYPE>:<key>" for keyed types
(tx_id, tx_hash) else "<TYPE>:<start id>-><end id>"."""
from __future__ import annotations

from typing import Any, Iterable

from casegraph.model import model
from casegraph.money import movement_text, number, total
from casegraph.store.result import Node, Relationship, Result

MONEY = tuple(model().money)   # the money-movement relationship types (model.yaml)
MORE = "More"                 # kind of a "+N more" pager node (and of its edge to the parent)
TIME_HIDDEN = "time-hidden"   # class of a money edge outside the time window
HIDDEN = "hidden"             # class of an element the investigator hid
PATH = "path"                 # class of the elements on a shortest path or a fund trace
# Risk flags (node class "risk-<flag>"), most severe last: the stylesheet lets the last win.
RISK_FLAGS = ("reported-victim", "silent-sufferer", "ring-member", "mule", "watchlisted", "frozen")
BUNDLE = "bundle"             # class of a drawn edge standing for several money movements (bundle())
BUNDLED = "bundled"           # class of a money movement drawn inside a bundle (the stylesheet hides it)
COMPOUND = "Compound"         # kind of a group box drawn around a ring's or a model group's members (grouped())
META = "Meta"                 # kind of an edge standing for a collapsed group's links to one outside node
COLLAPSED = "collapsed"       # class of a collapsed group box; its members get IN_COLLAPSED (hidden by style)
IN_COLLAPSED = "in-collapsed"
FROZEN = "frozen"     # the flag of an account or wallet with an active freeze order (casegraph/freezes.py)


# ---- ids --------------------------------------------------------------------------------

def node_id(label: str, key: Any) -> str:
    """The element id of the node with `label` and key value `key`."""
    return f"{label}:{key}"


def split_node_id(nid: str) -> tuple[str, str]:
    """"Account:A1" -> ("Account", "A1"). The key may itself contain colons."""
    label, sep, key = str(nid).partition(":")
    if not sep or not label or key == "":
        raise ValueError(f"not a node id (<Label>:<key>): {nid!r}")
    return label, key


def model_label(node: Node) -> str | None:
    """The node's first label that the model declares, or None."""
    nodes = model().nodes
    return next((lab for lab in node.labels if lab in nodes), None)


def node_element_id(node: Node) -> str | None:
    """The element id of a graph node, or None when it is not a model node with a key."""
    label = model_label(node)
    if label is None:
        return None
    key = node.properties.get(model().nodes[label].key)
    return None if key is None or key == "" else node_id(label, key)


def rel_element_id(rel_type: str, props: dict[str, Any], source: str, target: str) -> str:
    """The element id of a relationship between the nodes with ids `source` and `target`."""
    spec = model().relationships.get(rel_type)
    key = props.get(spec.key) if spec is not None and spec.key else None
    if key is not None and key != "":
        return f"{rel_type}:{key}"
    return f"{rel_type}:{source}->{target}"


# ---- classes ----------------------------------------------------------------------------

def classes_of(element: dict[str, Any]) -> list[str]:
    """The element's classes as a list (cytoscape keeps them in one space-separated string)."""
    return [c for c in str(element.get("classes") or "").split() if c]


def _with_classes(element: dict[str, Any], add: Iterable[str] = (), drop=lambda c: False) -> dict[str, Any]:
    kept = [c for c in classes_of(element) if not drop(c)]
    for c in add:
        if c not in kept:
            kept.append(c)
    return {**element, "classes": " ".join(kept)}


def is_node(element: dict[str, Any]) -> bool:
    """True for nodes (pager nodes included), False for edges."""
    data = element.get("data", {})
    return "source" not in data and "target" not in data


# ---- result -> elements -----------------------------------------------------------------

def _short(text: str, width: int = 18) -> str:
    return text if len(text) <= width else f"{text[:width - 7]}…{text[-6:]}"


def node_label(label: str, props: dict[str, Any]) -> str:
    """Short display text for a node: its key (shortened), or a wallet's service label."""
    if label == "Wallet" and props.get("label"):
        return _short(str(props["label"]).removeprefix("exchange:"), 24)
    if label == "Watchlist":
        return f"list {props.get('name')}"
    return _short(str(props.get(model().nodes[label].key, "")))


def edge_label(rel_type: str, props: dict[str, Any]) -> str:
    """Short display text for an edge: the USD amount of a money movement, its amount in its
    asset when it has no USD value, else the type."""
    usd = number(props.get("amount_usd"))
    if rel_type in MONEY and usd is not None:
        return f"{usd:,.0f} USD"
    if rel_type in MONEY and number(props.get("amount")) is not None:
        return movement_text(None, props["amount"], props.get("asset"))    # never "USD" without a USD value
    return rel_type


def node_element(node: Node) -> dict[str, Any] | None:
    """One cytoscape node element, or None for a node outside the model."""
    nid = node_element_id(node)
    if nid is None:
        return None
    label = model_label(node)
    props = dict(node.properties)
    return {"data": {"id": nid, "label": node_label(label, props), "kind": label,
                     "key": str(props[model().nodes[label].key]), "props": props, "risk": []},
            "classes": label}


def edge_element(rel: Relationship, source: str, target: str) -> dict[str, Any]:
    """One cytoscape edge element between the node elements `source` and `target`."""
    props = dict(rel.properties)
    at = props.get("at")
    return {"data": {"id": rel_element_id(rel.type, props, source, target), "source": source,
                     "target": target, "kind": rel.type, "label": edge_label(rel.type, props),
                     "props": props, "amount_usd": number(props.get("amount_usd")),
                     "at": int(at) if number(at) is not None else None},
            "classes": rel.type}


def to_elements(result: Result) -> list[dict[str, Any]]:
    """Every model node and relationship in `result` as cytoscape elements, nodes first.
    A relationship whose end nodes are not in the result is left out (cytoscape cannot
    draw an edge to a node it does not have), so queries return both ends."""
    ids: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for backend_id, node in result.nodes.items():
        el = node_element(node)
        if el is None:
            continue
        ids[backend_id] = el["data"]["id"]
        if el["data"]["id"] not in seen:
            seen.add(el["data"]["id"])
            out.append(el)
    for rel in result.relationships.values():
        if rel.start not in ids or rel.end not in ids:
            continue
        el = edge_element(rel, ids[rel.start], ids[rel.end])
        if el["data"]["id"] not in seen:
            seen.add(el["data"]["id"])
            out.append(el)
    return out


def pager(parent_id: str, rel: str | None, skip: int, remaining: int,
          at_least: bool = False) -> list[dict[str, Any]]:
    """A "+N more" node for `parent_id` (next page starts at `skip`) and its edge to the
    parent; "+N+ more" when the count was capped (`at_least`)."""
    pid = f"more:{parent_id}:{rel or '*'}:{skip}"
    return [{"data": {"id": pid, "kind": MORE, "label": f"+{remaining}{'+' if at_least else ''} more", "parent_id": parent_id,
                      "rel": rel, "skip": skip}, "classes": MORE},
            {"data": {"id": f"{pid}:edge", "source": parent_id, "target": pid, "kind": MORE,
                      "label": "", "props": {}, "amount_usd": None, "at": None}, "classes": MORE}]


def _pager_slot(element: dict[str, Any]) -> tuple[str, Any] | None:
    d = element.get("data", {})
    if d.get("kind") == MORE and "parent_id" in d:
        return d["parent_id"], d.get("rel")
    return None


# ---- operations on element lists ----------------------------------------------------------

def merge(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`old` plus the elements of `new` it lacks, in order. An element in both keeps its
    position, classes and risk from `old` and takes its properties from `new`. A pager in
    `new` replaces the pager for the same node and relationship type in `old`."""
    new_slots = {s for s in map(_pager_slot, new) if s}
    new_pager_ids = {e["data"]["id"] for e in new if _pager_slot(e)}
    dropped = {e["data"]["id"] for e in old if _pager_slot(e) in new_slots} - new_pager_ids
    by_id = {e["data"]["id"]: e for e in new}
    out, seen = [], set()
    for e in old:
        eid = e["data"]["id"]
        if eid in dropped or e["data"].get("source") in dropped or e["data"].get("target") in dropped:
            continue
        if eid in by_id:
            fresh = by_id[eid]
            data = {**e["data"], **{k: v for k, v in fresh["data"].items() if k not in ("risk",)}}
            e = {**e, "data": data}
            e = _with_classes(e, classes_of(fresh))
        out.append(e)
        seen.add(eid)
    out.extend(e for e in new if e["data"]["id"] not in seen)
    return out


def remove(elements: list[dict[str, Any]], ids: Iterable[str]) -> list[dict[str, Any]]:
    """The elements without `ids`, without edges that touch a removed node, and without
    pagers of removed nodes."""
    gone = set(ids)
    for e in elements:
        d = e["data"]
        if d.get("kind") == MORE and d.get("parent_id") in gone:
            gone.add(d["id"])
    return [e for e in elements
            if e["data"]["id"] not in gone and e["data"].get("source") not in gone
            and e["data"].get("target") not in gone]


def filter_time(elements: list[dict[str, Any]], start_ms: int | None, end_ms: int | None) -> list[dict[str, Any]]:
    """Money edges whose time is outside [start_ms, end_ms] get the class "time-hidden"
    (the stylesheet hides them); every other element loses it. None is an open bound."""
    out = []
    for e in elements:
        at = e["data"].get("at")
        outside = (not is_node(e) and e["data"].get("kind") in MONEY and at is not None
                   and ((start_ms is not None and at < start_ms) or (end_ms is not None and at > end_ms)))
        out.append(_with_classes(e, [TIME_HIDDEN] if outside else [], drop=lambda c: c == TIME_HIDDEN))
    return out


def with_risk(elements: list[dict[str, Any]], flags: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Nodes get data.risk and classes "risk-<flag>" from `flags`, looked up by element id,
    then by key (risk_flags answers by whichever it was asked). Nodes not in `flags`
    keep theirs."""
    out = []
    for e in elements:
        d = e["data"]
        if not is_node(e) or d.get("kind") == MORE:
            out.append(e)
            continue
        found = flags.get(d["id"], flags.get(d.get("key")))
        if found is None:
            out.append(e)
            continue
        risk = sorted(set(found))
        e = {**e, "data": {**d, "risk": risk}}
        out.append(_with_classes(e, [f"risk-{f}" for f in risk], drop=lambda c: c.startswith("risk-")))
    return out


def bundle_id(kind: str, source: str, target: str) -> str:
    return f"{BUNDLE}:{kind}:{source}->{target}"


def is_bundle(element: dict[str, Any]) -> bool:
    return bool(element["data"].get(BUNDLE))


def bundle(elements: list[dict[str, Any]], opened: Iterable[str] = (), least: int = 2) -> list[dict[str, Any]]:
    """Money movements of one kind from one party to another drawn as one edge per direction:
    where `least` or more of them are shown (not hidden, not outside the time window), a
    bundle edge (class BUNDLE, data: count, amount_usd total, first_at / last_at, members, a
    label such as "21x 12,345 USD") stands for them and they get the class BUNDLED (hidden by
    the stylesheet, still in the list: exports and cases keep every movement). Bundles whose
    id is in `opened` are left out: the investigator expanded them into the movements; so are
    groups holding a movement of a highlighted path or trace (class PATH). Earlier
    bundles are recomputed from the movements, so this applies after every change."""
    opened = set(opened)
    base = [_with_classes(e, drop=lambda c: c == BUNDLED) for e in elements if not is_bundle(e)]
    groups: dict[str, list[dict[str, Any]]] = {}
    for e in base:
        d = e["data"]
        if not is_node(e) and d.get("kind") in MONEY and not {HIDDEN, TIME_HIDDEN} & set(classes_of(e)):
            groups.setdefault(bundle_id(d["kind"], d["source"], d["target"]), []).append(e)
    members = {bid: group for bid, group in groups.items() if len(group) >= least and bid not in opened
               and not any(PATH in classes_of(e) for e in group)}     # a highlighted path is drawn step by step
    inside = {e["data"]["id"] for group in members.values() for e in group}
    out = [_with_classes(e, [BUNDLED]) if e["data"]["id"] in inside else e for e in base]
    for bid, group in members.items():
        d = group[0]["data"]
        summed = total(e["data"].get("props") or {} for e in group)
        ats = [e["data"]["at"] for e in group if e["data"].get("at") is not None]
        out.append({"data": {"id": bid, "source": d["source"], "target": d["target"], "kind": d["kind"], BUNDLE: True,
                             "count": len(group), "amount_usd": summed.usd if summed.usd_parts else None,
                             "label": f"{len(group)}x {summed.text()}", "members": [e["data"]["id"] for e in group],
                             "first_at": min(ats) if ats else None, "last_at": max(ats) if ats else None},
                    "classes": f"{d['kind']} {BUNDLE}"})
    return out


def group_id(key: str) -> str:
    return f"{COMPOUND}:{key}"


def grouped(elements: list[dict[str, Any]], groups: dict[str, tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """Members of a ring or a model group drawn inside a group box: `groups` maps a group key
    (e.g. "ring-alert-33", "Group:G200001") to (its caption, its member node ids). A box is
    added (kind COMPOUND, id group_id(key)) for each group with two or more members on the
    canvas, and each member gets data.parent (a node already in a box stays in its first).
    Boxes of groups no longer given, or left with fewer than two members, are taken away."""
    present = {e["data"]["id"] for e in elements if is_node(e) and e["data"].get("kind") != COMPOUND}
    boxes: dict[str, str] = {}
    parent: dict[str, str] = {e["data"]["id"]: e["data"]["parent"] for e in elements
                              if is_node(e) and e["data"].get("parent")}
    for key, (caption, members) in groups.items():
        gid = group_id(key)
        mine = [m for m in dict.fromkeys(members) if m in present and parent.get(m, gid) == gid]
        if len(mine) >= 2:
            boxes[gid] = caption
            parent.update(dict.fromkeys(mine, gid))
    existing = {e["data"]["id"] for e in elements if e["data"].get("kind") == COMPOUND}
    out = []
    for e in elements:
        d = e["data"]
        if d.get("kind") == COMPOUND:
            if d["id"] in boxes:
                out.append({**e, "data": {**d, "label": boxes[d["id"]]}})
            continue
        if is_node(e) and parent.get(d["id"]) in boxes:
            e = {**e, "data": {**d, "parent": parent[d["id"]]}}
        elif is_node(e) and "parent" in d:
            e = {**e, "data": {k: v for k, v in d.items() if k != "parent"}}
        out.append(e)
    new_boxes = [{"data": {"id": gid, "label": caption, "kind": COMPOUND}, "classes": COMPOUND}
                 for gid, caption in boxes.items() if gid not in existing]
    return new_boxes + out


def collapse_group(elements: list[dict[str, Any]], gid: str) -> list[dict[str, Any]]:
    """Draw group box `gid` as one node: its members are hidden (class IN_COLLAPSED), and each
    outside node linked to a member gets one META edge to or from the box (count: how many
    links it stands for)."""
    members = {e["data"]["id"] for e in elements if is_node(e) and e["data"].get("parent") == gid}
    links: dict[tuple[str, str], int] = {}
    for e in elements:
        d = e["data"]
        if is_node(e) or d.get("kind") in (META, MORE) or is_bundle(e) or {HIDDEN, TIME_HIDDEN} & set(classes_of(e)):
            continue
        ends = (gid if d["source"] in members else d["source"], gid if d["target"] in members else d["target"])
        if (ends[0] == gid) != (ends[1] == gid):
            links[ends] = links.get(ends, 0) + 1
    out = []
    for e in elements:
        d = e["data"]
        if d["id"] == gid:
            e = _with_classes(e, [COLLAPSED])
        elif d["id"] in members:
            e = _with_classes(e, [IN_COLLAPSED])
        out.append(e)
    out += [{"data": {"id": f"{META}:{s}->{t}", "source": s, "target": t, "kind": META, "count": n,
                      "label": f"{n} link{'s' if n > 1 else ''}"}, "classes": META} for (s, t), n in sorted(links.items())]
    return out


def uncollapsed(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every group box expanded: no META edges, no collapsed classes (collapse_group undone
    for all, to be applied again to the boxes still collapsed)."""
    return [_with_classes(e, drop=lambda c: c in (COLLAPSED, IN_COLLAPSED)) for e in elements
            if e["data"].get("kind") != META]


def expand_group(elements: list[dict[str, Any]], gid: str) -> list[dict[str, Any]]:
    """Undo collapse_group: the members shown again, the box's META edges gone."""
    out = []
    for e in elements:
        d = e["data"]
        if d.get("kind") == META and gid in (d["source"], d["target"]):
            continue
        if d["id"] == gid:
            e = _with_classes(e, drop=lambda c: c == COLLAPSED)
        elif d.get("parent") == gid:
            e = _with_classes(e, drop=lambda c: c == IN_COLLAPSED)
        out.append(e)
    return out


def visible(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The elements an export shows: no pagers, no bundle edges (their movements are shown
    one by one), no group boxes or their META edges (the members are shown), nothing hidden
    or time-hidden, no edge to a node that is not shown."""
    hidden = {HIDDEN, TIME_HIDDEN}
    shown = [e for e in elements if e["data"].get("kind") not in (MORE, COMPOUND, META) and not is_bundle(e)
             and not hidden & set(classes_of(e))]
    nodes = {e["data"]["id"] for e in shown if is_node(e)}
    return [e for e in shown if is_node(e) or (e["data"]["source"] in nodes and e["data"]["target"] in nodes)]
