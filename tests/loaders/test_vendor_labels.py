"""The vendor_labels kind on both engines: a vendor-shaped export loaded through the mapping in
docs/examples/vendor (the rows a vendor gets wrong rejected, naming file, line and field), a
reload that adds nothing, and a changed label that reaches the transfer check's fingerprint."""
from __future__ import annotations

import pytest

from casegraph.detections import transfer_risk
from casegraph.loaders.mapping import load_mapping
from casegraph.loaders.pipeline import load
from tests.support import REPO, VENDOR_LABELS, write_csv

EXAMPLE = REPO / "docs" / "examples" / "vendor"
LABELS = ("MATCH (w:Wallet)-[r:LISTED_ON]->(l:Watchlist) RETURN w.address AS address, w.chain AS chain, "
          "l.name AS list, r.list_source AS vendor, r.category AS category, r.entity AS entity, "
          "r.confidence AS confidence, r.listed_at AS at ORDER BY address, list")


def test_a_vendor_export_loads_through_its_mapping(any_store, sqlite_state, tmp_path):
    report = load(any_store, sqlite_state, [EXAMPLE], mapping=load_mapping(EXAMPLE / "mapping.yaml"),
                  rejects_dir=tmp_path)
    f, = report.files
    assert (f.kind, f.rows_read, f.rows_written, f.rows_rejected) == ("vendor_labels", 7, 4, 3)
    name = "address_labels_2024-03.csv"
    assert f.errors[0].startswith(f"{name} line 6, field category (column 'Category'): 'Fortune Telling' is not "
                                  "one of sanctions, terrorist_financing, ")
    assert f.errors[1:] == [f"{name} line 7, field confidence (column 'Confidence'): 1.5 is outside 0..1",
                            f"{name} line 8, field address (column 'Address'): is empty but required"]
    rejected = next(tmp_path.rglob("*.csv"))
    assert "Fortune Telling" in rejected.read_text() and "Pig-butchering ring" in rejected.read_text()
    rows = any_store.read_cypher(LABELS).rows
    assert rows[0]["confidence"] == pytest.approx(0.95)         # 95 x 0.01
    assert {**rows[0], "confidence": 0.95} == {"address": "0x00000000000000000000000000000000000000c1", "chain": "ETH",
                       "list": "vendor:sanctions", "vendor": "ExampleVendor", "category": "sanctions",
                       "entity": "Lazarus Group", "confidence": 0.95, "at": 1706745600000}
    assert [(r["list"], r["category"]) for r in rows] == [
        ("vendor:sanctions", "sanctions"), ("vendor:mixer", "mixer"), ("vendor:exchange", "exchange"),
        ("vendor:darknet_market", "darknet_market")]            # "Darknet Market" needed no map entry
    assert rows[3]["chain"] == "BTC"


def _labels(d, confidence="0.95", more=()):
    return write_csv(d / "vendor_labels.csv", VENDOR_LABELS,
                     [["WS", "ETH", "sanctions", "Lazarus Group", "ChainVendor", confidence, ""],
                      ["WS", "ETH", "sanctions", "Lazarus", "OtherVendor", "0.7", ""], *more])


def test_reload_adds_nothing_and_a_changed_label_changes_the_fingerprint(any_store, sqlite_state, tmp_path):
    d = tmp_path / "in"
    _labels(d)
    assert load(any_store, sqlite_state, [d], rejects_dir=tmp_path / "rej").ok
    first = any_store.read_cypher(LABELS).rows
    assert [(r["vendor"], r["entity"]) for r in first] == [("ChainVendor", "Lazarus Group"), ("OtherVendor", "Lazarus")]
    fp = transfer_risk.memory_fingerprint(any_store)["watchlists"]
    assert fp[0] == 2
    assert load(any_store, sqlite_state, [d], rejects_dir=tmp_path / "rej").ok
    assert any_store.read_cypher(LABELS).rows == first
    assert transfer_risk.memory_fingerprint(any_store)["watchlists"] == fp         # nothing changed: no rebuild
    _labels(d, confidence="0.5")
    assert load(any_store, sqlite_state, [d], rejects_dir=tmp_path / "rej").ok
    changed = any_store.read_cypher(LABELS).rows
    assert [r["confidence"] for r in changed] == [0.5, 0.7] and len(changed) == 2
    after = transfer_risk.memory_fingerprint(any_store)["watchlists"]
    assert after[0] == 2 and after[1] > fp[1]                                     # same count, newer change
    _labels(d, confidence="0.5", more=[["WM", "ETH", "mixer", "", "ChainVendor", "", ""]])
    assert load(any_store, sqlite_state, [d], rejects_dir=tmp_path / "rej").ok
    assert transfer_risk.memory_fingerprint(any_store)["watchlists"][0] == 3


def test_a_label_repeated_with_another_entity_is_a_conflict(any_store, sqlite_state, tmp_path):
    d = tmp_path / "in"
    write_csv(d / "vendor_labels.csv", VENDOR_LABELS,
              [["WS", "ETH", "sanctions", "Lazarus Group", "ChainVendor", "0.9", ""],
               ["WS", "ETH", "Sanctions", "Someone else", "ChainVendor", "0.9", ""]])
    report = load(any_store, sqlite_state, [d], rejects_dir=tmp_path / "rej")
    f, = report.files
    assert (f.rows_written, f.rows_conflicting) == (1, 1)
    assert "with a different entity" in f.errors[0] and "line 3" in f.errors[0]
    assert any_store.read_cypher(LABELS).rows[0]["entity"] == "Lazarus Group"
