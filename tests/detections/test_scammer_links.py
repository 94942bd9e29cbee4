"""scammer_links scored against the generator's ground truth, on the embedded store and on Neo4j,
plus unit tests of the walk's path helpers on hand-built visits."""
from __future__ import annotations

import math
import time

import pytest

from casegraph.detections import _exposure as ex
from casegraph.detections import run, scammer_links
from casegraph.errors import ParameterError
from casegraph.model import model

SAMPLE_PATHS = 25   # results per dataset whose every step is checked against the graph


def _run(store, params=None):
    t0 = time.perf_counter()
    results = scammer_links.run(store, dict(params or {}))
    return results, time.perf_counter() - t0


def _listed(store) -> set[tuple[str, str]]:
    rows = store.read("scammer_links_seeds", {}, row_limit=None).rows
    return {(r["label"], r["key"]) for r in rows}


def _check_step_in_graph(store, step):
    """The step's relationship exists, points the stated way and carries the stated USD."""
    fk, tk = model().node(step["from_label"]).key, model().node(step["to_label"]).key
    text = (f"MATCH (a:`{step['from_label']}` {{{fk}: $f}})-[r:`{step['rel']}`]-(b:`{step['to_label']}` "
            f"{{{tk}: $t}}) WHERE (startNode(r) = a) = $out "
            f"RETURN count(r) AS n, sum(coalesce(r.amount_usd, 0.0)) AS usd")
    row = store.read_cypher(text, {"f": step["from"], "t": step["to"], "out": step["dir"] == "->"}).rows[0]
    assert row["n"] >= 1, f"no {step} in the graph"
    if "usd" in step:
        assert row["n"] == step["n"] and math.isclose(row["usd"], step["usd"], abs_tol=0.01), (step, row)


def test_scammer_links_match_truth(loaded):
    store, truth, _ = loaded
    results, seconds = _run(store)
    q = scammer_links.quality(results, truth)
    found = {r["account_id"]: r for r in results}
    victims, mules = set(truth["victims"]), set(truth["mules"])
    print(f"\nscammer_links: {q['found']} found; victims {len(victims & set(found))}/{len(victims)}, "
          f"mules {len(mules & set(found))}/{len(mules)}; precision (scammers+victims+mules) "
          f"{q['precision']:.3f}; merchants/payroll/influencers found {q['confounders_flagged']}; "
          f"query+explain {seconds:.2f}s")
    assert q["recall"] == 1.0 and q["expected"] == len(victims | mules)
    assert truth["victims"] and truth["mules"]
    missing = sorted((set(truth["victims"]) | set(truth["mules"])) - set(found))
    assert not missing, f"victims/mules not within 3 hops: {missing}"
    # a sane set: not everyone
    n_accounts = truth["params"]["accounts"]
    assert len(found) < n_accounts / 4
    assert q["precision"] > 0.05

    listed = _listed(store)
    hot = set(truth["confounders"]["exchange_wallets"])
    assert not {a for label, a in listed if label == "Account"} & set(found), "listed accounts are not results"
    for r in results:
        assert 0 < r["score"] <= 1 and r["reasons"] and all(r["reasons"])
        path = r["path"]
        assert 1 <= r["hops"] <= 3 and len(path) == r["hops"]
        assert path[0]["from"] == r["account_id"] and path[0]["from_label"] == "Account"
        for a, b in zip(path, path[1:]):
            assert a["to"] == b["from"] and a["to_label"] == b["from_label"]
        end = (path[-1]["to_label"], path[-1]["to"])
        assert end in listed and r["watchlisted"]["entity"] == end[1]
        # exchange hot wallets are never walked through (no path passes one)
        assert not {s["to"] for s in path[:-1]} & hot
        assert r["indirect_exposure_usd"] == ex.bottleneck(path)
        assert r["direct_exposure_usd"] >= 0
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    # the confounders are never reached through a hot wallet (they are not walked through at all)
    for key in ("merchants", "payroll", "influencers"):
        for a in set(truth["confounders"][key]) & set(found):
            assert not {s["to"] for s in found[a]["path"]} & hot
    # fewer hops score higher, other things equal: every 1-hop result outranks every 3-hop one
    one = [r["score"] for r in results if r["hops"] == 1]
    three = [r["score"] for r in results if r["hops"] == 3]
    if one and three:
        assert min(one) > max(three)
    for r in results[:SAMPLE_PATHS]:
        for step in r["path"]:
            _check_step_in_graph(store, step)


