"""Evidence packages for law-enforcement requests (docs/evidence.md): a ZIP with the case
or subject graph as CSV, GraphML, FollowTheMoney entities, an i2 Analyst's Notebook chart,
pictures and a report, and a manifest with every query and every file's SHA-256, which
`verify` re-checks.

`verify` is imported eagerly and is light (hashlib, zipfile); the builders pull in
matplotlib, reportlab, followthemoney and anxwritter, so they load on first use."""
import tempfile
from pathlib import Path

from casegraph.evidence.verify import verify

__all__ = ["build_case_package", "build_request_package", "build_subject_package", "export_dir", "verify"]


def export_dir(settings) -> Path:
    """Where the UI and the API keep the packages they build (the audit log names the file):
    settings.evidence_dir, else an "evidence" folder beside a SQLite state file, else one in
    the system's temp folder."""
    if settings.evidence_dir:
        return Path(settings.evidence_dir)
    folder = settings.state_dir()
    return Path(folder) / "evidence" if folder else Path(tempfile.gettempdir()) / "casegraph-evidence"


def __getattr__(name: str):
    if name in ("build_case_package", "build_request_package", "build_subject_package"):
        from casegraph.evidence import package
        return getattr(package, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
