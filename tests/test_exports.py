"""casegraph/exports.py: every visible element and property survives each format's own reader."""
from __future__ import annotations

import io
import json

import networkx as nx
import pandas as pd

from casegraph import exports, graph
from casegraph.store.result import Node, Relationship, Result


def _elements():
    r = Result()
    for x in [Node("1", ("Account",), {"account_id": "A1", "kyc_level": 2, "registered_at": 1_704_103_200_000,
                                       "source": "accounts.csv", "load_id": "L1", "loaded_at": 1_704_103_300_000}),
              Node("2", ("Account",), {"account_id": "A2", "country": "TR"}),
              Node("3", ("Wallet",), {"address": "0xbbb", "chain": "ETH", "label": "exchange:Hot <&> \"x\""}),
              Node("4", ("Device",), {"device_id": "D1"}),
              Relationship("10", "TRANSFERRED", "1", "2", {"tx_id": "T1", "amount_usd": 100.5, "amount": 100,
                                                          "asset": "USDT", "at": 1_706_745_600_000,
                                                          "source": "transfers.csv"}),
              Relationship("11", "TRANSFERRED", "1", "2", {"tx_id": "T3", "amount_usd": 5, "amount": 5.0,
                                                          "asset": "USDT", "at": 1_706_918_400_000}),
              Relationship("12", "WITHDREW", "2", "3", {"tx_id": "W1", "amount_usd": None, "amount": 0.5,
                                                       "at": 1_706_700_000_000}),
              Relationship("13", "USED_DEVICE", "1", "4", {"count": 3})]:
        r.collect(x)
    els = graph.to_elements(r)
    els = graph.with_risk(els, {"Account:A1": ["mule", "watchlisted"]})
    els = graph.merge(els, graph.pager("Account:A1", None, 25, 3))
    # the device is hidden by the investigator, T3 is outside the time window
    els = [{**e, "classes": e["classes"] + " hidden"} if e["data"]["id"] == "Device:D1" else e for e in els]
    return graph.filter_time(els, None, 1_706_800_000_000)


VISIBLE_NODES = {"Account:A1", "Account:A2", "Wallet:0xbbb"}
VISIBLE_EDGES = {"TRANSFERRED:T1", "WITHDREW:W1"}   # USED_DEVICE goes with its hidden device


def test_cytoscape_json_round_trip():
    doc = json.loads(exports.to_cytoscape_json(_elements()))
    nodes = {n["data"]["id"]: n["data"] for n in doc["elements"]["nodes"]}
    edges = {e["data"]["id"]: e["data"] for e in doc["elements"]["edges"]}
    assert set(nodes) == VISIBLE_NODES and set(edges) == VISIBLE_EDGES
    assert nodes["Account:A1"]["props"]["loaded_at"] == 1_704_103_300_000
    assert nodes["Account:A1"]["risk"] == ["mule", "watchlisted"]
    assert edges["TRANSFERRED:T1"]["amount_usd"] == 100.5


def test_graphml_read_back_by_networkx():
    g = nx.read_graphml(io.BytesIO(exports.to_graphml(_elements())), force_multigraph=True)
    assert set(g.nodes) == VISIBLE_NODES
    a1 = g.nodes["Account:A1"]
    assert a1["kind"] == "Account" and a1["key"] == "A1" and a1["kyc_level"] == 2
    assert a1["registered_at"] == "2024-01-01T10:00:00Z" and a1["source"] == "accounts.csv" and a1["load_id"] == "L1"
    assert json.loads(a1["risk"]) == ["mule", "watchlisted"]
    w = g.nodes["Wallet:0xbbb"]
    assert w["prop_label"] == "exchange:Hot <&> \"x\"" and w["label"] == "Hot <&> \"x\""
    assert "country" not in a1 and g.nodes["Account:A2"]["country"] == "TR"   # None is dropped, not ""
    edges = {k: (u, v, d) for u, v, k, d in g.edges(keys=True, data=True)}   # GraphML edge id = element id
    assert set(edges) == VISIBLE_EDGES
    u, v, t1 = edges["TRANSFERRED:T1"]
    assert (u, v) == ("Account:A1", "Account:A2")
    assert t1["kind"] == "TRANSFERRED" and t1["amount_usd"] == 100.5 and t1["at"] == "2024-02-01T00:00:00Z"
    assert t1["prop_source"] == "transfers.csv" and t1["asset"] == "USDT"
    assert "amount_usd" not in edges["WITHDREW:W1"][2]


def test_graphml_key_ids_are_unique():
    """Nodes and edges both have `label` and `kind`: GraphML needs distinct key ids."""
    import xml.etree.ElementTree as ET
    root = ET.fromstring(exports.to_graphml(_elements()))
    keys = [k.get("id") for k in root.iter("{http://graphml.graphdrawing.org/xmlns}key")]
    assert len(keys) == len(set(keys)) and keys


