"""The yearly evaluation of the demo (``scoring init --demo``): one evaluated year.

After the follow-up of the demo year (:mod:`scoring.store.followup.demo`): the followed
projects get the targets of their plan, the units send their yearly summaries (年度工作总结), the
city bureaus confirm them, and a closed evaluation panel 年度绩效评估（企业项目） holds every enterprise project with
confirmed, signed sheets of the demo experts (recused where the same-city, employer or lender
rule says). Its grades are what the scores give: the project that never reported its first
quarter scores 不合格, is put on the exit list with the evaluation as evidence, and the
organizer decides its exit. One project is marked as a replicable case.

Scores are invented but tied to the evidence: each expert scores near the project's suggested
bands (按期报送, indicator progress) and near a project-level quality, with an expert's own
leniency. Everything goes through the store's API.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The yearly summary's text per point (a template: the project's name is put in).
SUMMARY = {
    "organisation": "成立由总经理牵头的项目推进小组，设立供应链管理部，按季度报送台帐",
    "groundwork": "完成订单协同系统上线和仓储管理系统升级，推进数据与接口标准化",
    "goals": "申报方案所列目标大部分完成，其余举措按计划推进",
    "performance": "营业收入、库存周转率较上年提升，带动上下游企业降本增效",
    "innovation": "探索供应链协同与金融服务结合的新模式，形成可推广做法",
    "green": "更换节能仓储设备，推行可循环包装",
    "global": "拓展进口原料渠道，参与跨境供应链合作",
    "finance": "规范开展应收账款融资，服务中小企业",
}

EVALUATION_PANEL = "年度绩效评估（企业项目）"
#: Target factor per project (cycled): the demo ledgers report 1.06 × baseline.
_TARGET_FACTORS = (1.04, 1.06, 1.07, 1.09)
EXIT_REASON = "年度绩效评估不合格，且第一季度台帐未报送、第二三季度迟报，按通知取消重点项目资格"
CASE_NOTE = "供应链协同平台带动上下游订单、库存数据打通，可作为可复制推广的典型案例"


def _targets(wb: Any, org: Any, year: int) -> None:
    from ...followup.catalogue import indicator

    for n, p in enumerate(wb.followed.projects(org).to_dict("records")):
        plan = wb.followed.project(org, p["project_id"])["plan"] or {}
        factor = _TARGET_FACTORS[n % len(_TARGET_FACTORS)]
        new = {}
        for key, spec in plan.items():
            spec = dict(spec)
            base = spec.get("baseline")
            if base is not None:
                better = indicator(key).better
                t = base * factor if better == "higher" else base / factor
                spec["targets"] = {str(year): round(float(t), 4)}
            new[key] = spec
        wb.followed.set_plan(org, p["project_id"], new)


def _summaries(wb: Any, codes: dict[str, str], year: int, skip: set[str]) -> None:
    from ...followup.ledger import summary_keys
    from ..followup.demo import CITY_LOGINS, DEMO_LOGINS, demo_content

    org = wb.system_actor("demo")
    cities = {c: wb.login(codes[login]) for c, login in CITY_LOGINS.items() if login in codes}

    key = f"{year}Y"
    for login in DEMO_LOGINS:
        if not login.startswith("UNIT") or login not in codes:
            continue
        unit = wb.login(codes[login])
        for project in wb.followed.projects(unit).to_dict("records"):
            pid = project["project_id"]
            if pid in skip:
                continue
            state = wb.ledgers.ledger(unit, pid, key)
            # the yearly summary carries the year's ledger (full-year values, as a fourth
            # quarter's year to date) and the text per point
            content = demo_content(wb.followed.project(org, pid), 4, first=False)
            content["summary"] = {
                k: SUMMARY.get(k, "按计划推进") for k in summary_keys(project["kind"])
            }
            wb.ledgers.save_draft(unit, pid, key, content, base_version=state["version"])
            wb.ledgers.submit(unit, pid, key)
            # confirmed by the city bureau (省属企业: the province) before the evaluation
            who = org if project["provincial"] else cities.get(project["city"])
            if who is not None:
                wb.ledgers.confirm(who, pid, key)


def seed_evaluation(wb: Any, codes: dict[str, str], *, year: int) -> dict[str, Any]:
    """Seed the demo's evaluated year; returns ``{"panel_id", "failed", "case"}``."""
    from ..followup import demo as followup_demo

    org = wb.system_actor("demo")
    today = followup_demo.real_today()
    projects = wb.followed.projects(org).to_dict("records")
    enterprise = [p for p in projects if p["kind"] == "enterprise"]
    periods = {r["key"]: r for r in wb.periods.periods(org, year).to_dict("records")}
    q3 = periods.get(f"{year}Q3")
    if len(enterprise) < 3 or q3 is None or today <= q3["lock"]:
        return {}  # an evaluation needs three reported quarters: too early in the year
    _targets(wb, org, year)
    # the project that never reported its first quarter (the demo's exit candidate) fails
    t = wb.followup_stats.timeliness(org, year=year)
    missing = t[(t["period"] == f"{year}Q1") & (t["status"] == "missing")]["project_id"]
    kinds = {p["project_id"]: p["kind"] for p in projects}
    weak = sorted(p for p in missing if kinds.get(p) == "enterprise")
    failing = weak[0] if weak else enterprise[-1]["project_id"]
    _summaries(wb, codes, year, {failing})
    experts = wb.experts(org).to_dict("records")
    members = [e["expert_id"] for e in experts]
    pid = wb.evaluation.create_panel(
        org,
        EVALUATION_PANEL,
        year=year,
        kind="enterprise",
        date=today.isoformat(),
        chair="CHAIR",
        members=members,
    )
    wb.freeze_config(org, pid)
    chair = wb.login(codes["CHAIR"])
    wb.open_panel(chair, pid)
    cards = wb.evaluation.evidences(org, pid)
    from ...engine.criteria.registry import criteria_set

    keys = criteria_set("evaluation-enterprise").keys
    rng = np.random.default_rng(2026)
    quality = {p: float(rng.uniform(70, 92)) for p in cards}
    quality[failing] = 48.0
    for e in experts:
        me = wb.login(codes[e["expert_id"]])
        lenient = float(rng.normal(0, 3))
        for project_id in wb.my_sheets(me, pid)["project_id"]:
            project_id = str(project_id)
            card = cards.get(project_id)
            if card is None:
                continue
            values = {}
            for k in keys:
                s = card.suggestions.get(k)
                centre = quality[project_id]
                if s is not None and s.low is not None and project_id != failing:
                    centre = 0.5 * centre + 0.5 * (s.low + s.high) / 2
                v = centre + lenient + float(rng.normal(0, 4))
                values[k] = int(round(min(100.0, max(0.0, v))))
            r = wb.save_scores(me, pid, project_id, values, base_version=0)
            wb.confirm_sheet(
                me, pid, project_id, code=codes[e["expert_id"]], base_version=r.version
            )
    wb.close_panel(chair, pid)
    sent = wb.evaluation.send_to_exit(org, pid)
    for p in sent:
        wb.exits.decide(org, p, exit=True, reason=EXIT_REASON, grounds=["poor_evaluation"])
    best = max((p for p in cards if p != failing), key=lambda p: quality[p])
    wb.evaluation.mark_case(chair, pid, best, CASE_NOTE)
    return {"panel_id": pid, "failed": sent, "case": best}
