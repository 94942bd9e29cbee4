"""casegraph/explore.py on a real embedded store, loaded from canonical CSVs through the
loaders (expected values come from those CSVs or from the generator's files)."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from casegraph import graph
from casegraph import explore
from casegraph.catalogue import catalogue
from casegraph.errors import QueryError
from casegraph.model import model
from casegraph.loaders.pipeline import load
from tests.support import plan_operators, write_csv

HUB = "DHUB"
HUB_USERS = [f"H{i:03d}" for i in range(60)]


def dataset(d: Path) -> Path:
    """A small case: A1 -> A2 -> A3 -> wallet -> listed wallet, shared identifiers, a
    victim's report, a device used by 60 accounts (the hub)."""
    t = "2024-01-01T10:00:00Z"
    write_csv(d / "accounts.csv", ["account_id", "registered_at", "country", "kyc_level", "status",
                                   "referral_code", "referred_by"],
              [["A1", t, "GB", 2, "active", "RC1", ""], ["A2", t, "TR", 1, "active", "RC2", "A1"],
               ["A3", t, "DE", 0, "active", "", ""], ["A4", t, "GB", 2, "active", "", ""],
               ["A10", t, "GB", 2, "active", "", ""], ["A5", t, "BR", 2, "active", "", ""]]
              + [[h, t, "TR", 1, "active", "", ""] for h in HUB_USERS])
    write_csv(d / "wallets.csv", ["address", "chain", "label"],
              [["0xhot", "ETH", "exchange:Example hot"], ["0xbbb", "ETH", ""], ["0xccc", "ETH", ""]])
    write_csv(d / "account_devices.csv", ["account_id", "device_id", "first_seen", "last_seen", "count"],
              [["A1", "D1", t, t, 5], ["A2", "D1", t, t, 2]] + [[h, HUB, t, t, 1] for h in HUB_USERS])
    write_csv(d / "account_ips.csv", ["account_id", "ip", "first_seen", "last_seen", "count"],
              [["A1", "10.0.0.1", t, t, 1], ["A3", "10.0.0.1", t, t, 1]])
    write_csv(d / "account_emails.csv", ["account_id", "email"], [["A1", "a1@example.com"]])
    write_csv(d / "account_phones.csv", ["account_id", "phone"], [["A1", "+441234"], ["A2", "+441234"]])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
              [["T1", "A1", "A2", "100", "USDT", "2024-02-01T00:00:00Z", "100"],
               ["T2", "A2", "A3", "90", "USDT", "2024-02-02T00:00:00Z", "90"],
               ["T3", "A1", "A2", "5", "USDT", "2024-02-03T00:00:00Z", "5"]])
    write_csv(d / "withdrawals.csv", ["tx_id", "account_id", "address", "amount", "asset", "at", "amount_usd",
                                      "tx_hash", "chain"],
              [["W1", "A3", "0xbbb", "0.05", "ETH", "2024-02-03T00:00:00Z", "80", "0x01", "ETH"]])
    write_csv(d / "deposits.csv", ["tx_id", "address", "account_id", "amount", "asset", "at", "amount_usd",
                                   "tx_hash", "chain"],
              [["DP1", "0xhot", "A1", "1", "ETH", "2024-01-15T00:00:00Z", "2000", "0x02", "ETH"]])
    write_csv(d / "onchain.csv", ["tx_hash", "from_address", "to_address", "amount", "asset", "at",
                                  "amount_usd", "chain"],
              [["0x03", "0xbbb", "0xccc", "0.05", "ETH", "2024-02-04T00:00:00Z", "80", "ETH"]])
    write_csv(d / "scam_reports.csv", ["report_id", "reporter_id", "reported_at", "amount", "amount_usd",
                                       "asset", "status", "against_account", "against_address"],
              [["R1", "A4", "2024-02-10T00:00:00Z", "50", "50", "USDT", "open", "", "0xccc"]])
    write_csv(d / "watchlists.csv", ["watchlist", "account_id", "address", "list_source", "reason", "listed_at"],
              [["internal", "", "0xccc", "fraud-team", "scam", "2024-02-15"]])
    return d


@pytest.fixture
def case(any_store, sqlite_state, tmp_path):
    """The small case loaded into each backend (embedded, Neo4j)."""
    d = dataset(tmp_path / "in")
    assert load(any_store, sqlite_state, [d], rejects_dir=tmp_path / "rej").ok
    return any_store


