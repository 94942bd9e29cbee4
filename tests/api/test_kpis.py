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


@pytest.mark.parametrize("role", ["le_response", "service"])
def test_roles_without_view_kpis_are_refused(client, as_role, role):
    assert client.get("/api/v1/kpis", headers=as_role(role)).status_code == 403


@pytest.mark.parametrize("params", [{"since": "yesterday"}, {"since": "2026-02-01", "until": "2026-01-01"},
                                    {"until": "-1"}, {"since": "99999999999999999999"}, {"since": "0001-01-01"},
                                    {"since": "x" * 65}])
def test_a_bad_period_is_422(client, as_role, params):
    r = client.get("/api/v1/kpis", headers=as_role("analyst"), params=params)
    assert r.status_code == 422 and r.json()["error"]["code"] in ("invalid", "invalid_request"), r.text
