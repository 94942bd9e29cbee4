"""`casegraph case`, `alerts bulk`, `kpis` and `feedback` end to end, as a user runs them
(real processes on the session's embedded server, the state store on SQLite and on
PostgreSQL)."""
from __future__ import annotations

import csv
import json

from casegraph import audit
from casegraph.state import open_state
from tests.support import run_cli as run, write_csv


def _json(*args, env):
    return json.loads(run(*args, "--format", "json", env=env).stdout)


def test_cases_from_the_command_line(cli_state_env, tmp_path):
    cli_env = cli_state_env
    d = tmp_path / "data"
    d.mkdir()
    t = "2024-01-01T10:00:00Z"
    write_csv(d / "accounts.csv", ["account_id", "registered_at", "country", "kyc_level", "status", "referral_code",
                              "referred_by"], [[f"A{i}", t, "GB", 1, "active", "", ""] for i in range(1, 6)])
    write_csv(d / "account_devices.csv", ["account_id", "device_id", "first_seen", "last_seen", "count"],
         [["A1", "D1", t, t, 1], ["A2", "D1", t, t, 1]])
    write_csv(d / "groups.csv", ["group_id", "account_id", "model", "score", "flagged_at"],
         [["G1", "A4", "batchreg-v3", "0.7", t], ["G1", "A5", "batchreg-v3", "0.7", t]])
    run("load", str(d), "--rejects", str(tmp_path / "rej"), env=cli_env)
    state = open_state(cli_env["CASEGRAPH_STATE"])
    state.save_alerts("rings", {}, [("A1,A2", ["A1", "A2"], {"score": 0.9, "reasons": ["D1"], "members": ["A1", "A2"]}),
                                    ("A3", ["A3"], {"score": 0.5, "reasons": ["x"], "members": ["A3"]})])
    ring, lone = sorted(a["id"] for a in state.list_alerts())

    out = run("case", "create", "--from-alert", str(ring), env=cli_env).stdout
    assert out.startswith("created case 1: rings alert") and "(5 elements)" in out   # A1, A2, D1, 2 links
    assert run("case", "create", "--from-group", "G1", env=cli_env).stdout.startswith("created case 2: group G1")
    run("case", "status", "1", "in_review", "--reason", "looking", env=cli_env)
    run("case", "status", "1", "confirmed", "--reason", "one device", env=cli_env)
    run("case", "action", "1", "block", "Account:A1", "--note", "lead", env=cli_env)
    bad = run("case", "status", "1", "open", "--reason", "x", env=cli_env, check=False)
    assert bad.returncode == 1 and "cannot move from confirmed to open" in bad.stderr
    assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1

    shown = _json("case", "show", "1", env=cli_env)[0]
    assert shown["status"] == "confirmed" and shown["decision_reason"] == "one device"
    assert sorted(e["data"]["id"] for e in shown["elements"] if "source" not in e["data"]) == [
        "Account:A1", "Account:A2", "Device:D1"]
    assert shown["decided_at"].endswith("Z")
    assert shown["created_by"].startswith("cli:")
    assert [(c["id"], c["status"]) for c in _json("case", "list", env=cli_env)] == [(2, "open"), (1, "confirmed")]
    rows = list(csv.DictReader(run("case", "actions-csv", env=cli_env).stdout.splitlines()))
    assert [(r["case_id"], r["action"], r["target_kind"], r["target_key"]) for r in rows] == [
        ("1", "block", "Account", "A1")]

    assert _json("alerts", "bulk", str(lone), "--action", "dismiss", "--reason", "alone", env=cli_env) == [
        {"id": lone, "result": "dismiss"}]
    k = _json("kpis", "--since", "2000-01-01", env=cli_env)
    assert (k["cases_created"], k["cases_resolved"], k["resolution_rate"]) == (2, 1, 0.5)
    assert k["per_detection"]["rings"] == {"alerts": 2, "cases": 1, "confirmed": 1, "false_positive": 0}
    assert k["per_domain"]["kyc_fraud"]["cases"] == 2

    out_file = tmp_path / "labels.csv"
    run("feedback", "--since", "2000-01-01", "--out", str(out_file), env=cli_env)
    labels = list(csv.DictReader(out_file.open()))
    assert [(r["label"], r["case_id"], r["account_ids"]) for r in labels] == [
        ("confirmed", "1", "A1;A2"), ("missed", "1", "A1;A2")]
    actions = [e["action"] for e in audit.entries(state)]
    for a in ("case.create", "case.status", "case.action", "alerts.bulk", "kpis.view"):
        assert a in actions, a
