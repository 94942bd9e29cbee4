"""The audit log: append-only, hash-chained, filtered, exported; tampering is found. On
SQLite and on PostgreSQL (the `state` fixture), except the head file, which SQLite files have."""
from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from casegraph import audit
from casegraph.errors import AuditError
from casegraph.state import audit_log, open_state
from tests.support import drop_audit_guard


def _fill(state, n=5):
    for i in range(n):
        audit.record(state, "alice" if i % 2 == 0 else "bob", "query.run", {"name": "q", "i": i})


def _drop_triggers(state):
    """What an attacker with raw database access can do."""
    drop_audit_guard(state.engine)


def test_record_and_filter(state):
    assert audit.record(state, "alice", "user.add", {"name": "bob", "role": "analyst"}) == 1
    assert audit.record(state, "bob", "query.cypher", {"text": "RETURN 1", "params": {"x": [1, 2]}}) == 2
    rows = audit.entries(state)
    assert [(r["id"], r["actor"], r["action"]) for r in rows] == [(1, "alice", "user.add"), (2, "bob", "query.cypher")]
    assert rows[1]["details"] == {"text": "RETURN 1", "params": {"x": [1, 2]}}
    assert rows[0]["prev_hash"] == audit.GENESIS and rows[1]["prev_hash"] == rows[0]["hash"]
    assert [r["id"] for r in audit.entries(state, actor="bob")] == [2]
    assert [r["id"] for r in audit.entries(state, action="user.add")] == [1]
    assert audit.entries(state, since=rows[1]["at"] + 1) == []
    assert [r["id"] for r in audit.entries(state, since=rows[0]["at"])] == [1, 2]
    assert audit.verify_chain(state) is None
    with pytest.raises(AuditError, match="actor"):
        audit.record(state, "", "x", {})


def test_update_and_delete_are_refused(state):
    _fill(state, 2)
    with pytest.raises(sa.exc.IntegrityError, match="append-only"):
        with state.engine.begin() as conn:
            conn.execute(audit_log.update().where(audit_log.c.id == 1).values(actor="mallory"))
    with pytest.raises(sa.exc.IntegrityError, match="append-only"):
        with state.engine.begin() as conn:
            conn.execute(audit_log.delete().where(audit_log.c.id == 2))
    assert [r["actor"] for r in audit.entries(state)] == ["alice", "bob"]
    open_state(str(state.engine.url))                       # reopening: triggers created idempotently
    with pytest.raises(sa.exc.IntegrityError, match="append-only"):
        with state.engine.begin() as conn:
            conn.execute(audit_log.delete())


@pytest.mark.parametrize("column, value", [("actor", "mallory"), ("details", '{"i":99,"name":"q"}'),
                                           ("at", 1), ("details", "not json")])
def test_a_changed_row_is_detected(state, column, value):
    _fill(state)
    _drop_triggers(state)
    with state.engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.id == 3).values({column: value}))
    assert audit.verify_chain(state) == 3


def test_a_rehashed_row_breaks_the_next_link(state):
    _fill(state)
    _drop_triggers(state)
    row = audit.entries(state)[2]
    forged = audit.canonical({"i": 2, "name": "forged"})
    new_hash = audit.entry_hash(row["prev_hash"], 3, row["at"], row["actor"], row["action"], forged)
    with state.engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.id == 3).values(details=forged, hash=new_hash))
    assert audit.verify_chain(state) == 4


def test_a_deleted_row_is_detected(state):
    _fill(state)
    _drop_triggers(state)
    with state.engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.id == 2))
    assert audit.verify_chain(state) == 3
    with state.engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.id == 1))
    assert audit.verify_chain(state) == 3


def test_export_jsonl_and_csv(state):
    _fill(state, 3)
    lines = audit.export(state, "jsonl").splitlines()
    parsed = [json.loads(ln) for ln in lines]
    assert [p["id"] for p in parsed] == [1, 2, 3] and parsed[2]["details"] == {"i": 2, "name": "q"}
    assert parsed[2]["prev_hash"] == parsed[1]["hash"]
    table = list(csv.DictReader(io.StringIO(audit.export(state, "csv"))))
    assert [r["actor"] for r in table] == ["alice", "bob", "alice"]
    assert json.loads(table[0]["details"]) == {"i": 0, "name": "q"} and table[0]["hash"] == parsed[0]["hash"]
    with pytest.raises(AuditError, match="unknown export format 'xml'"):
        audit.export(state, "xml")


def test_concurrent_writers_keep_one_chain(state):
    """Writers in several threads (each its own connection) never fork the chain."""
    import threading
    errors = []

    def write(who):
        try:
            for i in range(15):
                audit.record(state, who, "query.run", {"i": i})
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=write, args=(f"w{n}",)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = audit.entries(state)
    assert [r["id"] for r in rows] == list(range(1, 91))
    assert audit.verify_chain(state) is None


def test_truncate_is_refused_on_postgresql(postgres_url):
    state = open_state(postgres_url)
    _fill(state, 2)
    with pytest.raises(sa.exc.IntegrityError, match="append-only"):
        with state.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE audit_log")
    assert audit.count(state) == 2 and audit.check(state).intact
    assert audit.head_file(state) is None           # no file beside a server database
    state.engine.dispose()


def test_removing_the_newest_entries_is_detected(sqlite_state):
    state = sqlite_state
    _fill(state, 4)
    assert audit.check_head(state) is None and audit.head_file(state).exists()
    _drop_triggers(state)
    with state.engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.id >= 3))
    assert audit.verify_chain(state) is None          # the shorter chain is still a valid chain ...
    assert "entries 3..4 were removed" in audit.check_head(state)   # ... but the head remembers
    found = audit.check(state)
    assert (found.entries, found.broken_at, found.intact) == (2, None, False) and "3..4" in found.head


