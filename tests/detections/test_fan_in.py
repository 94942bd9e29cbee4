"""fan_in (funnel accounts, structuring) scored against the generator's truth on every backend, and
its pure function on hand-written movements."""
from __future__ import annotations

from functools import partial

from casegraph import detections
from tests.detections import flows
from tests.detections.flows import DAY, H, T0, mv, scored

run = partial(flows.run, "fan_in")


def test_fan_in_matches_truth(loaded):
    store, truth, _ = loaded
    assert truth["confounders"]["busy_newcomers"], "and new accounts busy from their first day"
    results = scored(store, truth, "fan_in")    # no merchant, payroll, influencer, collection, newcomer
    assert not {r["account_id"] for r in results} & set(truth["mules"])     # pass-through: mules reports them
    # the newcomers are look-alikes: only the rule that a burst ends leaves them out
    loose = detections.run(store, "fan_in", {"max_after_rate": 1e9})
    assert set(truth["confounders"]["busy_newcomers"]) & {r["account_id"] for r in loose}
    for r in results:
        assert r["counterparties"] >= 10 and r["reasons"] and 0 < r["score"] <= 1 and len(r["flows"]) >= 10


def test_find_on_hand_written_movements():
    rows = []
    # HUB: 12 senders (2 of them wallets) within 30 h, amounts just under 10,000 USD; holds for a week
    for k in range(12):
        rows.append(mv(f"S{k}" if k < 10 else f"w{k}", "HUB", "T" if k < 10 else "D", T0 + k * 2 * H, 9500 + k))
    rows.append(mv("HUB", "wHUB", "W", T0 + 8 * DAY, 100_000))
    # SMALL: 12 senders within a day, 60 USD each: adds up to less than the threshold
    rows += [mv(f"C{k}", "SMALL", "T", T0 + k * H, 60) for k in range(12)]
    # SHOP: 12 customers in one day, among 40 more spread over months: a steady business
    rows += [mv(f"K{k}", "SHOP", "T", T0 + k * H, 1500) for k in range(12)]
    rows += [mv(f"L{k}", "SHOP", "T", T0 + (10 + 3 * k) * DAY, 1500) for k in range(40)]
    # MULE: 12 senders, all sent straight on within hours (the mules detection's case)
    rows += [mv(f"M{k}", "MULE", "T", T0 + k * H, 2000) for k in range(12)]
    rows += [mv("MULE", "BOSS", "T", T0 + k * H + 3 * H, 1900) for k in range(12)]
    out = run(rows)
    assert [r["account_id"] for r in out] == ["HUB"]
    hub = out[0]
    assert hub["counterparties"] == 12 and hub["structured"] == 12 and hub["score"] == 0.896
    assert hub["reasons"][0].startswith("received 12 movements, 114,066.00 USD, from 12 distinct senders within 22 h")
    assert "12 of 12 amounts between 9,000 and 10,000 USD" in hub["reasons"][2]
    # parameters: a lower threshold admits SMALL; a lower burst share admits SHOP
    assert "SMALL" in [r["account_id"] for r in run(rows, threshold_usd=500)]
    assert "SHOP" in [r["account_id"] for r in run(rows, min_burst_share=0.2)]
    assert run(rows, min_counterparties=13) == []
    # amounts without a USD value never count towards the USD threshold or as structured
    btc = [mv(f"B{k}", "BTCHUB", "T", T0 + k * H, 0.2, "BTC") for k in range(12)]
    assert run(btc) == []


def test_a_new_accounts_first_busy_days_are_no_burst():
    """NEW opens and its customers pay from the first day: 20 a day for three days, 12 a day for four
    more until the data ends. The first three days are 60 of its 108 senders (over the burst share)
    and 24,000 USD, so only the stream going on after them tells it from a funnel."""
    new = [mv(f"K{k}", "NEW", "T", T0 + k * DAY // 20, 400) for k in range(60)]
    new += [mv(f"L{k}", "NEW", "T", T0 + 3 * DAY + k * DAY // 12, 400) for k in range(48)]
    # HUB: 12 senders within a day, then ordinary traffic: 3 more in the six days after
    hub = [mv(f"S{k}", "HUB", "T", T0 + k * 2 * H, 1500) for k in range(12)]
    hub += [mv(f"O{k}", "HUB", "T", T0 + (2 + 2 * k) * DAY, 80) for k in range(3)]
    assert [r["account_id"] for r in run(new + hub)] == ["HUB"]
    assert "NEW" in [r["account_id"] for r in run(new + hub, max_after_rate=10)]
    # when the data ends with the first three days there is no after to judge by: reported
    assert [r["account_id"] for r in run(new[:60])] == ["NEW"]
