"""User-facing text of the dashboards: Simplified Chinese by default, English by a switch."""

from __future__ import annotations

from ..programme.panel_names import panel_base_name as panel_base_name
from .i18n_evaluation import EVALUATION_TEXT
from .i18n_followup import FOLLOWUP_TEXT

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
        "对该项目的评审意见（输入时自动保存）",
        "Your opinion of this project (saved as you type)",
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
    "board.legend": (
        "✔ 已确认　✎ 草稿　· 未评分　⊘ 回避（不参与该项目）　申报列：✔ ∅ = 已申报无利益冲突，✔ 编号 = 申报回避的项目，— = 尚未申报",
        "✔ confirmed  ✎ draft  · not scored  ⊘ recused  Declared: ✔ ∅ = declared no conflict,"
        " ✔ ids = declared conflicts, — = not declared yet",
    ),
    "board.timer_talk": ("陈述（分钟）", "Talk (min)"),
    "board.timer_questions": ("答辩（分钟）", "Questions (min)"),
    "help.title": ("使用说明", "How to use this page"),
    "help.expert": (
        "1. 输入访问码登录；2. 先申报利益冲突（无则点“无利益冲突”）；3. 按答辩顺序逐项打分，"
        "每个分数输入后自动保存；4. 填写评语；5. 再次输入访问码确认签字。确认后如需修改，请点“申请更正”，由主持人决定。",
        "1. Log in with your access code; 2. declare conflicts first (or 'no conflict'); 3. score "
        "each candidate in defense order: every score is saved as you type it; 4. write your "
        "comment; 5. type your code again to confirm (sign). To change a confirmed sheet, request "
        "a correction: the chair decides.",
    ),
    "help.board": (
        "开启评审组后，专家即可评分；表格显示每位专家的进度（不显示分数）。答辩时选择项目并设定陈述、答辩时长后开始计时。"
        "全部确认后点“结束评审”并确认，结果随即生成。专家的更正申请在“更正与回避申请”中批准或驳回（驳回需说明理由）。",
        "Open the panel and experts can score; the table shows each expert's progress (never the "
        "scores). Pick the candidate, set the talk and question minutes, and start the timer. "
        "When every sheet is confirmed, close the panel and confirm: the results follow. Approve "
        "or reject correction requests (a rejection needs a reason).",
    ),
    "help.bank": (
        "选择要比较的项目（来自已结束的评审组），调整本行的指标权重，查看对比排名和雷达图；把拟合作项目加入篮子（最多 20 个）。",
        "Pick candidates of closed panels to compare, set your bank's weights, read the ranking "
        "and the radar; add the projects you would take on to the basket (at most 20).",
    ),
    "help.console": (
        "按顺序：1. 导入候选项目和专家；2. 建立评审组（名称、日期、主持人、至少 3 名专家、答辩顺序）；"
        "3. 设定权重与方法并冻结配置（冻结前会列出全部配置请您确认）；4. 签发并打印访问码。",
        "In order: 1. import candidates and experts; 2. set up panels (name, date, chair, three "
        "experts at least, defense order); 3. set weights and method and freeze them (the whole "
        "configuration is shown for your confirmation); 4. issue and print the access codes.",
    ),
    "board.close_ask_all": (
        "所有评分表均已确认。结束后即生成结果，不能撤销（之后只能记录原因重新开启）。确认结束评审？",
        "Every sheet is confirmed. Closing computes the results and cannot be undone (only a"
        " recorded reopening changes them). Close the panel?",
    ),
    "board.confirm_close": ("确认结束评审", "Close the panel"),
    "board.computing": (
        "正在计算结果（排名、一致性、稳健性）…",
        "Computing the results (ranking, agreement, robustness)…",
    ),
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
    "bank.too_many": (
        "项目篮只剩 {left} 个位置：每家银行原则上合作不超过 {cap} 个重点项目（已有 {have} 个），"
        "本次选择的 {n} 个均未加入，请少选几个",
        "Only {left} place(s) left in the basket: a bank takes at most {cap} key projects "
        "({have} already); none of the {n} picked were added, pick fewer",
    ),
    "bank.empty_basket": ("项目篮为空", "The basket is empty"),
    "bank.reversed": ("{name}（反向）", "{name} (reversed)"),
    "bank.export": ("导出对比表", "Export comparison"),
    "bank.need": ("请选择 2–6 个项目", "Pick 2 to 6 candidates"),
    "bank.radar": ("专家组评分雷达图（外圈为优）", "Panel scores (radar; outer is better)"),
    "console.tab_upload": ("上传申报项目", "Upload"),
    "console.tab_weights": ("指标与权重", "Weights"),
    "console.choose_file": ("选择文件", "Choose file"),
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
    "console.cut_range": (
        "入选数量须在 0–{max} 之间（输入了 {value}），仍为 {kept}",
        "The cut size must be between 0 and {max} (typed {value}); it stays {kept}",
    ),
    "console.p_name": ("名称", "Name"),
    "console.criteria_set": ("评分指标集", "Criteria set"),
    "console.p_date": ("日期", "Date"),
    "console.p_chair": ("组长账号", "Chair login"),
    "console.k_login": ("登录名，如 X01", "Login, e.g. X01"),
    "console.k_expert": ("专家编号（专家、银行评审）", "Expert id (experts, bank reviewers)"),
    "col.default_rank": ("默认权重名次", "Rank, default weights"),
    "config.criteria_set": ("指标体系", "Criteria set"),
    "config.aggregation": ("专家分汇总", "Aggregation of experts' scores"),
    "config.method": ("排序方法", "Ranking method"),
    "config.tie_rule": ("并列规则", "Tie rule"),
    "config.cut": ("入围线", "Cut line"),
    "config.cut_size": ("前 {n} 名", "top {n}"),
    "config.cut_score": ("得分不低于 {score}", "score at least {score}"),
    "config.cut_unset": ("未设（取前一半）", "not set (top half)"),
    "config.frozen_title": ("已冻结的评审配置", "Frozen configuration"),
    "tie.include": ("并列者全部入围", "ties all in"),
    "tie.exclude": ("并列者均不入围", "ties all out"),
    "tie.chair": ("并列者由组长裁定", "the chair decides ties"),
    "console.errors": ("错误记录", "Errors"),
    "console.errors_refresh": ("刷新", "Refresh"),
    "console.errors_none": ("没有内部错误记录", "No internal errors recorded"),
    "console.errors_hint": (
        "页面上显示“内部错误（编号 …）”时，按编号在此查找；详细堆栈见服务器日志。",
        "When a page shows “internal error (ref …)”, find the reference here; the server log has the traceback.",
    ),
    "console.err_time": ("时间", "Time"),
    "console.err_ref": ("编号", "Ref"),
    "console.err_where": ("位置", "Where"),
    "console.err_what": ("错误", "Error"),
    "setup.need_name": ("请填写评审组名称", "Enter the panel's name"),
    "setup.bad_date": (
        "评审日期无效：“{date}”（应为 年-月-日，如 2026-03-20）",
        "Invalid date “{date}” (year-month-day, e.g. 2026-03-20)",
    ),
    "setup.need_chair": ("请填写主持人（组长）账号", "Enter the chair's login"),
    "setup.not_chair": ("“{chair}”不是主持人账号", "“{chair}” is not a chair account"),
    "setup.need_members": (
        "评审组至少需要 {n} 名专家（已选 {have} 名）",
        "A panel needs at least {n} experts ({have} chosen)",
    ),
    "setup.need_candidates": ("请填写答辩项目顺序", "Enter the candidates in defense order"),
    "setup.unknown_candidates": (
        "未导入的项目编号：{ids}",
        "Project ids not loaded: {ids}",
    ),
    "setup.saved": ("评审组“{name}”已修改", "Panel “{name}” saved"),
    "setup.pick_panel": ("请先选择评审组", "Choose a panel first"),
    "setup.frozen": (
        "该评审组配置已冻结或已开启，不能再修改",
        "This panel is frozen or open: it can no longer be edited",
    ),
    "setup.delete_reason": ("删除评审组需要说明原因", "Deleting a panel needs a reason"),
    "setup.deleted": ("评审组 #{id} 已删除", "Panel #{id} deleted"),
    "setup.no_account": ("以下成员还没有账户：{ids}", "These members have no account yet: {ids}"),
    "setup.codes_title": ("评审访问码", "Access codes"),
    "setup.card_hint": (
        "请妥善保管，勿转交他人；登录评分页面时输入此码。",
        "Keep it to yourself; type it to log in to the scoring page.",
    ),
    "setup.edit": ("载入修改", "Edit"),
    "setup.new": ("新建评审组", "New panel"),
    "setup.save": ("保存修改", "Save changes"),
    "setup.delete": ("删除评审组", "Delete panel"),
    "setup.delete_reason_ph": ("删除原因（必填）", "Reason for deleting (required)"),
    "setup.editing": ("正在修改：{name}", "Editing: {name}"),
    "setup.panels": ("已有评审组", "Panels"),
    "setup.candidates": ("已导入项目", "Loaded candidates"),
    "setup.search": ("搜索编号或名称", "Search id or name"),
    "filter.placeholder": ("输入编号或名称筛选", "Type an id or name to filter"),
    "setup.shown": ("显示 {shown} / 共 {total} 个", "{shown} of {total} shown"),
    "setup.accounts": ("账户", "Accounts"),
    "setup.codes_go": ("重新签发并打印本组访问码", "Reissue and print this panel's codes"),
    "setup.codes_ack": (
        "我知道重新签发后旧访问码立即作废",
        "I understand the old codes stop working at once",
    ),
    "setup.codes_need_ack": (
        "请先勾选确认：旧访问码将作废",
        "Tick the box first: old codes stop working",
    ),
    "setup.codes_ready": ("访问码打印页", "Printable codes page"),
    "setup.col_state": ("状态", "State"),
    "setup.col_date": ("日期", "Date"),
    "setup.col_chair": ("主持人", "Chair"),
    "setup.col_members": ("专家数", "Experts"),
    "setup.col_candidates": ("项目数", "Candidates"),
    "setup.col_hash": ("配置指纹", "Config hash"),
    "setup.col_login": ("登录名", "Login"),
    "setup.col_role": ("角色", "Role"),
    "setup.col_name": ("姓名", "Name"),
    "setup.col_active": ("有效", "Active"),
    "console.freeze_pick": ("请先选择要冻结配置的评审组", "Choose the panel to freeze first"),
    "console.freeze_ask": (
        "冻结后不可更改：请核对以下配置，确认后冻结到评审组“{panel}”",
        "Freezing cannot be undone: check this configuration, then freeze it on panel “{panel}”",
    ),
    "console.freeze_confirm": ("确认冻结", "Freeze"),
    "console.freeze_cancel": ("返回修改", "Back"),
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
    "role.option.unit": ("项目单位", "Project unit"),
    "role.option.city": ("市商务局", "City bureau"),
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
    "logout.button": ("退出登录", "Log out"),
    "report.row": ("行", "Row"),
    "report.column": ("列", "Column"),
    "report.problem": ("问题", "Problem"),
    "logout.done": (
        "已退出登录。下一位使用者请输入自己的访问码。",
        "Logged out. The next user logs in with their own access code.",
    ),
    "error.login": ("访问码无效或已停用", "Invalid or revoked access code"),
    # -- follow-up stage (阶段跟进): in .i18n_followup
    **FOLLOWUP_TEXT,
    **EVALUATION_TEXT,
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
