"""casegraph/money.py: sums that count USD only where a movement has a USD value and show
the rest per asset, never labelled USD."""
from __future__ import annotations

from casegraph.money import Money, amount_text, movement_text, total


def test_usd_and_per_asset_parts_are_kept_apart():
    m = total([{"amount_usd": 1000.0, "amount": 1000.0, "asset": "USDT"},
               {"amount_usd": None, "amount": 1250.0, "asset": "usdt"},
               {"amount_usd": None, "amount": 0.4, "asset": "BTC"},
               {"amount_usd": 200.5, "amount": 0.1, "asset": "ETH"}])
    assert m.usd == 1200.5 and m.assets == {"USDT": 1250.0, "BTC": 0.4}
    assert m.text() == "1,200.50 USD + 0.4 BTC + 1,250 USDT"
    assert m.as_dict() == {"usd": 1200.5, "assets": {"BTC": 0.4, "USDT": 1250.0}}
    assert not m.usd_only and bool(m)


def test_a_sum_without_any_usd_value_never_says_usd():
    m = total([{"amount": 0.25, "asset": "BTC"}, {"amount": 0.15, "asset": "btc"}])
    assert m.text() == "0.4 BTC" and "USD" not in m.text()
    assert Money().add(None, 3, None).text() == "3 ?"        # an amount of an unknown asset
    assert movement_text(None, 12.5, "TRX") == "12.5 TRX"
    assert movement_text(5000, 5000, "USDT") == "5,000.00 USD"


def test_empty_and_zero_sums():
    assert Money().text() == "0.00 USD" and not Money()
    assert Money().add(0.0).text() == "0.00 USD"
    m = Money().add(10) + Money().add(None, 2, "ETH")
    assert m.text() == "10.00 USD + 2 ETH"
    m += Money().add(None, 1, "eth")
    assert m.assets == {"ETH": 3.0}
    assert Money().add_assets([["BTC", 0.5], None, ["btc", 0.25]]).text() == "0.75 BTC"


def test_amounts_show_up_to_eight_decimals_without_trailing_zeros():
    assert amount_text(1250.0) == "1,250"
    assert amount_text(0.12345678) == "0.12345678"
    assert amount_text(0.000000001) == "0"
    assert amount_text(1234567.5) == "1,234,567.5"
