"""The explorer's canvas as a typed state, and what each control does to it.

`Canvas` is what the page keeps in its store: the element list (the canvas reports its
elements back without classes or pinning, so the store, not the canvas, is the truth), the
undo steps, and the time window the investigator chose over money movements. Each control
is a pure function from a Canvas (and what was asked) to a `Change`; the ones that need the
graph read it through a `GraphReader` (explore.* plus risk flags). The page's callbacks
(app/pages/explorer.py) only unpack Dash's arguments, call one of these and send the Change
back. Dash skips files starting with "_", so this imports without an app."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casegraph import explore, graph
from casegraph.app import placement, styles
from casegraph.app.pages._canvas import (PINNED, collapse, drop, eid, hide, is_pager, mark_path, node_ids_of, pin,
                                         push, show_all, split_id, time_range, undo)
from casegraph.errors import QueryError
from casegraph.graph import is_node
from casegraph.model import model

PRESET = "preset"             # the server-computed layout (app.styles.preset_layout)
KEEP = styles.KEEP            # every node where it is drawn (positions kept)
IMAGE_MAX_PX = 4000           # the exported PNG's long side (print resolution: labels stay readable)
TRACE_TOP = 25                # trace funds draws the best paths to this many reached entities
SELECT_FIRST = "select or tap a node first"


@dataclass(frozen=True)
class Canvas:
    """The explorer's state between two callbacks (kept in a dcc.Store as `dump()`)."""
    elements: list[dict]
    undo: list[dict]
    window: tuple[int, int] | None = None      # money movements shown; None: all of them
    opened: tuple[str, ...] = ()               # bundles of movements shown one by one (graph.bundle)
    groups: dict[str, list] = field(default_factory=dict)   # group key -> [caption, member ids] (a ring)
    collapsed: tuple[str, ...] = ()            # group boxes drawn as one node (graph.collapse_group)

    @classmethod
    def load(cls, data: dict | None, positions: dict | None = None) -> Canvas:
        """The canvas from its store, with the positions the browser reports (where each node
        is drawn now: after a layout or a drag) on its nodes."""
        data = data or {}
        window = data.get("window")
        return cls(placement.absorb(list(data.get("elements") or []), positions), list(data.get("undo") or []),
                   (int(window[0]), int(window[1])) if window else None, tuple(data.get("opened") or ()),
                   dict(data.get("groups") or {}), tuple(data.get("collapsed") or ()))

    def dump(self) -> dict[str, Any]:
        return {"elements": self.elements, "undo": self.undo, "window": list(self.window) if self.window else None,
                "opened": list(self.opened), "groups": self.groups, "collapsed": list(self.collapsed)}

    def but(self, **kw: Any) -> Canvas:
        """This canvas with some fields replaced."""
        return Canvas(**{**self.__dict__, **kw})

    def slider(self) -> tuple[int, int, list[int], bool]:
        """The time slider's min, max, value and disabled: the money movements' span, and the
        chosen window within it (a window left full stays full as the span grows)."""
        span = time_range(self.elements)
        if span is None:
            return 0, 1, [0, 1], True
        if self.window is None:
            return span[0], span[1], list(span), False
        return span[0], span[1], [max(self.window[0], span[0]), min(self.window[1], span[1])], False


@dataclass(frozen=True)
class Change:
    """What a control did: the new canvas (None: unchanged), the message (None: unchanged), and
    the layout the browser must run over every node (None: none; nodes stay where they are)."""
    canvas: Canvas | None = None
    message: str | None = None
    layout: str | None = None


NOTHING = Change()


