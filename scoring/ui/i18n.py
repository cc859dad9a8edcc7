"""User-facing text of the dashboards: Simplified Chinese by default, English by a switch."""

from __future__ import annotations

from ..programme.panel_names import panel_base_name as panel_base_name

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"

#: key -> (Chinese, English). ``{name}`` placeholders are filled with ``str.format``.
TEXT: dict[str, tuple[str, str]] = {
    "app.expert": ("专家评分", "Expert scoring"),
    "app.board": ("评审组长 / 组织者看板", "Chair and organizer board"),
    "app.bank": ("银行审贷对比", "Bank reviewer comparison"),
    "app.console": ("组织者配置", "Organizer console"),
    "lang.switch": ("English", "中文"),
    "login.code": ("访问码", "Access code"),
    "login.button": ("登录", "Log in"),
    "login.placeholder": ("请输入组织者发放的访问码", "Access code issued by the organizer"),
    "login.ok": ("已登录：{name}（{role}）", "Logged in: {name} ({role})"),
    "login.wrong_role": (
        "此页面不适用于该账号的角色（{role}）",
        "This page is not for role {role}",
    ),
    "logout": ("退出", "Log out"),
    "role.expert": ("评审专家", "expert"),
    "role.chair": ("评审组长", "chair"),
    "role.organizer": ("组织者", "organizer"),
    "role.bank": ("银行评审", "bank reviewer"),
    "panel": ("评审组", "Panel"),
    "panel.none": ("当前没有可评分的评审组", "No panel is open for you"),
    "status.draft": ("未开始", "draft"),
    "status.open": ("评审中", "open"),
    "status.closed": ("已结束", "closed"),
    "sheet.empty": ("未评分", "not scored"),
    "sheet.draft": ("草稿", "draft"),
    "sheet.confirmed": ("已确认", "confirmed"),
    "sheet.recused": ("回避", "recused"),
    "conflicts.title": (
        "查看项目前，请先声明利益冲突（回避）：勾选与您存在关联的项目",
        "Before seeing any candidate, declare your conflicts of interest: tick related projects",
    ),
    "conflicts.reason": ("回避理由", "Reason"),
    "conflicts.reason_default": ("本人声明存在关联", "Declared by the expert"),
    "conflicts.none": ("无利益冲突，继续", "No conflict, continue"),
    "conflicts.declare": ("声明回避并继续", "Declare and continue"),
    "expert.candidates": ("答辩顺序", "Defense order"),
    "expert.comment": ("评语", "Comment"),
    "board.declared": ("回避声明", "Conflicts declared"),
    "expert.comment_hint": (
        "对该项目的评审意见（随草稿自动保存，离开输入框即保存）",
        "Your opinion of this project (saved with the draft when you leave the box)",
    ),
    "expert.confirm_code": (
        "再次输入访问码以确认（签字）",
        "Enter your code again to confirm (sign)",
    ),
    "expert.confirm": ("确认评分表", "Confirm sheet"),
    "expert.progress": ("{done} / {total} 已确认", "{done} / {total} confirmed"),
    "expert.saved": (
        "已自动保存（第 {version} 版，{status}，{time}）。数据库中：{scores}",
        "Saved automatically (version {version}, {status}, {time}). The database holds: {scores}",
    ),
    "expert.duplicate": (
        "重复提交，数据库未改变（第 {version} 版）",
        "Duplicate: nothing new (v{version})",
    ),
    "expert.stale": (
        "该评分表已在别处更新（第 {version} 版），已重新载入，请核对",
        "This sheet changed elsewhere (version {version}); reloaded, please check",
    ),
    "expert.confirmed": (
        "已确认签字（第 {version} 版）",
        "Confirmed and signed (version {version})",
    ),
    "expert.locked": (
        "该评分表已确认，修改需评审组长批准",
        "This sheet is confirmed; a change needs the chair's approval",
    ),
    "expert.bad_score": ("{name}：请输入 {lo}–{hi} 之间的数字", "{name}: enter a number {lo}–{hi}"),
    "expert.indicators": ("主要指标", "Key indicators"),
    "requests.title": ("更正与回避申请", "Requests to the chair"),
    "requests.waiting": ("{n} 项待决定", "{n} waiting"),
    "requests.kind_scores": ("分数更正", "score correction"),
    "requests.kind_recusal": ("迟报回避", "late conflict"),
    "requests.kind": ("类型", "Kind"),
    "requests.id": ("编号", "No."),
    "requests.who": ("专家 → 项目", "Expert → project"),
    "requests.reason": ("申请原因", "Reason asked"),
    "requests.status": ("决定", "Decision"),
    "requests.note": ("决定理由（驳回必填）", "Reason (required to reject)"),
    "requests.note_label": ("主持人意见", "Chair's reason"),
    "requests.approve": ("批准", "Approve"),
    "requests.reject": ("驳回", "Reject"),
    "requests.needs_reason": ("驳回需要说明理由", "A rejection needs a reason"),
    "requests.approved": ("申请 {id} 已批准", "Request {id} approved"),
    "requests.rejected": ("申请 {id} 已驳回", "Request {id} rejected"),
    "requests.stale": (
        "申请 {id} 已失效：评分表在申请后已变化",
        "Request {id} no longer applies: the sheet changed after it was asked",
    ),
    "requests.reopen": ("重新开启评审组", "Reopen the panel"),
    "requests.reopen_reason": (
        "重新开启的原因（记录在案，报告中列出）",
        "Reason for reopening (recorded and printed in the report)",
    ),
    "requests.reopened": (
        "评审组已重新开启：决定申请后请再次结束",
        "The panel is reopened: decide the requests, then close it again",
    ),
    "correction.title": ("更正申请", "Correction requests"),
    "correction.open": ("申请更正", "Request a correction"),
    "correction.send": ("提交主持人", "Send to the chair"),
    "correction.cancel": ("取消", "Cancel"),
    "correction.reason": ("更正原因（必填）", "Reason for the correction (required)"),
    "correction.reason_label": ("原因", "reason"),
    "correction.chair_note": ("主持人意见", "chair"),
    "correction.pending": ("待主持人决定", "waiting for the chair"),
    "correction.approved": ("已批准", "approved"),
    "correction.rejected": ("已驳回", "rejected"),
    "correction.stale": ("已失效", "no longer applies"),
    "correction.kind_recusal": ("迟报回避", "late conflict"),
    "correction.not_confirmed": (
        "只有已确认的评分表需要更正申请；草稿可直接修改",
        "only a confirmed sheet needs a correction request: a draft can be changed directly",
    ),
    "correction.needs_reason": ("请填写更正原因", "Enter the reason for the correction"),
    "correction.missing": ("{name}：请填写更正后的分数", "{name}: enter the corrected score"),
    "correction.unchanged": (
        "更正后的分数与已确认的相同",
        "The corrected scores are the same as the confirmed ones",
    ),
    "correction.sent": (
        "更正申请已提交（编号 {id}），等待主持人决定",
        "Correction request {id} sent: waiting for the chair",
    ),
    "expert.summary": ("项目简介", "Summary"),
    "timer.idle": ("答辩计时：未开始", "Defense timer: not started"),
    "timer.presentation": ("陈述 {left}", "Presentation {left}"),
    "timer.questions": ("提问 {left}", "Questions {left}"),
    "timer.over": ("答辩时间已到", "Time is up"),
    "timer.stopped": ("计时已停止", "Timer stopped"),
    "timer.start": ("开始计时", "Start timer"),
    "timer.stop": ("停止计时", "Stop timer"),
    "timer.not_running": ("当前没有正在进行的计时", "No timer is running"),
    "timer.board": ("答辩计时 · {project} · {state}", "Defense timer · {project} · {state}"),
    "board.progress": ("评分进度（评审中不显示分值）", "Progress (values hidden while open)"),
    "board.open": ("开启评审", "Open panel"),
    "board.close": ("结束评审", "Close panel"),
    "board.close_missing": (
        "尚有 {n} 份评分表未确认。结束后排名只基于已确认的评分表。如确需结束，请填写理由（记入审计日志与评审报告）：",
        "{n} sheet(s) are not confirmed. Once closed, the ranking uses only confirmed sheets."
        " To close anyway, give a reason (kept in the audit trail and the report):",
    ),
    "board.close_reason": ("理由", "Reason"),
    "board.force_close": ("仍然结束评审", "Close anyway"),
    "board.cancel": ("取消", "Cancel"),
    "board.refresh": ("刷新", "Refresh"),
    "board.ranking": ("排名（冻结的方法与权重）", "Ranking (frozen method and weights)"),
    "board.criteria_scores": ("各项专家组得分", "Panel score per criterion"),
    "board.deviation": ("偏离提示", "Deviation flags"),
    "board.agreement": (
        "一致性：Kendall W = {w}，ICC = {icc}",
        "Agreement: Kendall's W = {w}, ICC = {icc}",
    ),
    "board.robustness": (
        "入选概率（权重扰动）",
        "Probability of making the cut (weight uncertainty)",
    ),
    "board.shortlist": ("入选名单（分数线 {cut}）", "Shortlist (cut line {cut})"),
    "shortlist.selected": ("入选", "selected"),
    "shortlist.chair": ("待组长裁定", "chair decides"),
    "board.download": ("下载", "Download"),
    "board.report": ("生成评审报告 PDF", "Build the panel report (PDF)"),
    "board.report_busy": (
        "正在生成 PDF 报告，需要几秒钟…",
        "Generating the PDF report (a few seconds)…",
    ),
    "board.report_ready": ("PDF 报告已生成", "PDF report ready"),
    "board.report_download": ("下载评审报告 PDF", "Download the panel report (PDF)"),
    "board.hidden": ("评审结束后显示结果", "Results appear after the panel is closed"),
    "board.config_hash": ("配置指纹", "Configuration hash"),
    "bank.pick": ("选择 2–6 个项目对比", "Pick 2 to 6 candidates"),
    "bank.compare": ("对比", "Compare"),
    "bank.weights": ("本行权重", "Our weights"),
    "bank.own_rank": ("本行排名", "Our rank"),
    "bank.panel_rank": ("专家组排名", "Panel rank"),
    "bank.basket": ("合作项目篮（最多 {cap} 个）", "Portfolio basket (at most {cap})"),
    "bank.add": ("加入项目篮", "Add to basket"),
    "bank.remove": ("移出", "Remove"),
    "bank.full": (
        "项目篮已满：每家银行原则上合作不超过 {cap} 个重点项目（已有 {have} 个），本次 {n} 个未加入",
        "The basket is full: a bank takes at most {cap} key projects ({have} already); "
        "the {n} picked were not added",
    ),
    "bank.empty_basket": ("项目篮为空", "The basket is empty"),
    "bank.reversed": ("{name}（反向）", "{name} (reversed)"),
    "bank.export": ("导出对比表", "Export comparison"),
    "bank.need": ("请选择 2–6 个项目", "Pick 2 to 6 candidates"),
    "bank.radar": ("专家组评分雷达图（外圈为优）", "Panel scores (radar; outer is better)"),
    "console.upload_candidates": ("上传申报项目（xlsx/csv）", "Upload candidates (xlsx/csv)"),
    "console.upload_experts": ("上传专家名单（xlsx/csv）", "Upload experts (xlsx/csv)"),
    "console.upload_limit": (
        "每个文件最多 {rows} 行、{mb} MB；更大的文件会被拒绝并说明原因",
        "Each file at most {rows} rows and {mb} MB; a larger one is refused with the reason",
    ),
    "console.imported": ("已导入 {n} 行", "Imported {n} rows"),
    "console.weights": (
        "指标与权重（实时预览排名变化）",
        "Criteria and weights (live ranking preview)",
    ),
    "console.method": ("排名方法", "Ranking method"),
    "console.aggregation": ("汇总规则", "Aggregation"),
    "console.cut": ("入选数量", "Cut size"),
    "console.cut_hint": (
        "默认 {default}（示例评审的入选数量）；0 表示未设定，按排名前一半",
        "Default {default} (the demo's cut); 0 means not set: the top half",
    ),
    "console.cut_unset": ("未设定（前一半）", "not set (top half)"),
    "console.p_name": ("名称", "Name"),
    "console.criteria_set": ("评分指标集", "Criteria set"),
    "console.p_date": ("日期", "Date"),
    "console.p_chair": ("组长账号", "Chair login"),
    "console.k_login": ("登录名，如 X01", "Login, e.g. X01"),
    "console.k_expert": ("专家编号（专家、银行评审）", "Expert id (experts, bank reviewers)"),
    "col.default_rank": ("默认权重名次", "Rank, default weights"),
    "method.weighted_sum": ("加权和", "Weighted sum"),
    "method.weighted_product": ("加权积", "Weighted product"),
    "method.topsis": ("TOPSIS（逼近理想解）", "TOPSIS"),
    "method.vikor": ("VIKOR（折衷排序）", "VIKOR"),
    "method.moora": ("MOORA（多目标比率）", "MOORA"),
    "aggregation.trimmed_mean": ("去掉最高最低分后平均", "Mean without highest and lowest"),
    "aggregation.mean": ("平均", "Mean"),
    "aggregation.median": ("中位数", "Median"),
    "aggregation.zscore": ("标准分", "Standard scores (z)"),
    "role.option.expert": ("评审专家", "Expert"),
    "role.option.bank": ("银行评审", "Bank reviewer"),
    "role.option.chair": ("评审组长", "Chair"),
    "role.option.organizer": ("组织者", "Organizer"),
    "console.freeze": ("冻结配置", "Freeze configuration"),
    "console.frozen": ("已冻结，配置指纹 {hash}", "Frozen, configuration hash {hash}"),
    "console.codes": ("发放访问码", "Issue access codes"),
    "console.panel": ("评审组设置", "Panel set-up"),
    "console.members": ("成员", "Members"),
    "console.order": ("答辩顺序", "Defense order"),
    "console.conflicts": ("回避", "Conflicts"),
    "console.preview_moves": (
        "与当前排名相比的名次变化",
        "Rank change against the current ranking",
    ),
    "error.refused": ("操作被拒绝：", "Refused:"),
    "error.internal": (
        "内部错误，已记录（编号 {ref}），请联系组织者",
        "Internal error, logged (ref {ref}); please tell the organizer",
    ),
    "error.login": ("访问码无效或已停用", "Invalid or revoked access code"),
    "col.project_id": ("项目编号", "Project"),
    "col.name": ("名称", "Name"),
    "col.city": ("城市", "City"),
    "col.kind": ("类型", "Type"),
    "col.industry": ("产业", "Industry"),
    "col.score": ("得分", "Score"),
    "col.rank": ("名次", "Rank"),
    "col.expert": ("专家", "Expert"),
    "col.p_cut": ("入选概率", "P(cut)"),
}


def panel_label(name: object, status: str, lang: str = DEFAULT_LANG) -> str:
    """``name（status）`` with the current status replacing any status the name carried."""
    base = panel_base_name(name)
    return f"{base}（{t('status.' + status, lang)}）" if status else base


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """Text of ``key`` in ``lang``, formatted with ``values``; the key itself if unknown."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text


def criterion_name(crit: object, lang: str) -> str:
    """Display name of a criterion object or dict (``zh``/``en`` attributes or keys)."""
    if isinstance(crit, dict):
        return str(crit.get("en" if lang == "en" else "zh", crit.get("key", "")))
    return str(getattr(crit, "en" if lang == "en" else "zh", crit))
