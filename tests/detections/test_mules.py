"""Mules detection scored against the generator's ground truth, on the embedded store and on Neo4j."""
from __future__ import annotations

from casegraph.detections import mules
from tests.support import timed_run

H = 3_600_000
DAY = 24 * H


def test_mules_match_truth(loaded):
    store, truth, _ = loaded
    results, seconds = timed_run(store, "mules")
    assert truth["mules"], "the dataset must plant mules"
    q = mules.quality(results, truth)
    print(f"\nmules: {q}, query+explain {seconds:.2f}s")
    assert q["precision"] >= 0.85 and q["recall"] >= 0.85
    # the look-alikes the data was built to provoke (merchants, payroll) are not reported
    assert q["confounders_flagged"] == 0
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    for r in results:
        assert r["account_id"] and 0 < r["score"] <= 1 and r["reasons"] and all(r["reasons"])


def test_stricter_parameters_find_fewer(loaded):
    store, truth, _ = loaded
    default, _ = timed_run(store, "mules")
    strict, _ = timed_run(store, "mules", {"min_senders": 50})
    assert {r["account_id"] for r in strict} <= {r["account_id"] for r in default}
    assert len(strict) < len(default) or not default


def _row(account_id, inflows, outflows, **params):
    return {"account_id": account_id, "senders": len({i["from"] for i in inflows}),
            "inflows": inflows, "outflows": outflows,
            "window_hours": params.get("window_hours", 48),
            "min_forward_ratio": params.get("min_forward_ratio", 0.8),
            "min_senders": params.get("min_senders", 5)}


def test_explain_on_hand_written_rows():
    t0 = 1_700_000_000_000
    # M1: six senders, 90% of each inflow sent on 3 h later to one account
    m1_in = [{"from": f"S{k}", "tx": f"I{k}", "at": t0 + k * H, "amount_usd": 1000.0} for k in range(6)]
    m1_out = [{"to": "X1", "route": "transfer", "tx": f"O{k}", "at": t0 + k * H + 3 * H, "amount_usd": 900.0}
              for k in range(6)]
    # M2: six senders, all withdrawn in one go 10 h after the last inflow
    m2_in = [{"from": f"S{k}", "tx": f"J{k}", "at": t0 + k * H, "amount_usd": 500.0} for k in range(6)]
    m2_out = [{"to": "0xabc", "route": "withdrawal", "tx": "W1", "at": t0 + 15 * H, "amount_usd": 2900.0}]
    # merchant: many customers, swept 30 days later (money held for weeks is not forwarded)
    mer_in = [{"from": f"C{k}", "tx": f"K{k}", "at": t0 + k * DAY, "amount_usd": 100.0} for k in range(20)]
    mer_out = [{"to": "0xown", "route": "withdrawal", "tx": "W2", "at": t0 + 50 * DAY, "amount_usd": 1900.0}]
    # too few senders: four accounts, even if all is forwarded
    few_in = m1_in[:4]
    few_out = m1_out[:4]
    # empty OPTIONAL MATCH entries are ignored
    rows = [_row("M1", m1_in, m1_out + [None]), _row("M2", m2_in, m2_out),
            _row("MER", mer_in, mer_out), _row("FEW", few_in, few_out)]
    out = mules.explain(rows)
    assert [r["account_id"] for r in out] == ["M2", "M1"]
    m2, m1 = out
    assert m1["forward_ratio"] == 0.9 and m1["senders"] == 6 and m1["sent_to"] == ["X1"]
    assert m1["reasons"][0].startswith("received 6 transfers from 6 accounts, 6,000.00 USD, between ")
    # FIFO: each outflow first uses the 10% left over from the previous inflow (4 h old)
    assert "sent on 90% (5,400.00 USD) within 4 h: 6 transfers to X1" in m1["reasons"][1]
    assert "1 withdrawal to 0xabc" in m2["reasons"][1] and m2["max_delay_hours"] == 15.0
    # the alert opens with the senders and where the money went (a withdrawal's wallet)
    assert m1["flow_nodes"] == [f"Account:S{k}" for k in range(6)] + ["Account:X1"]
    assert m2["flow_nodes"][-1] == "Wallet:0xabc" and len(m2["flow_nodes"]) == 7
    assert all(0 < r["score"] <= 1 for r in out)
    # a shorter window makes the delayed withdrawal no longer count
    assert mules.explain([_row("M2", m2_in, m2_out, window_hours=6)]) == []
    # a stricter ratio drops M1
    assert mules.explain([_row("M1", m1_in, m1_out, min_forward_ratio=0.95)]) == []
