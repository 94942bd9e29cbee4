"""The embedded FalkorDB server: started on demand, shared, persistent, restarted, stopped."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from casegraph.errors import ConnectionFailed
from casegraph.settings import Settings
from casegraph.store import open_store
from casegraph.store.embedded import ensure_server, server_pid, stop_server


@pytest.fixture
def folder(tmp_path):
    yield tmp_path / "db"
    stop_server(tmp_path / "db")


def _wait_gone(pid: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still alive")


def test_started_once_and_reused_by_other_processes(folder):
    first = ensure_server(folder)
    assert first.pid > 0 and first.host == "127.0.0.1"
    assert ensure_server(folder) == first
    code = ("import json,sys; from casegraph.store.embedded import ensure_server; "
            f"print(json.dumps(ensure_server({str(folder)!r}).__dict__))")
    other = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    assert other["pid"] == first.pid and other["port"] == first.port


def test_loopback_only_password_and_aof(folder):
    info = ensure_server(folder)
    conf = (folder / "redis.conf").read_text()
    assert "bind 127.0.0.1" in conf and "appendonly yes" in conf and "appendfsync everysec" in conf
    assert oct((folder / "redis.conf").stat().st_mode & 0o777) == "0o600"
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(host=info.host, port=info.port, retry=Retry(NoBackoff(), 0)).ping()
    live = redis.Redis(host=info.host, port=info.port, password=info.password)
    assert live.config_get("appendonly")["appendonly"] == "yes"
    assert live.config_get("appendfsync")["appendfsync"] == "everysec"


def test_restarted_after_kill_9_with_data_kept(folder):
    settings = Settings.load(db=f"embedded:{folder}", graph="g")
    with open_store(settings) as store:
        store.write("load_accounts", {"rows": [{"account_id": "A1", "registered_at": 1, "country": None,
                                                "kyc_level": None, "status": None, "referral_code": None}],
                                      "source": "t", "load_id": "l", "loaded_at": 1})
    time.sleep(1.5)  # appendfsync everysec: what was acknowledged a second ago is on disk
    pid = server_pid(folder)
    os.kill(pid, signal.SIGKILL)
    _wait_gone(pid)
    with open_store(settings) as store:
        assert server_pid(folder) not in (0, pid)
        assert store.counts()["nodes"]["Account"] == 1


def test_an_open_store_follows_its_server_through_a_restart(folder):
    """Issue 12.7: the UI kept the old port and password after `db status` restarted the
    server, and never recovered. Now a lost connection is re-made to where it runs now."""
    settings = Settings.load(db=f"embedded:{folder}", graph="g")
    with open_store(settings) as store:
        store.ensure_schema()
        assert store.read("find_account", {"account_id": "A1"}).rows == []
        before = ensure_server(folder)
        assert stop_server(folder) is True
        after = ensure_server(folder)              # another process (db status) starts it again
        assert (after.port, after.password) != (before.port, before.password)
        assert store.read("find_account", {"account_id": "A1"}).rows == []
        assert store.read_cypher("RETURN 1 AS x").single_value() == 1
        # the server killed while nothing runs: the next read restarts it and answers
        os.kill(after.pid, signal.SIGKILL)
        _wait_gone(after.pid)
        assert store.counts()["nodes"]["Account"] == 0
        assert server_pid(folder) not in (0, after.pid)


def test_stale_server_file_is_replaced(folder):
    folder.mkdir(parents=True)
    (folder / "server.json").write_text(json.dumps({"host": "127.0.0.1", "port": 1, "password": "x", "pid": 1}))
    info = ensure_server(folder)
    assert info.port != 1 and redis.Redis(host=info.host, port=info.port, password=info.password).ping()


def test_stop_then_status_restarts(folder):
    pid = ensure_server(folder).pid
    assert stop_server(folder) is True
    _wait_gone(pid)
    assert not (folder / "server.json").exists()
    assert stop_server(folder) is False


def test_unreachable_external_server_is_one_clear_error():
    with pytest.raises(ConnectionFailed, match="cannot reach FalkorDB at falkordb://127.0.0.1:1"):
        open_store(Settings.load(db="falkordb://127.0.0.1:1"))


def test_unreachable_neo4j_is_one_clear_error():
    with pytest.raises(ConnectionFailed, match="cannot reach Neo4j at bolt://127.0.0.1:1"):
        open_store(Settings.load(db="bolt://127.0.0.1:1", neo4j_password="x"))


def test_schema_on_many_graphs_at_once_while_aof_rewrites(folder):
    """Each new schema triggers an AOF rewrite; overlapping ones must not fail the caller."""
    import threading
    errors: list[str] = []

    def one(i: int) -> None:
        try:
            with open_store(Settings.load(db=f"embedded:{folder}", graph=f"g{i}")) as store:
                assert store.ensure_schema()
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append(repr(e))
    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_server_lost_during_a_bulk_load_is_a_one_line_error(folder):
    """kill -9 of the server between the steps of a bulk first load: every step after it
    (the index and rename step included) says the connection was lost, no redis traceback."""
    from casegraph.model import model
    store = open_store(Settings.load(db=f"embedded:{folder}", graph="bulk_lost"))
    try:
        writer = store.backend.bulk_writer()
        assert writer is not None and writer.target_is_empty()
        writer.begin()
        pid = server_pid(folder)
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid)
        for step in (writer.target_is_empty, lambda: writer.commit(model()), writer.begin):
            with pytest.raises(ConnectionFailed, match="lost the connection to FalkorDB"):
                step()
    finally:
        store.close()
