"""What the Evidence page and the case page's evidence panel take in and show: the
subject and period of a request (parsed as `casegraph export subject` parses them),
where the UI keeps the packages it builds, and a built package's SHA-256, files (from
its manifest) and limits. Pure, unit-tested without a browser."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from dash import dcc, html

from casegraph.errors import ConfigError, EvidenceError
from casegraph.evidence import export_dir  # noqa: F401 - the pages' name for it
from casegraph.times import option_ms

KINDS = ("Account", "Wallet")


def subject_id(kind: str | None, text: str | None) -> str:
    """The subject's node id from the kind picked and what was typed: an account id, a
    wallet address, or a node id "Account:<id>" / "Wallet:<address>" (whose kind wins)."""
    text = (text or "").strip()
    label, sep, key = text.partition(":")
    if sep and label in KINDS:
        text, kind = key.strip(), label
    if not text:
        raise EvidenceError("name the subject: an account id or a wallet address")
    if kind not in KINDS:
        raise EvidenceError(f"a subject is an Account or a Wallet, not {kind!r}")
    return f"{kind}:{text}"


def prefill(subject: str | None) -> tuple[str, str]:
    """(kind, text) for the form from a `?subject=` node id; anything else is typed as is."""
    label, sep, key = (subject or "").strip().partition(":")
    if sep and label in KINDS:
        return label, key
    return KINDS[0], (subject or "").strip()


def period(since: str | None, until: str | None) -> tuple[int, int]:
    """[since, until) in epoch ms from ISO 8601 text, as `casegraph export subject` reads
    --since and --until (casegraph.times; a date alone is midnight UTC, until is exclusive)."""
    out = []
    for name, value in (("since", since), ("until", until)):
        value = (value or "").strip()
        if not value:
            raise ConfigError(f"give the period's {name} date (ISO 8601, e.g. 2026-01-31)")
        out.append(option_ms(name, value))
    return out[0], out[1]


def manifest_of(path: str | Path) -> dict[str, Any]:
    """The package's manifest.json."""
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("manifest.json"))


def file_rows(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per file the manifest lists: name, size, SHA-256."""
    return [{"file": f["name"], "size": f["size"], "sha256": f["sha256"]} for f in manifest.get("files") or []]


def limits(manifest: dict[str, Any]) -> list[str]:
    """What the package says was capped or left out (empty: everything asked for is in it)."""
    notes = [str(n) for n in manifest.get("notes") or []]
    if manifest.get("capped") and not notes:
        notes = ["the package was capped (see report.html)"]
    return notes


def result(built: dict[str, Any]) -> list:
    """The page's account of a built package: its SHA-256 (as the audit log records it),
    counts, limits, and every file with its hash."""
    manifest = manifest_of(built["path"])
    counts = manifest.get("counts") or {}
    out: list = [html.Div([html.Span("package built: "), html.Code(Path(built["path"]).name, className="package"),
                           html.Span(" SHA-256 "), html.Code(built["sha256"], className="sha256")]),
                 html.Div(", ".join(f"{v} {k}" for k, v in counts.items()), className="muted counts")]
    notes = limits(manifest)
    out.append(html.Ul([html.Li(n) for n in notes], className="limits") if notes
               else html.Div("no limits applied", className="muted limits"))
    rows = [html.Tr([html.Th("file"), html.Th("size"), html.Th("SHA-256")])]
    rows += [html.Tr([html.Td(r["file"]), html.Td(r["size"]), html.Td(html.Code(r["sha256"]))])
             for r in file_rows(manifest)]
    out.append(html.Table(rows, className="props files"))
    return out


def sent(built: dict[str, Any]) -> tuple[dict, list]:
    """(dcc.Download data, the result to show) for a built package."""
    return dcc.send_file(built["path"]), result(built)