def changed(old: Canvas, elements: list[dict], message: str, layout: str | None = None,
            record: bool = True, anchors: list[str] | tuple = ()) -> Change:
    """`old` with these elements: the chosen time window applied to the movements just added
    too, and an undo step. Nodes already drawn keep their places; new ones are placed around
    the node they hang off (`anchors` first: the nodes expanded). Only when no node has a
    place yet is a whole layout run: the server's preset, or `layout` in the browser."""
    run = None
    if any(placement.placeable(e) and "position" not in e for e in elements):
        if any(placement.placeable(e) and "position" in e for e in elements):
            elements = placement.place(elements, anchors)
        elif layout == PRESET:
            elements = styles.preset_layout(elements)
        else:
            run = layout if layout in styles.LAYOUTS and layout not in (KEEP, PRESET) else styles.DEFAULT_LAYOUT
    _lo, _hi, value, disabled = old.but(elements=elements).slider()
    if not disabled:
        elements = graph.filter_time(elements, value[0], value[1])
    elements = arranged(elements, old)
    steps = push(old.undo, old.elements, elements) if record else old.undo
    return Change(old.but(elements=elements, undo=steps), message, run)


def model_groups(elements: list[dict]) -> dict[str, tuple[str, list[str]]]:
    """A box per model-team group on the canvas: the Group node and its members (IN_GROUP)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for e in elements:
        d = e["data"]
        if is_node(e) and d.get("kind") == "Group":
            out[d["id"]] = (f"model group {d.get('key', d['id'])}", [d["id"]])
    for e in elements:
        d = e["data"]
        if not is_node(e) and d.get("kind") == "IN_GROUP" and d.get("target") in out:
            out[d["target"]][1].append(d["source"])
    return out


def arranged(elements: list[dict], canvas: Canvas) -> list[dict]:
    """How the elements are drawn: repeated movements bundled (but those opened), a ring's or
    a model group's members in a box, the collapsed boxes as one node. Recomputed from the
    elements after every change, so it never goes stale."""
    base = graph.bundle(graph.uncollapsed(elements), canvas.opened)
    groups = {key: (str(caption), list(members)) for key, (caption, members) in canvas.groups.items()}
    base = graph.grouped(base, {**groups, **model_groups(base)})
    present = {e["data"]["id"] for e in base if e["data"].get("kind") == graph.COMPOUND}
    for gid in canvas.collapsed:
        if gid in present:
            base = graph.collapse_group(base, gid)
    return base


def count_text(canvas: Canvas) -> str:
    """What the canvas shows: its nodes and relationships (what an export holds) and, when
    repeated movements are bundled, how many lines they are drawn as."""
    shown = graph.visible(canvas.elements)
    nodes = sum(1 for e in shown if graph.is_node(e))
    edges = len(shown) - nodes
    hidden = {graph.HIDDEN, graph.TIME_HIDDEN}
    lines = edges - sum(e["data"]["count"] - 1 for e in canvas.elements
                        if graph.is_bundle(e) and not hidden & set(graph.classes_of(e)))
    drawn = f", drawn as {lines} line(s)" if lines < edges else ""
    return f"{nodes} node(s), {edges} edge(s) shown{drawn}"


def start_layout(elements: list[dict], large: bool) -> str:
    """How a canvas opens: where its nodes were left when they carry positions (a case), the
    server's layout for a large canvas, else the browser's force layout."""
    if any(placement.placeable(e) and "position" in e for e in elements):
        return KEEP
    return PRESET if large else styles.DEFAULT_LAYOUT


def _nodes(elements: list[dict]) -> int:
    return sum(1 for e in elements if is_node(e) and not is_pager(e))


# -- graph reads ----------------------------------------------------------------------------

@dataclass(frozen=True)
class GraphReader:
    """The explorer's reads of the graph (casegraph.explore), each answer risk-coloured."""
    store: Any
    state: Any = None

    def with_risk(self, elements: list[dict]) -> list[dict]:
        keys = [eid(e) for e in elements if is_node(e) and not is_pager(e)]
        return graph.with_risk(elements, explore.risk_flags(self.store, self.state, keys)) if keys else elements

    def open(self, node_ids: list[str], with_links: bool = False) -> tuple[list[dict], list[str]]:
        """Node elements for ids and, `with_links` (an alert's entities), what links them; ids
        that are malformed or not in the graph come back as problems."""
        wanted, problems = [], []
        for nid in node_ids:
            try:
                explore.parse_node_id(nid)
                wanted.append(nid)
            except QueryError as e:
                problems.append(str(e))
        elements, missing = explore.nodes(self.store, wanted)
        if with_links:
            elements = graph.merge(elements, explore.links_between(self.store, wanted))
        return self.with_risk(elements), problems + [f"{nid} is not in the graph" for nid in missing]

    def expand(self, node_id: str, rel: str | None = None, skip: int = 0) -> list[dict]:
        return self.with_risk(explore.expand(self.store, node_id, rel=rel or None, skip=skip)[0])

    def path(self, a: str, b: str) -> list[dict]:
        return self.with_risk(explore.shortest_path(self.store, a, b))

    def trace(self, start: str, direction: str) -> explore.Trace:
        found = explore.trace(self.store, start, direction, max_results=TRACE_TOP)
        return explore.Trace(self.with_risk(found.elements), found.reached)


