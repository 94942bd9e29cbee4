"""The bulk first-load path (loaders/bulk.py) builds exactly the graph the MERGE path builds."""
from __future__ import annotations

import pytest

from casegraph.generate import generate
from casegraph.model import model
from casegraph.settings import Settings
from casegraph.state import open_state
from casegraph.store import GraphStore, open_backend
from casegraph.store.falkordb import AOF_AUTO, BULK_PREFIX
from casegraph.loaders import bulk
from casegraph.loaders.pipeline import load
from tests.support import EXPECTED_NODES, EXPECTED_RELS, dump_graph, plan_operators, write_csv

IGNORE = ("loaded_at",)   # load_id is pinned by the file content, loaded_at is the clock


@pytest.fixture
def second_store(settings):
    """Another fresh graph on the same server."""
    from dataclasses import replace
    s2 = replace(settings, graph=settings.graph + "_merge")
    s = GraphStore(open_backend(s2), s2)
    yield s
    s.backend._graph.delete()
    s.close()


def _bulk_used(store) -> bool:
    return store.backend.bulk_writer() is not None


def _add_duplicates(d):
    """Repeated rows (same kind key, later rows filling in what earlier ones left empty, repeated
    endpoints, one node named by several files) and cross-file property rules. Repeats that give a
    field a different value are conflicts (test_conflicting_repeats_...)."""
    write_csv(d / "accounts_extra.csv", ["account_id", "registered_at", "country", "kyc_level", "status",
                                         "referral_code", "referred_by"],
              [["X1", "2024-01-01T00:00:00Z", "GB", 1, "", "", ""],
               ["X1", "2024-01-01T00:00:00Z", "", "", "active", "", "X2"],
               ["X1", "2024-01-01T02:00:00+02:00", "GB", "", "", "RX", ""],
               ["X3", "1704067200000", "", "3", "", "", "X2"]])
    write_csv(d / "account_devices_extra.csv", ["account_id", "device_id", "first_seen", "last_seen", "count"],
              [["X1", "DX", "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z", 3],
               ["X1", "DX", "2024-02-01T00:00:00Z", "", ""],
               ["X1", "DX", "", "2024-05-01T00:00:00Z", 7],
               ["X9", "DX", "", "", ""]])
    write_csv(d / "wallets_extra.csv", ["address", "chain", "label"],
              [["0xw1", "", "first"], ["0xw1", "ETH", ""], ["0xw2", "ETH", ""]])
    write_csv(d / "deposits_extra.csv", ["tx_id", "address", "account_id", "amount", "asset", "at", "amount_usd",
                                         "tx_hash", "chain"],
              [["DX1", "0xw1", "X1", "1", "ETH", "2024-01-02T00:00:00Z", "", "", "ETH"],
               ["DX1", "0xw1", "X1", "1.0", "ETH", "2024-01-02T00:00:00Z", "5", "0xh", ""],
               ["DX2", "0xw2", "X3", "2.5", "ETH", "2024-01-03T00:00:00Z", "", "", "TRON"],
               ["DX3", "0xw3", "X3", "3", "BTC", "2024-01-04T00:00:00Z", "", "", ""],
               ["DX4", "0xw2", "X3", "1", "eth", "2024-01-02T00:00:00Z", "", "", ""]])
    # a later file gives DX2 a USD value: it replaces the computed one, and its rate mark goes
    write_csv(d / "deposits_fix.csv", ["tx_id", "address", "account_id", "amount", "asset", "at", "amount_usd"],
              [["DX2", "0xw2", "X3", "2.5", "ETH", "2024-01-03T00:00:00Z", "6000"]])
    write_csv(d / "scam_reports_extra.csv", ["report_id", "reporter_id", "reported_at", "amount", "amount_usd",
                                             "asset", "status", "against_account", "against_address"],
              [["RX", "X1", "2024-02-10T00:00:00Z", "10", "", "USDT", "open", "X3", ""],
               ["RX", "X1", "2024-02-10T00:00:00Z", "", "", "", "closed", "X3", "0xw3"],
               ["RX", "X1", "2024-02-10T00:00:00Z", "", "", "", "", "", "0xw9"]])
    write_csv(d / "watchlists_extra.csv", ["watchlist", "account_id", "address", "list_source", "reason",
                                           "listed_at"],
              [["internal", "X3", "", "a", "", ""], ["internal", "X3", "", "", "b", "2024-03-01"],
               ["internal", "X3", "0xw1", "", "", ""]])
    # USD rates: "eth" and "ETH" of one day are one rate (the later row wins); DX2 (ETH, two days
    # on) and DX4 are valued from it, DX3 (BTC, 15 days after its only rate) and RX (USDT) stay empty
    write_csv(d / "rates_extra.csv", ["asset", "day", "usd"],
              [["eth", "2024-01-01", "2000"], ["ETH", "2024-01-01T12:00:00Z", "2100"],
               ["BTC", "2023-12-20", "40000"], ["BTC", "2024-02-01", "45000"]])
    # identifier tables (a node also named by a link file, repeated rows, a blocked flag) and
    # watchlists listing identifiers
    write_csv(d / "devices_extra.csv", ["device_id", "type", "blocked", "first_seen", "last_seen"],
              [["DX", "android", "yes", "2024-03-01T00:00:00Z", ""],
               ["DX", "emulator", "", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"],
               ["DY", "", "false", "", "2024-06-01T00:00:00Z"]])
    write_csv(d / "ips_extra.csv", ["ip", "type", "blocked"], [["198.51.100.1", "vpn", "1"], ["198.51.100.1", "", "0"]])
    write_csv(d / "phones_extra.csv", ["phone", "type"], [["+449000", "voip"]])
    write_csv(d / "emails_extra.csv", ["email", "blocked", "last_seen"], [["x@example.com", "t", "2024-01-01"]])
    write_csv(d / "documents_extra.csv", ["doc_id", "doc_type", "blocked"], [["PX", "passport", "true"]])
    write_csv(d / "account_documents_extra.csv", ["account_id", "doc_id", "doc_type"], [["X1", "PX", "id_card"]])
    write_csv(d / "watchlists_ident.csv", ["watchlist", "device_id", "ip", "phone", "email", "doc_id", "reason",
                                           "listed_at"],
              [["blocklist", "DX", "", "", "", "", "", ""],
               ["blocklist", "DX", "", "", "", "", "emulator farm", "2024-03-01"],
               ["blocklist", "", "198.51.100.1", "", "", "", "", ""],
               ["internal", "", "", "+449000", "", "", "", ""],
               ["internal", "", "", "", "x@example.com", "", "", ""],
               ["internal", "", "", "", "", "PX", "forged", ""],
               ["internal", "DZ", "", "", "", "", "", ""]])
    # Not covered: rows with *different* keys that set conflicting values on one element in
    # one batch. FalkorDB applies a batch's SETs together, so MERGE's result then depends on
    # the batch size; the bulk path takes such rows one after the other (as Neo4j does).


def _diff(x, y):
    from collections import Counter
    cx, cy = Counter(map(repr, x)), Counter(map(repr, y))
    return {"bulk only": list((cx - cy).elements())[:5], "merge only": list((cy - cx).elements())[:5]}


def _load_both(bulk_store, merge_store, paths, tmp_path):
    r1 = load(bulk_store, open_state(f"sqlite:///{tmp_path}/s1.sqlite"), paths, rejects_dir=tmp_path / "r1",
              bulk=True)
    r2 = load(merge_store, open_state(f"sqlite:///{tmp_path}/s2.sqlite"), paths, rejects_dir=tmp_path / "r2",
              bulk=False)
    return r1, r2


def _same_graph_and_summary(bulk_store, merge_store, r1, r2):
    """The bulk-loaded and the MERGE-loaded graph, element for element, and the per-file
    summaries of the two loads; returns the bulk graph's dump."""
    a, b = dump_graph(bulk_store, IGNORE), dump_graph(merge_store, IGNORE)
    assert len(a[0]) > 10_000 and len(a[1]) > 10_000
    assert a[0] == b[0], _diff(a[0], b[0])
    assert a[1] == b[1], _diff(a[1], b[1])
    assert [(f.file, f.rows_read, f.rows_written, f.nodes_created, f.relationships_created) for f in r1.files] == \
           [(f.file, f.rows_read, f.rows_written, f.nodes_created, f.relationships_created) for f in r2.files]
    return a


def test_bulk_builds_the_merge_graph_for_generated_data_and_duplicates(store, second_store, tmp_path):
    assert _bulk_used(store)
    data = tmp_path / "gen"
    generate(data, 2000, 7)
    _add_duplicates(data)
    r1, r2 = _load_both(store, second_store, [data], tmp_path)
    assert (r1.path, r2.path) == ("bulk", "merge")
    assert r1.ok and r2.ok, [(f.file, f.status, f.errors, f.message) for f in r1.files + r2.files if f.errors or f.status != "complete"]
    _same_graph_and_summary(store, second_store, r1, r2)
    # types: ints stay ints, floats floats, times epoch ms
    row = store.read_cypher("MATCH (a:Account {account_id: 'X1'})-[r:USED_DEVICE]->() "
                            "RETURN a.kyc_level AS k, a.registered_at AS t, r.count AS c, r.first_seen AS f").rows[0]
    assert row == {"k": 1, "t": 1704067200000, "c": 7, "f": 1706745600000}
    # amount_usd computed from the rates file where the file gave none, the same on both paths
    usd = store.read_cypher("MATCH ()-[r:DEPOSITED]->() WHERE r.tx_id STARTS WITH 'DX' "
                            "RETURN r.tx_id AS tx, r.amount_usd AS usd, r.usd_rate_day AS day ORDER BY tx").rows
    assert usd == [{"tx": "DX1", "usd": 5.0, "day": None}, {"tx": "DX2", "usd": 6000.0, "day": None},
                   {"tx": "DX3", "usd": None, "day": None}, {"tx": "DX4", "usd": 2100.0, "day": 1704067200000}]
    dev = store.read_cypher("MATCH (d:Device {device_id: 'DX'})-[l:LISTED_ON]->(w:Watchlist) RETURN d.type AS t, "
                            "d.blocked AS b, d.first_seen AS f, l.reason AS r, w.name AS w").rows
    assert dev == [{"t": "emulator", "b": True, "f": 1704067200000, "r": "emulator farm", "w": "blocklist"}]
    assert store.backend.bulk_writer() is not None
    assert not store.backend._db.connection.exists(BULK_PREFIX + store.settings.graph)
    # the schema is there (applied after the bulk insert) and used
    plan = store.backend._graph.explain("MATCH (a:Account {account_id: 'X1'}) RETURN a")
    assert "Index" in str(plan)


def test_conflicting_repeats_are_reported_on_both_paths_and_never_folded(store, second_store, tmp_path):
    """Issue 13.1: two transfers with one tx_id and different amounts were merged into one
    (rows 3, loaded 2, rejected 0). A repeat with other values is a conflict: the first row
    loads, the repeat is in the rejects file with both places named and counted; identical
    repeats stay idempotent. The bulk path hands such a load to MERGE, so both agree."""
    import csv
    d = tmp_path / "in"
    d.mkdir()
    write_csv(d / "accounts.csv", ["account_id", "registered_at"], [["A1", "2024-01-01T00:00:00Z"],
                                                                      ["A2", "2024-01-01T00:00:00Z"]])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at"],
              [["T1", "A1", "A2", "10", "USDT", "2024-01-02T00:00:00Z"],
               ["T1", "A1", "A2", "12", "USDT", "2024-01-02T00:00:00Z"],
               ["T2", "A1", "A2", "5", "USDT", "2024-01-03T00:00:00Z"],
               ["T2", "A1", "A2", "5.0", "USDT", "2024-01-03T00:00:00Z"]])
    write_csv(d / "transfers_more.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at"],
              [["T2", "A2", "A1", "5", "USDT", "2024-01-03T00:00:00Z"]])
    for target, bulk in ((store, True), (second_store, False)):
        report = load(target, open_state(f"sqlite:///{tmp_path}/s{bulk}.sqlite"), [d], bulk=bulk,
                      rejects_dir=tmp_path / f"rej{bulk}")
        assert report.path == "merge" and not report.ok
        t = {f.file: f for f in report.files if f.kind == "transfers"}
        one, more = t["transfers.csv"], t["transfers_more.csv"]
        assert (one.rows_read, one.rows_written, one.rows_rejected, one.rows_conflicting) == (4, 3, 0, 1)
        assert (more.rows_read, more.rows_written, more.rows_conflicting) == (1, 0, 1)
        assert one.errors == ["transfers.csv line 3, (key) tx_id: repeats tx_id 'T1' of transfers.csv line 2 with "
                              "a different amount"]
        assert "different from_account, to_account" in more.errors[0]
        with open(one.rejects_file, newline="") as fh:
            rejected = list(csv.DictReader(fh))
        assert [(r["line"], r["tx_id"], r["amount"]) for r in rejected] == [("3", "T1", "12")]
        got = target.read_cypher("MATCH ()-[r:TRANSFERRED]->() RETURN r.tx_id AS t, r.amount AS a ORDER BY t").rows
        assert got == [{"t": "T1", "a": 10.0}, {"t": "T2", "a": 5.0}]


