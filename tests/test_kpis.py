"""casegraph/kpis.py on fixed, hand-made alerts, cases, decisions and reviews with set
times, so every number has a known answer (worked out in the comments)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from casegraph import cases, detections, kpis
from casegraph.errors import ConfigError
from casegraph.state import alerts
from casegraph.times import to_epoch_ms
from tests.support import add_detection

INV = {"name": "inv", "role": "investigator", "disabled": False}
INV2 = {"name": "inv2", "role": "investigator", "disabled": False}
H = 3_600_000
D = 24 * H
T0 = to_epoch_ms("2024-03-01T00:00:00Z")
UNTIL = T0 + 10 * D
NODE = {"data": {"id": "Account:A1", "kind": "Account", "key": "A1", "label": "A1", "props": {}}}
PROV = {"query": "test", "params": {}}


def test_every_detection_has_a_domain():
    domains = kpis.domains()
    assert set(domains) == set(detections.names())
    assert set(domains.values()) == set(kpis.DOMAIN_NAMES)     # every domain gets some detection's findings
    assert {n: kpis.domain_of(n) for n in detections.names()} == {n: detections.get(n).domain for n in domains}
    assert kpis.domain_of(None) is None and kpis.domain_of("gone") is None
    assert kpis.GROUP_DOMAIN in kpis.DOMAIN_NAMES


def test_the_domains_come_from_the_detections(state, monkeypatch, tmp_path):
    # a detection module added with a domain is counted there, with no table to edit
    add_detection(monkeypatch, tmp_path, "zz_bonus_hunters", domain="'reward_fraud'")
    assert kpis.domain_of("zz_bonus_hunters") == "reward_fraud"
    _alert(state, "zz_bonus_hunters", T0)
    k = kpis.compute(state, since_ms=T0, until_ms=UNTIL)
    assert k["per_detection"]["zz_bonus_hunters"] == {"alerts": 1, "cases": 0, "confirmed": 0, "false_positive": 0}
    assert k["per_domain"]["reward_fraud"]["alerts"] == 1
    assert set(k["per_detection"]) == set(detections.names())


def _alert(state, detection: str, created_at: int) -> int:
    key = f"{detection}-{created_at}"
    state.save_alerts(detection, {}, [(key, [key], {"score": 0.9, "reasons": []})])
    with state.engine.begin() as conn:
        aid = conn.execute(sa.select(alerts.c.id).where(alerts.c.entity_key == key)).scalar_one()
        conn.execute(alerts.update().where(alerts.c.id == aid).values(created_at=created_at))
    return aid


def _case(state, created_at: int, alert_id: int | None = None, detection: str | None = None,
          decided: tuple[str, int] | None = None, **kw) -> int:
    cid = cases.create_case(state, INV, "t", [NODE], PROV, alert_ids=[alert_id] if alert_id else (),
                            detection=detection, now=created_at, **kw)
    if decided:
        cases.set_status(state, INV, cid, "in_review", "look", now=decided[1])
        cases.set_status(state, INV, cid, decided[0], "decided", now=decided[1])
    return cid


@pytest.fixture
def fixed(state):
    a1 = _alert(state, "rings", T0)                       # in the period
    a2 = _alert(state, "referral_abuse", T0 - D)          # before
    _alert(state, "account_takeover", T0 + 5 * H)         # in, no case
    _alert(state, "mules", T0 + 11 * D)                   # after
    a5 = _alert(state, "scam_triage", T0 - 3 * D)         # before
    a6 = _alert(state, "transfer_risk", T0 + 8 * D)       # in
    c1 = _case(state, T0 + 2 * H, a1, "rings", ("confirmed", T0 + 10 * H))              # 10 h from its alert
    c2 = _case(state, T0 + H, a2, "referral_abuse", ("false_positive", T0 + 1 * D))      # 48 h from its alert
    _case(state, T0 + 3 * H, decided=("confirmed", T0 + 7 * H))                          # 4 h, no alert
    _case(state, T0 + 4 * H)                                                             # never decided
    c5 = _case(state, T0 - 2 * D, a5, "scam_triage", ("confirmed", T0 + 3 * D))          # created before; 144 h
    _case(state, T0 + 8 * D, a6, "transfer_risk", ("confirmed", T0 + 12 * D))            # decided after
    _case(state, T0 + 6 * H, source="group:G1", domain="kyc_fraud",
          decided=("false_positive", T0 + 30 * H))                                       # 24 h, no alert
    cases.second_review(state, INV2, c1, "confirmed", "agree", now=T0 + 20 * H)
    cases.second_review(state, INV2, c2, "confirmed", "disagree", now=T0 + 30 * H)
    cases.second_review(state, INV2, c5, "confirmed", "agree, after the period", now=T0 + 11 * D)
    return state


def test_kpis_for_a_period(fixed):
    k = kpis.compute(fixed, since_ms=T0, until_ms=UNTIL)
    # created in the period: c1, c2, c3, c4, c6, c7; decided before UNTIL: c1, c2, c3, c7
    assert (k["cases_created"], k["cases_resolved"]) == (6, 4)
    assert k["resolution_rate"] == pytest.approx(4 / 6)
    # decided in the period: c3 4 h, c1 10 h, c7 24 h, c2 48 h, c5 144 h
    assert k["cases_decided"] == 5
    assert k["time_to_decision"] == {"cases": 5, "median": 24.0, "p90": 144.0}
    assert (k["second_reviews"], k["agreeing_reviews"], k["qa_agreement"]) == (2, 1, 0.5)
    det = k["per_detection"]
    assert det["rings"] == {"alerts": 1, "cases": 1, "confirmed": 1, "false_positive": 0}
    assert det["referral_abuse"] == {"alerts": 0, "cases": 1, "confirmed": 0, "false_positive": 1}
    assert det["account_takeover"] == {"alerts": 1, "cases": 0, "confirmed": 0, "false_positive": 0}
    assert det["scam_triage"] == {"alerts": 0, "cases": 0, "confirmed": 1, "false_positive": 0}
    assert det["transfer_risk"] == {"alerts": 1, "cases": 1, "confirmed": 0, "false_positive": 0}
    assert det["mules"] == {"alerts": 0, "cases": 0, "confirmed": 0, "false_positive": 0}
    assert k["per_domain"] == {
        "kyc_fraud": {"alerts": 1, "cases": 2, "confirmed": 1, "false_positive": 1},
        "reward_fraud": {"alerts": 0, "cases": 1, "confirmed": 0, "false_positive": 1},
        "ato_scam": {"alerts": 2, "cases": 1, "confirmed": 1, "false_positive": 0}}
    assert (k["since"], k["until"]) == ("2024-03-01T00:00:00Z", "2024-03-11T00:00:00Z")


def test_viewing_kpis_needs_the_action_is_audited_and_reads_alike_everywhere(fixed):
    from casegraph import audit
    from casegraph.errors import PermissionDenied
    k = kpis.view(fixed, INV2, T0, UNTIL)
    assert k == kpis.compute(fixed, since_ms=T0, until_ms=UNTIL)
    assert audit.entries(fixed, action="kpis.view")[-1]["details"] == {"since": T0, "until": UNTIL}
    with pytest.raises(PermissionDenied):
        kpis.view(fixed, {"name": "ana", "role": "service", "disabled": False})
    assert dict(kpis.headline(k)) == {
        "period": "2024-03-01T00:00:00Z .. 2024-03-11T00:00:00Z", "resolution rate": "66.7% (4 of 6 cases)",
        "time to decision, median": "24.0 h", "time to decision, p90": "144.0 h (5 decisions)",
        "QA agreement": "50.0% (1 of 2 reviews)"}
    empty = dict(kpis.headline(kpis.compute(fixed, since_ms=UNTIL + 1)))
    assert empty["resolution rate"] == "n/a (0 of 0 cases)" and empty["period"].endswith(".. now")
    rows = kpis.count_rows(k["per_domain"], "domain")
    assert [r["domain"] for r in rows] == sorted(k["per_domain"])
    assert rows[0] == {"domain": "ato_scam", "alerts": 2, "cases": 1, "confirmed": 1, "false_positive": 0}


def test_kpis_over_all_time(fixed):
    k = kpis.compute(fixed)
    assert (k["cases_created"], k["cases_resolved"], k["cases_decided"]) == (7, 6, 6)
    # 4, 10, 24, 48, 144 and c6: 12 d - 8 d = 96 h
    assert k["time_to_decision"] == {"cases": 6, "median": 36.0, "p90": 144.0}
    assert k["qa_agreement"] == pytest.approx(2 / 3)
    assert sum(v["alerts"] for v in k["per_detection"].values()) == 6


def test_an_empty_period_has_no_rates(state):
    k = kpis.compute(state, since_ms=T0, until_ms=UNTIL)
    assert k["resolution_rate"] is None and k["qa_agreement"] is None
    assert k["time_to_decision"] == {"cases": 0, "median": None, "p90": None}
    with pytest.raises(ConfigError, match="empty"):
        kpis.compute(state, since_ms=UNTIL, until_ms=T0)


@pytest.mark.parametrize("values, q, want", [([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9), ([5], 90, 5),
                                             ([3, 1, 2], 50, 2), ([], 90, None), ([1, 2], 100, 2)])
def test_nearest_rank_percentile(values, q, want):
    assert kpis.percentile(values, q) == want


def test_period_text():
    assert kpis.period("2024-03-01", "2024-03-10") == (T0, T0 + 10 * D)        # a date as --until: whole day
    assert kpis.period(None, "2024-03-10T12:00:00Z") == (None, T0 + 9 * D + 12 * H)
    with pytest.raises(ConfigError, match="--since 'March'"):
        kpis.period("March", None)


def test_period_from_the_api_takes_digits_as_epoch_ms_and_bounds_them():
    assert kpis.period(str(T0), "2024-03-10", ("since", "until"), digits_are_ms=True) == (T0, T0 + 10 * D)
    assert kpis.period("1709251200", None, digits_are_ms=True) == (1709251200, None)     # ms, not seconds
    assert kpis.period("1709251200", None) == (T0, None)                                 # the CLI: seconds by size
    for bad in ("-1", "1.5", "32503680000001", "0001-01-01", "9" * 40):
        with pytest.raises(ConfigError, match="since"):
            kpis.period(bad, None, ("since", "until"), digits_are_ms=True)


def test_the_request_desk_kpis(state):
    from casegraph import requests as rq
    le = {"name": "le", "role": "le_response", "disabled": False}
    h, t0 = 3_600_000, to_epoch_ms("2024-03-01")

    def add(agency, country, received, deadline):
        return rq.add(state, le, agency=agency, country=country, reference="r", legal_basis="b",
                      received_at=received, deadline_at=deadline)

    fast, slow = add("NCA", "GB", t0, t0 + 100 * h), add("NCA", "GB", t0, t0 + 100 * h)
    add("FBI", "US", t0 + h, t0 + 5 * h)                         # overdue at t0 + 20 h
    old = add("BKA", "DE", t0 - 1000 * h, t0 - 900 * h)          # before the period
    for rid, took in ((fast, 2), (slow, 10)):
        rq.set_status(state, le, rid, "in_progress")
        rq.set_status(state, le, rid, "responded", now=t0 + took * h)
    rq.set_status(state, le, old, "declined", "no basis")
    found = kpis.desk(state, t0, t0 + 1000 * h, now=t0 + 20 * h)
    assert (found["received"], found["responded"], found["overdue"]) == (3, 2, 1)
    assert found["time_to_respond"] == {"requests": 2, "median": 6.0, "p90": 10.0}
    assert found["per_agency"] == {"NCA": {"received": 2, "responded": 2, "overdue": 0},
                                   "FBI": {"received": 1, "responded": 0, "overdue": 1}}
    assert found["per_country"]["US"]["overdue"] == 1 and "DE" not in found["per_country"]
    assert kpis.desk(state, now=t0)["received"] == 4
    assert dict(kpis.desk_headline(found))["time to respond, median"] == "6.0 h"
    with pytest.raises(ConfigError):
        kpis.desk(state, t0, t0)
