"""Every detection gives the same answer on every backend: on each generated dataset
(tests/detections/conftest.py), each detection's alerts on Neo4j (their keys,
detections.entity_key, with their scores, in the order the detection ranks them) equal those on
the embedded store. On the embedded store, running again gives the same answers: they are
deterministic."""
from __future__ import annotations

from tests.support import alert_keys


def test_same_alerts_on_every_backend(loaded, embedded_answers):
    store, truth, _ = loaded
    answers = alert_keys(store)
    assert answers == embedded_answers(truth["params"]["accounts"], truth["params"]["seed"])
    assert any(answers.values()), "the dataset must give the detections something to find"
