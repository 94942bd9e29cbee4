"""docs/detections.md stays in step with the code: its reference part is what the
detections and their templates say, and the quality table covers every scored detection."""
from __future__ import annotations

import pytest

from casegraph import detections
from casegraph.detections import _docs
from tests.support import REPO

DOC = REPO / "docs" / "detections.md"
HOW = "regenerate it: .venv/bin/python scripts/detection_quality.py"


def test_reference_matches_the_code():
    assert _docs.section(DOC.read_text(), _docs.CATALOGUE) == _docs.render_catalogue(), HOW


def test_quality_table_covers_every_scored_detection():
    table = _docs.section(DOC.read_text(), _docs.QUALITY)
    scored = [n for n in detections.names()
              if hasattr(detections.module(n), "quality") and not detections.get(n).needs_input]
    missing = [n for n in scored if f"| `{n}` |" not in table]
    assert not missing, f"no measured quality for {missing}: {HOW}"


def test_generated_blocks_replace_only_their_own_part():
    text = "intro\n<!-- generated:quality:start -->\nold\n<!-- generated:quality:end -->\nend\n"
    out = _docs.replace(text, _docs.QUALITY, "new\n")
    assert out == "intro\n<!-- generated:quality:start -->\nnew\n<!-- generated:quality:end -->\nend\n"
    with pytest.raises(ValueError, match="no <!-- generated:catalogue:start -->"):
        _docs.section(text, _docs.CATALOGUE)


def test_quality_table_lists_each_measurement():
    rows = [{"detection": "mules", "dataset": "5,000 accounts, seed 1", "seconds": 0.5,
             "quality": {"found": 3, "expected": 3, "precision": 1.0, "recall": 1.0, "confounders_flagged": 0}}]
    table = _docs.render_quality(rows, "python scripts/detection_quality.py", "2026-01-01")
    assert "| detection | dataset | found | expected | precision | recall | seconds | more |" in table
    assert "| `mules` | 5,000 accounts, seed 1 | 3 | 3 | 1.0 | 1.0 | 0.50 | confounders_flagged 0 |" in table
    assert "`trace_funds`, `transfer_risk` check one input" in table
