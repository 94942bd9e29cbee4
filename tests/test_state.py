"""The application-state store on SQLite and PostgreSQL: the alert queue, load records,
schema setup by several processes at once, error messages, keys shared by app instances."""
from __future__ import annotations

import pytest

from casegraph.state import open_state


def test_alerts_saved_updated_and_fetched_by_id(state):
    found = [("A1", ["A1"], {"score": 0.7, "reasons": ["paid a scammer"]}),
             ("A2", ["A2"], {"score": 0.4, "reasons": ["shares a device"]})]
    assert state.save_alerts("silent_sufferers", {}, found) == (2, 0)
    assert state.save_alerts("silent_sufferers", {}, found[:1]) == (0, 1)
    queue = state.list_alerts("silent_sufferers")
    assert [a["entity_key"] for a in queue] == ["A1", "A2"]            # highest score first
    one = state.get_alert(queue[1]["id"])
    assert one["entity_key"] == "A2" and one["reasons"] == ["shares a device"] and one["entities"] == ["A2"]
    assert state.get_alert(10_000) is None


def test_reviewed_alerts_are_not_raised_again(state):
    from casegraph import cases
    found = [("A1", ["A1"], {"score": 0.7, "reasons": ["x"]}), ("A2", ["A2"], {"score": 0.6, "reasons": ["y"]})]
    state.save_alerts("mules", {}, found)
    a1 = next(a for a in state.list_alerts("mules") if a["entity_key"] == "A1")
    cases.bulk_alerts(state, cases.operator(), [a1["id"]], "dismiss", reason="known payroll account")
    assert state.save_alerts("mules", {}, found) == (0, 1)               # A2 updated, A1 stays dismissed
    assert [a["entity_key"] for a in state.list_alerts("mules")] == ["A2"]
    assert state.save_alerts("mules", {}, [("A1,A3", ["A1", "A3"], {"score": 0.9, "reasons": ["z"]})]) == (1, 0)


def test_alert_filters_pages_and_counts(state):
    from casegraph import cases
    from casegraph.state import alerts
    from casegraph.users import add_user
    add_user(state, "inv2", "investigator", "correct horse battery")
    found = [(f"A{i}", [f"A{i}"], {"score": i / 10, "reasons": ["x"]}) for i in range(1, 8)]
    state.save_alerts("mules", {}, found)
    state.save_alerts("rings", {}, [("A1,A2", ["A1", "A2"], {"score": 0.5, "reasons": ["y"]})])
    ids = {a["entity_key"]: a["id"] for a in state.list_alerts(status=None)}
    with state.engine.begin() as conn:      # created at 1000 * i: since and until select by it
        for key, row_id in ids.items():
            conn.execute(alerts.update().where(alerts.c.id == row_id).values(created_at=1000 * len(key)))
    cases.bulk_alerts(state, cases.operator(), [ids["A2"], ids["A3"]], "assign", assignee="inv2")
    keys = lambda rows: [a["entity_key"] for a in rows]       # noqa: E731
    assert keys(state.list_alerts("mules", limit=3)) == ["A7", "A6", "A5"]
    assert keys(state.list_alerts("mules", limit=3, offset=3)) == ["A4", "A3", "A2"]
    assert keys(state.list_alerts("mules", limit=3, offset=6)) == ["A1"]
    assert state.count_alerts("mules") == 7 and state.count_alerts() == 8 and state.count_alerts(min_score=0.5) == 4
    assert keys(state.list_alerts(assignee="inv2")) == ["A3", "A2"] and state.count_alerts(assignee="inv2") == 2
    assert keys(state.list_alerts(created_since=5000)) == ["A1,A2"]                 # inclusive
    assert keys(state.list_alerts(created_until=5000)) == [f"A{i}" for i in range(7, 0, -1)]     # exclusive
    assert state.count_alerts(created_since=2000, created_until=5000) == 7
    assert state.count_alerts(created_since=2001, created_until=5000) == 0
    cases.bulk_alerts(state, cases.operator(), [ids["A7"]], "close", reason="done")
    assert state.count_alerts("mules") == 6 and state.count_alerts("mules", status="closed") == 1
    assert state.count_alerts("mules", status=None) == 7


def test_load_records_and_unfinished_loads(state):
    first = state.start_load(load_id="L1", file="/in/accounts.csv", kind="accounts", sha256="0" * 64, db="embedded:x")
    other = state.start_load(load_id="L1", file="/in/wallets.csv", kind="wallets", sha256="1" * 64, db="embedded:x")
    state.update_load(first, status="complete", finished_at=2, rows_read=10, rows_written=10)
    state.update_load(other, status="interrupted", finished_at=3, rows_read=5, rows_written=4, rows_rejected=1)
    assert [(r["id"], r["status"]) for r in state.recent_loads()] == [(other, "interrupted"), (first, "complete")]
    assert [r["file"] for r in state.unfinished_loads("embedded:x")] == ["/in/wallets.csv"]
    assert state.unfinished_loads("bolt://elsewhere") == []


def test_several_processes_set_up_one_fresh_postgresql_database_at_once(postgres_databases):
    """App instances starting together on an empty database: one creates the schema (tables,
    the audit log's triggers), the others wait and find it; none fails."""
    import subprocess
    import sys
    url = postgres_databases.create(empty=True)
    code = "import sys; from casegraph.state import open_state; open_state(sys.argv[1]).engine.dispose()"
    procs = [subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, errors
    state = open_state(url)
    with state.engine.connect() as conn:
        triggers = conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass "
                                        "ORDER BY tgname").scalars().all()
    assert triggers == ["audit_log_no_delete", "audit_log_no_truncate", "audit_log_no_update"]
    state.engine.dispose()
    postgres_databases.drop(url)


def test_store_errors_never_show_the_password_and_a_missing_driver_says_what_to_install(postgres_url):
    from sqlalchemy.engine import make_url

    from casegraph.errors import ConfigError, StoreError
    url = make_url(postgres_url).set(password="s3cret-pw", database="no_such_db").render_as_string(hide_password=False)
    with pytest.raises(StoreError) as e:
        open_state(url)
    assert "s3cret-pw" not in str(e.value) and "***" in str(e.value) and "no_such_db" in str(e.value)
    assert len(str(e.value).splitlines()) == 1
    with pytest.raises(ConfigError, match=r"driver is not installed: pg8000 \(pip install 'casegraph\[postgres\]'\)"):
        open_state("postgresql+pg8000://casegraph:s3cret-pw@db/casegraph")


def test_a_generated_key_is_shared_through_a_postgresql_state_store(postgres_url, tmp_path, monkeypatch):
    """Every app instance on one PostgreSQL state gets the same generated key, whatever its
    working folder; a key file an earlier version left in the working folder is kept."""
    from casegraph.settings import Settings
    from casegraph.state import shared_key
    settings = Settings.load(state=postgres_url)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "ui.key").write_text("key-from-an-earlier-version\n")
    monkeypatch.chdir(tmp_path / "a")
    assert shared_key(settings, "ui.key", "UI key") == "key-from-an-earlier-version"
    monkeypatch.chdir(tmp_path / "b")
    assert shared_key(settings, "ui.key", "UI key") == "key-from-an-earlier-version"
    fresh = shared_key(settings, "mask.key", "mask key")
    assert len(fresh) >= 40 and shared_key(settings, "mask.key", "mask key") == fresh
    assert not (tmp_path / "b" / "mask.key").exists()            # kept in the database, not in a file
