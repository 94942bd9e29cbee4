"""The repository names no particular machine's folders (the commands in bench/RESULTS.md
and the docs must run anywhere) and links only to documents it holds."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MACHINE_PATH = re.compile(r"(?<![\w.])(/root/|/home/[a-z]|/Users/|/work/|[A-Z]:\\\\Users)")


def tracked(*suffixes: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    return [REPO / p for p in out if p.endswith(suffixes)]


def test_no_machine_paths_in_tracked_text():
    files = tracked(".md", ".py", ".yaml", ".yml", ".toml", ".cypher", ".sh", ".mjs", ".json") + \
        [REPO / "scripts" / n for n in ("demo", "setup", "test")]
    assert len(files) > 100
    found = [f"{p.relative_to(REPO)}:{n}" for p in files if p.exists() and p != Path(__file__).resolve()
             for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             if MACHINE_PATH.search(line)]
    assert found == []


def test_markdown_links_point_at_files_in_the_repository():
    broken = []
    for doc in tracked(".md"):
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue                                   # http(s):, mailto:
            if not (doc.parent / target).resolve().is_relative_to(REPO) or not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(REPO)} -> {target}")
    assert broken == []
