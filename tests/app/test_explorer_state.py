"""app/pages/_explorer.py: the explorer's canvas state and what every control does to it,
over a real embedded graph loaded from canonical CSVs (the page's callbacks only unpack
Dash's arguments and call these)."""
from __future__ import annotations

import pytest

from casegraph import graph
from casegraph.app.pages import _explorer as x
from casegraph.loaders.pipeline import load
from tests.support import write_csv

T = "2024-01-01T10:00:00Z"
HUB_USERS = [f"H{i:02d}" for i in range(30)]          # more than one page (25) of neighbours


@pytest.fixture
def reader(store, state, tmp_path):
    """A1 -> A2 -> A3 transfers at three times, A3 withdraws to 0xb; A1 and A2 share device D1;
    30 accounts share the hub device DHUB."""
    d = tmp_path / "in"
    write_csv(d / "accounts.csv", ["account_id", "registered_at", "country", "kyc_level", "status", "referral_code",
                                   "referred_by"],
              [[a, T, "GB", 1, "active", "", ""] for a in ["A1", "A2", "A3", "A4", *HUB_USERS]])
    write_csv(d / "account_devices.csv", ["account_id", "device_id", "first_seen", "last_seen", "count"],
              [["A1", "D1", T, T, 1], ["A2", "D1", T, T, 1]] + [[h, "DHUB", T, T, 1] for h in HUB_USERS])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
              [["T1", "A1", "A2", "100", "USDT", "2024-02-01T00:00:00Z", "100"],
               ["T2", "A2", "A3", "90", "USDT", "2024-03-01T00:00:00Z", "90"],
               ["T3", "A1", "A2", "5", "USDT", "2024-04-01T00:00:00Z", "5"]])
    write_csv(d / "withdrawals.csv", ["tx_id", "account_id", "address", "amount", "asset", "at", "amount_usd",
                                      "tx_hash", "chain"],
              [["W1", "A3", "0xb", "0.05", "ETH", "2024-05-01T00:00:00Z", "80", "0x01", "ETH"]])
    assert load(store, state, [d], rejects_dir=tmp_path / "rej").ok
    return x.GraphReader(store, state)


def opened(reader, *node_ids) -> x.Canvas:
    elements, problems = reader.open(list(node_ids))
    assert problems == []
    return x.Canvas(elements, [])


def ids(canvas: x.Canvas, nodes: bool = True) -> set[str]:
    return {e["data"]["id"] for e in canvas.elements if graph.is_node(e) == nodes and e["data"]["kind"] != graph.MORE}


def shown_movements(canvas: x.Canvas) -> set[str]:
    return {e["data"]["id"] for e in canvas.elements
            if not graph.is_node(e) and e["data"].get("at") is not None and graph.TIME_HIDDEN not in graph.classes_of(e)}


def test_canvas_round_trips_through_the_store_and_drives_the_slider():
    edge = {"data": {"id": "TRANSFERRED:T9", "source": "Account:A1", "target": "Account:A2", "kind": "TRANSFERRED",
                     "at": 9000}, "classes": "TRANSFERRED"}
    node = {"data": {"id": "Account:A1", "kind": "Account"}, "classes": "Account"}
    c = x.Canvas([node], [{"added": [], "removed": [], "changed": []}], (1, 2))
    assert x.Canvas.load(c.dump()) == c and x.Canvas.load(None) == x.Canvas([], [])
    assert x.Canvas([node], []).slider() == (0, 1, [0, 1], True)             # no movements: disabled
    early = {**edge, "data": {**edge["data"], "id": "TRANSFERRED:T1", "at": 1000}}
    assert x.Canvas([node, early, edge], []).slider() == (1000, 9000, [1000, 9000], False)
    # a narrowed window keeps its bounds inside a span that grew
    assert x.Canvas([node, early, edge], [], (2000, 3000)).slider() == (1000, 9000, [2000, 3000], False)


