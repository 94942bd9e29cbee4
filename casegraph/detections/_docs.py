"""docs/detections.md is partly generated: the reference of every detection (from its
module docstring and its template's header) and the quality table (from
scripts/detection_quality.py, which scores each detection against truth.json).
Generated parts sit between marker comments; everything else in the file is prose."""
from __future__ import annotations

import inspect
import re
from typing import Any

from casegraph import detections
from casegraph.catalogue import catalogue

CATALOGUE = "catalogue"
QUALITY = "quality"


def _markers(part: str) -> tuple[str, str]:
    return f"<!-- generated:{part}:start -->", f"<!-- generated:{part}:end -->"


def render_catalogue() -> str:
    """One section per detection: what it looks for, its level and its parameters."""
    cat = catalogue()
    out = []
    for name in detections.names():
        d = detections.get(name)
        doc = inspect.cleandoc(detections.module(name).__doc__ or d.summary)
        out.append(f"### `{name}` — {d.level} level\n\n{doc}\n")
        # a runner's parameters are its own (documented in its docstring); a plain
        # detection's are its template's header
        params = cat.get(d.query).params if d.runner is None and d.query in cat else ()
        if params:
            out.append("| parameter | type | default | meaning |\n|---|---|---|---|")
            for p in params:
                default = "required" if p.required else f"`{p.default}`"
                out.append(f"| `{p.name}` | {p.type} | {default} | {p.help} |")
            out.append("")
        out.append(f"Run: `casegraph detect {name}" + "".join(f" --param {p.name}=…" for p in params if p.required)
                   + " --format json`\n")
    return "\n".join(out).rstrip() + "\n"


def render_quality(rows: list[dict[str, Any]], command: str, when: str) -> str:
    """The measured table: one row per detection and dataset."""
    extra = sorted({k for r in rows for k in r["quality"]} - {"found", "expected", "precision", "recall"})
    head = ["detection", "dataset", "found", "expected", "precision", "recall", *extra, "seconds"]
    lines = [f"Produced by `{command}` on {when}.\n",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        q = r["quality"]
        cells = [f"`{r['detection']}`", r["dataset"], *(q.get(k, "") for k in head[2:-1]), f"{r['seconds']:.2f}"]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    checks = [n for n in detections.names() if detections.get(n).needs_input]
    if checks:
        lines.append("\n" + ", ".join(f"`{n}`" for n in checks) + " check one input (a pending transfer, a "
                     "trace's start) rather than sweep the graph: their tests score them on the same "
                     "datasets (tests/detections/).")
    return "\n".join(lines) + "\n"


def section(text: str, part: str) -> str:
    """The generated part of `text` between its markers."""
    start, end = _markers(part)
    m = re.search(re.escape(start) + r"\n(.*?)" + re.escape(end), text, re.S)
    if not m:
        raise ValueError(f"docs/detections.md has no {start} ... {end} block")
    return m.group(1)


def replace(text: str, part: str, body: str) -> str:
    start, end = _markers(part)
    section(text, part)
    return re.sub(re.escape(start) + r"\n.*?" + re.escape(end), lambda _: f"{start}\n{body}{end}", text, flags=re.S)
