"""The layout's contracts: the pure core stays pure, and no module grows past ~500 lines.

The pure core (``scoring/engine``, ``scoring/programme``, ``scoring/io`` and the small shared modules) is what the
store, the dashboards and the reports build on; it must stay importable and testable without a database, widgets
or a plotting library. Both checks read the source (every ``import``, also the ones inside functions) and one
imports the core in a fresh interpreter and looks at what was loaded.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "scoring"
PURE = [
    "engine",
    "programme",
    "followup",
    "evaluation",
    "io",
    "errors.py",
    "paths.py",
    "datafile.py",
]
FORBIDDEN = ("ipywidgets", "sqlalchemy", "matplotlib", "traitlets", "voila", "psycopg")
#: Longest module allowed ("no module over ~500 lines"): a little slack for a docstring.
MAX_LINES = 520


def _pure_files() -> list[Path]:
    files: list[Path] = []
    for name in PURE:
        path = PACKAGE / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", _pure_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_core_imports_no_database_widgets_or_plotting(path: Path) -> None:
    bad = sorted(_imported(path) & set(FORBIDDEN))
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_pure_core_loads_none_of_them_at_run_time() -> None:
    modules = [
        "scoring." + str(p.relative_to(PACKAGE).with_suffix("")).replace("/", ".")
        for p in _pure_files()
    ]
    modules = [m.removesuffix(".__init__") for m in modules]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_no_module_over_about_500_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in sorted(PACKAGE.rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"
