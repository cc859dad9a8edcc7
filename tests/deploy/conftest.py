"""Deployment fixtures: ``scoring deploy --workers 2`` (HAProxy + two ``scoring serve``) on a fresh
schema of the throwaway PostgreSQL named by ``SCORING_TEST_PG_URL`` (``make test`` provides it),
and Debian's Chromium with one browser context per "device" (each with its own cookies).

The e2e helpers (ports, the demo seeding, Chromium's flags, the expert page's steps) are loaded
from ``tests/e2e`` by file, not copied.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(rel: str, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / rel)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


e2e = _load("tests/e2e/conftest.py", "_e2e_conftest")
pages = _load("tests/e2e/test_dashboards.py", "_e2e_pages")


def need_binary(name: str, package: str) -> str:
    """Path of ``name`` (PATH or /usr/sbin), else the test fails with one line naming the package."""
    path = shutil.which(name) or (
        f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").is_file() else None
    )
    if path is None:
        pytest.fail(f"{name} is missing: install the Debian package {package} (.ci/system-deps)")
    return path


@pytest.fixture(scope="session")
def haproxy_bin() -> str:
    """Path of Debian's haproxy."""
    return need_binary("haproxy", "haproxy")


@pytest.fixture(scope="session")
def pg_url():
    """A fresh PostgreSQL schema of its own in ``SCORING_TEST_PG_URL``; dropped afterwards."""
    import sqlalchemy as sa

    base = os.environ.get("SCORING_TEST_PG_URL")
    if not base:
        pytest.fail("SCORING_TEST_PG_URL is not set: run under .ci/with-postgres (make test)")
    schema = "deploy_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # scoring deploy stops its proxy and workers
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def deployment(pg_url, tmp_path_factory, haproxy_bin):
    """``(state, info)``: ``state`` is the deployment's ``state.json`` (url, stats, workers with
    port and pid, db), ``info`` the demo's codes, open panel and defense order."""
    if not Path(e2e.CHROMIUM).is_file():
        pytest.fail(f"{e2e.CHROMIUM} is missing: install Debian's chromium (.ci/system-deps)")
    from scoring.store import Workbench
    from scoring.store.demo import OPEN_PANEL

    home = tmp_path_factory.mktemp("deploy")
    env = {**os.environ, "SCORING_HOME": str(home), "MPLCONFIGDIR": str(home / "mpl")}
    env.pop("SCORING_DB", None)
    codes = e2e.init_demo(pg_url, env)
    wb = Workbench(pg_url)
    try:
        org = wb.login(codes["ORGANIZER"])
        open_id = {p["name"]: p["id"] for p in wb.panels(org)}[OPEN_PANEL]
        order = list(wb.panel_candidates(org, open_id)["project_id"])
    finally:
        wb.close()
    run = home / "run"
    port = e2e.free_port()
    argv = [sys.executable, "-m", "scoring", "--db", pg_url, "deploy", "--workers", "2"]
    argv += ["--port", str(port), "--run-dir", str(run), "--no-restart", "--pgbouncer", "off"]
    log = open(home / "deploy.log", "wb")
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 150
        while not (run / "state.json").is_file():
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    "scoring deploy did not start: " + (home / "deploy.log").read_text()[-2000:]
                )
            time.sleep(0.3)
        state = json.loads((run / "state.json").read_text())
        state["log"] = home / "deploy.log"
        yield state, {"codes": codes, "open_panel": open_id, "order": order, "db": pg_url}
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="session")
def e2e_pages() -> ModuleType:
    """``tests/e2e/test_dashboards.py`` as a module: ``open_page``, ``login``, ``score_and_confirm``..."""
    return pages


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium (never ``playwright install``); each test makes its own contexts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=e2e.CHROMIUM, args=e2e.CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
