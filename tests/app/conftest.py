"""Browser-test fixtures: headless Chromium options for dash[testing]'s dash_duo, and one
generated, loaded and detected dataset with the UI app over it (session-wide)."""
from __future__ import annotations

import os
import shutil

import pytest

from casegraph import detections
from casegraph.generate import generate
from casegraph.settings import Settings
from casegraph.state import open_state
from casegraph.store import GraphStore, open_backend
from casegraph.users import add_user
from casegraph.loaders.pipeline import load
from tests.support import PASSWORD, USERS

CHROMIUM = "/usr/bin/chromium"


def pytest_setup_options():
    """Chrome options dash.testing's Browser starts with (it reads this hook)."""
    from selenium.webdriver.chrome.options import Options
    options = Options()
    options.binary_location = os.environ.get("DASH_TEST_CHROMEPATH", CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1400,1000"):
        options.add_argument(arg)
    return options


@pytest.fixture(scope="session")
def ui_data(embedded_dir, tmp_path_factory):
    """1,000 generated accounts, loaded into a fresh graph, detections run into alerts.
    Yields (settings, folder with the CSVs and truth.json)."""
    if not (shutil.which("chromedriver") and os.path.exists(CHROMIUM)):
        # fail, not skip: a run without a browser must never pass as if the UI were tested
        pytest.fail("browser tests need Debian's chromium and chromium-driver: run the test command, "
                    "`bash scripts/test`, which installs them", pytrace=False)
    folder = tmp_path_factory.mktemp("ui_data")
    generate(folder, 1000, 7)
    settings = Settings.load(db=f"embedded:{embedded_dir}", graph=f"ui_{os.getpid()}",
                             state=f"sqlite:///{folder / 'state.sqlite'}")
    store = GraphStore(open_backend(settings), settings)
    state = open_state(settings.state_url())
    assert load(store, state, [folder], rejects_dir=folder / "rej").ok
    for name in detections.names():
        detections.save_as_alerts(state, name, {}, detections.run(store, name))
    for name, role in USERS.items():
        add_user(state, name, role, PASSWORD)
    yield settings, folder
    store.backend._graph.delete()
    store.close()


@pytest.fixture(scope="session")
def ui_app(ui_data):
    from casegraph import app as ui
    dash_app = ui.create_app(ui_data[0])
    yield dash_app
    ui.close()
