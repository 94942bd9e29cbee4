"""KPIs over HTTP: the same figures as casegraph/kpis.py computes, for ISO dates and epoch
ms alike; who may see them; a bad period is 422."""
from __future__ import annotations

import pytest

from casegraph import kpis
from tests.api.stores import opened
from casegraph.times import to_epoch_ms


@pytest.fixture(scope="module")
def state(api_data):
    with opened(api_data[0]) as (_graph, state):
        yield state


def test_the_figures_are_the_cores_for_iso_dates_and_epoch_ms_alike(client, as_role, state):
    whole = client.get("/api/v1/kpis", headers=as_role("analyst"))
    assert whole.status_code == 200, whole.text
    assert whole.json() == kpis.compute(state)
    assert sum(c["alerts"] for c in whole.json()["per_detection"].values()) > 0     # the fixture's detections ran
    iso = client.get("/api/v1/kpis", headers=as_role("investigator"),
                     params={"since": "2020-01-01", "until": "2999-12-31"}).json()
    ms = client.get("/api/v1/kpis", headers=as_role("admin"), params={
        "since": str(to_epoch_ms("2020-01-01")), "until": str(to_epoch_ms("3000-01-01"))}).json()
    assert iso == ms == kpis.compute(state, to_epoch_ms("2020-01-01"), to_epoch_ms("3000-01-01"))
    assert iso["since"] == "2020-01-01T00:00:00Z" and iso["until"] == "3000-01-01T00:00:00Z"


def test_roles_without_view_kpis_are_refused(client, as_role):
    assert client.get("/api/v1/kpis", headers=as_role("service")).status_code == 403


def test_the_desks_figures_are_the_cores(client, as_role, state):
    from casegraph import requests as desk
    le = {"name": "le-kpis", "role": "le_response", "disabled": False}
    t0 = to_epoch_ms("2026-02-02")
    rid = desk.add(state, le, agency="BKA", country="DE", reference="BKA-1", legal_basis="StPO 95",
                   received_at=t0, deadline_at=t0 + 86_400_000)
    desk.set_status(state, le, rid, "in_progress")
    desk.set_status(state, le, rid, "responded", now=t0 + 5 * 3_600_000)
    got = client.get("/api/v1/kpis/requests", headers=as_role("le_response"),
                     params={"since": "2026-02-01", "until": "2026-02-28"})
    assert got.status_code == 200, got.text
    assert got.json() == kpis.desk(state, *kpis.period("2026-02-01", "2026-02-28"))
    assert got.json()["per_agency"]["BKA"] == {"received": 1, "responded": 1, "overdue": 0}
    assert got.json()["time_to_respond"]["median"] == 5.0
    assert client.get("/api/v1/kpis/requests", headers=as_role("analyst")).status_code == 403


@pytest.mark.parametrize("params", [{"since": "yesterday"}, {"since": "2026-02-01", "until": "2026-01-01"},
                                    {"until": "-1"}, {"since": "99999999999999999999"}, {"since": "0001-01-01"},
                                    {"since": "x" * 65}])
def test_a_bad_period_is_422(client, as_role, params):
    r = client.get("/api/v1/kpis", headers=as_role("analyst"), params=params)
    assert r.status_code == 422 and r.json()["error"]["code"] in ("invalid", "invalid_request"), r.text