def test_a_rewritten_newest_entry_is_detected_by_the_head(sqlite_state):
    state = sqlite_state
    _fill(state, 2)
    _drop_triggers(state)
    row = audit.entries(state)[-1]
    forged = audit.canonical({"name": "q", "i": 99})
    with state.engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.id == row["id"]).values(
            details=forged, hash=audit.entry_hash(row["prev_hash"], row["id"], row["at"], row["actor"],
                                                  row["action"], forged)))
    assert audit.verify_chain(state) is None
    assert "differs from the hash recorded" in audit.check_head(state)


def test_newest_first_with_a_limit_count_and_the_filter_menus(state):
    _fill(state, 5)
    assert [r["id"] for r in audit.entries(state, limit=2, newest_first=True)] == [5, 4]
    assert [r["id"] for r in audit.entries(state, actor="bob", newest_first=True)] == [4, 2]
    assert audit.count(state) == 5 and audit.count(state, actor="alice") == 3 and audit.count(state, action="x") == 0
    assert audit.known(state, "actor") == ["alice", "bob"] and audit.known(state, "action") == ["query.run"]
    with pytest.raises(AuditError, match="actor or action"):
        audit.known(state, "details")
    found = audit.check(state)
    assert (found.entries, found.broken_at, found.head, found.intact) == (5, None, None, True)
    _drop_triggers(state)
    with state.engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.id == 3).values(actor="mallory"))
    found = audit.check(state)
    assert (found.entries, found.broken_at, found.intact) == (5, 3, False)


def test_an_export_needs_the_action_and_is_recorded_after_the_copy(state):
    from casegraph.errors import PermissionDenied
    _fill(state, 3)
    text = audit.export_for(state, {"name": "adm", "role": "admin", "disabled": False}, "jsonl")
    assert [json.loads(line)["id"] for line in text.splitlines()] == [1, 2, 3]
    assert audit.entries(state)[-1] | {"at": 0, "hash": "", "prev_hash": ""} == {
        "id": 4, "at": 0, "actor": "adm", "action": "audit.export", "details": {"format": "jsonl", "entries": 3},
        "hash": "", "prev_hash": ""}
    with pytest.raises(PermissionDenied):
        audit.export_for(state, {"name": "inv", "role": "investigator", "disabled": False})
    assert audit.count(state) == 4


WRITER = r"""
import sys, threading
from casegraph import audit
from casegraph.state import open_state
state, failed = open_state(sys.argv[1]), []

def write(n):
    for i in range(20):
        try:
            audit.record(state, f"{sys.argv[2]}-{n}", "query.run", {"i": i})
        except Exception as e:
            failed.append(repr(e))
threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
print("\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_many_writers_in_several_processes_lose_nothing(state_url):
    """Three app processes of eight threads each append at once: every entry is there, in
    one unbroken chain (they queue up; racing for the next id, some used to run out of retries)."""
    import subprocess
    import sys
    open_state(state_url).engine.dispose()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, state_url, f"p{n}"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for n in range(3)]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    state = open_state(state_url)
    assert audit.count(state) == 3 * 8 * 20 and audit.check(state).intact
    assert [r["id"] for r in audit.entries(state)] == list(range(1, 481))
    state.engine.dispose()


def test_a_recomputed_chain_with_a_rewritten_head_or_no_head_is_detected(sqlite_state):
    """Issue 12.6: recomputing the chain and rewriting the head file passed `audit verify`,
    and deleting the head file turned the check off. The head is now signed with the
    deployment's key, and a missing head is an error."""
    state = sqlite_state
    _fill(state, 3)
    assert audit.check(state).intact
    _drop_triggers(state)
    rows = audit.entries(state)
    prev = audit.GENESIS
    with state.engine.begin() as conn:                  # the attacker rewrites entry 2 and every hash after it
        for r in rows:
            details = audit.canonical({"name": "forged", "i": r["id"]} if r["id"] == 2 else r["details"])
            new_hash = audit.entry_hash(prev, r["id"], r["at"], r["actor"], r["action"], details)
            conn.execute(audit_log.update().where(audit_log.c.id == r["id"]).values(
                details=details, prev_hash=prev, hash=new_hash))
            prev = new_hash
    assert audit.verify_chain(state) is None            # a consistent chain again
    head = audit.head_file(state)
    head.write_text(audit.canonical({"id": 3, "hash": prev}))       # ... and a head to match, unsigned
    assert "not signed by this deployment's key" in audit.check_head(state)
    head.unlink()
    assert "is missing" in audit.check_head(state) and not audit.check(state).intact


def test_a_postgresql_state_with_an_audit_head_file_notices_removed_entries(postgres_url, tmp_path, monkeypatch):
    """With a PostgreSQL state store the head lives where the setting audit_head says (shared
    storage), signed like the SQLite one."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from casegraph import signing
    key = tmp_path / "signing.pem"
    signing._write_private(key, Ed25519PrivateKey.generate())
    monkeypatch.setenv("CASEGRAPH_SIGNING_KEY", str(key))
    monkeypatch.setenv("CASEGRAPH_AUDIT_HEAD", str(tmp_path / "audit.head"))
    state = open_state(postgres_url)
    _fill(state, 4)
    assert audit.head_file(state) == tmp_path / "audit.head" and audit.check(state).intact
    _drop_triggers(state)
    with state.engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.id >= 3))
    assert "entries 3..4 were removed" in audit.check_head(state)
    state.engine.dispose()
