"""`casegraph request ...`, `freeze ...`, the desk's KPIs in `casegraph kpis` and the freeze
hold in `detect transfer_risk`, end to end as a user runs them (real processes on the
session's embedded server, the state store on SQLite and on PostgreSQL)."""
from __future__ import annotations

import csv
import json

from casegraph import audit
from casegraph.state import open_state
from tests.support import run_cli as run
from tests.test_requests import desk_files


def _json(*args, env):
    return json.loads(run(*args, "--format", "json", env=env).stdout)


def _fails(*args, env) -> str:
    bad = run(*args, env=env, check=False)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    return bad.stderr


def test_the_request_desk_from_the_command_line(cli_state_env, tmp_path):
    env = cli_state_env
    run("load", str(desk_files(tmp_path / "data")), "--rejects", str(tmp_path / "rej"), env=env)

    out = run("request", "add", "--agency", "NCA", "--country", "GB", "--ref", "NCA-77", "--legal-basis", "POCA",
              "--received", "2024-03-01T09:00:00Z", "--deadline", "2024-03-08", "--priority", "high",
              "--subject", "Account:A1", "--subject", "Wallet:0xnope", "--ask", "KYC and statements", env=env)
    assert out.stdout.strip() == "recorded request 1"
    run("request", "add", "--agency", "FBI", "--country", "US", "--ref", "FBI-1", "--legal-basis", "MLAT",
        "--received", "2024-03-01", "--deadline", "2099-01-01", env=env)
    assert "deadline must be after" in _fails("request", "add", "--agency", "X", "--country", "GB", "--ref", "r",
                                              "--legal-basis", "b", "--received", "2024-03-02", "--deadline",
                                              "2024-03-01", env=env)
    assert "not a date or time" in _fails("request", "add", "--agency", "X", "--country", "GB", "--ref", "r",
                                          "--legal-basis", "b", "--received", "soon", "--deadline", "2024-03-01",
                                          env=env)
    assert "unknown label 'Pet'" in _fails("request", "add", "--agency", "X", "--country", "GB", "--ref", "r",
                                           "--legal-basis", "b", "--received", "2024-03-01", "--deadline",
                                           "2024-03-02", "--subject", "Pet:1", env=env)

    queue = _json("request", "list", env=env)
    assert [(r["id"], r["overdue"], r["subjects"]) for r in queue] == [(1, True, 2), (2, False, 0)]
    assert [r["id"] for r in _json("request", "list", "--overdue", env=env)] == [1]
    run("request", "status", "1", "in_progress", env=env)
    run("request", "note", "1", "statements requested", env=env)
    assert "no such user" in _fails("request", "assign", "1", "nobody", env=env)
    assert "can move to responded, declined, not closed" in _fails("request", "status", "1", "closed", env=env)
    assert "declining a request needs a reason" in _fails("request", "status", "2", "declined", env=env)
    assert "there is no request 9" in _fails("request", "note", "9", "x", env=env)
    assert run("request", "case", "1", env=env).stdout.strip() == "request 1: created case 1"
    run("request", "package", "1", "nca-77-part1.zip", "--sha256", "ab" * 32, env=env)
    built = run("export", "request", "1", "--out", str(tmp_path / "ev"), env=env).stdout.splitlines()
    assert built[0].startswith("wrote ") and built[-1] == "recorded as package 2 of request 1"
    sha = built[1].split()[1]

    assert run("freeze", "add", "Account:A1", "--amount", "100", "--asset", "USDT", "--request", "1",
               "--until", "2099-01-01", env=env).stdout.strip() == "recorded freeze 1 on Account:A1"
    assert "account or a wallet" in _fails("freeze", "add", "Phone:1", "--amount", "1", "--asset", "BTC",
                                           "--request", "1", env=env)
    held = _json("detect", "transfer_risk", "--param", "sender=A1", "--param", "recipient_account=A2",
                 "--param", "amount_usd=50", env=env)[0]
    assert held["decision"] == "hold" and held["reasons"][1].startswith("sender account A1 is frozen (freeze 1: 100 USDT")
    assert [f["id"] for f in _json("freeze", "list", "--active", env=env)] == [1]
    rows = list(csv.DictReader(run("case", "actions-csv", env=env).stdout.splitlines()))
    assert [(r["action_id"], r["action"], r["target_key"]) for r in rows] == [("freeze:1", "freeze", "A1")]
    run("freeze", "lift", "1", "--reason", "released by the court", env=env)
    assert _json("freeze", "list", "--active", env=env) == []
    allowed = _json("detect", "transfer_risk", "--param", "sender=A1", "--param", "recipient_account=A2",
                    "--param", "amount_usd=50", env=env)[0]
    assert allowed["decision"] == "allow"

    run("request", "status", "1", "responded", env=env)
    shown = _json("request", "show", "1", env=env)[0]
    assert (shown["status"], shown["case_id"]) == ("responded", 1)
    assert [p["sha256"] for p in shown["packages"]] == ["ab" * 32, sha]
    assert [(s["subject"], s["found"]) for s in shown["subjects"]] == [("Account:A1", True), ("Wallet:0xnope", False)]
    assert [f["id"] for f in shown["freezes"]] == [1] and shown["notes"][0]["text"] == "statements requested"
    assert "NCA-77" in run("request", "show", "1", env=env).stdout

    k = _json("kpis", env=env)["requests"]
    assert (k["received"], k["responded"], k["overdue"]) == (2, 1, 0)
    assert k["time_to_respond"]["requests"] == 1 and k["time_to_respond"]["median"] > 0
    assert k["per_agency"]["NCA"] == {"received": 1, "responded": 1, "overdue": 0}
    assert k["per_country"]["US"] == {"received": 1, "responded": 0, "overdue": 0}
    table = run("kpis", env=env).stdout
    assert "LE requests received" in table and "time to respond, p90" in table

    actions = {e["action"] for e in audit.entries(open_state(env["CASEGRAPH_STATE"]))}
    assert {"request.add", "request.status", "request.note", "request.case", "request.package", "freeze.record",
            "freeze.lift"} <= actions
