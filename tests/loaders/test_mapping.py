"""Mapping files, including the two worked examples in docs/mapping.md (run as written)."""
from __future__ import annotations

import pytest

from casegraph.errors import ConfigError
from casegraph.loaders.mapping import load_mapping
from casegraph.loaders.pipeline import load
from tests.support import REPO

EXAMPLES = REPO / "docs" / "examples"


def test_backoffice_example(store, state, tmp_path):
    d = EXAMPLES / "backoffice"
    report = load(store, state, [d], mapping=load_mapping(d / "mapping.yaml"), rejects_dir=tmp_path)
    by_kind = {f.kind: f for f in report.files}
    acc = by_kind["accounts"]
    assert (acc.rows_read, acc.rows_written, acc.rows_filtered, acc.rows_rejected) == (5, 3, 1, 1)
    assert acc.errors == ["users_export_2024.csv line 6, field registered_at (column 'created'): "
                          "'31.02.2024 10:00' is not a valid time (expected format %d.%m.%Y %H:%M)"]
    rows = {r["id"]: r for r in store.read_cypher(
        "MATCH (a:Account) WHERE a.registered_at IS NOT NULL RETURN a.account_id AS id, a.registered_at AS t, "
        "a.kyc_level AS kyc, a.status AS status, a.country AS cc").rows}
    assert set(rows) == {"u-1001", "u-1002", "u-1003"}             # the QA account is filtered out
    assert rows["u-1001"]["t"] == 1709637720000                    # 14:22 Istanbul = 11:22 UTC
    assert (rows["u-1001"]["kyc"], rows["u-1003"]["kyc"]) == (2, 0)
    assert rows["u-1003"]["status"] == "blocked"
    shared = store.read_cypher("MATCH (a:Account)-[:HAS_PHONE]->(p:Phone)<-[:HAS_PHONE]-(b:Account) "
                               "WHERE a.account_id < b.account_id RETURN a.account_id AS a, b.account_id AS b, p.phone AS p").rows
    assert shared == [{"a": "u-1001", "b": "u-1002", "p": "+905321112233"}]
    assert by_kind["account_phones"].rows_written == 2 and by_kind["account_emails"].rows_written == 4


def test_ledger_example(store, state, tmp_path):
    d = EXAMPLES / "ledger"
    report = load(store, state, [d], mapping=load_mapping(d / "mapping.yaml"), rejects_dir=tmp_path)
    by_kind = {f.kind: f for f in report.files}
    assert by_kind["transfers"].rows_written == 1 and by_kind["transfers"].rows_rejected == 1
    assert by_kind["transfers"].errors == ["ledger.jsonl line 5, field amount (column 'cents'): 'n/a' is not a number"]
    assert by_kind["withdrawals"].rows_written == 1 and by_kind["deposits"].rows_written == 1
    t = store.read_cypher("MATCH (:Account)-[r:TRANSFERRED]->(:Account) RETURN r.amount AS a, r.at AS at").first()
    assert t == {"a": 1250.5, "at": 1709650000000}
    listed = store.read_cypher("MATCH (w:Wallet)-[r:LISTED_ON]->(l:Watchlist) RETURN w.address AS w, l.name AS l, "
                               "r.reason AS why, r.list_source AS src, r.listed_at AS at ORDER BY w").rows
    assert listed[0] == {"w": "0x00000000000000000000000000000000000000b2", "l": "vendor-intel",
                         "why": "scam cash-out", "src": "screening vendor", "at": 1709683200000}
    hop = store.read_cypher("MATCH (a:Account)-[:WITHDREW]->(w:Wallet)-[:LISTED_ON]->(:Watchlist) "
                            "RETURN a.account_id AS a").rows
    assert hop == [{"a": "u-1002"}]