# -- the controls ---------------------------------------------------------------------------

def expand(canvas: Canvas, reader: GraphReader, chosen: list[str], rel: str | None, layout: str | None) -> Change:
    """Expand the chosen nodes (by one relationship type, or every type)."""
    if not chosen:
        return Change(message=SELECT_FIRST)
    new = canvas.elements
    for node_id in chosen:
        new = graph.merge(new, reader.expand(node_id, rel))
    added = _nodes(new) - _nodes(canvas.elements)
    return changed(canvas, new, f"expanded {', '.join(chosen)}" + (f" by {explore.KINDS.get(rel, rel)}" if rel else "")
                   + f": {added} new node(s)", layout, anchors=chosen)


def next_page(canvas: Canvas, reader: GraphReader, tapped: dict | None, layout: str | None) -> Change:
    """A tapped "+N more" pager: the next page of its node's neighbours replaces it."""
    if not tapped or tapped.get("kind") != graph.MORE:
        return NOTHING
    rest = [e for e in canvas.elements if eid(e) != tapped["id"]]
    page = reader.expand(tapped["parent_id"], tapped.get("rel"), int(tapped.get("skip") or 0))
    return changed(canvas, graph.merge(rest, page), "", layout, anchors=[tapped["parent_id"]])


# control -> what it does to the elements and the chosen nodes (no graph read)
EDITS = {
    "collapse": lambda elements, chosen: _each(collapse, elements, chosen),
    "hide": lambda elements, chosen: hide(elements, set(chosen)),
    "show_all": lambda elements, _chosen: show_all(elements),
    "remove": lambda elements, chosen: drop(elements, set(chosen)),
    "pin": lambda elements, chosen: pin(elements, set(chosen)),
}


def _each(fn, elements: list[dict], chosen: list[str]) -> list[dict]:
    for node_id in chosen:
        elements = fn(elements, node_id)
    return elements


def edit(canvas: Canvas, control: str, chosen: list[str]) -> Change:
    """Collapse, hide, show all, remove or pin (EDITS); every one but show_all needs a node."""
    if control not in EDITS:
        return NOTHING
    if not chosen and control != "show_all":
        return Change(message=SELECT_FIRST)
    return changed(canvas, EDITS[control](canvas.elements, chosen), "")


def step_back(canvas: Canvas) -> Change:
    """Undo the last change."""
    if not canvas.undo:
        return Change(message="nothing to undo")
    rest = canvas.undo[:-1]
    return changed(canvas.but(undo=rest), undo(canvas.elements, canvas.undo[-1]),
                   f"undone ({len(rest)} step(s) left)", record=False)


def shortest_path(canvas: Canvas, reader: GraphReader, picked: list[str], layout: str | None) -> Change:
    """The shortest path between the two selected nodes, highlighted."""
    if len(picked) != 2:
        return Change(message="select exactly two nodes (shift-click) for a shortest path")
    found = reader.path(picked[0], picked[1])
    if not found:
        return Change(message=f"no path of up to {explore.MAX_HOPS} hops between {picked[0]} and {picked[1]}")
    new = mark_path(graph.merge(canvas.elements, found), {eid(e) for e in found})
    return changed(canvas, new, f"shortest path: {sum(1 for e in found if not is_node(e))} hop(s)", layout,
                   anchors=picked)