def test_exports_do_not_depend_on_the_order_properties_come_in():
    """FalkorDB returns properties in the order they were set, Neo4j in its own: the same graph
    read from either gives the same files (evidence packages hash them)."""
    def reorder(e):
        d = e["data"]
        return {**e, "data": {**d, "props": dict(reversed(list(d["props"].items())))}} if d.get("props") else e
    els = _elements()
    again = [reorder(e) for e in els]
    assert [list(e["data"].get("props") or {}) for e in again] != [list(e["data"].get("props") or {}) for e in els]
    assert exports.to_graphml(again) == exports.to_graphml(els)
    assert exports.to_csv(again) == exports.to_csv(els)


def test_graphml_mixed_numeric_types_share_one_key():
    els = graph.filter_time(_elements(), None, None)      # T1 (amount_usd 100.5) and T3 (amount_usd 5)
    g = nx.read_graphml(io.BytesIO(exports.to_graphml(els)))
    amounts = sorted(d["amount_usd"] for _, _, d in g.edges(data=True) if "amount_usd" in d)
    assert amounts == [5.0, 100.5] and all(isinstance(a, float) for a in amounts)
    assert g.number_of_edges("Account:A1", "Account:A2") == 2


def test_csv_read_back_by_pandas():
    nodes_csv, edges_csv = exports.to_csv(_elements())
    nodes = pd.read_csv(io.StringIO(nodes_csv), dtype=str, keep_default_na=False).set_index("id")
    edges = pd.read_csv(io.StringIO(edges_csv), dtype=str, keep_default_na=False).set_index("id")
    assert set(nodes.index) == VISIBLE_NODES and set(edges.index) == VISIBLE_EDGES
    assert list(nodes.columns[:4]) == ["kind", "key", "label", "risk"]
    assert nodes.loc["Account:A1", "loaded_at"] == "2024-01-01T10:01:40Z"
    assert json.loads(nodes.loc["Account:A1", "risk"]) == ["mule", "watchlisted"]
    assert nodes.loc["Wallet:0xbbb", "prop_label"] == "exchange:Hot <&> \"x\""
    assert nodes.loc["Account:A2", "kyc_level"] == ""
    t1 = edges.loc["TRANSFERRED:T1"]
    assert (t1["source"], t1["target"], t1["kind"]) == ("Account:A1", "Account:A2", "TRANSFERRED")
    assert float(t1["amount_usd"]) == 100.5 and t1["prop_source"] == "transfers.csv"


def test_times_are_iso_8601_in_graphml_and_csv_and_epoch_ms_in_cytoscape_json():
    """Issue 16: the model's time properties and loaded_at come out as ISO 8601 UTC text
    (GraphML declares them as strings); other numbers stay numbers; the explorer's own
    Cytoscape JSON keeps the stored epoch ms."""
    import xml.etree.ElementTree as ET
    from casegraph.times import to_epoch_ms
    data = exports.to_graphml(_elements())
    g = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    a1 = g.nodes["Account:A1"]
    assert (a1["registered_at"], a1["loaded_at"]) == ("2024-01-01T10:00:00Z", "2024-01-01T10:01:40Z")
    assert to_epoch_ms(a1["registered_at"]) == 1_704_103_200_000 and a1["kyc_level"] == 2
    w1 = next(d for _, _, k, d in g.edges(keys=True, data=True) if k == "WITHDREW:W1")
    assert w1["at"] == "2024-01-31T11:20:00Z" and w1["amount"] == 0.5
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    types = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in ET.fromstring(data).iter(f"{ns}key")}
    assert types[("node", "registered_at")] == types[("node", "loaded_at")] == types[("edge", "at")] == "string"
    assert types[("node", "kyc_level")] in ("int", "long") and types[("edge", "amount")] == "double"
    nodes_csv, edges_csv = exports.to_csv(_elements())
    edges = pd.read_csv(io.StringIO(edges_csv), dtype=str, keep_default_na=False).set_index("id")
    assert edges.loc["TRANSFERRED:T1", "at"] == "2024-02-01T00:00:00Z"
    assert edges.loc["WITHDREW:W1", "at"] == "2024-01-31T11:20:00Z" and edges.loc["WITHDREW:W1", "amount"] == "0.5"
    assert "1704103200000" not in nodes_csv + edges_csv
    doc = json.loads(exports.to_cytoscape_json(_elements()))
    assert doc["elements"]["nodes"][0]["data"]["props"]["registered_at"] == 1_704_103_200_000


def test_a_time_already_text_is_kept_and_unknown_kinds_only_convert_loaded_at():
    assert exports.iso_times("Account", True, {"registered_at": "2024-01-01T00:00:00Z", "kyc_level": 2}) == {
        "registered_at": "2024-01-01T00:00:00Z", "kyc_level": 2}
    assert exports.iso_times("Nope", False, {"at": 5, "loaded_at": 0, "flag": True}) == {
        "at": 5, "loaded_at": "1970-01-01T00:00:00Z", "flag": True}


def test_empty_exports():
    assert json.loads(exports.to_cytoscape_json([]))["elements"] == {"nodes": [], "edges": []}
    assert nx.read_graphml(io.BytesIO(exports.to_graphml([]))).number_of_nodes() == 0
    assert exports.to_csv([]) == ("id,kind,key,label,risk\r\n", "id,source,target,kind,label\r\n")
