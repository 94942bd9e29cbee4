"""The same dataset on both engines, side by side (not part of the test suite).

    python bench/stack_bench.py --accounts 1000000 --seed 1 [--record]

For the embedded FalkorDB and for Neo4j (the Neo4j Community server `scripts/setup --test`
builds, started here with its own fresh data folder; or --neo4j bolt://... with NEO4J_USER /
NEO4J_PASSWORD, an empty database the bench wipes between its steps):
1. the loader (`casegraph load`: a first load into an empty graph) - seconds and rows/s;
2. each engine's own raw ceiling, measured in the same run into a fresh graph: the same
   statements the loader's first-load path sends, prepared in advance, only the sending
   timed (FalkorDB: the GRAPH.BULK commands; Neo4j: the UNWIND ... CREATE batches), and with
   --merge-ceiling also the raw UNWIND ... MERGE statements of the canonical templates;
3. every detection's time on the loaded graph (quality scored against truth.json);
4. transfer_risk p50 / p99 over --checks random pending transfers;
5. explorer expand p95 over --expansions random nodes plus the supernodes.
Prints a Markdown report; --record appends it to bench/RESULTS.md.

Targets: the loader at >= 80% of its engine's ceiling; the detection targets of
bench/detect_bench.py (rings < 30 s, scammer_links < 10 s, silent_sufferers < 5 s,
transfer_risk p99 < 20 ms) and expand p95 < 300 ms, on both engines."""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from casegraph import detections, explore  # noqa: E402
from casegraph.loaders import bulk  # noqa: E402
from casegraph.loaders.pipeline import FileReport, _batches, discover, load, plan_files  # noqa: E402
from casegraph.loaders import rates  # noqa: E402
from casegraph.model import model  # noqa: E402
from casegraph.settings import Settings  # noqa: E402
from casegraph.state import open_state  # noqa: E402
from casegraph.store import open_store  # noqa: E402
from casegraph.store.embedded import stop_server  # noqa: E402
from bench.detect_bench import TARGET_RISK_P99_MS, TARGETS_S, pending_transfers, percentile  # noqa: E402
from bench.expand_bench import TARGET_P95_MS, targets  # noqa: E402
from bench.load_bench import built_for_ceiling  # noqa: E402
from bench.common import dataset, dataset_options, publish  # noqa: E402


# -- the engines ----------------------------------------------------------------------------

class Engine:
    """A fresh, empty graph on one engine; `fresh()` gives another one for the ceiling."""

    def __init__(self, name: str, work: Path, neo4j: str | None, heap: str, pagecache_mb: int):
        self.name, self.work, self.neo4j = name, work, neo4j
        self.heap, self.pagecache_mb = heap, pagecache_mb
        self.server = None
        self.round = 0

    def fresh(self) -> Settings:
        self.close()
        self.round += 1
        state = f"sqlite:///{self.work}/state-{self.name}-{self.round}.sqlite"
        if self.name == "embedded":
            folder = self.work / f"falkordb-{self.round}"
            stop_server(str(folder))                  # an earlier run's server and graph: gone, as Neo4j's are
            shutil.rmtree(folder, ignore_errors=True)
            Path(f"{self.work}/state-{self.name}-{self.round}.sqlite").unlink(missing_ok=True)
            return Settings.load(db=f"embedded:{folder}", graph="bench", state=state)
        if self.neo4j:
            settings = Settings.load(db=self.neo4j, graph="neo4j", state=state)
            with open_store(settings) as store:
                if self.round == 1 and not store.backend.bulk_writer().target_is_empty():
                    raise SystemExit(f"{self.neo4j} holds data: the bench needs an empty database (it wipes it)")
                with store.backend._driver.session() as session:     # the ceiling's fresh graph
                    session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
            return settings
        from tests.support import Neo4jServer   # the launcher the test command builds (scripts/neo4j/)
        home = self.work / f"neo4j-{self.round}"
        shutil.rmtree(home, ignore_errors=True)
        self.server = Neo4jServer(home, heap=self.heap, pagecache_mb=self.pagecache_mb, timeout=300)
        self.version = self.server.version
        return Settings.load(db=self.server.uri, neo4j_user=self.server.user, neo4j_password=self.server.password,
                             graph="neo4j", state=state)

    def close(self) -> None:
        if self.name == "embedded" and self.round:
            stop_server(f"{self.work}/falkordb-{self.round}")
        if self.server is not None:
            self.server.stop()
            shutil.rmtree(self.server.home, ignore_errors=True)
            self.server = None


# -- measurements ---------------------------------------------------------------------------

