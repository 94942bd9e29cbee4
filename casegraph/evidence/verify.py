"""Re-check an evidence package: manifest.json is there and valid, every file it lists is
in the ZIP with the listed SHA-256 and size, nothing unlisted was added, and (when
`<package>.sha256` lies next to it) the package's own hash still matches."""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from casegraph.evidence.manifest import NAME, sha256


def sidecar(path: str | Path) -> Path:
    """`<package>.sha256`, the package hash written next to it."""
    return Path(str(path) + ".sha256")


def _short(h: str) -> str:
    return f"{h[:12]}..." if len(h) > 12 else h


def verify(path: str | Path) -> list[str]:
    """One line per difference, each naming the file; [] when the package is intact."""
    path = Path(path)
    if not path.is_file():
        return [f"{path.name}: no such file"]
    problems: list[str] = []
    side = sidecar(path)
    if side.is_file():
        text = side.read_text(encoding="utf-8", errors="replace").split()
        expected = text[0].lower() if text else ""
        found = hashlib.sha256(path.read_bytes()).hexdigest()
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
        try:
            manifest = json.loads(zf.read(NAME).decode("utf-8"))
            listed = {f["name"]: f for f in manifest["files"]}
            for f in listed.values():
                str(f["sha256"]), int(f["size"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, zipfile.BadZipFile) as e:
            return problems + [f"{NAME}: not a valid manifest ({e.__class__.__name__}: {e})"]
        for name, entry in sorted(listed.items()):
            if name not in names:
                problems.append(f"{name}: listed in the manifest but missing from the package")
                continue
            try:
                data = zf.read(name)
            except (zipfile.BadZipFile, OSError) as e:   # a changed byte in compressed data fails its CRC
                problems.append(f"{name}: cannot be read from the package ({e})")
                continue
            digest = sha256(data)
            if digest != entry["sha256"]:
                problems.append(f"{name}: SHA-256 differs from the manifest "
                                f"(expected {_short(entry['sha256'])}, found {_short(digest)})")
            if len(data) != int(entry["size"]):
                problems.append(f"{name}: size differs from the manifest (expected {entry['size']}, found {len(data)})")
        for name in sorted(set(names) - set(listed) - {NAME}):
            problems.append(f"{name}: in the package but not listed in the manifest")
    return problems
