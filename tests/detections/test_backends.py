"""Every detection gives the same answer on every backend: on each generated dataset
(tests/detections/conftest.py), each detection's alerts on Neo4j (their keys,
detections.entity_key, with their scores, in the order the detection ranks them) equal those on
the embedded store: the sweeps with their defaults, the checks of one input (trace_funds,
transfer_risk) on inputs from the generator's truth (tests/support.py `inputs`). On the embedded
store, running again gives the same answers: they are deterministic."""
from __future__ import annotations

from tests.support import alert_keys


def test_same_alerts_on_every_backend(dataset, loaded, embedded_answers):
    answers = alert_keys(dataset)
    made = dataset.truth["params"]
    expected = embedded_answers(made["accounts"], made["seed"])
    assert list(answers) == list(expected)
    assert {k: v for k, v in answers.items() if v != expected[k]} == {}
    assert all(answers[name] for name in ("rings", "mules", "scammer_links")), "the detections must find something"
    assert any(v for k, v in answers.items() if k.startswith("trace_funds "))
