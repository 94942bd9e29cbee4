"""casegraph/queries.py: saved queries and the user's own Cypher run as a user, on a real
embedded store: the permission first, the audit entry before the query runs (a refused
query is on record too), the row limit applied."""
from __future__ import annotations

import pytest

from casegraph import audit, queries
from casegraph.catalogue import Catalogue, builtin_root
from casegraph.errors import NotFound, PermissionDenied, QueryError

ANA = {"name": "ana", "role": "analyst", "disabled": False}
INV = {"name": "inv", "role": "investigator", "disabled": False}


def test_saved_and_own_queries_are_checked_audited_and_limited(store, state):
    res = queries.run_saved(store, state, INV, "find_account", {"account_id": "A1"})
    assert res.rows == []
    cut = queries.run_cypher(store, state, ANA, "UNWIND range(1, $n) AS x RETURN x", {"n": 50}, row_limit=5)
    assert [r["x"] for r in cut.rows] == [1, 2, 3, 4, 5] and cut.truncated
    with pytest.raises(PermissionDenied):
        queries.run_cypher(store, state, INV, "RETURN 1")          # investigators run saved queries only
    with pytest.raises(QueryError, match="read-only"):
        queries.run_cypher(store, state, ANA, "MATCH (a:Account) DETACH DELETE a")
    with pytest.raises(QueryError, match="writes; saved queries run read-only"):
        queries.run_saved(store, state, ANA, "load_accounts", {})
    assert [(e["actor"], e["action"], e["details"]) for e in audit.entries(state)] == [
        ("inv", "query.run", {"name": "find_account", "params": {"account_id": "A1"}}),
        ("ana", "query.cypher", {"text": "UNWIND range(1, $n) AS x RETURN x", "params": {"n": 50}}),
        ("ana", "query.cypher", {"text": "MATCH (a:Account) DETACH DELETE a", "params": {}}),
        ("ana", "query.run", {"name": "load_accounts", "params": {}})]


def test_a_huge_query_is_refused_and_the_audit_keeps_its_digest_not_its_text(store, state):
    """Issue 12.4: a 20 MB query grew the state database by 22 MB."""
    import hashlib
    text = "RETURN 1 AS x // " + "pad " * 5_000_000
    with pytest.raises(QueryError, match="characters long"):
        queries.run_cypher(store, state, ANA, text)
    kept = audit.entries(state, action="query.cypher")[-1]["details"]["text"]
    assert len(kept) < 5000 and hashlib.sha256(text.encode()).hexdigest() in kept and f"{len(text):,}" in kept
    # the chain still verifies with the cut entry
    assert audit.check(state).broken_at is None


def test_analysts_get_the_top_level_built_ins_and_their_own_queries_never_internal_templates(tmp_path):
    (tmp_path / "mine.cypher").write_text("// title: Mine\n// purpose: p\n// mode: read\nRETURN 1 AS x\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deeper.cypher").write_text("// title: Deeper\n// purpose: p\n// mode: read\nRETURN 2 AS x\n")
    cat = Catalogue([(builtin_root(), True), (tmp_path, False)])
    listed = {q.name for q in queries.for_analysts(cat)}
    top = {p.stem for p in builtin_root().glob("*.cypher")}
    assert "find_account" in top and listed == top | {"mine", "deeper"}
    for internal in ("ui_search_exact", "api_watchlist_entries", "load_accounts", "rings", "case_group_members",
                     "evidence_listings"):
        assert internal in cat
        with pytest.raises(NotFound, match=internal):
            queries.for_analyst(cat, internal)
    assert queries.for_analyst(cat, "mine").name == "mine"
