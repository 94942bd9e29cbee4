"""`casegraph user` and `casegraph audit` end to end, as a user runs them, with the state
store on SQLite and on PostgreSQL (CASEGRAPH_STATE); the CLI's actions land in the audit
log with the OS user as actor."""
from __future__ import annotations

import csv
import getpass
import io
import json

import pytest
import sqlalchemy as sa

from casegraph.state import audit_log, open_state
from casegraph.users import authenticate
from tests.support import drop_audit_guard, run_cli as run

PW = "s3cret-enough"


def _json(*args, env):
    return json.loads(run(*args, "--format", "json", env=env).stdout)


def test_user_add_list_disable_and_audit(cli_state_env):
    out = run("user", "add", "alice", "--role", "investigator", "--password-stdin", input=PW + "\n", env=cli_state_env)
    assert out.stdout.strip() == "added alice (investigator)"
    run("user", "add", "bob", "--role", "analyst", "--password-stdin", input=PW + "x\n", env=cli_state_env)
    listed = _json("user", "list", env=cli_state_env)
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [("alice", "investigator", False),
                                                                      ("bob", "analyst", False)]
    state = open_state(cli_state_env["CASEGRAPH_STATE"])
    assert authenticate(state, "alice", PW)["role"] == "investigator"
    assert run("user", "disable", "alice", env=cli_state_env).stdout.strip() == "disabled alice"
    assert authenticate(state, "alice", PW) is None
    assert [u["disabled"] for u in _json("user", "list", env=cli_state_env)] == [True, False]
    entries = _json("audit", "list", env=cli_state_env)
    me = f"cli:{getpass.getuser()}"
    assert [(e["actor"], e["action"], e["details"]) for e in entries] == [
        (me, "user.add", {"name": "alice", "role": "investigator"}),
        (me, "user.add", {"name": "bob", "role": "analyst"}),
        (me, "user.disable", {"name": "alice"})]
    assert PW not in json.dumps(entries)
    table = run("user", "list", env=cli_state_env).stdout
    assert "alice" in table and "investigator" in table


def test_the_password_prompt_asks_twice(cli_state_env):
    # a new session has no controlling terminal, so the hidden prompt reads stdin
    ok = run("user", "add", "carol", "--role", "admin", input=f"{PW}\n{PW}\n", env=cli_state_env, start_new_session=True)
    assert "added carol (admin)" in ok.stdout
    assert authenticate(open_state(cli_state_env["CASEGRAPH_STATE"]), "carol", PW) is not None


@pytest.mark.parametrize("args, stdin, message", [
    (["user", "add", "dave", "--role", "boss", "--password-stdin"], PW, "'boss' is not one of"),
    (["user", "add", "dave", "--role", "analyst", "--password-stdin"], "short", "at least 8 characters"),
    (["user", "add", "alice", "--role", "analyst", "--password-stdin"], PW, "a user named 'alice' already exists"),
    (["user", "disable", "ghost"], "", "no user named 'ghost'"),
    (["user", "add", "dave", "--role", "analyst", "--password", PW], "", "No such option '--password'"),
    (["audit", "list", "--since", "yesterday-ish"], "", "--since 'yesterday-ish' is not a date or time"),
])
def test_user_mistakes_are_one_line_errors(args, stdin, message, cli_env):
    run("user", "add", "alice", "--role", "analyst", "--password-stdin", input=PW, env=cli_env)
    proc = run(*args, input=stdin + "\n", env=cli_env, check=False)
    assert proc.returncode != 0 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(_json("audit", "list", env=cli_env)) == 1          # failed actions record nothing


def test_queries_are_audited_with_text_and_parameters(cli_state_env):
    run("query", "cypher", "UNWIND range(1, $n) AS x RETURN x", "--param", "n=3", env=cli_state_env)
    run("query", "run", "find_account", "--param", "account_id=A1", env=cli_state_env)
    entries = _json("audit", "list", "--actor", f"cli:{getpass.getuser()}", env=cli_state_env)
    assert [(e["action"], e["details"]) for e in entries] == [
        # the values the query ran with (--param values are JSON where they parse as JSON)
        ("query.cypher", {"text": "UNWIND range(1, $n) AS x RETURN x", "params": {"n": 3}}),
        ("query.run", {"name": "find_account", "params": {"account_id": "A1"}})]
    assert [e["action"] for e in _json("audit", "list", "--action", "query.run", env=cli_state_env)] == ["query.run"]
    assert _json("audit", "list", "--actor", "someone-else", env=cli_state_env) == []
    assert len(_json("audit", "list", "--since", "2000-01-01", env=cli_state_env)) == 2
    assert _json("audit", "list", "--since", "2999-01-01", env=cli_state_env) == []


