"""exposure scored against the generator's ground truth on the embedded store and on Neo4j
(lift@K, paths that exist and end at the lists, listed accounts never ranked), on a hand-made
graph around listed identifiers, and its pure parts (parsing, weights, ranking) on small
graphs with known answers."""
from __future__ import annotations

import math
import time

import pytest

from casegraph.detections import _exposure as ex
from casegraph.detections import exposure, run
from casegraph.errors import ParameterError
from tests.detections.test_scammer_links import _check_step_in_graph, _listed

SAMPLE_PATHS = 25   # results per dataset whose every step is checked against the graph


def test_exposure_ranks_bad_accounts_first(loaded):
    store, truth, _ = loaded
    t0 = time.perf_counter()
    results = exposure.run(store, {"top": 0})
    seconds = time.perf_counter() - t0
    q = exposure.quality(results, truth)
    print(f"\nexposure: {len(results)} ranked; K={q['k']} unlisted bad accounts, {q['hits']} in the top K: "
          f"precision@K {q['precision']:.3f}, lift@K {q['lift']:.1f}; {seconds:.2f}s")
    assert q["k"] > 0 and q["lift"] >= 5
    # the truth's listed accounts are the watchlist's, and none of them is ranked
    listed = {key for label, key in _listed(store) if label == "Account"}
    assert listed == set(truth["listed_accounts"])
    assert not listed & {r["account_id"] for r in results}


def test_every_result_is_explained(loaded):
    store, truth, _ = loaded
    results = exposure.run(store, {})
    assert 0 < len(results) <= 1000
    listed = _listed(store)
    hot = set(truth["confounders"]["exchange_wallets"])
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    assert [r["exposure"] for r in results] == sorted((r["exposure"] for r in results), reverse=True)
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores) and scores[0] == 1.0
    for r in results:
        path = r["path"]
        assert r["exposure"] > 0 and r["reasons"] and all(r["reasons"]) and r["hops"] == len(path) >= 1
        assert path[0]["from"] == r["account_id"] and path[0]["from_label"] == "Account"
        for a, b in zip(path, path[1:]):
            assert a["to"] == b["from"] and a["to_label"] == b["from_label"]
        end = (path[-1]["to_label"], path[-1]["to"])
        assert end in listed and r["watchlisted"]["entity"] == end[1] and r["watchlisted"]["label"] == end[0]
        assert not {s["to"] for s in path} & hot and not {s["from"] for s in path} & hot
    for r in results[:SAMPLE_PATHS]:
        for step in r["path"]:
            _check_step_in_graph(store, step)


def test_top_and_parameters(loaded):
    store, truth, _ = loaded
    full = exposure.run(store, {})
    top = run(store, "exposure", {"top": "5"})
    assert [r["account_id"] for r in top] == [r["account_id"] for r in full[:5]]
    # a higher restart keeps the walk nearer the lists: the first result's route is no longer
    near = exposure.run(store, {"restart": "0.6", "top": "50"})
    assert near and near[0]["hops"] <= max(r["hops"] for r in full[:50])
    # recent money weighs more with a short half-life, but the seeds' neighbours still lead
    assert exposure.run(store, {"half_life_days": "7", "top": "1"})


@pytest.mark.parametrize("params, message", [
    ({"restart": "0"}, "restart must be a finite number between"),
    ({"restart": "1"}, "restart must be a finite number between"),
    ({"half_life_days": "0"}, "half_life_days must be a finite number"),
    ({"max_shared": "0"}, "max_shared must be between"),
    ({"top": "-1"}, "top must be between"),
    ({"k": "2"}, "unknown parameter(s) k"),
])
def test_bad_parameters(params, message):
    with pytest.raises(ParameterError) as e:
        exposure.run(None, params)
    assert message in str(e.value)


