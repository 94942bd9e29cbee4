"""USD values computed from a rates table (loaders/rates.py): the lookup itself, and loads
on each real backend where money rows without amount_usd are valued from `rates` files
loaded in the same load or an earlier one."""
from __future__ import annotations

import pandas as pd
import pytest

from casegraph.loaders import rates
from casegraph.loaders.pipeline import load
from tests.support import write_csv

DAY = 86_400_000
JAN1 = 1704067200000          # 2024-01-01T00:00:00Z


def _table(*rows):
    return rates.Rates({"asset": a, "day": d, "usd": u} for a, d, u in rows)


def test_a_rate_is_found_on_the_day_or_up_to_seven_days_before_case_insensitively():
    r = _table(("BTC", JAN1, 40000.0), ("btc", JAN1 + 3 * DAY + 5, 42000.0), ("ETH", JAN1, 2000.0))
    rows = [{"tx_id": "same day", "amount": 0.5, "asset": "Btc", "at": JAN1 + 3600_000, "amount_usd": None},
            {"tx_id": "later day", "amount": 1.0, "asset": "BTC", "at": JAN1 + 3 * DAY, "amount_usd": None},
            {"tx_id": "7 days on", "amount": 1.0, "asset": "BTC", "at": JAN1 + 10 * DAY + 1, "amount_usd": None},
            {"tx_id": "8 days on", "amount": 1.0, "asset": "BTC", "at": JAN1 + 11 * DAY, "amount_usd": None},
            {"tx_id": "before any", "amount": 1.0, "asset": "BTC", "at": JAN1 - 1, "amount_usd": None},
            {"tx_id": "no rate", "amount": 9.0, "asset": "TRX", "at": JAN1, "amount_usd": None},
            {"tx_id": "given", "amount": 2.0, "asset": "ETH", "at": JAN1, "amount_usd": 3.0}]
    out = {x["tx_id"]: (x["amount_usd"], x.get("usd_rate_day"), x["asset"]) for x in r.fill_rows("transfers", rows)}
    assert out == {"same day": (20000.0, JAN1, "Btc"), "later day": (42000.0, JAN1 + 3 * DAY, "BTC"),
                   "7 days on": (42000.0, JAN1 + 3 * DAY, "BTC"), "8 days on": (None, None, "BTC"),
                   "before any": (None, None, "BTC"), "no rate": (None, None, "TRX"), "given": (3.0, None, "ETH")}
    # a scam report is dated by reported_at; other kinds are left alone
    rep = r.fill_rows("scam_reports", [{"report_id": "R", "amount": 2.0, "asset": "eth", "reported_at": JAN1,
                                        "amount_usd": None}])
    assert rep[0]["amount_usd"] == 4000.0
    assert r.fill_rows("accounts", [{"account_id": "A"}]) == [{"account_id": "A"}]


