"""A small real review set-up in a fresh store, through the store's public API only.

Candidates and experts are the canonical demo files; panel "P1" (open) has five experts and six
candidates; panel "P0" (closed) has the same members and every sheet confirmed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
OPEN_CANDS = ["E001", "E002", "E003", "E004", "E005", "E006"]
CLOSED_CANDS = ["E007", "E008", "E009", "E010", "E011", "E012"]
MEMBERS = ["X01", "X02", "X03", "X04", "X05"]


def seed(wb, *, closed: bool = True) -> dict:
    """Seed ``wb``; returns access codes and panel ids."""
    from scoring.store import PanelConfig

    sysa = wb.system_actor("test")
    wb.init(2026, actor=sysa)
    wb.import_candidates(sysa, DEMO / "candidates.csv")
    wb.import_experts(sysa, DEMO / "experts.csv")
    codes = {"organizer": wb.create_account(sysa, "ORG", "organizer", name="组织者")}
    codes["chair"] = wb.create_account(sysa, "CHAIR", "chair", name="组长")
    for x in MEMBERS:
        codes[x] = wb.create_account(sysa, x, "expert", name=f"专家{x}", expert_id=x)
    codes["bank"] = wb.create_account(sysa, "X08", "bank", name="银行评审", expert_id="X08")
    panels = {}
    panels["P1"] = wb.create_panel(
        sysa, "P1", chair="CHAIR", members=MEMBERS, candidates=OPEN_CANDS
    )
    # a frozen cut line, as every real panel has (the report's fallback is the demo's rule)
    wb.freeze_config(sysa, panels["P1"], PanelConfig.from_criteria(cut_size=2))
    if closed:
        scores = pd.read_csv(DEMO / "scores.csv", encoding="utf-8-sig")
        panels["P0"] = wb.create_panel(
            sysa, "P0", chair="CHAIR", members=MEMBERS, candidates=CLOSED_CANDS
        )
        wb.freeze_config(sysa, panels["P0"], PanelConfig.from_criteria(cut_size=3))
        chair = wb.login(codes["chair"])
        wb.open_panel(chair, panels["P0"])
        for x in MEMBERS:
            me = wb.login(codes[x])
            for pid in CLOSED_CANDS:
                sub = scores[(scores.expert_id == x) & (scores.project_id == pid)]
                s = dict(zip(sub.criterion, sub.score.astype(float), strict=True))
                res = wb.save_scores(me, panels["P0"], pid, s, base_version=0)
                wb.confirm_sheet(me, panels["P0"], pid, code=codes[x], base_version=res.version)
        wb.close_panel(chair, panels["P0"], force=True, reason="测试：提前结束 / test closes early")
    chair = wb.login(codes["chair"])
    wb.open_panel(chair, panels["P1"])
    return {"codes": codes, "panels": panels}