def ids(elements, nodes=True):
    return {e["data"]["id"] for e in elements if graph.is_node(e) == nodes and e["data"]["kind"] != graph.MORE}


# ---- templates ------------------------------------------------------------------------------

def test_ui_templates_cover_every_label_and_take_values_as_parameters():
    ui = [q for q in catalogue() if Path(q.path).parent.name == "ui"]
    assert {"ui_search_exact", "ui_search_prefix", "ui_node_degrees", "ui_expand_total",
            "ui_expand"} <= {q.name for q in ui}
    for q in ui:
        assert q.mode == "read", q.name
        if "_label" in q.text or "$label" in q.text or q.name.startswith("ui_search") or q.name == "ui_nodes":
            for label, spec in model().nodes.items():
                if label in model().reference:
                    continue            # USD rates: reference data, not explored
                assert re.search(rf"\(\w:{label} \{{{spec.key}: \$?\w+\}}\)|\(n:{label}\)\s*WHERE n\.{spec.key}",
                                 q.text), f"{q.name} has no branch for {label}"
        assert not re.search(r"'[A-Z]\d+'|\"[A-Z]\d+\"", q.text.split("\n// example")[-1].split("\n", 1)[-1]), q.name


# ---- search ---------------------------------------------------------------------------------

def test_search_exact_before_prefix(case):
    hits = explore.search(case, "A1")
    assert hits[0] == {"id": "Account:A1", "kind": "Account", "key": "A1", "label": "A1",
                       "detail": "registered_at 2024-01-01T10:00:00Z, country GB, kyc_level 2, status active, "
                                 "referral_code RC1"}
    assert [h["id"] for h in hits[1:]] == ["Account:A10"]
    assert [h["id"] for h in explore.search(case, "a1@example.com")] == ["Email:a1@example.com"]
    assert [h["id"] for h in explore.search(case, "10.0.0.1")] == ["IP:10.0.0.1"]
    assert [h["id"] for h in explore.search(case, "0xc")] == ["Wallet:0xccc"]
    assert [h["id"] for h in explore.search(case, "internal")] == ["Watchlist:internal"]
    assert [h["id"] for h in explore.search(case, " Device:D1 ")] == ["Device:D1"]
    assert explore.search(case, "nothing-like-this") == [] and explore.search(case, "  ") == []


def test_search_prefix_bounds():
    assert explore._prefix_end("A1") == "A2" and explore._prefix_end("0x") == "0y"
    assert explore._prefix_end("a\x7f") == "b" and explore._prefix_end("Zé") is None


def test_search_non_ascii_text_is_exact_only(case):
    assert explore.search(case, "Aé") == []


def test_ui_templates_start_from_indexes(case):
    """Each engine's plans: every lookup starts from an index, never a label or all-node scan."""
    scans = ("Label Scan", "All Node Scan", "AllNodesScan", "NodeByLabelScan")
    seeks = ("Index Scan",) if case.dialect == "falkordb" else ("IndexSeek", "IndexScan", "DirectedRelationshipIndexSeek",
                                                                 "UndirectedRelationshipIndexSeek")
    plans = {"ui_search_prefix": {"text": "A1", "upto": "A2", "limit": 5},
             "ui_search_exact": {"text": "A1"},
             "ui_expand": {"label": "Account", "key": "A1", "rels": [], "skip": 0, "limit": 5, "max_links": 5},
             "ui_trace_elements": {"transferred": ["T1"], "withdrew": ["W1"], "deposited": [], "sent": ["0x03"]},
             "ui_risk_graph": {"accounts": ["A1"], "wallets": ["0xccc"], "devices": ["D1"], "ips": ["10.0.0.1"]},
             "ui_nodes": {"keys": {"Account": ["A1"], "Wallet": ["0xccc"]}},
             "ui_shortest_path": {"a_label": "Account", "a_key": "A1", "b_label": "Wallet", "b_key": "0xccc",
                                  "max_hops": 6}}
    for name, params in plans.items():
        plan = "\n".join(plan_operators(case, name, params))
        assert not any(s in plan for s in scans), f"{name}:\n{plan}"
        assert any(s in plan for s in seeks), f"{name}:\n{plan}"