def test_a_bulk_load_returns_with_every_index_filled(store, state, tmp_path):
    """FalkorDB fills indexes over existing data in the background; a load that returned
    before that left the next queries planning label scans and queueing behind the
    indexer (a first `rings` on a fresh 1M-account load took 420 s instead of 23 s)."""
    data = tmp_path / "gen"
    generate(data, 20000, 3)
    report = load(store, state, [data], bulk=True, rejects_dir=tmp_path / "rej")
    assert report.path == "bulk" and report.ok
    states = {(i["name"], i["property"]): i["state"] for i in store.schema()}
    assert len(states) == len(model().schema)
    assert {s.upper() for s in states.values()} == {"OPERATIONAL"}, states


def test_bulk_small_dataset_counts_and_provenance(store, state, small_dataset, tmp_path):
    conn = store.backend._db.connection
    aof_auto = conn.config_get(AOF_AUTO)
    report = load(store, state, [small_dataset], bulk=True, rejects_dir=tmp_path / "rej")
    assert report.ok
    assert conn.config_get(AOF_AUTO) == aof_auto   # automatic AOF rewrites are back on
    counts = store.counts()
    assert {k: v for k, v in counts["nodes"].items() if v} == EXPECTED_NODES
    assert {k: v for k, v in counts["relationships"].items() if v} == EXPECTED_RELS
    # a node first named by a relationship file carries that file's provenance
    row = store.read_cypher("MATCH (a:Account {account_id: 'A9'}) RETURN a.source AS s, a.load_id AS l").rows[0]
    transfers = next(f for f in report.files if f.file == "transfers.csv")
    assert row == {"s": "transfers.csv", "l": transfers.load_id}
    assert open_state(store.settings.state_url()).unfinished_loads(store.backend.describe()) == []


