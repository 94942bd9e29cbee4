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

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"
# the fixture users ui_data creates, one per role: login(dash_duo, "inv") or login(dash_duo, "investigator")
USERS = {"inv": "investigator", "le": "le_response", "ana": "analyst", "adm": "admin"}


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


def user_name(who: str) -> str:
    """The fixture user of a role ("investigator" -> "inv"); any other name is a user name."""
    return next((n for n, role in USERS.items() if role == who), who)


def login(dash_duo, who: str, app=None, path: str = "/", password: str = PASSWORD) -> None:
    """Log in through the real login form as a user (a fixture user by name or role), then open
    `path` and wait for the Dash app. Give `app` to start the server too; otherwise start
    it first with `dash_duo.start_server(ui_app, navigate=False)` (navigating before login
    only reaches the login page, which dash_duo would wait on for the Dash app in vain)."""
    from selenium.webdriver.common.by import By

    from casegraph.app import ids
    if app is not None:
        dash_duo.start_server(app, navigate=False)
    base = dash_duo.server.url
    dash_duo.driver.get(f"{base}/login")
    dash_duo.wait_for_element(f"#{ids.LOGIN_NAME}").send_keys(user_name(who))
    dash_duo.driver.find_element(By.ID, ids.LOGIN_PASSWORD).send_keys(password)
    dash_duo.driver.find_element(By.ID, ids.LOGIN_SUBMIT).click()
    if password != PASSWORD:
        return
    dash_duo.wait_for_element(f"#{ids.SHELL_USER}", timeout=15)
    dash_duo._url = base          # dash_duo.server_url without its implicit navigation
    if path != "/":
        dash_duo.wait_for_page(f"{base}{path}")