def test_p2p_example(store, state, tmp_path):
    """docs/mapping.md worked example 3: pipe-delimited, no ids, step times, boolean flags on
    accounts and devices, EUR and BTC valued from a rates table."""
    from casegraph import detections
    d = EXAMPLES / "p2p"
    report = load(store, state, [d], mapping=load_mapping(d / "mapping.yaml"), rejects_dir=tmp_path)
    by_kind = {f.kind: f for f in report.files}
    pay = by_kind["transfers"]
    assert (pay.rows_read, pay.rows_written, pay.rows_rejected, pay.rows_kept_apart) == (5, 4, 1, 1)
    assert pay.errors == ["payments.csv line 6, field amount: '1O.00' is not a number"]
    accounts = store.read_cypher("MATCH (a:Account) RETURN a.account_id AS id, a.status AS s, a.accountType AS t, "
                                 "a.registered_at AS at ORDER BY id").rows
    assert [(a["id"], a["s"], a["t"]) for a in accounts] == [
        ("C1001", "active", "personal"), ("C1002", "active", "personal"), ("C1003", "blocked", "merchant"),
        ("C1004", "active", "personal")]
    assert accounts[1]["at"] == 1709251200000 + 2 * 3_600_000          # step 2 = 02:00 on the origin day
    dev = store.read_cypher("MATCH (d:Device) RETURN d.device_id AS id, d.type AS t, d.blocked AS b, "
                            "d.osVersion AS os ORDER BY id").rows
    assert dev == [{"id": "dv-a1", "t": "android", "b": False, "os": "14"},
                   {"id": "dv-e9", "t": "emulator", "b": True, "os": "9"}]
    pays = store.read_cypher("MATCH ()-[r:TRANSFERRED]->() RETURN r.tx_id AS id, r.amount AS a, r.asset AS c, "
                             "r.amount_usd AS usd, r.at AS at, r.channel AS ch ORDER BY id").rows
    assert [(p["id"], p["a"], p["c"], p["ch"]) for p in pays] == [
        ("C1001-C1002-10", 250.0, "EUR", "app"), ("C1002-C1003-11", 240.0, "EUR", "web"),
        ("C1002-C1003-11~payments.csv:5", 99.0, "EUR", "web"), ("C1004-C1003-12", 0.015, "BTC", "app")]
    assert pays[0]["usd"] == pytest.approx(270.0) and pays[3]["usd"] == pytest.approx(930.0)
    assert pays[0]["at"] == 1709251200000 + 10 * 3_600_000
    links = {r["account_id"]: r for r in detections.run(store, "scammer_links", {})}
    assert {a for a, r in links.items() if r["hops"] == 1} == {"C1002", "C1003"}


@pytest.mark.parametrize("text, message", [
    ("files: []", "needs a non-empty `files:` list"),
    ("files: [{match: 'x*.csv'}]", "files[0]: `kind` is required"),
    ("files: [{match: 'x*.csv', kind: accts}]", "unknown kind 'accts'"),
    ("files: [{match: 'x*.csv', kind: accounts, columns: {acct: uid}}]", "unknown field(s) acct of accounts"),
    ("files: [{match: 'x*.csv', kind: accounts, colums: {}}]", "unknown key(s) colums"),
    ("files: [{match: 'x*.csv', kind: accounts, columns: {account_id: {col: uid}}}]", "field account_id: unknown or misplaced option(s) col"),
    ("files: [\n  {match: x", "is not valid YAML"),
    # issue 12.8: each a one-line error, not a traceback
    ("files: [{match: [5], kind: accounts}]", "`match` must be text"),
    ("files: [{match: 'x*.csv', kind: [accounts]}]", "`kind` must be text"),
    ("files: [{match: 'x*.csv', kind: accounts, delimiter: '||'}]", "`delimiter` must be one character"),
    ("files: [{match: 'x*.csv', kind: accounts, encoding: klingon}]", "unknown `encoding` 'klingon'"),
    ("files: [{match: 'x*.csv', kind: accounts, names: 7}]", "`names` must be a list"),
    ("files: [{match: 'x*.csv', kind: accounts, where: {column: a, equals: 1}}]", "`where` must be a list"),
    ("a: &a ['x','x']\nb: &b [*a,*a]\nfiles: [{match: 'x*.csv', kind: accounts}]", "YAML aliases (*a) are not allowed"),
])
def test_mapping_mistakes_are_clear(tmp_path, text, message):
    f = tmp_path / "m.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_mapping(f)
    assert message in str(e.value) and "m.yaml" in str(e.value)


