"""Whole packages from a case and from a subject: every file read back by an independent
reader, the manifest, permissions, the audit log, determinism."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pypdf
import pytest
from followthemoney import model as ftm_model
from PIL import Image

from casegraph import audit, cases
from casegraph.errors import CaseError, EvidenceError, PermissionDenied
from casegraph.evidence import build_case_package, build_subject_package

FILES = {"manifest.json", "manifest.sig", "nodes.csv", "edges.csv", "transfers.csv", "graph.graphml", "entities.ftm.jsonl",
         "chart.anx", "graph.png", "graph.svg", "report.html", "report.pdf"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _check_every_file(files: dict[str, bytes], subject_text: str) -> dict:
    """Parse every file with a reader casegraph does not use to write it; return the manifest."""
    assert set(files) == FILES
    m = json.loads(files["manifest.json"])
    nodes, edges, transfers = _rows(files["nodes.csv"]), _rows(files["edges.csv"]), _rows(files["transfers.csv"])
    assert len(nodes) == m["counts"]["nodes"] > 0 and len(edges) == m["counts"]["edges"]
    assert len(transfers) == m["counts"]["transfers"]
    ids = {r["id"] for r in nodes}
    assert all(r["source"] in ids and r["target"] in ids for r in edges)
    assert {r["kind"] for r in transfers} <= {"TRANSFERRED", "WITHDREW", "DEPOSITED", "SENT"}
    assert all(r["at"].endswith("Z") and r["from"] in ids and r["to"] in ids for r in transfers)
    g = nx.read_graphml(io.BytesIO(files["graph.graphml"]))
    assert g.number_of_nodes() == len(nodes) and g.number_of_edges() == len(edges)
    lines = files["entities.ftm.jsonl"].decode("utf-8").splitlines()
    proxies = [ftm_model.get_proxy(json.loads(line)) for line in lines]
    assert proxies and all(p.id and p.schema for p in proxies)
    schemata = {p.schema.name for p in proxies}
    assert "UserAccount" in schemata and "LegalEntity" in schemata
    assert sum(p.schema.name == "Payment" for p in proxies) == len(transfers)
    with Image.open(io.BytesIO(files["graph.png"])) as img:
        img.verify()
        assert img.format == "PNG" and img.size[0] > 300
    svg = ElementTree.fromstring(files["graph.svg"])
    assert svg.tag.endswith("svg")
    page = _Text()
    page.feed(files["report.html"].decode("utf-8"))
    html_text = " ".join(page.text)
    assert subject_text in html_text and m["request_ref"] in html_text and "table" in page.tags
    pdf_text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(files["report.pdf"])).pages)
    assert subject_text in pdf_text and m["agency"] in pdf_text
    listed = {f["name"]: f for f in m["files"]}
    assert set(listed) == FILES - {"manifest.json", "manifest.sig"}      # the signature signs the manifest
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest() and entry["size"] == len(files[name])
    return m


def test_a_case_package_holds_every_file_readable(ev, ev_case, case_package, read_zip, le_actor):
    settings, store, state, *_ = ev
    files = read_zip(case_package["path"])
    m = _check_every_file(files, f"Case {ev_case}")
    assert m["case_id"] == ev_case and m["subject"] is None and m["masked"] is False
    assert m["request_ref"] == "REQ-2026/17" and m["agency"] == "Met Police" and m["exported_by"] == le_actor["name"]
    assert m["exported_at"].endswith("Z")
    # the database the package was read from, as `casegraph db status` names it
    backend, server = {"falkordb": ("embedded", "FalkorDB "), "neo4j": ("bolt", "Neo4j Kernel ")}[store.dialect]
    assert m["database"]["backend"] == backend and m["database"]["graph"] == settings.graph
    assert m["database"]["dialect"] == store.dialect and m["database"]["server_version"].startswith(server)
    assert m["database"]["server_version"] == store.backend.version()
    assert {q["query"] for q in m["queries"]} == {"ui_links_between", "ui_expand"}
    assert all(q["text"] for q in m["queries"])
    snapshot = [e for e in cases.get_case(state, ev_case)["elements"] if e["data"].get("kind") != "More"]
    assert m["counts"]["nodes"] + m["counts"]["edges"] == len(snapshot)
    assert case_package["files"] == sorted(files)


def test_a_subject_package_holds_every_file_readable(ev, subject_package, read_zip, period):
    truth = ev[3]
    subject = f"Account:{truth['scammers'][0]}"
    files = read_zip(subject_package["path"])
    m = _check_every_file(files, subject)
    assert m["subject"] == subject and m["case_id"] is None
    assert (m["since"], m["until"]) == ("2024-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    assert [q["query"] for q in m["queries"]][0] == "ui_nodes"
    movements = next(q for q in m["queries"] if q["query"] == "evidence_account_movements")
    assert movements["params"]["key"] == truth["scammers"][0] and movements["params"]["since"] == period[0]
    assert "r.at >= $since" in movements["text"]
    transfers = _rows(files["transfers.csv"])
    assert transfers and all(subject in (r["from"], r["to"]) for r in transfers)
    assert [r["at"] for r in transfers] == sorted(r["at"] for r in transfers)


def test_the_package_hash_is_in_the_audit_log_and_beside_the_zip(ev, subject_package):
    state = ev[2]
    digest = hashlib.sha256(Path(subject_package["path"]).read_bytes()).hexdigest()
    assert subject_package["sha256"] == digest
    assert Path(subject_package["path"] + ".sha256").read_text().split()[0] == digest
    entries = [e for e in audit.entries(state, action="evidence.export") if e["details"]["sha256"] == digest]
    assert len(entries) == 1 and entries[0]["actor"] == "le1"
    assert entries[0]["details"]["file"] == subject_package["path"]
    assert entries[0]["details"]["request_ref"] == "REQ-2026/18"


def _load_times_named(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files with each load time (provenance loaded_at) replaced by the name of the file
    that load read: two loads of the same files differ in nothing else."""
    rows = [(r["loaded_at"], r["source"]) for r in _rows(files["nodes.csv"])]
    rows += [(r["loaded_at"], r["prop_source"]) for r in _rows(files["edges.csv"])]
    names = {at.encode(): f"<load of {source}>".encode() for at, source in rows if at}
    out = {}
    for name, data in files.items():
        for at, named in names.items():
            data = data.replace(at, named)
        out[name] = data
    return out


