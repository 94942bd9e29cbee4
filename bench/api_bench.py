"""The HTTP API's transfer check under load (not part of the test suite).

    bash scripts/setup --bench                       # wrk, from Debian's packages
    python bench/api_bench.py --accounts 1000000 --seed 1 [--record]

On the generated dataset (WORK/data-N-S, generated when missing) loaded into an embedded
store of its own (WORK/falkordb-api-S, loaded when empty; or --db):
1. in-process: transfer_checks.check (what the API calls) for --checks single transfers
   (p50 / p99) and in batches of 1,000 (decisions/s) - the floor the HTTP figures compare to;
2. `casegraph api` (uvicorn, --workers processes) started on loopback, a token for it, and
   wrk (--clients connections, one wrk thread) sending the same random pending transfers (one
   in ten to a known scammer, so holds and their alerts are part of the load) to
   /api/v1/transfers/check for --duration seconds, twice:
   a. the target load: each client pauses --pause-ms after each answer (wrk's delay(): 50
      clients x one check per 35 ms + latency offer about 1,200 checks/s) - decisions/s and
      wrk's p50 / p90 / p99 against the targets;
   b. capacity: no pause, every client sends its next check as soon as it has an answer -
      the most decisions/s (latency is then queueing: clients / throughput);
3. during (a), the explorer's expand (explore.expand, what a UI worker runs for an
   investigator's click) in this process, --expand-rate a second (a busy team) on random
   accounts and wallets plus the supernodes: p95 under the API's load;
4. the batch form: wrk with --batch-clients connections posting 1,000 transfers each to
   /api/v1/transfers/check-batch: decisions/s.
Prints a Markdown report; --record appends it to bench/RESULTS.md.

Targets (issue 15): single checks at 50 clients p99 < 25 ms and >= 1,000 decisions/s; the
batch form >= 20,000 decisions/s; expand p95 < 300 ms meanwhile. The machine has 2 cores:
wrk, the API's workers, the database and the expand loop share them."""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from casegraph import explore, tokens, transfer_checks  # noqa: E402
from casegraph.settings import Settings  # noqa: E402
from casegraph.state import open_state  # noqa: E402
from casegraph.store import open_store  # noqa: E402
from casegraph.loaders.pipeline import load  # noqa: E402
from bench.common import dataset, dataset_options, publish  # noqa: E402
from bench.detect_bench import pending_transfers, percentile  # noqa: E402
from bench.expand_bench import TARGET_P95_MS, targets  # noqa: E402

TARGET_P99_MS, TARGET_SINGLE_RPS, TARGET_BATCH_DPS = 25.0, 1000.0, 20000.0
BATCH = 1000
ACTOR = {"name": "bench", "role": "service", "disabled": False}

WRK_SCRIPT = r"""
-- one JSON body per line of args[1], sent in turn (each connection starts somewhere else);
-- args[2] the token, args[3] the pause in ms after each answer (0: none)
local bodies, i = {}, 0
function init(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  token = args[2]
  pause = tonumber(args[3] or "0")
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  i = math.random(#bodies)
end
function delay()
  return pause
end
function request()
  i = i % #bodies + 1
  return wrk.format("POST", nil, {["Authorization"] = "Bearer " .. token,
                                  ["Content-Type"] = "application/json"}, bodies[i])
end
"""


def api_body(check: dict) -> dict:
    """A bench check (amount_usd) as the API's transfer (amount and asset)."""
    body = {k: v for k, v in check.items() if k in ("sender", "recipient_account", "recipient_wallet")}
    return {**body, "amount": check["amount_usd"], "asset": "USD"}


def ensure_loaded(settings: Settings, data: Path) -> None:
    with open_store(settings) as store:
        if store.counts()["nodes"].get("Account", 0) == 0:
            t0 = time.perf_counter()
            state = open_state(f"sqlite:///{Path(tempfile.mkdtemp()) / 'load.sqlite'}")
            assert load(store, state, [data], bulk=True).ok
            print(f"loaded {data} in {time.perf_counter() - t0:.0f} s", flush=True)


