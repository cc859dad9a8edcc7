"""The checks of a ledger before submission.

Every finding names its field (0-based dotted path into the normalised content) and its 1-based
block and row. The content is normalised first (:func:`scoring.followup.content.normalise`), so
indices are those of the content as saved.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .codes import is_city, is_division
from .content import FINANCING, ROLES, normalise
from .findings import Finding, error, warning
from .indicators import entry_findings, indicators, value_of
from .periods import Period, as_period
from .workflow import amount_warning, progress_codes

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_BLOCK_NAME = {
    "core": ("核心企业名称", "core enterprise name"),
    "partner": ("上下游企业名称", "partner enterprise name"),
    "region": ("区域名称", "region name"),
}


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _month(v: Any) -> tuple[int, int] | None:
    m = _MONTH.fullmatch(v) if isinstance(v, str) else None
    if m is None or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        return None
    return int(m.group(1)), int(m.group(2))


def _check_block(block: dict[str, Any], b: int, kind: str, period: Period) -> list[Finding]:
    out: list[Finding] = []
    bn = b + 1
    base = f"blocks.{b}"
    role = block["role"]
    if role not in ROLES[kind]:
        allowed = "、".join(ROLES[kind])
        out.append(
            error(
                f"{base}.role",
                f"类型“{role}”无效（应为 {allowed}）",
                f"role {role!r} is not one of {', '.join(ROLES[kind])}",
                bn,
            )
        )
    elif kind == "enterprise" and (role == "core") != (b == 0):
        out.append(
            error(
                f"{base}.role",
                "第一块应为核心企业，其余为上下游企业",
                "the first block is the core enterprise, the others its partners",
                bn,
            )
            if b == 0
            else error(
                f"{base}.role",
                "只能有一个核心企业（第一块）",
                "only one core enterprise (the first block)",
                bn,
            )
        )
    zh_name, en_name = _BLOCK_NAME.get(role, ("名称", "name"))
    if not block["name"]:
        out.append(error(f"{base}.name", f"请填写{zh_name}", f"the {en_name} is required", bn))
    city = block["city"]
    if not city:
        out.append(error(f"{base}.city", "请填写所在地市", "the city is required", bn))
    elif not is_city(city):
        out.append(
            error(
                f"{base}.city",
                f"所在地市“{city}”不是山西省11个地市之一",
                f"city {city!r} is not one of the 11 cities of Shanxi",
                bn,
            )
        )
    industries = block["industries"]
    if kind == "enterprise" and not industries:
        out.append(
            error(
                f"{base}.industries",
                "请填写所属行业（国民经济行业分类大类，如“36 汽车制造业”）",
                "the industry is required (a 2-digit division, e.g. '36')",
                bn,
            )
        )
    for i, code in enumerate(industries):
        if not is_division(code):
            out.append(
                error(
                    f"{base}.industries.{i}",
                    f"所属行业“{code}”不是国民经济行业分类（GB/T 4754-2017）的大类代码",
                    f"industry {code!r} is not a division (2-digit code) of GB/T 4754-2017",
                    bn,
                )
            )
    if not block["rows"]:
        out.append(
            error(
                f"{base}.rows",
                "至少填写一行工作目标和具体举措",
                "at least one row of goals and measures is required",
                bn,
            )
        )
    for r, row in enumerate(block["rows"]):
        out.extend(_check_row(row, b, r, kind, period, first=r == 0))
    return out


def _check_row(
    row: dict[str, Any], b: int, r: int, kind: str, period: Period, *, first: bool
) -> list[Finding]:
    out: list[Finding] = []
    bn, rn = b + 1, r + 1
    base = f"blocks.{b}.rows.{r}"

    def err(field: str, zh: str, en: str) -> None:
        out.append(error(f"{base}.{field}", zh, en, bn, rn))

    if first and not row.get("goal"):
        err("goal", "第一行须填写工作目标", "the first row of a block needs a work goal")
    if not row.get("measure"):
        err("measure", "请填写具体举措", "the measure is required")
    deadline = row.get("deadline")
    ym = _month(deadline)
    if deadline is None:
        err(
            "deadline",
            "请填写完成时限（年月，如2026-06）",
            "the deadline (year-month, e.g. 2026-06) is required",
        )
    elif ym is None:
        err(
            "deadline",
            f"完成时限“{deadline}”不是有效的年月（如2026-06）",
            f"deadline {deadline!r} is not a year-month (e.g. 2026-06)",
        )
    elif ym < (period.year, 1):
        err(
            "deadline",
            f"完成时限 {deadline} 早于本年度（{period.year}年1月）",
            f"deadline {deadline} is before the period's year ({period.year}-01)",
        )
    progress = row.get("progress")
    codes = progress_codes()
    end = (period.end.year, period.end.month)
    if progress is None:
        err(
            "progress",
            "请选择进展（已完成/推进中/未开始）",
            "the progress (done / ongoing / not started) is required",
        )
    elif progress not in codes:
        err(
            "progress",
            f"进展“{progress}”无效（应为 已完成/推进中/未开始）",
            f"progress {progress!r} is not done / ongoing / not_started",
        )
    elif ym is not None:
        if progress == "done" and ym > end:
            err(
                "deadline",
                f"已完成的举措完成时限 {deadline} 晚于本期末（{end[0]}-{end[1]:02d}）",
                f"a done measure has its deadline {deadline} after the period end ({end[0]}-{end[1]:02d})",
            )
        elif progress != "done" and ym <= end:
            out.append(
                warning(
                    f"{base}.progress",
                    f"完成时限 {deadline} 已过，举措尚未完成",
                    f"deadline {deadline} has passed and the measure is not done",
                    bn,
                    rn,
                )
            )
    limit = amount_warning()
    for key, (zh, en) in FINANCING.items():
        v = row.get(key)
        if v is None:
            continue
        if not _is_number(v):
            err(
                key,
                f"{zh}：“{v}”不是数字（单位：万元）",
                f"{en}: {v!r} is not a number (10,000 CNY)",
            )
        elif v < 0:
            err(key, f"{zh}：不能为负数", f"{en}: must not be negative")
        elif v > limit:
            out.append(
                warning(
                    f"{base}.{key}",
                    f"{zh}：{v:g}万元，请确认单位为万元",
                    f"{en}: {v:g} — check the unit is 10,000 CNY (万元)",
                    bn,
                    rn,
                )
            )
    if kind == "region" and not row.get("enterprise"):
        if any(_is_number(row.get(k)) and row[k] > 0 for k in FINANCING):
            err(
                "enterprise",
                "有融资金额时须填写企业名称",
                "the enterprise financed is required when there is financing",
            )
    return out


def _check_indicators(
    content: dict[str, Any], group: str, period: Period, needs_baseline: set[str]
) -> list[Finding]:
    out: list[Finding] = []
    given: Mapping[str, Any] = content["indicators"]
    known = {ind.key: ind for ind in indicators(group)}
    for key in given:
        if key not in known:
            out.append(
                error(
                    f"indicators.{key}", f"没有指标“{key}”", f"no indicator {key!r} in this group"
                )
            )
        elif not known[key].entered:
            ind = known[key]
            out.append(
                error(
                    f"indicators.{key}",
                    f"{ind.zh}由系统计算，不需填写",
                    f"{ind.en} is computed, not entered",
                )
            )
    for ind in known.values():
        if not ind.entered:
            continue
        entry = given.get(ind.key)
        if entry is None or value_of(ind, entry) is None:
            if entry is None or "inputs" not in entry:
                out.append(
                    warning(
                        f"indicators.{ind.key}.value",
                        f"{ind.zh}：未填写（{period.label('zh')}本年累计）",
                        f"{ind.en}: not given (year to date, {period.label('en')})",
                    )
                )
        if entry is None:
            if ind.key in needs_baseline:
                out.append(
                    error(
                        f"indicators.{ind.key}.baseline",
                        f"{ind.zh}：申报时无基线，首次填报须填写基线值",
                        f"{ind.en}: no baseline in the application; give one at the first report",
                    )
                )
            continue
        if "baseline" in entry and ind.baseline_field is not None:
            out.append(
                error(
                    f"indicators.{ind.key}.baseline",
                    f"{ind.zh}：基线取自申报材料，不可填写",
                    f"{ind.en}: the baseline comes from the application and cannot be entered",
                )
            )
        elif ind.key in needs_baseline and "baseline" not in entry:
            out.append(
                error(
                    f"indicators.{ind.key}.baseline",
                    f"{ind.zh}：申报时无基线，首次填报须填写基线值",
                    f"{ind.en}: no baseline in the application; give one at the first report",
                )
            )
        out.extend(entry_findings(ind, entry))
    return out


def check(
    content: Any,
    kind: str,
    period: Period | str,
    *,
    indicator_group: str | None = None,
    needs_baseline: Iterable[str] = (),
    summary_keys: Iterable[str] | None = None,
) -> list[Finding]:
    """Every problem of a ledger: errors block submission, warnings do not.

    Parameters
    ----------
    content : any
        The ledger content; normalised first, never raises on bad content.
    kind : {"enterprise", "region"}
    period : Period or str
        The period (or its key, then with the default dates).
    indicator_group : str, optional
        ``entity``, ``finance`` or ``region``: check the indicators of that group; None skips them.
    needs_baseline : iterable of str
        Indicators without a baseline yet (none in the application, none given before): this
        report must give one.
    summary_keys : iterable of str, optional
        For the yearly period, the follow-up points the ``summary`` must cover (the keys of the
        evaluation criteria set of the project's kind). None skips the summary check.

    Returns
    -------
    list of Finding
    """
    c = normalise(content, kind)
    p = as_period(period)
    out: list[Finding] = []
    if not c["contact"]:
        out.append(
            error("contact", "请填写联系人姓名及电话", "the contact name and phone are required")
        )
    if not c["blocks"]:
        what = (
            ("至少填写一个区域", "at least one region")
            if kind == "region"
            else ("至少填写核心企业", "the core enterprise is required")
        )
        out.append(error("blocks", *what))
    for b, block in enumerate(c["blocks"]):
        out.extend(_check_block(block, b, kind, p))
    summary = c.get("summary") or {}
    if p.yearly and summary_keys is not None:
        keys = list(summary_keys)
        for key in keys:
            if not summary.get(key):
                out.append(
                    error(
                        f"summary.{key}",
                        f"年度工作总结：请填写“{key}”要点",
                        f"yearly summary: the point {key!r} is required",
                    )
                )
        for key in summary:
            if key not in keys:
                out.append(
                    error(
                        f"summary.{key}",
                        f"年度工作总结：没有要点“{key}”",
                        f"yearly summary: no point {key!r}",
                    )
                )
    elif not p.yearly and summary:
        out.append(
            error(
                "summary", "季度台帐不填写年度工作总结", "a quarterly ledger has no yearly summary"
            )
        )
    if indicator_group is not None:
        out.extend(_check_indicators(c, indicator_group, p, set(needs_baseline)))
    return out
