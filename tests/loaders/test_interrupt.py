"""An interrupted load (Ctrl-C, kill -9 of casegraph, kill -9 of the embedded server)
followed by the same load again ends with exactly the graph of one clean load, on both
load paths: MERGE and the bulk first load (interrupted while it sends)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casegraph.settings import Settings
from casegraph.state import open_state
from casegraph.store import open_store
from casegraph.store.embedded import ensure_server, stop_server
from casegraph.store.falkordb import BULK_PREFIX
from tests.support import dump_graph, write_csv

N = 20_000


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("bulk")
    t0 = 1704067200
    write_csv(d / "accounts.csv", ["account_id", "registered_at", "country"],
              [[f"A{i:07d}", t0 + i * 60, "GB" if i % 3 else "TR"] for i in range(N)])
    write_csv(d / "account_devices.csv", ["account_id", "device_id", "first_seen", "last_seen", "count"],
              [[f"A{i % N:07d}", f"D{(i * 7919) % (N // 2)}", t0 + i, t0 + i + 86400, 1 + i % 5] for i in range(2 * N)])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at"],
              [[f"T{i}", f"A{i % N:07d}", f"A{(i * 31) % N:07d}", f"{(i % 997) + 0.5}", "USDT", t0 + 5000 + i]
               for i in range(2 * N)])
    return d


@pytest.fixture(scope="module")
def server_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("interrupt-db")
    ensure_server(folder)
    yield folder
    stop_server(folder)


# The bulk path with small commands, so that there is time to interrupt it between two.
_SMALL_BULK = ("import sys; import casegraph.loaders.bulk as b; b.MAX_COMMAND = 1 << 18; b.MAX_TOKEN = 1 << 16; "
               "from casegraph.cli import main; sys.argv[0] = 'casegraph'; main()")


def _cli(server_dir, graph, dataset, state, path="merge"):
    env = {**os.environ, "CASEGRAPH_DB": f"embedded:{server_dir}", "CASEGRAPH_GRAPH": graph,
           "CASEGRAPH_STATE": f"sqlite:///{state}"}
    args = ["load", str(dataset), "--rejects", str(state.parent / "rej"), "--batch-size", "2000"]
    if path == "merge":
        return [sys.executable, "-m", "casegraph.cli", *args, "--merge"], env
    return [sys.executable, "-c", _SMALL_BULK, *args, "--bulk"], env


def _store(server_dir, graph):
    return open_store(Settings.load(db=f"embedded:{server_dir}", graph=graph))


def _wait_until_some_rows(store, proc, path, at_least=N // 4) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if path == "bulk":
            if store.backend._db.connection.exists(BULK_PREFIX + store.settings.graph):   # the bulk insert has begun (and is not finished: tmp is renamed then)
                return 0
            assert proc.poll() is None, "the load finished before it could be interrupted"
            time.sleep(0.002)
            continue
        n = store.counts()["relationships"]["USED_DEVICE"]
        if n >= at_least:
            return n
        assert proc.poll() is None, "the load finished before it could be interrupted"
        time.sleep(0.02)
    raise AssertionError("the load never got going")


@pytest.fixture(scope="module")
def reference(server_dir, dataset, tmp_path_factory):
    state = tmp_path_factory.mktemp("ref") / "state.sqlite"
    cmd, env = _cli(server_dir, "reference", dataset, state, path="merge")
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    with _store(server_dir, "reference") as store:
        return dump_graph(store)


@pytest.mark.parametrize("path", ["merge", "bulk"])
@pytest.mark.parametrize("how", ["ctrl-c", "kill-9-casegraph", "kill-9-server"])
def test_interrupted_load_then_rerun_equals_one_clean_load(how, path, server_dir, dataset, reference, tmp_path):
    graph, state = f"interrupted_{path}_{how.replace('-', '_')}", tmp_path / "state.sqlite"
    cmd, env = _cli(server_dir, graph, dataset, state, path)
    # A runner started in the background (`cmd &`) ignores SIGINT and its children inherit
    # that, so Python would never raise KeyboardInterrupt: give the load the default handler.
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    with _store(server_dir, graph) as store:
        _wait_until_some_rows(store, proc, path)
        if how == "ctrl-c":
            proc.send_signal(signal.SIGINT)
        elif how == "kill-9-casegraph":
            proc.kill()
        else:
            pid = int((server_dir / "server.pid").read_text())
            os.kill(pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    if how == "ctrl-c":
        assert proc.returncode == 130 and "interrupted" in err
        unfinished = [r["status"] for r in open_state(f"sqlite:///{state}").recent_loads() if r["status"] != "complete"]
        # MERGE: the file being written; bulk: every file (they are written together)
        assert unfinished == (["interrupted"] if path == "merge" else ["interrupted"] * 3)
    if how == "kill-9-server":
        assert "Error:" in err and "Traceback" not in err, err
    with _store(server_dir, graph) as store:   # restarts the server if it was killed
        partial = store.counts()["relationships"]
        assert partial["TRANSFERRED"] < 2 * N or partial["USED_DEVICE"] < 2 * N  # really interrupted
        if path == "bulk":
            assert sum(store.counts()["nodes"].values()) == 0   # the target is untouched
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with _store(server_dir, graph) as store:
        assert dump_graph(store) == reference
        assert not store.backend._db.connection.exists(BULK_PREFIX + graph)   # no leftover
    assert open_state(f"sqlite:///{state}").unfinished_loads(f"embedded:{server_dir} graph={graph}") == []


@pytest.mark.parametrize("path", ["merge", "bulk"])
def test_a_load_into_neo4j_killed_then_rerun_equals_one_clean_load(path, neo4j_db, dataset, reference, tmp_path):
    """kill -9 of casegraph in the middle of a load into Neo4j, MERGE or the first load's CREATE
    batches (which leave whole batches behind), then the same load again: the graph is exactly
    the one a clean load gives (the embedded reference, property for property)."""
    state = tmp_path / "state.sqlite"
    env = {**os.environ, "CASEGRAPH_DB": neo4j_db.uri, "NEO4J_USER": neo4j_db.user,
           "NEO4J_PASSWORD": neo4j_db.password, "CASEGRAPH_GRAPH": "neo4j", "CASEGRAPH_STATE": f"sqlite:///{state}"}
    cmd = [sys.executable, "-m", "casegraph.cli", "load", str(dataset), "--rejects", str(tmp_path / "rej"),
           "--batch-size", "2000", "--merge" if path == "merge" else "--bulk"]
    with neo4j_db.open() as store:
        neo4j_db.claim(store)                                   # an empty database
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _wait_until_some_rows(store, proc, "merge")
        proc.kill()
        proc.communicate(timeout=60)
        partial = store.counts()["relationships"]
        assert partial["TRANSFERRED"] < 2 * N or partial["USED_DEVICE"] < 2 * N   # really interrupted
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert dump_graph(store) == reference
        assert open_state(f"sqlite:///{state}").unfinished_loads(store.backend.describe()) == []
