"""Ed25519 signatures (the `cryptography` library) with a key the deployment holds outside
the state store, so that someone who can change files or the database cannot re-sign what
they changed.

- The private key: the PEM file `signing_key` names (CASEGRAPH_SIGNING_KEY; a mounted secret
  when several app instances share one state store). Unset: `casegraph-signing.pem` next to a
  SQLite state file, or in the working folder, created once with mode 0600.
- The public keys: `<private key file>.pub`, every key ever used (PEM blocks), so packages
  signed before a rotation still verify. `casegraph keys public` prints them for whoever
  verifies packages elsewhere (`casegraph verify PKG --public-key FILE`).
- A signature names its key by id: the first 16 hex digits of the SHA-256 of the raw public key."""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from casegraph.errors import ConfigError
from casegraph.settings import Settings

ALGORITHM = "Ed25519"
_LOADED: dict[tuple[str, int], object] = {}     # the key last read, by file and modification time
DEFAULT_FILE = "casegraph-signing.pem"


def key_path(settings: Settings) -> Path:
    if settings.signing_key:
        return Path(settings.signing_key)
    return Path(settings.state_dir() or os.getcwd()) / DEFAULT_FILE


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _write_private(path: Path, key: Ed25519PrivateKey, replace: bool = False) -> None:
    """Write the key whole, then put it in place atomically: a reader never sees half a key.
    Without `replace`, FileExistsError when another process made one first (theirs is kept)."""
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)          # fails if the key exists: never two keys for one place
    finally:
        tmp.unlink(missing_ok=True)
    with open(path.with_name(path.name + ".pub"), "ab") as fh:     # the keyring keeps every key used
        fh.write(_pem(key.public_key()))


def private_key(settings: Settings) -> Ed25519PrivateKey:
    """The signing key; created at the default place on first use, never at a configured one."""
    path = key_path(settings)
    if not path.exists():
        if settings.signing_key:
            raise ConfigError(f"the signing key {path} (setting signing_key) does not exist")
        try:
            _write_private(path, Ed25519PrivateKey.generate())
        except FileExistsError:
            pass        # another process made it first
    try:
        stamp = (str(path.resolve()), path.stat().st_mtime_ns)
        if stamp not in _LOADED:
            _LOADED.clear()
            _LOADED[stamp] = serialization.load_pem_private_key(path.read_bytes(), password=None)
        key = _LOADED[stamp]
    except (OSError, ValueError, TypeError) as e:
        raise ConfigError(f"cannot read the signing key {path}: {e}") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"the signing key {path} is not an Ed25519 key")
    return key


def load_public_keys(data: bytes, where: str) -> dict[str, Ed25519PublicKey]:
    """Every Ed25519 public key in PEM text, by key id."""
    keys: dict[str, Ed25519PublicKey] = {}
    marker = b"-----END PUBLIC KEY-----"
    for block in data.split(marker):
        if b"-----BEGIN PUBLIC KEY-----" not in block:
            continue
        try:
            key = serialization.load_pem_public_key(block.strip() + b"\n" + marker + b"\n")
        except ValueError as e:
            raise ConfigError(f"{where}: not a PEM public key ({e})") from e
        if isinstance(key, Ed25519PublicKey):
            keys[key_id(key)] = key
    if not keys:
        raise ConfigError(f"{where}: no Ed25519 public key in it")
    return keys


def public_keys(settings: Settings) -> dict[str, Ed25519PublicKey]:
    """The deployment's public keys (every key used, the current one included)."""
    current = private_key(settings).public_key()
    ring = key_path(settings).with_name(key_path(settings).name + ".pub")
    keys = load_public_keys(ring.read_bytes(), str(ring)) if ring.exists() else {}
    return {**keys, key_id(current): current}


def public_pem(settings: Settings) -> bytes:
    return b"".join(_pem(k) for k in public_keys(settings).values())


def sign(settings: Settings, data: bytes) -> dict[str, str]:
    key = private_key(settings)
    return {"algorithm": ALGORITHM, "key_id": key_id(key.public_key()),
            "signature": base64.b64encode(key.sign(data)).decode("ascii")}


def check(signature: dict, data: bytes, keys: dict[str, Ed25519PublicKey]) -> str | None:
    """None when `signature` (as `sign` made it) is valid for `data` under one of `keys`;
    else what is wrong, in words."""
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        return f"not an {ALGORITHM} signature"
    key = keys.get(str(signature.get("key_id")))
    if key is None:
        return f"signed with key {signature.get('key_id')}, which is not among the public keys given"
    try:
        key.verify(base64.b64decode(str(signature.get("signature")), validate=True), data)
    except (InvalidSignature, ValueError):
        return "the signature does not match: changed after it was signed"
    return None


def rotate(settings: Settings) -> tuple[str, str]:
    """A new signing key in place of the current one (whose public key stays in the keyring,
    so what it signed still verifies). Returns (old key id, new key id)."""
    old = key_id(private_key(settings).public_key())
    new = Ed25519PrivateKey.generate()
    _write_private(key_path(settings), new, replace=True)
    return old, key_id(new.public_key())
