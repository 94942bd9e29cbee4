"""Plain helpers and constants the test modules share (fixtures stay in the conftest.py
files, which import from here). Test modules import from this module only, never from
another test module or a conftest.py."""
from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from dash.testing.wait import until

from casegraph import detections
from casegraph.app import auth, ids

REPO = Path(__file__).resolve().parent.parent


# -- files and the CLI ------------------------------------------------------------------------
# Hand-made inputs, the generated CSVs read back, and `casegraph` run as a user runs it.

def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    """A hand-made input file (tests that need exact rows rather than generated data)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def read_csv(path) -> list[dict]:
    """Every row of a CSV file as a dict (the generator's files, a download)."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def run_cli(*args, env=None, check=True, input=None, **popen):
    """`casegraph ARGS` as a user runs it (a real process); AssertionError with stderr on failure."""
    proc = subprocess.run([sys.executable, "-m", "casegraph.cli", *args], capture_output=True, text=True,
                          input=input, env={**os.environ, **(env or {})}, **popen)
    if check and proc.returncode != 0:
        raise AssertionError(f"casegraph {' '.join(args)} failed:\n{proc.stderr}")
    return proc


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on (now)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- loaders ----------------------------------------------------------------------------------
# What the loader fixture `small_dataset` (tests/loaders/conftest.py) holds once loaded, and a
# whole graph dumped so that two loads can be compared exactly.

EXPECTED_NODES = {"Account": 5, "Device": 1, "IP": 1, "Phone": 1, "Email": 1, "Document": 1, "Wallet": 3,
                  "ScamReport": 2, "Watchlist": 2, "Group": 1}
EXPECTED_RELS = {"USED_DEVICE": 2, "USED_IP": 2, "HAS_PHONE": 2, "HAS_EMAIL": 1, "HAS_DOCUMENT": 1,
                 "REFERRED": 2, "TRANSFERRED": 2, "WITHDREW": 1, "DEPOSITED": 1, "SENT": 1, "FILED": 2,
                 "AGAINST": 2, "LISTED_ON": 2, "IN_GROUP": 2}


def dump_graph(store, ignore=("loaded_at",)) -> tuple[list, list]:
    """Every node and relationship with its properties (minus `ignore`), sorted, keyed
    by the model's key properties so that two graphs can be compared exactly."""
    from casegraph.model import model
    m = model()

    def key(label, props):
        return (label, props.get(m.node(label).key))

    def clean(props):
        return sorted((k, v) for k, v in props.items() if k not in ignore)
    nodes = store.read_cypher("MATCH (n) RETURN labels(n)[0] AS l, properties(n) AS p", row_limit=10**7).rows
    rels = store.read_cypher("MATCH (a)-[r]->(b) RETURN labels(a)[0] AS la, properties(a) AS pa, type(r) AS t, "
                             "properties(r) AS pr, labels(b)[0] AS lb, properties(b) AS pb", row_limit=10**7).rows
    return (sorted((key(n["l"], n["p"]), clean(n["p"])) for n in nodes),
            sorted((key(r["la"], r["pa"]), r["t"], key(r["lb"], r["pb"]), clean(r["pr"])) for r in rels))


# -- detections -------------------------------------------------------------------------------

def timed_run(store, name, params=None):
    """(results, seconds) of one detection through the registry, as the CLI runs it."""
    t0 = time.perf_counter()
    results = detections.run(store, name, params)
    return results, time.perf_counter() - t0


def listed_identifiers(d: Path) -> Path:
    """Canonical files of a hand-made graph around blocklisted identifiers (watchlist
    `blocklist`): D1 (an emulator, used by A1 and A2), IP 203.0.113.7 (used by A4), phone
    +449999 (A5's), and IP 198.51.100.9 used by A6, A7 and A8 (over a max_shared of 2).
    A3 shares the unlisted device D2 with A1; P1 has no listed identifier and paid A2."""
    write_csv(d / "accounts.csv", ["account_id", "registered_at"],
              [[f"A{k}", "2024-01-01T00:00:00Z"] for k in range(1, 9)] + [["P1", "2024-01-01T00:00:00Z"]])
    write_csv(d / "devices.csv", ["device_id", "type", "blocked"], [["D1", "emulator", "true"], ["D2", "ios", "false"]])
    write_csv(d / "account_devices.csv", ["account_id", "device_id"],
              [["A1", "D1"], ["A2", "D1"], ["A1", "D2"], ["A3", "D2"], ["P1", "D3"]])
    write_csv(d / "account_ips.csv", ["account_id", "ip"],
              [["A4", "203.0.113.7"], ["A6", "198.51.100.9"], ["A7", "198.51.100.9"], ["A8", "198.51.100.9"]])
    write_csv(d / "account_phones.csv", ["account_id", "phone"], [["A5", "+449999"]])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
              [["T1", "P1", "A2", "10", "USDT", "2024-02-01T00:00:00Z", "10"]])
    write_csv(d / "watchlists.csv", ["watchlist", "device_id", "ip", "phone", "list_source", "reason"],
              [["blocklist", "D1", "", "", "fraud team", "emulator farm"],
               ["blocklist", "", "203.0.113.7", "", "fraud team", "scam VPN exit"],
               ["blocklist", "", "", "+449999", "", ""],
               ["blocklist", "", "198.51.100.9", "", "", "carrier NAT, listed by mistake"]])
    return d


