"""Field types, allowed values and header aliases of the canonical tables.

A :class:`_Field` parses one cell's text into a typed value (text, number, whole number, yes/no,
an enumerated choice) or a problem message; the alias maps turn the Chinese headers of the official
forms, or the English canonical names, into the canonical columns of :mod:`scoring.programme.schema`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from ..programme import schema

#: Leading characters that make a spreadsheet treat text as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Optional columns every table accepts besides its fields.
_NOTE_ALIASES = {"note": "note", "备注": "note", "说明": "note"}
#: Columns accepted and ignored (the running number of the forms).
_IGNORED = {"序号", "seq", "no", "no."}

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_INT_RE = re.compile(r"^[+-]?\d+(\.0*)?$")
_YES = {"是", "有", "yes", "y", "true", "1", "√"}
_NO = {"否", "无", "no", "n", "false", "0", "×"}

SCORE_FIELDS: dict[str, str] = {
    "project_id": "项目编号",
    "expert_id": "专家编号",
    "criterion": "评审指标",
    "score": "分数",
}
_SCORE_ALIASES = {"指标": "criterion", "评分指标": "criterion", "得分": "score", "评分": "score"}


def _norm(header: str) -> str:
    """Normalise a header for matching: NFKC (full-width -> half-width), no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(header))).lower()


def _parse_number(text: str) -> float | None:
    t = text.strip()
    if not _NUMBER_RE.match(t):
        return None
    return float(t)


def _unquote(text: str) -> str:
    """Undo our own formula neutralisation (``'=x`` -> ``=x``) on text fields."""
    if len(text) >= 2 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


class _Field:
    """How one canonical column is parsed: type, bounds, allowed values."""

    def __init__(
        self,
        kind: str = "str",
        *,
        lo: float | None = None,
        hi: float | None = None,
        choices: Mapping[str, str] | None = None,
        percent: bool = False,
    ) -> None:
        self.kind = kind
        self.lo, self.hi = lo, hi
        self.choices = choices
        #: A percentage in points (95.3 for 95.3%): a trailing ``%`` is accepted, the number kept.
        self.percent = percent

    def parse(self, text: str) -> tuple[Any, str | None]:
        """Return (value, problem message or None); blank -> (None, None)."""
        t = text.strip()
        if not t:
            return None, None
        if self.kind == "str":
            return _unquote(t), None
        if self.kind == "enum":
            assert self.choices is not None
            v = self.choices.get(_norm(t))
            if v is None:
                allowed = sorted(set(self.choices.values()))
                return (
                    None,
                    f"“{t}”不是可选值（{'、'.join(allowed)}）/ '{t}' is not one of: {', '.join(allowed)}",
                )
            return v, None
        if self.kind == "bool":
            low = _norm(t)
            if low in _YES:
                return True, None
            if low in _NO:
                return False, None
            return None, f"“{t}”应填 是 或 否 / '{t}' is not 是/否 (yes/no)"
        if t.startswith("="):
            return None, f"“{t}”是公式，请填写数值本身 / '{t}' is a formula; enter the value itself"
        if t.endswith("%") and _parse_number(t[:-1]) is not None:
            if not self.percent:
                return None, (
                    f"'{t}' 是百分数，本列应填数值 / '{t}' is a percentage; this column takes a "
                    "plain number"
                )
            t = t[:-1].strip()
        num = _parse_number(t)
        if num is None:
            odd = bool(re.search(r"[,，%]|[^\d.eE+-]", t))
            hint_zh = "（不要千分位或单位）" if odd else ""
            hint = " (no thousands separators or units)" if odd else ""
            return None, f"“{t}”不是数字{hint_zh} / '{t}' is not a number{hint}"
        if self.kind == "int":
            if not _INT_RE.match(t):
                return None, f"“{t}”不是整数 / '{t}' is not a whole number"
            num = float(int(num))
        if self.lo is not None and num < self.lo:
            return None, f"{t} 小于下限 {self.lo:g} / {t} is below the minimum {self.lo:g}"
        if self.hi is not None and num > self.hi:
            return None, f"{t} 大于上限 {self.hi:g} / {t} is above the maximum {self.hi:g}"
        return num, None


