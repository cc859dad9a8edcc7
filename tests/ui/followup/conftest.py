"""Fixtures of the follow-up page tests: a seeded follow-up store behind the real backend."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("fu_fake", Path(__file__).with_name("fake_store.py"))
fake_mod = importlib.util.module_from_spec(_spec)
sys.modules["fu_fake"] = fake_mod
_spec.loader.exec_module(fake_mod)


@pytest.fixture
def fu(monkeypatch):
    """``(backend, info)`` over a seeded follow-up store; today is 2026-04-10 (Q1 not yet due)."""
    from scoring.ui.backend import StoreBackend

    monkeypatch.setenv("SCORING_TODAY", "2026-04-10")
    wb, info = fake_mod.seed_fake()
    info["good"] = fake_mod.good_content
    yield StoreBackend(workbench=wb), info