VENDOR_LABELS = ["address", "chain", "category", "entity", "vendor", "confidence", "labelled_at"]


def vendor_graph(d: Path) -> Path:
    """Canonical files of a hand-made graph around vendor-labelled wallets: V1 withdrew to WS
    (sanctions, confidence 0.95), V2 to WM (mixer, 0.9), V3 to WE (exchange), V4 to WG
    (gambling, no confidence), each 1,000 USD; V6 paid X1, which is on the `internal` watchlist;
    V5 is a sender with no history. Same shape around every listed entity, so only the
    seeds' weights tell V1, V2 and V4 apart."""
    write_csv(d / "accounts.csv", ["account_id", "registered_at"],
              [[f"V{k}", "2024-01-01T00:00:00Z"] for k in range(1, 7)] + [["X1", "2024-01-01T00:00:00Z"]])
    write_csv(d / "withdrawals.csv", ["tx_id", "account_id", "address", "amount", "asset", "at", "amount_usd"],
              [[f"W{k}", f"V{k}", w, "1000", "USDT", "2024-02-01T00:00:00Z", "1000"]
               for k, w in ((1, "WS"), (2, "WM"), (3, "WE"), (4, "WG"))])
    write_csv(d / "transfers.csv", ["tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"],
              [["T1", "V6", "X1", "1000", "USDT", "2024-02-01T00:00:00Z", "1000"]])
    write_csv(d / "watchlists.csv", ["watchlist", "account_id", "list_source", "reason"],
              [["internal", "X1", "fraud team", "romance scam"]])
    write_csv(d / "vendor_labels.csv", VENDOR_LABELS,
              [["WS", "ETH", "sanctions", "Lazarus Group", "ChainVendor", "0.95", "2024-01-10T00:00:00Z"],
               ["WM", "ETH", "Mixer", "Tornado Cash", "ChainVendor", "0.9", ""],
               ["WE", "ETH", "exchange", "BigEx", "ChainVendor", "1", ""],
               ["WG", "ETH", "gambling", "LuckyDice", "OtherVendor", "", ""]])
    return d


def add_detection(monkeypatch, folder, name: str, **fields: str) -> None:
    """A detection module `name` where the registry looks, for one test: `fields` are Python
    source for DETECTION's fields (level, summary, domain, risk_flag, query default to an
    account-level ato_scam detection over find_account, explained as one fixed result). The
    folder joins the package's search path and the registry starts afresh; the test's end
    undoes both and forgets the module."""
    fields = {"level": "'account'", "summary": "'a detection added by a test'", "domain": "'ato_scam'",
              "risk_flag": "None", "query": "'find_account'",
              "explain": "lambda rows: [{'account_id': 'A1', 'score': 0.9, 'reasons': ['added by a test']}]",
              **fields}
    (folder / f"{name}.py").write_text(
        "from casegraph.catalogue import Param  # noqa: F401\n"
        "from casegraph.detections import Detection\n\n"
        f"DETECTION = Detection(name={name!r}, " + ", ".join(f"{k}={v}" for k, v in fields.items()) + ")\n")
    module = f"{detections.__name__}.{name}"
    monkeypatch.setattr(detections, "__path__", [*detections.__path__, str(folder)])
    monkeypatch.setattr(detections, "_MODULES", {})
    monkeypatch.setitem(sys.modules, module, None)   # undone as "absent": the import below is forgotten
    monkeypatch.delitem(sys.modules, module)
    monkeypatch.setattr(detections, name, None, raising=False)


# -- a real Neo4j server ------------------------------------------------------------------------

NEO4J_HOME = REPO / ".neo4j"      # built by `scripts/setup --test` from scripts/neo4j/


