"""Why Neo4j is slower than the embedded store where stack_bench.py shows it (not part of the
test suite).

    python bench/neo4j_why.py --accounts 100000 --seed 1 [--record]

On a fresh graph on each engine (the dataset loaded as stack_bench.py loads it):
1. scammer_links run twice: the first (cold) run, which stack_bench.py times, and the second
   (warm) one, with the number of queries and the slowest query of each;
2. PROFILE of the warm run's slowest query on Neo4j: its operators by database hits;
3. the floor of one read transaction (`RETURN 1` through the same driver path) against
   transfer_risk_facts, p50 / p99 over --checks transfers, and PROFILE's database hits for one.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dataset, dataset_options, publish  # noqa: E402
from stack_bench import Engine  # noqa: E402

from casegraph import detections  # noqa: E402
from casegraph.loaders.pipeline import load  # noqa: E402
from casegraph.state import open_state  # noqa: E402
from casegraph.store import open_store  # noqa: E402


def timed_calls(store) -> list:
    """Record (seconds, text, params) of every statement the store runs from now on."""
    calls: list = []
    run = store.backend.run

    def timed(text, params, **kw):
        t0 = time.perf_counter()
        res = run(text, params, **kw)
        calls.append((time.perf_counter() - t0, text, params))
        return res
    store.backend.run = timed
    return calls


def scammer_links_twice(store) -> dict:
    calls = timed_calls(store)
    out = {}
    for run in ("cold", "warm"):
        calls.clear()
        t0 = time.perf_counter()
        detections.run(store, "scammer_links")
        out[run] = (time.perf_counter() - t0, len(calls), max(calls, key=lambda c: c[0]))
    del store.backend.run
    return out


def percentiles(fn, items) -> tuple[float, float]:
    xs = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        xs.append((time.perf_counter() - t0) * 1000)
    xs.sort()
    return xs[len(xs) // 2], xs[int(len(xs) * 0.99)]


def profile(store, text: str, params: dict) -> list[tuple]:
    """(operator, rows, db hits, details) of every operator of a PROFILEd Neo4j statement."""
    with store.backend._driver.session(database=store.backend._database) as session:
        res = session.run("PROFILE " + text, params)
        list(res)                      # the profile exists once the result is read
        plan = res.consume().profile
    ops, todo = [], [plan]
    while todo:
        p = todo.pop()
        ops.append((p["operatorType"].split("@")[0], p.get("rows", 0), p.get("dbHits", 0),
                    (p.get("args") or {}).get("Details", "")[:80]))
        todo.extend(p.get("children", []))
    return ops


def measure(engine: Engine, data: Path, checks: int) -> dict:
    settings = engine.fresh()
    with open_store(settings) as store:
        load(store, open_state(settings.state_url()), [data], rejects_dir=data.parent / "rejects", bulk=True)
        store = store.with_timeout(600_000)
        found = {"version": store.backend.version(), "links": scammer_links_twice(store)}
        pairs = store.read_cypher("MATCH (s:Account)-[:TRANSFERRED]->(r:Account) "
                                  "RETURN s.account_id AS s, r.account_id AS r LIMIT $n", {"n": checks},
                                  row_limit=checks).rows
        facts = store.queries.get("transfer_risk_facts")
        found["floor"] = percentiles(lambda p: store.backend.run("RETURN 1 AS x", {}, write=False), pairs)
        found["facts"] = percentiles(lambda p: store.read("transfer_risk_facts", {"checks": [
            {"i": 0, "sender": p["s"], "recipient_account": p["r"], "recipient_wallet": ""}]}), pairs)
        if store.dialect == "neo4j":
            slow = found["links"]["warm"][2]
            found["links_profile"] = profile(store, slow[1], slow[2])
            found["facts_profile"] = profile(store, facts.text_for("neo4j"), facts.bind(
                {"checks": [{"i": 0, "sender": pairs[0]["s"], "recipient_account": pairs[0]["r"],
                             "recipient_wallet": ""}]}))
    engine.close()
    return found


def report(args, results: dict) -> str:
    cmd = f"python bench/neo4j_why.py --accounts {args.accounts} --seed {args.seed} --checks {args.checks}"
    lines = [f"### Why Neo4j is slower, {args.accounts:,} accounts (seed {args.seed}) — {date.today()}", "",
             f"Command: `{cmd}`  ", f"Engines: {results['embedded']['version']}; {results['neo4j']['version']}", "",
             "| measure | embedded | neo4j |", "|---|---:|---:|"]
    for run in ("cold", "warm"):
        e, n = results["embedded"]["links"][run], results["neo4j"]["links"][run]
        lines.append(f"| scammer_links {run} run, s ({e[1]} queries) | {e[0]:.2f} | {n[0]:.2f} |")
        lines.append(f"| ... its slowest query, s | {e[2][0]:.3f} | {n[2][0]:.3f} |")
    for key, what in (("floor", "`RETURN 1` (one read transaction)"), ("facts", "transfer_risk_facts")):
        e, n = results["embedded"][key], results["neo4j"][key]
        lines.append(f"| {what} p50 / p99 ms | {e[0]:.2f} / {e[1]:.2f} | {n[0]:.2f} / {n[1]:.2f} |")
    ops = results["neo4j"]["links_profile"]
    lines += ["", f"PROFILE of scammer_links' slowest query on Neo4j (warm): {sum(o[2] for o in ops):,} database "
              "hits; operators by hits:", ""]
    lines += [f"- {op} ({details}): {rows:,} rows, {hits:,} hits"
              for op, rows, hits, details in sorted(ops, key=lambda o: -o[2])[:5]]
    facts = results["neo4j"]["facts_profile"]
    lines += ["", f"PROFILE of transfer_risk_facts on Neo4j: {sum(o[2] for o in facts):,} database hits over "
              f"{len(facts)} operators; scans: {[o[0] for o in facts if 'Scan' in o[0]] or 'none'}."]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    dataset_options(ap)
    ap.add_argument("--checks", type=int, default=2000)
    ap.add_argument("--record", action="store_true", help="append the report to bench/RESULTS.md")
    args = ap.parse_args()
    data = dataset(args)
    results = {name: measure(Engine(name, args.work, None, "4g", 6144), data, args.checks)
               for name in ("embedded", "neo4j")}
    publish(report(args, results), args.record)


if __name__ == "__main__":
    main()