def test_a_subject_package_holds_the_same_from_every_backend(ev, ev_embedded, subject_package, read_zip, le_actor,
                                                             period, tmp_path):
    """The package built from this backend's graph against one built from the embedded store's
    (on the embedded store itself: a second build): every file the same but the manifest's
    database and export time, and the load times (each backend loaded the files itself)."""
    truth = ev[3]
    ref = build_subject_package(ev_embedded.state, ev_embedded.store, le_actor, f"Account:{truth['scammers'][0]}",
                                since_ms=period[0], until_ms=period[1], request_ref="REQ-2026/18", agency="Europol",
                                out_dir=tmp_path, settings=ev_embedded.settings)
    mine, theirs = (_load_times_named(read_zip(p["path"])) for p in (subject_package, ref))
    assert set(mine) == set(theirs) == FILES
    assert [n for n in FILES - {"manifest.json", "manifest.sig"} if mine[n] != theirs[n]] == []
    m, r = json.loads(mine["manifest.json"]), json.loads(theirs["manifest.json"])
    assert {k for k in m if m[k] != r[k]} <= {"database", "exported_at", "files", "queries"}
    # a query's text is its backend's dialect of the template (test_collect); the rest is the same
    assert [{**q, "text": None} for q in m["queries"]] == [{**q, "text": None} for q in r["queries"]]
    assert [f["name"] for f in m["files"]] == [f["name"] for f in r["files"]]


@pytest.mark.parametrize("role", ["investigator", "analyst"])
def test_only_roles_that_export_evidence_may(ev, ev_case, tmp_path, role, period):
    settings, store, state, truth, _ = ev
    actor = {"name": f"x-{role}", "role": role, "disabled": False}
    before = len(audit.entries(state, action="evidence.export"))
    with pytest.raises(PermissionDenied, match="export_evidence"):
        build_case_package(state, store, actor, ev_case, request_ref="R", agency="A", out_dir=tmp_path, settings=settings)
    with pytest.raises(PermissionDenied):
        build_subject_package(state, store, actor, f"Account:{truth['scammers'][0]}", since_ms=period[0],
                              until_ms=period[1], request_ref="R", agency="A", out_dir=tmp_path, settings=settings)
    assert not list(tmp_path.iterdir()) and len(audit.entries(state, action="evidence.export")) == before


def test_a_disabled_le_user_is_refused(ev, ev_case, tmp_path, le_actor):
    settings, store, state, *_ = ev
    with pytest.raises(PermissionDenied, match="disabled"):
        build_case_package(state, store, {**le_actor, "disabled": True}, ev_case, request_ref="R", agency="A",
                           out_dir=tmp_path, settings=settings)


@pytest.mark.parametrize("ref, agency, message", [("", "A", "request reference"), ("R", "  ", "agency")])
def test_request_and_agency_are_required(ev, ev_case, tmp_path, le_actor, ref, agency, message):
    settings, store, state, *_ = ev
    with pytest.raises(EvidenceError, match=message):
        build_case_package(state, store, le_actor, ev_case, request_ref=ref, agency=agency, out_dir=tmp_path,
                           settings=settings)


def test_two_exports_of_the_same_data_differ_only_in_the_export_time(masked_packages, read_zip):
    first, second = (read_zip(p["path"]) for p in masked_packages)
    assert {n for n in first if first[n] != second[n]} == {"manifest.json", "manifest.sig"}
    m1, m2 = json.loads(first["manifest.json"]), json.loads(second["manifest.json"])
    assert {k for k in m1 if m1[k] != m2[k]} == {"exported_at"}


def test_an_unknown_case_is_refused_before_anything_is_written(ev, tmp_path, le_actor):
    settings, store, state, *_ = ev
    with pytest.raises(CaseError, match="999999"):
        build_case_package(state, store, le_actor, 999999, request_ref="R", agency="A", out_dir=tmp_path,
                           settings=settings)
    assert not list(tmp_path.iterdir())
