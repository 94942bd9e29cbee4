"""manifest.json: what the package is (request, case or subject and period, who exported
it and when, from which database), how its content was found (every query's text and
parameters), whether personal data is masked, and every file with its SHA-256 and size."""
from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from casegraph import __version__

NAME = "manifest.json"
SIGNATURE = "manifest.sig"      # the manifest's Ed25519 signature (casegraph.signing), JSON
FORMAT = "casegraph-evidence/1"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def clean_uri(uri: str) -> str:
    """The database URI without user name or password."""
    if uri.startswith("embedded:"):
        return uri
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def database(store, settings) -> dict[str, Any]:
    """Backend kind, URI without credentials, graph name and server version (as `db status`)."""
    uri = settings.db
    kind = "embedded" if uri.startswith("embedded:") else urlsplit(uri).scheme
    return {"backend": kind, "dialect": store.dialect, "uri": clean_uri(uri), "graph": settings.graph,
            "location": store.backend.describe(), "server_version": store.backend.version()}


def file_entries(files: dict[str, bytes]) -> list[dict[str, Any]]:
    return [{"name": name, "sha256": sha256(data), "size": len(data)} for name, data in sorted(files.items())]


def build(meta: dict[str, Any], files: dict[str, bytes]) -> bytes:
    """manifest.json (UTF-8, keys sorted, indented) for the package's other files."""
    doc = {"format": FORMAT, "casegraph_version": __version__, **meta, "files": file_entries(files)}
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def signature(settings, manifest_bytes: bytes) -> bytes:
    """manifest.sig: the Ed25519 signature of manifest.json's bytes with the deployment's key.
    Whoever changes a file and recomputes the manifest cannot sign it again."""
    from casegraph import signing
    return (json.dumps(signing.sign(settings, manifest_bytes), indent=2, sort_keys=True) + "\n").encode("utf-8")
