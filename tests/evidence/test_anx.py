"""chart.anx, the i2 Analyst's Notebook chart of a package: read back with an XML parser, it
holds exactly the package's nodes (as entities with an icon per kind) and relationships (as
links, money movements with their time), a masked package's pseudonyms, and the verifier
notices when it is changed."""
from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from xml.etree import ElementTree

from casegraph import exports, graph
from casegraph.evidence import anx, verify


def _node(kind, key, **props):
    return {"data": {"id": f"{kind}:{key}", "kind": kind, "key": key, "label": key, "props": props}}


def _edge(eid, kind, s, t, **props):
    return {"data": {"id": eid, "source": s, "target": t, "kind": kind, "label": kind, "props": props}}


def read_chart(data: bytes) -> dict:
    """The chart as {entities: {identity: {...}}, links: [{...}], icons: {type: icon file}}."""
    assert data.startswith(b"\xff\xfe")                   # UTF-16 LE with its byte-order mark, as ANB reads it
    root = ElementTree.fromstring(data)
    icons = {t.get("Name"): t.get("IconFile") for t in root.iter("EntityType")}
    entities, by_entity_id, links = {}, {}, []
    for item in root.iter("ChartItem"):
        attrs = {a.get("AttributeClass"): a.get("Value") for a in item.iter("Attribute")}
        entity = item.find("End/Entity")
        if entity is not None:
            style = entity.find("Icon/IconStyle")
            entities[entity.get("Identity")] = {"label": item.get("Label"), "type": style.get("Type"),
                                                "attributes": attrs,
                                                "cards": [c.get("Summary") for c in entity.iter("Card")]}
            by_entity_id[entity.get("EntityId")] = entity.get("Identity")
        link = item.find("Link")
        if link is not None:
            links.append({"ends": (link.get("End1Id"), link.get("End2Id")), "label": item.get("Label"),
                          "type": link.find("LinkStyle").get("Type"), "arrow": link.find("LinkStyle").get("ArrowStyle"),
                          "datetime": item.get("DateTime"), "attributes": attrs})
    for link in links:
        link["source"], link["target"] = (by_entity_id[e] for e in link.pop("ends"))
    return {"entities": entities, "links": links, "icons": icons}


def _rows(data: bytes) -> list[dict]:
    """A CSV file's rows, each cell as the value it holds (without the ' a spreadsheet-safe
    cell starts with, exports.CSV_CELLS)."""
    def value(cell: str) -> str:
        return cell[1:] if cell.startswith("'") and cell[1:].startswith(exports.FORMULA_START) else cell
    return [{k: value(v) for k, v in r.items()} for r in csv.DictReader(io.StringIO(data.decode("utf-8")))]


def _check_against_tables(files: dict[str, bytes]) -> dict:
    """The chart holds exactly nodes.csv's nodes and edges.csv's relationships; returns it."""
    chart = read_chart(files["chart.anx"])
    nodes, edges = _rows(files["nodes.csv"]), _rows(files["edges.csv"])
    assert len(chart["entities"]) == len(nodes) > 0
    assert {i: (e["label"], e["type"]) for i, e in chart["entities"].items()} == {
        r["id"]: (r["key"], r["kind"]) for r in nodes}
    assert {k: chart["icons"][k] for k in {r["kind"] for r in nodes}} == {
        k: anx.ICONS[k] for k in {r["kind"] for r in nodes}}
    loops = [r for r in edges if r["source"] == r["target"]]
    assert Counter((lk["source"], lk["target"], lk["type"], lk["label"]) for lk in chart["links"]) == Counter(
        (r["source"], r["target"], r["kind"], r["kind"]) for r in edges if r["source"] != r["target"])
    assert len(chart["links"]) + len(loops) == len(edges)
    assert all(lk["arrow"] == "ArrowOnHead" for lk in chart["links"])
    assert sum(len(e["cards"]) for e in chart["entities"].values()) == len(loops)
    # money movements carry amount, asset and time: the same ISO 8601 text as edges.csv
    money = Counter((r["source"], r["target"], r["kind"], r["amount"], r["asset"], r["at"])
                    for r in edges if r["kind"] in graph.MONEY and r["source"] != r["target"])
    assert money and Counter((lk["source"], lk["target"], lk["type"], lk["attributes"].get("amount"),
                              lk["attributes"].get("asset"), lk["attributes"].get("at"))
                             for lk in chart["links"] if lk["type"] in graph.MONEY).keys() == money.keys()
    for lk in chart["links"]:
        if lk["type"] in graph.MONEY:
            assert lk["attributes"]["at"].endswith("Z") and lk["datetime"][:19] == lk["attributes"]["at"][:19]
    accounts = {r["id"]: r for r in nodes if r["kind"] == "Account"}
    for nid, r in accounts.items():
        assert chart["entities"][nid]["attributes"].get("registered_at", "") == r["registered_at"]
        assert "loaded_at" not in chart["entities"][nid]["attributes"]      # provenance stays in the tables
    return chart


