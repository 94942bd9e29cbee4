"""Generated datasets per (accounts, seed), shared by every detection's quality tests on every
backend: detections are scored against the generator's truth.json on two seeds and two sizes,
on the embedded store and on Neo4j alike.

Each dataset is generated once and loaded once per backend. `dataset` is session-scoped and
parametrised over (dataset x backend), so pytest runs the tests of one instance together and
the shared Neo4j database is loaded once per dataset; `loaded` re-claims the database for each
test (a no-op while it holds that dataset), so that no test depends on the order they run in."""
from __future__ import annotations

import os

import pytest

from casegraph.generate import generate
from tests.support import Loaded, alert_keys, dataset_name, load_on_embedded, load_on_neo4j

DATASETS = [(1500, 11), (1500, 12), (5000, 11), (5000, 12)]
BACKENDS = ["embedded", "neo4j"]
ON = [(d, b) for d in DATASETS for b in BACKENDS]


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """(accounts, seed) -> the folder of that dataset's files, generated at the first ask (once
    per run: every backend loads the same files)."""
    folders = {}

    def get(accounts: int, seed: int):
        if (accounts, seed) not in folders:
            folder = tmp_path_factory.mktemp(f"d{accounts}_{seed}")
            generate(folder, accounts, seed)
            folders[accounts, seed] = folder
        return folders[accounts, seed]
    return get


@pytest.fixture(scope="session")
def on_embedded(generated, embedded_dir, tmp_path_factory):
    """(accounts, seed) -> the dataset in an embedded graph of its own, loaded at the first ask
    and kept to the session's end (the reference the Neo4j answers are compared with)."""
    made: dict[tuple[int, int], Loaded] = {}

    def get(accounts: int, seed: int) -> Loaded:
        if (accounts, seed) not in made:
            made[accounts, seed] = load_on_embedded(
                dataset_name(accounts, seed), generated(accounts, seed),
                tmp_path_factory.mktemp(f"embedded_{accounts}_{seed}"), embedded_dir,
                graph=f"detect_{os.getpid()}_{accounts}_{seed}")
        return made[accounts, seed]
    yield get
    for loaded in made.values():
        loaded.store.backend._graph.delete()
        loaded.store.close()


@pytest.fixture(scope="session", params=ON, ids=[f"{dataset_name(*d)}-{b}" for d, b in ON])
def dataset(request, generated, on_embedded, tmp_path_factory):
    """One dataset on one backend (a Loaded); the Neo4j instance claims the shared database."""
    (accounts, seed), backend = request.param
    if backend == "embedded":
        yield on_embedded(accounts, seed)
        return
    loaded = load_on_neo4j(dataset_name(accounts, seed), generated(accounts, seed),
                           tmp_path_factory.mktemp(f"neo4j_{accounts}_{seed}"), request.getfixturevalue("neo4j_db"))
    yield loaded
    loaded.store.close()


@pytest.fixture
def loaded(dataset):
    """(store, truth, settings) of the test's dataset and backend, the store holding it now."""
    dataset.claim()
    return dataset.store, dataset.truth, dataset.settings


@pytest.fixture(scope="session")
def embedded_answers(on_embedded):
    """(accounts, seed) -> every detection's alert keys and scores on the embedded store (once each)."""
    answers = {}

    def get(accounts: int, seed: int):
        if (accounts, seed) not in answers:
            answers[accounts, seed] = alert_keys(on_embedded(accounts, seed))
        return answers[accounts, seed]
    return get
