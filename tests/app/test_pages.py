"""The pure functions behind the pages' callbacks (app/pages/_canvas.py, _tables.py),
without a browser or a database (the results grid's: test_grid.py)."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from casegraph.graph import HIDDEN, PATH, TIME_HIDDEN, pager
from casegraph.app.pages import _canvas as c
from casegraph.app.pages import _tables as t
from casegraph.catalogue import Param
from casegraph.store import Result


def node(nid, **classes):
    label, _, key = nid.partition(":")
    return {"data": {"id": nid, "label": key, "kind": label, "key": key, "props": {}, "risk": []},
            "classes": " ".join([label, *classes.get("extra", [])])}


def edge(eid, s, d, kind="TRANSFERRED", at=None):
    return {"data": {"id": eid, "source": s, "target": d, "kind": kind, "label": "", "props": {},
                     "amount_usd": None, "at": at}, "classes": kind}


def ids_of(elements):
    return [e["data"]["id"] for e in elements]


@pytest.fixture
def star():
    """A1 linked to A2, A3 (leaves) and A4, which also links to A5; plus a pager off A1."""
    return [node("Account:A1"), node("Account:A2"), node("Account:A3"), node("Account:A4"), node("Account:A5"),
            edge("T:1", "Account:A1", "Account:A2", at=1000), edge("T:2", "Account:A3", "Account:A1", at=2000),
            edge("T:3", "Account:A1", "Account:A4", at=3000), edge("T:4", "Account:A4", "Account:A5", at=4000),
            *pager("Account:A1", None, 25, 7)]


def test_undo_reverses_every_kind_of_change(star):
    changes = [lambda e: c.drop(e, {"Account:A4"}), lambda e: c.hide(e, {"Account:A2"}),
               lambda e: c.collapse(e, "Account:A1"), lambda e: c.pin(e, {"Account:A3"}),
               lambda e: c.mark_path(e, {"Account:A1", "T:3"}), lambda e: e + [node("Wallet:0xabc")]]
    for change in changes:
        after = change(star)
        assert after != star
        back = c.undo(after, c.diff(star, after))
        assert sorted(map(json.dumps, back)) == sorted(map(json.dumps, star))


def test_undo_steps_back_in_order_and_the_stack_is_bounded(star):
    stack, states, now = [], [star], star
    for i in range(c.UNDO_LIMIT + 5):
        new = now + [node(f"Account:X{i}")]
        stack = c.push(stack, now, new)
        states.append(new)
        now = new
    assert len(stack) == c.UNDO_LIMIT
    for expected in reversed(states[-c.UNDO_LIMIT - 1:-1]):
        now, stack = c.undo(now, stack[-1]), stack[:-1]
        assert set(ids_of(now)) == set(ids_of(expected))
    assert c.push([], star, list(star)) == []       # no change, no undo step


def test_undo_stack_entries_are_small(star):
    big = star + [node(f"Account:B{i}") for i in range(1000)]
    entry = c.diff(big, c.hide(big, {"Account:A2"}))
    assert entry["added"] == [] and entry["removed"] == []
    assert {e["data"]["id"] for e in entry["changed"]} == {"Account:A2", "T:1"}   # not the 1000 others


def test_drop_takes_edges_and_pagers_with_the_node(star):
    left = c.drop(star, {"Account:A1"})
    assert set(ids_of(left)) == {"Account:A2", "Account:A3", "Account:A4", "Account:A5", "T:4"}


def test_collapse_removes_only_the_leaves_and_pagers(star):
    left = set(ids_of(c.collapse(star, "Account:A1")))
    assert left == {"Account:A1", "Account:A4", "Account:A5", "T:3", "T:4"}


def test_hide_show_all_and_visible(star):
    hidden = c.hide(star, {"Account:A4"})
    assert {e["data"]["id"] for e in hidden if HIDDEN in e["classes"].split()} == {"Account:A4", "T:3", "T:4"}
    shown = c.visible(hidden)
    assert "Account:A4" not in ids_of(shown) and not any(i.startswith("more:") for i in ids_of(shown))
    assert c.show_all(hidden) == star


def test_pin_toggles_and_locks(star):
    once = c.pin(star, {"Account:A2", "more:Account:A1:*:25"})
    a2 = next(e for e in once if e["data"]["id"] == "Account:A2")
    assert a2["locked"] is True and "pinned" in a2["classes"].split()
    assert all("locked" not in e for e in once if e["data"]["id"] != "Account:A2")   # pagers never pinned
    twice = c.pin(once, {"Account:A2"})
    a2 = next(e for e in twice if e["data"]["id"] == "Account:A2")
    assert a2["locked"] is False and "pinned" not in a2["classes"].split()


def test_mark_path_highlights_only_the_latest(star):
    first = c.mark_path(star, {"Account:A1", "T:1", "Account:A2"})
    second = c.mark_path(first, {"Account:A4"})
    assert [e["data"]["id"] for e in second if PATH in e["classes"].split()] == ["Account:A4"]


def test_time_range_and_visible(star):
    assert c.time_range(star) == (1000, 4000)
    assert c.time_range([node("Account:A1")]) is None
    # time-hidden edges are not exported
    filtered = [{**e, "classes": e["classes"] + f" {TIME_HIDDEN}"} if e["data"]["id"] == "T:1" else e for e in star]
    assert "T:1" not in ids_of(c.visible(filtered))


def test_node_ids_of_ignores_pagers():
    assert c.node_ids_of([{"id": "Account:A1", "kind": "Account"}, {"id": "more:x", "kind": "More"}]) == ["Account:A1"]
    assert c.node_ids_of(None) == []


def test_selection_text_names_what_the_server_saw_selected():
    assert c.selection_text(None) == "" and c.selection_text([{"id": "more:x", "kind": "More"}]) == ""
    assert c.selection_text([{"id": "Wallet:0x1", "kind": "Wallet"}, {"id": "Account:A1", "kind": "Account"}]) \
        == "2 selected: Account:A1, Wallet:0x1"


def test_export_files_cover_the_visible_elements(star):
    import networkx as nx
    hidden = c.hide(star, {"Account:A5"})
    files = dict(c.export_files("json", hidden))
    cyjs = json.loads(files["casegraph.cyjs"])
    assert {n["data"]["id"] for n in cyjs["elements"]["nodes"]} == {"Account:A1", "Account:A2", "Account:A3", "Account:A4"}
    graphml = dict(c.export_files("graphml", hidden))["casegraph.graphml"]
    import io
    assert set(nx.read_graphml(io.BytesIO(graphml)).nodes) == {"Account:A1", "Account:A2", "Account:A3", "Account:A4"}
    names = [name for name, _ in c.export_files("csv", hidden)]
    assert names == ["casegraph-nodes.csv", "casegraph-edges.csv"]


# ---- tables ---------------------------------------------------------------------------------

def test_explorer_href_round_trips_ids():
    node_ids = ["Account:A1", "Wallet:0xab/c&d", "Email:x+1@example.com"]
    href = t.explorer_href(node_ids, 12)
    q = parse_qs(urlsplit(href).query)
    assert urlsplit(href).path == "/explorer" and q["ids"] == [",".join(node_ids)] and q["alert"] == ["12"]


def test_alert_rows_name_wallets_and_accounts():
    ring = {"id": 1, "detection": "rings", "entity_key": "A1,A2", "status": "open", "score": 0.91234,
            "entities": ["A1", "A2"], "reasons": ["shared device d1", "registered together"],
            "result": {"members": ["A1", "A2"]}, "updated_at": 0}
    report = {"id": 2, "detection": "scam_triage", "entity_key": "SR1", "status": "open", "score": 0.5,
              "entities": ["0xabc"], "reasons": ["r"], "result": {"suspect": "0xabc", "address": "0xabc"},
              "updated_at": 0}
    trace = {**report, "id": 3, "result": {"entity": "0xabc", "kind": "wallet"}}
    assert t.alert_node_ids(ring) == ["Account:A1", "Account:A2"]
    assert t.alert_node_ids(report) == ["Wallet:0xabc"] and t.alert_node_ids(trace) == ["Wallet:0xabc"]
    row = t.table_rows([ring])[0]
    assert row["score"] == 0.912 and row["reasons"] == "shared device d1 (+1 more)"
    assert row["updated_at"].startswith("1970-01-01")
    assert row["open"] == "open" and row["open_href"] == t.explorer_href(["Account:A1", "Account:A2"], 1)
    assert row["case"] == "" and row["case_href"] == "" and row["assignee"] == ""
    held = t.table_rows([{**ring, "case_id": 9, "assignee": "inv"}])[0]
    assert held["case"] == "#9" and held["case_href"] == "/cases?id=9" and held["assignee"] == "inv"
    long = t.table_rows([{**ring, "entity_key": "A" * 100, "reasons": ["x" * 500]}])[0]
    assert len(long["entity_key"]) == 40 and long["entity_key"].endswith("…") and len(long["reasons"]) == 160


def test_the_ticked_alerts_are_the_grids_selected_rows():
    assert t.selected_ids([{"id": 3, "score": 0.5}, {"id": "7"}]) == [3, 7]
    assert t.selected_ids(None) == [] and t.selected_ids([]) == []
    assert t.selected_text([{"id": 3}, {"id": 7}]) == "2 alert(s) selected" and t.selected_text(None) == ""


def test_an_alert_opens_with_its_explaining_path_and_whom_a_victim_paid():
    path = [{"from": "A1", "from_label": "Account", "rel": "USED_DEVICE", "dir": "->", "to": "D1", "to_label": "Device"},
            {"from": "D1", "from_label": "Device", "rel": "USED_DEVICE", "dir": "<-", "to": "S1", "to_label": "Account"}]
    linked = {"entities": ["A1"], "result": {"account_id": "A1", "path": path}}
    assert t.alert_node_ids(linked) == ["Account:A1", "Device:D1", "Account:S1"]
    sufferer = {"entities": ["V1"], "result": {"account_id": "V1", "paid_to_nodes": ["Wallet:0xs", "Account:S2"]}}
    assert t.alert_node_ids(sufferer) == ["Account:V1", "Wallet:0xs", "Account:S2"]
    mule = {"entities": ["M1"], "result": {"account_id": "M1", "flow_nodes": ["Account:S1", "Wallet:0xout"]}}
    assert t.alert_node_ids(mule) == ["Account:M1", "Account:S1", "Wallet:0xout"]


def test_form_values_leave_blanks_to_the_header():
    assert t.form_values(["a", "b", "c", "d"], ["  x ", "", None, 3]) == {"a": "x", "d": 3}
    assert t.default_text(Param("limit", "int", 100)) == "100"
    assert t.default_text(Param("ids", "list", ["a"])) == '["a"]'
    assert t.default_text(Param("flag", "bool", False)) == "false"
    assert t.default_text(Param("account_id", "string")) == ""


def test_result_note_says_when_the_row_limit_cut_the_result():
    assert "row limit reached" in t.result_note(Result(columns=["n"], rows=[{"n": 1}], truncated=True), 1)
    assert t.result_note(Result(columns=["n"], rows=[{"n": 1}]), 10) == "1 row(s)"


def test_time_columns_by_model_name_or_at_suffix():
    assert t.time_columns(["registered_at", "first_withdrawal_at", "a.registered_at", "at", "users", "flag"]) == \
        {"registered_at", "first_withdrawal_at", "a.registered_at", "at"}


def test_edge_rows_put_model_properties_first_and_provenance_last():
    data = {"kind": "TRANSFERRED", "props": {"load_id": "L1", "amount_usd": 10.0, "at": 0, "tx_id": "T1",
                                              "source": "transfers.csv", "loaded_at": 0, "extra": "x"}}
    rows = c.edge_rows(data)
    # the key first, then the model's order, then the rest by name, provenance last
    assert [r["property"] for r in rows] == ["tx_id", "amount_usd", "at", "extra", "load_id", "loaded_at", "source"]
    assert [r["provenance"] for r in rows] == [False] * 4 + [True] * 3
    assert rows[2]["value"].startswith("1970-01-01") and rows[5]["value"].startswith("1970-01-01")


def test_properties_show_in_model_order_whatever_order_the_backend_returned():
    neo4j_order = {"loaded_at": 1704067200000, "country": "GB", "source": "accounts.csv", "status": "active",
                   "account_id": "A1", "registered_at": 1704067200000, "zz_extra": 1, "kyc_level": 2}
    rows = c.property_rows({"kind": "Account", "props": neo4j_order})
    assert [r["property"] for r in rows] == ["account_id", "registered_at", "country", "kyc_level", "status",
                                             "zz_extra", "loaded_at", "source"]
    assert rows[1]["value"] == "2024-01-01T00:00:00Z" and rows[-1]["provenance"]
    reordered = dict(reversed(list(neo4j_order.items())))
    assert c.property_rows({"kind": "Account", "props": reordered}) == rows
    assert c.tooltip_text({"kind": "Account", "key": "A1", "props": neo4j_order}, most=3) == \
        "Account A1: account_id=A1, registered_at=2024-01-01T00:00:00Z, country=GB"
    assert c.tooltip_text(None) == ""


def test_search_shows_a_page_and_says_when_there_are_more():
    found = [{"id": f"Account:A{i}", "kind": "Account", "key": f"A{i}", "label": f"A{i}"} for i in range(25)]
    hits, more = t.shown(found, 20)
    assert len(hits) == 20 and more
    assert t.shown(found[:20], 20) == (found[:20], False)
    assert t.hits_count(20, True) == "20+ hits, the first 20 shown" and t.hits_count(7, False) == "7 hit(s)"
