"""End-to-end fixtures: one ``scoring serve`` per module on a free loopback port over a fresh
demo database (``scoring init --demo``), and Debian's Chromium driven by Playwright (never ``playwright install``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def init_demo(db_url: str, env: dict) -> dict[str, str]:
    """Run ``scoring init --demo`` on a fresh database; returns ``{login: access code}``."""
    out = subprocess.run(
        [sys.executable, "-m", "scoring", "--db", db_url, "init", "--demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    codes = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].startswith(parts[0] + "-"):
            codes[parts[0]] = parts[1]
    assert {"ORGANIZER", "CHAIR", "X01", "X02"} <= set(codes), out
    return codes


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``(base_url, info, db_url)`` of a running ``scoring serve`` over a fresh demo database
    (``scoring init --demo``); ``info`` holds the printed codes and the demo panels."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/system-deps)")
    from scoring.store import Workbench
    from scoring.store.demo import CLOSED_PANEL, OPEN_PANEL

    home = tmp_path_factory.mktemp("serve")
    db_url = f"sqlite:///{home / 'demo.sqlite'}"
    dashboards = home / "dashboards"  # the four dashboards plus a page that renders nothing
    shutil.copytree(ROOT / "dashboards", dashboards)
    blank = nbformat.v4.new_notebook()
    blank.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    blank.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(blank, str(dashboards / "blank.ipynb"))
    env = {
        **os.environ,
        "SCORING_DB": db_url,
        "SCORING_HOME": str(home),
        "SCORING_DASHBOARDS": str(dashboards),
        "MPLCONFIGDIR": str(home / "mpl"),
    }
    codes = init_demo(db_url, env)
    wb = Workbench(db_url)
    try:
        org = wb.login(codes["ORGANIZER"])
        panels = {p["name"]: p["id"] for p in wb.panels(org)}
        open_id = panels[OPEN_PANEL]
        order = list(wb.panel_candidates(org, open_id)["project_id"])
    finally:
        wb.close()
    info = {
        "codes": codes,
        "open_panel": open_id,
        "open_name": OPEN_PANEL,
        "closed_panel": panels[CLOSED_PANEL],
        "order": order,
    }
    port = free_port()
    log = open(home / "serve.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scoring", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/")
        yield base, info, db_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    """A persistent Chromium context with a fresh user-data-dir, 1280x800, downloads allowed."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 800},
            accept_downloads=True,
            locale="zh-CN",
        )
        ctx.set_default_timeout(60_000)
        yield ctx
        ctx.close()