def test_direct_exposure_is_money_with_a_listed_entity(loaded):
    store, truth, _ = loaded
    results, _ = _run(store)
    listed = {key for _, key in _listed(store)}
    for r in results:
        if r["direct_exposure_usd"] > 0:
            # someone who moved money with a listed entity is one hop from it
            assert r["hops"] == 1
        if r["hops"] == 1 and r["path"][0]["rel"] in ("TRANSFERRED", "WITHDREW", "DEPOSITED"):
            assert r["path"][0]["to"] in listed and r["direct_exposure_usd"] >= r["path"][0]["usd"] - 0.01


def test_k_nests_and_bounds_hops(loaded):
    store, truth, _ = loaded
    by_k = {k: {r["account_id"]: r["hops"] for r in _run(store, {"k": str(k)})[0]} for k in (1, 2, 3)}
    assert set(by_k[1]) <= set(by_k[2]) <= set(by_k[3])
    for k, found in by_k.items():
        assert all(1 <= h <= k for h in found.values())
    # shortest paths: the hop count of an account does not depend on k
    assert all(by_k[3][a] == h for a, h in by_k[2].items())
    # a tight identifier cap can only cut links
    capped = {r["account_id"] for r in _run(store, {"max_shared": 1})[0]}
    assert capped <= set(by_k[3])


def test_runs_through_the_registry(loaded):
    store, truth, _ = loaded
    results = run(store, "scammer_links", {"k": "1"})
    assert results and all(r["hops"] == 1 for r in results)


@pytest.mark.parametrize("params, message", [
    ({"k": "6"}, "k must be between 1 and 5"),
    ({"k": "0"}, "k must be between 1 and 5"),
    ({"k": "three"}, "k must be a whole number"),
    ({"k": 2.5}, "k must be a whole number"),
    ({"max_shared": "-1"}, "max_shared must be between"),
    ({"hops": "2"}, "unknown parameter(s) hops"),
])
def test_bad_parameters(params, message):
    # parameters are checked before the store is touched
    with pytest.raises(ParameterError) as e:
        scammer_links.run(None, params)
    assert message in str(e.value)


# -- pure Python -----------------------------------------------------------------------------

def _visits():
    """W (listed) <-SENT 900- W2 <-WITHDREW 500- V -USED_DEVICE-> D <-USED_DEVICE- F"""
    W, W2, V, D, F = ("Wallet", "W"), ("Wallet", "W2"), ("Account", "V"), ("Device", "D"), ("Account", "F")
    return {W: ex.Visit(W, 0),
            W2: ex.Visit(W2, 1, W, "SENT", False, 2, 900.0, 900.0),
            V: ex.Visit(V, 2, W2, "WITHDREW", False, 1, 500.0, 500.0),
            D: ex.Visit(D, 3, V, "USED_DEVICE", True, 1, 0.0, 500.0),
            F: ex.Visit(F, 4, D, "USED_DEVICE", False, 1, 0.0, 500.0)}


def test_path_helpers_on_hand_built_visits():
    seen = _visits()
    steps = ex.path_to_source(seen, ("Account", "F"))
    assert [(s["from"], s["rel"], s["dir"], s["to"]) for s in steps] == [
        ("F", "USED_DEVICE", "->", "D"), ("D", "USED_DEVICE", "<-", "V"),
        ("V", "WITHDREW", "->", "W2"), ("W2", "SENT", "->", "W")]
    assert ex.path_text(steps) == ("F -[USED_DEVICE]-> D <-[USED_DEVICE]- V -[WITHDREW 500.00 USD]-> W2 "
                                   "-[SENT 900.00 USD]-> W")
    assert ex.bottleneck(steps) == 500.0 and ex.bottleneck(steps[:2]) == 0.0
    back = ex.reverse(steps)
    assert ex.path_text(back) == ("W <-[SENT 900.00 USD]- W2 <-[WITHDREW 500.00 USD]- V -[USED_DEVICE]-> D "
                                  "<-[USED_DEVICE]- F")


