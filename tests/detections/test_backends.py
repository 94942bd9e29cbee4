"""Every detection gives the same answer on every backend: the same generated dataset is
loaded into each store (embedded always; Neo4j through testcontainers when Docker is
reachable) and each detection's alert keys must equal those of a reference embedded store.
On the embedded backend this also proves the answers are deterministic."""
from __future__ import annotations

import pytest

from casegraph import detections
from casegraph.generate import generate
from casegraph.settings import Settings
from casegraph.state import open_state
from casegraph.store import GraphStore, open_backend
from casegraph.loaders.pipeline import load

ACCOUNTS, SEED = 1000, 21


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    d = tmp_path_factory.mktemp("backends")
    generate(d, ACCOUNTS, SEED)
    return d


def _answers(store, data, state_url) -> dict[str, list[str]]:
    assert load(store, open_state(state_url), [data], rejects_dir=data / "rej").ok
    out = {}
    for name in detections.names():
        d = detections.get(name)
        out[name] = sorted(detections.entity_key(d, r) for r in detections.run(store, name))
    return out


@pytest.fixture(scope="module")
def reference(dataset, embedded_dir, tmp_path_factory):
    settings = Settings.load(db=f"embedded:{embedded_dir}", graph="backends_reference",
                             state=f"sqlite:///{tmp_path_factory.mktemp('ref') / 'state.sqlite'}")
    store = GraphStore(open_backend(settings), settings)
    try:
        yield _answers(store, dataset, settings.state_url())
    finally:
        store.backend._graph.delete()
        store.close()


def test_same_answers_on_every_backend(any_store, dataset, reference):
    answers = _answers(any_store, dataset, any_store.settings.state_url())
    assert answers == reference
    assert any(answers.values()), "the dataset must give the detections something to find"
