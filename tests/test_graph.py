"""casegraph/graph.py: results -> cytoscape elements, and the explorer's list operations."""
from __future__ import annotations

import json

import pytest

from casegraph import graph as g
from casegraph.store.result import Node, Relationship, Result


def _result() -> Result:
    r = Result()
    nodes = [Node("7", ("Account",), {"account_id": "A1", "country": "GB", "source": "accounts.csv",
                                      "load_id": "L1", "loaded_at": 1}),
             Node("8", ("Account",), {"account_id": "A2"}),
             Node("9", ("Wallet",), {"address": "0x" + "ab" * 20, "chain": "ETH"}),
             Node("10", ("Device",), {"device_id": "D1"}),
             Node("11", ("Wallet",), {"address": "0xhot", "label": "exchange:Example hot"}),
             Node("12", ("Scratch",), {"x": 1})]            # not in the model
    rels = [Relationship("1", "TRANSFERRED", "7", "8", {"tx_id": "T1", "amount_usd": 1234.5, "amount": 1234.5,
                                                        "asset": "USDT", "at": 1_700_000_000_000}),
            Relationship("2", "WITHDREW", "8", "9", {"tx_id": "W1", "amount_usd": None, "amount": 0.5,
                                                     "asset": "ETH", "at": 1_700_000_100_000}),
            Relationship("3", "USED_DEVICE", "7", "10", {"first_seen": 1, "count": 3}),
            Relationship("4", "SENT", "9", "11", {"tx_hash": "0xh1", "amount_usd": 10.0, "at": 5}),
            Relationship("5", "USED_DEVICE", "7", "99", {})]  # end node not in the result
    for x in nodes + rels:
        r.collect(x)
    return r


def _by_id(elements):
    return {e["data"]["id"]: e for e in elements}


def test_to_elements_ids_shapes_and_props():
    els = g.to_elements(_result())
    ids = [e["data"]["id"] for e in els]
    wallet = "Wallet:0x" + "ab" * 20
    assert ids == ["Account:A1", "Account:A2", wallet, "Device:D1", "Wallet:0xhot",
                   "TRANSFERRED:T1", "WITHDREW:W1", "USED_DEVICE:Account:A1->Device:D1", "SENT:0xh1"]
    by = _by_id(els)
    a1 = by["Account:A1"]
    assert a1["data"]["kind"] == "Account" and a1["data"]["key"] == "A1" and a1["classes"] == "Account"
    assert a1["data"]["props"]["source"] == "accounts.csv" and a1["data"]["risk"] == []
    assert by[wallet]["data"]["label"] != wallet and len(by[wallet]["data"]["label"]) <= 18
    assert by["Wallet:0xhot"]["data"]["label"] == "Example hot"
    t = by["TRANSFERRED:T1"]["data"]
    assert (t["source"], t["target"], t["kind"]) == ("Account:A1", "Account:A2", "TRANSFERRED")
    assert t["amount_usd"] == 1234.5 and t["at"] == 1_700_000_000_000 and t["label"] == "1,234 USD"
    w = by["WITHDREW:W1"]["data"]
    assert w["amount_usd"] is None and w["label"] == "0.5 ETH"
    # no USD value: the amount in its asset, never "USD"
    assert g.edge_label("SENT", {"amount": 1250.0, "asset": "BTC", "amount_usd": None}) == "1,250 BTC"
    d = by["USED_DEVICE:Account:A1->Device:D1"]["data"]
    assert d["amount_usd"] is None and d["at"] is None and d["props"] == {"first_seen": 1, "count": 3}
    json.dumps(els)  # the store's values travel to the browser as JSON


def test_node_ids_round_trip():
    assert g.split_node_id("Wallet:bc1:odd") == ("Wallet", "bc1:odd")
    for bad in ("nolabel", ":A1", "Account:"):
        with pytest.raises(ValueError):
            g.split_node_id(bad)


def test_merge_keeps_old_state_and_adds_new():
    els = g.to_elements(_result())
    old = [{**e, "position": {"x": 1, "y": 2}} if e["data"]["id"] == "Account:A1" else e for e in els[:3]]
    old = g.with_risk(old, {"Account:A1": ["mule"]})
    fresh = g.to_elements(_result())
    fresh[0]["data"]["props"]["country"] = "DE"
    merged = g.merge(old, fresh)
    assert [e["data"]["id"] for e in merged] == [e["data"]["id"] for e in els]
    a1 = merged[0]
    assert a1["position"] == {"x": 1, "y": 2} and a1["data"]["risk"] == ["mule"]
    assert a1["data"]["props"]["country"] == "DE" and "risk-mule" in a1["classes"]
    assert g.merge(merged, fresh) == merged  # idempotent


