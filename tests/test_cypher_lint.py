"""Neo4j's own Cypher linter over the Neo4j-dialect catalogue (cypher/ with the
cypher/neo4j/ overrides, without cypher/falkordb/).

Needs Node.js and scripts/cypher-lint/node_modules, which `bash scripts/test`
installs. Without them these tests FAIL rather than skip: CI must never pass
without having linted the catalogue."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import REPO

LINT_DIR = REPO / "scripts" / "cypher-lint"
LINT = LINT_DIR / "lint.mjs"
CATALOGUE = REPO / "cypher"
DIALECTS = ("falkordb", "neo4j")
HOW_TO_FIX = ("run the test command, `bash scripts/test`, which installs Node.js and the linter "
              "(scripts/cypher-lint: npm ci)")


def _node() -> str:
    node = shutil.which("node")
    if not node:
        pytest.fail(f"Node.js (`node`) is not on PATH, so the Cypher catalogue cannot be linted: {HOW_TO_FIX}",
                    pytrace=False)
    if not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        pytest.fail(f"{LINT_DIR / 'node_modules'} has no @neo4j-cypher/language-support, so the Cypher "
                    f"catalogue cannot be linted: {HOW_TO_FIX}", pytrace=False)
    return node


def _lint(root: Path) -> tuple[int, dict, str]:
    proc = subprocess.run([_node(), str(LINT), str(root)], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"lint.mjs printed no JSON (exit {proc.returncode})\nstdout:\n{proc.stdout}\n"
                    f"stderr:\n{proc.stderr}", pytrace=False)
    return proc.returncode, report, proc.stderr


def _neo4j_catalogue_size(root: Path) -> int:
    """How many files lint.mjs should lint: shared files, with neo4j/ files
    replacing a shared file of the same path or name, or added."""
    rels = [p.relative_to(root) for p in root.rglob("*.cypher")]
    shared = [r for r in rels if len(r.parts) == 1 or r.parts[0] not in DIALECTS]
    extra = 0
    for p in (root / "neo4j").rglob("*.cypher") if (root / "neo4j").is_dir() else ():
        inner = p.relative_to(root / "neo4j")
        if inner not in shared and sum(s.name == p.name for s in shared) != 1:
            extra += 1
    return len(shared) + extra


def test_catalogue_passes_neo4j_linter():
    code, report, stderr = _lint(CATALOGUE)
    errors = "\n".join(f"  cypher/{e['file']}:{e['line']}:{e['column']}: {e['message']}"
                       for e in report["errors"])
    assert code == 0 and not report["errors"], (
        f"Neo4j's Cypher linter found errors in the catalogue (exit {code}):\n{errors}\n{stderr}")
    expected = _neo4j_catalogue_size(CATALOGUE)
    assert report["files"] == expected, f"linted {report['files']} files, expected {expected}"
    if any(CATALOGUE.rglob("*.cypher")):
        assert report["files"] > 0


def test_linter_fails_on_a_broken_query(tmp_path):
    (tmp_path / "fine.cypher").write_text(
        "// title: fine\n// mode: read\nMATCH (a:Account {account_id: $account_id})\nRETURN a\n",
        encoding="utf-8")
    (tmp_path / "broken.cypher").write_text(
        "// title: broken\n// mode: read\nMATCH (a:Account {account_id: $account_id}\nRETURN a\n",
        encoding="utf-8")
    # FalkorDB-only text is skipped: it never runs on Neo4j.
    (tmp_path / "falkordb").mkdir()
    (tmp_path / "falkordb" / "fine.cypher").write_text(
        "// title: fine\nCALL algo.BFS(null, 2, 'X') YIELD nodes\nRETURN nodes\n", encoding="utf-8")
    code, report, _ = _lint(tmp_path)
    assert code == 1, report
    assert report["files"] == 2, report
    assert report["errors"], report
    assert {e["file"] for e in report["errors"]} == {"broken.cypher"}, report
    assert all(e["line"] >= 3 for e in report["errors"]), report
