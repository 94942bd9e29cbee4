"""Explorer expand benchmark, server side (not part of the test suite).

    python bench/expand_bench.py --data DIR --db embedded:DBDIR [--expansions 500] [--record]

Times `casegraph.explore.expand` — what the explorer calls when an investigator expands a
node: a count, then one page of 25 neighbours as cytoscape elements — on random accounts
and wallets of a loaded sample, and on its supernodes (the exchange hot wallets and carrier
IPs of truth.json), each first page and one page deep into the supernode.
Target (issue 4): p95 under 300 ms on the 1,000,000-account sample."""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from casegraph import explore  # noqa: E402
from casegraph.settings import Settings  # noqa: E402
from casegraph.store import open_store  # noqa: E402
from bench.detect_bench import percentile as pct  # noqa: E402
from bench.common import publish  # noqa: E402

TARGET_P95_MS = 300.0


def targets(data: Path, truth: dict, n: int, seed: int) -> list[tuple[str, int]]:
    """(node id, skip): random accounts and wallets, then every supernode at skip 0 and 500."""
    rng = random.Random(seed)
    accounts = pd.read_csv(data / "accounts.csv", usecols=["account_id"])["account_id"].tolist()
    wallets = pd.read_csv(data / "wallets.csv", usecols=["address"])["address"].tolist()
    out = [(f"Account:{a}", 0) for a in rng.sample(accounts, n // 2)]
    out += [(f"Wallet:{w}", 0) for w in rng.sample(wallets, n - n // 2)]
    hubs = [f"Wallet:{w}" for w in truth["confounders"]["exchange_wallets"]]
    hubs += [f"IP:{ip}" for ip in truth["confounders"]["carrier_ips"][:40]]
    out += [(h, skip) for h in hubs for skip in (0, 500)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--graph", default=None)
    ap.add_argument("--expansions", type=int, default=500, help="random accounts and wallets to expand")
    ap.add_argument("--record", action="store_true", help="append the report to bench/RESULTS.md")
    args = ap.parse_args()
    truth = json.loads((args.data / "truth.json").read_text())
    plan = targets(args.data, truth, args.expansions, seed=11)
    ordinary, hubs, biggest = [], [], (0, "")
    with open_store(Settings.load(db=args.db, graph=args.graph)) as store:
        explore.expand(store, plan[0][0])                    # warm the catalogue outside the timings
        accounts = store.counts()["nodes"]["Account"]
        for i, (node_id, skip) in enumerate(plan):
            t0 = time.perf_counter()
            _, total = explore.expand(store, node_id, skip=skip)
            ms = (time.perf_counter() - t0) * 1000
            (ordinary if i < args.expansions else hubs).append(ms)
            biggest = max(biggest, (total, node_id))
    every = ordinary + hubs
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    p95 = pct(every, 95)
    text = "\n".join([
        f"### Explorer expand, {accounts:,} accounts — {datetime.now(timezone.utc):%Y-%m-%d}, commit {commit}", "",
        f"Command: `python bench/expand_bench.py --data DIR --db embedded:DBDIR --expansions {args.expansions}`  ",
        f"Machine: {os.cpu_count()} cores, CPython, {args.db.split(':')[0]} store; server side (explore.expand: count + one page of 25)", "",
        "| nodes expanded | n | p50 ms | p95 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|---:|",
        *(f"| {name} | {len(xs)} | {pct(xs, 50):.1f} | {pct(xs, 95):.1f} | {pct(xs, 99):.1f} | {max(xs):.1f} |"
          for name, xs in (("random accounts and wallets", ordinary),
                           ("supernodes (hot wallets, carrier IPs), first page and skip 500", hubs),
                           ("all", every))),
        "", f"**p95 {p95:.1f} ms** (target < {TARGET_P95_MS:.0f} ms {'✓' if p95 < TARGET_P95_MS else '✗ missed'}); "
            f"largest neighbourhood paged: {biggest[0]:,} neighbours ({biggest[1].split(':')[0]})."])
    publish(text, args.record)


if __name__ == "__main__":
    main()
