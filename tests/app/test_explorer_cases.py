"""The explorer's "new case" and "add to case" over HTTP, as an attacker would post them:
only the selected ids come from the browser; every element of the case, and so of its
evidence package, is read again from the graph (issue 12.1, forged evidence)."""
from __future__ import annotations

import re

from casegraph import cases
from casegraph.app import ids
from tests.support import body, client_for, post


def _to_case_key(ui_app) -> str:
    keys = [k for k, cb in ui_app.callback_map.items()
            if ids.EXPLORE_NEW_CASE in [i["id"] for i in cb["inputs"]]]
    assert len(keys) == 1, keys
    return keys[0]


def _forged(a: str, b: str) -> tuple[list[dict], dict]:
    """What a browser may send: a selection whose node data was edited, and a canvas holding
    that node and a transfer that never happened."""
    edited = {"id": f"Account:{a}", "kind": "Account", "key": a,
              "props": {"account_id": a, "status": "cleared", "country": "ZZ"}}
    fake = {"data": {"id": "TRANSFERRED:FORGED-1", "source": f"Account:{a}", "target": f"Account:{b}",
                     "kind": "TRANSFERRED", "label": "250,000 USD",
                     "props": {"tx_id": "FORGED-1", "amount": 250000, "asset": "USDT", "amount_usd": 250000}},
            "classes": "TRANSFERRED"}
    canvas = {"elements": [{"data": edited, "classes": "Account"},
                           {"data": {"id": f"Account:{b}", "kind": "Account", "key": b, "props": {}},
                            "classes": "Account"}, fake],
              "undo": [], "window": None}
    return [edited, {"id": f"Account:{b}"}, {"id": "Account:NOT-IN-GRAPH"}], canvas


def _call(ui_app, client, button: str, selected, canvas, case_id=None) -> dict:
    values = {ids.EXPLORE_GRAPH: selected, ids.EXPLORE_CANVAS: canvas, ids.EXPLORE_CASE_PICK: case_id, button: 1}
    r = post(client, body(ui_app, _to_case_key(ui_app), values, changed=(f"{button}.n_clicks",)))
    assert r.status_code == 200, r.data[:500]
    return r.json["response"]


def _graph_elements(store, a: str, b: str) -> tuple[dict, set[str]]:
    row = store.read_cypher("MATCH (x:Account {account_id: $a}) RETURN x", {"a": a}).rows[0]
    moved = store.read_cypher("MATCH (:Account {account_id: $a})-[t:TRANSFERRED]-(:Account {account_id: $b}) "
                              "RETURN t.tx_id AS tx", {"a": a, "b": b}).rows
    return dict(row["x"].properties), {f"TRANSFERRED:{r['tx']}" for r in moved}


def test_a_forged_selection_puts_only_what_the_graph_holds_into_a_case(ui_app):
    from casegraph import app as ui
    store = ui.store()
    pair = store.read_cypher("MATCH (a:Account)-[:TRANSFERRED]->(b:Account) WHERE a <> b "
                             "RETURN a.account_id AS a, b.account_id AS b LIMIT 1").rows[0]
    a, b = pair["a"], pair["b"]
    props, transfers = _graph_elements(store, a, b)
    assert transfers and props["status"] != "cleared"
    client = client_for(ui_app, "inv")
    selected, canvas = _forged(a, b)

    said = _call(ui_app, client, ids.EXPLORE_NEW_CASE, selected, canvas)
    case_id = int(re.search(r"case #(\d+)", str(said)).group(1))
    case = cases.get_case(ui.state(), case_id)
    held = {e["data"]["id"]: e for e in case["elements"]}
    assert held[f"Account:{a}"]["data"]["props"] == props           # the graph's node, not the edited one
    assert "TRANSFERRED:FORGED-1" not in held
    assert transfers <= set(held)                                   # the real transfers between them
    assert "Account:NOT-IN-GRAPH" not in held
    assert any("NOT-IN-GRAPH" in n["text"] for n in case["notes"])
    assert case["provenance"][f"Account:{a}"]["query"] == "ui_nodes"
    assert {case["provenance"][t]["query"] for t in transfers} == {"ui_selection_links"}

    # adding to an existing case: the same rule
    other = cases.create_case(ui.state(), {"name": "inv", "role": "investigator", "disabled": False},
                              "by hand", [], {"query": "test", "params": {}})
    _call(ui_app, client, ids.EXPLORE_ADD_TO_CASE, selected, canvas, case_id=other)
    held = {e["data"]["id"]: e for e in cases.get_case(ui.state(), other)["elements"]}
    assert held[f"Account:{a}"]["data"]["props"] == props
    assert "TRANSFERRED:FORGED-1" not in held and transfers <= set(held)


def test_positions_go_with_the_case_and_the_case_page_saves_its_own(ui_app):
    """Issue 16: where the selected nodes were drawn is kept with the case (only for nodes the
    case holds; a position that is not two finite numbers is refused, naming the field), and
    the case page's "Save layout" keeps where its nodes are drawn now."""
    from casegraph import app as ui
    store = ui.store()
    pair = store.read_cypher("MATCH (a:Account)-[:TRANSFERRED]->(b:Account) WHERE a <> b "
                             "RETURN a.account_id AS a, b.account_id AS b LIMIT 1").rows[0]
    a, b = f"Account:{pair['a']}", f"Account:{pair['b']}"
    client = client_for(ui_app, "inv")
    key = _to_case_key(ui_app)
    values = {ids.EXPLORE_GRAPH: [{"id": a}, {"id": b}], ids.EXPLORE_CANVAS: None, ids.EXPLORE_NEW_CASE: 1,
              ids.EXPLORE_POSITIONS: {a: {"x": 10.5, "y": -4}, b: {"x": 90, "y": 3}, "Account:ELSEWHERE": {"x": 1, "y": 1}}}
    said = post(client, body(ui_app, key, values, changed=(f"{ids.EXPLORE_NEW_CASE}.n_clicks",))).json["response"]
    case_id = int(re.search(r"case #(\d+)", str(said)).group(1))
    assert cases.get_case(ui.state(), case_id)["positions"] == {a: {"x": 10.5, "y": -4.0}, b: {"x": 90.0, "y": 3.0}}

    save = next(
        k for k, cb in ui_app.callback_map.items() if ids.CASES_SAVE_LAYOUT in [i["id"] for i in cb["inputs"]])
    moved = {ids.CASES_SAVE_LAYOUT: 1, ids.CASES_ID: case_id, ids.CASES_VERSION: 0,
             ids.CASES_POSITIONS: {a: {"x": 1, "y": 2}, b: {"x": 3, "y": "far"}}}
    r = post(client, body(ui_app, save, moved, changed=(f"{ids.CASES_SAVE_LAYOUT}.n_clicks",))).json["response"]
    assert "positions['Account:" in str(r) and "y: expected a finite number" in str(r)
    moved[ids.CASES_POSITIONS] = {a: {"x": 1, "y": 2}}
    r = post(client, body(ui_app, save, moved, changed=(f"{ids.CASES_SAVE_LAYOUT}.n_clicks",))).json["response"]
    assert "layout saved: 1 node position(s)" in str(r)
    assert cases.get_case(ui.state(), case_id)["positions"] == {a: {"x": 1.0, "y": 2.0}, b: {"x": 90.0, "y": 3.0}}
