"""casegraph/vendor.py: the category table is the loader's closed list, weights and the
`categories` parameter (the detections over labels: tests/detections/test_vendor_labels.py)."""
from __future__ import annotations

import pytest

from casegraph import vendor
from casegraph.errors import ParameterError
from casegraph.loaders.kinds import kinds


def test_the_table_names_the_loaders_categories():
    assert list(vendor.table()) == list(kinds()["vendor_labels"].values["category"])
    assert all(0 <= w <= 1 for w, _ in vendor.table().values())
    # a category that holds weighs more than any that only scores
    assert min(w for w, h in vendor.table().values() if h) > max(w for w, h in vendor.table().values() if not h)


def test_weights():
    assert vendor.weight(None) == 1.0                    # another list's entry
    assert vendor.weight("sanctions", 0.5) == 0.5 and vendor.weight("darknet_market") == 0.8
    assert vendor.weight("exchange", 1.0) == 0.0
    assert not vendor.keeps({"category": "exchange", "confidence": 1.0}, None)
    assert not vendor.keeps({"category": "sanctions", "confidence": 0.0}, None)
    assert vendor.keeps({"category": None}, {"watchlist"}) and not vendor.keeps({"category": "scam"}, {"watchlist"})
    assert vendor.default_hold() == {"watchlist", "sanctions", "terrorist_financing", "ransomware", "child_abuse",
                                     "scam", "stolen_funds", "darknet_market", "fraud_shop"}


def test_categories_parameter():
    assert vendor.categories_param(None, "x") is None and vendor.categories_param(" ", "x") is None
    assert vendor.categories_param("Darknet Market, stolen-funds,watchlist", "x") == {
        "darknet_market", "stolen_funds", "watchlist"}
    with pytest.raises(ParameterError, match="^detection d: categories: unknown ponzi "):
        vendor.categories_param("scam,ponzi", "detection d")


def test_label_text():
    label = {"vendor": "V", "category": "scam", "entity": "Ring", "confidence": 0.5}
    assert vendor.label_text(label) == "scam by V (Ring, confidence 0.5)"
    assert vendor.label_text(label, vendor_first=True) == "V: scam (Ring, confidence 0.5)"
    assert vendor.label_text({"vendor": None, "category": "mixer"}) == "mixer by unknown vendor"