class Neo4jServer:
    """A Neo4j Community server process (scripts/neo4j/CasegraphNeo4j.java) on a free loopback
    port with authentication on, data in `home`; `stop()` ends it with SIGTERM (a clean shutdown)."""

    def __init__(self, home: Path, password: str = "casegraph-test", timeout: float = 120, heap: str = "2g",
                 pagecache_mb: int = 512):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.home, self.password, self.user = Path(home), password, "neo4j"
        self.home.mkdir(parents=True, exist_ok=True)
        self.log = open(self.home / "launcher.log", "w+", encoding="utf-8")
        self.proc = subprocess.Popen(
            ["java", f"-Xmx{heap}", "-XX:+UseParallelGC", "-cp",
             f"{NEO4J_HOME / 'classes'}:{NEO4J_HOME / 'lib'}/*", "CasegraphNeo4j", str(self.home / "dbms"),
             str(self.port), password, str(pagecache_mb)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            self.log.seek(0)
            ready = [line for line in self.log.read().splitlines() if line.startswith("casegraph-neo4j ready")]
            if ready:
                self.version = ready[0].split()[-1]
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                tail = self.log.read()[-3000:]
                self.stop()
                raise RuntimeError(f"the test Neo4j server did not start (exit {self.proc.returncode}):\n{tail}")
            time.sleep(0.2)
        self.uri = f"bolt://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class SharedNeo4j:
    """The test Neo4j server's one database (Community has one), shared by every Neo4j test.
    It holds one dataset at a time: `claim(key, fill)` wipes it and fills it again only when
    something else was put there since (another dataset, or a test's own graph: key None), so
    tests grouped by dataset load it once and a test in between can never see a stale graph."""

    def __init__(self, uri: str, user: str, password: str):
        self.uri, self.user, self.password = uri, user, password
        self.holding: object = object()        # nothing known: the first claim wipes
        self.fills: Counter = Counter()        # key -> times filled (grouped tests fill each once)

    def settings(self, **kw):
        from casegraph.settings import Settings
        return Settings.load(db=self.uri, neo4j_user=self.user, neo4j_password=self.password, graph="neo4j", **kw)

    def open(self, **kw):
        from casegraph.store import GraphStore, open_backend
        settings = self.settings(**kw)
        return GraphStore(open_backend(settings), settings)

    def claim(self, store, key=None, fill=None) -> None:
        if key is not None and key == self.holding:
            return
        self.holding = None
        wipe_neo4j(store)
        if fill is not None:
            fill()
            self.fills[key] += 1
        self.holding = key


def plan_operators(store, name: str, params: dict) -> list[str]:
    """The operators of the engine's own plan (EXPLAIN) for a template, e.g. "Expand(Into)@neo4j"."""
    q = store.queries.get(name)
    if store.dialect == "falkordb":
        from casegraph.store.falkordb import params_header
        return str(store.backend._graph.explain(params_header(q.bind(params)) + q.text_for("falkordb"))).splitlines()
    with store.backend._driver.session() as session:
        plan = session.run("EXPLAIN " + q.text_for("neo4j"), q.bind(params)).consume().plan
    out, todo = [], [plan]
    while todo:
        p = todo.pop()
        out.append(p["operatorType"])
        todo += p.get("children", [])
    return out


def wipe_neo4j(store) -> None:
    """Every node and relationship gone (in batches: a big graph does not fit one transaction)."""
    with store.backend._driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def neo4j_built() -> bool:
    return (NEO4J_HOME / "classes" / "CasegraphNeo4j.class").exists() and bool(shutil.which("java"))


# -- generated datasets on every backend --------------------------------------------------------
# A dataset's files are generated once per run and loaded into each backend: an embedded graph of
# its own, and the shared Neo4j database (which holds one dataset at a time, see SharedNeo4j).

@dataclass
class Loaded:
    """A generated dataset loaded into one backend for the session. Call `claim()` before a
    test reads the graph: a no-op on the embedded store (a graph of its own) and on Neo4j
    while the shared database still holds this dataset; else the database is wiped and the
    dataset loaded again, so that no test depends on what ran before it."""
    name: str                     # "1500acc-seed11"
    backend: str                  # "embedded" or "neo4j"
    store: object                 # GraphStore
    state: object                 # StateStore
    settings: object              # Settings
    truth: dict
    data: Path                    # the generated files
    claim: Callable[[], None]


def dataset_name(accounts: int, seed: int) -> str:
    return f"{accounts}acc-seed{seed}"


def load_files(store, state, data: Path, rejects: Path) -> None:
    """Load a generated dataset's files through the loaders (MERGE, as a library caller does)."""
    from casegraph.loaders.pipeline import load
    report = load(store, state, [data], rejects_dir=rejects)
    assert report.ok, [(f.file, f.status, f.message) for f in report.files]


def load_on_embedded(name: str, data: Path, folder: Path, embedded_dir: Path, graph: str, **settings) -> Loaded:
    """The dataset in `data` loaded into the embedded graph `graph` (state in `folder`)."""
    from casegraph.settings import Settings
    from casegraph.state import open_state
    from casegraph.store import GraphStore, open_backend
    folder.mkdir(parents=True, exist_ok=True)
    s = Settings.load(db=f"embedded:{embedded_dir}", graph=graph, state=f"sqlite:///{folder / 'state.sqlite'}",
                      **settings)
    store = GraphStore(open_backend(s), s)
    state = open_state(s.state_url())
    load_files(store, state, data, folder / "rejects")
    return Loaded(name, "embedded", store, state, s, _truth(data), data, lambda: None)


def load_on_neo4j(name: str, data: Path, folder: Path, db: SharedNeo4j, **settings) -> Loaded:
    """The dataset in `data` in the shared Neo4j database, claimed now (loaded unless the
    database holds it already) under the key `name`; `claim()` claims it again."""
    from casegraph.state import open_state
    folder.mkdir(parents=True, exist_ok=True)
    store = db.open(state=f"sqlite:///{folder / 'state.sqlite'}", **settings)
    state = open_state(store.settings.state_url())

    def claim() -> None:
        db.claim(store, name, lambda: load_files(store, state, data, folder / "rejects"))
    claim()
    return Loaded(name, "neo4j", store, state, store.settings, _truth(data), data, claim)


def _truth(data: Path) -> dict:
    import json
    return json.loads((data / "truth.json").read_text())


def inputs(truth: dict, accounts: list[str]) -> dict[str, list[dict]]:
    """What the detections that check one input (needs_input) are given to compare backends:
    traces forward from every planted scammer, mule, victim and taken-over account, backward
    from the scammers, mules and scam wallets, and from the scammers and mules again with caps
    tight enough to cut (ties at a cap are where backends could differ); pending transfers from
    every victim to every scammer and scam wallet, and between ordinary `accounts`."""
    import random
    forward = truth["scammers"] + truth["mules"] + truth["victims"] + truth["ato"]
    traces = [{"account_id": a} for a in forward]
    traces += [{"account_id": a, "direction": "backward"} for a in truth["scammers"] + truth["mules"]]
    traces += [{"address": w, "direction": "backward"} for w in truth["scammer_wallets"]]
    traces += [{"account_id": a, "direction": way, "max_fanout": 1, "max_paths": 3}
               for a in truth["scammers"] + truth["mules"] for way in ("forward", "backward")]
    pays = [{"sender": v, "recipient_account": s, "amount_usd": 500.0}
            for v in truth["victims"] for s in truth["scammers"]]
    pays += [{"sender": v, "recipient_wallet": w, "amount_usd": 2500.0}
             for v in truth["victims"] for w in truth["scammer_wallets"]]
    planted = set(forward) | set(truth["referral_abuse"]) | {a for ring in truth["rings"] for a in ring}
    ordinary = sorted(set(accounts) - planted)
    rnd = random.Random(truth["params"]["seed"])
    pays += [{"sender": a, "recipient_account": b, "amount_usd": 300.0} for a, b in
             (rnd.sample(ordinary, 2) for _ in range(50))]
    return {"trace_funds": traces, "transfer_risk": pays}


def alert_keys(loaded: Loaded) -> dict[str, list]:
    """Every detection's results on a loaded dataset as alert keys (detections.entity_key) with
    their scores, in the order the detection ranks them: a sweep run with its defaults, a check of
    one input run on each of `inputs` (keyed "<name> <parameters>")."""
    import json
    accounts = [r["account_id"] for r in read_csv(loaded.data / "accounts.csv")]
    given = inputs(loaded.truth, accounts)
    out = {}
    for name in detections.names():
        d = detections.get(name)
        for params in given.get(name, [{}]) if d.needs_input else [{}]:
            key = f"{name} {json.dumps(params, sort_keys=True)}" if params else name
            out[key] = [(detections.entity_key(d, r), r["score"]) for r in detections.run(loaded.store, name, params)]
    return out


# -- users and logging in ---------------------------------------------------------------------
# The fixture users `ui_data` (tests/app/conftest.py) creates, one per role, and the login form.

PASSWORD = "correct horse battery"
# login(dash_duo, "inv") or login(dash_duo, "investigator")
USERS = {"inv": "investigator", "le": "le_response", "ana": "analyst", "adm": "admin"}


def user_name(who: str) -> str:
    """The fixture user of a role ("investigator" -> "inv"); any other name is a user name."""
    return next((n for n, role in USERS.items() if role == who), who)


def login(dash_duo, who: str, app=None, path: str = "/", password: str = PASSWORD, base: str | None = None) -> None:
    """Log in through the real login form as a user (a fixture user by name or role), then open
    `path` and wait for the Dash app. Give `app` to start the server too; otherwise start
    it first with `dash_duo.start_server(ui_app, navigate=False)` (navigating before login
    only reaches the login page, which dash_duo would wait on for the Dash app in vain), or
    give `base`, the URL of a server running elsewhere (a `casegraph serve` process)."""
    from selenium.webdriver.common.by import By
    if app is not None:
        dash_duo.start_server(app, navigate=False)
    base = base or dash_duo.server.url
    dash_duo.driver.get(f"{base}/login")
    dash_duo.wait_for_element(f"#{ids.LOGIN_NAME}").send_keys(user_name(who))
    dash_duo.driver.find_element(By.ID, ids.LOGIN_PASSWORD).send_keys(password)
    dash_duo.driver.find_element(By.ID, ids.LOGIN_SUBMIT).click()
    if password != PASSWORD:
        return
    dash_duo.wait_for_element(f"#{ids.SHELL_USER}", timeout=15)
    dash_duo._url = base          # dash_duo.server_url without its implicit navigation
    if path != "/":
        dash_duo.wait_for_page(f"{base}{path}")


# -- concurrency -------------------------------------------------------------------------------

def at_once(*calls, errors: bool = False) -> list:
    """Run the calls in threads released together (two app instances acting at the same
    moment); their results in order. An exception is re-raised, or with `errors` returned
    in its call's place."""
    import threading
    start, out = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, fn):
        start.wait()
        try:
            out[i] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised below
            out[i] = e
    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in out:
        if isinstance(r, BaseException) and not (errors and isinstance(r, Exception)):
            raise r
    return out


# -- casegraph serve over HTTP ----------------------------------------------------------------
# A real `casegraph serve` process on a free port, used as a browser or load balancer would.

def start_serve(env, *args, cwd=None) -> tuple[subprocess.Popen, str]:
    """`casegraph serve ARGS` on a free port as a user starts it (a real process, in `cwd`);
    (process, base URL) once /healthz answers. Its output goes to a file (a pipe nobody
    reads while it serves could fill up and stall it): `stop_serve` returns it."""
    import tempfile
    port = free_port()
    if cwd is not None:
        Path(cwd).mkdir(parents=True, exist_ok=True)
    log = tempfile.TemporaryFile("w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "casegraph.cli", "serve", "--port", str(port), *args],
                            env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, text=True, cwd=cwd)
    proc.log = log
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, base)
    except BaseException:
        proc.kill()
        raise
    return proc, base


