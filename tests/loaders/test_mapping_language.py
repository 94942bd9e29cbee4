"""Issue 13: the mapping language on what real exports ship. One test per problem the issue
numbers (13.1 conflicting ids: tests/loaders/test_bulk.py and on_conflict here; 13.7
identifiers and 13.11 money: their own tests), each failing on the code before it."""
from __future__ import annotations

import csv
import json

import pytest

from casegraph.errors import ConfigError, LoadError
from casegraph.loaders.mapping import load_mapping
from casegraph.loaders.pipeline import check, load
from tests.support import run_cli, write_csv

TRANSFERS = "fromId|toId|amount|createTime\nu1|u2|10.5|2024-03-01 10:00\nu1|u2|10.5|2024-03-01 10:00\n" \
            "u2|u3|7|2024-03-02 11:30\n"


def _mapping(tmp_path, text: str, name: str = "m.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return load_mapping(path)


def _files(tmp_path, **files: str):
    d = tmp_path / "in"
    d.mkdir(exist_ok=True)
    for name, text in files.items():
        (d / name.replace("__", ".")).write_text(text)
    return d


def _transfers(store):
    return store.read_cypher("MATCH (a:Account)-[r:TRANSFERRED]->(b:Account) RETURN r.tx_id AS id, "
                             "a.account_id AS f, b.account_id AS t, r.amount AS amount ORDER BY id").rows


def test_13_2_ids_from_a_template_a_hash_or_the_row_number(store, state, tmp_path):
    d = _files(tmp_path, t_template__csv=TRANSFERS, t_hash__csv=TRANSFERS, t_rows__csv=TRANSFERS)
    common = ("columns: {from_account: fromId, to_account: toId, at: {column: createTime, format: '%Y-%m-%d %H:%M'}}\n"
              "    constants: {asset: USDT}\n")
    m = _mapping(tmp_path, f"""files:
  - match: t_template.csv
    kind: transfers
    id: {{template: "{{fromId}}-{{toId}}-{{createTime}}"}}
    {common}  - match: t_hash.csv
    kind: transfers
    id: {{hash: [fromId, toId, amount, createTime]}}
    {common}  - match: t_rows.csv
    kind: transfers
    id: row_number
    {common}""")
    report = load(store, state, [d], mapping=m, rejects_dir=tmp_path / "rej")
    assert report.ok, [(f.file, f.errors) for f in report.files]
    ids = [r["id"] for r in _transfers(store)]
    assert {"u1-u2-2024-03-01 10:00", "u2-u3-2024-03-02 11:30"} <= set(ids)
    assert {"t_rows.csv:2", "t_rows.csv:3", "t_rows.csv:4"} <= set(ids)     # identical rows kept apart
    hashed = sorted(i for i in ids if len(i) == 24 and "-" not in i and ":" not in i)
    assert len(hashed) == 2                                                  # identical rows, one id
    by_file = {f.file: f for f in report.files}
    assert (by_file["t_template.csv"].rows_read, by_file["t_template.csv"].rows_written) == (3, 3)
    # a hash is stable: loading the same rows again (a new file name, a new load) adds nothing
    (d / "t_hash.csv").rename(d / "t_hash_again.csv")
    m2 = _mapping(tmp_path, "files:\n  - match: t_hash_again.csv\n    kind: transfers\n"
                            "    id: {hash: [fromId, toId, amount, createTime]}\n    " + common, "m2.yaml")
    load(store, state, [d / "t_hash_again.csv"], mapping=m2, rejects_dir=tmp_path / "rej")
    assert sorted(i for i in (r["id"] for r in _transfers(store)) if len(i) == 24 and "-" not in i
                  and ":" not in i) == hashed
    # an empty cell in a template is a rejected row that says which column
    (d / "t_template.csv").write_text("fromId|toId|amount|createTime\nu1||3|2024-03-01 10:00\n")
    report = load(store, state, [d / "t_template.csv"], mapping=m, rejects_dir=tmp_path / "rej")
    assert report.files[0].errors == ["t_template.csv line 2, field tx_id (template '{fromId}-{toId}-{createTime}'): "
                                      "column 'toId' is empty, so the id cannot be made"]


@pytest.mark.parametrize("text, message", [
    ("id: {template: '{a:>5}'}", "each {...} names one column, with no format"),
    ("id: {template: 'fixed'}", "names no column"),
    ("id: txid", "`id` is row_number"),
    ("id: row_number\n    columns: {tx_id: t}", "`id` and columns.tx_id both say"),
    ("columns: {amount: {template: '{a}'}}", "applies to text fields only"),
    ("on_conflict: merge", "`on_conflict` is reject or keep"),
])
def test_13_2_id_mistakes_are_clear(tmp_path, text, message):
    with pytest.raises(ConfigError) as e:
        _mapping(tmp_path, f"files:\n  - match: t.csv\n    kind: transfers\n    {text}\n")
    assert message in str(e.value) and "m.yaml: files[0]" in str(e.value)
    with pytest.raises(ConfigError, match="accounts rows have no id of their own"):
        _mapping(tmp_path, "files:\n  - match: a.csv\n    kind: accounts\n    id: row_number\n")


def test_13_1_on_conflict_keep_loads_a_repeat_as_an_event_of_its_own(any_store, state, tmp_path):
    store = any_store
    d = _files(tmp_path, t__csv="tx,src,dst,amt,at\nT1,u1,u2,10,2024-01-01\nT1,u1,u2,12,2024-01-01\n"
                                "T1,u1,u2,10,2024-01-01\n")
    m = _mapping(tmp_path, "files:\n  - match: t.csv\n    kind: transfers\n    on_conflict: keep\n"
                           "    columns: {tx_id: tx, from_account: src, to_account: dst, amount: amt}\n"
                           "    constants: {asset: EUR}\n")
    report = load(store, state, [d], mapping=m, rejects_dir=tmp_path / "rej")
    f = report.files[0]
    assert (f.rows_read, f.rows_written, f.rows_conflicting, f.rows_kept_apart) == (3, 3, 0, 1)
    assert [(r["id"], r["amount"]) for r in _transfers(store)] == [("T1", 10.0), ("T1~t.csv:3", 12.0)]
    assert "kept as events of their own" in f.notes[0]


def test_13_3_yaml_booleans_and_numbers_are_the_text_the_file_holds(store, state, tmp_path):
    """`{true: blocked}` was never applied (YAML read the key as a boolean) and
    `equals: true` dropped every row (rows 6200, loaded 0, rejected 0)."""
    d = _files(tmp_path, users__csv="uid,created,blocked,real,tier\nu1,2024-01-01,true,true,0123\n"
                                    "u2,2024-01-01,false,true,007\nu3,2024-01-01,false,false,007\n")
    m = _mapping(tmp_path, """files:
  - match: users.csv
    kind: accounts
    columns:
      account_id: uid
      registered_at: created
      status: {column: blocked, map: {true: blocked, false: active}}
      kyc_level: {column: tier, map: {0123: 3, 007: 1}}
    where:
      - {column: real, equals: true}
""")
    report = load(store, state, [d], mapping=m, rejects_dir=tmp_path / "rej")
    f = report.files[0]
    assert (f.rows_read, f.rows_written, f.rows_filtered, f.rows_rejected) == (3, 2, 1, 0)
    got = store.read_cypher("MATCH (a:Account) RETURN a.account_id AS id, a.status AS s, a.kyc_level AS k "
                            "ORDER BY id").rows
    assert got == [{"id": "u1", "s": "blocked", "k": 3}, {"id": "u2", "s": "active", "k": 1}]


def test_13_3_a_filter_that_leaves_out_every_row_says_so(store, state, tmp_path):
    d = _files(tmp_path, users__csv="uid,created,real\nu1,2024-01-01,True\nu2,2024-01-01,False\n")
    m = _mapping(tmp_path, "files:\n  - match: users.csv\n    kind: accounts\n"
                           "    columns: {account_id: uid, registered_at: created}\n"
                           "    where: [{column: real, equals: true}]\n")
    report = load(store, state, [d], mapping=m, rejects_dir=tmp_path / "rej")
    assert report.files[0].notes == ["users.csv (accounts): `where` left out every one of its 2 rows "
                                     "(real equals true): 'real' held 'True', 'False'"]
    with pytest.raises(ConfigError, match="`map` has an empty key"):
        _mapping(tmp_path, "files:\n  - match: u.csv\n    kind: accounts\n"
                           "    columns: {status: {column: s, map: {~: x}}}\n")


def test_13_4_the_summary_shows_filtered_conflicts_and_skipped_files(tmp_path):
    d = _files(tmp_path, users__csv="uid,created,env\nu1,2024-01-01,prod\nu2,2024-01-01,test\n"
                                    "u1,2024-01-02,prod\n", notes__csv="a,b\n1,2\n")
    (tmp_path / "m.yaml").write_text("files:\n  - match: users.csv\n    kind: accounts\n"
                                     "    columns: {account_id: uid, registered_at: created}\n"
                                     "    where: [{column: env, equals: prod}]\n")
    db = f"embedded:{tmp_path / 'db'}"
    args = ["load", str(d), "--mapping", str(tmp_path / "m.yaml"), "--db", db, "--rejects", str(tmp_path / "rej")]
    try:
        _summary_shown(args, tmp_path)
    finally:                  # the CLI started an embedded server for this folder: stop it, never leave it running
        run_cli("db", "stop", "--db", db, check=False)


def _summary_shown(args: list[str], tmp_path) -> None:
    out = run_cli(*args, "--format", "json", cwd=tmp_path).stdout
    doc = json.loads(out)
    row = doc["files"][0]
    assert (row["rows"], row["loaded"], row["rejected"], row["filtered"], row["conflicts"]) == (3, 1, 0, 1, 1)
    assert row["rows"] == row["loaded"] + row["rejected"] + row["filtered"] + row["conflicts"]
    assert doc["skipped_files"] == ["notes.csv: its name is not a canonical kind and no mapping entry matches it"]
    proc = run_cli(*args, cwd=tmp_path)
    table = proc.stdout + proc.stderr
    header = next(line for line in table.splitlines() if "file" in line and "kind" in line)
    for col in ("rows", "loaded", "rejected", "filtered", "conflicts"):
        assert col in header
    assert "skipped files: 1" in table


def test_13_5_every_column_the_mapping_names_must_exist_with_a_suggestion(store, state, tmp_path):
    d = _files(tmp_path, t__csv="tx,src,dst,amount,ccy,at\nT1,u1,u2,1,USDT,2024-01-01\n")
    m = _mapping(tmp_path, "files:\n  - match: t.csv\n    kind: transfers\n"
                           "    columns: {tx_id: tx, from_account: src, to_account: dst, asset: ccy, amount_usd: amout}\n"
                           "    keep: [chanel]\n")
    with pytest.raises(LoadError) as e:
        load(store, state, [d], mapping=m, rejects_dir=tmp_path / "rej")
    assert "t.csv: column(s) 'amout' (field amount_usd; did you mean 'amount'?), 'chanel' (keep) missing for " \
           "transfers" in str(e.value)
    assert store.counts()["relationships"].get("TRANSFERRED", 0) == 0


def test_13_6_the_delimiter_is_sniffed_and_a_wrong_one_is_named(store, state, tmp_path):
    d = _files(tmp_path, t__csv=TRANSFERS)
    body = ("    id: row_number\n    columns: {from_account: fromId, to_account: toId, at: createTime}\n"
            "    constants: {asset: USDT}\n")
    report = load(store, state, [d], mapping=_mapping(tmp_path, "files:\n  - match: t.csv\n    kind: transfers\n" + body),
                  rejects_dir=tmp_path / "rej")
    assert report.ok and report.files[0].rows_written == 3
    m = _mapping(tmp_path, "files:\n  - match: t.csv\n    kind: transfers\n    delimiter: ','\n" + body, "m2.yaml")
    with pytest.raises(LoadError) as e:
        load(store, state, [d], mapping=m, rejects_dir=tmp_path / "rej")
    text = str(e.value)
    assert "looks pipe-delimited: set `delimiter: \"|\"`" in text
    assert text.count("'fromId'") == 1 and "(the file has fromId|toId|amount|createTime)" in text


def test_13_8_kept_columns_are_typed_properties_shown_in_details_and_exports(any_store, state, tmp_path):
    store = any_store
    from casegraph import explore
    from casegraph.evidence.tables import nodes_edges_csv
    d = _files(tmp_path, users__csv="uid,created,accountType,riskScore,channel\nu1,2024-01-01,business,0.7,app\n"
                                    "u2,2024-01-01,retail,high,web\nu3,2024-01-01,retail,,web\n")
    m = _mapping(tmp_path, "files:\n  - match: users.csv\n    kind: accounts\n"
                           "    columns: {account_id: uid, registered_at: created}\n"
                           "    keep: [accountType, {column: riskScore, as: risk_score, type: float}, channel]\n")
    report = load(store, state, [d], mapping=m, rejects_dir=tmp_path / "rej")
    f = report.files[0]
    assert (f.rows_written, f.rows_rejected) == (2, 1)
    assert f.errors == ["users.csv line 3, kept column 'riskScore': 'high' is not a number"]
    got = store.read_cypher("MATCH (a:Account) RETURN a.account_id AS id, a.accountType AS t, a.risk_score AS r, "
                            "a.channel AS c ORDER BY id").rows
    assert got == [{"id": "u1", "t": "business", "r": 0.7, "c": "app"}, {"id": "u3", "t": "retail", "r": None, "c": "web"}]
    shown = {r["property"]: r["value"] for r in explore.details(store, "Account:u1")["rows"]}
    assert (shown["accountType"], shown["risk_score"], shown["channel"]) == ("business", 0.7, "app")
    elements = [{"data": {"id": "Account:u1", "kind": "Account", "props": explore.details(store, "Account:u1")["props"]}}]
    nodes_csv, _ = nodes_edges_csv(elements)
    header, first = list(csv.reader(nodes_csv.decode().splitlines()))[:2]
    assert first[header.index("accountType")] == "business"
    for bad, message in (("keep: [status]", "would overwrite the property 'status'"),
                         ("keep: ['Account Type']", "add `as: name`"),
                         ("keep: {x: money}", "unknown type 'money'")):
        with pytest.raises(ConfigError, match=message):
            _mapping(tmp_path, f"files:\n  - match: users.csv\n    kind: accounts\n    {bad}\n", "bad.yaml")
    with pytest.raises(ConfigError, match="account_phones rows cannot keep extra columns"):
        _mapping(tmp_path, "files:\n  - match: p.csv\n    kind: account_phones\n    keep: [x]\n", "bad.yaml")


def test_13_9_time_units_and_step_numbers(store, state, tmp_path):
    d = _files(tmp_path, t__csv="step,day,src,dst,amt\n0,19723,u1,u2,1\n25,19724,u2,u3,2\n")
    m = _mapping(tmp_path, """files:
  - match: t.csv
    kind: transfers
    id: row_number
    columns: {from_account: src, to_account: dst, amount: amt,
              at: {column: step, format: step, origin: "2024-01-01T00:00:00Z", step: 1h}}
    constants: {asset: BTC}
  - match: t.csv
    kind: accounts
    columns: {account_id: src, registered_at: {column: day, format: epoch_days}}
""")
    report = load(store, state, [d], mapping=m, rejects_dir=tmp_path / "rej")
    assert report.ok, [f.errors for f in report.files]
    at = store.read_cypher("MATCH ()-[r:TRANSFERRED]->() RETURN r.at AS at ORDER BY at").rows
    assert [r["at"] for r in at] == [1704067200000, 1704067200000 + 25 * 3_600_000]
    reg = store.read_cypher("MATCH (a:Account {account_id: 'u1'}) RETURN a.registered_at AS t").first()
    assert reg["t"] == 19723 * 86_400_000
    for bad, message in (("{column: c, scale: 86400}", r"unknown or misplaced option\(s\) scale"),
                         ("{column: c, format: step}", "needs `origin`"),
                         ("{column: c, format: step, origin: 2024-01-01, step: soon}", "is not a length of time"),
                         ("{column: c, origin: 2024-01-01}", "apply only with time format `step`")):
        with pytest.raises(ConfigError, match=message):
            _mapping(tmp_path, f"files:\n  - match: x.csv\n    kind: accounts\n    columns: {{registered_at: {bad}}}\n",
                     "bad.yaml").plans_for(tmp_path / "x.csv")


def test_13_10_constants_are_iso_or_epoch_whatever_the_entry_format(store, state, tmp_path):
    d = _files(tmp_path, hits__csv="wallet,seen\n0xab,05.03.2024\n0xcd,06.03.2024\n")
    m = _mapping(tmp_path, """defaults:
  time_format: "%d.%m.%Y"
  constants: {list_source: screening vendor}
files:
  - match: hits.csv
    kind: watchlists
    columns: {address: wallet}
    constants: {watchlist: vendor-intel, listed_at: "2024-03-01T00:00:00Z"}
""")
    report = load(store, state, [d], mapping=m, rejects_dir=tmp_path / "rej")
    assert report.ok and report.files[0].rows_written == 2
    got = store.read_cypher("MATCH (w:Wallet)-[r:LISTED_ON]->() RETURN DISTINCT r.listed_at AS at, "
                            "r.list_source AS src").rows
    assert got == [{"at": 1709251200000, "src": "screening vendor"}]
    with pytest.raises(ConfigError, match=r"constant listed_at: '01.03.2024' is not a valid time .*\(constants are ISO"):
        _mapping(tmp_path, "defaults: {time_format: '%d.%m.%Y'}\nfiles:\n  - match: h.csv\n    kind: watchlists\n"
                           "    constants: {listed_at: 01.03.2024}\n", "bad.yaml")


def test_load_check_runs_every_row_and_writes_nothing(tmp_path):
    d = _files(tmp_path, t__csv=TRANSFERS + "u9|u1|lots|2024-03-03 00:00\n")
    (tmp_path / "m.yaml").write_text("files:\n  - match: t.csv\n    kind: transfers\n"
                                     "    id: {template: '{fromId}-{toId}-{createTime}'}\n"
                                     "    columns: {from_account: fromId, to_account: toId, at: createTime}\n"
                                     "    constants: {asset: USDT}\n")
    report, plans = check([d], mapping=load_mapping(tmp_path / "m.yaml"))
    f = report.files[0]
    assert (f.status, f.rows_read, f.rows_written, f.rows_rejected) == ("checked", 4, 3, 1)
    proc = run_cli("load", str(d), "--mapping", str(tmp_path / "m.yaml"), "--check", check=False, cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "--check: the rows above would be rejected" in proc.stderr
    assert "tx_id <- template '{fromId}-{toId}-{createTime}'" in proc.stdout
    assert "t.csv line 5, field amount: 'lots' is not a number" in proc.stderr
    assert not (tmp_path / "casegraph-data").exists() and not (tmp_path / "casegraph-rejects").exists()