def test_merge_replaces_the_pager_of_the_same_slot():
    base = g.to_elements(_result())
    page1 = g.merge(base, g.pager("Account:A1", "TRANSFERRED", 25, 40))
    page1 = g.merge(page1, g.pager("Account:A1", None, 25, 3))
    page2 = g.merge(page1, g.pager("Account:A1", "TRANSFERRED", 50, 15))
    more = [e["data"]["id"] for e in page2 if e["data"]["kind"] == g.MORE and g.is_node(e)]
    assert more == ["more:Account:A1:*:25", "more:Account:A1:TRANSFERRED:50"]
    assert not any(e["data"].get("target") == "more:Account:A1:TRANSFERRED:25" for e in page2)
    p = _by_id(page2)["more:Account:A1:TRANSFERRED:50"]["data"]
    assert (p["parent_id"], p["rel"], p["skip"], p["label"]) == ("Account:A1", "TRANSFERRED", 50, "+15 more")


def test_remove_takes_incident_edges_and_pagers():
    els = g.merge(g.to_elements(_result()), g.pager("Account:A1", None, 25, 3))
    left = _by_id(g.remove(els, ["Account:A1"]))
    assert "Account:A1" not in left and "TRANSFERRED:T1" not in left
    assert "USED_DEVICE:Account:A1->Device:D1" not in left
    assert not any(i.startswith("more:") for i in left)
    assert "Device:D1" in left and "WITHDREW:W1" in left
    assert set(_by_id(g.remove(els, ["SENT:0xh1"]))) == set(_by_id(els)) - {"SENT:0xh1"}


def test_filter_time_hides_only_money_edges_outside_the_window():
    els = g.to_elements(_result())
    f = _by_id(g.filter_time(els, 1_700_000_050_000, None))
    hidden = {i for i, e in f.items() if g.TIME_HIDDEN in g.classes_of(e)}
    assert hidden == {"TRANSFERRED:T1", "SENT:0xh1"}
    f = _by_id(g.filter_time(list(f.values()), None, 1_700_000_050_000))
    assert {i for i, e in f.items() if g.TIME_HIDDEN in g.classes_of(e)} == {"WITHDREW:W1"}
    f = g.filter_time(list(f.values()), None, None)
    assert not any(g.TIME_HIDDEN in g.classes_of(e) for e in f)
    assert [e["data"]["id"] for e in g.visible(f)] == [e["data"]["id"] for e in els]


def test_with_risk_by_id_or_key_and_replaces_old_flags():
    els = g.to_elements(_result())
    flagged = _by_id(g.with_risk(els, {"Account:A1": ["watchlisted", "mule"], "A2": ["reported-victim"]}))
    assert flagged["Account:A1"]["data"]["risk"] == ["mule", "watchlisted"]
    assert flagged["Account:A1"]["classes"].split() == ["Account", "risk-mule", "risk-watchlisted"]
    assert flagged["Account:A2"]["classes"].split() == ["Account", "risk-reported-victim"]
    again = _by_id(g.with_risk(list(flagged.values()), {"Account:A1": []}))
    assert again["Account:A1"]["classes"] == "Account" and again["Account:A1"]["data"]["risk"] == []
    assert again["Account:A2"]["data"]["risk"] == ["reported-victim"]


def _money(tx, kind, source, target, usd, at, amount=None, asset="USDT"):
    return {"data": {"id": f"{kind}:{tx}", "source": source, "target": target, "kind": kind, "at": at,
                     "amount_usd": usd, "props": {"tx_id": tx, "amount_usd": usd, "amount": amount or usd,
                                                  "asset": asset, "at": at}}, "classes": kind}


def _party(nid):
    return {"data": {"id": nid, "kind": nid.split(":")[0], "key": nid.split(":")[1]}, "classes": nid.split(":")[0]}


