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
#: Every served dashboard (scoring.ui.serve.DASHBOARDS), the follow-up pages included.
APPS = ["expert", "board", "bank", "console", "reporting", "confirm", "followstats", "project"]


@pytest.mark.parametrize("app", APPS)
def test_app_import_stays_light(app):
    code = (
        f"import sys, scoring.ui.{app}\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("app", APPS)
def test_building_the_app_stays_light(app):
    """Building the page (login box first) must not load the store either."""
    code = (
        f"import sys\nfrom scoring.ui.{app} import {app}_app\n{app}_app()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


#: Never in an expert's kernel: the expert page shows no chart (they are the board's, the bank's
#: and the reports'), so an expert kernel must not pay for them.
CHARTS_AND_ANALYSIS = ("matplotlib", "scipy", "skcriteria", "pingouin", "sklearn", "fpdf")

_EXPERT_SESSION = """
import json, sys
from scoring.ui.expert import expert_app
app = expert_app(poll=False)
model, view = app.model, app.view
view.login.code.value = sys.argv[1]
view.login.button.click()
if model.phase == "conflicts":
    view.no_conflict.click()
for key in model.criterion_names():
    view.inputs[key].value = "80"
view.code.value = sys.argv[1]
view.confirm.click()
model.tick()
print(json.dumps({
    "phase": model.phase, "current": model.current, "status": model.sheet_status,
    "error": model.error, "card": "scoring-card" in view.card.value,
    "heavy": sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2].split(","))),
}))
"""


def test_expert_session_loads_no_chart_or_analysis_library(seeded_db, tmp_path):
    """An expert logs in, declares, sees a candidate's sheet, saves a score and confirms: none
    of matplotlib, scipy, scikit-criteria (or what pulls them) is imported in the kernel."""
    import json
    import os
    import shutil

    src, info = seeded_db
    db = tmp_path / "db.sqlite"
    shutil.copy(src, db)
    env = {
        **os.environ,
        "SCORING_DB": f"sqlite:///{db}",
        "SCORING_HOME": str(tmp_path),
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _EXPERT_SESSION,
            info["codes"]["X01"],
            ",".join(CHARTS_AND_ANALYSIS),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=120,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["phase"] == "scoring" and seen["current"] and seen["card"], seen
    assert seen["status"] == "confirmed" and not seen["error"], seen
    assert seen["heavy"] == [], seen


def test_the_list_of_apps_is_every_served_dashboard():
    from scoring.ui.serve import DASHBOARDS

    assert set(APPS) == set(DASHBOARDS)
