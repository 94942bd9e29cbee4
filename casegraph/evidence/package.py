"""Build an evidence package (a ZIP) from a case or from a subject and a period, record
its SHA-256 in the audit log, and write it next to the ZIP as `<package>.sha256`.

The ZIP's entries are sorted, with a fixed timestamp and mode, and every file is
rendered deterministically, so two exports of the same data differ only in
manifest.json (the export time)."""
from __future__ import annotations

import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from casegraph import audit, exports, graph, permissions
from casegraph.times import iso
from casegraph.errors import EvidenceError
from casegraph.evidence import anx, collect, ftm, manifest, mask, render, report, summary, tables
from casegraph.evidence.verify import sidecar
from casegraph.state import now_ms

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def build_case_package(state, store, actor: dict[str, Any], case_id: int, *, request_ref: str, agency: str,
                       out_dir, mask: bool = False, settings=None) -> dict[str, Any]:
    """An evidence package of a case's current snapshot. Needs export_evidence."""
    permissions.require(actor, "export_evidence")
    request_ref, agency = _request(request_ref, agency)
    found = collect.from_case(state, store, int(case_id))
    return _build(state, store, actor, found, request_ref, agency, out_dir, mask, settings or store.settings,
                  f"case-{int(case_id)}")


def build_subject_package(state, store, actor: dict[str, Any], subject_id: str, *, since_ms: int, until_ms: int,
                          request_ref: str, agency: str, out_dir, mask: bool = False, settings=None) -> dict[str, Any]:
    """An evidence package about an account or wallet ("Account:<id>" / "Wallet:<address>")
    in [since_ms, until_ms). Needs export_evidence."""
    permissions.require(actor, "export_evidence")
    request_ref, agency = _request(request_ref, agency)
    found = collect.from_subject(store, subject_id, int(since_ms), int(until_ms))
    return _build(state, store, actor, found, request_ref, agency, out_dir, mask, settings or store.settings,
                  subject_id.replace(":", "-"))


def build_request_package(state, store, actor: dict[str, Any], request_id: int, *, out_dir, mask: bool = False,
                          since_ms: int | None = None, until_ms: int | None = None,
                          settings=None) -> dict[str, Any]:
    """An evidence package answering a law-enforcement request (casegraph/requests.py), recorded
    on the request with its SHA-256 (one of several: partial responses). Its content is the
    request's case when it has one, else its subjects (a transaction's parties for a
    transaction hash) as subject packages collect them, in [since_ms, until_ms) (None: the
    whole history); subjects the graph does not have are listed in its notes. The manifest
    names the request. Needs export_evidence and manage_requests."""
    from casegraph import requests as desk
    permissions.require(actor, "export_evidence")
    permissions.require(actor, "manage_requests")
    req = desk.get(state, int(request_id))
    title = f"LE request {req['id']}: {req['agency']} {req['reference']}"
    if req["case_id"] is not None:
        found = collect.from_case(state, store, int(req["case_id"]))
    else:
        resolved = desk.resolve(store, req["subjects"])
        targets = [n for s in resolved for n in s["node_ids"] if graph.split_node_id(n)[0] in collect.SUBJECT_KINDS]
        found = collect.from_subjects(store, targets, since_ms, until_ms, title)
        found.notes[:0] = [f"request subject {s['subject']} is not in the graph" for s in resolved if not s["found"]]
        if not found.elements:
            raise EvidenceError(f"none of request {req['id']}'s subjects is in the graph: nothing to package")
    request = {"id": req["id"], "reference": req["reference"], "agency": req["agency"], "country": req["country"],
               "legal_basis": req["legal_basis"], "received_at": iso(req["received_at"]),
               "deadline": iso(req["deadline_at"]), "subjects": req["subjects"]}
    built = _build(state, store, actor, found, req["reference"], req["agency"], out_dir, mask,
                   settings or store.settings, f"request-{req['id']}", request=request)
    built["package_id"] = desk.record_package(state, actor, req["id"], built["path"], built["sha256"])
    built["request_id"] = req["id"]
    return built


