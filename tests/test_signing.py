"""casegraph/signing.py: the key is made once outside the state store, signatures check, and a
rotated key keeps what it signed verifiable."""
from __future__ import annotations

import stat

import pytest

from casegraph import signing
from casegraph.errors import ConfigError
from casegraph.settings import Settings


def test_sign_check_and_rotate(tmp_path):
    settings = Settings.load(state=f"sqlite:///{tmp_path / 'state.sqlite'}", signing_key="")
    first = signing.sign(settings, b"manifest")
    path = signing.key_path(settings)
    assert path == tmp_path / signing.DEFAULT_FILE and stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = signing.public_keys(settings)
    assert signing.check(first, b"manifest", keys) is None
    assert "does not match" in signing.check(first, b"manifest!", keys)
    old, new = signing.rotate(settings)
    assert old == first["key_id"] != new
    second = signing.sign(settings, b"manifest")
    assert second["key_id"] == new
    keys = signing.public_keys(settings)
    assert signing.check(first, b"manifest", keys) is None and signing.check(second, b"manifest", keys) is None
    # someone given only the PEM (casegraph keys public) checks both
    given = signing.load_public_keys(signing.public_pem(settings), "keys.pem")
    assert set(given) == {old, new}


def test_a_configured_key_must_exist(tmp_path):
    settings = Settings.load(state=f"sqlite:///{tmp_path / 'state.sqlite'}", signing_key=str(tmp_path / "nope.pem"))
    with pytest.raises(ConfigError, match="nope.pem .setting signing_key. does not exist"):
        signing.sign(settings, b"x")