def test_listed_identifiers_seed_the_walk(any_store, sqlite_state, tmp_path):
    """The users of a listed device, IP or phone are ranked with a one-step path to it; an
    account sharing an unlisted device with one of them, or paying one, further down; an
    identifier over max_shared links nobody."""
    from casegraph.loaders.pipeline import load
    from tests.support import listed_identifiers
    assert load(any_store, sqlite_state, [listed_identifiers(tmp_path / "in")], rejects_dir=tmp_path / "rej").ok
    got = {r["account_id"]: r for r in exposure.run(any_store, {"max_shared": 2})}
    assert set(got) == {"A1", "A2", "A3", "A4", "A5", "P1"}      # not A6..A8: their IP has 3 users
    assert got["A1"]["path"] == [{"from": "A1", "from_label": "Account", "rel": "USED_DEVICE", "dir": "->",
                                  "to": "D1", "to_label": "Device"}]
    assert got["A1"]["watchlisted"] == {"entity": "D1", "label": "Device", "lists": ["blocklist"],
                                        "list_sources": ["fraud team"], "reasons": ["emulator farm"],
                                        "categories": [], "labels": []}
    assert ex.path_text(got["A3"]["path"]) == "A3 -[USED_DEVICE]-> D2 <-[USED_DEVICE]- A1 -[USED_DEVICE]-> D1"
    assert got["P1"]["path"][0] == {"from": "P1", "from_label": "Account", "rel": "TRANSFERRED", "dir": "->",
                                    "to": "A2", "to_label": "Account", "usd": 10.0, "n": 1}
    assert got["A4"]["rank"] < got["A3"]["rank"] and got["A1"]["rank"] < got["P1"]["rank"]
    wide = {r["account_id"] for r in exposure.run(any_store, {"max_shared": 3})}
    assert {"A6", "A7", "A8"} <= wide


# -- pure Python -----------------------------------------------------------------------------

def _seeds(*nodes):
    return {n: {"lists": {"internal"}, "sources": set(), "reasons": {"romance"}} for n in nodes}


T = 1_700_000_000_000
DAY = exposure.DAY_MS


def test_parse_money_rows_from_either_engine():
    rows = ["TRANSFERRED\tA1\tA2\t2\t248.950000\t1724951196000.000000\t",       # FalkorDB's number format
            "SENT\tW1\tW2\t3\t1.0E7\t1.724951196E12\tBTC:0.4;ETH:1.5;",          # Neo4j's
            "WITHDREW\tA1\tW1\t1\t0.0\t\t"]                                      # no time
    m = exposure.parse_money(rows)
    assert [tuple(r) for r in m.itertuples(index=False)][:2] == [
        ("TRANSFERRED", "A1", "A2", 2, 248.95, 1724951196000.0, ""),
        ("SENT", "W1", "W2", 3, 10_000_000.0, 1724951196000.0, "BTC:0.4;ETH:1.5;")]
    assert tuple(m.iloc[2])[:5] == ("WITHDREW", "A1", "W1", 1, 0.0) and math.isnan(m.iloc[2]["at"])
    assert exposure.other_assets("BTC:0.4;ETH:1.5;") == (("BTC", 0.4), ("ETH", 1.5))
    assert exposure.parse_money([]).empty


def test_strength_is_log_scaled_and_decays_with_age():
    s = exposure.strength
    assert s(0.0, 1, None, None, 30) == pytest.approx(1.0)                      # count only
    assert s(0.0, 1, float("nan"), T, 30) == pytest.approx(1.0)                 # no time: no decay
    assert s(999.0, 1, T, T, 30) == pytest.approx(4.0)                          # 3 + 1
    assert s(999.0, 1, T - 30 * DAY, T, 30) == pytest.approx(2.0)                # one half-life old
    assert s(99_999.0, 1, T, T, 30) == pytest.approx(2 * s(99.0, 1, T, T, 30))  # 1000x the money: twice as strong


def _rank(money, identifiers=(), seeds=("Account", "S"), accounts=20, restart=0.15):
    seeds = _seeds(seeds)
    g = exposure.build(list(money), list(identifiers), seeds, 180.0)
    results, _ = exposure.rank(g, seeds, accounts, restart)
    return {r["account_id"]: r for r in results}, [r["account_id"] for r in results]


def test_downstream_outranks_upstream_and_close_outranks_far():
    # S (listed) paid D; U paid S; same amounts and times: D (downstream) first
    got, order = _rank([("TRANSFERRED", "S", "D", 1, 1000.0, T, ()), ("TRANSFERRED", "U", "S", 1, 1000.0, T, ())])
    assert order == ["D", "U"] and "S" not in got
    # exposure is the walk's time on a node, return visits included: D2, which got money from D,
    # can outrank U (the walk goes back and forth between D and D2); it never outranks D
    got, order = _rank([("TRANSFERRED", "S", "D", 1, 1000.0, T, ()), ("TRANSFERRED", "U", "S", 1, 1000.0, T, ()),
                        ("TRANSFERRED", "D", "D2", 1, 1000.0, T, ())])
    assert order == ["D", "D2", "U"]
    assert got["D"]["path"] == [{"from": "D", "from_label": "Account", "rel": "TRANSFERRED", "dir": "<-",
                                 "to": "S", "to_label": "Account", "usd": 1000.0, "n": 1}]
    assert got["U"]["path"][0]["dir"] == "->"
    assert [s["to"] for s in got["D2"]["path"]] == ["D", "S"] and got["D2"]["hops"] == 2
    # score: the share of the 19 unlisted accounts at most as exposed (rank 1 -> 1.0)
    assert [got[a]["score"] for a in order] == [1.0, round(1 - 1 / 19, 4), round(1 - 2 / 19, 4)]
    assert got["D"]["reasons"][1] == "likeliest route: 1 step to watchlisted account S (on internal; romance)"


