"""Every Dash callback stays thin: at most MAX_ARGUMENTS inputs and states, and a
cyclomatic complexity (mccabe, as flake8 counts it) of at most MAX_COMPLEXITY; the work
is in pure functions with tests of their own. Measured on the callbacks the real app
registers, in a fresh interpreter (Dash keeps them in process-wide tables); clientside
callbacks have no Python body and are left out."""
from __future__ import annotations

import json
import subprocess
import sys

MAX_ARGUMENTS = 8
MAX_COMPLEXITY = 15

PROBE = r"""
import ast, inspect, json, sys, tempfile, textwrap
import dash._callback as registry
import mccabe
from casegraph import app as ui
from casegraph.settings import Settings
tmp = tempfile.mkdtemp()
ui.create_app(Settings.load(db=f"embedded:{tmp}/db", state=f"sqlite:///{tmp}/state.sqlite"))
out = []
for spec in registry.GLOBAL_CALLBACK_MAP.values():
    if "callback" not in spec:      # a clientside callback (JavaScript in app/assets/): no Python body
        continue
    fn = inspect.unwrap(spec["callback"])
    visitor = mccabe.PathGraphingAstVisitor()
    visitor.preorder(ast.parse(textwrap.dedent(inspect.getsource(fn))), visitor)
    out.append({"callback": f"{fn.__module__}.{fn.__qualname__}",
                "arguments": len(spec["inputs"]) + len(spec["state"]),
                "complexity": max(g.complexity() for g in visitor.graphs.values())})
json.dump(out, sys.stdout)
"""


def test_every_callback_is_thin(tmp_path):
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    pages = {c["callback"].rsplit(".", 1)[0] for c in found}
    assert {"casegraph.app.pages.explorer", "casegraph.app.pages.cases", "casegraph.app.pages.alerts",
            "casegraph.app.pages.queries", "casegraph.app.pages.audit"} <= pages, pages
    wide = [c for c in found if c["arguments"] > MAX_ARGUMENTS]
    knotted = [c for c in found if c["complexity"] > MAX_COMPLEXITY]
    assert wide == [] and knotted == [], {"too many inputs": wide, "too complex": knotted}
