"""The follow-up core is pure: no database, widgets or plotting, and small modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "scoring" / "followup"
FORBIDDEN = ("ipywidgets", "sqlalchemy", "matplotlib", "traitlets", "voila", "psycopg")


def test_imports_none_of_the_heavy_packages():
    modules = sorted(
        f"scoring.followup.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_modules_stay_small():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in CORE.glob("*.py")}
    assert max(sizes.values()) <= 420, sizes
