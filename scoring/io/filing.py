"""What makes an exported table one a department can file: values as a clerk reads them.

The store's exports and the board's downloads share these pure helpers: numbers rounded to the
scale's precision (:func:`score_decimals`, :func:`rounded`), codes shown in Chinese
(:func:`zh_values`: ``enterprise`` -> 企业项目, ``selected`` -> 入选, ``draft`` -> 草稿, criterion
keys -> their names), times as local time to the minute (:func:`local_minute`) and the title block
printed under a table's title (:func:`title_block`: panel, date, members, frozen weights,
configuration hash and the head of the audit chain, :func:`chain_line`, which ``scoring verify
--head`` checks).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from ..programme.panel_names import panel_base_name
from ..programme.schema import PROJECT_KINDS

#: Chinese of the codes found in exported columns: project kinds, shortlist status, sheet versions.
VALUE_ZH: dict[str, dict[str, str]] = {
    "kind": {
        **PROJECT_KINDS,
        "draft": "草稿",
        "confirm": "确认",
        "correction": "更正",
        "industry": "行业专家",
        "official": "部门人员",
        "bank": "银行评审",
    },
    "status": {"selected": "入选", "chair": "待组长裁定", "confirmed": "已确认", "recused": "回避"},
    "direction": {"higher": "偏高", "lower": "偏低"},
}
#: Chinese names of the ranking methods, aggregation rules and tie rules (title blocks, PDFs).
METHOD_ZH = {
    "weighted_sum": "加权和法",
    "weighted_product": "加权积法",
    "topsis": "TOPSIS 逼近理想解法",
    "vikor": "VIKOR 妥协排序法",
    "moora": "MOORA 多目标比率法",
}
HOW_ZH = {
    "trimmed_mean": "去掉一个最高分和一个最低分后平均",
    "mean": "算术平均",
    "median": "中位数",
    "zscore": "标准分校正后平均",
}
TIE_ZH = {"include": "并列者全部入围", "exclude": "并列者均不入围", "chair": "并列者由组长裁定"}
#: Columns that hold times (shown as local time to the minute).
TIME_COLUMNS = ("created_at", "confirmed_at", "updated_at", "decided_at", "time", "at")


def score_decimals(scale: Sequence[float] | None) -> int:
    """Decimals that show a figure on ``scale`` to a ten-thousandth of its span.

    ``(0, 100)`` -> 2 (74.33), ``(0, 10)`` -> 3, ``(0, 1)`` or no scale (a TOPSIS closeness) -> 4.
    """
    if scale is None:
        return 4
    span = abs(float(scale[1]) - float(scale[0]))
    if not math.isfinite(span) or span <= 0:
        return 4
    return max(0, 4 - math.ceil(math.log10(span)))


def number_format(decimals: int) -> str:
    """The Excel number format of ``decimals`` places (``0.00``)."""
    return "0" if decimals <= 0 else "0." + "0" * decimals


def rounded(frame: pd.DataFrame, columns: Iterable[str], decimals: int) -> pd.DataFrame:
    """``frame`` with the numeric ``columns`` it has rounded to ``decimals`` places."""
    out = frame.copy()
    for c in columns:
        if c in out.columns and pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].astype(float).round(decimals)
    return out


def filed_scores(
    frame: pd.DataFrame,
    criteria: Iterable[str],
    scale: Sequence[float] | None,
    *,
    on_scale: bool = True,
    scores: Sequence[str] = ("score",),
) -> tuple[pd.DataFrame, dict[str, str]]:
    """``frame`` with its figures rounded as an export shows them, and their number formats.

    The ``criteria`` columns (panel scores) to the precision of ``scale``; the ``scores``
    columns (a ranking's score) to the same when ``on_scale``, else (a TOPSIS closeness) to 4.

    Returns
    -------
    (frame, number_formats)
        ``number_formats`` maps each of those columns to its Excel format (``0.00``).
    """
    crit = list(criteria)
    digits = score_decimals(scale)
    score_digits = digits if on_scale else 4
    out = rounded(rounded(frame, crit, digits), scores, score_digits)
    formats = {
        **{c: number_format(digits) for c in crit},
        **{c: number_format(score_digits) for c in scores},
    }
    return out, formats


def local_minute(value: Any) -> str:
    """A time (ISO text, Timestamp or datetime; UTC when naive) as local time ``YYYY-MM-DD HH:MM``;
    empty for nothing, other text as it is."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, str) and not value.strip():
        return ""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    if ts is pd.NaT:
        return ""
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts.tz_convert(datetime.now().astimezone().tzinfo).strftime("%Y-%m-%d %H:%M")


def zh_values(frame: pd.DataFrame, criteria: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``frame`` with codes shown in Chinese: kinds, statuses, criterion keys, local times.

    Parameters
    ----------
    frame : DataFrame
        Any export table; only the columns it has are changed (``kind``, ``status``,
        ``direction``, ``criterion``, the :data:`TIME_COLUMNS`), booleans stay (the writer
        prints 是/否). Values without a Chinese name are kept.
    criteria : mapping, optional
        Criterion key -> Chinese name, for a ``criterion`` column.
    """
    out = frame.copy()
    for col, names in VALUE_ZH.items():
        if col in out.columns:
            out[col] = [names.get(v, v) if isinstance(v, str) else v for v in out[col]]
    if criteria and "criterion" in out.columns:
        out["criterion"] = [
            criteria.get(v, v) if isinstance(v, str) else v for v in out["criterion"]
        ]
    for col in TIME_COLUMNS:
        if col in out.columns:
            out[col] = [local_minute(v) for v in out[col]]
    return out


def chain_line(head: tuple[int, str] | None) -> str:
    """``审计链 #seq hash[:16]…`` — the audit chain head printed on every export and report."""
    if head is None:
        return ""
    seq, digest = head
    return f"审计链 #{int(seq)} {str(digest)[:16]}…"


def title_block(
    *,
    panel: Mapping[str, Any] | None = None,
    members: Sequence[str] = (),
    weights: Mapping[str, float] | None = None,
    names: Mapping[str, str] | None = None,
    method: str | None = None,
    how: str | None = None,
    config_hash: str | None = None,
    chain_head: tuple[int, str] | None = None,
    now: datetime | None = None,
) -> list[str]:
    """The lines printed under an export's title.

    Parameters
    ----------
    panel : mapping, optional
        The store's panel row (``id``, ``name``, ``date``).
    members : sequence of str
        The panel's experts as printed (``X01 赵某``).
    weights, names : mapping, optional
        The frozen weights (criterion -> weight) and the criteria's Chinese names.
    method, how : str, optional
        Ranking method and aggregation rule (codes; printed in Chinese).
    config_hash : str, optional
        The frozen configuration's hash (printed in full).
    chain_head : (int, str), optional
        ``Workbench.chain_head()`` at the time of the export.
    now : datetime, optional
        The export time (default now), local time to the minute.

    Returns
    -------
    list of str
        Non-empty lines: 评审组 and 日期, 评审专家, 冻结权重 (with method and rule), 配置哈希,
        审计链 and 导出时间.
    """
    lines: list[str] = []
    if panel:
        head = f"评审组：{panel_base_name(panel.get('name'))}（编号 {panel.get('id')}）"
        if panel.get("date"):
            head += f"　评审日期：{panel['date']}"
        lines.append(head)
    if members:
        lines.append(f"评审专家（{len(members)} 人）：" + "、".join(members))
    if weights:
        names = names or {}
        parts = [f"{names.get(k, k)} {float(v):.2f}" for k, v in weights.items()]
        line = "冻结权重：" + "、".join(parts)
        if method:
            line += f"　排序方法：{METHOD_ZH.get(method, method)}"
        if how:
            line += f"　汇总规则：{HOW_ZH.get(how, how)}"
        lines.append(line)
    if config_hash:
        lines.append(f"配置哈希：{config_hash}")
    when = (now or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M")
    tail = f"导出时间：{when}"
    if chain_head is not None:
        tail = f"{chain_line(chain_head)}　{tail}"
    lines.append(tail)
    return lines


def panel_title_block(
    panel: Mapping[str, Any] | None,
    progress: pd.DataFrame,
    config: Any,
    config_hash: str,
    chain_head: tuple[int, str] | None,
) -> tuple[list[str], str]:
    """The title block of a panel's table and its page footer, from the store's plain data.

    Parameters
    ----------
    panel : mapping, optional
        The store's panel row (``id``, ``name``, ``date``).
    progress : DataFrame
        The panel's progress (``expert_id``, ``expert_name``): its members.
    config : PanelConfig
        The frozen configuration (weights, criteria names, method, rule).
    config_hash, chain_head
        The configuration's hash and ``Workbench.chain_head()``.

    Returns
    -------
    (list of str, str)
        :func:`title_block`'s lines, and the footer: the short hash and the chain head.
    """
    members = list(
        dict.fromkeys(
            f"{e} {n}" for e, n in zip(progress["expert_id"], progress["expert_name"], strict=True)
        )
    )
    lines = title_block(
        panel=panel,
        members=members,
        weights=config.weights,
        names=config.criteria_set.names("zh"),
        method=config.ranking_method,
        how=config.aggregation,
        config_hash=config_hash,
        chain_head=chain_head,
    )
    return lines, f"配置 {config_hash[:12]}　{chain_line(chain_head)}".rstrip()