def test_export_and_verify(cli_state_env, tmp_path):
    for name in ("u1", "u2", "u3"):
        run("user", "add", name, "--role", "analyst", "--password-stdin", input=PW, env=cli_state_env)
    assert run("audit", "verify", env=cli_state_env).stdout.strip() .startswith("audit log intact: 3 entries;")
    out = tmp_path / "audit.jsonl"
    assert "wrote 3 entries" in run("audit", "export", str(out), env=cli_state_env).stdout
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["details"]["name"] for r in rows] == ["u1", "u2", "u3"] and rows[1]["prev_hash"] == rows[0]["hash"]
    out_csv = tmp_path / "audit.csv"
    run("audit", "export", str(out_csv), "--format", "csv", env=cli_state_env)
    # the first export is on record now: the second copy holds it too
    again = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert [r["hash"] for r in again[:3]] == [r["hash"] for r in rows] and again[3]["action"] == "audit.export"
    assert "id,at,actor,action,details" in run("audit", "list", "--format", "csv", env=cli_state_env).stdout
    # an attacker with raw database access drops the trigger and edits an entry
    engine = sa.create_engine(cli_state_env["CASEGRAPH_STATE"])
    drop_audit_guard(engine)
    with engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.id == 2).values(actor="nobody"))
    engine.dispose()
    bad = run("audit", "verify", env=cli_state_env, check=False)
    assert bad.returncode == 1 and "audit log broken at entry 2" in bad.stderr and "Traceback" not in bad.stderr


def test_loads_and_detections_are_audited(cli_state_env, tmp_path):
    data = tmp_path / "d"
    run("generate", "--accounts", "1000", "--seed", "5", "--out", str(data), env=cli_state_env)
    run("load", str(data), "--rejects", str(tmp_path / "rej"), env=cli_state_env)
    run("detect", "silent_sufferers", env=cli_state_env)
    run("detect", "silent_sufferers", "--no-alerts", env=cli_state_env)       # nothing stored: nothing audited
    loads = _json("audit", "list", "--action", "load", env=cli_state_env)
    assert len(loads) == 1 and loads[0]["actor"] == f"cli:{getpass.getuser()}"
    files = {f["kind"]: f for f in loads[0]["details"]["files"]}
    assert files["accounts"]["status"] == "complete" and files["accounts"]["loaded"] == 1000
    detects = _json("audit", "list", "--action", "detect", env=cli_state_env)
    assert [(d["details"]["detection"], d["details"]["alerts_new"]) for d in detects] == [
        ("silent_sufferers", len(json.loads(run("alerts", "list", "--format", "json", env=cli_state_env).stdout)))]


def test_verify_names_removed_newest_entries(cli_env):
    for name in ("u1", "u2", "u3"):
        run("user", "add", name, "--role", "analyst", "--password-stdin", input=PW, env=cli_env)
    state = open_state(cli_env["CASEGRAPH_STATE"])
    with state.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        conn.execute(audit_log.delete().where(audit_log.c.id == 3))
    proc = run("audit", "verify", env=cli_env, check=False)
    assert proc.returncode == 1 and "entries 3..3 were removed" in proc.stderr, proc.stderr


def test_the_state_option_names_the_state_store(cli_env, postgres_url):
    """--state wins over CASEGRAPH_STATE: here a PostgreSQL database instead of the SQLite file."""
    run("user", "add", "pat", "--role", "analyst", "--password-stdin", "--state", postgres_url, input=PW, env=cli_env)
    assert authenticate(open_state(postgres_url), "pat", PW)["role"] == "analyst"
    assert _json("user", "list", env=cli_env) == []
    assert [u["name"] for u in _json("user", "list", "--state", postgres_url, env=cli_env)] == ["pat"]
