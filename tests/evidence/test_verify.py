"""verify: an intact package passes; one changed byte, an added or removed file, a broken
manifest or a changed package hash is reported naming the file."""
from __future__ import annotations

import json
import shutil
import zipfile

import pytest

from casegraph.evidence import verify


def _rewrite(src, dst, change):
    """Copy the ZIP, passing every entry's (name, bytes) through `change` (None drops it)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            out = change(info.filename, zin.read(info.filename))
            if out is not None:
                zout.writestr(info.filename, out)


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_an_intact_package_passes(case_package, subject_package):
    assert verify(case_package["path"]) == [] and verify(subject_package["path"]) == []


@pytest.mark.parametrize("victim", ["graph.graphml", "nodes.csv", "report.pdf", "graph.png", "chart.anx"])
def test_one_changed_byte_names_exactly_that_file(case_package, tmp_path, victim):
    copy = tmp_path / "copy.zip"
    _rewrite(case_package["path"], copy, lambda n, d: _flip(d, len(d) // 2) if n == victim else d)
    problems = verify(copy)
    assert len(problems) == 1 and problems[0].startswith(f"{victim}: SHA-256 differs from the manifest"), problems
    # with the original's .sha256 beside it, the package hash is reported too
    shutil.copy(case_package["path"] + ".sha256", str(copy) + ".sha256")
    problems = verify(copy)
    assert sorted(p.split(":")[0] for p in problems) == sorted([victim, "copy.zip"]), problems


def test_added_and_removed_files_are_named(case_package, tmp_path):
    copy = tmp_path / "copy.zip"
    _rewrite(case_package["path"], copy, lambda n, d: None if n == "edges.csv" else d)
    with zipfile.ZipFile(copy, "a") as zf:
        zf.writestr("extra.txt", b"not from casegraph")
    assert verify(copy) == ["edges.csv: listed in the manifest but missing from the package",
                            "extra.txt: in the package but not listed in the manifest"]


def test_a_changed_manifest_entry_is_named(case_package, tmp_path):
    def change(name, data):
        if name != "manifest.json":
            return data
        m = json.loads(data)
        m["files"][0]["size"] += 1
        return json.dumps(m).encode()
    copy = tmp_path / "copy.zip"
    _rewrite(case_package["path"], copy, change)
    problems = verify(copy)
    assert len(problems) == 1 and "size differs from the manifest" in problems[0]


@pytest.mark.parametrize("manifest, expected", [(None, "manifest.json: missing"), (b"{not json", "manifest.json: not a valid manifest"),
                                                (b'{"files": [{"name": "x"}]}', "manifest.json: not a valid manifest")])
def test_a_missing_or_broken_manifest_is_named(case_package, tmp_path, manifest, expected):
    copy = tmp_path / "copy.zip"
    _rewrite(case_package["path"], copy, lambda n, d: manifest if n == "manifest.json" else d)
    problems = verify(copy)
    assert len(problems) == 1 and problems[0].startswith(expected)


def test_not_a_zip_and_no_file(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"hello")
    assert verify(bad)[0].startswith("bad.zip: not a readable ZIP file")
    assert verify(tmp_path / "none.zip") == ["none.zip: no such file"]


def test_a_changed_sidecar_hash_is_named(case_package, tmp_path):
    copy = tmp_path / "pkg.zip"
    shutil.copy(case_package["path"], copy)
    (tmp_path / "pkg.zip.sha256").write_text("0" * 64 + "  pkg.zip\n")
    problems = verify(copy)
    assert len(problems) == 1 and problems[0].startswith("pkg.zip: SHA-256 of the package differs")


def test_a_zip_bomb_and_an_oversized_entry_are_named_without_reading_them(case_package, tmp_path):
    """Issue 12.11: a 2 MB package holding a 2 GB entry took verify to 4.2 GB."""
    import os
    import tracemalloc
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(case_package["path"]) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename == "nodes.csv":           # 1 GB of zeros: about 1 MB compressed
                with zout.open("nodes.csv", "w", force_zip64=True) as fh:
                    block = bytes(1 << 20)
                    for _ in range(1024):
                        fh.write(block)
            elif info.filename == "edges.csv":         # incompressible, far larger than listed
                zout.writestr("edges.csv", os.urandom(24 << 20))
            else:
                zout.writestr(info.filename, zin.read(info.filename))
    assert bomb.stat().st_size < 40 << 20
    tracemalloc.start()
    try:
        problems = verify(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, f"verify held {peak >> 20} MB"
    assert [p.split(":")[0] for p in problems] == ["edges.csv", "nodes.csv"], problems
    assert "larger than the manifest says" in problems[0] and "not read (a ZIP bomb?)" in problems[1]


def test_a_recomputed_manifest_fails_the_signature_and_the_audit_digest(case_package, ev_on, tmp_path):
    """Issue 12.6: changing nodes.csv and recomputing the manifest entry and the .sha256 passed
    verify. The signature (a key outside the package and the state store) and the digest the
    audit log recorded at export now catch it."""
    import base64
    import hashlib
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from casegraph import audit, signing
    keys = signing.public_keys(ev_on.settings)
    exported = {e["details"]["sha256"] for e in audit.entries(ev_on.state, action="evidence.export")}
    assert verify(case_package["path"], keys=keys, exported=exported) == []
    with zipfile.ZipFile(case_package["path"]) as zf:
        nodes = zf.read("nodes.csv") + b"Account:FORGED,Account,FORGED,FORGED,\r\n"

    def forge(name, data):
        if name == "nodes.csv":
            return nodes
        if name == "manifest.json":
            m = json.loads(data)
            entry = next(f for f in m["files"] if f["name"] == "nodes.csv")
            entry.update(sha256=hashlib.sha256(nodes).hexdigest(), size=len(nodes))
            return json.dumps(m, indent=2, sort_keys=True).encode()
        return data
    forged = tmp_path / "forged.zip"
    _rewrite(case_package["path"], forged, forge)
    (tmp_path / "forged.zip.sha256").write_text(hashlib.sha256(forged.read_bytes()).hexdigest() + "  forged.zip\n")
    assert verify(forged) == []                                     # the file checks alone are fooled
    problems = verify(forged, keys=keys, exported=exported)
    assert "manifest.json: the signature does not match: changed after it was signed" in problems
    assert any(p.startswith("forged.zip: its SHA-256") and "audit log recorded" in p for p in problems), problems
    # signed again with a key of the attacker's own: not one of the deployment's
    theirs = Ed25519PrivateKey.generate()
    with zipfile.ZipFile(forged) as zf:
        manifest = zf.read("manifest.json")
    resigned = tmp_path / "resigned.zip"
    _rewrite(forged, resigned, lambda n, d: json.dumps({
        "algorithm": "Ed25519", "key_id": signing.key_id(theirs.public_key()),
        "signature": base64.b64encode(theirs.sign(manifest)).decode()}).encode() if n == "manifest.sig" else d)
    assert any("which is not among the public keys given" in p for p in verify(resigned, keys=keys))
    # without its signature
    unsigned = tmp_path / "unsigned.zip"
    _rewrite(case_package["path"], unsigned, lambda n, d: None if n == "manifest.sig" else d)
    assert verify(unsigned, keys=keys) == ["manifest.sig: missing: the package is not signed"]
