"""Fixtures of the widget tests: a real store (SQLite), seeded once per session through the
store's API and copied for each test so that every test starts from the same fresh state."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("ui_seed", Path(__file__).with_name("seed.py"))
seed_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seed_mod)


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory):
    """A seeded SQLite file and its access codes/panel ids (never modified by tests)."""
    from scoring.store import Workbench

    path = tmp_path_factory.mktemp("seed") / "seed.sqlite"
    wb = Workbench(f"sqlite:///{path}")
    info = seed_mod.seed(wb)
    wb.close()
    return path, info


@pytest.fixture
def store(seeded_db, tmp_path, monkeypatch):
    """``(backend, info)``: a copy of the seeded store; timers under ``tmp_path``."""
    from scoring.store import Workbench
    from scoring.ui.backend import StoreBackend

    src, info = seeded_db
    monkeypatch.setenv("SCORING_HOME", str(tmp_path))
    db = tmp_path / "db.sqlite"
    shutil.copy(src, db)
    wb = Workbench(f"sqlite:///{db}")
    yield StoreBackend(workbench=wb), info
    wb.close()
