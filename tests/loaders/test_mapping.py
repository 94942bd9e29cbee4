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


@pytest.mark.parametrize("text, message", [
    ("files: []", "needs a non-empty `files:` list"),
    ("files: [{match: 'x*.csv'}]", "files[0]: `kind` is required"),
    ("files: [{match: 'x*.csv', kind: accts}]", "unknown kind 'accts'"),
    ("files: [{match: 'x*.csv', kind: accounts, columns: {acct: uid}}]", "unknown field(s) acct of accounts"),
    ("files: [{match: 'x*.csv', kind: accounts, colums: {}}]", "unknown key(s) colums"),
    ("files: [{match: 'x*.csv', kind: accounts, columns: {account_id: {col: uid}}}]", "field account_id needs `column`"),
    ("files: [\n  {match: x", "is not valid YAML"),
])
def test_mapping_mistakes_are_clear(tmp_path, text, message):
    f = tmp_path / "m.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_mapping(f)
    assert message in str(e.value) and "m.yaml" in str(e.value)