def trace_funds(canvas: Canvas, reader: GraphReader, chosen: list[str], direction: str | None,
                layout: str | None) -> Change:
    """Trace funds from the first chosen account or wallet; the best paths are highlighted."""
    if not chosen:
        return Change(message=SELECT_FIRST)
    if split_id(chosen[0])[0] not in ("Account", "Wallet"):
        return Change(message="trace funds starts from an account or a wallet")
    direction = direction or "forward"
    found = reader.trace(chosen[0], direction)
    if not found.reached:
        return Change(message="no money movements to trace")
    new = mark_path(graph.merge(canvas.elements, found.elements), {eid(e) for e in found.elements})
    return changed(canvas, new, f"trace {direction}: {found.reached} entities reached; showing the best "
                                f"{min(found.reached, TRACE_TOP)} path(s)", layout, anchors=chosen[:1])


def pinned_positions(elements: list[dict]) -> dict[str, dict[str, float]]:
    """Where the pinned nodes are (they stay there through every layout)."""
    return {eid(e): e["position"] for e in elements
            if is_node(e) and PINNED in graph.classes_of(e) and "position" in e}


def relayout(canvas: Canvas, name: str | None, run: int) -> tuple[Canvas | None, dict[str, Any]]:
    """Lay out every node again with the chooser's entry `name`, pinned nodes left in place:
    the new canvas when the server placed the nodes (preset; else None) and the cytoscape
    layout to run (`run` makes it a new one: the browser runs a layout when it changes)."""
    pinned = pinned_positions(canvas.elements)
    if name == PRESET:
        placed = placement.absorb(styles.preset_layout(canvas.elements), pinned)
        return canvas.but(elements=placed), styles.layout_for(PRESET, run)
    # a fresh layout (what a re-layout is asked for): fcose from its own spectral start
    return None, styles.layout_for(name, run, pinned, nodes=_nodes(canvas.elements))


def narrow(canvas: Canvas, value: list[int] | None) -> Change:
    """The time slider moved: money movements outside the window are hidden (no undo step).
    The slider's own echo of a change (the value the canvas already has) changes nothing."""
    lo, hi, current, disabled = canvas.slider()
    if disabled or not value or list(value) == current:
        return NOTHING
    window = None if value[0] <= lo and value[1] >= hi else (int(value[0]), int(value[1]))
    return Change(canvas.but(elements=arranged(graph.filter_time(canvas.elements, value[0], value[1]), canvas),
                             window=window), "")


# -- the context menu, add by id ---------------------------------------------------------------

# expand by kind: menu item -> what explore.expand follows (None: every relationship)
EXPAND_ITEMS = {"expand": None, "expand-money": "money", "expand-identifiers": "identifiers"}
NODE_MENU = [("expand", "Expand: everything"), ("expand-money", "Expand: money movements"),
             ("expand-identifiers", "Expand: shared identifiers"), ("hide", "Hide"), ("pin", "Pin / unpin"),
             ("trace-forward", "Trace funds forward"), ("trace-backward", "Trace funds backward"),
             ("details", "Open details"), ("new-case", "New case with this node"),
             ("add-to-case", "Add to the case picked above"), ("collapse-group", "Collapse its group"),
             ("expand-group", "Expand the group")]
EDGE_MENU = [("show-movements", "Show the movements one by one"), ("bundle", "Bundle the movements again")]


def context_menu() -> list[dict[str, Any]]:
    """The canvas's right-click menu (dash-cytoscape's contextMenu: a click reports
    contextMenuData to the server, which `menu` acts on)."""
    return ([{"id": i, "label": label, "availableOn": ["node"]} for i, label in NODE_MENU]
            + [{"id": i, "label": label, "availableOn": ["edge"]} for i, label in EDGE_MENU])


def _element(canvas: Canvas, element_id: str | None) -> dict | None:
    return next((e for e in canvas.elements if eid(e) == element_id), None)


def _group_of(canvas: Canvas, node_id: str | None) -> str | None:
    """The group box a node is (or is in)."""
    e = _element(canvas, node_id)
    if e is None:
        return None
    return e["data"]["id"] if e["data"].get("kind") == graph.COMPOUND else e["data"].get("parent")


