"""USD values from a rates table: a money row that has no amount_usd is valued as
amount x the USD rate of its asset on the movement's day.

The `rates` kind (loaders/canonical.yaml: asset, day, usd) loads before the money files and
is stored as `:Rate` nodes keyed by "ASSET|YYYY-MM-DD", so a later load of money files uses
rates loaded earlier: the pipeline reads them once at load start (load_known_rates) and adds
the rates of the load itself as their batches go by.

The rate used is the asset's rate on the movement's UTC day or, failing that, the most recent
earlier one at most MAX_AGE_DAYS days older; otherwise amount_usd stays empty (figures then
show the amount per asset, casegraph/money.py). A computed value is marked with the day of
the rate used (`usd_rate_day`); a value the file gave is never replaced. Assets compare
case-insensitively (upper-cased for the lookup only; the asset is stored as given).

Pure functions over typed rows (the MERGE path) and pandas frames (the bulk path); both go
through `_match`, so the two paths compute the same values."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

import numpy as np
import pandas as pd

DAY_MS = 86_400_000
MAX_AGE_DAYS = 7
RATES_KIND = "rates"
# the money kinds and the field that dates a row of each
MONEY_TIME = {"transfers": "at", "deposits": "at", "withdrawals": "at", "onchain": "at",
              "scam_reports": "reported_at"}


def asset_key(asset: Any) -> str | None:
    """The lookup form of an asset symbol: trimmed, upper case."""
    if asset is None or asset is pd.NA or (isinstance(asset, float) and np.isnan(asset)):
        return None
    s = str(asset).strip().upper()
    return s or None


def day_of(ms: int) -> int:
    """UTC midnight of the day that epoch-ms `ms` falls on."""
    return int(ms) - int(ms) % DAY_MS


def rate_id(asset: str, day_ms: int) -> str:
    day = datetime.fromtimestamp(day_of(day_ms) / 1000, tz=timezone.utc).date().isoformat()
    return f"{asset_key(asset)}|{day}"


class Rates:
    """USD rates by asset and day, looked up for money rows."""

    def __init__(self, rows: Iterable[dict[str, Any]] = ()):
        self._days: dict[str, dict[int, float]] = {}
        self._sorted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.add(rows)

    def __len__(self) -> int:
        return sum(len(d) for d in self._days.values())

    @classmethod
    def from_store(cls, store) -> "Rates":
        """The rates stored by earlier loads."""
        return cls(store.read("load_known_rates").rows)

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        """Rate rows (asset, day, usd); a later rate for the same asset and day wins."""
        for r in rows:
            key = asset_key(r.get("asset"))
            if key is None or r.get("day") is None or r.get("usd") is None:
                continue
            self._days.setdefault(key, {})[day_of(r["day"])] = float(r["usd"])
            self._sorted.pop(key, None)

    def _table(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        if key not in self._days:
            return None
        if key not in self._sorted:
            days = sorted(self._days[key])
            self._sorted[key] = (np.array(days, dtype=np.int64),
                                 np.array([self._days[key][d] for d in days], dtype=float))
        return self._sorted[key]

    def _match(self, assets: list[Any], times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row the USD rate (nan: none) and its day (-1: none)."""
        usd = np.full(len(assets), np.nan)
        day = np.full(len(assets), -1, dtype=np.int64)
        keys = np.array([asset_key(a) or "" for a in assets], dtype=object)
        for key in set(keys.tolist()) - {""}:
            table = self._table(key)
            if table is None:
                continue
            days, rates = table
            sel = np.flatnonzero(keys == key)
            t = times[sel] - times[sel] % DAY_MS
            i = np.searchsorted(days, t, side="right") - 1
            ok = (i >= 0) & (t - days[np.maximum(i, 0)] <= MAX_AGE_DAYS * DAY_MS)
            usd[sel[ok]] = rates[i[ok]]
            day[sel[ok]] = days[i[ok]]
        return usd, day

    def fill_rows(self, kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Money rows with amount_usd computed where it is empty and a rate is known
        (and usd_rate_day set on those); other rows as they were."""
        at = MONEY_TIME.get(kind)
        if at is None or not self._days:
            return rows
        todo = [i for i, r in enumerate(rows) if r.get("amount_usd") is None and r.get("amount") is not None
                and r.get("asset") is not None and r.get(at) is not None]
        if not todo:
            return rows
        usd, day = self._match([rows[i]["asset"] for i in todo],
                               np.array([rows[i][at] for i in todo], dtype=np.int64))
        out = list(rows)
        for j, i in enumerate(todo):
            if day[j] >= 0:
                out[i] = {**rows[i], "amount_usd": float(rows[i]["amount"] * usd[j]), "usd_rate_day": int(day[j])}
        return out

    def fill_frame(self, kind: str, df: pd.DataFrame) -> pd.DataFrame:
        """fill_rows for a typed frame (the bulk path); adds the usd_rate_day column."""
        at = MONEY_TIME.get(kind)
        if at is None:
            return df
        df = df.copy()
        rate_day = pd.array([pd.NA] * len(df), dtype="Int64")
        todo = np.flatnonzero((df["amount_usd"].isna() & df["amount"].notna() & df["asset"].notna()
                               & df[at].notna()).to_numpy(dtype=bool))
        if len(todo) and self._days:
            usd, day = self._match(df["asset"].iloc[todo].tolist(), df[at].iloc[todo].to_numpy(dtype=np.int64))
            hit = day >= 0
            rows = todo[hit]
            amount = df["amount"].iloc[rows].to_numpy(dtype=float)
            values = df["amount_usd"].array.copy()
            values[rows] = amount * usd[hit]
            df["amount_usd"] = values
            rate_day[rows] = day[hit]
        df["usd_rate_day"] = rate_day
        return df


def prepare_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rate rows as the load_rates template takes them: day at UTC midnight, rate_id set, one
    row per rate_id (the last; "btc" and "BTC" of one day are one rate)."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        day = day_of(r["day"])
        rid = rate_id(r["asset"], day)
        out.pop(rid, None)
        out[rid] = {**r, "day": day, "rate_id": rid}
    return list(out.values())


def prepare_frame(df: pd.DataFrame) -> pd.DataFrame:
    """prepare_rows for a typed frame (the bulk path)."""
    df = df.copy()
    df["day"] = df["day"] - df["day"] % DAY_MS
    df["rate_id"] = pd.Series([rate_id(a, d) for a, d in zip(df["asset"].tolist(), df["day"].tolist())],
                              index=df.index, dtype=pd.StringDtype("pyarrow"))
    return df.drop_duplicates("rate_id", keep="last").reset_index(drop=True)


def apply(rates: Rates, kind: str, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pipeline's hook on a batch of typed rows of `kind` (the MERGE path): rate rows are
    prepared and remembered, money rows valued."""
    if kind == RATES_KIND:
        batch = prepare_rows(batch)
        rates.add(batch)
        return batch
    return rates.fill_rows(kind, batch)


def apply_frame(rates: Rates, kind: str, df: pd.DataFrame) -> pd.DataFrame:
    """apply() for a file's typed frame (the bulk path)."""
    if kind == RATES_KIND:
        df = prepare_frame(df)
        rates.add(df[["asset", "day", "usd"]].to_dict("records"))
        return df
    return rates.fill_frame(kind, df)