def test_second_load_goes_through_merge_and_changes_nothing(store, state, small_dataset, tmp_path):
    load(store, state, [small_dataset], bulk=True, rejects_dir=tmp_path / "rej")
    before = dump_graph(store, ignore=())
    assert store.backend.bulk_writer().target_is_empty() is False
    again = load(store, state, [small_dataset], bulk=True, rejects_dir=tmp_path / "rej")
    assert again.ok
    assert sum(f.nodes_created + f.relationships_created for f in again.files) == 0
    assert dump_graph(store, ignore=()) == before


def test_rejects_and_strict_work_on_the_bulk_path(store, state, tmp_path):
    d = tmp_path / "bad"
    write_csv(d / "accounts.csv", ["account_id", "registered_at", "kyc_level"],
              [["A1", "2024-01-01T00:00:00Z", "1"], ["A2", "yesterday", "2"], ["A3", "2024-01-01T00:00:00Z", "x"]])
    strict = load(store, state, [d], bulk=True, rejects_dir=tmp_path / "rej", strict=True)
    assert strict.files[0].status == "rejected" and store.counts()["nodes"]["Account"] == 0
    report = load(store, state, [d], bulk=True, rejects_dir=tmp_path / "rej")
    f = report.files[0]
    assert (f.status, f.rows_read, f.rows_written, f.rows_rejected) == ("complete", 3, 1, 2)
    assert f.errors[0].startswith("accounts.csv line 3, field registered_at:")
    assert f.rejects_file and "kyc_level" in open(f.rejects_file).read()
    assert store.counts()["nodes"]["Account"] == 1