def regroup(canvas: Canvas, node_id: str | None, collapse: bool) -> Change:
    """Collapse the group box of `node_id` to one node, or expand it again."""
    gid = _group_of(canvas, node_id)
    if gid is None:
        return Change(message="that node is in no group box (a ring's or a model group's members are)")
    collapsed = tuple(g for g in canvas.collapsed if g != gid) + ((gid,) if collapse else ())
    return changed(canvas.but(collapsed=collapsed), canvas.elements, f"group {'collapsed' if collapse else 'expanded'}")


def rebundle(canvas: Canvas, edge_id: str | None, show: bool) -> Change:
    """Show a bundle's movements one by one (its id kept in `opened`), or bundle them again."""
    e = _element(canvas, edge_id)
    if e is None or is_node(e) or e["data"].get("kind") not in graph.MONEY:
        return Change(message="pick a money movement or a bundle of them")
    d = e["data"]
    bid = graph.bundle_id(d["kind"], d["source"], d["target"])
    if show and not graph.is_bundle(e):
        return Change(message="this is one movement already")
    opened = tuple(b for b in canvas.opened if b != bid) + ((bid,) if show else ())
    said = f"{d.get('count')} movements shown one by one" if show else "movements bundled again"
    return changed(canvas.but(opened=opened), canvas.elements, said)


def menu(canvas: Canvas, reader: GraphReader, picked: dict | None, layout: str | None) -> Change:
    """What a context-menu item does to the element it was opened on (contextMenuData)."""
    item, target = (picked or {}).get("menuItemId"), (picked or {}).get("elementId")
    if not target:
        return NOTHING
    if item in EXPAND_ITEMS:
        return expand(canvas, reader, [target], EXPAND_ITEMS[item], layout)
    if item in ("hide", "pin"):
        return edit(canvas, item, [target])
    if item in ("trace-forward", "trace-backward"):
        return trace_funds(canvas, reader, [target], item.split("-")[1], layout)
    if item in ("collapse-group", "expand-group"):
        return regroup(canvas, target, item == "collapse-group")
    if item in ("show-movements", "bundle"):
        return rebundle(canvas, target, item == "show-movements")
    return NOTHING


ADD_MAX = 20      # hits of one "add to canvas" search


def add(canvas: Canvas, reader: GraphReader, text: str | None, layout: str | None) -> Change:
    """Add to the canvas by node id ("Account:A1", several comma-separated) or by search (the
    first ADD_MAX hits, as the Search page finds them)."""
    wanted = [t.strip() for t in (text or "").split(",") if t.strip()]
    if not wanted:
        return Change(message="type a node id (Account:A100000001) or what to search for")
    ids: list[str] = []
    for t in wanted:
        label, sep, key = t.partition(":")
        if sep and label in model().nodes and key:
            ids.append(t)
        else:
            ids += [h["id"] for h in explore.search(reader.store, t, limit=ADD_MAX)]
    if not ids:
        return Change(message=f"nothing found for {', '.join(wanted)}")
    found, problems = reader.open(list(dict.fromkeys(ids)))
    new = graph.merge(canvas.elements, found)
    added = _nodes(new) - _nodes(canvas.elements)
    return changed(canvas, new, f"added {added} node(s)" + (f"; {'; '.join(problems)}" if problems else ""),
                   layout, anchors=[eid(e) for e in found if is_node(e)][:1])


def chosen_nodes(selected: list[dict] | None, focus: str | None) -> list[str]:
    """The nodes a control acts on: the selection, else the node last tapped."""
    return node_ids_of(selected) or ([focus] if focus else [])


def image_options(kind: str) -> dict[str, Any]:
    """cytoscape.js image options for an export of the whole graph: a PNG scaled so its long
    side is IMAGE_MAX_PX (cytoscape picks the scale that fits; the screen's 400 px canvas became
    a 410 px image with unreadable labels), on white; an SVG is vector (any size)."""
    if kind == "svg":
        return {"full": True, "bg": "white"}
    return {"full": True, "bg": "white", "maxWidth": IMAGE_MAX_PX, "maxHeight": IMAGE_MAX_PX}
