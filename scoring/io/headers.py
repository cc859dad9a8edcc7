"""The Chinese header of each canonical column, for tables written without a fixed form layout."""

from __future__ import annotations

from collections.abc import Iterable

from ..engine.criteria import load_criteria
from ..errors import InputError
from ..programme import schema
from .fields import _IND_EN_RE, SCORE_FIELDS

#: Chinese headers of columns that are not form fields (rankings, catalogue, scores).
EXTRA_HEADERS: dict[str, str] = {
    "rank": "名次",
    "score": "得分",
    "seq": "序号",
    "section": "类别",
    "group": "分组",
    "heading": "分组标题",
    "selected": "是否入选",
    "reason": "入选说明",
    "flags": "标记",
    "criterion": "评审指标",
    "note": "备注",
    "bank": "银行",
    "rule": "回避规则",
    "grade": "等级",
    "panel": "评审组",
    "panel_rank": "专家组排名",
    "bank_rank": "本行排名",
    "bank_score": "本行得分",
}


def zh_headers(columns: Iterable[str], *, experts: bool | None = None) -> dict[str, str]:
    """Chinese header for each canonical column name (unknown names are kept as they are).

    ``experts`` picks the expert meaning of ``name``, ``kind``, ``city``, ``phone``; by default
    it is inferred (an ``expert_id`` column without ``project_id``).
    """
    cols = list(columns)
    if experts is None:
        experts = "expert_id" in cols and "project_id" not in cols
    try:
        crit_names = load_criteria().names("zh")
    except InputError:
        crit_names = {}
    out: dict[str, str] = {}
    for c in cols:
        key = str(c)
        zh = None
        if experts:
            zh = schema.EXPERT_FIELDS.get(key)
        zh = zh or schema.CANDIDATE_FIELDS.get(key) or schema.EXPERT_FIELDS.get(key)
        if zh is None and key != "score":  # a ranking's score is 得分, a raw score 分数
            zh = SCORE_FIELDS.get(key)
        zh = zh or EXTRA_HEADERS.get(key) or crit_names.get(key)
        m = _IND_EN_RE.match(key)
        if zh is None and m:
            zh = schema.indicator_header(m.group(1), int(m.group(2)))
        out[key] = zh or key
    return out
