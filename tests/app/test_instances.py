"""Two app instances on one PostgreSQL state store and one graph, as a load balancer runs
them: two real `casegraph serve` processes (two gunicorn workers each), driven over HTTP
through the UI's own callbacks. What one instance does, the other sees; what both do at
the same moment to the same alerts and cases is all there afterwards, consistently, and
the audit log's chain holds."""
from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from casegraph import audit, cases
from casegraph.app import ids
from casegraph.loaders.pipeline import load
from casegraph.state import alerts, open_state
from casegraph.users import add_user
from tests.support import PASSWORD, DashHTTP, at_once, login_over_http, start_serve, stop_serve, write_csv

ROUNDS = 12                        # each round: 4 alerts, 6 requests at once over both instances
T = "2024-01-01T10:00:00Z"
MOVE = json.dumps({"to": ["ALL"], "type": ids.CASES_MOVE}, separators=(",", ":"))


@pytest.fixture
def two_instances(store, sqlite_state, postgres_url, embedded_dir, tmp_path):
    """(instance A, instance B, state): both serve the same graph and PostgreSQL database;
    A logged in as inv1, B as inv2 (both investigators). 4 x ROUNDS open ring alerts."""
    n = 4 * ROUNDS
    d = tmp_path / "data"
    write_csv(d / "accounts.csv", ["account_id", "registered_at", "country", "kyc_level", "status", "referral_code",
                                   "referred_by"], [[f"A{i}", T, "GB", 1, "active", "", ""] for i in range(2 * n)])
    write_csv(d / "account_devices.csv", ["account_id", "device_id", "first_seen", "last_seen", "count"],
              [[f"A{i}", f"D{i // 2}", T, T, 1] for i in range(2 * n)])
    assert load(store, sqlite_state, [d], rejects_dir=tmp_path / "rej").ok
    state = open_state(postgres_url)
    state.save_alerts("rings", {}, [(f"A{2 * i},A{2 * i + 1}", [f"A{2 * i}", f"A{2 * i + 1}"],
                                     {"score": 0.9, "reasons": [f"device D{i}"], "members": [f"A{2 * i}", f"A{2 * i + 1}"]})
                                    for i in range(n)])
    for name in ("inv1", "inv2"):
        add_user(state, name, "investigator", PASSWORD)
    env = {"CASEGRAPH_DB": f"embedded:{embedded_dir}", "CASEGRAPH_GRAPH": store.settings.graph,
           "CASEGRAPH_STATE": postgres_url, "CASEGRAPH_EVIDENCE_DIR": str(tmp_path / "evidence")}
    procs = []
    try:
        for _ in range(2):
            procs.append(start_serve(env, "--workers", "2", "--threads", "4", cwd=tmp_path / f"cwd{len(procs)}"))
        (a, base_a), (b, base_b) = procs
        yield DashHTTP(base_a, login_over_http(base_a, "inv1")), DashHTTP(base_b, login_over_http(base_b, "inv2")), state
    finally:
        for proc, _ in procs:
            code, output = stop_serve(proc)
            assert code == 0 and "Traceback" not in output, output
        state.engine.dispose()


def ticked(alert_ids: list[int]) -> list[dict]:
    """The alerts grid's selectedRows with these alerts ticked (rows as the grid holds them)."""
    return [{"id": a, "open": "open"} for a in alert_ids]


def open_case(ui: DashHTTP, alert_ids: list[int]) -> str:
    said = ui.call(ids.ALERTS_BULK_MESSAGE, {ids.ALERTS_OPEN_CASE: 1, ids.ALERTS_TABLE: ticked(alert_ids)},
                   (f"{ids.ALERTS_OPEN_CASE}.n_clicks",))
    return said[ids.ALERTS_BULK_MESSAGE]["children"]


def bulk(ui: DashHTTP, alert_ids: list[int], action: str, assignee: str = "", reason: str = "") -> str:
    said = ui.call(ids.ALERTS_BULK_MESSAGE, {ids.ALERTS_BULK_APPLY: 1, ids.ALERTS_TABLE: ticked(alert_ids),
                                             ids.ALERTS_BULK_ACTION: action, ids.ALERTS_BULK_ASSIGNEE: assignee,
                                             ids.ALERTS_BULK_REASON: reason}, (f"{ids.ALERTS_BULK_APPLY}.n_clicks",))
    return said[ids.ALERTS_BULK_MESSAGE]["children"]