def test_search_limit(case):
    hits = explore.search(case, "H", limit=7)
    assert [h["id"] for h in hits] == [f"Account:{h}" for h in HUB_USERS[:7]]
    with pytest.raises(QueryError):
        explore.search(case, "H", limit=0)


# ---- details and counts -----------------------------------------------------------------------

def test_details_properties_provenance_degrees(case):
    d = explore.details(case, "Account:A1")
    assert d["kind"] == "Account" and d["key"] == "A1" and d["props"]["country"] == "GB"
    assert d["provenance"]["source"].endswith("accounts.csv") and d["provenance"]["load_id"]
    assert d["provenance"]["loaded_at_iso"].endswith("Z")
    assert d["rows"][0]["property"] == "account_id"
    assert {r["property"]: r["value"] for r in d["rows"]}["registered_at"] == "2024-01-01T10:00:00Z"
    assert [r["property"] for r in d["rows"] if r["provenance"]] == sorted(model().provenance)
    assert d["degree"] == {
        "TRANSFERRED": {"total": 2, "out": 2, "in": 0, "neighbours": 1},
        "REFERRED": {"total": 1, "out": 1, "in": 0, "neighbours": 1},
        "USED_DEVICE": {"total": 1, "out": 1, "in": 0, "neighbours": 1},
        "USED_IP": {"total": 1, "out": 1, "in": 0, "neighbours": 1},
        "HAS_EMAIL": {"total": 1, "out": 1, "in": 0, "neighbours": 1},
        "HAS_PHONE": {"total": 1, "out": 1, "in": 0, "neighbours": 1},
        "DEPOSITED": {"total": 1, "out": 0, "in": 1, "neighbours": 1}}
    assert explore.neighbour_counts(case, f"Device:{HUB}") == {"USED_DEVICE": len(HUB_USERS)}
    assert explore.neighbour_counts(case, "Account:A2") == {"TRANSFERRED": 2, "REFERRED": 1, "USED_DEVICE": 1,
                                                            "HAS_PHONE": 1}


@pytest.mark.parametrize("bad", ["Acount:A1", "A1", "Account:", "Watchlist"])
def test_ids_outside_the_model_are_refused(case, bad):
    for call in (lambda: explore.details(case, bad), lambda: explore.expand(case, bad),
                 lambda: explore.neighbour_counts(case, bad)):
        with pytest.raises(QueryError, match="unknown label|not a node id"):
            call()


def test_missing_nodes_and_types(case):
    with pytest.raises(QueryError, match="not in the graph"):
        explore.details(case, "Account:A999")
    with pytest.raises(QueryError, match="not in the graph"):
        explore.expand(case, "Account:A999")
    with pytest.raises(QueryError, match="unknown relationship type"):
        explore.expand(case, "Account:A1", rel="KNOWS")
    assert explore.expand(case, "Account:A5") == ([], 0)   # there, but alone


# ---- expand ---------------------------------------------------------------------------------

def test_expand_both_directions(case):
    els, total = explore.expand(case, "Account:A2")
    assert total == 4      # A1 (two transfers and the referral), A3, the device, the phone
    assert ids(els) == {"Account:A2", "Account:A1", "Account:A3", "Device:D1", "Phone:+441234"}
    assert ids(els, nodes=False) == {"TRANSFERRED:T1", "TRANSFERRED:T2", "TRANSFERRED:T3",
                                     "REFERRED:Account:A1->Account:A2", "USED_DEVICE:Account:A2->Device:D1",
                                     "HAS_PHONE:Account:A2->Phone:+441234"}
    t1 = next(e for e in els if e["data"]["id"] == "TRANSFERRED:T1")["data"]
    assert (t1["source"], t1["target"], t1["amount_usd"]) == ("Account:A1", "Account:A2", 100.0)
    els, total = explore.expand(case, "Account:A2", rel="TRANSFERRED")
    assert total == 2 and ids(els) == {"Account:A2", "Account:A1", "Account:A3"}
    assert not any(e["data"]["kind"] == graph.MORE for e in els)


