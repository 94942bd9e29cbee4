"""casegraph installs as one import package: the wheel built from the repository holds
only `casegraph` (app/, api/, loaders/ and cypher/ inside it as casegraph.app, .api, .loaders and
.cypher), every source and data file of those folders, and imports from a folder that has
folders named app/, loaders/ and cypher/ of its own (which once shadowed the UI)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from casegraph.catalogue import catalogue

REPO = Path(__file__).resolve().parent.parent
FOLDERS = {"casegraph": "casegraph", "app": "casegraph/app", "api": "casegraph/api", "loaders": "casegraph/loaders",
           "cypher": "casegraph/cypher"}
SHIPPED = (".py", ".yaml", ".cypher", ".css", ".js")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    for folder in FOLDERS:
        shutil.copytree(REPO / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(out), str(src)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("casegraph-*.whl")
    return built


def test_the_wheel_holds_one_top_level_package_and_every_file(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"casegraph"}
    expected = {f"{inside}/{p.relative_to(REPO / folder).as_posix()}"
                for folder, inside in FOLDERS.items() for p in (REPO / folder).rglob("*")
                if p.suffix in SHIPPED and "__pycache__" not in p.parts}
    assert len(expected) > 140 and expected - set(names) == set()


def test_the_installed_package_imports_beside_folders_named_like_its_parts(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "work"
    for decoy in ("app", "loaders", "cypher"):
        (work / decoy).mkdir(parents=True)
        (work / decoy / "__init__.py").write_text("raise ImportError('a folder of the user, not casegraph')\n")
    probe = ("import casegraph.cases, casegraph.cli, casegraph.app, casegraph.loaders.pipeline, casegraph.catalogue as c;"
             "print(casegraph.app.__file__); print(len(list(c.catalogue())))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=work, timeout=120,
                          env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    where, queries = proc.stdout.split()
    assert Path(where).is_relative_to(site) and int(queries) == len(list(catalogue()))