def test_recent_money_and_strong_identifiers_weigh_more():
    got, order = _rank([("TRANSFERRED", "S", "NEW", 1, 500.0, T, ()),
                        ("TRANSFERRED", "S", "OLD", 1, 500.0, T - 720 * DAY, ())])
    assert order == ["NEW", "OLD"]
    got, order = _rank([], [{"label": "IP", "key": "ip1", "users": ["S", "VIA_IP"]},
                            {"label": "Device", "key": "d1", "users": ["S", "VIA_DEVICE"]}])
    assert order == ["VIA_DEVICE", "VIA_IP"]
    assert got["VIA_DEVICE"]["path"] == [
        {"from": "VIA_DEVICE", "from_label": "Account", "rel": "USED_DEVICE", "dir": "->", "to": "d1",
         "to_label": "Device"},
        {"from": "d1", "from_label": "Device", "rel": "USED_DEVICE", "dir": "<-", "to": "S", "to_label": "Account"}]


def test_the_likeliest_route_is_explained_not_the_shortest():
    # W (listed wallet) -> X directly with 1 USD, and W -> M (50,000 USD, many sends) -> X
    got, _ = _rank([("DEPOSITED", "W", "X", 1, 1.0, T, ()), ("DEPOSITED", "W", "M", 20, 50_000.0, T, ()),
                    ("TRANSFERRED", "M", "X", 20, 45_000.0, T, ())], seeds=("Wallet", "W"))
    assert [s["to"] for s in got["X"]["path"]] == ["M", "W"]
    assert got["X"]["watchlisted"]["label"] == "Wallet"


def test_quality_lift_at_k():
    truth = {"scammers": ["S1", "S2", "L1"], "mules": ["M1"], "listed_accounts": ["L1"],
             "params": {"accounts": 101}}
    results = [{"account_id": a} for a in ["S1", "X", "M1", "S2"]]
    q = exposure.quality(results, truth)
    # K = 3 unlisted bad (S1, S2, M1) among 100 unlisted: base rate 0.03; top 3 hold 2
    assert q == {"found": 4, "expected": 3, "k": 3, "hits": 2, "precision": 0.6667, "recall": 0.6667,
                 "lift": 22.22}


def test_exposure_from_scammer_links_walk_rows():
    """scammer_links orders by the same walk over the rows its breadth-first walk fetched."""
    def row(src_label, src, rel, outgoing, dst_label, dst, usd=0.0):
        return {"src_label": src_label, "src": src, "rel": rel, "outgoing": outgoing, "dst_label": dst_label,
                "dst": dst, "n": 1, "usd": usd}
    rows = [row("Account", "S", "TRANSFERRED", True, "Account", "D", 1000.0),
            row("Account", "S", "TRANSFERRED", False, "Account", "U", 1000.0),
            row("Account", "S", "USED_DEVICE", True, "Device", "d1"),
            row("Device", "d1", "USED_DEVICE", False, "Account", "S"),
            row("Device", "d1", "USED_DEVICE", False, "Account", "V"),
            row("Account", "D", "TRANSFERRED", False, "Account", "S", 1000.0),    # the same pair, seen from D
            row("Account", "D", "USED_IP", True, "IP", "carrier")]               # a hub it did not expand
    risk = exposure.from_walk_rows(rows, _seeds(("Account", "S")))
    assert set(risk) == {"D", "U", "V"} and risk["D"] > risk["U"]
    _, order = _rank([("TRANSFERRED", "S", "D", 1, 1000.0, float("nan"), ""),
                      ("TRANSFERRED", "U", "S", 1, 1000.0, float("nan"), "")],
                     [{"label": "Device", "key": "d1", "users": ["S", "V"]}])
    assert sorted(risk, key=lambda a: -risk[a]) == order