def wait_until_up(proc: subprocess.Popen, base: str, timeout: float = 60) -> None:
    import requests
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"casegraph serve exited {proc.returncode}: {output_of(proc)}")
        try:
            requests.get(f"{base}/healthz", timeout=5)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def output_of(proc: subprocess.Popen) -> str:
    """What a `start_serve` process has written so far."""
    proc.log.flush()
    proc.log.seek(0)
    return proc.log.read()


def stop_serve(proc: subprocess.Popen, timeout: float = 10) -> tuple[int, str]:
    """SIGTERM, as a service manager or `docker stop` sends it: (exit code, all output).
    A process still running after `timeout` is killed and the test fails."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"casegraph serve did not stop within {timeout} s of SIGTERM:\n{output_of(proc)}")
    return proc.returncode, output_of(proc)


def login_over_http(base: str, name: str, password: str = PASSWORD):
    """A requests session logged in through the real login form (its CSRF token included)."""
    import requests
    browser = requests.Session()
    form = browser.get(f"{base}/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    r = browser.post(f"{base}/login", data={"username": name, "password": password, "csrf_token": token},
                     timeout=10)
    assert r.status_code == 200 and r.url == f"{base}/", r.text[:300]
    return browser


# -- callbacks posted by hand -----------------------------------------------------------------
# Requests built as dash-renderer builds them, to show the server refuses what the page hides.

def callback_key(ui_app, output_id: str) -> str:
    """The callback map key (the request's "output") of the callback whose first output is
    `output_id`: a component id, or "id.property" where one component is the first output of
    more than one callback (the results grid: rows from one, its CSV export from another)."""
    ui_app.server.test_client().get("/login")      # Dash builds its callback map on the first request

    def names(part: dict) -> set[str]:
        return {part["id"], f"{part['id']}.{part['property'].split('@')[0]}"}
    keys = [k for k in ui_app.callback_map if output_id in names(_parts(k)[0])]
    assert len(keys) == 1, (output_id, keys)
    return keys[0]


def _parts(key: str) -> list[dict]:
    from dash._utils import split_callback_id
    parts = split_callback_id(key)
    return parts if isinstance(parts, list) else [parts]


def body(ui_app, key: str, values: dict | None = None, changed: tuple[str, ...] = ()) -> dict:
    """The JSON dash-renderer posts to /_dash-update-component for callback `key`."""
    return callback_body(key, ui_app.callback_map[key], values, changed)


def callback_body(key: str, cb: dict, values: dict | None = None, changed: tuple[str, ...] = ()) -> dict:
    """The JSON dash-renderer posts for callback `key` registered as `cb` (its inputs and
    state). `values` maps component ids to values; a pattern-matching input (ALL) takes the
    list of matched items ({"id": {...}, "property", "value"}) under its pattern's id."""
    values = values or {}

    def item(d):
        if d["id"].startswith("{"):        # pattern-matching ALL: a list of matches
            return values.get(d["id"], [])
        return {"id": d["id"], "property": d["property"], "value": values.get(d["id"])}
    outputs = [{"id": p["id"], "property": p["property"].split("@")[0]} for p in _parts(key)]
    return {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
            "inputs": [item(d) for d in cb["inputs"]], "state": [item(d) for d in cb.get("state", [])],
            "changedPropIds": list(changed)}


def csrf(client) -> str:
    """The CSRF token a Flask test client holds in its cookie."""
    cookie = client.get_cookie(auth.CSRF_COOKIE)
    return cookie.value if cookie else ""


def client_for(ui_app, who: str | None = None):
    """A test client, logged in through POST /login when `who` is given."""
    c = ui_app.server.test_client()
    if who:
        assert c.get("/login").status_code == 200
        r = c.post("/login", data={"username": user_name(who), "password": PASSWORD, "csrf_token": csrf(c)})
        assert r.status_code == 302, r.data
    return c


def post(client, payload: dict, **headers):
    headers.setdefault(auth.CSRF_HEADER, csrf(client))
    return client.post("/_dash-update-component", json=payload, headers=headers)


class DashHTTP:
    """A logged-in requests session (login_over_http) calling a running UI's callbacks over
    HTTP as dash-renderer does: bodies built from the server's own /_dash-dependencies,
    the CSRF header from the session's cookie."""

    def __init__(self, base: str, session):
        self.base, self.http = base, session
        listed = session.get(f"{base}/_dash-dependencies", timeout=30)
        assert listed.status_code == 200, listed.text[:300]
        self.callbacks = {cb["output"]: cb for cb in listed.json()}

    def key(self, output_id: str, via: str | None = None) -> str:
        """The key of the callback whose first output is `output_id` (and, given `via`, that
        an input with that id triggers: several callbacks may write one output)."""
        keys = [k for k, cb in self.callbacks.items() if _parts(k)[0]["id"] == output_id
                and (via is None or via in [i["id"] for i in cb["inputs"]])]
        assert len(keys) == 1, (output_id, via, keys)
        return keys[0]

    def call(self, output_id: str, values: dict | None = None, changed: tuple[str, ...] = (),
             via: str | None = None) -> dict:
        """Run the callback whose first output is `output_id` (see `key`): {output id:
        {property: value}}. Safe from several threads at once (a connection of its own, the
        session's cookies)."""
        import requests
        key = self.key(output_id, via)
        cookies = self.http.cookies.get_dict()
        r = requests.post(f"{self.base}/_dash-update-component", json=callback_body(
            key, self.callbacks[key], values, changed), timeout=60, cookies=cookies,
            headers={"X-CSRFToken": cookies.get("_csrf_token", "")})
        assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
        return r.json()["response"]


# -- the browser ------------------------------------------------------------------------------
# Every step waits on what the server has seen or sent back (a message, a count, the page's
# selection line, the nodes on a canvas, a download), never for a fixed time: a callback runs
# on what the renderer holds when the button is clicked, and dash-cytoscape reports a
# selection to it about 100 ms after the selection happens.

# The cytoscape.js instance behind a dash-cytoscape component (cytoscape keeps it on its container).
CY = """const root = document.getElementById(arguments[0]);
if (!root) return null;
const el = [root, ...root.querySelectorAll('*')].find(x => x._cyreg && x._cyreg.cy);
return el ? el._cyreg.cy : null;"""

# where each canvas's page says what the server has seen selected, and its messages
SELECTION = {ids.EXPLORE_GRAPH: ids.EXPLORE_SELECTION, ids.CASES_GRAPH: ids.CASES_SELECTION}
MESSAGE = {ids.EXPLORE_GRAPH: ids.EXPLORE_MESSAGE, ids.CASES_GRAPH: ids.CASES_MESSAGE,
           ids.QUERIES_GRAPH: ids.QUERIES_MESSAGE}


def cy_call(duo, expression: str, *args, graph: str = ids.EXPLORE_GRAPH):
    """Evaluate JavaScript `expression` with `cy` bound to the cytoscape instance of the canvas
    `graph` and `args` as arguments[1:]; None while the canvas is not drawn."""
    return duo.driver.execute_script(
        f"const cy = (function(){{ {CY} }}).apply(null, [arguments[0]]);"
        f"if (!cy) return null; return {expression};", graph, *args)


def node_ids(duo, graph: str = ids.EXPLORE_GRAPH) -> set[str] | None:
    """The ids of the nodes on the canvas (None while it is not drawn)."""
    found = cy_call(duo, "cy.nodes().map(n => n.id())", graph=graph)
    return None if found is None else set(found)


def read_text(duo, selector: str) -> str | None:
    """The visible text of the element `selector` now: None when it is missing or a
    re-render replaced it while it was read (for polling)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    try:
        return duo.find_element(selector).text
    except (NoSuchElementException, StaleElementReferenceException):
        return None


def text_of(duo, selector: str, timeout=10) -> str:
    """The visible text of the element `selector`, read again when a re-render replaces the
    element while it is read (or it is not drawn yet)."""
    found: list[str] = []

    def read() -> bool:
        found[:] = [t for t in [read_text(duo, selector)] if t is not None]
        return bool(found)
    try:
        until(read, timeout=timeout)
    except Exception:
        raise AssertionError(f"no element {selector} to read") from None
    return found[0]


def _page_says(duo, graph: str) -> str:
    """What the page around canvas `graph` says, for a failure's message."""
    said = read_text(duo, f"#{MESSAGE[graph]}") if graph in MESSAGE else None
    return f"page says {said!r}; console {duo.get_logs()}"


def wait_nodes(duo, predicate, timeout=15, graph: str = ids.EXPLORE_GRAPH) -> set[str]:
    """The canvas's node ids once `predicate(ids)` holds (the server's answer is drawn)."""
    try:
        until(lambda: (n := node_ids(duo, graph)) is not None and predicate(n), timeout=timeout)
    except Exception:
        raise AssertionError(f"nodes {node_ids(duo, graph)}; {_page_says(duo, graph)}") from None
    return node_ids(duo, graph)


def wait_cy(duo, expression: str, check, *args, timeout=10, graph: str = ids.EXPLORE_GRAPH):
    """The value of `expression` (as cy_call evaluates it) once `check(value)` holds."""
    try:
        until(lambda: (v := cy_call(duo, expression, *args, graph=graph)) is not None and check(v), timeout=timeout)
    except Exception:
        raise AssertionError(f"{expression} = {cy_call(duo, expression, *args, graph=graph)!r}; "
                             f"{_page_says(duo, graph)}") from None
    return cy_call(duo, expression, *args, graph=graph)


def tap(duo, element_id: str, graph: str = ids.EXPLORE_GRAPH) -> None:
    """Tap a node or an edge (its tap callbacks run; wait on what they show)."""
    cy_call(duo, "(cy.getElementById(arguments[1]).emit('tap'), true)", element_id, graph=graph)


def hover(duo, element_id: str, graph: str = ids.EXPLORE_GRAPH) -> None:
    """Move the mouse over a node or an edge (the tooltip callback runs)."""
    cy_call(duo, "(cy.getElementById(arguments[1]).emit('mouseover'), true)", element_id, graph=graph)


def select(duo, *node_ids: str, graph: str = ids.EXPLORE_GRAPH, timeout=10) -> None:
    """Select exactly these nodes on the canvas `graph` (as shift-click would), and return once
    the page says the server has seen exactly them selected, so that a button clicked next
    acts on them."""
    cy_call(duo, "(cy.nodes().unselect(), arguments[1].forEach(i => cy.getElementById(i).select()), true)",
            list(node_ids), graph=graph)
    wait_selection(duo, *node_ids, graph=graph, timeout=timeout)


def wait_selection(duo, *node_ids: str, graph: str = ids.EXPLORE_GRAPH, timeout=10) -> None:
    """Wait until the page's selection line (filled by a callback on dash-cytoscape's
    selectedNodeData) names exactly `node_ids`."""
    from casegraph.app.pages._canvas import selection_text
    expected = selection_text([{"id": i, "kind": "More" if i.startswith("more:") else i.partition(":")[0]}
                               for i in node_ids])
    where = f"#{SELECTION[graph]}"
    try:
        until(lambda: read_text(duo, where) == expected, timeout=timeout)
    except Exception:
        selected = cy_call(duo, "cy.nodes(':selected').map(n => n.id())", graph=graph)
        raise AssertionError(f"the page says {read_text(duo, where)!r} is selected, not {expected!r} "
                             f"(the canvas has {selected} selected); {_page_says(duo, graph)}") from None


GRID_ROWS = """const root = document.getElementById(arguments[0]);
if (!root) return null;
const rows = {};
root.querySelectorAll('.ag-row[row-index]').forEach(r => {
  const row = rows[r.getAttribute('row-index')] = rows[r.getAttribute('row-index')] || {};
  r.querySelectorAll('.ag-cell[col-id]').forEach(c => { row[c.getAttribute('col-id')] = c.textContent; });
});
return Object.keys(rows).map(Number).sort((a, b) => a - b).map(i => rows[i]);"""


def grid_rows(duo, grid_id: str) -> list[dict] | None:
    """The rows an AG Grid (dash-ag-grid) has rendered in the DOM, in display order, each as
    {column id: text shown}; only the rows in view and a few more (the grid virtualises).
    None while the grid is not on the page."""
    return duo.driver.execute_script(GRID_ROWS, grid_id)


def grid_count(duo, grid_id: str) -> int | None:
    """How many rows an AG Grid holds after its filters (drawn or not: it virtualises), from
    the grid's own API; None while the grid is not ready."""
    return duo.driver.execute_script(
        "try { return window.dash_ag_grid.getApi(arguments[0]).getDisplayedRowCount(); }"
        " catch (e) { return null; }", grid_id)


def wait_grid(duo, grid_id: str, predicate, timeout=10) -> list[dict]:
    """The grid's rendered rows once `predicate(rows)` holds."""
    try:
        until(lambda: (r := grid_rows(duo, grid_id)) is not None and predicate(r), timeout=timeout)
    except Exception:
        raise AssertionError(f"grid rows {grid_rows(duo, grid_id)!r}; console {duo.get_logs()}") from None
    return grid_rows(duo, grid_id)


def click(duo, selector: str, timeout=10) -> None:
    """Click the element `selector`, found again if a re-render replaced it in between."""
    from selenium.common.exceptions import StaleElementReferenceException

    def clicked() -> bool:
        try:
            duo.find_element(selector).click()
            return True
        except StaleElementReferenceException:
            return False
    until(clicked, timeout=timeout)


OPTIONS = "[role=listbox] [role=option]"     # an open Select's choices (in a portal at the end of the page)


def pick(duo, select_id: str, label: str, timeout=10, confirm=True) -> None:
    """Choose the option shown as `label` in the Select `select_id` (app/forms.py choice):
    open its menu, wait for the option (a callback may fill the choices in late), click it,
    and with `confirm` wait until the field shows it."""
    from selenium.common.exceptions import WebDriverException

    def shown() -> list:
        return [o for o in duo.find_elements(OPTIONS) if o.is_displayed()]

    def chosen() -> bool:
        try:
            field = duo.find_element(f"#{select_id}")
            options = shown()
            match = [o for o in options if o.text == label]
            if not match:
                if not options:         # closed (open but still empty: its choices come late)
                    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
                    field.click()
                return False
            duo.driver.execute_script("arguments[0].scrollIntoView({block: 'nearest'})", match[0])
            match[0].click()
            return True
        except WebDriverException:      # the menu was re-drawn while read: look again
            return False
    try:
        until(chosen, timeout=timeout)
        if confirm:
            until(lambda: duo.find_element(f"#{select_id}").get_attribute("value") == label, timeout=timeout)
    except Exception:
        options = [o.text for o in duo.find_elements(OPTIONS)]
        raise AssertionError(f"select {select_id}: could not pick {label!r}; options shown {options}") from None


def set_props(duo, component_id, props: dict) -> None:
    """Set a component's properties in the renderer, as a click or typing would (also for
    controls the page hides from the role, or a slider's range)."""
    duo.driver.execute_script("window.dash_clientside.set_props(arguments[0], arguments[1])", component_id, props)


def allow_downloads(duo) -> Path:
    """The folder the browser saves downloads to. Headless Chromium saves them only when
    told where (dash.testing does that for --headless only; these tests use --headless=new)."""
    folder = Path(duo.download_path)
    duo.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})
    return folder