def test_rows_and_frames_get_the_same_values():
    r = _table(("BTC", JAN1, 40000.0), ("ETH", JAN1 + DAY, 2000.0))
    rows = [{"tx_id": str(i), "amount": 0.1 * (i + 1), "asset": a, "at": JAN1 + i * DAY // 2, "amount_usd": u}
            for i, (a, u) in enumerate([("BTC", None), ("eth", None), ("ETH", None), ("BTC", 7.0), ("XRP", None)])]
    df = pd.DataFrame({"tx_id": pd.Series([x["tx_id"] for x in rows], dtype="string"),
                       "amount": pd.array([x["amount"] for x in rows], dtype="Float64"),
                       "asset": pd.Series([x["asset"] for x in rows], dtype="string"),
                       "at": pd.array([x["at"] for x in rows], dtype="Int64"),
                       "amount_usd": pd.array([x["amount_usd"] for x in rows], dtype="Float64")})
    framed = r.fill_frame("transfers", df)
    by_rows = r.fill_rows("transfers", rows)
    assert [None if pd.isna(v) else v for v in framed["amount_usd"]] == [x["amount_usd"] for x in by_rows]
    assert [None if pd.isna(v) else v for v in framed["usd_rate_day"]] == [x.get("usd_rate_day") for x in by_rows]
    assert [x.get("usd_rate_day") for x in by_rows] == [JAN1, None, JAN1 + DAY, None, None]


def test_rate_rows_get_one_id_per_asset_and_day():
    rows = rates.prepare_rows([{"asset": "btc", "day": JAN1 + 5, "usd": 1.0},
                               {"asset": "BTC", "day": JAN1 + 7200_000, "usd": 2.0}])
    assert rows == [{"asset": "BTC", "day": JAN1, "usd": 2.0, "rate_id": "BTC|2024-01-01"}]


@pytest.fixture
def store(any_store):
    return any_store


def _money(d, usd=""):
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
              [["T1", "A1", "A2", "0.5", "btc", "2024-01-03T10:00:00Z", usd],
               ["T2", "A1", "A2", "100", "USDT", "2024-01-03T10:00:00Z", ""]])
    write_csv(d / "scam_reports.csv", ["report_id", "reporter_id", "reported_at", "amount", "amount_usd", "asset",
                                       "status", "against_account", "against_address"],
              [["R1", "A2", "2024-01-04T00:00:00Z", "0.25", "", "BTC", "open", "A1", ""]])


def _rates(d):
    write_csv(d / "rates.csv", ["asset", "day", "usd"],
              [["BTC", "2024-01-01", "40000"], ["BTC", "2024-01-02", "42000"], ["ETH", "2024-01-02", "2000"]])


def _values(store):
    t = store.read_cypher("MATCH ()-[r:TRANSFERRED]->() RETURN r.tx_id AS tx, r.amount AS amount, r.asset AS asset, "
                          "r.amount_usd AS usd, r.usd_rate_day AS day ORDER BY tx").rows
    s = store.read_cypher("MATCH (s:ScamReport) RETURN s.amount_usd AS usd, s.usd_rate_day AS day").rows
    return t, s


def test_money_without_amount_usd_is_valued_from_a_rates_file_of_the_same_load(store, state, tmp_path):
    d = tmp_path / "in"
    _money(d)
    _rates(d)
    report = load(store, state, [d], rejects_dir=tmp_path / "rej")
    assert report.ok and [f.kind for f in report.files][0] == "rates"
    t, s = _values(store)
    assert t == [{"tx": "T1", "amount": 0.5, "asset": "btc", "usd": 21000.0, "day": JAN1 + DAY},
                 {"tx": "T2", "amount": 100.0, "asset": "USDT", "usd": None, "day": None}]
    assert s == [{"usd": 10500.0, "day": JAN1 + DAY}]
    assert store.counts()["nodes"]["Rate"] == 3
    rate = store.read_cypher("MATCH (x:Rate {rate_id: 'BTC|2024-01-02'}) RETURN x.usd AS usd, x.day AS day, "
                             "x.source AS source").rows
    assert rate == [{"usd": 42000.0, "day": JAN1 + DAY, "source": "rates.csv"}]


def test_rates_loaded_earlier_value_a_later_load_and_a_given_value_is_kept(store, state, tmp_path):
    _rates(tmp_path / "r")
    assert load(store, state, [tmp_path / "r"], rejects_dir=tmp_path / "rej").ok
    _money(tmp_path / "m")
    assert load(store, state, [tmp_path / "m"], rejects_dir=tmp_path / "rej").ok
    t, s = _values(store)
    assert (t[0]["usd"], t[0]["day"], s[0]["usd"]) == (21000.0, JAN1 + DAY, 10500.0)
    _money(tmp_path / "given", usd="20500")
    assert load(store, state, [tmp_path / "given"], rejects_dir=tmp_path / "rej").ok
    t, s = _values(store)
    assert (t[0]["usd"], t[0]["day"]) == (20500.0, None)     # given by the file: no rate mark
