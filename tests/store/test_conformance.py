"""The backend conformance suite: every test here runs against every backend
(embedded FalkorDB always; Neo4j through testcontainers when Docker is reachable)."""
from __future__ import annotations

import pytest

from casegraph.errors import ParameterError, QueryError, QueryTimeout
from casegraph.store import Node, Relationship

PROV = {"source": "test.csv", "load_id": "0123456789abcdef", "loaded_at": 1735689600000}


def _load_pair(store):
    store.write("load_accounts", {"rows": [
        {"account_id": "A1", "registered_at": 1704067200000, "country": "GB", "kyc_level": 2,
         "status": "active", "referral_code": None},
        {"account_id": "A2", "registered_at": 1704153600000, "country": None, "kyc_level": None,
         "status": None, "referral_code": None}], **PROV})
    store.write("load_transfers", {"rows": [
        {"tx_id": "T1", "from_account": "A1", "to_account": "A2", "amount": 12.5, "amount_usd": 12.5,
         "asset": "USDT", "at": 1706745600000}], **PROV})


def test_schema_is_idempotent(any_store):
    any_store.ensure_schema()
    assert any_store.ensure_schema() == []


def test_named_write_then_read_returns_graph_elements(any_store):
    any_store.ensure_schema()
    _load_pair(any_store)
    res = any_store.read("find_account", {"account_id": "A1"})
    assert res.columns == ["a", "r", "n"]
    assert len(res.rows) == 1
    row = res.first()
    assert isinstance(row["a"], Node) and row["a"].labels == ("Account",)
    assert row["a"].properties["country"] == "GB"
    assert row["a"].properties["source"] == "test.csv"
    rel = row["r"]
    assert isinstance(rel, Relationship) and rel.type == "TRANSFERRED"
    assert rel.properties["amount"] == 12.5 and rel.properties["tx_id"] == "T1"
    assert rel.start == row["a"].id and rel.end == row["n"].id
    assert set(res.nodes) == {row["a"].id, row["n"].id} and set(res.relationships) == {rel.id}


def test_counts_per_label_and_type(any_store):
    _load_pair(any_store)
    counts = any_store.counts()
    assert counts["nodes"]["Account"] == 2 and counts["nodes"]["Wallet"] == 0
    assert counts["relationships"]["TRANSFERRED"] == 1


def test_merge_writes_are_idempotent(any_store):
    _load_pair(any_store)
    _load_pair(any_store)
    counts = any_store.counts()
    assert counts["nodes"]["Account"] == 2 and counts["relationships"]["TRANSFERRED"] == 1


def test_empty_field_keeps_existing_value(any_store):
    _load_pair(any_store)
    any_store.write("load_accounts", {"rows": [
        {"account_id": "A1", "registered_at": None, "country": None, "kyc_level": 3, "status": None,
         "referral_code": None}], **PROV})
    a = any_store.read("find_account", {"account_id": "A1"}).first()["a"]
    assert a.properties["country"] == "GB" and a.properties["kyc_level"] == 3


@pytest.mark.parametrize("value", [
    'quote " backslash \\ newline \n tab \t', "émoji 🚀 ünïcode", "bell \x07 control", "back\\u0041slash-u",
    -3, 2 ** 53, 1.25e-7, True, None, [1, "two", None], {"k": "v", "n": [1, 2]},
])
def test_parameters_round_trip(any_store, value):
    res = any_store.read_cypher("RETURN $v AS v", {"v": value})
    assert res.single_value() == value


@pytest.mark.parametrize("value", ["nul \x00 inside", {"k": ["a\x00"]}, "lone \udac2 surrogate"])
def test_text_a_database_cannot_take_is_a_parameter_error_or_comes_back_unchanged(any_store, value):
    """Text the API may receive in JSON (a NUL, an unpaired surrogate): FalkorDB cannot take
    either (a NUL ended its query text early), so it is refused as bad input; never a
    database or connection error, never silently changed."""
    try:
        got = any_store.read_cypher("RETURN $v AS v", {"v": value}).single_value()
    except ParameterError:
        return
    assert got == value


def test_read_only_enforced_by_the_server(any_store):
    # Bypass the lexical check to prove the server itself refuses writes in a read call.
    with pytest.raises(QueryError):
        any_store.backend.run("CREATE (n:Account {account_id: 'X'})", {}, write=False)
    assert any_store.counts()["nodes"]["Account"] == 0


def test_write_in_user_cypher_refused_before_the_database(any_store):
    with pytest.raises(QueryError, match="read-only.*MERGE"):
        any_store.read_cypher("MERGE (n:Account {account_id: 'X'}) RETURN n")
    assert any_store.counts()["nodes"]["Account"] == 0


