"""The saved queries meant for analysts (the top of cypher/: queries.for_analysts), run by name
with their typed parameters on the generated datasets, on the embedded store and on Neo4j:
each answers what its purpose says, checked against the generator's truth. (Here rather than
beside tests/test_queries.py for the datasets this folder's fixtures load once per backend.)"""
from __future__ import annotations

from casegraph.catalogue import catalogue
from casegraph.queries import for_analysts

ANALYST = {"find_account", "shared_identifiers", "signups_between", "money_between", "wallet_activity",
           "cash_out_wallet", "busiest_identifiers", "reports_against", "group_members"}


def _run(store, name, **params):
    return store.read(name, params, row_limit=10000).rows


def test_the_catalogue_lists_these_for_analysts():
    assert {q.name for q in for_analysts(catalogue())} == ANALYST


def test_a_ring_members_shared_identifiers_name_other_members(loaded):
    store, truth, _ = loaded
    ring = max(truth["rings"], key=len)
    found = set()
    for member in ring:
        found |= {r["account_id"] for r in _run(store, "shared_identifiers", account_id=member, max_users=50, limit=500)}
    assert len(found & set(ring)) >= len(ring) // 2
    rows = _run(store, "shared_identifiers", account_id=ring[0], max_users=2, limit=500)
    assert all(r["users"] <= 2 and r["account_id"] != ring[0] for r in rows)


def test_signups_between_returns_the_period_in_order(loaded):
    store, _, _ = loaded
    rows = _run(store, "signups_between", since="2020-01-01", until="2030-01-01", country="", limit=10000)
    assert rows and [r["registered_at"] for r in rows] == sorted(r["registered_at"] for r in rows)
    first, last = rows[0]["registered_at"], rows[len(rows) // 2]["registered_at"]
    window = _run(store, "signups_between", since=first, until=last, country="", limit=10000)
    assert window and all(first <= r["registered_at"] < last for r in window) and len(window) < len(rows)
    country = rows[0]["country"]
    assert {r["country"] for r in _run(store, "signups_between", since="2020-01-01", until="2030-01-01",
                                       country=country, limit=10000)} == {country}


def test_money_between_two_accounts_goes_both_ways(loaded):
    store, _, _ = loaded
    pair = store.read_cypher("MATCH (x:Account)-[:TRANSFERRED]->(y:Account) RETURN x.account_id AS a, "
                             "y.account_id AS b ORDER BY a, b LIMIT 1", {}, row_limit=1).rows[0]
    there = _run(store, "money_between", a=pair["a"], b=pair["b"], limit=1000)
    back = _run(store, "money_between", a=pair["b"], b=pair["a"], limit=1000)
    assert there and sorted(r["tx_id"] for r in there) == sorted(r["tx_id"] for r in back)
    assert any(r["from_account"] == pair["a"] and r["to_account"] == pair["b"] for r in there)


def test_a_ring_cash_out_wallet_shows_fresh_accounts(loaded):
    store, truth, _ = loaded
    members = {m for ring in truth["rings"] for m in ring}
    wallet = store.read_cypher(
        "MATCH (a:Account)-[:WITHDREW]->(w:Wallet) WHERE a.account_id IN $m "
        "RETURN w.address AS w, count(DISTINCT a) AS n ORDER BY n DESC, w LIMIT 1",
        {"m": sorted(members)}, row_limit=1).rows[0]["w"]
    rows = _run(store, "cash_out_wallet", address=wallet, limit=1000)
    assert len({r["account_id"] for r in rows} & members) >= 2
    assert [r["days_to_first_withdrawal"] for r in rows] == sorted(r["days_to_first_withdrawal"] for r in rows)
    activity = _run(store, "wallet_activity", address=wallet, limit=500)
    assert {r["counterparty"] for r in activity if r["kind"] == "WITHDREW" and r["direction"] == "in"} >= \
        {r["account_id"] for r in rows}


def test_busiest_identifiers_rank_by_users(loaded):
    store, _, _ = loaded
    rows = _run(store, "busiest_identifiers", min_users=3, limit=50)
    assert rows and all(r["users"] >= 3 for r in rows)
    assert [r["users"] for r in rows] == sorted((r["users"] for r in rows), reverse=True)


def test_reports_against_a_scammer_wallet(loaded):
    store, truth, _ = loaded
    reported = store.read_cypher("MATCH (p:ScamReport)-[:AGAINST]->(w:Wallet) RETURN w.address AS w, count(p) AS n "
                                 "ORDER BY n DESC, w LIMIT 1", {}, row_limit=1).rows[0]
    rows = _run(store, "reports_against", key=reported["w"], limit=500)
    assert len(rows) == reported["n"] and all(r["against"] == "Wallet" for r in rows)


def test_group_members_show_links_within_the_group(loaded):
    store, _, _ = loaded
    groups = store.read_cypher("MATCH (g:Group)<-[:IN_GROUP]-(a:Account) RETURN g.group_id AS g, count(a) AS n "
                               "ORDER BY n DESC, g LIMIT 1", {}, row_limit=1).rows
    if not groups:           # a dataset without model groups has nothing to show
        assert _run(store, "group_members", group_id="none") == []
        return
    rows = _run(store, "group_members", group_id=groups[0]["g"])
    assert len(rows) == groups[0]["n"] and all(r["links_to_members"] >= 0 for r in rows)