def test_expand_records_an_undo_step_and_step_back_returns(reader):
    canvas = opened(reader, "Account:A1")
    assert x.expand(canvas, reader, [], None, "cose") == x.Change(message=x.SELECT_FIRST)
    grown = x.expand(canvas, reader, ["Account:A1"], None, "cose")
    assert ids(grown.canvas) == {"Account:A1", "Account:A2", "Device:D1"}
    assert grown.message == "expanded Account:A1: 2 new node(s)" and len(grown.canvas.undo) == 1
    by_kind = x.expand(canvas, reader, ["Account:A1"], "USED_DEVICE", "cose")
    assert ids(by_kind.canvas) == {"Account:A1", "Device:D1"} and by_kind.message.endswith("by USED_DEVICE: 1 new node(s)")
    back = x.step_back(grown.canvas)
    assert ids(back.canvas) == {"Account:A1"} and back.canvas.undo == [] and back.message == "undone (0 step(s) left)"
    assert x.step_back(back.canvas) == x.Change(message="nothing to undo")


def test_a_pager_fetches_the_next_page_in_its_place(reader):
    first = x.expand(opened(reader, "Device:DHUB"), reader, ["Device:DHUB"], None, "cose").canvas
    pagers = [e["data"] for e in first.elements if e["data"]["kind"] == graph.MORE and graph.is_node(e)]
    assert len(pagers) == 1 and len(ids(first)) == 1 + 25
    assert x.next_page(first, reader, {"kind": "Account", "id": "Account:H00"}, "cose") == x.NOTHING
    second = x.next_page(first, reader, pagers[0], "cose").canvas
    assert ids(second) == {"Device:DHUB", *(f"Account:{h}" for h in HUB_USERS)}
    assert pagers[0]["id"] not in {e["data"]["id"] for e in second.elements}


def test_edits_act_on_the_chosen_nodes(reader):
    canvas = x.expand(opened(reader, "Account:A1"), reader, ["Account:A1"], None, "cose").canvas
    for control in ("collapse", "hide", "remove", "pin"):
        assert x.edit(canvas, control, []) == x.Change(message=x.SELECT_FIRST)
    assert x.edit(canvas, "no-such-control", ["Account:A1"]) == x.NOTHING
    hidden = x.edit(canvas, "hide", ["Device:D1"]).canvas
    assert graph.HIDDEN in graph.classes_of(next(e for e in hidden.elements if e["data"]["id"] == "Device:D1"))
    assert graph.HIDDEN not in " ".join(e.get("classes", "") for e in x.edit(hidden, "show_all", []).canvas.elements)
    assert ids(x.edit(canvas, "remove", ["Device:D1"]).canvas) == {"Account:A1", "Account:A2"}
    assert ids(x.edit(canvas, "collapse", ["Account:A1"]).canvas) == {"Account:A1"}
    pinned = x.edit(canvas, "pin", ["Account:A2"]).canvas
    assert next(e for e in pinned.elements if e["data"]["id"] == "Account:A2")["locked"] is True
    assert len(pinned.undo) == 2


def test_shortest_path_and_trace_are_highlighted(reader):
    canvas = opened(reader, "Account:A1", "Account:A3")
    assert x.shortest_path(canvas, reader, ["Account:A1"], "cose").message.startswith("select exactly two nodes")
    path = x.shortest_path(canvas, reader, ["Account:A1", "Account:A3"], "cose")
    assert path.message == "shortest path: 2 hop(s)"
    marked = {e["data"]["id"] for e in path.canvas.elements if graph.PATH in graph.classes_of(e)}
    assert {"Account:A1", "Account:A2", "Account:A3"} <= marked
    assert "hops between" in x.shortest_path(canvas, reader, ["Account:A1", "Account:A4"], "cose").message

    assert x.trace_funds(canvas, reader, ["Device:D1"], None, "cose").message == \
        "trace funds starts from an account or a wallet"
    assert x.trace_funds(canvas, reader, ["Account:A4"], "forward", "cose") == \
        x.Change(message="no money movements to trace")
    traced = x.trace_funds(canvas, reader, ["Account:A1"], None, "cose")
    assert traced.message == "trace forward: 3 entities reached; showing the best 3 path(s)"
    assert {"Account:A2", "Account:A3", "Wallet:0xb"} <= ids(traced.canvas)