def _choices(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {_norm(k): v for k, v in pairs}


_KIND_CHOICES = _choices(
    [(k, k) for k in schema.PROJECT_KINDS]
    + [(zh, k) for k, zh in schema.PROJECT_KINDS.items()]
    + [("企业", "enterprise"), ("区域", "region")]
)
_CITY_CHOICES = _choices([(c, c) for c in (*schema.CITIES, schema.PROVINCIAL)])
_CITY_CHOICES.update(_choices([(c.removesuffix("市"), c) for c in schema.CITIES]))
_ETYPE_CHOICES = _choices([(t, t) for t in schema.ENTERPRISE_TYPES] + [("其他", "其它")])
_EXPERT_KIND_CHOICES = _choices(
    [(k, k) for k in schema.EXPERT_KINDS] + [(zh, k) for k, zh in schema.EXPERT_KINDS.items()]
)

#: Types of the candidate fields (everything else is text).
_CANDIDATE_TYPES: dict[str, _Field] = {
    "kind": _Field("enum", choices=_KIND_CHOICES),
    "city": _Field("enum", choices=_CITY_CHOICES),
    "enterprise_type": _Field("enum", choices=_ETYPE_CHOICES),
    "registered_capital": _Field("float", lo=0),
    "employees": _Field("int", lo=0),
    "prev_revenue": _Field("float", lo=0),
    "perfect_order_rate": _Field("float", lo=0, hi=100, percent=True),
    "has_sc_dept": _Field("bool"),
    "sc_dept_headcount": _Field("int", lo=0),
}
#: Types of the yearly indicators.
_INDICATOR_TYPES: dict[str, _Field] = {
    "revenue": _Field("float", lo=0),
    "cost_profit_ratio": _Field("float", percent=True),
    "inventory_turnover": _Field("float", lo=0),
    "asset_turnover": _Field("float", lo=0),
    "cash_cycle": _Field("float"),
    "market_share": _Field("float", lo=0, hi=100, percent=True),
}
_EXPERT_TYPES: dict[str, _Field] = {"kind": _Field("enum", choices=_EXPERT_KIND_CHOICES)}

_ZH_INDICATOR = {zh: key for key, (zh, _unit) in schema.INDICATORS.items()}
_IND_EN_RE = re.compile(r"^(" + "|".join(schema.INDICATORS) + r")_(\d{4})$")
#: ``2025年营业收入(亿元)``, and a forecast ``2026年营业收入预测(亿元)`` / ``…目标`` (the same column).
_IND_ZH_RE = re.compile(
    r"^(\d{4})年?(" + "|".join(_ZH_INDICATOR) + r")(?:预测|预测值|目标|目标值)?(\(.*\))?$"
)


def _indicator_of(header: str) -> str | None:
    """Canonical column of a yearly indicator header (English or Chinese), else None."""
    n = _norm(header)
    m = _IND_EN_RE.match(n)
    if m:
        return schema.indicator_column(m.group(1), int(m.group(2)))
    m = _IND_ZH_RE.match(n)
    if m:
        return schema.indicator_column(_ZH_INDICATOR[m.group(2)], int(m.group(1)))
    return None


def _alias_map(fields: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    out = {_norm(k): k for k in fields}
    out.update({_norm(zh): k for k, zh in fields.items()})
    # a Chinese header without its unit, e.g. 注册资本 for 注册资本(万元)
    out.update({_norm(re.sub(r"[(（].*[)）]$", "", zh)): k for k, zh in fields.items()})
    out.update({_norm(k): v for k, v in _NOTE_ALIASES.items()})
    if extra:
        out.update({_norm(k): v for k, v in extra.items()})
    return out


_CANDIDATE_ALIASES = _alias_map(
    schema.CANDIDATE_FIELDS, {"企业名称": "name", "区域名称": "name", "项目名称": "name"}
)
_EXPERT_ALIASES = _alias_map(schema.EXPERT_FIELDS, {"专家姓名": "name", "银行": "bank"})
_SCORE_ALIAS_MAP = _alias_map(SCORE_FIELDS, _SCORE_ALIASES)
