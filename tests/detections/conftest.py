"""A generated, loaded dataset per (accounts, seed), shared by every detection's quality
tests: detections are scored against the generator's truth.json on two seeds and two sizes."""
from __future__ import annotations

import json
import sys
import time

import pytest

from casegraph import detections
from casegraph.generate import generate
from casegraph.settings import Settings
from casegraph.state import open_state
from casegraph.store import GraphStore, open_backend
from casegraph.loaders.pipeline import load

DATASETS = [(1500, 11), (1500, 12), (5000, 11), (5000, 12)]


@pytest.fixture(scope="session", params=DATASETS, ids=[f"{n}acc-seed{s}" for n, s in DATASETS])
def loaded(request, embedded_dir, tmp_path_factory):
    n, seed = request.param
    d = tmp_path_factory.mktemp(f"d{n}_{seed}")
    generate(d, n, seed)
    settings = Settings.load(db=f"embedded:{embedded_dir}", graph=f"detect_{n}_{seed}",
                             state=f"sqlite:///{d / 'state.sqlite'}")
    store = GraphStore(open_backend(settings), settings)
    report = load(store, open_state(settings.state_url()), [d], rejects_dir=d / "rej")
    assert report.ok
    yield store, json.loads((d / "truth.json").read_text()), settings
    store.backend._graph.delete()
    store.close()




def timed_run(store, name, params=None):
    """(results, seconds) of one detection through the registry, as the CLI runs it."""
    t0 = time.perf_counter()
    results = detections.run(store, name, params)
    return results, time.perf_counter() - t0


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