def test_a_catastrophic_regex_filter_runs_in_linear_time(store, state, tmp_path):
    """Issue 12.8: `(a+)+$` against a long cell ran Python's backtracking engine for hours."""
    import time
    d = tmp_path / "in"
    d.mkdir()
    (d / "users.csv").write_text("uid,created\n" + "a" * 40000 + "b,2024-01-01T00:00:00Z\nu1,2024-01-01T00:00:00Z\n")
    m = tmp_path / "m.yaml"
    m.write_text("files: [{match: 'users.csv', kind: accounts, columns: {account_id: uid, registered_at: created},"
                 " where: [{column: uid, matches: '^(a+)+$'}]}]")
    started = time.monotonic()
    report = load(store, state, [d], mapping=load_mapping(m), rejects_dir=tmp_path / "rej")
    assert time.monotonic() - started < 20
    assert (report.files[0].rows_read, report.files[0].rows_filtered) == (2, 2)
    m.write_text("files: [{match: 'users.csv', kind: accounts, where: [{column: uid, matches: '(a)\\1'}]}]")
    with pytest.raises(Exception) as e:
        load(store, state, [d], mapping=load_mapping(m), rejects_dir=tmp_path / "rej")
    assert "bad regular expression" in str(e.value) and "RE2" in str(e.value)


def test_damaged_and_strange_files_are_one_clear_line_and_nothing_half_loaded(store, state, tmp_path):
    """Issue 12.8: a truncated .csv.gz, a binary file named .csv, and JSON nested 100,000 deep."""
    import gzip
    import os
    from casegraph.errors import LoadError
    d = tmp_path / "gz"
    d.mkdir()
    data = b"account_id,registered_at\n" + b"".join(b"A%d,2024-01-01T00:00:00Z\n" % i for i in range(20000))
    packed = gzip.compress(data)
    (d / "accounts.csv.gz").write_bytes(packed[: len(packed) // 2])
    for bulk in (True, False):
        with pytest.raises(LoadError) as e:
            load(store, state, [d], rejects_dir=tmp_path / "rej", bulk=bulk)
        assert "accounts.csv.gz: the file is damaged or cut short" in str(e.value)
        assert store.counts()["nodes"]["Account"] == 0
    b = tmp_path / "bin"
    b.mkdir()
    (b / "accounts.csv").write_bytes(b"account_id,registered_at\n" + os.urandom(30000))
    m = tmp_path / "latin.yaml"
    m.write_text("files: [{match: 'accounts.csv', kind: accounts, encoding: latin-1}]")
    for mapping in (None, load_mapping(m)):
        try:
            report = load(store, state, [b], mapping=mapping, rejects_dir=tmp_path / "rej")
            said = [x for f in report.files for x in f.errors] + [f.message or "" for f in report.files]
        except LoadError as e:
            said = [str(e)]
        assert said and all(len(x) < 600 for x in said), [len(x) for x in said]
    j = tmp_path / "json"
    j.mkdir()
    deep = '{"t": "2024-01-01T00:00:00Z", "a": ' + '{"a": ' * 100000 + "1" + "}" * 100001
    (j / "ledger.jsonl").write_text(deep + "\n")
    m = tmp_path / "j.yaml"
    m.write_text("files: [{match: 'ledger.jsonl', kind: accounts, columns: {account_id: a, registered_at: t}}]")
    with pytest.raises(LoadError, match="ledger.jsonl: .*nested too deeply"):
        load(store, state, [j], mapping=load_mapping(m), rejects_dir=tmp_path / "rej")
    (j / "ledger.jsonl").write_text('{"a": "A1", "t": "2024-01-01T00:00:00Z"}\n' + deep + "\n")          # not the first line: that row
    report = load(store, state, [j], mapping=load_mapping(m), rejects_dir=tmp_path / "rej")
    assert report.files[0].rows_rejected == 1 and "nested too deeply" in report.files[0].errors[0]