def test_the_time_window_hides_movements_and_holds_for_what_comes_next(reader):
    canvas = x.expand(opened(reader, "Account:A2"), reader, ["Account:A2"], "TRANSFERRED", "cose").canvas
    assert shown_movements(canvas) == {"TRANSFERRED:T1", "TRANSFERRED:T2", "TRANSFERRED:T3"}
    lo, hi, value, disabled = canvas.slider()
    assert not disabled and value == [lo, hi]
    assert x.narrow(canvas, value) == x.NOTHING                 # the slider's echo of a change
    cut = x.narrow(canvas, [lo, lo + 40 * 86_400_000]).canvas   # up to mid-March: T1, T2
    assert shown_movements(cut) == {"TRANSFERRED:T1", "TRANSFERRED:T2"} and cut.undo == canvas.undo
    # movements added later are held to the window too (W1 in May falls outside)
    grown = x.expand(cut, reader, ["Account:A3"], None, "cose").canvas
    assert "Wallet:0xb" in ids(grown) and "WITHDREW:W1" not in shown_movements(grown)
    assert x.Canvas.load(grown.dump()).window == cut.window
    full = x.narrow(grown, [grown.slider()[0], grown.slider()[1]]).canvas
    assert full.window is None and "WITHDREW:W1" in shown_movements(full)


def test_the_preset_layout_places_new_nodes(reader):
    grown = x.expand(opened(reader, "Account:A1"), reader, ["Account:A1"], None, x.PRESET).canvas
    assert all("position" in e for e in grown.elements if graph.is_node(e))


def test_csv_and_graphml_exports_carry_iso_8601_times(reader):
    """Issue 16: the explorer's CSV and GraphML downloads write the loaded times as ISO 8601
    UTC text, as they were given, not as epoch milliseconds."""
    import csv
    import io

    import networkx as nx

    from casegraph.app.pages._canvas import export_files
    canvas = x.expand(opened(reader, "Account:A1"), reader, ["Account:A1"], "TRANSFERRED", "cose").canvas
    (_, nodes_csv), (_, edges_csv) = export_files("csv", canvas.elements)
    a1 = next(r for r in csv.DictReader(io.StringIO(nodes_csv)) if r["id"] == "Account:A1")
    assert a1["registered_at"] == T and a1["loaded_at"].endswith("Z") and "T" in a1["loaded_at"]
    ats = sorted(r["at"] for r in csv.DictReader(io.StringIO(edges_csv)))
    assert ats == ["2024-02-01T00:00:00Z", "2024-04-01T00:00:00Z"]
    ((name, graphml),) = export_files("graphml", canvas.elements)
    g = nx.read_graphml(io.BytesIO(graphml), force_multigraph=True)
    assert name == "casegraph.graphml" and g.nodes["Account:A1"]["registered_at"] == T
    assert sorted(d["at"] for _, _, d in g.edges(data=True)) == ats


def test_png_exports_are_scaled_to_print_size_and_svg_is_vector():
    from casegraph.app.pages import _explorer
    png = _explorer.image_options("png")
    assert png["full"] and png["maxWidth"] == png["maxHeight"] == _explorer.IMAGE_MAX_PX >= 3000
    assert "maxWidth" not in _explorer.image_options("svg")


def test_an_expand_keeps_every_drawn_node_where_it_is_and_places_only_the_new_ones(reader):
    """Issue 16: incremental layout. The browser's positions (its store) come in with the canvas;
    an expand sends them back unchanged and places only the new nodes, without a layout run."""
    first = x.expand(opened(reader, "Account:A1"), reader, ["Account:A1"], None, "fcose")
    assert first.layout == "fcose"                      # nothing had a place: the browser lays it all out
    drawn = {e["data"]["id"]: {"x": 10.0 * i, "y": -3.5 * i} for i, e in enumerate(first.canvas.elements)
             if graph.is_node(e)}
    canvas = x.Canvas.load(first.canvas.dump(), drawn)
    grown = x.expand(canvas, reader, ["Account:A2"], None, "fcose")
    assert grown.layout is None
    after = {e["data"]["id"]: e["position"] for e in grown.canvas.elements if graph.is_node(e)}
    assert {k: after[k] for k in drawn} == drawn
    assert set(after) - set(drawn) >= {"Account:A3"}
    assert x.step_back(grown.canvas).canvas.elements == canvas.elements          # undo: back where they were


