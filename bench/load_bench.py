"""Load benchmark: the loader against the ceiling of the same server.

    python bench/load_bench.py --accounts 1000000 --seed 1

1. generates the sample dataset (skipped if --data already holds one),
2. loads it with `loaders.pipeline.load` into a fresh embedded store and records rows/s per
   file, total time and peak memory (this process and the FalkorDB server),
3. sends the very same rows as raw UNWIND statements straight to the same server (rows read,
   validated and serialised in advance, only the sending timed) into a fresh graph: the MERGE ceiling,
4. unless --merge: the bulk path's own ceiling, the same GRAPH.BULK commands encoded in advance
   and only their sending timed, into a fresh graph,
5. prints a Markdown report and, with --record, appends it to bench/RESULTS.md.

Not part of the test suite: targets live here, never in timed tests."""
from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from casegraph.settings import Settings  # noqa: E402
from casegraph.state import open_state  # noqa: E402
from casegraph.store import open_store  # noqa: E402
from casegraph.store.embedded import stop_server  # noqa: E402
from casegraph.store.falkordb import params_header  # noqa: E402
from casegraph.loaders.pipeline import FileReport, _batches, discover, load, plan_files  # noqa: E402
from casegraph.loaders import rates  # noqa: E402
from bench.common import dataset, dataset_options, publish  # noqa: E402


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _server_peak_mb(store) -> float:
    info = store.backend._db.connection.info("memory")
    return info["used_memory_peak"] / 2**20


def run_loader(settings: Settings, data: Path, batch_size: int, bulk: bool):
    with open_store(settings) as store:
        t0 = time.perf_counter()
        report = load(store, open_state(settings.state_url()), [data], batch_size=batch_size,
                      rejects_dir=data.parent / "rejects", bulk=bulk)
        total = time.perf_counter() - t0
        server_peak = _server_peak_mb(store)
        counts = store.counts()
    return report, total, server_peak, counts


def run_ceiling(settings: Settings, data: Path, batch_size: int) -> dict[str, tuple[int, float]]:
    """Per file: (rows, seconds spent sending pre-serialised UNWIND statements)."""
    out: dict[str, tuple[int, float]] = {}
    with open_store(settings) as store:
        store.ensure_schema()
        conn, graph = store.backend._db.connection, store.backend._graph_name
        plans, _ = plan_files(discover([data]), None)
        for plan in plans:
            statements = []
            params = {"source": plan.name, "load_id": "ceiling", "loaded_at": 0}
            rows = 0
            for batch, _n in _batches(plan, batch_size, FileReport(plan.name, plan.kind.name), None, {}):
                batch = rates.apply(rates.Rates(), plan.kind.name, batch)   # as the loader does
                rows += len(batch)
                for w in plan.kind.writes:
                    subset = batch if not w.when else [r for r in batch if r.get(w.when) is not None]
                    if subset:
                        text = store.queries.get(w.query).text_for("falkordb")
                        statements.append(params_header({"rows": subset, **params}) + text)
            t0 = time.perf_counter()
            for s in statements:
                conn.execute_command("GRAPH.QUERY", graph, s, "--compact")
            out[plan.name] = (rows, time.perf_counter() - t0)
            del statements
    return out


def built_for_ceiling(data: Path):
    """The graph the bulk path builds from `data`, and its provenance, prepared outside any
    timing (the ceilings time only the sending)."""
    from casegraph.loaders import bulk
    from casegraph.loaders.pipeline import FileReport as FR, _columns_of, _valid_rows
    plans, _ = plan_files(discover([data]), None)
    inputs = []
    for i, plan in enumerate(plans):
        try:
            df, _n = bulk.read_fast(plan)
        except bulk.SlowPath:
            df = bulk.frame_from_rows(plan, _columns_of(_valid_rows(plan, FR(plan.name, plan.kind.name), None, {}),
                                                        plan))
        df = rates.apply_frame(rates.Rates(), plan.kind.name, bulk.combine_by_key(df, plan))   # as the loader does
        inputs.append(bulk.FileInput(i, plan, df, plan.name, "ceiling", 0))
    return bulk.build(inputs), {fi.index: (fi.source, fi.load_id, 0) for fi in inputs}