def in_process(settings: Settings, state, checks: list[dict]) -> dict:
    with open_store(settings) as store:
        transfer_checks.check(store, state, ACTOR, [checks[0]])          # builds the exposure index
        times = []
        for c in checks:
            t0 = time.perf_counter()
            transfer_checks.check(store, state, ACTOR, [c])
            times.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        n = 0
        for start in range(0, len(checks) - BATCH + 1, BATCH):
            transfer_checks.check(store, state, ACTOR, checks[start:start + BATCH])
            n += BATCH
        batch_s = time.perf_counter() - t0
    return {"p50": percentile(times, 50), "p99": percentile(times, 99), "n": len(times),
            "batch_dps": n / batch_s if batch_s else 0.0}


def start_api(settings: Settings, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "CASEGRAPH_DB": settings.db, "CASEGRAPH_GRAPH": settings.graph,
           "CASEGRAPH_STATE": settings.state}
    proc = subprocess.Popen([sys.executable, "-m", "casegraph.cli", "api", "--port", str(port), "--workers",
                             str(workers), "--no-access-log"], env=env, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"casegraph api did not start:\n{log.read_text()[-3000:]}")


def wrk(url: str, bodies: Path, token: str, clients: int, seconds: int, script: Path, pause_ms: int = 0) -> dict:
    out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--latency", "--timeout", "10s",
                          "-s", str(script), url, "--", str(bodies), token, str(pause_ms)],
                         capture_output=True, text=True, check=True).stdout
    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p50": ms("50"), "p90": ms("90"), "p99": ms("99"), "non2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(0) if errors else "", "raw": out}


