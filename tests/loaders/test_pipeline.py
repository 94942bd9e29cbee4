"""Loading canonical files into each real backend: the embedded store and Neo4j (every test
here runs on both; `store` is the backend-parametrised store of this module)."""
from __future__ import annotations

import json
import pandas as pd
import pytest

from casegraph.errors import LoadError
from casegraph.loaders.pipeline import load
from tests.support import EXPECTED_NODES, EXPECTED_RELS, dump_graph, write_csv


@pytest.fixture
def store(any_store):
    """Every loading test on every backend."""
    return any_store


def test_every_kind_loads_with_expected_counts(store, state, small_dataset, tmp_path):
    report = load(store, state, [small_dataset], rejects_dir=tmp_path / "rej")
    assert report.ok, [(f.file, f.status, f.errors) for f in report.files]
    counts = store.counts()
    assert {k: v for k, v in counts["nodes"].items() if v} == EXPECTED_NODES   # no Rate: no rates file
    assert counts["relationships"] == EXPECTED_RELS
    assert [f.kind for f in report.files][:2] == ["accounts", "wallets"]  # nodes before links


def test_provenance_on_every_node_and_relationship(store, state, small_dataset, tmp_path):
    report = load(store, state, [small_dataset], rejects_dir=tmp_path / "rej")
    missing = store.read_cypher("MATCH (n) WHERE n.source IS NULL OR n.load_id IS NULL OR n.loaded_at IS NULL "
                                "RETURN count(n) AS n").single_value()
    missing += store.read_cypher("MATCH ()-[r]->() WHERE r.source IS NULL OR r.load_id IS NULL "
                                 "OR r.loaded_at IS NULL RETURN count(r) AS n").single_value()
    assert missing == 0
    by_file = {f.file: f.load_id for f in report.files}
    t = store.read_cypher("MATCH ()-[r:TRANSFERRED {tx_id: 'T1'}]->() RETURN r.source AS s, r.load_id AS l").first()
    assert t == {"s": "transfers.csv", "l": by_file["transfers.csv"]}


def test_times_are_utc_epoch_ms(store, state, small_dataset, tmp_path):
    load(store, state, [small_dataset], rejects_dir=tmp_path / "rej")
    got = {r["id"]: r["t"] for r in store.read_cypher(
        "MATCH (a:Account) RETURN a.account_id AS id, a.registered_at AS t").rows}
    assert got["A1"] == 1704103200000           # ISO with Z
    assert got["A3"] == 1704103800000           # epoch seconds
    assert got["A4"] == 1706742000000           # +01:00 offset -> 2024-01-31T23:00Z
    assert got["A9"] is None                    # known only as a transfer counterparty


def test_loading_twice_changes_nothing(store, state, small_dataset, tmp_path):
    load(store, state, [small_dataset], rejects_dir=tmp_path / "rej")
    before = dump_graph(store)
    again = load(store, state, [small_dataset], rejects_dir=tmp_path / "rej")
    assert sum(f.nodes_created + f.relationships_created for f in again.files) == 0
    assert dump_graph(store) == before