def run_bulk_ceiling(settings: Settings, data: Path) -> tuple[float, int, int]:
    """Seconds spent in the GRAPH.BULK commands alone (encoded in advance), bytes, commands."""
    from casegraph.model import model
    from casegraph.loaders import bulk
    built, provenance = built_for_ceiling(data)
    cmds = list(bulk.commands(bulk.tokens(built, provenance)))
    del built
    with open_store(settings) as store:
        writer = store.backend.bulk_writer()
        writer.begin()
        t0 = time.perf_counter()
        for c in cmds:
            writer.send(*c)
        secs = time.perf_counter() - t0
        size = sum(sum(map(len, c[2])) + sum(map(len, c[3])) for c in cmds)
        writer.commit(model())
    return secs, size, len(cmds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    dataset_options(ap)
    ap.add_argument("--batch-size", type=int, default=Settings.load().batch_size)
    ap.add_argument("--record", action="store_true", help="append the report to bench/RESULTS.md")
    ap.add_argument("--merge", action="store_true", help="force the MERGE path (the loader before the bulk path)")
    ap.add_argument("--no-merge-ceiling", action="store_true", help="skip the (slow) MERGE UNWIND ceiling")
    args = ap.parse_args()

    data = dataset(args)
    db_dir = args.work / f"db-{os.getpid()}"
    uri = f"embedded:{db_dir}"
    try:
        loader_settings = Settings.load(db=uri, graph="loader", state=f"sqlite:///{args.work}/state-{os.getpid()}.sqlite")
        load_avg = [os.getloadavg()[0]]   # other work on the machine skews the figures
        report, total, server_peak, counts = run_loader(loader_settings, data, args.batch_size, not args.merge)
        load_avg.append(os.getloadavg()[0])
        rss = _rss_mb()
        print(f"loader: {total:.1f} s, peak RSS {rss:,.0f} MB", flush=True)
        with open_store(loader_settings) as store:
            store.backend._graph.delete()  # the ceiling gets the server to itself
        bulk_ceiling = None
        if not args.merge:
            bulk_ceiling = run_bulk_ceiling(Settings.load(db=uri, graph="bulk_ceiling"), data)
            print(f"bulk ceiling: {bulk_ceiling[0]:.1f} s", flush=True)
            with open_store(Settings.load(db=uri, graph="bulk_ceiling")) as store:
                store.backend._graph.delete()
        ceiling = {} if args.no_merge_ceiling else run_ceiling(Settings.load(db=uri, graph="ceiling"), data,
                                                                args.batch_size)
    finally:
        stop_server(db_dir)
    text = render(args, report, total, rss, server_peak, counts, ceiling, bulk_ceiling, load_avg)
    publish(text, args.record)


def render(args, report, total, rss, server_peak, counts, ceiling, bulk_ceiling=None, load_avg=None) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    rels = sum(counts["relationships"].values())
    nodes = sum(counts["nodes"].values())
    lines = [f"### Load, {args.accounts:,} accounts (seed {args.seed}) — {datetime.now(timezone.utc):%Y-%m-%d}, commit {commit}",
             "",
             f"Command: `python bench/load_bench.py --accounts {args.accounts} --seed {args.seed} --batch-size {args.batch_size}"
             f"{' --merge' if args.merge else ''}{' --no-merge-ceiling' if args.no_merge_ceiling else ''}`  ",
             f"Path: {'MERGE (forced)' if args.merge else 'bulk first load (GRAPH.BULK)'}"
             f"{'' if args.no_merge_ceiling else ', MERGE UNWIND statements for the ceiling'}  ",
             f"Machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
             f"{platform.python_implementation()} {platform.python_version()}, embedded FalkorDB"
             + (f"; load average (1 min) {load_avg[0]:.1f} before the load, {load_avg[1]:.1f} after" if load_avg else ""),
             "",
             f"Graph: {nodes:,} nodes, {rels:,} relationships. **Loader total: {total:.1f} s** "
             f"(target < 180 s). Peak memory: loader process {rss:,.0f} MB, FalkorDB server {server_peak:,.0f} MB.",
             "",
             "| file | rows | loader s | loader rows/s | ceiling s | ceiling rows/s | loader / ceiling |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    if not ceiling:   # --no-merge-ceiling: only the loader's columns
        lines[-2:] = ["| file | rows | loader s | loader rows/s |", "|---|---:|---:|---:|"]
    t_loader = t_ceiling = 0.0
    for f in report.files:
        rows, secs = ceiling.get(f.file, (0, 0.0))
        t_loader += f.seconds
        t_ceiling += secs
        ratio = (secs / f.seconds) if f.seconds else 0
        lines.append(f"| {f.file} | {f.rows_read:,} | {f.seconds:.1f} | {f.rows_per_s:,.0f} |" + (
            f" {secs:.1f} | {rows / secs if secs else 0:,.0f} | {ratio:.0%} |" if ceiling else ""))
    total_rows = sum(f.rows_read for f in report.files)
    lines.append(f"| **all** | {total_rows:,} | {t_loader:.1f} | {total_rows / t_loader:,.0f} |" + (
        f" {t_ceiling:.1f} | {total_rows / t_ceiling if t_ceiling else 0:,.0f} | **{t_ceiling / t_loader:.0%}** |"
        if ceiling else ""))
    if bulk_ceiling:
        secs, size, n = bulk_ceiling
        lines.append("")
        lines.append(f"Bulk ceiling (the bulk path's own limit): the same {n} GRAPH.BULK commands ({size / 2**20:,.0f} MB), "
                     f"encoded in advance, sent into a fresh graph: **{secs:.1f} s** ({total_rows / secs:,.0f} rows/s); "
                     f"loader / bulk ceiling: **{secs / total:.0%}** (loader total {total:.1f} s includes reading, "
                     "validating, building and encoding). Per-file loader seconds on the bulk path are the file's "
                     "reading time plus a share, by rows, of the build and write time.")
    if ceiling:
        lines.append("")
        lines.append("Ceiling: the same validated rows, serialised in advance, sent as the same UNWIND statements "
                     "straight to the same server (only the sending is timed). Target: loader >= 80% of the ceiling.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
