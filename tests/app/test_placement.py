"""app/placement.py: incremental layout. Nodes that have a place keep it exactly; new ones go
on rings around the node they hang off, never on top of another node; the same every time."""
from __future__ import annotations

import math
import random

from casegraph.app import placement


def node(nid: str, x: float | None = None, y: float | None = None, **extra) -> dict:
    e = {"data": {"id": nid, "kind": nid.split(":")[0]}, "classes": nid.split(":")[0], **extra}
    if x is not None:
        e["position"] = {"x": x, "y": y}
    return e


def edge(a: str, b: str) -> dict:
    return {"data": {"id": f"E:{a}-{b}", "source": a, "target": b, "kind": "E"}}


def spots(elements) -> dict[str, tuple[float, float]]:
    return {e["data"]["id"]: (e["position"]["x"], e["position"]["y"]) for e in elements if "source" not in e["data"]}


def closest_pair(points) -> float:
    pts = list(points)
    return min(math.dist(p, q) for i, p in enumerate(pts) for q in pts[i + 1:])


def test_new_nodes_go_around_their_parent_and_old_ones_stay_exactly():
    old = [node("A:1", 0, 0), node("A:2", 200, 0), node("A:3", 100, 150.5, locked=True, classes="A pinned")]
    new = [node(f"D:{i}") for i in range(25)]
    elements = old + [edge("A:1", "A:2")] + new + [edge("A:2", n["data"]["id"]) for n in new]
    placed = spots(placement.place(elements, ["A:2"]))
    assert {k: placed[k] for k in ("A:1", "A:2", "A:3")} == {"A:1": (0, 0), "A:2": (200, 0), "A:3": (100, 150.5)}
    for n in new:
        d = math.dist(placed[n["data"]["id"]], placed["A:2"])
        assert placement.RING - 0.01 <= d <= placement.RING + 3 * placement.SPACING
    assert closest_pair(placed.values()) >= placement.GAP - 0.01           # nothing on top of anything
    # facing away from the rest: the first new node lies right of its parent (A:1 is to the left)
    assert placed["D:0"][0] > placed["A:2"][0]
    assert placement.place(elements, ["A:2"]) == placement.place(elements, ["A:2"])       # deterministic


def test_chains_hang_off_what_was_just_placed_and_strays_go_to_the_side():
    elements = [node("A:1", 0, 0), node("A:2"), node("A:3"), node("Z:9"),
                edge("A:1", "A:2"), edge("A:2", "A:3")]             # a path A1 - A2 - A3; Z9 linked to nothing
    placed = spots(placement.place(elements))
    assert math.dist(placed["A:2"], placed["A:1"]) == placement.RING or \
        abs(math.dist(placed["A:2"], placed["A:1"]) - placement.RING) < 0.01
    assert abs(math.dist(placed["A:3"], placed["A:2"]) - placement.RING) < 0.01
    assert placed["Z:9"][0] > 0 and closest_pair(placed.values()) >= placement.GAP - 0.01


def test_a_crowded_canvas_still_gets_free_spots():
    rnd = random.Random(3)
    old = [node(f"A:{i}", rnd.uniform(-400, 400), rnd.uniform(-400, 400)) for i in range(500)]
    new = [node(f"N:{i}") for i in range(25)]
    elements = old + new + [edge("A:0", n["data"]["id"]) for n in new]
    placed = spots(placement.place(elements, ["A:0"]))
    before = {e["data"]["id"]: (e["position"]["x"], e["position"]["y"]) for e in old}
    assert {k: placed[k] for k in before} == before
    for n in new:
        p = placed[n["data"]["id"]]
        assert all(math.dist(p, q) >= placement.GAP - 0.01 for k, q in placed.items() if k != n["data"]["id"])


def test_nothing_placed_means_nothing_to_keep_and_absorb_takes_the_browsers_positions():
    elements = [node("A:1"), node("A:2"), edge("A:1", "A:2")]
    assert placement.place(elements) == elements                        # the browser lays these out
    moved = placement.absorb(elements, {"A:1": {"x": 5, "y": 6}, "A:2": {"x": "bad", "y": 1}, "E:A:1-A:2": {"x": 1, "y": 1}})
    assert spots(moved[:1]) == {"A:1": (5, 6)} and "position" not in moved[1] and "position" not in moved[2]
    assert placement.positions_of(moved) == {"A:1": {"x": 5.0, "y": 6.0}}
    assert placement.absorb(elements, None) is elements