def run_loader(settings: Settings, data: Path) -> dict:
    with open_store(settings) as store:
        t0 = time.perf_counter()
        report = load(store, open_state(settings.state_url()), [data], rejects_dir=data.parent / "rejects", bulk=True)
        seconds = time.perf_counter() - t0
        counts = store.counts()
        version = store.backend.version()
    if not report.ok:
        raise SystemExit(f"the load rejected rows: {[(f.file, f.rows_rejected) for f in report.files]}")
    rows = sum(f.rows_read for f in report.files)
    return {"seconds": seconds, "rows": rows, "path": report.path, "counts": counts, "version": version,
            "elements": sum(counts["nodes"].values()) + sum(counts["relationships"].values())}


def run_first_load_ceiling(settings: Settings, data: Path) -> float:
    """Seconds in the first-load statements alone: every statement prepared before its
    table's sending starts (FalkorDB: all GRAPH.BULK commands; Neo4j: the CREATE batches of
    one label or type at a time, to bound memory)."""
    built, provenance = built_for_ceiling(data)
    with open_store(settings) as store:
        writer = store.backend.bulk_writer()
        writer.begin()
        spent = 0.0
        if writer.takes == "graph.bulk":
            cmds = list(bulk.commands(bulk.tokens(built, provenance, consume=True)))
            del built
            t0 = time.perf_counter()
            for c in cmds:
                writer.send(*c)
            spent = time.perf_counter() - t0
        else:
            table: list = []
            for job in [*bulk.row_jobs(built, provenance), ("end",)]:
                if table and (job[0] != table[-1][0] or job[1] != table[-1][1]):
                    t0 = time.perf_counter()
                    for j in table:
                        writer.nodes_done() if j[0] == "nodes_done" else writer.create(*j)
                    spent += time.perf_counter() - t0
                    table = []
                table.append(job)
        writer.commit(model())
    return spent


def run_merge_ceiling(settings: Settings, data: Path, batch_size: int) -> float:
    """Seconds in the raw UNWIND ... MERGE statements of the canonical templates, the rows
    read, validated and batched in advance (per file), only the sending timed."""
    spent = 0.0
    with open_store(settings) as store:
        store.ensure_schema()
        plans, _ = plan_files(discover([data]), None)
        for plan in plans:
            params = {"source": plan.name, "load_id": "ceiling", "loaded_at": 0}
            statements = []
            for batch, _n in _batches(plan, batch_size, FileReport(plan.name, plan.kind.name), None, {}):
                batch = rates.apply(rates.Rates(), plan.kind.name, batch)   # as the loader does
                for w in plan.kind.writes:
                    subset = batch if not w.when else [r for r in batch if r.get(w.when) is not None]
                    if subset:
                        statements.append((w.query, {"rows": subset, **params}))
            t0 = time.perf_counter()
            for name, p in statements:
                store.write(name, p)
            spent += time.perf_counter() - t0
    return spent


def run_analysis(settings: Settings, data: Path, truth: dict, checks: int, expansions: int) -> dict:
    out: dict = {"detections": {}, "risk": [], "expand": []}
    with open_store(settings) as store:
        store.queries.get("silent_sufferers")
        for name in detections.names():
            if detections.get(name).needs_input:
                continue
            t0 = time.perf_counter()
            results = detections.run(store, name)
            secs = time.perf_counter() - t0
            scorer = getattr(detections.module(name), "quality", None)
            out["detections"][name] = {"seconds": secs, "results": len(results),
                                       "quality": scorer(results, truth) if scorer else {}}
            print(f"  {name}: {secs:.2f} s, {len(results):,} results", flush=True)
        todo = pending_transfers(data, truth, checks, seed=7)
        t0 = time.perf_counter()
        detections.run(store, "transfer_risk", todo[0])       # builds the exposure index
        out["risk_build_s"] = time.perf_counter() - t0
        for check in todo:
            t0 = time.perf_counter()
            detections.run(store, "transfer_risk", check)
            out["risk"].append((time.perf_counter() - t0) * 1000)
        plan = targets(data, truth, expansions, seed=11)
        explore.expand(store, plan[0][0])
        for node_id, skip in plan:
            t0 = time.perf_counter()
            explore.expand(store, node_id, skip=skip)
            out["expand"].append((time.perf_counter() - t0) * 1000)
    print(f"  transfer_risk p99 {percentile(out['risk'], 99):.2f} ms; expand p95 {percentile(out['expand'], 95):.1f} ms",
          flush=True)
    return out


# -- the report -----------------------------------------------------------------------------