def test_expand_by_kind_follows_every_type_of_it(case):
    """A kind (the context menu's "money movements", "shared identifiers") is every type of it
    in the model, at once."""
    els, total = explore.expand(case, "Account:A2", rel="identifiers")
    assert total == 2 and ids(els) == {"Account:A2", "Device:D1", "Phone:+441234"}
    els, total = explore.expand(case, "Account:A2", rel="money")
    assert total == 2 and ids(els, nodes=False) == {"TRANSFERRED:T1", "TRANSFERRED:T2", "TRANSFERRED:T3"}
    assert explore.rel_types("identifiers") == ["USED_DEVICE", "USED_IP", "HAS_PHONE", "HAS_EMAIL", "HAS_DOCUMENT"]
    assert set(explore.rel_types("money")) == set(graph.MONEY) and explore.rel_types(None) == []


def test_expand_pages_through_a_hub(case):
    seen, skip, pages = [], 0, 0
    while True:
        els, total = explore.expand(case, f"Device:{HUB}", rel="USED_DEVICE", skip=skip, limit=25)
        assert total == len(HUB_USERS)
        page = ids(els) - {f"Device:{HUB}"}
        assert len(page) <= 25
        seen += sorted(page)
        pages += 1
        more = [e["data"] for e in els if e["data"]["kind"] == graph.MORE and graph.is_node(e)]
        if not more:
            break
        assert len(more) == 1 and more[0]["parent_id"] == f"Device:{HUB}" and more[0]["rel"] == "USED_DEVICE"
        assert more[0]["skip"] == skip + 25 and more[0]["label"] == f"+{total - skip - 25} more"
        assert more[0]["id"] == f"more:Device:{HUB}:USED_DEVICE:{skip + 25}"
        skip = more[0]["skip"]
    assert pages == 3 and seen == [f"Account:{h}" for h in HUB_USERS]   # every user once, in key order
    els, _ = explore.expand(case, f"Device:{HUB}", limit=10)
    assert [e["data"]["id"] for e in els if e["data"]["kind"] == graph.MORE][0] == f"more:Device:{HUB}:*:10"


def test_supernode_pages_in_database_order_with_a_capped_count(case, monkeypatch):
    """Past SORT_MAX neighbours the pages follow the database's order (still every
    neighbour exactly once); past COUNT_CAP the pager says "at least"."""
    monkeypatch.setattr(explore, "SORT_MAX", 10)
    seen, skip = [], 0
    while True:
        els, total = explore.expand(case, f"Device:{HUB}", rel="USED_DEVICE", skip=skip, limit=25)
        seen += ids(els) - {f"Device:{HUB}"}
        more = [e["data"] for e in els if e["data"]["kind"] == graph.MORE and graph.is_node(e)]
        if not more:
            break
        skip = more[0]["skip"]
    assert sorted(seen) == [f"Account:{h}" for h in HUB_USERS] and len(seen) == len(HUB_USERS)
    monkeypatch.setattr(explore, "COUNT_CAP", 30)
    els, total = explore.expand(case, f"Device:{HUB}", rel="USED_DEVICE", limit=25)
    more = [e["data"] for e in els if e["data"]["kind"] == graph.MORE and graph.is_node(e)]
    assert total == 30 and more[0]["label"] == "+5+ more"


