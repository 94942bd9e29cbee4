"""docs/detections.md is partly generated: the reference of every detection (from its
module docstring and its DETECTION: level, domain, risk flag, parameters) and the quality table (from
scripts/detection_quality.py, which scores each detection against truth.json).
Generated parts sit between marker comments; everything else in the file is prose."""
from __future__ import annotations

import inspect
import json
import re
from typing import Any

from casegraph import detections
from casegraph.catalogue import Param

CATALOGUE = "catalogue"
QUALITY = "quality"


def _markers(part: str) -> tuple[str, str]:
    return f"<!-- generated:{part}:start -->", f"<!-- generated:{part}:end -->"


def render_catalogue() -> str:
    """One section per detection: what it looks for, its level, where its findings go, and
    its parameters (Detection.params: a template's header or a runner's own)."""
    out = []
    for name in detections.names():
        d = detections.get(name)
        doc = inspect.cleandoc(detections.module(name).__doc__ or d.summary)
        out.append(f"### `{name}` — {d.level} level\n\n{doc}\n")
        flag = f"; its open alerts flag their accounts `{d.risk_flag}` in the explorer" if d.risk_flag else ""
        out.append(f"Findings go to the `{d.domain}` domain{flag}.\n")
        if d.params:
            out.append("| parameter | type | default | allowed | meaning |\n|---|---|---|---|---|")
            for p in d.params:
                out.append(f"| `{p.name}` | {p.type} | {_default(p)} | {p.allowed} | {p.help} |")
            out.append("")
        out.append(f"Run: `casegraph detect {name}" + "".join(f" --param {p.name}=…" for p in d.params if p.required)
                   + " --format json`\n")
    return "\n".join(out).rstrip() + "\n"


def _default(p: Param) -> str:
    """A default as a user would type it after `--param name=`."""
    if p.required:
        return "required"
    if p.default is None:
        return "none"
    text = p.default if isinstance(p.default, str) else json.dumps(p.default)
    return f"`{text}`"


CORE = ("found", "expected", "precision", "recall")


def render_quality(rows: list[dict[str, Any]], command: str, when: str) -> str:
    """The measured table: one row per detection and dataset; what a detection measures
    beyond precision and recall (rings matched, ROC AUC, lift@K, confounders flagged...) in
    the last column."""
    head = ["detection", "dataset", *CORE, "seconds", "more"]
    lines = [f"Produced by `{command}` on {when}.\n",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        q = r["quality"]
        more = ", ".join(f"{k} {v}" for k, v in q.items() if k not in CORE)
        cells = [f"`{r['detection']}`", r["dataset"], *(q.get(k, "") for k in CORE), f"{r['seconds']:.2f}", more]
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