def test_a_leftover_temporary_graph_is_cleaned_and_the_target_untouched(store, state, small_dataset, tmp_path):
    writer = store.backend.bulk_writer()
    writer.begin()
    writer.send(1, 0, [bulk._header("Account", ["account_id"]) + b"\x03half\x00"], [])
    conn = store.backend._db.connection
    assert conn.exists(writer.tmp) and store.counts()["nodes"]["Account"] == 0   # target untouched
    load(store, state, [small_dataset], bulk=True, rejects_dir=tmp_path / "rej")
    assert not conn.exists(writer.tmp)
    if store.backend._owns_server:   # the interrupted load left automatic AOF rewrites off; back on
        assert conn.config_get(AOF_AUTO)[AOF_AUTO] != "0"
    assert store.counts()["nodes"]["Account"] == EXPECTED_NODES["Account"]


def test_templates_match_their_bulk_description(store):
    """Change a cypher/load template and this fails until WRITES in loaders/bulk.py says the same."""
    assert bulk.stale_templates(store.queries, store.dialect) == []


def test_tokens_respect_the_size_limits(monkeypatch):
    import pandas as pd
    monkeypatch.setattr(bulk, "MAX_TOKEN", 200)
    monkeypatch.setattr(bulk, "MAX_COMMAND", 500)
    built = bulk.Built(nodes={"Phone": pd.DataFrame({"phone": [f"+44{i:06d}" for i in range(100)], "_file": 0})})
    toks = list(bulk.tokens(built, {0: ("p.csv", "id", 1)}))
    assert sum(t.count for t in toks) == 100 and all(len(t.data) <= 200 for t in toks) and len(toks) > 10
    cmds = list(bulk.commands(iter(toks)))
    assert all(sum(map(len, c[2])) <= 500 for c in cmds) and sum(c[0] for c in cmds) == 100


