"""Vendor labels in the detections, on both engines, over tests.support.vendor_graph: V1, V2,
V3 and V4 each withdrew 1,000 USD to a wallet labelled sanctions (0.95), mixer (0.9),
exchange and gambling; V6 paid X1 on the `internal` list. The graph is the same around each
listed entity, so what tells their neighbours apart is the category (docs/detections.md)."""
from __future__ import annotations

import pytest

from casegraph import explore
from casegraph.detections import exposure, scammer_links, transfer_risk
from casegraph.errors import ParameterError
from casegraph.loaders.pipeline import load
from tests.support import vendor_graph


@pytest.fixture
def labelled(any_store, sqlite_state, tmp_path):
    assert load(any_store, sqlite_state, [vendor_graph(tmp_path / "in")], rejects_dir=tmp_path / "rej").ok
    return any_store


def _ranked(store, **params):
    return {r["account_id"]: r for r in exposure.run(store, params)}


def test_exposure_is_weighted_by_category_with_the_category_in_the_reasons(labelled):
    got = exposure.run(labelled, {})
    # other lists weigh 1.0, then sanctions x 0.95, mixer 0.5 x 0.9, gambling 0.2; an exchange is no seed
    assert [r["account_id"] for r in got] == ["V6", "V1", "V2", "V4"]
    v1 = got[1]
    assert v1["exposure"] / got[0]["exposure"] == pytest.approx(0.95, rel=1e-6)
    assert got[3]["exposure"] / got[0]["exposure"] == pytest.approx(0.2, rel=1e-6)
    assert v1["reasons"][1] == ("likeliest route: 1 step to watchlisted wallet WS (on vendor:sanctions; labelled "
                                "sanctions by ChainVendor (Lazarus Group, confidence 0.95))")
    assert v1["watchlisted"]["categories"] == ["sanctions"] and v1["watchlisted"]["list_sources"] == ["ChainVendor"]
    assert v1["watchlisted"]["labels"] == [{"vendor": "ChainVendor", "category": "sanctions",
                                            "entity": "Lazarus Group", "confidence": 0.95}]
    # unweighted, every seed alike: the four neighbours tie (ties in account order)
    flat = exposure.run(labelled, {"weighted": "false"})
    assert [r["account_id"] for r in flat] == ["V1", "V2", "V4", "V6"]
    assert len({round(r["exposure"], 12) for r in flat}) == 1


@pytest.mark.parametrize("categories, accounts", [
    ("sanctions", {"V1"}), ("watchlist", {"V6"}), ("Mixer, gambling", {"V2", "V4"}), ("exchange", set()),
    ("ransomware", set()),
])
def test_exposure_restricted_to_categories(labelled, categories, accounts):
    assert set(_ranked(labelled, categories=categories)) == accounts


def test_unknown_categories_are_refused_by_name():
    for run in (exposure.run, scammer_links.run, transfer_risk.run):
        with pytest.raises(ParameterError, match="categories: unknown casino, ponzi"):
            run(None, {"categories": "sanctions,ponzi,casino"})


def test_scammer_links_seeds_other_lists_and_holding_categories(labelled):
    assert {r["account_id"] for r in scammer_links.run(labelled, {})} == {"V1", "V6"}
    mixed = scammer_links.run(labelled, {"categories": "mixer"})
    assert [r["account_id"] for r in mixed] == ["V2"]
    assert "labelled mixer by ChainVendor (Tornado Cash, confidence 0.9)" in mixed[0]["reasons"][0]


def _check(store, params=None, **transfer):
    p = transfer_risk.DETECTION.bind(params or {})
    return transfer_risk.check_many(store, [{"sender": "V5", "amount_usd": 50.0, **transfer}], p)[0]


def test_transfer_to_a_sanctions_labelled_wallet_holds_with_category_and_vendor(labelled):
    r = _check(labelled, recipient_wallet="WS")
    assert r["decision"] == "hold" and r["score"] >= 0.95
    assert r["reasons"][0] == "hold for 24 h: recipient is labelled sanctions by ChainVendor (Lazarus Group, " \
                              "confidence 0.95)"
    assert r["recipient"]["labels"] == [{"vendor": "ChainVendor", "category": "sanctions", "entity": "Lazarus Group",
                                         "confidence": 0.95, "holds": True}]
    # one hop from it: held through the walk; one hop from the mixer: not
    near = _check(labelled, recipient_account="V1")
    assert near["decision"] == "hold" and near["hops"] == 1 and "watchlisted wallet WS" in near["reasons"][1]
    assert _check(labelled, recipient_account="V2")["decision"] == "allow"


def test_lower_categories_only_add_to_the_score(labelled):
    plain = _check(labelled, recipient_account="V3")
    mixer = _check(labelled, recipient_wallet="WM")
    gambling = _check(labelled, recipient_wallet="WG")
    exchange = _check(labelled, recipient_wallet="WE")
    assert {r["decision"] for r in (mixer, gambling, exchange)} == {"allow"}
    assert mixer["score"] == pytest.approx(plain["score"] + 0.3 * 0.5 * 0.9)
    assert gambling["score"] == pytest.approx(plain["score"] + 0.3 * 0.2)
    assert exchange["score"] == plain["score"] and exchange["recipient"]["exchange_wallet"]
    assert ("recipient wallet WM is labelled mixer by ChainVendor (Tornado Cash, confidence 0.9): adds to the "
            "score, does not hold") in mixer["reasons"]
    assert "recipient wallet WE is labelled exchange by ChainVendor (BigEx, confidence 1): context, no risk" \
        in exchange["reasons"]
    # asked to, a mixer label holds
    assert _check(labelled, {"categories": "watchlist,sanctions,mixer"}, recipient_wallet="WM")["decision"] == "hold"


def test_labels_loaded_later_reach_the_in_memory_index(any_store, sqlite_state, tmp_path):
    d = vendor_graph(tmp_path / "in")
    labels = (d / "vendor_labels.csv").rename(tmp_path / "vendor_labels.csv")
    assert load(any_store, sqlite_state, [d], rejects_dir=tmp_path / "rej").ok
    assert _check(any_store, recipient_wallet="WS")["decision"] == "allow"          # index built without labels
    assert load(any_store, sqlite_state, [labels], rejects_dir=tmp_path / "rej").ok
    assert _check(any_store, recipient_wallet="WS")["decision"] == "hold"


def test_the_explorer_flags_risky_labels_not_exchange_ones(labelled):
    flags = explore.risk_flags(labelled, None, ["Wallet:WS", "Wallet:WM", "Wallet:WE", "Wallet:WG"])
    assert flags == {"Wallet:WS": ["watchlisted"], "Wallet:WM": ["watchlisted"], "Wallet:WE": [],
                     "Wallet:WG": ["watchlisted"]}


def test_the_explorer_shows_a_wallets_labels(labelled):
    rows = [r for r in explore.details(labelled, "Wallet:WS")["rows"] if r["property"] == "vendor label"]
    assert [r["value"] for r in rows] == ["ChainVendor: sanctions (Lazarus Group, confidence 0.95)"]
    assert not [r for r in explore.details(labelled, "Account:V1")["rows"]
                if r["property"] == "vendor label"]
    assert [r["value"] for r in explore.details(labelled, "Wallet:WG")["rows"] if r["property"] == "vendor label"] \
        == ["OtherVendor: gambling (LuckyDice)"]