@pytest.mark.slow
def test_expand_real_supernodes_in_generated_data(store, sqlite_state, tmp_path):
    """The busiest IP (a carrier NAT) and the busiest exchange hot wallet in generated data:
    totals come from the CSVs, no page holds more than `limit` neighbours, and the pages
    cover every neighbour exactly once. Times are printed, not asserted."""
    import pandas as pd

    from casegraph.generate import generate
    gen = tmp_path / "gen"
    generate(gen, 1000, 5)
    assert load(store, sqlite_state, [gen], rejects_dir=tmp_path / "rej").ok
    read = lambda name: pd.read_csv(gen / f"{name}.csv", dtype=str)  # noqa: E731
    ips, wallets, dep, wd, onc = (read(n) for n in ("account_ips", "wallets", "deposits", "withdrawals", "onchain"))
    by_ip = ips.groupby("ip")["account_id"].apply(set)
    ip = by_ip.map(len).idxmax()
    hot = set(wallets.loc[wallets["label"].fillna("").str.startswith("exchange:"), "address"])
    by_wallet = {a: ({f"Account:{x}" for x in dep.loc[dep.address == a, "account_id"]}
                     | {f"Account:{x}" for x in wd.loc[wd.address == a, "account_id"]}
                     | {f"Wallet:{x}" for x in onc.loc[onc.from_address == a, "to_address"]}
                     | {f"Wallet:{x}" for x in onc.loc[onc.to_address == a, "from_address"]}) for a in hot}
    address = max(by_wallet, key=lambda a: len(by_wallet[a]))
    cases = [(f"IP:{ip}", {f"Account:{x}" for x in by_ip[ip]}), (f"Wallet:{address}", by_wallet[address])]
    assert len(cases[0][1]) > 100 and len(cases[1][1]) > 50, "generated data should have supernodes"
    for node, expected in cases:
        started = time.perf_counter()
        counts = explore.neighbour_counts(store, node)
        t_counts = time.perf_counter() - started
        seen, skip, times = set(), 0, []
        while True:
            started = time.perf_counter()
            els, total = explore.expand(store, node, skip=skip, limit=25)
            times.append(time.perf_counter() - started)
            page = ids(els) - {node}
            assert total == len(expected) and len(page) <= 25 and not page & seen
            seen |= page
            more = [e["data"] for e in els if e["data"]["kind"] == graph.MORE and graph.is_node(e)]
            if not more:
                break
            skip = more[0]["skip"]
        assert seen == expected
        assert sum(counts.values()) >= len(expected)
        print(f"\nsupernode {node}: {len(expected)} neighbours {counts}; neighbour_counts "
              f"{t_counts * 1000:.1f} ms; expand (count + page of 25) first {times[0] * 1000:.1f} ms, "
              f"mean {sum(times) / len(times) * 1000:.1f} ms over {len(times)} pages")
    # a fund trace on the same graph: from the account with the largest transfer out
    transfers = read("transfers")
    sender = transfers.loc[transfers["amount_usd"].astype(float).idxmax(), "from_account"]
    from casegraph import detections
    started = time.perf_counter()
    els = explore.trace(store, f"Account:{sender}").elements
    took = time.perf_counter() - started
    results = detections.run(store, "trace_funds", {"account_id": sender})
    steps = {s["tx_id"] for r in results[:50] for s in r["path"]}
    assert {e["data"]["props"].get("tx_id") or e["data"]["props"].get("tx_hash")
            for e in els if not graph.is_node(e)} == steps and steps
    print(f"trace from Account:{sender}: {len(results)} reached, {len(els)} elements in {took * 1000:.0f} ms")


# ---- shortest path --------------------------------------------------------------------------

def _chain(elements, a, b):
    """The path's node ids from a to b, checking that its edges form one chain."""
    edges = [e["data"] for e in elements if not graph.is_node(e)]
    at, seen = a, [a]
    while edges:
        step = next(e for e in edges if at in (e["source"], e["target"]))
        edges.remove(step)
        at = step["target"] if step["source"] == at else step["source"]
        seen.append(at)
    assert at == b
    return seen


def test_shortest_path(case):
    els = explore.shortest_path(case, "Account:A1", "Wallet:0xccc")
    hops = _chain(els, "Account:A1", "Wallet:0xccc")
    # A1 -T1-> A2 -T2-> A3 -W1-> 0xbbb -SENT-> 0xccc, or A1 -IP- A3 -> ...: four hops either way
    assert len(hops) == 5 and hops[-2:] == ["Wallet:0xbbb", "Wallet:0xccc"] and hops[2] == "Account:A3"
    assert ids(els) == set(hops)
    assert all(graph.PATH in graph.classes_of(e) for e in els)
    assert _chain(explore.shortest_path(case, "Wallet:0xccc", "Account:A1"), "Wallet:0xccc", "Account:A1")[2] \
        == "Account:A3"                                            # any direction
    assert explore.shortest_path(case, "Account:A1", "Wallet:0xccc", max_hops=3) == []
    assert explore.shortest_path(case, "Account:A1", "Account:A5") == []   # A5 has no links
    (only,) = explore.shortest_path(case, "Account:A1", "Account:A1")
    assert only["data"]["id"] == "Account:A1"
    with pytest.raises(QueryError, match="not in the graph"):
        explore.shortest_path(case, "Account:A1", "Account:A999")
    with pytest.raises(QueryError, match="max_hops"):
        explore.shortest_path(case, "Account:A1", "Account:A2", max_hops=7)


# ---- risk flags -----------------------------------------------------------------------------

