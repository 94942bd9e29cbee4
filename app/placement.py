"""Incremental layout: where new nodes go on a canvas whose other nodes already have places.

The browser's force layout (fcose) runs once, when a canvas opens or when the investigator
asks for a re-layout. After that every expand, path, trace, page or undo keeps the nodes
already drawn where they are (the part being read stays put) and places only the new ones:
on rings around the node they hang off, facing away from the rest of the canvas, never
closer than GAP to another node. Pure functions over cytoscape element lists; no Dash.

Positions travel as {node id: {"x": float, "y": float}} (what the canvas reports to its
store after every layout and drag, app/assets/canvas.js, and what a case keeps)."""
from __future__ import annotations

import math
from typing import Any, Iterable

from casegraph.graph import COMPOUND, is_node

RING = 110.0        # radius of the first ring around the parent (px, model coordinates)
SPACING = 55.0      # between two new nodes on a ring, and between two rings
GAP = 45.0          # the least distance from a new node to any other node
MAX_RINGS = 60      # past this many rings a node is placed on the last one whatever is there

Positions = dict[str, dict[str, float]]


def placeable(element: dict) -> bool:
    """A node that has a place of its own (a group box's place follows its members)."""
    return is_node(element) and element["data"].get("kind") != COMPOUND


def _xy(p: Any) -> tuple[float, float] | None:
    """(x, y) of a position object, or None when it is not one with finite numbers."""
    if not isinstance(p, dict):
        return None
    x, y = p.get("x"), p.get("y")
    if isinstance(x, bool) or isinstance(y, bool) or not isinstance(x, (int, float)) or not isinstance(y, (int, float)):
        return None
    return (float(x), float(y)) if math.isfinite(x) and math.isfinite(y) else None


def positions_of(elements: Iterable[dict]) -> Positions:
    """The positions the nodes of `elements` carry."""
    out = {}
    for e in elements:
        if placeable(e) and (xy := _xy(e.get("position"))) is not None:
            out[e["data"]["id"]] = {"x": xy[0], "y": xy[1]}
    return out


def absorb(elements: list[dict], positions: dict | None) -> list[dict]:
    """The elements with the browser's positions on the nodes it reported (it is the truth
    about where a node is drawn: the investigator may have dragged it, a layout may have run);
    other nodes keep the position they carry, if any."""
    if not positions:
        return elements
    out = []
    for e in elements:
        if placeable(e) and (xy := _xy(positions.get(e["data"]["id"]))) is not None:
            e = {**e, "position": {"x": xy[0], "y": xy[1]}}
        out.append(e)
    return out


class _Grid:
    """Points in square cells of side GAP: "is anything within GAP of p" looks at 9 cells."""

    def __init__(self, points: Iterable[tuple[float, float]]):
        self.cells: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for p in points:
            self.add(p)

    def _cell(self, p: tuple[float, float]) -> tuple[int, int]:
        return math.floor(p[0] / GAP), math.floor(p[1] / GAP)

    def add(self, p: tuple[float, float]) -> None:
        self.cells.setdefault(self._cell(p), []).append(p)

    def free(self, p: tuple[float, float]) -> bool:
        cx, cy = self._cell(p)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for q in self.cells.get((cx + dx, cy + dy), ()):
                    if (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 < GAP * GAP:
                        return False
        return True


def _ring(anchor: tuple[float, float], count: int, facing: float, grid: _Grid) -> list[tuple[float, float]]:
    """`count` free spots on rings around `anchor`, the first ring first, on each ring the
    spots nearest the direction `facing` (radians) first."""
    spots: list[tuple[float, float]] = []
    for k in range(MAX_RINGS):
        r = RING + k * SPACING
        slots = max(6, int(2 * math.pi * r / SPACING))
        step = 2 * math.pi / slots
        order = [0] + [s for i in range(1, slots // 2 + 1) for s in (i, -i)][: slots - 1]
        for i in order:
            a = facing + i * step
            p = (anchor[0] + r * math.cos(a), anchor[1] + r * math.sin(a))
            if grid.free(p) or k == MAX_RINGS - 1:
                grid.add(p)
                spots.append(p)
                if len(spots) == count:
                    return spots
    return spots


def place(elements: list[dict], anchors: Iterable[str] = ()) -> list[dict]:
    """The elements with a position on every node: nodes that carry one keep it exactly;
    each other node goes on a ring around the placed neighbour it hangs off (the one with
    the most unplaced neighbours, `anchors` first: the nodes just expanded), facing away from
    the canvas's centre, at least GAP from every node. Nodes linked to nothing placed go
    around the first anchor, or right of everything. Unchanged when no node has a position
    (then the browser's layout places them all). Deterministic."""
    given = positions_of(elements)
    placed = {nid: (p["x"], p["y"]) for nid, p in given.items()}
    nodes = [e["data"]["id"] for e in elements if placeable(e)]
    todo = [n for n in nodes if n not in placed]
    if not placed or not todo:
        return elements
    adj: dict[str, set[str]] = {}
    for e in elements:
        d = e["data"]
        if not is_node(e) and d.get("source") and d.get("target"):
            adj.setdefault(d["source"], set()).add(d["target"])
            adj.setdefault(d["target"], set()).add(d["source"])
    grid = _Grid(placed.values())
    xs, ys = [p[0] for p in placed.values()], [p[1] for p in placed.values()]
    centre = (sum(xs) / len(xs), sum(ys) / len(ys))
    preferred = {a: i for i, a in enumerate(anchors)}
    waiting = set(todo)
    while waiting:
        groups: dict[str, list[str]] = {}
        for n in todo:
            if n not in waiting:
                continue
            near = [m for m in adj.get(n, ()) if m in placed]
            if near:
                parent = min(near, key=lambda m: (preferred.get(m, len(preferred)),
                                                  -sum(1 for k in adj.get(m, ()) if k in waiting), m))
                groups.setdefault(parent, []).append(n)
        if not groups:
            break
        for parent, children in sorted(groups.items()):
            at = placed[parent]
            facing = math.atan2(at[1] - centre[1], at[0] - centre[0]) if at != centre else 0.0
            for n, spot in zip(children, _ring(at, len(children), facing, grid)):
                placed[n] = spot
                waiting.discard(n)
    if waiting:
        first = next((a for a in anchors if a in placed), None)
        at = placed[first] if first else (max(xs) + RING + SPACING, centre[1])
        rest = [n for n in todo if n in waiting]
        for n, spot in zip(rest, _ring(at, len(rest), 0.0, grid)):
            placed[n] = spot
    out = []
    for e in elements:
        if is_node(e) and e["data"]["id"] not in given and e["data"]["id"] in placed:
            x, y = placed[e["data"]["id"]]
            e = {**e, "position": {"x": round(x, 2), "y": round(y, 2)}}
        out.append(e)
    return out
