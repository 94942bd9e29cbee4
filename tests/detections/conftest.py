"""A generated, loaded dataset per (accounts, seed), shared by every detection's quality
tests: detections are scored against the generator's truth.json on two seeds and two sizes."""
from __future__ import annotations

import json

import pytest

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