def test_relayout_keeps_pinned_nodes_and_the_server_preset_places_the_rest(reader):
    from casegraph.app.pages._canvas import pin
    canvas = x.expand(opened(reader, "Account:A1"), reader, ["Account:A1"], None, "fcose").canvas
    drawn = {e["data"]["id"]: {"x": 7.0 * i, "y": 2.0 * i} for i, e in enumerate(canvas.elements) if graph.is_node(e)}
    canvas = x.Canvas(pin(x.Canvas.load(canvas.dump(), drawn).elements, {"Account:A1"}), [])
    none, run = x.relayout(canvas, "fcose", 5)
    assert none is None and run["name"] == "fcose" and run["run"] == 5 and run["quality"] == "default"
    assert run["fixedNodeConstraint"] == [{"nodeId": "Account:A1", "position": drawn["Account:A1"]}]
    placed, run = x.relayout(canvas, x.PRESET, 6)
    assert run["name"] == "preset"
    at = {e["data"]["id"]: e["position"] for e in placed.elements if graph.is_node(e)}
    assert at["Account:A1"] == drawn["Account:A1"] and at != drawn
    assert x.start_layout(placed.elements, large=True) == x.KEEP
    assert x.start_layout(opened(reader, "Account:A1").elements, large=False) == "fcose"


def test_only_the_new_elements_are_sent_when_nothing_else_changed(reader):
    from casegraph.app.pages._canvas import appended
    canvas = x.expand(opened(reader, "Account:A1"), reader, ["Account:A1"], None, "fcose").canvas
    drawn = x.Canvas.load(canvas.dump(), {e["data"]["id"]: {"x": 1.0, "y": 2.0} for e in canvas.elements
                                          if graph.is_node(e)})
    grown = x.expand(drawn, reader, ["Account:A2"], None, "fcose").canvas
    added = appended(drawn.elements, grown.elements)
    assert added and {e["data"]["id"] for e in added} == ids(grown, True) - ids(drawn, True) | (
        ids(grown, False) - ids(drawn, False))
    assert appended(canvas.elements, drawn.elements) == []                 # positions alone: nothing new
    hidden = x.edit(grown, "hide", ["Account:A3"]).canvas
    assert appended(grown.elements, hidden.elements) is None               # a class changed: send everything
    assert appended(grown.elements, drawn.elements) is None                # elements gone: send everything


def _bundle(canvas: x.Canvas) -> dict | None:
    return next((e for e in canvas.elements if graph.is_bundle(e)), None)


def test_repeated_transfers_are_one_bundle_the_menu_opens_and_closes(reader):
    c = x.expand(opened(reader, "Account:A1"), reader, ["Account:A1"], None, None).canvas
    bid = graph.bundle_id("TRANSFERRED", "Account:A1", "Account:A2")
    bundle = _bundle(c)
    assert bundle["data"]["id"] == bid and bundle["data"]["count"] == 2 and bundle["data"]["amount_usd"] == 105.0
    assert x.Canvas.load(c.dump()) == c
    edges = sum(1 for e in graph.visible(c.elements) if not graph.is_node(e))
    assert x.count_text(c) == f"{len(ids(c))} node(s), {edges} edge(s) shown, drawn as {edges - 1} line(s)"
    # right-click "show the movements": T1 and T3 drawn one by one, then bundled again
    shown = x.menu(c, reader, {"menuItemId": "show-movements", "elementId": bid}, None).canvas
    assert _bundle(shown) is None and shown.opened == (bid,)
    assert x.count_text(shown) == f"{len(ids(shown))} node(s), {edges} edge(s) shown"     # each drawn
    assert not [e for e in shown.elements if graph.BUNDLED in graph.classes_of(e)]
    again = x.menu(shown, reader, {"menuItemId": "bundle", "elementId": "TRANSFERRED:T1"}, None).canvas
    assert _bundle(again)["data"]["id"] == bid and again.opened == ()
    assert x.menu(c, reader, {"menuItemId": "show-movements", "elementId": "Account:A1"}, None).message.startswith(
        "pick a money movement")
    # a narrower time window counts only the movements inside it
    narrowed = x.narrow(c, [c.slider()[0], c.slider()[1] - 1]).canvas
    assert _bundle(narrowed) is None      # T3 (the latest) is outside: one movement left, drawn as itself


