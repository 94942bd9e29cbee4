"""What the typology detections' tests share (cycles, fan_in, fan_out, scatter_gather, layering, all
over casegraph/detections/_flows.py): scoring one against a generated dataset's truth, and
hand-written money_links rows for its find() with its parameters bound."""
from __future__ import annotations

from casegraph import detections
from casegraph.detections import _flows as fl
from tests.support import timed_run

H = 3_600_000
DAY = 24 * H
T0 = 1_700_000_000_000


def mv(src, dst, kind, at, value, asset=None, tx=None):
    """One money_links row at `at` (epoch ms): k is the kind, the asset when not USD, a space, the tx."""
    tx = tx or f"{src}-{dst}-{at}"
    return {"src": src, "dst": dst, "at": at, "value": value, "k": f"{kind}{asset or ''} {tx}"}


def mv_hours(src, dst, kind, hours, value, asset=None, tx=None):
    """One money_links row `hours` after T0 (the tx named by the hours)."""
    return mv(src, dst, kind, T0 + int(hours * H), value, asset, tx or f"{src}-{dst}-{hours}")


def run(name, rows, **given):
    """Detection `name`'s find() on the rows, with its defaults and the given parameters."""
    return detections.module(name).find(fl.moves(rows), **detections.get(name).bind(given))


def scored(store, truth, name):
    """Detection `name` run on a generated dataset as the CLI runs it, scored against the planted
    truth: the typology is planted, found with precision and recall of at least 0.9, and none of the
    confounders its quality() names is reported. The results, for each test's own checks."""
    results, seconds = timed_run(store, name)
    assert truth["typologies"][name], f"the dataset must plant {name}"
    q = detections.module(name).quality(results, truth)
    print(f"\n{name}: {q}, {seconds:.2f}s")
    assert q["precision"] >= 0.9 and q["recall"] >= 0.9
    assert q["confounders_flagged"] == 0
    return results
