"""app/canvas.py: what goes to a canvas's elements after a change: only the new elements when
nothing else changed, else everything, and never a position for a node already drawn."""
from __future__ import annotations

from dash import Patch, no_update

from casegraph.app.canvas import elements_out


def node(nid: str, x: float | None = None, cls: str = "Account") -> dict:
    e = {"data": {"id": nid, "kind": "Account"}, "classes": cls}
    return {**e, "position": {"x": x, "y": 0.0}} if x is not None else e


def test_additions_go_as_a_patch_and_other_changes_whole_without_old_positions():
    old = [node("Account:A1", 1.0), node("Account:A2", 2.0)]
    grown = old + [node("Account:A3", 3.0)]
    sent = elements_out(old, grown)
    assert isinstance(sent, Patch)
    assert sent.to_plotly_json()["operations"] == [{"operation": "Extend", "location": [], "params": {"value": [grown[2]]}}]
    assert elements_out(old, [node("Account:A1", 9.0), node("Account:A2", 2.0)]) is no_update   # moved only
    hidden = [node("Account:A1", 1.0, "Account hidden"), node("Account:A2", 2.0), node("Account:A4", 4.0)]
    assert elements_out(old, hidden) == [node("Account:A1", None, "Account hidden"), node("Account:A2"),
                                         node("Account:A4", 4.0)]
    assert elements_out(None, grown) == grown and elements_out([], grown) == grown
