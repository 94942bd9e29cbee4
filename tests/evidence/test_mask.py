"""Masking: no raw email, phone or document id anywhere in a masked package, stable
pseudonyms across packages made with the same key, and the generated key file."""
from __future__ import annotations

import csv
import io
import json
import stat

import pypdf

from casegraph.evidence import build_case_package, build_subject_package, mask, verify
from tests.evidence.conftest import ring_member

KINDS = {"Email": ("account_emails.csv", "email"), "Phone": ("account_phones.csv", "phone"),
         "Document": ("account_documents.csv", "doc_id")}


def _raw_values(folder) -> dict[str, set[str]]:
    out = {}
    for kind, (name, column) in KINDS.items():
        with open(folder / "data" / name, newline="") as f:
            out[kind] = {r[column] for r in csv.DictReader(f)}
    return out


def _texts(files: dict[str, bytes]) -> dict[str, str]:
    """Every file as searchable text (the PDF's page text, the i2 chart in its UTF-16; the PNG
    has no text to search)."""
    out = {n: d.decode("utf-8") for n, d in files.items() if n not in ("report.pdf", "graph.png", "chart.anx")}
    out["chart.anx"] = files["chart.anx"].decode("utf-16")
    out["report.pdf"] = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(files["report.pdf"])).pages)
    return out


def test_a_masked_package_has_no_raw_email_phone_or_document(ev, ev_on, masked_packages, read_zip, tmp_path,
                                                             le_actor, period):
    settings, store, state, truth, folder = ev
    raw = _raw_values(folder)
    subject = f"Account:{ring_member(ev_on)[1]}"      # the masked packages' subject
    plain = build_subject_package(state, store, le_actor, subject, since_ms=period[0], until_ms=period[1],
                                  request_ref="M-1", agency="A", out_dir=tmp_path, settings=settings)
    plain_text = "\n".join(_texts(read_zip(plain["path"])).values())
    shown = {k: {v for v in values if v in plain_text} for k, values in raw.items()}
    assert all(shown.values()), f"the unmasked package shows raw values of every kind: {shown}"
    for name, text in _texts(read_zip(masked_packages[0]["path"])).items():
        for kind, values in shown.items():
            leaked = sorted(v for v in values if v in text)
            assert not leaked, f"{name} holds raw {kind} values {leaked[:3]}"
    masked_text = "\n".join(_texts(read_zip(masked_packages[0]["path"])).values())
    key = mask.mask_key(settings)
    for kind, values in shown.items():
        for v in values:
            assert mask.pseudonym(key, kind, v) in masked_text, f"{kind} {v} has no pseudonym in the package"


def test_the_manifest_says_masked_and_masks_query_parameters(masked_packages, read_zip, ev):
    m = json.loads(read_zip(masked_packages[0]["path"])["manifest.json"])
    assert m["masked"] is True and m["masked_kinds"] == ["Email", "Phone", "Document"]
    shared = next(q for q in m["queries"] if q["query"] == "evidence_identifier_accounts")
    masked_keys = [k for kind in ("Email", "Phone", "Document") for k in shared["params"]["keys"].get(kind, [])]
    assert masked_keys and all(k.split("-")[0] in ("Email", "Phone", "Document") for k in masked_keys)


def test_pseudonyms_are_the_same_in_every_file_and_every_package(masked_packages, read_zip):
    a, b = (read_zip(p["path"]) for p in masked_packages)
    assert {n for n in a if a[n] != b[n]} == {"manifest.json", "manifest.sig"}      # the export time, and so its signature
    names = {r["id"] for r in csv.DictReader(io.StringIO(a["nodes.csv"].decode()))
             if r["kind"] in ("Email", "Phone", "Document")}
    assert names
    ftm_text, html_text = a["entities.ftm.jsonl"].decode(), a["report.html"].decode()
    for nid in names:
        pseudonym = nid.split(":", 1)[1]
        assert pseudonym in a["graph.svg"].decode() and pseudonym in html_text
        assert f'Identity="{nid}"' in a["chart.anx"].decode("utf-16")
        if nid.startswith(("Email", "Phone")):
            assert pseudonym in ftm_text
    assert all(verify(p["path"]) == [] for p in masked_packages)


def test_a_case_package_and_a_subject_package_give_one_identifier_the_same_pseudonym(
        ev, ev_case, masked_packages, read_zip, tmp_path, le_actor):
    settings, store, state, truth, _ = ev
    case = read_zip(build_case_package(state, store, le_actor, ev_case, request_ref="M-2", agency="B",
                                       out_dir=tmp_path, mask=True, settings=settings)["path"])
    subject = read_zip(masked_packages[0]["path"])

    def masked_ids(files):
        return {r["id"] for r in csv.DictReader(io.StringIO(files["nodes.csv"].decode()))
                if r["kind"] in ("Email", "Phone", "Document")}
    # the case expanded the same ring member the subject package is about: its identifiers are in
    # both, under the same pseudonyms (a raw value would never match, a per-package one neither)
    shared = masked_ids(case) & masked_ids(subject)
    assert shared and all(nid.split(":", 1)[1].startswith(nid.split(":", 1)[0] + "-") for nid in shared)


def test_pseudonyms_depend_on_the_key_and_kind():
    assert mask.pseudonym(b"k", "Email", "a@b.c") == mask.pseudonym(b"k", "Email", "a@b.c")
    assert mask.pseudonym(b"k", "Email", "a@b.c") != mask.pseudonym(b"other", "Email", "a@b.c")
    assert mask.pseudonym(b"k", "Phone", "1") != mask.pseudonym(b"k", "Document", "1")
    assert mask.pseudonym(b"k", "Email", "a@b.c").startswith("Email-")


def test_a_generated_key_is_kept_next_to_the_state_store_mode_0600(ev, tmp_path):
    settings = ev[0]
    from dataclasses import replace
    own = replace(settings, mask_key="", state=f"sqlite:///{tmp_path / 'state.sqlite'}")
    key = mask.mask_key(own)
    path = tmp_path / mask.KEY_FILE
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert mask.mask_key(own) == key and len(key) >= 32
    assert mask.mask_key(settings) == b"evidence-test-key"


def test_masking_reaches_ids_labels_and_edge_ids():
    elements = [
        {"data": {"id": "Account:A1", "kind": "Account", "key": "A1", "label": "A1", "props": {"account_id": "A1"}}},
        {"data": {"id": "Email:someone.long@example.org", "kind": "Email", "key": "someone.long@example.org",
                  "label": "someone.l…le.org", "props": {"email": "someone.long@example.org"}}},
        {"data": {"id": "HAS_EMAIL:Account:A1->Email:someone.long@example.org", "source": "Account:A1",
                  "target": "Email:someone.long@example.org", "kind": "HAS_EMAIL", "label": "HAS_EMAIL", "props": {}}},
    ]
    m = mask.Masker(b"k", elements)
    out = mask.mask_elements(m, elements)
    p = mask.pseudonym(b"k", "Email", "someone.long@example.org")
    assert out[1]["data"] == {"id": f"Email:{p}", "kind": "Email", "key": p, "label": p, "props": {"email": p}}
    assert out[2]["data"]["id"] == f"HAS_EMAIL:Account:A1->Email:{p}" and out[2]["data"]["target"] == f"Email:{p}"
    assert out[0] == elements[0] and "someone" not in json.dumps(out)
    assert m.value({"keys": {"Email": ["someone.long@example.org"]}}) == {"keys": {"Email": [p]}}