def expand_while(settings: Settings, nodes: list[tuple[str, int]], stop: threading.Event,
                 per_s: float) -> list[float]:
    """explore.expand at `per_s` a second until `stop` (a busy investigations team clicking
    "expand"; the UI's core call), each timed."""
    times: list[float] = []
    with open_store(settings) as store:
        i = 0
        start = time.perf_counter()
        while not stop.is_set():
            node, skip = nodes[i % len(nodes)]
            t0 = time.perf_counter()
            explore.expand(store, node, skip=skip)
            times.append((time.perf_counter() - t0) * 1000)
            i += 1
            stop.wait(max(0.0, start + i / per_s - time.perf_counter()))
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    dataset_options(ap)
    ap.add_argument("--db", default=None, help="database URI (default: embedded:WORK/falkordb-api-SEED)")
    ap.add_argument("--graph", default="casegraph")
    ap.add_argument("--checks", type=int, default=5000, help="pending transfers (in-process timing, wrk bodies)")
    ap.add_argument("--clients", type=int, default=50, help="concurrent connections for single checks")
    ap.add_argument("--pause-ms", type=int, default=35, help="each client's pause after an answer at the target load")
    ap.add_argument("--batch-clients", type=int, default=4, help="concurrent connections for the batch form")
    ap.add_argument("--duration", type=int, default=30, help="seconds of each wrk run")
    ap.add_argument("--workers", type=int, default=2, help="casegraph api worker processes")
    ap.add_argument("--expand-rate", type=float, default=20.0, help="explorer expands a second during the load")
    ap.add_argument("--port", type=int, default=8061)
    ap.add_argument("--record", action="store_true", help="append the report to bench/RESULTS.md")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `bash scripts/setup --bench` installs it (Debian's package)")
    data = dataset(args)
    truth = json.loads((data / "truth.json").read_text())
    work = args.work
    state_file = work / "state-api.sqlite"
    for f in work.glob("state-api.sqlite*"):
        f.unlink()
    settings = Settings.load(db=args.db or f"embedded:{work / f'falkordb-api-{args.seed}'}", graph=args.graph,
                             state=f"sqlite:///{state_file}")
    ensure_loaded(settings, data)
    state = open_state(settings.state_url())
    secret, _ = tokens.create(state, "bench", "service", by="bench", rate_per_s=1e9)
    checks = [api_body(c) for c in pending_transfers(data, truth, args.checks, args.seed)]
    inproc = in_process(settings, state, checks)
    print(f"in-process: p50 {inproc['p50']:.2f} ms, p99 {inproc['p99']:.2f} ms, batch "
          f"{inproc['batch_dps']:,.0f} decisions/s", flush=True)

    script = work / "api_bench.lua"
    script.write_text(WRK_SCRIPT)
    singles = work / "api_bench_single.jsonl"
    singles.write_text("".join(json.dumps(c) + "\n" for c in checks))
    batches = work / "api_bench_batch.jsonl"
    rng = random.Random(args.seed)
    batches.write_text("".join(json.dumps({"transfers": rng.sample(checks, BATCH)}) + "\n" for _ in range(20)))
    nodes = targets(data, truth, 400, args.seed)
    rng.shuffle(nodes)

    proc = start_api(settings, args.port, args.workers, work / "api_bench.log")
    base = f"http://127.0.0.1:{args.port}/api/v1"
    try:
        warm = work / "api_bench_warm.jsonl"     # every worker builds its exposure index first
        warm.write_text("".join(json.dumps(c) + "\n" for c in checks[:200]))
        wrk(f"{base}/transfers/check", warm, secret, 4, 5, script)
        stop = threading.Event()
        found: dict[str, list[float]] = {}
        t = threading.Thread(target=lambda: found.setdefault("expand", expand_while(settings, nodes, stop,
                                                                                    args.expand_rate)))
        t.start()
        single = wrk(f"{base}/transfers/check", singles, secret, args.clients, args.duration, script, args.pause_ms)
        stop.set()
        t.join()
        capacity = wrk(f"{base}/transfers/check", singles, secret, args.clients, args.duration, script)
        batch = wrk(f"{base}/transfers/check-batch", batches, secret, args.batch_clients, args.duration, script)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    expand = found["expand"]
    held = state.engine.connect().exec_driver_sql(
        "SELECT count(*) FROM alerts WHERE detection = 'transfer_risk'").scalar()
    audited = state.engine.connect().exec_driver_sql("SELECT count(*) FROM audit_log").scalar()
    text = render(args, data, settings, inproc, single, capacity, batch, expand, held, audited)
    publish(text, args.record)


def render(args, data, settings, inproc, single, capacity, batch, expand, held, audited) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=REPO).stdout.strip()
    ok = lambda good: "✓" if good else "✗"  # noqa: E731
    e95 = percentile(expand, 95) if expand else float("nan")
    lines = [
        f"### HTTP API transfer check under load, {args.accounts:,} accounts — "
        f"{datetime.now(timezone.utc):%Y-%m-%d}, commit {commit}",
        "",
        f"Command: `bash scripts/setup --bench && python bench/api_bench.py --accounts {args.accounts} "
        f"--seed {args.seed} --clients {args.clients} --batch-clients {args.batch_clients} "
        f"--pause-ms {args.pause_ms} --expand-rate {args.expand_rate:g} --duration {args.duration} --workers {args.workers}`  ",
        f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
        f"{settings.db.split(':')[0]} store, SQLite state; `casegraph api` with {args.workers} uvicorn worker(s), "
        f"wrk (1 thread) on loopback, everything on the same cores",
        "",
        "| measure | in-process | over HTTP | target |",
        "|---|---|---|---|",
        f"| single check p50 / p90 / p99 ms at the target load | {inproc['p50']:.2f} / - / {inproc['p99']:.2f} | "
        f"{single['p50']:.2f} / {single['p90']:.2f} / {single['p99']:.2f} ({args.clients} clients, "
        f"{args.pause_ms} ms pause each) | p99 < {TARGET_P99_MS:.0f} ms {ok(single['p99'] < TARGET_P99_MS)} |",
        f"| single checks at the target load, decisions/s | {1000 / inproc['p50']:,.0f} (one at a time) | "
        f"{single['rps']:,.0f} | >= {TARGET_SINGLE_RPS:,.0f} {ok(single['rps'] >= TARGET_SINGLE_RPS)} |",
        f"| single checks, capacity (no pause), decisions/s | | {capacity['rps']:,.0f} (p50 {capacity['p50']:.1f} ms, "
        f"p99 {capacity['p99']:.1f} ms: queueing) | |",
        f"| batch form (1,000 per call), decisions/s | {inproc['batch_dps']:,.0f} | {batch['rps'] * BATCH:,.0f} "
        f"({args.batch_clients} clients; call p50 {batch['p50']:.0f} ms) | >= {TARGET_BATCH_DPS:,.0f} "
        f"{ok(batch['rps'] * BATCH >= TARGET_BATCH_DPS)} |",
        f"| explorer expand p95 ms during the single-check load | | {e95:.1f} ({len(expand)} expands) | "
        f"< {TARGET_P95_MS:.0f} ms {ok(e95 < TARGET_P95_MS)} |",
        "",
        f"Non-2xx answers: {single['non2xx'] + capacity['non2xx']} single, {batch['non2xx']} batch. "
        f"{single['socket_errors'] or ''} "
        f"Holds raised {held:,} transfer_risk alerts; the audit log holds {audited:,} entries (one per call).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