def test_an_input_over_the_memory_budget_streams_through_merge(store, state, small_dataset, tmp_path, monkeypatch):
    from dataclasses import replace
    lean = GraphStore(store.backend, replace(store.settings, bulk_max_mb=0), store.queries)

    def no_bulk():
        raise AssertionError("the bulk writer was asked for although the input is over bulk_max_mb")
    monkeypatch.setattr(store.backend, "bulk_writer", no_bulk)
    assert load(lean, state, [small_dataset], bulk=True, rejects_dir=tmp_path / "rej").ok
    counts = store.counts()
    assert {k: v for k, v in counts["nodes"].items() if v} == EXPECTED_NODES
    assert {k: v for k, v in counts["relationships"].items() if v} == EXPECTED_RELS


def test_neo4j_first_load_creates_the_merge_graph_and_a_second_load_merges(neo4j_db, second_store, tmp_path):
    """A first load into an empty Neo4j database goes in as CREATE batches (no MERGE): the
    graph equals the one the MERGE path builds (on the embedded store, element for element);
    the next load MERGEs and changes nothing."""
    data = tmp_path / "gen"
    generate(data, 2000, 7)
    _add_duplicates(data)
    with neo4j_db.open(state=f"sqlite:///{tmp_path}/s1.sqlite") as n4:
        neo4j_db.claim(n4)
        writer = n4.backend.bulk_writer()
        assert writer.takes == "rows" and writer.target_is_empty()
        r1, r2 = _load_both(n4, second_store, [data], tmp_path)
        assert r1.ok and r2.ok and (r1.path, r2.path) == ("bulk", "merge")
        a = _same_graph_and_summary(n4, second_store, r1, r2)
        assert {i["kind"] for i in n4.schema()} == {"constraint", "index"}
        assert not writer.target_is_empty()
        again = load(n4, open_state(f"sqlite:///{tmp_path}/s1.sqlite"), [data], rejects_dir=tmp_path / "r3", bulk=True)
        assert again.ok and again.path == "merge" and sum(f.nodes_created + f.relationships_created for f in again.files) == 0
        assert dump_graph(n4, IGNORE) == a


