"""Regenerate the README's screenshot from the current UI (docs/images/explorer.png): the demo's
sample data generated, loaded and detected into a throw-away embedded store, the UI served,
and a headless Chromium logged in that opens the largest ring alert in the explorer at
1600x1000 and saves the page once the canvas has been laid out.

    .venv/bin/python scripts/screenshot.py [--out docs/images/explorer.png] [--accounts 20000] [--seed 1]

Needs what the browser tests need (Debian's chromium and chromium-driver; `bash scripts/setup
--test` installs them). Nothing is left running: the UI and the embedded server are stopped."""
from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1600, 1000
CY = """const root = document.getElementById(arguments[0]);
if (!root) return null;
const el = [root, ...root.querySelectorAll('*')].find(x => x._cyreg && x._cyreg.cy);
if (!el) return null;
const cy = el._cyreg.cy;
return cy.nodes().map(n => [n.id(), Math.round(n.position().x), Math.round(n.position().y)]);"""


def casegraph(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "casegraph.cli", *args], check=True, text=True, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def until(check, timeout: float, what: str):
    """The first true value of check() within timeout seconds (polled), else RuntimeError."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def largest_ring_href(state_url: str) -> str:
    """The explorer link of the rings alert with the most accounts (its evidence drawn)."""
    from casegraph.app.pages._tables import explorer_href
    from casegraph.cases import alert_node_ids
    from casegraph.state import open_state
    alerts = open_state(state_url).list_alerts("rings", limit=100_000)
    if not alerts:
        raise RuntimeError("the detections raised no rings alert to show")
    alert = max(alerts, key=lambda a: (len(a["entities"] or ()), -a["id"]))
    return explorer_href(alert_node_ids(alert), alert["id"])


def shoot(base: str, user: str, password: str, href: str, out: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("DASH_TEST_CHROMEPATH", CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--window-size={WIDTH},{HEIGHT}",
                "--hide-scrollbars"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options)
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",      # the page itself 1600x1000
                               {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})
        driver.get(f"{base}/login")
        until(lambda: driver.find_elements(By.ID, "login-name"), 30, "the login page")
        driver.find_element(By.ID, "login-name").send_keys(user)
        driver.find_element(By.ID, "login-password").send_keys(password)
        driver.find_element(By.ID, "login-submit").click()
        until(lambda: driver.find_elements(By.ID, "shell-user"), 30, "the logged-in page")
        driver.get(base + href)
        until(lambda: driver.execute_script(CY, "explore-graph"), 60, "the canvas")
        # laid out: the node positions stop changing (the layout has run and stopped)
        last = {"p": None, "since": time.monotonic()}

        def settled():
            now = driver.execute_script(CY, "explore-graph")
            if now != last["p"]:
                last.update(p=now, since=time.monotonic())
                return False
            return time.monotonic() - last["since"] > 1.5
        until(settled, 60, "the layout to settle")
        out.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(out))
    finally:
        driver.quit()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(REPO / "docs" / "images" / "explorer.png"))
    ap.add_argument("--accounts", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="casegraph-shot-") as tmp:
        db, state = f"embedded:{tmp}/db", f"sqlite:///{tmp}/state.sqlite"
        env = {**os.environ, "CASEGRAPH_DB": db, "CASEGRAPH_STATE": state}
        serve = None
        try:
            casegraph("demo", "--no-serve", "--accounts", str(args.accounts), "--seed", str(args.seed),
                      "--data", f"{tmp}/data", env=env, stdout=subprocess.DEVNULL)
            password = secrets.token_urlsafe(16)
            casegraph("user", "add", "screenshot", "--role", "investigator", "--password-stdin", env=env,
                      input=password + "\n", stdout=subprocess.DEVNULL)
            port = free_port()
            serve = subprocess.Popen([sys.executable, "-m", "casegraph.cli", "serve", "--port", str(port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            base = f"http://127.0.0.1:{port}"
            import urllib.request
            until(lambda: _up(urllib.request, base), 60, "the UI to start")
            shoot(base, "screenshot", password, largest_ring_href(state), Path(args.out))
        finally:
            if serve is not None:
                serve.terminate()
                serve.wait(timeout=30)
            subprocess.run([sys.executable, "-m", "casegraph.cli", "db", "stop", "--db", db], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(json.dumps({"wrote": args.out}))
    return 0


def _up(urllib_request, base: str) -> bool:
    try:
        with urllib_request.urlopen(f"{base}/healthz", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
