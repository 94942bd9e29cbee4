import pytest

from casegraph.errors import ConfigError
from casegraph.settings import SETTINGS, Settings
from tests.support import REPO

DOCS = REPO / "docs" / "settings.md"


def test_every_setting_is_documented():
    text = DOCS.read_text()
    missing = [s.name for s in SETTINGS if f"| {s.name} | `{s.envvar}` |" not in text]
    assert missing == []


def test_environment_then_overrides(monkeypatch):
    monkeypatch.setenv("CASEGRAPH_ROW_LIMIT", "42")
    monkeypatch.setenv("CASEGRAPH_DB", "bolt://example:7687")
    s = Settings.load(db="embedded:/x")
    assert s.row_limit == 42 and s.db == "embedded:/x"


def test_bad_number_is_a_config_error(monkeypatch):
    monkeypatch.setenv("CASEGRAPH_ROW_LIMIT", "lots")
    with pytest.raises(ConfigError, match="row_limit .*CASEGRAPH_ROW_LIMIT"):
        Settings.load()


def test_state_store_defaults_next_to_embedded_data(tmp_path):
    s = Settings.load(db=f"embedded:{tmp_path / 'db'}", state="")
    assert s.state_url() == f"sqlite:///{tmp_path / 'db' / 'state.sqlite'}"
