"""The query catalogue: headers, dialect overrides, parameter checking, model names."""
from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.catalogue import Catalogue, builtin_root, catalogue, parse
from casegraph.cyphertext import labels_used, multi_hop_optionals, rel_types_used, write_clauses
from casegraph.errors import ModelError, ParameterError, QueryError


def test_every_builtin_query_has_a_full_header():
    for q in catalogue():
        assert q.title and q.purpose and q.mode in ("read", "write"), q.name
        assert q.example.startswith(":params {"), q.name
        for p in q.params:
            assert p.help, f"{q.name}: parameter {p.name} has no description"
            assert f"{p.name}:" in q.example, f"{q.name}: example does not set {p.name}"


def test_header_parsing():
    q = parse("// title: T\n// purpose: P\n// mode: read\n// param limit: int = 10 — most rows\n"
              "// param who: string — whom\n// example: :params {limit: 10, who: \"x\"}\nRETURN $who, $limit",
              "t", "t.cypher")
    assert [(p.name, p.type, p.required) for p in q.params] == [("limit", "int", False), ("who", "string", True)]
    assert q.bind({"who": "A", "limit": "5"}) == {"who": "A", "limit": 5}
    with pytest.raises(ParameterError, match="unknown parameter"):
        q.bind({"who": "A", "limt": 1})


def test_header_bounds_and_choices_are_checked_with_one_clear_message():
    q = parse("// title: T\n// purpose: P\n// mode: read\n"
              "// param k: int = 3 in 1..5 — hops\n// param hours: float = 6 in >0..720 — window\n"
              "// param size: int in 2.. — fewest\n// param way: string = forward in forward|backward — which way\n"
              "// param note: string = \"sign in first\" — words that contain ' in '\n"
              "// example: :params {k: 3, hours: 6, size: 2, way: 'forward', note: ''}\nRETURN $k", "t", "t.cypher")
    k, hours, size, way, note = q.params
    assert (k.lo, k.hi, k.lo_open, k.allowed) == (1, 5, False, "between 1 and 5")
    assert (hours.lo, hours.hi, hours.lo_open, hours.allowed) == (0, 720, True, "> 0 and <= 720")
    assert (size.required, size.lo, size.hi, size.allowed) == (True, 2, None, ">= 2")
    assert (way.choices, way.allowed, note.default, note.allowed) == (("forward", "backward"), "forward or backward",
                                                                      "sign in first", "")
    assert q.bind({"size": "2", "way": " Backward "}) == {"k": 3, "hours": 6, "size": 2, "way": "backward",
                                                          "note": "sign in first"}
    for given, message in [({"k": "6"}, "parameter k must be between 1 and 5, got '6'"),
                           ({"k": "2.5"}, "parameter k must be a whole number, got '2.5'"),
                           ({"hours": 0}, "parameter hours must be a finite number > 0 and <= 720, got 0"),
                           ({"hours": "nan"}, "parameter hours must be a finite number > 0 and <= 720, got 'nan'"),
                           ({"hours": "soon"}, "parameter hours must be a number, got 'soon'"),
                           ({"size": 1}, "parameter size must be >= 2, got 1"),
                           ({"way": "sideways"}, "parameter way must be forward or backward, got 'sideways'")]:
        with pytest.raises(ParameterError) as e:
            q.bind({"size": 3, **given})
        assert str(e.value) == f"query t: {message}"


