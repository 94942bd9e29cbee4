"""nodes.csv, edges.csv, graph.graphml and transfers.csv from a small element list."""
from __future__ import annotations

import csv
import io

import networkx as nx
import pytest

from casegraph.evidence import tables


@pytest.fixture
def small():
    def node(kind, key, **props):
        return {"data": {"id": f"{kind}:{key}", "kind": kind, "key": key, "label": key, "props": props, "risk": []},
                "classes": kind}

    def edge(eid, kind, s, t, **props):
        return {"data": {"id": eid, "source": s, "target": t, "kind": kind, "label": kind, "props": props},
                "classes": kind}
    return [
        node("Account", "A2", account_id="A2", registered_at=1704067200000),
        node("Account", "A1", account_id="A1"),
        node("Wallet", "0xabc", address="0xabc", chain="ETH"),
        edge("WITHDREW:T2", "WITHDREW", "Account:A1", "Wallet:0xabc", tx_id="T2", amount=1.5, asset="ETH",
             at=1704153600000, tx_hash="0xh", amount_usd=3000.0),
        edge("TRANSFERRED:T1", "TRANSFERRED", "Account:A2", "Account:A1", tx_id="T1", amount=10, asset="USDT",
             at=1704067200000, amount_usd=10.0),
        edge("REFERRED:Account:A2->Account:A1", "REFERRED", "Account:A2", "Account:A1"),
    ]


def test_nodes_and_edges_sorted_with_iso_times(small):
    nodes, edges = tables.nodes_edges_csv(small)
    n = list(csv.DictReader(io.StringIO(nodes.decode())))
    e = list(csv.DictReader(io.StringIO(edges.decode())))
    assert [r["id"] for r in n] == ["Account:A1", "Account:A2", "Wallet:0xabc"]
    assert n[1]["registered_at"] == "2024-01-01T00:00:00Z"
    assert [r["id"] for r in e] == sorted(r["id"] for r in e) and len(e) == 3
    assert next(r for r in e if r["kind"] == "WITHDREW")["at"] == "2024-01-02T00:00:00Z"


def test_transfers_are_money_movements_oldest_first(small):
    rows = list(csv.DictReader(io.StringIO(tables.transfers_csv(small).decode())))
    assert [(r["kind"], r["tx_id"], r["at"], r["from"], r["to"]) for r in rows] == [
        ("TRANSFERRED", "T1", "2024-01-01T00:00:00Z", "Account:A2", "Account:A1"),
        ("WITHDREW", "T2", "2024-01-02T00:00:00Z", "Account:A1", "Wallet:0xabc")]
    assert rows[1]["tx_hash"] == "0xh" and rows[1]["amount"] == "1.5" and rows[1]["to_kind"] == "Wallet"


def test_graphml_reads_back(small):
    g = nx.read_graphml(io.BytesIO(tables.graphml(small)))
    assert g.number_of_nodes() == 3 and g.number_of_edges() == 3
    assert g.nodes["Account:A2"]["registered_at"] == "2024-01-01T00:00:00Z"
    assert tables.graphml(small) == tables.graphml(list(reversed(small)))


def test_cells_a_spreadsheet_would_run_are_neutralised(small):
    """Issue 12.10: a property that starts like a formula is written as text (OWASP)."""
    hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    small[1]["data"]["props"].update({f"p{i}": v for i, v in enumerate(hostile)}, status="ok")
    small[3]["data"]["props"]["tx_id"] = "=T2"
    nodes, _ = tables.nodes_edges_csv(small)
    row = next(r for r in csv.DictReader(io.StringIO(nodes.decode(), newline="")) if r["id"] == "Account:A1")
    assert [row[f"p{i}"] for i in range(len(hostile))] == ["'" + v for v in hostile] and row["status"] == "ok"
    moved = list(csv.DictReader(io.StringIO(tables.transfers_csv(small).decode(), newline="")))
    assert moved[1]["tx_id"] == "'=T2" and moved[1]["amount"] == "1.5"       # numbers stay numbers
