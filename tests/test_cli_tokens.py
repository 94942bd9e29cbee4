"""`casegraph token create/list/revoke` end to end, on SQLite and PostgreSQL: the secret is
printed once (alone on standard output), stored only as its SHA-256, listed never, and the
CLI's actions are audited without it."""
from __future__ import annotations

import json

import sqlalchemy as sa

from casegraph import tokens
from casegraph.state import api_tokens, open_state
from tests.support import run_cli as run


def test_create_list_revoke_and_audit(cli_state_env):
    out = run("token", "create", "withdrawals", "--role", "service", "--expires", "30", "--rate", "50",
              env=cli_state_env)
    secret = out.stdout.strip()
    assert secret.startswith(tokens.PREFIX) and len(secret) > 40 and "shown only this once" in out.stderr
    state = open_state(cli_state_env["CASEGRAPH_STATE"])
    with state.engine.connect() as conn:
        stored = conn.execute(sa.select(api_tokens)).mappings().one()
    assert stored["secret_sha256"] == tokens.digest(secret) and secret not in json.dumps(dict(stored), default=str)
    assert tokens.check(tokens.by_digest(state), secret)["role"] == "service"
    listed = json.loads(run("token", "list", "--format", "json", env=cli_state_env).stdout)
    assert [(t["name"], t["role"], t["status"], t["rate_per_s"]) for t in listed] == [
        ("withdrawals", "service", "active", 50.0)]
    assert run("token", "revoke", "withdrawals", env=cli_state_env).stdout.strip() == "revoked withdrawals"
    listed = json.loads(run("token", "list", "--format", "json", env=cli_state_env).stdout)
    assert listed[0]["status"] == "revoked"
    audit = run("audit", "list", "--format", "json", env=cli_state_env).stdout
    assert '"token.create"' in audit and '"token.revoke"' in audit and secret not in audit


def test_bad_input_is_a_clear_error(cli_state_env):
    bad = run("token", "create", "x y", "--role", "service", env=cli_state_env, check=False)
    assert bad.returncode != 0 and "token name 'x y'" in bad.stderr and "Traceback" not in bad.stderr
    run("token", "create", "twice", "--role", "analyst", env=cli_state_env)
    again = run("token", "create", "twice", "--role", "analyst", env=cli_state_env, check=False)
    assert again.returncode != 0 and "already exists" in again.stderr
    unknown = run("token", "revoke", "nobody", env=cli_state_env, check=False)
    assert unknown.returncode != 0 and "no token named 'nobody'" in unknown.stderr