def _request(request_ref: str, agency: str) -> tuple[str, str]:
    request_ref, agency = (request_ref or "").strip(), (agency or "").strip()
    if not request_ref:
        raise EvidenceError("an evidence package needs the request reference (--request-ref)")
    if not agency:
        raise EvidenceError("an evidence package needs the requesting agency (--agency)")
    return request_ref, agency


def _slug(text: str, width: int = 40) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_.")[:width] or "x"


def _build(state, store, actor, found: collect.Collected, request_ref: str, agency: str, out_dir,
           masked: bool, settings, name: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
    at = now_ms()
    elements, queries, notes, title = found.elements, found.queries, list(found.notes), found.title
    subject, case = found.subject, found.case
    kinds: list[str] = []
    key_id = None
    if masked:
        key = mask.mask_key(settings)
        m = mask.Masker(key, elements)
        elements = mask.mask_elements(m, elements)
        queries, notes, title, case = m.value(queries), m.value(notes), m.value(title), m.value(case)
        request = m.value(request)
        kinds = m.kinds
        key_id = mask.pseudonym(key, "key", "casegraph")   # which key: packages with the same id share pseudonyms
    meta = {"request_ref": request_ref, "agency": agency, "title": title, "request": request,
            "case_id": case["id"] if case else None, "case": case, "subject": subject,
            "since": iso(found.since_ms) if found.since_ms is not None else None,
            "until": iso(found.until_ms) if found.until_ms is not None else None,
            "exported_by": actor["name"], "masked": bool(masked), "masked_kinds": kinds,
            "queries": queries, "notes": notes}
    files: dict[str, bytes] = {}
    files["nodes.csv"], files["edges.csv"] = tables.nodes_edges_csv(elements)
    files["transfers.csv"] = tables.transfers_csv(elements)
    files["graph.graphml"] = tables.graphml(elements)
    files["entities.ftm.jsonl"] = ftm.ftm_jsonl(elements, masked)
    files[anx.NAME] = anx.anx_bytes(elements, title)
    files["graph.png"], files["graph.svg"] = render.render(elements, title, subject)
    sections = summary.summarise(elements, subject)
    files["report.html"] = report.to_html(meta, sections)
    files["report.pdf"] = report.to_pdf(meta, sections)
    counts = {"nodes": sum(1 for e in elements if "source" not in e["data"]),
              "edges": sum(1 for e in elements if "source" in e["data"]),
              "transfers": len(tables.transfers(elements))}
    files[manifest.NAME] = manifest.build({
        **meta, "exported_at": iso(at), "database": manifest.database(store, settings),
        "pseudonym_key_id": key_id, "capped": found.capped, "counts": counts,
        "csv_cells": exports.CSV_CELLS}, files)
    files[manifest.SIGNATURE] = manifest.signature(settings, files[manifest.NAME])
    path = _write(out_dir, f"evidence-{_slug(name)}-{_slug(request_ref)}-"
                           f"{datetime.fromtimestamp(at / 1000, timezone.utc):%Y%m%dT%H%M%S%fZ}.zip", files)
    digest = manifest.sha256(path.read_bytes())
    sidecar(path).write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    audit.record(state, actor["name"], "evidence.export", {
        "file": str(path), "sha256": digest, "request_ref": request_ref, "agency": agency,
        "case_id": meta["case_id"], "subject": subject, "since": meta["since"], "until": meta["until"],
        "masked": bool(masked), "request_id": request["id"] if request else None})
    return {"path": str(path), "sha256": digest, "files": sorted(files), "counts": counts, "notes": notes}


def _write(out_dir, filename: str, files: dict[str, bytes]) -> Path:
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / filename
        with open(path, "xb") as f, zipfile.ZipFile(f, "w") as zf:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 3
                zf.writestr(info, files[name])
    except FileExistsError:
        raise EvidenceError(f"{folder / filename} already exists; export again for a new file") from None
    except OSError as e:
        raise EvidenceError(f"cannot write the evidence package into {folder}: {e.strerror}") from e
    return path
