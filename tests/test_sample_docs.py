"""docs/sample-data.md must keep up with the generator: every key of truth.json (and of its
confounders and params) and every file the generator writes is mentioned, in backticks."""
from __future__ import annotations

import json

import pytest

from casegraph.generate import generate
from tests.support import REPO

DOC = REPO / "docs" / "sample-data.md"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    summary = generate(out, 1000, 3)
    return json.loads((out / "truth.json").read_text(encoding="utf-8")), summary


def _missing(names) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return [name for name in names if f"`{name}`" not in text]


def test_every_truth_key_is_documented(generated):
    truth, _ = generated
    assert truth["confounders"] and truth["params"]
    assert _missing(truth) == []
    assert _missing(truth["confounders"]) == []
    assert _missing(truth["params"]) == []


def test_every_generated_file_is_documented(generated):
    _, summary = generated
    assert _missing(list(summary) + ["truth.json"]) == []
