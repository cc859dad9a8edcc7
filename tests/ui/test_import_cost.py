"""A dashboard kernel shows its first widget before it pays for the store and the core.

Importing an app module must not pull in SQLAlchemy, pandas, scikit-criteria or matplotlib: they
load in the background once the page shows (bench_dashboards.py measures the effect; this test
guards the import graph, which a stray eager import broke once: open ratios went 1.1x -> 1.4x).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "pandas", "skcriteria", "matplotlib", "scipy", "pingouin")


@pytest.mark.parametrize("app", ["expert", "board", "bank", "console"])
def test_app_import_stays_light(app):
    code = (
        f"import sys, scoring.ui.{app}\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("app", ["expert", "board", "bank", "console"])
def test_building_the_app_stays_light(app):
    """Building the page (login box first) must not load the store either."""
    code = (
        f"import sys\nfrom scoring.ui.{app} import {app}_app\n{app}_app()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
