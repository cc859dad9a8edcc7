"""Field names of the official forms: candidates (附件1 + 附件3), experts, cities and types.

Canonical column names are English snake_case; each has its Chinese header, used by the import
templates and exports. Imports accept either.
"""

from __future__ import annotations

#: The 11 prefecture-level cities of Shanxi, in the order the notices list them.
CITIES: tuple[str, ...] = (
    "太原市",
    "大同市",
    "朔州市",
    "忻州市",
    "阳泉市",
    "吕梁市",
    "晋中市",
    "长治市",
    "晋城市",
    "临汾市",
    "运城市",
)
#: Province-owned enterprises apply directly; the catalogue lists them under this heading.
PROVINCIAL = "省属企业"
PROJECT_KINDS: dict[str, str] = {"enterprise": "企业项目", "region": "区域项目"}
ENTERPRISE_TYPES: tuple[str, ...] = ("农业企业", "工业企业", "流通企业", "其它")
EXPERT_KINDS: dict[str, str] = {"industry": "行业专家", "official": "部门人员", "bank": "银行评审"}

#: The six yearly indicators of form 附件1: key -> (Chinese, unit).
INDICATORS: dict[str, tuple[str, str]] = {
    "revenue": ("营业收入", "亿元"),
    "cost_profit_ratio": ("成本利润率", "%"),
    "inventory_turnover": ("库存周转率", "次"),
    "asset_turnover": ("总资产周转率", "次"),
    "cash_cycle": ("现金周转期", "天"),
    "market_share": ("市场占有率", "%"),
}

#: Candidate fields other than the yearly indicators: key -> Chinese header.
CANDIDATE_FIELDS: dict[str, str] = {
    "project_id": "项目编号",
    "name": "企业名称(区域名称)",
    "kind": "项目类型",
    "city": "所属城市",
    "industry": "所属具体产业",
    "enterprise_type": "企业类型",
    "registered_capital": "注册资本(万元)",
    "ownership": "所有制性质",
    "legal_rep": "法定代表人",
    "address": "注册地址",
    "employees": "企业员工数",
    "prev_revenue": "上年营收(亿元)",
    "perfect_order_rate": "完美订单率(%)",
    "has_sc_dept": "是否设立供应链部门",
    "sc_dept_headcount": "供应链部门人数",
    "lender_bank": "贷款银行",
    "contact_name": "联系人姓名",
    "contact_dept": "联系人部门",
    "phone": "联系方式",
    "fax": "传真",
    "summary": "项目简介",
}

EXPERT_FIELDS: dict[str, str] = {
    "expert_id": "专家编号",
    "name": "姓名",
    "employer": "工作单位",
    "kind": "专家类别",
    "bank": "所属银行",
    "city": "所在城市",
    "title": "职称",
    "phone": "联系方式",
}


def indicator_column(key: str, year: int) -> str:
    """Column name of a yearly indicator, e.g. ``revenue_2025``."""
    return f"{key}_{year}"


def indicator_header(key: str, year: int, *, forecast: bool = False) -> str:
    """Chinese header of a yearly indicator, e.g. ``2025年营业收入(亿元)``; a forecast (附件1
    发展目标, the years after the catalogue year) ``2026年营业收入预测(亿元)``. Both are the
    column ``indicator_column(key, year)``."""
    zh, unit = INDICATORS[key]
    return f"{year}年{zh}{'预测' if forecast else ''}({unit})"


#: How many forecast years (附件1 发展目标) follow the application's last actual year.
FORECAST_YEARS = 3


#: The fields of each file read by :func:`field_label`.
FORMS: dict[str, dict[str, str]] = {"candidates": CANDIDATE_FIELDS, "experts": EXPERT_FIELDS}


def field_label(key: str, form: str) -> str:
    """The Chinese header of a field of ``form`` (``"candidates"`` or ``"experts"``, the file
    being read), or of a candidates' yearly indicator column (``city`` -> ``所属城市`` of a
    candidates file, ``name`` -> ``姓名`` of an experts file, ``revenue_2025`` ->
    ``2025年营业收入(亿元)``); the key itself when it is none of them.

    Raises
    ------
    ValueError
        ``form`` is not one of :data:`FORMS`.
    """
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r} (known: {', '.join(FORMS)})")
    fields = FORMS[form]
    if key in fields:
        return fields[key]
    stem, _, year = key.rpartition("_")
    if form == "candidates" and stem in INDICATORS and year.isdigit():
        return indicator_header(stem, int(year))
    return key