def test_risk_flags_from_graph_and_open_alerts(case, state):
    from casegraph import detections
    from casegraph.state import alerts
    detections.save_as_alerts(state, "rings", {}, [{"ring_id": "r1", "members": ["A1", "A2"], "score": 0.9,
                                                    "reasons": ["shared device"]}])
    detections.save_as_alerts(state, "mules", {}, [{"account_id": "A3", "score": 0.8, "reasons": ["x"]},
                                                   {"account_id": "A10", "score": 0.7, "reasons": ["x"]}])
    detections.save_as_alerts(state, "silent_sufferers", {}, [{"account_id": "A4", "score": 0.5, "reasons": ["x"]}])
    detections.save_as_alerts(state, "account_takeover", {}, [{"account_id": "A5", "score": 0.5, "reasons": ["x"]}])
    with state.engine.begin() as conn:   # a dismissed alert no longer flags anyone
        conn.execute(alerts.update().where(alerts.c.entity_key == "A10").values(status="dismissed"))
    asked = ["Account:A1", "A2", "Account:A3", "Account:A4", "Wallet:0xccc", "Wallet:0xbbb", "Account:A10",
             "Account:A5", "Device:D1", "nowhere"]
    flags = explore.risk_flags(case, state, asked)
    assert flags == {"Account:A1": ["ring-member"], "A2": ["ring-member"], "Account:A3": ["mule"],
                     "Account:A4": ["reported-victim", "silent-sufferer"], "Wallet:0xccc": ["watchlisted"],
                     "Wallet:0xbbb": [], "Account:A10": [], "Account:A5": [], "Device:D1": [], "nowhere": []}
    assert explore.risk_flags(case, None, ["Account:A4"]) == {"Account:A4": ["reported-victim"]}
    els = graph.with_risk(explore.expand(case, "Wallet:0xccc")[0], explore.risk_flags(case, state, ["Wallet:0xccc"]))
    assert "risk-watchlisted" in next(e for e in els if e["data"]["id"] == "Wallet:0xccc")["classes"]


def test_a_listed_identifier_is_flagged_like_a_listed_wallet(case, sqlite_state, tmp_path):
    """Issue 13.7: a device on a watchlist gets the "watchlisted" flag (data.risk and the
    class the stylesheet colours) in the explorer's elements; an unlisted one does not."""
    d = tmp_path / "more"
    write_csv(d / "watchlists.csv", ["watchlist", "device_id", "phone", "reason"],
              [["blocklist", "D1", "", "emulator farm"], ["blocklist", "", "+441234", ""]])
    assert load(case, sqlite_state, [d], rejects_dir=tmp_path / "rej2").ok
    elements = explore.expand(case, "Account:A1")[0]
    keys = [e["data"]["id"] for e in elements if graph.is_node(e) and e["data"]["kind"] != graph.MORE]
    assert {"Device:D1", "IP:10.0.0.1", "Phone:+441234"} <= set(keys)
    flags = explore.risk_flags(case, None, keys)
    assert flags["Device:D1"] == flags["Phone:+441234"] == ["watchlisted"] and flags["IP:10.0.0.1"] == []
    marked = {e["data"]["id"]: e for e in graph.with_risk(elements, flags)}
    assert marked["Device:D1"]["data"]["risk"] == ["watchlisted"]
    assert "risk-watchlisted" in marked["Device:D1"]["classes"].split()
    assert "risk-watchlisted" not in marked["IP:10.0.0.1"].get("classes", "").split()
    # the explorer's own reader colours it the same way
    from casegraph.app.pages._explorer import GraphReader
    shown = {e["data"]["id"]: e for e in GraphReader(case).with_risk(elements)}
    assert shown["Device:D1"]["data"]["risk"] == ["watchlisted"]


def test_alert_flags_come_from_the_detections(case, state, monkeypatch, tmp_path):
    from casegraph import detections
    from tests.support import add_detection
    assert explore.alert_flags() == {n: detections.get(n).risk_flag for n in detections.names()
                                     if detections.get(n).risk_flag}
    assert explore.alert_flags() == {"rings": "ring-member", "silent_sufferers": "silent-sufferer", "mules": "mule"}
    # a detection module added with a risk flag flags the accounts of its open alerts
    add_detection(monkeypatch, tmp_path, "zz_mule_herder", risk_flag="'mule'")
    detections.save_as_alerts(state, "zz_mule_herder", {}, [{"account_id": "A5", "score": 0.9, "reasons": ["x"]}])
    assert explore.alert_flags()["zz_mule_herder"] == "mule"
    assert explore.risk_flags(case, state, ["Account:A5", "Account:A6"]) == {"Account:A5": ["mule"], "Account:A6": []}


