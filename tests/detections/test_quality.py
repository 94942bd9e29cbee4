"""The scoring used by the detection tests and the docs' quality table."""
from casegraph.detections._quality import confounders_hit, precision_recall


def test_precision_recall_counts_members():
    q = precision_recall(["a", "b", "c", "c"], ["b", "c", "d", "e"])
    assert q == {"found": 3, "expected": 4, "precision": 0.6667, "recall": 0.5}


def test_empty_results_are_not_perfect_when_something_was_expected():
    assert precision_recall([], ["a"])["precision"] == 0.0
    assert precision_recall([], [])["precision"] == 1.0 and precision_recall(["x"], [])["recall"] == 1.0


def test_confounders_hit_counts_each_list():
    truth = {"confounders": {"merchants": ["m1", "m2"], "payroll": ["p1"]}}
    assert confounders_hit(["m1", "p1", "z"], truth, "merchants", "payroll") == 2
    assert confounders_hit(["m1"], truth, "payroll") == 0
