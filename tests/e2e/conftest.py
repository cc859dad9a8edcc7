"""End-to-end fixtures: one ``scoring serve`` per module on a free loopback port over a fresh
demo database, and Debian's Chromium driven by Playwright (never ``playwright install``)."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

_spec = importlib.util.spec_from_file_location("e2e_seed", ROOT / "tests" / "ui" / "seed.py")
seed_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seed_mod)


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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``(base_url, info, db_url)`` of a running ``scoring serve`` over a freshly seeded store."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/system-deps)")
    from scoring.store import Workbench

    home = tmp_path_factory.mktemp("serve")
    db_url = f"sqlite:///{home / 'demo.sqlite'}"
    wb = Workbench(db_url)
    info = seed_mod.seed(wb)
    wb.close()
    port = free_port()
    env = {**os.environ, "SCORING_DB": db_url, "SCORING_HOME": str(home),
           "MPLCONFIGDIR": str(home / "mpl")}
    log = open(home / "serve.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scoring", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
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
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 800}, accept_downloads=True,
            locale="zh-CN",
        )
        ctx.set_default_timeout(60_000)
        yield ctx
        ctx.close()