def test_time_limit_stops_a_long_query(any_store):
    with pytest.raises(QueryTimeout, match="time limit"):
        any_store.read_cypher("UNWIND range(1, 100000) AS x UNWIND range(1, 1000) AS y "
                              "WITH x, y WHERE (x * y) % 7 = 3 RETURN count(x)", timeout_ms=50)


def test_row_limit_truncates_and_says_so(any_store):
    res = any_store.read_cypher("UNWIND range(1, 50) AS x RETURN x", row_limit=10)
    assert len(res.rows) == 10 and res.truncated
    res = any_store.read_cypher("UNWIND range(1, 5) AS x RETURN x", row_limit=10)
    assert len(res.rows) == 5 and not res.truncated


def test_the_row_limit_stops_reading_at_the_limit(any_store):
    """Issue 12.4: a limit applied after the whole result was fetched took the client to
    2.5 GB for `UNWIND range(1, 6000000)`; now the database stops at the limit."""
    import tracemalloc
    tracemalloc.start()
    try:
        res = any_store.read_cypher("UNWIND range(1, 6000000) AS x RETURN x, 'row ' + toString(x) AS text",
                                    row_limit=100)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r["x"] for r in res.rows] == list(range(1, 101)) and res.truncated
    assert peak < 20 * 2**20, f"the client held {peak / 2**20:.0f} MB for 100 rows"
    # a statement as written (UNION, ORDER BY) runs the same under the limit
    res = any_store.read_cypher("UNWIND [3, 1, 2] AS x RETURN x ORDER BY x DESC UNION ALL RETURN 9 AS x",
                                row_limit=3)
    assert [r["x"] for r in res.rows] == [3, 2, 1] and res.truncated


@pytest.mark.parametrize("depth", [24, 1000])
def test_deeply_nested_user_cypher_is_refused_before_any_engine_parses_it(any_store, depth):
    """Issue 12.2: 24 nested parentheses took FalkorDB 43 s to parse, past any time limit."""
    import time
    text = "RETURN " + "(" * depth + "1" + ")" * depth + " AS x"
    started = time.monotonic()
    with pytest.raises(QueryError, match=f"nested {depth} deep"):
        any_store.read_cypher(text, timeout_ms=1000)
    assert time.monotonic() - started < 1
    assert any_store.read_cypher("RETURN " + "(" * 16 + "1" + ")" * 16 + " AS x").single_value() == 1


def test_user_cypher_limits_are_checked(any_store):
    with pytest.raises(QueryError, match="characters long"):
        any_store.read_cypher("RETURN 1 AS x //" + "x" * any_store.settings.query_max_chars)
    for bad in ({"row_limit": -1}, {"row_limit": 0}, {"timeout_ms": -5}):
        with pytest.raises(QueryError, match="at least 1"):
            any_store.read_cypher("RETURN 1 AS x", **bad)
    # a word that is a clause elsewhere is fine as a name
    assert any_store.read_cypher("RETURN 1 AS `set`").columns == ["set"]


def test_named_read_checks_parameter_types(any_store):
    with pytest.raises(ParameterError, match="query find_account: parameter limit must be a whole number, got .many."):
        any_store.read("find_account", {"account_id": "A1", "limit": "many"})
    with pytest.raises(ParameterError, match="account_id.*required"):
        any_store.read("find_account", {})


def test_read_and_write_must_match_the_header(any_store):
    with pytest.raises(QueryError, match="writes"):
        any_store.read("load_accounts", {"rows": [], **PROV})
    with pytest.raises(QueryError, match="declared read"):
        any_store.write("find_account", {"account_id": "A1"})


def test_paths_come_back_as_nodes_and_relationships(any_store):
    _load_pair(any_store)
    res = any_store.read_cypher("MATCH p = (:Account {account_id: 'A1'})-[:TRANSFERRED]->(:Account) RETURN p")
    path = res.single_value()
    assert [n.properties["account_id"] for n in path.nodes] == ["A1", "A2"]
    assert [r.type for r in path.relationships] == ["TRANSFERRED"]
    assert len(res.nodes) == 2 and len(res.relationships) == 1


def test_the_schema_the_model_asks_for_is_created_and_reported(any_store):
    from casegraph.model import model
    if any_store.dialect == "falkordb":      # a new graph; Neo4j's one database keeps its schema between tests
        assert {i["kind"] for i in any_store.schema()} == {"missing"}
    any_store.ensure_schema()
    after = any_store.status()["schema"]
    assert [(i["name"], i["property"]) for i in after] == [(i.name, i.property) for i in model().schema]
    assert ("Account", "registered_at") in {(i["name"], i["property"]) for i in after}
    for i in after:
        # node keys are uniqueness constraints where the engine has them (Neo4j), else indexes
        want = "constraint" if i["unique"] and any_store.dialect == "neo4j" else "index"
        assert i["kind"] == want, i
        assert str(i["state"]).upper() in ("ONLINE", "OPERATIONAL"), i