# ---- fund traces ----------------------------------------------------------------------------

def test_trace_forward_and_backward(case):
    from casegraph import detections
    for start, direction, reached in [("Account:A1", "forward", {"Account:A2", "Account:A3", "Wallet:0xbbb",
                                                                  "Wallet:0xccc"}),
                                      ("Wallet:0xccc", "backward", {"Wallet:0xbbb", "Account:A3", "Account:A2",
                                                                    "Account:A1"})]:
        label, key = start.split(":", 1)
        results = detections.run(case, "trace_funds", {("account_id" if label == "Account" else "address"): key,
                                                       "direction": direction})
        steps = {(s["type"], s["tx_id"]) for r in results for s in r["path"]}
        assert {("Account:" if r["kind"] == "account" else "Wallet:") + r["entity"] for r in results} == reached
        drawn = explore.trace(case, start, direction=direction)
        els = drawn.elements
        assert ids(els) == reached | {start} and drawn.reached == len(results)
        edges = {(e["data"]["kind"], e["data"]["props"].get("tx_id") or e["data"]["props"].get("tx_hash"))
                 for e in els if not graph.is_node(e)}
        assert edges == steps and steps
        assert all(graph.PATH in graph.classes_of(e) for e in els)
        by = {e["data"]["id"]: e for e in els}
        assert explore.TRACE_START in graph.classes_of(by[start])
        for r in results:
            nid = ("Account:" if r["kind"] == "account" else "Wallet:") + r["entity"]
            assert by[nid]["data"]["trace"]["amount_usd"] == r["amount_usd"]
            assert by[nid]["data"]["trace"]["hops"] == r["hops"]
        assert all(e["data"]["props"].get("source") for e in els)       # read back with provenance
    # forward from A1 the best path to A2 is the larger transfer, T1
    assert "TRANSFERRED:T1" in ids(explore.trace(case, "Account:A1").elements, nodes=False)
    assert "TRANSFERRED:T3" not in ids(explore.trace(case, "Account:A1").elements, nodes=False)
    one = explore.trace(case, "Account:A1", max_results=1)
    assert ids(one.elements) <= reached | {"Account:A1", "Account:A2"} and one.reached == 4   # all four, one drawn
    lone = explore.trace(case, "Account:A5")
    assert lone.reached == 0 and [e["data"]["id"] for e in lone.elements] == ["Account:A5"]
    with pytest.raises(QueryError, match="account or a wallet"):
        explore.trace(case, "Device:D1")
    with pytest.raises(QueryError):
        explore.trace(case, "Wallet:0xhot")          # a hot wallet pools money: nothing to trace


def test_nodes_in_one_query(case):
    els, missing = explore.nodes(case, ["Account:A1", "Wallet:0xccc", "Account:A999", "Account:A1",
                                        f"Device:{HUB}", "Watchlist:internal"])
    assert {e["data"]["id"] for e in els} == {"Account:A1", f"Device:{HUB}", "Wallet:0xccc", "Watchlist:internal"}
    assert len(els) == 4
    assert missing == ["Account:A999"] and all(graph.is_node(e) for e in els)
    assert explore.nodes(case, []) == ([], [])
    with pytest.raises(QueryError, match="unknown label"):
        explore.nodes(case, ["Thing:1"])


def test_links_between_accounts_opened_together(case):
    els = explore.links_between(case, ["Account:A1", "Account:A2", "Wallet:0xbbb"])
    got = {e["data"]["id"] for e in els}
    assert {"Device:D1", "Phone:+441234", "Account:A1", "Account:A2"} <= got
    assert {"TRANSFERRED:T1", "TRANSFERRED:T3", "REFERRED:Account:A1->Account:A2"} <= got
    assert "IP:10.0.0.1" not in got and "Account:A3" not in got      # A3 was not opened
    assert explore.links_between(case, ["Account:A1"]) == []