def test_identifier_links_keep_first_and_last_seen(store, state, tmp_path):
    d = tmp_path / "in"
    write_csv(d / "account_devices.csv", ["account_id", "device_id", "first_seen", "last_seen", "count"],
              [["A1", "D1", "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z", 1],
               ["A1", "D1", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", 4]])
    load(store, state, [d], rejects_dir=tmp_path / "rej")
    r = store.read_cypher("MATCH (:Account)-[r:USED_DEVICE]->(:Device) RETURN r.first_seen AS f, r.last_seen AS l").rows
    assert r == [{"f": 1704067200000, "l": 1709337600000}]


def test_identifier_tables_load_devices_with_their_type_and_blocked_flag(store, state, tmp_path):
    """An identifier table (issue 13.7: `unknown kind 'devices'`): type, a blocked flag read
    as a boolean, first/last seen kept as the earliest and latest; the account links name
    the same nodes, whichever file comes first."""
    d = tmp_path / "in"
    write_csv(d / "devices.csv", ["device_id", "type", "blocked", "first_seen", "last_seen"],
              [["D1", "emulator", "TRUE", "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"],
               ["D2", "android", "no", "", ""],
               ["D1", "", "", "2024-01-01T00:00:00Z", "2024-01-05T00:00:00Z"]])
    write_csv(d / "ips.csv", ["ip", "type", "blocked"], [["10.0.0.9", "datacenter", "1"]])
    write_csv(d / "documents.csv", ["doc_id", "doc_type", "blocked"], [["P1", "passport", "false"]])
    write_csv(d / "account_devices.csv", ["account_id", "device_id"], [["A1", "D1"], ["A2", "D3"]])
    write_csv(d / "account_documents.csv", ["account_id", "doc_id", "doc_type"], [["A1", "P1", ""]])
    report = load(store, state, [d], rejects_dir=tmp_path / "rej")
    assert report.ok, [(f.file, f.status, f.errors) for f in report.files]
    assert [f.kind for f in report.files][:3] == ["devices", "documents", "ips"]   # before the links
    rows = store.read_cypher("MATCH (x:Device) RETURN x.device_id AS id, x.type AS type, x.blocked AS blocked, "
                             "x.first_seen AS f, x.last_seen AS l, x.source AS src ORDER BY id").rows
    assert rows == [{"id": "D1", "type": "emulator", "blocked": True, "f": 1704067200000, "l": 1709337600000,
                     "src": "devices.csv"},
                    {"id": "D2", "type": "android", "blocked": False, "f": None, "l": None, "src": "devices.csv"},
                    {"id": "D3", "type": None, "blocked": None, "f": None, "l": None, "src": "account_devices.csv"}]
    assert store.read_cypher("MATCH (:Account {account_id: 'A1'})-[:USED_DEVICE]->(x:Device) "
                             "RETURN x.blocked AS b").single_value() is True
    assert store.read_cypher("MATCH (x:IP) RETURN x.blocked AS b, x.type AS t").first() == {"b": True, "t": "datacenter"}
    assert store.read_cypher("MATCH (:Account)-[:HAS_DOCUMENT]->(x:Document) RETURN x.doc_type AS t, "
                             "x.blocked AS b").first() == {"t": "passport", "b": False}


def test_a_watchlist_lists_devices_ips_and_phones(store, state, tmp_path):
    """Watchlists list identifiers as well as accounts and wallets (issue 13.7:
    `unknown field(s) device_id of watchlists`); a row must name one listed entity."""
    d = tmp_path / "in"
    write_csv(d / "watchlists.csv", ["watchlist", "device_id", "ip", "phone", "reason", "list_source"],
              [["blocklist", "D1", "", "", "emulator farm", "fraud team"],
               ["blocklist", "", "203.0.113.7", "", "scam VPN exit", ""],
               ["blocklist", "", "", "+449999", "", ""],
               ["blocklist", "", "", "", "nothing listed", ""]])
    report = load(store, state, [d], rejects_dir=tmp_path / "rej")
    f = report.files[0]
    assert (f.rows_read, f.rows_written, f.rows_rejected) == (4, 3, 1)
    rows = store.read_cypher("MATCH (x)-[r:LISTED_ON]->(w:Watchlist) RETURN labels(x)[0] AS label, "
                             "coalesce(x.device_id, x.ip, x.phone) AS key, w.name AS list, r.reason AS reason, "
                             "r.list_source AS by, r.source AS src ORDER BY label").rows
    assert rows == [{"label": "Device", "key": "D1", "list": "blocklist", "reason": "emulator farm", "by": "fraud team",
                     "src": "watchlists.csv"},
                    {"label": "IP", "key": "203.0.113.7", "list": "blocklist", "reason": "scam VPN exit", "by": None,
                     "src": "watchlists.csv"},
                    {"label": "Phone", "key": "+449999", "list": "blocklist", "reason": None, "by": None,
                     "src": "watchlists.csv"}]


def test_a_device_export_and_a_blocklist_map_onto_identifier_kinds(store, state, tmp_path):
    """Issue 13.7 as reported, through a mapping: a pipe-delimited device table with a type
    and a Y/N blocked flag, and one blocklist file feeding a watchlist of devices and IPs."""
    from casegraph.loaders.mapping import load_mapping
    d = tmp_path / "export"
    d.mkdir()
    (d / "device_info.txt").write_text("deviceId|deviceType|isBlocked\nd-1|emulator|Y\nd-2|android|N\n")
    (d / "blocklist.csv").write_text("value,what,why\nd-1,device,farm\n203.0.113.7,ip,vpn exit\n")
    (d / "mapping.yaml").write_text(
        "files:\n"
        "  - {match: device_info.txt, kind: devices, delimiter: '|',\n"
        "     columns: {device_id: deviceId, type: deviceType, blocked: {column: isBlocked, map: {Y: 'yes', N: 'no'}}}}\n"
        "  - {match: blocklist.csv, kind: watchlists, where: [{column: what, equals: device}],\n"
        "     columns: {device_id: value, reason: why}, constants: {watchlist: blocklist}}\n"
        "  - {match: blocklist.csv, kind: watchlists, where: [{column: what, equals: ip}],\n"
        "     columns: {ip: value, reason: why}, constants: {watchlist: blocklist}}\n")
    report = load(store, state, [d / "device_info.txt", d / "blocklist.csv"], mapping=load_mapping(d / "mapping.yaml"),
                  rejects_dir=tmp_path / "rej")
    assert report.ok, [(f.file, f.status, f.errors) for f in report.files]
    assert store.read_cypher("MATCH (x:Device) RETURN x.device_id AS id, x.type AS t, x.blocked AS b "
                             "ORDER BY id").rows == [{"id": "d-1", "t": "emulator", "b": True},
                                                     {"id": "d-2", "t": "android", "b": False}]
    assert store.read_cypher("MATCH (x)-[r:LISTED_ON]->(:Watchlist {name: 'blocklist'}) RETURN labels(x)[0] AS l, "
                             "r.reason AS why ORDER BY l").rows == [{"l": "Device", "why": "farm"},
                                                                    {"l": "IP", "why": "vpn exit"}]


def test_bad_row_is_rejected_with_file_line_and_field(store, state, small_dataset, tmp_path):
    write_csv(small_dataset / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at"],
              [["T1", "A1", "A2", "100.5", "USDT", "2024-02-01T00:00:00Z"],
               ["T2", "A2", "A9", "12,x", "USDT", "2024-02-02T00:00:00Z"],
               ["T3", "A2", "", "1", "USDT", "2024-02-02T00:00:00Z"],
               ["T4", "A2", "A1", "1", "USDT", "yesterday"]])
    report = load(store, state, [small_dataset], rejects_dir=tmp_path / "rej")
    tf = next(f for f in report.files if f.file == "transfers.csv")
    assert (tf.rows_read, tf.rows_written, tf.rows_rejected) == (4, 1, 3)
    assert tf.errors == [
        "transfers.csv line 3, field amount: '12,x' is not a number",
        "transfers.csv line 4, field to_account: is empty but required",
        "transfers.csv line 5, field at: 'yesterday' is not a valid time (expected ISO 8601 or epoch seconds/milliseconds)",
    ]
    rejects = pd.read_csv(tf.rejects_file, dtype=str, keep_default_na=False)
    assert rejects["line"].tolist() == ["3", "4", "5"]
    assert rejects["field"].tolist() == ["field amount", "field to_account", "field at"]
    assert rejects["tx_id"].tolist() == ["T2", "T3", "T4"]  # the original row, to fix and reload
    assert store.counts()["relationships"]["TRANSFERRED"] == 1
    assert not report.ok
    rec = next(r for r in state.recent_loads() if r["kind"] == "transfers")
    assert (rec["status"], rec["rows_rejected"], rec["rejects_file"]) == ("complete", 3, tf.rejects_file)


def test_strict_writes_nothing_when_any_row_is_bad(store, state, small_dataset, tmp_path):
    write_csv(small_dataset / "withdrawals.csv", ["tx_id", "account_id", "address", "amount", "asset", "at"],
              [["W-1", "A2", "0xbbb", "0.5", "ETH", "2024-02-03T00:00:00Z"],
               ["W-2", "A2", "0xbbb", "lots", "ETH", "2024-02-03T00:00:00Z"]])
    report = load(store, state, [small_dataset], strict=True, rejects_dir=tmp_path / "rej")
    assert not report.ok
    bad = next(f for f in report.files if f.file == "withdrawals.csv")
    assert bad.status == "rejected" and bad.errors == ["withdrawals.csv line 3, field amount: 'lots' is not a number"]
    counts = store.counts()
    assert sum(counts["nodes"].values()) == 0 and sum(counts["relationships"].values()) == 0


def test_ragged_and_unparseable_rows(store, state, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "account_phones.csv").write_text("account_id,phone\nA1,+1\nA2,+2,extra\nA3,+3\n")
    (d / "account_emails.jsonl").write_text('{"account_id": "A1", "email": "a@x"}\n{oops\n[1]\n')
    report = load(store, state, [d], rejects_dir=tmp_path / "rej")
    errors = [e for f in report.files for e in f.errors]
    assert "account_phones.csv line 3, (row): has 3 fields, the header has 2" in errors
    assert any(e.startswith("account_emails.jsonl line 2, (row): is not valid JSON") for e in errors)
    assert "account_emails.jsonl line 3, (row): is not a JSON object" in errors
    assert store.counts()["relationships"]["HAS_PHONE"] == 2


def test_missing_required_column_names_file_and_column(store, state, tmp_path):
    d = tmp_path / "in"
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "asset", "at"], [["T1", "A", "B", "X", "1"]])
    with pytest.raises(LoadError, match=r"transfers.csv: column\(s\) 'amount' \(field amount\) missing for transfers"):
        load(store, state, [d], rejects_dir=tmp_path / "rej")
    assert store.counts()["relationships"]["TRANSFERRED"] == 0


def test_unknown_files_are_skipped_with_a_reason(store, state, small_dataset, tmp_path):
    (small_dataset / "notes.csv").write_text("a,b\n1,2\n")
    (small_dataset / "truth.json").write_text("{}")
    report = load(store, state, [small_dataset], rejects_dir=tmp_path / "rej")
    assert report.skipped == ["notes.csv: its name is not a canonical kind (use --mapping for other exports)"]


def test_parquet_and_jsonl_load_the_same_graph_as_csv(store, state, small_dataset, tmp_path):
    load(store, state, [small_dataset], rejects_dir=tmp_path / "rej")
    expected = dump_graph(store, ignore=("loaded_at", "load_id", "source"))
    other = tmp_path / "other"
    other.mkdir()
    for i, f in enumerate(sorted(small_dataset.glob("*.csv"))):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        if i % 2:
            df.to_parquet(other / (f.stem + ".parquet"), index=False)
        else:
            with open(other / (f.stem + ".jsonl"), "w") as fh:
                for rec in df.to_dict("records"):
                    fh.write(json.dumps({k: v for k, v in rec.items() if v != ""}) + "\n")
    store.backend.run("MATCH (n) DETACH DELETE n", {}, write=True)
    report = load(store, state, [other], rejects_dir=tmp_path / "rej")
    assert report.ok, [(f.file, f.errors) for f in report.files]
    assert dump_graph(store, ignore=("loaded_at", "load_id", "source")) == expected


def test_memory_does_not_grow_with_file_size(store, state, tmp_path):
    """Streaming: peak memory for 10x the rows stays within a few MB of the smaller file."""
    import tracemalloc
    d = tmp_path / "mem"
    peaks = []
    for n in (20_000, 200_000):
        path = write_csv(d / f"account_phones_{n}.csv", ["account_id", "phone"],
                         [[f"A{i}", f"+44{i}"] for i in range(n)])
        tracemalloc.start()
        load(store, state, [path], rejects_dir=tmp_path / "rej", batch_size=5000)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] + 8 * 2**20, peaks


def test_progress_counts_rows_as_they_are_written(store, state, small_dataset, tmp_path):
    seen: list[tuple[str, int]] = []

    class Recorder:
        def start(self, name, kind):
            seen.append((name, 0))

        def advance(self, rows):
            name, n = seen[-1]
            seen[-1] = (name, n + rows)

        def finish(self):
            pass
    report = load(store, state, [small_dataset], rejects_dir=tmp_path / "rej", progress=Recorder())
    assert seen == [(f.file, f.rows_written) for f in report.files]
