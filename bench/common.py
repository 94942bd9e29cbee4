"""What the benchmarks share: the dataset options (--accounts, --seed, --work, --data), the
dataset they name (generated once into WORK when missing), and publishing a report."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"


def dataset_options(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=REPO / "bench" / "out", help="scratch folder (gitignored)")
    ap.add_argument("--data", type=Path, default=None, help="dataset folder (default: WORK/data-N-S)")


def dataset(args: argparse.Namespace) -> Path:
    """--data, or WORK/data-N-S, generated there first if it is not there yet."""
    from casegraph.generate import generate
    args.work.mkdir(parents=True, exist_ok=True)
    data = args.data or args.work / f"data-{args.accounts}-{args.seed}"
    if not (data / "truth.json").exists():
        t0 = time.perf_counter()
        generate(data, args.accounts, args.seed)
        print(f"generated {args.accounts:,} accounts in {time.perf_counter() - t0:.1f} s", flush=True)
    return data


def publish(text: str, record: bool) -> None:
    """Print the report; with --record also append it to bench/RESULTS.md."""
    print(text)
    if record:
        with open(RESULTS, "a") as fh:
            fh.write("\n" + text + "\n")