TRANSFER_ROW = {"rows": [{"tx_id": "T1", "from_account": "A1", "to_account": "A2", "amount": 1.0, "amount_usd": 1.0,
                          "asset": "USDT", "at": 1}], "source": "s.csv", "load_id": "x", "loaded_at": 1}


def _scans_every_transfer(store) -> bool:
    """Whether Neo4j plans the transfer MERGE as a scan of every transfer (per input row)."""
    return any("RelationshipIndexScan" in op or "RelationshipTypeScan" in op
               for op in plan_operators(store, "load_transfers", TRANSFER_ROW))


def test_neo4j_plans_for_what_a_first_load_wrote(neo4j_db, tmp_path):
    """After a first load the planner knows the graph: the transfer MERGE expands between its
    two accounts. (Planned with index samples taken while the database was empty, it was a
    scan of every transfer for each row: a rerun after an interrupted first load took 30x longer.)"""
    data = tmp_path / "gen"
    generate(data, 2000, 7)
    with neo4j_db.open() as n4:
        neo4j_db.claim(n4)
        n4.ensure_schema()
        n4.refresh_statistics()                       # samples of the empty database
        report = load(n4, open_state(f"sqlite:///{tmp_path}/s.sqlite"), [data], rejects_dir=tmp_path / "r",
                      bulk=True)
        assert report.ok and report.path == "bulk"
        assert not _scans_every_transfer(n4)


def test_neo4j_load_over_an_interrupted_first_load_plans_for_what_is_there(neo4j_db, tmp_path):
    """What a killed first load left (whole CREATE batches, no statistics) is known to the
    planner before the next load's first MERGE."""
    data = tmp_path / "gen"
    generate(data, 2000, 7)
    with neo4j_db.open() as n4:
        neo4j_db.claim(n4)
        n4.ensure_schema()
        n4.refresh_statistics()
        writer = n4.backend.bulk_writer()           # a first load's batches, then kill -9: no commit
        writer.begin()
        writer.create("node", "Account", None, [{"account_id": f"P{i}"} for i in range(3000)])
        writer.create("relationship", "TRANSFERRED", ("Account", "account_id", "Account", "account_id"),
                      [{"_src": f"P{i}", "_dst": f"P{(i * 7 + 1) % 3000}", "tx_id": f"PT{i}"} for i in range(6000)])
        assert _scans_every_transfer(n4)

        class FirstFile:
            seen: list[bool] = []

            def start(self, name, kind):
                if not self.seen:
                    self.seen.append(_scans_every_transfer(n4))

            def advance(self, rows):
                pass

            def finish(self):
                pass

        report = load(n4, open_state(f"sqlite:///{tmp_path}/s.sqlite"), [data], rejects_dir=tmp_path / "r",
                      bulk=True, progress=FirstFile())
        assert report.ok and report.path == "merge"
        assert FirstFile.seen == [False]


# -- the same rows, both paths (issue 12.9) ---------------------------------------------------

_IDS = ["A1", "A2", "A3", " A1", "A1 ", "a1", "", "=A4", "A\u00e95"]
_TIMES = ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00+02:00", "1704067200", "1704067200000", "", "2024-13-01",
          "yesterday", " 2024-01-03T00:00:00Z ", "1e400", "99999999999999999999", "999999999999999",
          "9223372036854775"]      # epoch numbers past the year 9999 (a fuzz run found them: a traceback)
_INTS = ["1", "2", "", "1.0", "1e3", "9223372036854775808", "x", "-0", " 3 ", "99999999999999999999"]
_FLOATS = ["1.5", "0", "", "1e400", "nan", "-2", "1,5", " 7 ", "1e3", "inf", "0x10"]
_TEXTS = ["GB", "", "fr", "=cmd", "x" * 50, "\u00e9", "active", "blocked", "y" * 1_000_001]


def _rows(*columns):
    from hypothesis import strategies as st
    return st.lists(st.tuples(*(st.sampled_from(c) for c in columns)), max_size=12)


def _both_paths_fixture():
    from hypothesis import HealthCheck, given, settings as hsettings
    return hsettings(max_examples=25, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]), given


_SETTINGS, _GIVEN = _both_paths_fixture()
_graph_numbers = iter(range(10 ** 6))