def test_a_case_package_chart_holds_its_graph(case_package, read_zip):
    _check_against_tables(read_zip(case_package["path"]))


def test_a_subject_package_chart_holds_its_graph(subject_package, read_zip):
    chart = _check_against_tables(read_zip(subject_package["path"]))
    assert {e["type"] for e in chart["entities"].values()} >= {"Account", "Wallet"}


def test_a_masked_package_chart_uses_the_masked_values(masked_packages, read_zip):
    """The chart holds the masked package's pseudonyms exactly as its tables do (account ids and
    wallet addresses are not masked, docs/evidence.md: they are the same as in nodes.csv)."""
    files = read_zip(masked_packages[0]["path"])
    chart = _check_against_tables(files)
    masked = {r["id"]: r["key"] for r in _rows(files["nodes.csv"]) if r["kind"] in ("Email", "Phone", "Document")}
    assert masked and all(key.startswith(nid.split(":")[0] + "-") for nid, key in masked.items())
    assert {i: chart["entities"][i]["label"] for i in masked} == masked
    key_props = {"Email": "email", "Phone": "phone", "Document": "doc_id"}
    for nid, key in masked.items():
        assert chart["entities"][nid]["attributes"][key_props[nid.split(":")[0]]] == key


def test_the_verifier_notices_a_changed_chart(case_package, tmp_path):
    copy = tmp_path / "copy.zip"
    with zipfile.ZipFile(case_package["path"]) as zin, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "chart.anx":
                # the same size, one date changed: only its SHA-256 can tell
                text = data.decode("utf-16").replace('CreatedDate="1980', 'CreatedDate="1981', 1)
                data = b"\xff\xfe" + text.encode("utf-16-le")
                assert data != zin.read(info.filename)
            zout.writestr(info.filename, data)
    assert verify(case_package["path"]) == []
    problems = verify(copy)
    assert len(problems) == 1 and problems[0].startswith("chart.anx: SHA-256 differs from the manifest"), problems


ELEMENTS = [
    _node("Account", "A1", account_id="A1", registered_at=1_704_067_200_000, kyc_level=2, source="a.csv",
          loaded_at=1_704_067_300_000),
    _node("Wallet", "0xabc", address="0xabc", chain="ETH"),
    _node("Device", "D1", device_id="D1", blocked=True),
    _edge("WITHDREW:T2", "WITHDREW", "Account:A1", "Wallet:0xabc", tx_id="T2", amount=1.5, asset="ETH",
          at=1_704_153_600_500, tx_hash="0xh"),
    _edge("USED_DEVICE:A1-D1", "USED_DEVICE", "Account:A1", "Device:D1", count=3, first_seen=1_704_067_200_000),
    _edge("SENT:0xself", "SENT", "Wallet:0xabc", "Wallet:0xabc", tx_hash="0xself", amount=0.1, asset="ETH",
          at=1_704_240_000_000),
    _edge("HAS_EMAIL:dangling", "HAS_EMAIL", "Account:A1", "Email:not-in-the-package"),
]


def test_the_mapping_of_small_elements():
    chart = read_chart(anx.anx_bytes(ELEMENTS, "Case 1: test"))
    a1 = chart["entities"]["Account:A1"]
    assert a1["label"] == "A1" and a1["type"] == "Account"
    assert a1["attributes"] == {"account_id": "A1", "registered_at": "2024-01-01T00:00:00Z", "kyc_level": "2"}
    assert chart["entities"]["Device:D1"]["attributes"]["blocked"] in ("true", "True")
    assert chart["icons"] == {"Account": "person", "Device": "computer", "Wallet": "cash"}
    withdrew, used = sorted(chart["links"], key=lambda lk: lk["type"], reverse=True)
    assert (withdrew["source"], withdrew["target"], withdrew["label"]) == ("Account:A1", "Wallet:0xabc", "WITHDREW")
    assert withdrew["datetime"].startswith("2024-01-02T00:00:00")
    assert withdrew["attributes"] == {"tx_id": "T2", "amount": "1.5", "asset": "ETH", "at": "2024-01-02T00:00:00.500000Z",
                                      "tx_hash": "0xh"}
    assert used["datetime"] is None and used["attributes"] == {"first_seen": "2024-01-01T00:00:00Z", "count": "3"}
    # a wallet sending to itself cannot be a link in ANB: a card on the wallet; a dangling edge is left out
    assert chart["entities"]["Wallet:0xabc"]["cards"] == ["SENT SENT:0xself to itself"]
    assert len(chart["links"]) == 2


def test_the_same_elements_give_the_same_bytes_in_any_order():
    assert anx.anx_bytes(ELEMENTS, "t") == anx.anx_bytes(list(reversed(ELEMENTS)), "t")
    assert b"1\x009\x008\x000\x00-\x000\x001\x00-\x000\x001\x00" in anx.anx_bytes(ELEMENTS, "t")    # fixed creation date