def test_explain_walk_results():
    seen = _visits()
    seeds = scammer_links.seed_info([
        {"label": "Wallet", "key": "W", "watchlist": "vendor-intel", "list_source": "TRM Labs", "reason": "romance"},
        {"label": "Wallet", "key": "W", "watchlist": "law-enforcement", "list_source": "FBI IC3", "reason": "romance"}])
    out = scammer_links.explain_walk(seen, seeds, {"V": 0.0})
    assert [r["account_id"] for r in out] == ["V", "F"]     # wallets and devices are not results
    v, f = out
    assert v["hops"] == 2 and v["indirect_exposure_usd"] == 500.0 and v["direct_exposure_usd"] == 0.0
    assert v["watchlisted"]["lists"] == ["law-enforcement", "vendor-intel"]
    assert v["reasons"][0] == ("2 hops from watchlisted wallet W (on law-enforcement, vendor-intel; romance)")
    assert f["hops"] == 4 and v["score"] > f["score"] > 0
    assert v["exposure"] == 0.0 and v["score"] == 0.6          # no exposure given: the hop base
    # direct USD exposure is shown, but no longer scores (exposure does, within the hop count)
    hi = scammer_links.result("X", ex.path_to_source(seen, ("Account", "V")), ("Wallet", "W"),
                              seeds[("Wallet", "W")], 50_000.0)
    assert "moved 50,000.00 USD directly" in hi["reasons"][2]


def test_exposure_orders_within_each_hop_count():
    """The score is the hop base plus a bonus for exposure among the results as close: a more
    exposed account outranks a less exposed one at the same hops, never a closer one."""
    def r(a, hops):
        return {"account_id": a, "hops": hops, "score": scammer_links.HOP_BASE[hops], "reasons": ["x"]}
    out = scammer_links.order([r("A", 1), r("B", 1), r("C", 2), r("D", 2), r("E", 3), r("F", 2)],
                              {"A": 0.01, "B": 0.02, "C": 0.5, "D": 0.03, "F": 0.03})
    assert [x["account_id"] for x in out] == ["B", "A", "C", "D", "F", "E"]
    by = {x["account_id"]: x for x in out}
    assert by["B"]["score"] == round(0.8 + 0.19 / 2, 4) and by["A"]["score"] == 0.8
    assert by["C"]["score"] == round(0.6 + 0.19 * 2 / 3, 4) and by["D"]["score"] == by["F"]["score"] == 0.6
    assert by["E"]["exposure"] == 0.0 and by["E"]["score"] == 0.4 and by["E"]["reasons"] == ["x"]
    assert by["C"]["reasons"][-1].startswith("exposure 0.5: more exposed than 67% of the accounts 2 hops away")
    # the top of a hop count stays below the next closer one's base (alerts: within 2 hops)
    assert all(scammer_links.HOP_BASE[h] + scammer_links.BAND[h] < scammer_links.HOP_BASE.get(h - 1, 1.0)
               for h in scammer_links.HOP_BASE)