def _through_both_paths(settings, d) -> str:
    """Load folder `d` through the bulk path and the MERGE path into two fresh graphs; the same
    rows must be written, the same rejected with the same reasons, and the graphs be equal.
    Returns the path the bulk load took ("bulk", or "merge" when it handed over)."""
    from dataclasses import replace
    from casegraph.errors import CasegraphError
    n = next(_graph_numbers)
    stores = [GraphStore(open_backend(s), s) for s in (replace(settings, graph=f"{settings.graph}_b{n}"),
                                                       replace(settings, graph=f"{settings.graph}_m{n}"))]
    try:
        outcome, paths = [], []
        for store, bulk in zip(stores, (True, False)):
            try:
                r = load(store, open_state(f"sqlite:///{d}/s{int(bulk)}.sqlite"), [d], rejects_dir=d / f"rej{int(bulk)}",
                         bulk=bulk)
                paths.append(r.path)
                outcome.append([(f.file, f.rows_read, f.rows_written, f.rows_rejected, f.rows_filtered, f.errors)
                                for f in r.files])
            except CasegraphError as e:
                paths.append("error")
                outcome.append(str(e))
        assert outcome[0] == outcome[1]
        assert dump_graph(stores[0], IGNORE) == dump_graph(stores[1], IGNORE)
        return paths[0]
    finally:
        for store in stores:
            store.backend._graph.delete()
            store.close()


def _write_messy(d, accounts, transfers) -> None:
    write_csv(d / "accounts.csv", ["account_id", "registered_at", "country", "kyc_level", "status",
                                   "referral_code", "referred_by"], [list(r) for r in accounts])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
              [list(r) for r in transfers])


@_SETTINGS
@_GIVEN(accounts=_rows(_IDS, _TIMES, _TEXTS, _INTS, _TEXTS, _TEXTS, _IDS),
        transfers=_rows(["T1", "T2", "T3", "", " T1"], _IDS, _IDS, _FLOATS, _TEXTS, _TIMES, _FLOATS))
def test_bulk_and_merge_treat_the_same_rows_alike(settings, tmp_path_factory, accounts, transfers):
    """Generated messy rows (values each path once stored differently: 1e400, 2^63, 1 MB texts,
    padded keys, bad times) go through both paths: same rows written and rejected, same graph."""
    d = tmp_path_factory.mktemp("both")
    _write_messy(d, accounts, transfers)
    _through_both_paths(settings, d)


def test_messy_rows_with_rejects_still_take_the_bulk_path(settings, tmp_path):
    """The comparison is worth something only if the bulk path really runs with such rows."""
    _write_messy(tmp_path, [("A1", "2024-01-01T00:00:00Z", "GB", "1e3", "active", "", ""),
                            ("A2", "yesterday", "fr", "9223372036854775808", "", "", "A1"),
                            (" A3 ", "1704067200", "y" * 1_000_001, "2", "", "", "")],
                 [("T1", "A1", "A2", "1e400", "USDT", "2024-01-01T00:00:00Z", "1.5"),
                  ("T2", "A2", "A3", "7", "USDT", "1704067200000", "")])
    assert _through_both_paths(settings, tmp_path) == "bulk"


@pytest.mark.parametrize("bulk", [True, False])
def test_an_epoch_time_past_the_year_9999_is_a_rejected_row_on_both_paths(store, state, tmp_path, bulk):
    """Digits too large for a date (some 15 digits fit the bulk reader's int64 but no date; 20
    digits fit nothing) are that row's error, never a traceback; the good rows load."""
    d = tmp_path / "far"
    write_csv(d / "accounts.csv", ["account_id", "registered_at"],
              [["A1", "2024-01-01T00:00:00Z"], ["A2", "99999999999999999999"], ["A3", "999999999999999"]])
    f = load(store, state, [d], bulk=bulk, rejects_dir=tmp_path / "rej").files[0]
    assert (f.rows_read, f.rows_written, f.rows_rejected) == (3, 1, 2)
    assert f.errors[0] == ("accounts.csv line 3, field registered_at: '99999999999999999999' is not a valid time: "
                           "outside the years 1 to 9999")
    assert store.counts()["nodes"]["Account"] == 1
