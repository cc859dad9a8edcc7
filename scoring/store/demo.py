"""Seed the demo into a store: ``scoring init --demo``.

From the committed demo files (``data/demo/``, all invented): the candidates, the experts and the
declared conflicts; accounts for an organizer, a chair and every expert; then

* panel 1 **第一组（已结束）**: every candidate and every expert, configuration frozen, every demo
  score saved and confirmed by its expert through the store's API, closed by the chair, so
  rankings, exports and reports have something to show;
* panel 2 **第二组（进行中）**: six candidates and seven experts, frozen and open, with no scores,
  to try the dashboards on;
* the follow-up of the demo year (:mod:`.followup.demo`) and its yearly evaluation
  (:mod:`.evaluation.demo`): a closed evaluation panel, grades, one 不合格 that exited.

Returns the access codes (shown once; the store keeps only their hashes).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..paths import DATA_DIR
from .config import PanelConfig
from .errors import StoreError
from .service import Workbench

DEMO_DIR = DATA_DIR / "demo"
CLOSED_PANEL = "第一组（已结束）"
OPEN_PANEL = "第二组（进行中）"
#: Demo cut line: how many projects the closed panel's shortlist keeps.
DEMO_CUT = 30


def seed_demo(
    wb: Workbench,
    folder: str | Path = DEMO_DIR,
    *,
    year: int | None = None,
    reissue_if_loaded: bool = False,
) -> dict[str, str]:
    """Load the demo into ``wb`` and return ``{login: access code}``.

    With ``reissue_if_loaded`` a store that holds the demo already is left as it is and the
    demo accounts get fresh codes (returned); otherwise that is an error.

    Raises
    ------
    StoreError
        When the demo panels exist already (and ``reissue_if_loaded`` is false).
    """
    folder = Path(folder)
    org = wb.system_actor("demo")
    wb.init(year, actor=org)
    if any(p["name"] in (CLOSED_PANEL, OPEN_PANEL) for p in wb.panels(org)):
        if not reissue_if_loaded:
            raise StoreError(
                "演示数据已存在 / the demo is already loaded (delete the database file to start again)"
            )
        # run again (e.g. `make demo` twice): nothing is re-seeded; the demo accounts get new
        # codes, since the old ones were shown once and are stored only as hashes
        from .followup.demo import DEMO_LOGINS

        demo_logins = ["ORGANIZER", "CHAIR", *wb.experts(org)["expert_id"], *DEMO_LOGINS]
        active = {a["login"] for a in wb.accounts(org) if a["active"]}
        return {x: wb.reissue_code(org, x) for x in demo_logins if str(x).upper() in active}
    wb.import_candidates(org, folder / "candidates.csv")
    wb.import_experts(org, folder / "experts.csv")
    experts = wb.experts(org)
    conflicts = pd.read_csv(
        folder / "conflicts.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    for rec in conflicts.to_dict("records"):
        wb.declare_conflict(
            org, rec["expert_id"], rec["project_id"], rec.get("reason") or rec.get("rule") or "回避"
        )

    codes: dict[str, str] = {
        "ORGANIZER": wb.create_account(org, "ORGANIZER", "organizer", name="组织方（商务厅）"),
        "CHAIR": wb.create_account(org, "CHAIR", "chair", name="主持人"),
    }
    for rec in experts.to_dict("records"):
        role = "bank" if rec["kind"] == "bank" else "expert"
        codes[rec["expert_id"]] = wb.create_account(
            org, rec["expert_id"], role, expert_id=rec["expert_id"], name=rec["name"]
        )
    chair = wb.login(codes["CHAIR"])

    scores = pd.read_csv(
        folder / "scores.csv", dtype={"project_id": str, "expert_id": str}, encoding="utf-8-sig"
    )
    cands = list(wb.candidates(org)["project_id"])
    members = list(experts["expert_id"])
    config = PanelConfig.from_criteria(cut_size=DEMO_CUT, tie_rule="include")
    pid = wb.create_panel(
        org,
        CLOSED_PANEL,
        date=f"{wb.current_year()}-03-20",
        chair="CHAIR",
        members=members,
        candidates=cands,
    )
    wb.freeze_config(org, pid, config)
    wb.open_panel(chair, pid)
    for expert_id, group in scores.groupby("expert_id", sort=True):
        me = wb.login(codes[str(expert_id)])
        for project_id, sheet in group.groupby("project_id", sort=True):
            values = dict(zip(sheet["criterion"], sheet["score"].astype(float), strict=True))
            r = wb.save_scores(me, pid, str(project_id), values, base_version=0)
            wb.confirm_sheet(
                me, pid, str(project_id), code=codes[str(expert_id)], base_version=r.version
            )
    wb.close_panel(chair, pid)

    open_cands = [c for c in cands if c.startswith("R")][:3] + [
        c for c in cands if c.startswith("E")
    ][:3]
    pid2 = wb.create_panel(
        org,
        OPEN_PANEL,
        date=f"{wb.current_year()}-03-27",
        chair="CHAIR",
        members=members[:5] + members[-2:],
        candidates=open_cands,
    )
    wb.freeze_config(org, pid2, PanelConfig.from_criteria(cut_size=3))
    wb.open_panel(chair, pid2)

    # the follow-up stage (阶段跟进) of the demo year: the closed panel's catalogue followed
    from .followup.demo import seed_followup

    codes.update(seed_followup(wb, pid, year=wb.current_year()))

    # the yearly evaluation (年度绩效评估) of the demo year: a closed panel, one 不合格 exited
    from .evaluation.demo import seed_evaluation

    seed_evaluation(wb, codes, year=wb.current_year())
    return codes
