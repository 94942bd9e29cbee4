"""Scoring detection results against the generator's truth.json: used by the tests
(thresholds) and by scripts/detection_quality.py (the table in docs/detections.md)."""
from __future__ import annotations

from typing import Iterable


def precision_recall(found: Iterable[str], expected: Iterable[str]) -> dict[str, float | int]:
    """Member-level precision and recall; an empty result has precision 0 unless nothing was expected."""
    found, expected = set(found), set(expected)
    tp = len(found & expected)
    return {"found": len(found), "expected": len(expected),
            "precision": round(tp / len(found), 4) if found else (1.0 if not expected else 0.0),
            "recall": round(tp / len(expected), 4) if expected else 1.0}


def confounders_hit(found: Iterable[str], truth: dict, *keys: str) -> int:
    """How many of the found ids are on the named confounder lists (mistakes the data provokes)."""
    found = set(found)
    return sum(len(found & set(truth["confounders"].get(k, []))) for k in keys)
