"""Evidence packages for law-enforcement requests (docs/evidence.md): a ZIP with the case
or subject graph as CSV, GraphML, FollowTheMoney entities, pictures and a report, and a
manifest with every query and every file's SHA-256, which `verify` re-checks."""
from casegraph.evidence.package import build_case_package, build_subject_package
from casegraph.evidence.verify import verify

__all__ = ["build_case_package", "build_subject_package", "verify"]