def wait_download(folder: Path, name: str, timeout=10) -> Path:
    """The file `name` once the browser has saved it (Chromium writes to a temporary name
    and renames it when complete)."""
    until(lambda: (folder / name).exists() and (folder / name).stat().st_size > 0, timeout=timeout)
    return folder / name


def busiest_account(folder) -> str:
    """The account with the most transfers (so expanding it has plenty to show)."""
    rows = read_csv(folder / "transfers.csv")
    counts = Counter(r["from_account"] for r in rows) + Counter(r["to_account"] for r in rows)
    return counts.most_common(1)[0][0]


def no_console_errors(duo) -> None:
    """Every browser test ends here: no SEVERE message in the browser console."""
    severe = [e for e in duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert severe == [], severe


# -- PostgreSQL for the application state -------------------------------------------------------
# A private server the suite starts from Debian's binaries (the fixtures `postgres_databases` and
# `state_url` in tests/conftest.py), or the one CASEGRAPH_TEST_POSTGRES names; a database per test.

POSTGRES_ENV = "CASEGRAPH_TEST_POSTGRES"


def drop_audit_guard(engine) -> None:
    """What an attacker with raw database access can do: drop the triggers that keep the
    audit log append-only (the hash chain must still show what they change next)."""
    on = " ON audit_log" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as conn:
        for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_truncate"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}{on}")


