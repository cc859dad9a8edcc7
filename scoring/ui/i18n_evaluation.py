"""User-facing text of the yearly evaluation (年度绩效评估): the expert page's evidence card and
suggestions, the board's grades and a project's path.

Merged into :data:`scoring.ui.i18n.TEXT`, the single table the pages read.
"""

from __future__ import annotations

#: key -> (Chinese, English), as in :data:`scoring.ui.i18n.TEXT`.
EVALUATION_TEXT: dict[str, tuple[str, str]] = {
    "ev.title": ("{year} 年度评估材料", "Evidence for {year}"),
    "ev.quarters": ("报送情况", "Reporting"),
    "ev.measures": ("工作目标与举措（最近一期台帐）", "Goals and measures (latest ledger)"),
    "ev.indicators": ("绩效指标（与基线、目标比较）", "Indicators against baseline and target"),
    "ev.financing": ("融资情况（万元，本年累计）", "Financing (10k yuan, year to date)"),
    "ev.summary": ("年度工作总结", "Yearly summary"),
    "ev.risks": ("风险记录", "Recorded risks"),
    "ev.none": ("暂无", "none"),
    "ev.late": ("逾期", "late"),
    "ev.done": ("已完成", "done"),
    "ev.period": ("报告期", "Period"),
    "ev.ledger": ("台帐", "Ledger"),
    "ev.timeliness": ("按期", "On time"),
    "ev.goal": ("工作目标", "Goal"),
    "ev.measure": ("具体举措", "Measure"),
    "ev.deadline": ("完成时限", "Deadline"),
    "ev.progress": ("进展", "Progress"),
    "ev.indicator": ("指标", "Indicator"),
    "ev.baseline": ("基线", "Baseline"),
    "ev.target": ("目标", "Target"),
    "ev.value": ("本年（年化）", "This year (annualised)"),
    "ev.change": ("变化", "Change"),
    "ev.status": ("状态", "Status"),
    "ev.total": ("合计", "Total"),
    "ev.suggest": (
        "建议：{grade} {band}（{measure} {figure}，{basis}）",
        "Suggested: {grade} {band} ({measure} {figure}, {basis})",
    ),
    "ev.suggest_none": ("{measure}：尚无可计算的数据", "{measure}: nothing to compute yet"),
    "ev.departure": (
        "⚠ 偏离建议区间，请在评语中说明理由",
        "⚠ outside the suggested band: say why in the comment",
    ),
    "ev.status.met": ("达到目标", "target met"),
    "ev.status.improving": ("优于基线", "above baseline"),
    "ev.status.below_baseline": ("低于基线", "below baseline"),
    "ev.status.no_baseline": ("无基线", "no baseline"),
    "ev.t.on_time": ("按期", "on time"),
    "ev.t.late": ("迟报", "late"),
    "ev.t.missing": ("未报", "missing"),
    "ev.t.overdue": ("逾期未报", "overdue"),
    "ev.t.pending": ("未到期", "not yet due"),
    "ev.grades": ("评估等级", "Grades"),
    "ev.p_grade": ("等级概率（权重不确定时）", "Probability of each grade (uncertain weights)"),
    "ev.fragile": ("等级不稳", "fragile"),
    "ev.path": ("项目全过程", "The project's path"),
    "ev.path.defense": ("申报答辩", "Defense"),
    "ev.path.catalogue": ("入库年度", "Catalogue year"),
    "ev.path.evaluation": ("年度评估", "Yearly evaluation"),
    "ev.path.exit": ("退出", "Exit"),
    "ev.path.active": ("在库", "in the catalogue"),
    "ev.path.exited": ("已退出", "exited"),
    "ev.path.pick": ("查看项目", "Project"),
    "ev.panel": ("评估组", "Evaluation panel"),
    "ev.city_report": ("城市年度评估报告", "City evaluation report"),
    "ev.province_report": ("全省年度汇总报告", "Province yearly report"),
    "ev.send": ("不合格项目列入退出名单", "Put the failed projects on the exit list"),
    "ev.sent": (
        "已列入退出名单 {n} 个项目：{projects}（请在“退出预警”中决定）",
        "{n} project(s) put on the exit list: {projects} (decide under Exit candidates)",
    ),
    "ev.no_grades": ("尚无已结束的年度评估组", "No closed evaluation panel yet"),
    "fs.tab.evaluation": ("年度评估", "Yearly evaluation"),
}
