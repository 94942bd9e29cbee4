"""Re-check an evidence package: manifest.json is there and valid, every file it lists is
in the ZIP with the listed SHA-256 and size, nothing unlisted was added, and (when
`<package>.sha256` lies next to it) the package's own hash still matches. Given public keys,
manifest.sig must be a valid signature of the manifest by one of them; given the digests the
audit log recorded at export, the package's SHA-256 must be one of them."""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from casegraph import signing
from casegraph.evidence.manifest import NAME, SIGNATURE


def sidecar(path: str | Path) -> Path:
    """`<package>.sha256`, the package hash written next to it."""
    return Path(str(path) + ".sha256")


CHUNK = 1 << 20
MANIFEST_MAX = 64 << 20      # bytes of manifest.json read at most
RATIO_MAX = 200              # uncompressed : compressed beyond which an entry is not read (a ZIP bomb);
                             # the package's own files compress about 3 to 30 times


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _bomb(info: zipfile.ZipInfo) -> str | None:
    """Why an entry is not read at all, or None."""
    if info.file_size > RATIO_MAX * max(info.compress_size, 1) and info.file_size > CHUNK:
        return (f"{info.filename}: expands {info.file_size // max(info.compress_size, 1):,} times "
                f"({info.file_size:,} bytes from {info.compress_size:,}); not read (a ZIP bomb?)")
    return None


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, keep: bool = False) -> tuple[str, int, bytes]:
    """(SHA-256, bytes read, the bytes if `keep`), reading in chunks and stopping one chunk
    past `cap`: whatever the entry's header claims, memory and time stay bounded."""
    h, n, kept = hashlib.sha256(), 0, []
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            n += len(chunk)
            h.update(chunk)
            if keep:
                kept.append(chunk)
            if n > cap:
                break
    return h.hexdigest(), n, b"".join(kept)


def _signature(zf: zipfile.ZipFile, names: list[str], manifest: bytes, keys: dict) -> list[str]:
    if SIGNATURE not in names:
        return [f"{SIGNATURE}: missing: the package is not signed"]
    info = zf.getinfo(SIGNATURE)
    if info.file_size > 4096 or _bomb(info):
        return [f"{SIGNATURE}: not a signature ({info.file_size:,} bytes)"]
    try:
        why = signing.check(json.loads(zf.read(SIGNATURE).decode("utf-8")), manifest, keys)
    except (ValueError, UnicodeDecodeError) as e:
        why = f"not a signature ({e})"
    return [f"{NAME}: {why}"] if why else []


def _short(h: str) -> str:
    return f"{h[:12]}..." if len(h) > 12 else h


def verify(path: str | Path, keys: dict | None = None, exported: set[str] | None = None) -> list[str]:
    """One line per difference, each naming the file; [] when the package is intact. `keys`:
    public keys by id (casegraph.signing) the manifest's signature must match; `exported`:
    the SHA-256 digests of the packages the audit log recorded at export."""
    path = Path(path)
    if not path.is_file():
        return [f"{path.name}: no such file"]
    problems: list[str] = []
    if exported is not None:
        digest = _hash_file(path)
        if digest not in exported:
            problems.append(f"{path.name}: its SHA-256 ({_short(digest)}) is not among the packages the audit "
                            "log recorded at export: changed since, or not exported here")
    side = sidecar(path)
    if side.is_file():
        text = side.read_text(encoding="utf-8", errors="replace").split()
        expected = text[0].lower() if text else ""
        found = _hash_file(path)
        if expected != found:
            problems.append(f"{path.name}: SHA-256 of the package differs from {side.name} "
                            f"(expected {_short(expected)}, found {_short(found)})")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        return problems + [f"{path.name}: not a readable ZIP file ({e})"]
    with zf:
        names = [i.filename for i in zf.infolist()]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"{dup}: appears more than once in the package")
        if NAME not in names:
            return problems + [f"{NAME}: missing from the package"]
        info = zf.getinfo(NAME)
        why = _bomb(info)
        if why or info.file_size > MANIFEST_MAX:
            return problems + [why or f"{NAME}: {info.file_size:,} bytes, more than a manifest can be; not read"]
        try:
            _, size, raw = _read(zf, info, MANIFEST_MAX, keep=True)
            if size > MANIFEST_MAX:
                return problems + [f"{NAME}: more than {MANIFEST_MAX:,} bytes; not read further"]
            manifest = json.loads(raw.decode("utf-8"))
            if keys is not None:
                problems += _signature(zf, names, raw, keys)
            listed = {f["name"]: f for f in manifest["files"]}
            for f in listed.values():
                str(f["sha256"]), int(f["size"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, zipfile.BadZipFile) as e:
            return problems + [f"{NAME}: not a valid manifest ({e.__class__.__name__}: {e})"]
        for name, entry in sorted(listed.items()):
            if name not in names:
                problems.append(f"{name}: listed in the manifest but missing from the package")
                continue
            info = zf.getinfo(name)
            why = _bomb(info)
            if why:
                problems.append(why)
                continue
            try:
                digest, size, _ = _read(zf, info, int(entry["size"]))
            except (zipfile.BadZipFile, OSError, EOFError) as e:   # a changed byte in compressed data fails its CRC
                problems.append(f"{name}: cannot be read from the package ({e})")
                continue
            if size > int(entry["size"]):
                problems.append(f"{name}: larger than the manifest says ({entry['size']} bytes); not read further")
                continue
            if digest != entry["sha256"]:
                problems.append(f"{name}: SHA-256 differs from the manifest "
                                f"(expected {_short(entry['sha256'])}, found {_short(digest)})")
            if size != int(entry["size"]):
                problems.append(f"{name}: size differs from the manifest (expected {entry['size']}, found {size})")
        for name in sorted(set(names) - set(listed) - {NAME, SIGNATURE}):
            problems.append(f"{name}: in the package but not listed in the manifest")
    return problems