class PostgresUnavailable(Exception):
    """The suite cannot start (or reach) PostgreSQL; the message says why and what to do."""


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
                   if p.parent.parent.name.isdigit() else 0)
    if not found:
        raise PostgresUnavailable("PostgreSQL's server binaries are not installed (no /usr/lib/postgresql/*/bin/"
                                  "initdb): run the test command, `bash scripts/test`, which installs Debian's "
                                  f"postgresql, or set {POSTGRES_ENV} to a server's URL")
    return found[-1].parent


class PostgresServer:
    """A throw-away PostgreSQL cluster in a temp folder: loopback only, trust authentication,
    no fsync (tests need no durability), run as the `postgres` OS user when we are root
    (PostgreSQL refuses to run as root). `url` reaches its `postgres` database."""

    def __init__(self):
        import pwd
        import shutil
        import tempfile
        self.bin = _postgres_bin()
        self.as_root = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="casegraph-pg-"))   # in /tmp: postgres must reach it
        self.data, self.sockets, self.log = self.dir / "data", self.dir / "sock", self.dir / "server.log"
        self.sockets.mkdir()
        if self.as_root:
            try:
                pg = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable("running as root, and there is no `postgres` OS user to run "
                                          "PostgreSQL as (Debian's postgresql package creates it)") from None
            for p in (self.dir, self.sockets):
                shutil.chown(p, pg.pw_uid, pg.pw_gid)
        self.port = 0

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = (["runuser", "-u", "postgres", "--"] if self.as_root else []) + [str(a) for a in args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.dir)

    def start(self) -> "PostgresServer":
        done = self._run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--no-sync",
                         "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")
        if done.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {(done.stderr or done.stdout).strip()[-500:]}")
        # trust only on the private socket and on loopback (the server listens nowhere else)
        (self.data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        for attempt in range(5):                    # another process may take the free port first
            self.port = free_port()
            opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockets} -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
            done = self._run(self.bin / "pg_ctl", "start", "-w", "-t", "60", "-D", self.data, "-l", self.log,
                             "-o", opts)
            if done.returncode == 0:
                break
        else:
            log = self.log.read_text(errors="replace").splitlines()[-5:] if self.log.exists() else []
            raise PostgresUnavailable(f"pg_ctl could not start PostgreSQL: {done.stderr.strip()[-300:]} "
                                      f"{' | '.join(log)}")
        wait_for_postgres(self.url)
        return self

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        import shutil
        if self.port:
            self._run(self.bin / "pg_ctl", "stop", "-D", self.data, "-m", "fast", "-w", "-t", "60")
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_for_postgres(url: str, timeout: float = 30) -> None:
    """Return once the server behind `url` answers a query; PostgresUnavailable after `timeout`."""
    import sqlalchemy as sa
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    deadline, last = time.monotonic() + timeout, None
    try:
        while time.monotonic() < deadline:
            try:
                with engine.connect() as conn:
                    conn.exec_driver_sql("SELECT 1")
                return
            except sa.exc.OperationalError as e:
                last = e
                time.sleep(0.1)
    finally:
        engine.dispose()
    raise PostgresUnavailable(f"PostgreSQL at {url} did not answer within {timeout:.0f} s: {last}")


class PostgresDatabases:
    """Databases for tests on one server (`admin_url` may create databases): `create()` a
    fresh one with casegraph's schema (copied from a template the state store set up once:
    twice as fast as setting it up per test), or an empty one; `drop()` it again with its
    connections; `close()` drops the template too."""

    def __init__(self, admin_url: str):
        import itertools

        import sqlalchemy as sa

        from casegraph.state import open_state
        self.admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        self.base = sa.engine.make_url(admin_url)
        self._n = itertools.count()
        self.template = self.create(empty=True)
        open_state(self.template).engine.dispose()

    def create(self, empty: bool = False) -> str:
        import sqlalchemy as sa
        name = f"casegraph_t{os.getpid()}_{next(self._n)}"
        template = "template0" if empty else sa.engine.make_url(self.template).database
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        import sqlalchemy as sa
        name = sa.engine.make_url(url).database
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.drop(self.template)
        self.admin.dispose()
