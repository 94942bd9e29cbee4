"""casegraph/store/parsecheck.py: a user's Cypher is parsed first by a FalkorDB server of its
own, which is killed when a parse runs past its limit, so a query built to make FalkorDB's
parser backtrack for minutes never reaches, or holds, the graph store (issue 12.2)."""
from __future__ import annotations

import threading
import time

import pytest

from casegraph.errors import QueryError
from casegraph.store import embedded, parsecheck

# Under the nesting limit, yet FalkorDB needs seconds to minutes for it: each "-(" level
# multiplies the parse time by about four (11 levels: 4.6 s, 14: several minutes).
RUNAWAY = "RETURN " + "-(" * 14 + "1" + ")" * 14 + " AS x"


def test_a_runaway_parse_is_cut_off_and_the_graph_store_never_waits(store):
    before = embedded.server_pid(parsecheck.folder()) if parsecheck.folder().exists() else 0
    parsecheck.check("RETURN 1 AS x")                 # the parse server runs
    first = embedded.server_pid(parsecheck.folder())
    assert first and (before in (0, first))
    refused: list[str] = []

    def attack():
        started = time.monotonic()
        with pytest.raises(QueryError) as e:
            store.read_cypher(RUNAWAY, timeout_ms=1000)
        refused.append(f"{e.value} after {time.monotonic() - started:.1f} s")

    attackers = [threading.Thread(target=attack) for _ in range(2)]
    for t in attackers:
        t.start()
    time.sleep(0.5)
    # meanwhile the graph store answers at once (an investigator's search runs a built-in
    # query): the runaways never reached it
    started = time.monotonic()
    assert store.read("find_account", {"account_id": "A1"}).rows == []
    assert time.monotonic() - started < 1
    # another analyst's query waits at most for the runaways' parse server to be replaced
    started = time.monotonic()
    assert store.read_cypher("RETURN 42 AS x").single_value() == 42
    assert time.monotonic() - started < 2 * parsecheck.PARSE_LIMIT_S + 3
    for t in attackers:
        t.join(timeout=60)
    assert len(refused) == 2 and all("could not be parsed and planned within" in r for r in refused), refused
    # each attack costs at most two parse limits plus a restart
    assert all(float(r.rsplit(" after ", 1)[1].split()[0]) < 4 * parsecheck.PARSE_LIMIT_S + 5 for r in refused)
    # the parser that ran away was killed; the next check starts a fresh one and works
    parsecheck.check("MATCH (a:Account) RETURN a LIMIT 1")
    assert embedded.server_pid(parsecheck.folder()) not in (0, first)


def test_a_huge_constant_list_is_refused_before_it_holds_the_graph_store(store):
    """FalkorDB builds range() lists while planning, before the time limit starts: 8 s for
    range(1, 100000000), whatever the timeout."""
    started = time.monotonic()
    with pytest.raises(QueryError, match="parsed and planned within"):
        store.read_cypher("UNWIND range(1, 1000000000) AS x RETURN count(x)", timeout_ms=1000)
    assert time.monotonic() - started < 3 * parsecheck.PARSE_LIMIT_S + 5


def test_a_syntax_error_is_reported_as_the_engine_says_it():
    with pytest.raises(QueryError, match="FalkorDB: Invalid input"):
        parsecheck.check("RETURN 1 +")


def test_a_query_whose_plan_needs_its_parameters_passes(store):
    """The parse check plans the query too: a LIMIT given as a parameter needs its value."""
    res = store.read_cypher("UNWIND range(1, 10) AS x RETURN x LIMIT $n", {"n": 3})
    assert [r["x"] for r in res.rows] == [1, 2, 3]