def render(args, data: Path, results: dict[str, dict]) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    names = list(results)
    first = results[names[0]]["load"]
    cmd = f"python bench/stack_bench.py --accounts {args.accounts} --seed {args.seed}"
    cmd += (" --merge-ceiling" if args.merge_ceiling else "") + f" --checks {args.checks} --expansions {args.expansions}"
    lines = [f"### Both engines side by side, {args.accounts:,} accounts (seed {args.seed}) — "
             f"{datetime.now(timezone.utc):%Y-%m-%d}, commit {commit}", "",
             f"Command: `{cmd}`  ",
             f"Machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
             f"{platform.python_implementation()} {platform.python_version()}; "
             + "; ".join(f"{n}: {r['load']['version']}" for n, r in results.items())
             + (f"; Neo4j heap {args.heap}, page cache {args.pagecache_mb} MB" if "neo4j" in results else "")
             + f"; {first['rows']:,} input rows, {first['elements']:,} nodes and relationships", "",
             "| measure | " + " | ".join(names) + " | target |", "|---|" + "---:|" * len(names) + "---|"]

    def row(label, values, target=""):
        lines.append(f"| {label} | " + " | ".join(values) + f" | {target} |")

    row("loader, seconds (path)", [f"{r['load']['seconds']:.1f} ({r['load']['path']})" for r in results.values()])
    row("loader, input rows/s", [f"{r['load']['rows'] / r['load']['seconds']:,.0f}" for r in results.values()])
    row("first-load ceiling, seconds", [f"{r['ceiling']:.1f}" for r in results.values()])
    row("loader / ceiling", [f"{100 * r['ceiling'] / r['load']['seconds']:.0f}%" for r in results.values()], ">= 80%")
    if args.merge_ceiling:
        row("raw UNWIND MERGE ceiling, seconds", [f"{r['merge_ceiling']:.1f}" for r in results.values()])
    for name in results[names[0]]["analysis"]["detections"]:
        target = TARGETS_S.get(name)
        row(f"{name}, seconds", [f"{r['analysis']['detections'][name]['seconds']:.2f}" for r in results.values()],
            f"< {target:.0f} s" if target else "")
    row("transfer_risk p50 / p99 ms", [f"{percentile(r['analysis']['risk'], 50):.2f} / "
                                       f"{percentile(r['analysis']['risk'], 99):.2f}" for r in results.values()],
        f"p99 < {TARGET_RISK_P99_MS:.0f} ms")
    row("transfer_risk exposure index build, s", [f"{r['analysis']['risk_build_s']:.2f}" for r in results.values()])
    row("explorer expand p95 ms", [f"{percentile(r['analysis']['expand'], 95):.1f}" for r in results.values()],
        f"< {TARGET_P95_MS:.0f} ms")
    same = {n: {d: v["results"] for d, v in r["analysis"]["detections"].items()} for n, r in results.items()}
    lines += ["", "Results per detection " + ("are the same on both engines." if len({json.dumps(v, sort_keys=True)
                                                                                        for v in same.values()}) == 1
                                               else f"differ: {json.dumps(same)}")]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    dataset_options(ap)
    ap.add_argument("--engines", default="embedded,neo4j", help="comma-separated: embedded, neo4j")
    ap.add_argument("--neo4j", default=None, help="an empty Neo4j to use instead of starting one (bolt://...)")
    ap.add_argument("--heap", default="4g", help="the started Neo4j's Java heap")
    ap.add_argument("--pagecache-mb", type=int, default=6144, help="the started Neo4j's page cache")
    ap.add_argument("--merge-ceiling", action="store_true", help="also time the raw UNWIND MERGE statements (slow)")
    ap.add_argument("--batch-size", type=int, default=Settings.load().batch_size)
    ap.add_argument("--checks", type=int, default=10_000, help="transfer_risk checks to time")
    ap.add_argument("--expansions", type=int, default=500, help="random nodes to expand")
    ap.add_argument("--record", action="store_true", help="append the report to bench/RESULTS.md")
    args = ap.parse_args()
    data = dataset(args)
    truth = json.loads((data / "truth.json").read_text())
    results: dict[str, dict] = {}
    for name in args.engines.split(","):
        engine = Engine(name, args.work, args.neo4j, args.heap, args.pagecache_mb)
        try:
            print(f"{name}: loading", flush=True)
            settings = engine.fresh()
            r = {"load": run_loader(settings, data)}
            print(f"{name}: loader {r['load']['seconds']:.1f} s ({r['load']['path']}); analysing", flush=True)
            r["analysis"] = run_analysis(settings, data, truth, args.checks, args.expansions)
            r["ceiling"] = run_first_load_ceiling(engine.fresh(), data)
            print(f"{name}: first-load ceiling {r['ceiling']:.1f} s", flush=True)
            if args.merge_ceiling:
                r["merge_ceiling"] = run_merge_ceiling(engine.fresh(), data, args.batch_size)
                print(f"{name}: raw MERGE ceiling {r['merge_ceiling']:.1f} s", flush=True)
            results[name] = r
        finally:
            engine.close()
    text = render(args, data, results)
    publish(text, args.record)


if __name__ == "__main__":
    main()
