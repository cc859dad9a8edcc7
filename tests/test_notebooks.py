"""The analysis notebooks run top to bottom on the demo data (nbclient) and are committed
without outputs (nbstripout)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
EXPECTED = {
    "01_method_comparison",
    "02_weight_sensitivity",
    "03_panel_consistency",
    "04_catalogue_and_bank_portfolios",
    "05_yearly_evaluation",
}


def test_the_notebooks_exist() -> None:
    assert {p.stem for p in NOTEBOOKS} >= EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs (run nbstripout)"
            assert cell.execution_count is None, f"{path.name}: execution count kept"
    assert any(c.cell_type == "markdown" for c in nb.cells), "notebooks explain what they show"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    env = {"MPLCONFIGDIR": str(tmp_path / "mpl")}  # kernel keeps its inline backend
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.get("output_type") == "error"]
    assert not errors
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name} draws no chart"
    # Chinese labels render: no missing-glyph warnings from matplotlib
    stderr = "".join(
        o.get("text", "") for c in code for o in c.outputs if o.get("name") == "stderr"
    )
    assert "missing from font" not in stderr