def move(ui: DashHTTP, case_id: int, to: str, reason: str) -> str:
    button = {"id": {"to": to, "type": ids.CASES_MOVE}, "property": "n_clicks", "value": 1}
    said = ui.call(ids.CASES_MESSAGE, {MOVE: [button], ids.CASES_ID: case_id, ids.CASES_VERSION: 1,
                                       ids.CASES_REASON: reason},
                   (json.dumps({"to": to, "type": ids.CASES_MOVE}, separators=(",", ":")) + ".n_clicks",), via=MOVE)
    return said[ids.CASES_MESSAGE]["children"]


def listed_cases(ui: DashHTTP, status: str) -> list[dict]:
    said = ui.call(ids.CASES_TABLE, {ids.CASES_STATUS: status, ids.CASES_ASSIGNEE: None, ids.CASES_MINE: []})
    return said[ids.CASES_TABLE]["rowData"]


def test_two_instances_share_sessions_cases_and_a_consistent_alert_queue(two_instances):
    a, b, state = two_instances
    # one session key for both (kept in the state store): a session from A is good on B
    assert b.http.get(f"{b.base}/_dash-layout", cookies=a.http.cookies.get_dict(), timeout=10).status_code == 200

    ids_ = sorted(x["id"] for x in state.list_alerts(status=None))
    results = []
    for r in range(ROUNDS):
        same, raced, c, d = ids_[4 * r:4 * r + 4]
        results.append((same, raced, c, d, at_once(
            lambda: open_case(a, [same]), lambda: open_case(b, [same]),            # the same alert, twice
            lambda: bulk(a, [raced], "close", reason="closed on A"),               # closed while B opens a case
            lambda: open_case(b, [raced]),
            lambda: bulk(a, [c, d], "assign", assignee="inv1"),                    # assigned on A ...
            lambda: bulk(b, [c, d], "dismiss", reason="dismissed on B"))))          # ... dismissed on B

    with state.engine.connect() as conn:
        by_id = {r["id"]: dict(r) for r in conn.execute(sa.select(alerts)).mappings()}
    made = cases.list_cases(state)
    sources = [c["source"] for c in made]
    for same, raced, c, d, said in results:
        opened = [m for m in said[:2] if m.startswith("opened case")]
        assert len(opened) == 1, said[:2]                                         # one case per alert ...
        refused = [m for m in said[:2] if m not in opened][0]
        assert re.fullmatch(rf"alert {same}( \(case \d+\))? is already in (a )?case( \d+)?", refused), refused
        for alert_id in (same, raced):                                            # ... and the alert says so
            alert = by_id[alert_id]
            assert alert["status"] == "in_case" and sources.count(f"alert:{alert_id}") == 1, alert
            assert next(x for x in made if x["source"] == f"alert:{alert_id}")["id"] == alert["case_id"]
        for alert_id in (c, d):                                                   # both changes are there
            alert = by_id[alert_id]
            assert (alert["assignee"], alert["status"], alert["closed_reason"]) == \
                ("inv1", "dismissed", "dismissed on B"), alert
    assert all(x["status"] == "in_case" for x in by_id.values() if x["case_id"] is not None)
    assert len(made) == 2 * ROUNDS
    found = audit.check(state)
    assert found.intact and found.entries == audit.count(state)
    assert len(audit.entries(state, action="case.create")) == 2 * ROUNDS
    assert len(audit.entries(state, action="alerts.bulk")) == 3 * ROUNDS
    assert [e["id"] for e in audit.entries(state)] == list(range(1, found.entries + 1))

    # a case decided on A is seen decided on B
    case_id = made[-1]["id"]
    assert move(a, case_id, "in_review", "looking") == f"case {case_id} is now in_review"
    assert move(a, case_id, "confirmed", "same device") == f"case {case_id} is now confirmed"
    assert [row["id"] for row in listed_cases(b, "confirmed")] == [case_id]
    assert cases.get_case(state, case_id)["decided_by"] == "inv1"