def test_hubs_are_reached_but_not_walked_through():
    rows = [{"src_label": "Account", "src": "HUB", "rel": "TRANSFERRED", "outgoing": False, "dst_label": "Account",
             "dst": f"C{i}", "n": 2, "usd": 10.0} for i in range(6)]
    rows += [{"src_label": "Account", "src": "HUB", "rel": "USED_DEVICE", "outgoing": True, "dst_label": "Device",
              "dst": "D", "n": 1, "usd": 0.0},
             {"src_label": "Wallet", "src": "W", "rel": "SENT", "outgoing": True, "dst_label": "Wallet",
              "dst": "W2", "n": 11, "usd": 9.0}]
    # 12 money links: over a cap of 10 the hub is dropped (with its identifiers), W (11) too
    assert ex.cut_hubs(rows, 10, set()) == []
    # unless exempt (the watchlisted seeds), or under the cap
    assert len(ex.cut_hubs(rows, 10, {"HUB", "W"})) == len(rows)
    assert [r["src"] for r in ex.cut_hubs(rows, 11, set())] == ["W"]


def test_only_close_links_are_queued_as_alerts(loaded):
    store, _, settings = loaded
    from casegraph import detections
    from casegraph.state import open_state
    results = detections.run(store, "scammer_links")
    close = {r["account_id"] for r in results if r["score"] >= scammer_links.ALERT_MIN_SCORE}
    assert close and len(close) < len(results)            # the sample has links 3 hops out
    assert all(r["hops"] <= 2 for r in results if r["score"] >= 0.8)
    state = open_state(settings.state_url())
    detections.save_as_alerts(state, "scammer_links", {}, results)
    assert {a["entity_key"] for a in state.list_alerts("scammer_links")} == close


def test_an_account_that_used_a_listed_device_is_one_hop_from_the_list(any_store, sqlite_state, tmp_path):
    """Listed identifiers are seeds (issue 13.7): the users of a listed device, IP or phone are
    one hop away with the path to it; an account sharing an *unlisted* device with one of
    them is 3 hops, an account that paid one of them 2; an identifier over max_shared links
    nobody (the cap keeps its meaning)."""
    from casegraph.loaders.pipeline import load
    from tests.support import listed_identifiers
    assert load(any_store, sqlite_state, [listed_identifiers(tmp_path / "in")], rejects_dir=tmp_path / "rej").ok
    got = {r["account_id"]: r for r in scammer_links.run(any_store, {"k": 3, "max_shared": 2})}
    assert {a: r["hops"] for a, r in got.items()} == {"A1": 1, "A2": 1, "A4": 1, "A5": 1, "P1": 2, "A3": 3}
    a1 = got["A1"]
    assert a1["path"] == [{"from": "A1", "from_label": "Account", "rel": "USED_DEVICE", "dir": "->",
                           "to": "D1", "to_label": "Device"}]
    assert a1["watchlisted"] == {"entity": "D1", "label": "Device", "lists": ["blocklist"],
                                 "list_sources": ["fraud team"], "reasons": ["emulator farm"],
                                 "categories": [], "labels": []}
    assert a1["reasons"][:2] == ["1 hop from watchlisted device D1 (on blocklist; emulator farm)",
                                 "path: A1 -[USED_DEVICE]-> D1"]
    assert 0.8 <= a1["score"] < 1.0 and 0.4 <= got["A3"]["score"] < 0.6
    assert got["A4"]["path"][0]["rel"] == "USED_IP" and got["A4"]["reasons"][0].startswith(
        "1 hop from watchlisted IP 203.0.113.7")
    assert got["A5"]["path"][0]["rel"] == "HAS_PHONE" and got["A5"]["watchlisted"]["label"] == "Phone"
    assert ex.path_text(got["A3"]["path"]) == "A3 -[USED_DEVICE]-> D2 <-[USED_DEVICE]- A1 -[USED_DEVICE]-> D1"
    # the listed carrier IP (3 users) is walked once the cap allows it: each user at one hop
    wide = {r["account_id"]: r["hops"] for r in scammer_links.run(any_store, {"k": 1, "max_shared": 3})}
    assert wide == {"A1": 1, "A2": 1, "A4": 1, "A5": 1, "A6": 1, "A7": 1, "A8": 1}
    assert got["P1"]["path"][0] == {"from": "P1", "from_label": "Account", "rel": "TRANSFERRED", "dir": "->",
                                    "to": "A2", "to_label": "Account", "usd": 10.0, "n": 1}