@pytest.mark.parametrize("line, message", [
    ("// param k: int = 9 in 1..5 — hops", "parameter k must be between 1 and 5, got 9 (its own default)"),
    ("// param k: string = a in 1..5 — hops", "parameter k is string; only int and float take bounds"),
    ("// param k: int = 1 in a|b — hops", "parameter k is int; only string takes choices"),
    ("// param k: int = 5 in 5..1 — hops", "parameter k has bounds 5..1, an empty range"),
])
def test_a_header_with_impossible_bounds_is_refused(line, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(f"// title: T\n// purpose: P\n// mode: read\n{line}\nRETURN 1", "t", "t.cypher")


def test_read_header_on_a_writing_query_is_refused():
    with pytest.raises(QueryError, match="declared read but contains MERGE"):
        parse("// title: T\n// purpose: P\n// mode: read\nMERGE (a:Account {account_id: 'x'})", "t", "t.cypher")


def test_labels_outside_the_model_are_refused(tmp_path):
    (tmp_path / "bad.cypher").write_text("// title: T\n// purpose: P\n// mode: read\n// example: :params {}\n"
                                         "MATCH (a:Acount)-[:SENT_TO]->(b) RETURN a")
    with pytest.raises(ModelError, match="Acount, SENT_TO"):
        Catalogue([(tmp_path, True)])  # built-in: a bug, fatal; user folders: set aside (below)


def test_dialect_override_replaces_text_on_that_engine_only(tmp_path):
    head = "// title: T\n// purpose: P\n// mode: read\n// example: :params {}\n"
    (tmp_path / "q.cypher").write_text(head + "RETURN 1 AS x")
    (tmp_path / "falkordb").mkdir()
    (tmp_path / "falkordb" / "q.cypher").write_text(head + "RETURN 2 AS x")
    q = Catalogue([(tmp_path, False)]).get("q")
    assert q.text_for("neo4j").endswith("RETURN 1 AS x") and q.text_for("falkordb").endswith("RETURN 2 AS x")


def test_user_folder_adds_queries(tmp_path):
    (tmp_path / "mine.cypher").write_text("// title: Mine\n// purpose: P\n// mode: read\n// example: :params {}\n"
                                          "MATCH (a:Account) RETURN count(a) AS n")
    cat = Catalogue([(builtin_root(), True), (tmp_path, False)])
    assert "mine" in cat and "find_account" in cat and not cat.get("mine").builtin


@pytest.mark.parametrize("text, found", [
    ("MATCH (n) RETURN n", []),
    ("MATCH (n) WHERE n.name = 'CREATE' RETURN n.offset, n.set", []),
    ("MATCH (n) // DELETE n\nRETURN n", []),
    ("MATCH (n) DETACH DELETE n", ["DETACH", "DELETE"]),
    ("match (n) set n.x = 1", ["SET"]),
    ("LOAD CSV FROM 'file:///x' AS r RETURN r", ["LOAD CSV"]),
    ("CALL db.idx.fulltext.drop('Account')", ["CALL db.idx."]),
    ("CALL { MATCH (n) DELETE n } IN TRANSACTIONS", ["DELETE", "IN TRANSACTIONS"]),
    ("MATCH (a) RETURN a.status AS set, {merge: 1} AS m, 1 AS `delete`", []),     # names, not clauses
    ("MATCH (a) WITH a AS a SET a.x = 1 RETURN a.x AS set", ["SET"]),
])
def test_write_clause_detection(text, found):
    assert write_clauses(text) == found


def test_labels_and_types_found_in_patterns():
    q = "MATCH (a:Account)-[:USED_DEVICE|USED_IP*1..2]-(x), (w:Wallet:Account) WHERE (a)-->(:Group) RETURN a"
    assert labels_used(q) == {"Account", "Wallet", "Group"}
    assert rel_types_used(q) == {"USED_DEVICE", "USED_IP"}


def test_a_broken_user_query_is_set_aside_not_fatal(tmp_path):
    head = "// title: T\n// purpose: P\n// example: :params {}\n"
    (tmp_path / "good.cypher").write_text(head + "// mode: read\nMATCH (a:Account) RETURN a")
    (tmp_path / "bad.cypher").write_text(head + "// mode: read\nMATCH (a:Acount) RETURN a")
    cat = Catalogue([(builtin_root(), True), (tmp_path, False)])
    assert "good" in cat and "bad" not in cat and "Acount" in cat.broken["bad"]
    with pytest.raises(QueryError, match="Acount"):
        cat.get("bad")


@pytest.mark.parametrize("text, found", [
    ("MATCH (s) OPTIONAL MATCH (s)-[:SENT]-(m)-[:LISTED_ON]->(:Watchlist) RETURN m",
     ["(s)-[:SENT]-(m)-[:LISTED_ON]->(:Watchlist)"]),
    ("MATCH (a) OPTIONAL MATCH (a)-->(b), (a)<--(c) RETURN b", ["(a)-->(b), (a)<--(c)"]),
    ("MATCH (s) OPTIONAL MATCH (s)-[:SENT]-(m) OPTIONAL MATCH (m)-[:LISTED_ON]->(w) WHERE (w)-->() RETURN m", []),
])
def test_multi_hop_optional_match_detection(text, found):
    assert multi_hop_optionals(text) == found


def test_builtin_optional_matches_are_one_hop():
    """FalkorDB can half-bind a longer OPTIONAL MATCH pattern; the catalogue never writes one."""
    bad = {q.name: multi_hop_optionals(t) for q in catalogue() for t in (q.text, *q.overrides.values())
           if multi_hop_optionals(t)}
    assert bad == {}


def test_a_user_folder_never_replaces_or_shadows_a_built_in(tmp_path):
    """Issue 12.3: a user file named like a built-in (at the top or as a dialect override)
    once became the loader's write query; now each such file is refused on its own."""
    head = "// title: T\n// purpose: P\n// example: :params {}\n"
    wipe = head + "// mode: write\nMATCH (w:Wallet) DETACH DELETE w"
    for sub in ("", "falkordb", "neo4j"):
        (tmp_path / sub).mkdir(exist_ok=True)
        (tmp_path / sub / "load_wallets.cypher").write_text(wipe)
    (tmp_path / "find_account.cypher").write_text(head + "// mode: read\nMATCH (a:Account) RETURN a LIMIT 1")
    (tmp_path / "falkordb" / "rings.cypher").write_text(head + "// mode: read\nMATCH (a:Account) RETURN a")
    (tmp_path / "writer.cypher").write_text(head + "// mode: write\nMATCH (w:Wallet) SET w.x = 1")
    (tmp_path / "mine.cypher").write_text(head + "// mode: read\nMATCH (a:Account) RETURN count(a) AS n")
    (tmp_path / "falkordb" / "mine.cypher").write_text(head + "// mode: write\nMATCH (a:Account) SET a.x = 1")
    (tmp_path / "ok.cypher").write_text(head + "// mode: read\nMATCH (a:Account) RETURN count(a) AS n")
    builtins = {q.name: q for q in catalogue("")}
    cat = Catalogue([(builtin_root(), True), (tmp_path, False)])
    for name in ("load_wallets", "find_account", "rings"):
        assert cat.get(name) == builtins[name] and cat.get(name).builtin       # untouched, overrides too
    assert cat.get("ok").builtin is False
    refused = {Path(k).name if "/" in k else k: v for k, v in cat.broken.items()}
    assert "named like the built-in query load_wallets" in cat.broken[str(tmp_path / "load_wallets.cypher")]
    assert "dialect override of the built-in query load_wallets" in \
        cat.broken[str(tmp_path / "falkordb" / "load_wallets.cypher")]
    assert "dialect override of the built-in query rings" in cat.broken[str(tmp_path / "falkordb" / "rings.cypher")]
    assert "named like the built-in query find_account" in cat.broken[str(tmp_path / "find_account.cypher")]
    assert "read-only" in refused["writer"] and "read-only" in refused["mine"]
    for name in ("writer", "mine"):
        with pytest.raises(QueryError, match="read-only"):
            cat.get(name)
