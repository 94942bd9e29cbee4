"""Score every detection against the generator's truth.json and write the quality table
(and the detection reference) into docs/detections.md.

    .venv/bin/python scripts/detection_quality.py                 # 5,000 and 20,000 accounts, seeds 1 and 2
    .venv/bin/python scripts/detection_quality.py --sizes 2000 --seeds 3 --no-write

Each dataset is generated into a temporary folder and loaded into its own graph on a
temporary embedded FalkorDB; every detection that defines quality() runs with its default
parameters. The tests assert the thresholds; this script only measures and writes."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from casegraph import detections  # noqa: E402
from casegraph.detections import _docs  # noqa: E402
from casegraph.generate import generate  # noqa: E402
from casegraph.settings import Settings  # noqa: E402
from casegraph.state import open_state  # noqa: E402
from casegraph.store import open_store  # noqa: E402
from casegraph.store.embedded import stop_server  # noqa: E402
from casegraph.loaders.pipeline import load  # noqa: E402

DOC = REPO / "docs" / "detections.md"


def measure(sizes: list[int], seeds: list[int]) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="casegraph-quality-") as tmp:
        db = Path(tmp) / "db"
        try:
            for n in sizes:
                for seed in seeds:
                    data = Path(tmp) / f"d{n}_{seed}"
                    generate(data, n, seed)
                    truth = json.loads((data / "truth.json").read_text())
                    settings = Settings.load(db=f"embedded:{db}", graph=f"q{n}_{seed}",
                                             state=f"sqlite:///{data / 'state.sqlite'}")
                    with open_store(settings) as store:
                        report = load(store, open_state(settings.state_url()), [data], rejects_dir=data / "rej")
                        if not report.ok:
                            raise SystemExit(f"loading {data} rejected rows: the generator and loader disagree")
                        for name in detections.names():
                            scorer = getattr(detections.module(name), "quality", None)
                            if scorer is None or detections.get(name).needs_input:
                                continue        # checks of one input are scored in their own tests
                            t0 = time.perf_counter()
                            results = detections.run(store, name)
                            seconds = time.perf_counter() - t0
                            quality = scorer(results, truth)
                            module = detections.module(name)
                            if hasattr(module, "roc_auc"):      # how well its score ranks, below the cut too
                                quality["roc_auc"] = module.roc_auc(module.candidates(store), truth)
                            rows.append({"detection": name, "dataset": f"{n:,} accounts, seed {seed}",
                                         "quality": quality, "seconds": seconds})
                            print(f"{name} {n} {seed}: {rows[-1]['quality']} {seconds:.2f}s", flush=True)
        finally:
            stop_server(str(db))
    rows.sort(key=lambda r: (r["detection"], r["dataset"]))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="5000,20000", help="comma-separated account counts")
    ap.add_argument("--seeds", default="1,2", help="comma-separated seeds")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/detections.md alone")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    seeds = [int(x) for x in args.seeds.split(",")]
    rows = measure(sizes, seeds)
    command = "python scripts/detection_quality.py" + (
        "" if (args.sizes, args.seeds) == ("5000,20000", "1,2") else f" --sizes {args.sizes} --seeds {args.seeds}")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    table = _docs.render_quality(rows, command, when)
    print(table)
    if not args.no_write:
        text = DOC.read_text()
        text = _docs.replace(text, _docs.CATALOGUE, _docs.render_catalogue())
        DOC.write_text(_docs.replace(text, _docs.QUALITY, table))
        print(f"wrote {DOC.relative_to(REPO)}")


if __name__ == "__main__":
    main()