def test_bundle_draws_one_edge_per_kind_and_direction_for_repeated_money():
    a, b, w = "Account:A1", "Account:A2", "Wallet:0xw"
    els = [_party(a), _party(b), _party(w)]
    els += [_money(f"T{i}", "TRANSFERRED", a, b, 100.0 * (i + 1), 1000 + i) for i in range(3)]   # a -> b, three
    els += [_money("T9", "TRANSFERRED", b, a, 5.0, 2000)]                                       # b -> a, one
    els += [_money("W1", "WITHDREW", a, w, None, 3000, 0.5, "BTC"), _money("W2", "WITHDREW", a, w, None, 3001, 0.25,
                                                                          "BTC")]
    out = g.bundle(els)
    by = _by_id(out)
    ab = by[g.bundle_id("TRANSFERRED", a, b)]["data"]
    assert (ab["count"], ab["amount_usd"], ab["first_at"], ab["last_at"]) == (3, 600.0, 1000, 1002)
    assert ab["label"] == "3x 600.00 USD" and ab["members"] == ["TRANSFERRED:T0", "TRANSFERRED:T1", "TRANSFERRED:T2"]
    aw = by[g.bundle_id("WITHDREW", a, w)]["data"]
    assert aw["amount_usd"] is None and aw["label"] == "2x 0.75 BTC"          # never USD without a USD value
    assert g.bundle_id("TRANSFERRED", b, a) not in by                          # one movement is drawn as itself
    assert {e["data"]["id"] for e in out if g.BUNDLED in g.classes_of(e)} == {
        "TRANSFERRED:T0", "TRANSFERRED:T1", "TRANSFERRED:T2", "WITHDREW:W1", "WITHDREW:W2"}
    # again: the same (bundles are recomputed, not stacked); exports show the movements, not bundles
    assert g.bundle(out) == out
    assert {e["data"]["id"] for e in g.visible(out) if not g.is_node(e)} == {
        "TRANSFERRED:T0", "TRANSFERRED:T1", "TRANSFERRED:T2", "TRANSFERRED:T9", "WITHDREW:W1", "WITHDREW:W2"}
    # an opened bundle shows its movements; a movement outside the time window does not count
    opened = g.bundle(out, opened=[g.bundle_id("TRANSFERRED", a, b)])
    assert g.bundle_id("TRANSFERRED", a, b) not in _by_id(opened)
    assert not [e for e in opened if e["data"]["id"].startswith("TRANSFERRED:T") and g.BUNDLED in g.classes_of(e)]
    narrowed = g.bundle(g.filter_time(out, 1001, None))
    assert _by_id(narrowed)[g.bundle_id("TRANSFERRED", a, b)]["data"]["count"] == 2


def test_group_boxes_hold_members_collapse_to_one_node_and_expand_again():
    a1, a2, a3, out_ = "Account:A1", "Account:A2", "Account:A3", "Wallet:0xw"
    els = [_party(a1), _party(a2), _party(a3), _party(out_)]
    els += [_money("T1", "TRANSFERRED", a1, a2, 5.0, 1), _money("W1", "WITHDREW", a1, out_, 9.0, 2),
            _money("W2", "WITHDREW", a2, out_, 9.0, 3), _money("W3", "WITHDREW", a3, out_, 9.0, 4)]
    boxed = g.grouped(els, {"ring-alert-7": ("ring (alert 7)", [a1, a2, "Account:NOT-HERE"]),
                            "Group:G1": ("model group G1", [a2, a3])})
    by = _by_id(boxed)
    ring = g.group_id("ring-alert-7")
    assert boxed[0]["data"] == {"id": ring, "label": "ring (alert 7)", "kind": g.COMPOUND}
    assert by[a1]["data"]["parent"] == by[a2]["data"]["parent"] == ring
    assert "parent" not in by[a3]["data"] and g.group_id("Group:G1") not in by    # a2 stays in its first box
    assert g.grouped(boxed, {"ring-alert-7": ("ring (alert 7)", [a1, a2])}) == boxed
    # collapsed: one node for the ring, one META edge per outside neighbour, the inner transfer gone
    closed = g.collapse_group(boxed, ring)
    metas = [e["data"] for e in closed if e["data"].get("kind") == g.META]
    assert [(m["source"], m["target"], m["count"]) for m in metas] == [(ring, out_, 2)]
    assert {e["data"]["id"] for e in closed if g.IN_COLLAPSED in g.classes_of(e)} == {a1, a2}
    assert g.COLLAPSED in g.classes_of(_by_id(closed)[ring])
    assert {e["data"]["id"] for e in g.visible(closed)} == {e["data"]["id"] for e in els}    # exports: the members
    assert g.expand_group(closed, ring) == boxed
    # the group left: the box goes, the members lose their parent
    assert g.grouped(boxed, {}) == els