def test_menu_items_act_on_the_node_they_were_opened_on(reader):
    c = opened(reader, "Account:A2")
    grown = x.menu(c, reader, {"menuItemId": "expand", "elementId": "Account:A2"}, None).canvas
    assert {"Account:A1", "Account:A3", "Device:D1"} <= ids(grown)
    hidden = x.menu(grown, reader, {"menuItemId": "hide", "elementId": "Account:A3"}, None).canvas
    assert graph.HIDDEN in graph.classes_of(next(e for e in hidden.elements if e["data"]["id"] == "Account:A3"))
    traced = x.menu(grown, reader, {"menuItemId": "trace-forward", "elementId": "Account:A2"}, None)
    assert traced.message.startswith("trace forward")
    assert x.menu(grown, reader, {"menuItemId": "expand"}, None) == x.NOTHING          # no element: nothing
    assert x.menu(grown, reader, {"menuItemId": "fly", "elementId": "Account:A2"}, None) == x.NOTHING
    items = {i["id"]: i["availableOn"] for i in x.context_menu()}
    assert items["expand"] == ["node"] and items["show-movements"] == ["edge"]
    assert items["add-to-case"] == items["new-case"] == ["node"]          # both done by explorer.to_case


def test_the_menu_expands_by_kind(reader):
    """A2 has money links (A1, A3) and a shared device (D1): each kind brings only its own."""
    c = opened(reader, "Account:A2")
    money = x.menu(c, reader, {"menuItemId": "expand-money", "elementId": "Account:A2"}, None)
    assert ids(money.canvas) == {"Account:A1", "Account:A2", "Account:A3"}
    assert money.message == "expanded Account:A2 by money movements: 2 new node(s)"
    shared = x.menu(c, reader, {"menuItemId": "expand-identifiers", "elementId": "Account:A2"}, None).canvas
    assert ids(shared) == {"Account:A2", "Device:D1"}
    both = x.menu(money.canvas, reader, {"menuItemId": "expand-identifiers", "elementId": "Account:A2"}, None).canvas
    assert ids(both) == {"Account:A1", "Account:A2", "Account:A3", "Device:D1"}


def test_a_rings_members_sit_in_a_box_that_collapses_to_one_node(reader):
    members = ["Account:A1", "Account:A2"]
    c = x.Canvas(opened(reader, "Account:A1", "Account:A2", "Account:A3").elements, [],
                 groups={"alert-9": ["ring, alert 9 (2 accounts)", members]})
    c = x.expand(c, reader, ["Account:A2"], None, None).canvas
    box = graph.group_id("alert-9")
    parents = {e["data"]["id"]: e["data"].get("parent") for e in c.elements if graph.is_node(e)}
    assert parents["Account:A1"] == parents["Account:A2"] == box and parents["Account:A3"] is None
    closed = x.menu(c, reader, {"menuItemId": "collapse-group", "elementId": "Account:A1"}, None).canvas
    assert closed.collapsed == (box,)
    metas = {(e["data"]["source"], e["data"]["target"]) for e in closed.elements if e["data"]["kind"] == graph.META}
    assert (box, "Account:A3") in metas and ("Device:D1", box) not in metas      # D1 <- A1, A2: a link into the box
    assert any(s == box and t == "Device:D1" for s, t in metas)
    # collapsed it stays collapsed through the next change, and expands again
    still = x.edit(closed, "pin", ["Account:A3"]).canvas
    assert any(e["data"]["kind"] == graph.META for e in still.elements)
    opened_again = x.menu(still, reader, {"menuItemId": "expand-group", "elementId": box}, None).canvas
    assert opened_again.collapsed == () and not any(e["data"]["kind"] == graph.META for e in opened_again.elements)
    assert x.regroup(c, "Account:A3", True).message.startswith("that node is in no group box")


def test_add_to_the_canvas_by_id_or_by_search(reader):
    c = opened(reader, "Account:A1")
    by_id = x.add(c, reader, "Account:A3, Wallet:0xb", None)
    assert {"Account:A3", "Wallet:0xb"} <= ids(by_id.canvas) and by_id.message == "added 2 node(s)"
    searched = x.add(c, reader, "H0", None).canvas          # the hub users H00..H09 start with it
    assert {f"Account:H0{i}" for i in range(10)} <= ids(searched)
    assert x.add(c, reader, "  ", None).message.startswith("type a node id")
    assert x.add(c, reader, "zzz-nothing", None).message == "nothing found for zzz-nothing"
    missing = x.add(c, reader, "Account:NOPE", None)
    assert "Account:NOPE is not in the graph" in missing.message
