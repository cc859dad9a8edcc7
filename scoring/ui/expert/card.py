"""The candidate card of the expert page: name, facts and key indicators over three years."""

from __future__ import annotations

from typing import Any

from ..markup import esc, html_table

YEARS_MAX = 3


def candidate_card(row: Any, lang: str = "zh") -> str:
    """HTML card of one candidate: name, city, type, industry, key indicators over three years."""
    from scoring.programme.schema import ENTERPRISE_TYPES, INDICATORS, PROJECT_KINDS  # noqa: F401

    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    kind = get("kind", "")
    kind_txt = PROJECT_KINDS.get(kind, kind) if lang == "zh" else kind
    years = sorted({int(c.rsplit("_", 1)[1]) for c in row.index if c.rsplit("_", 1)[-1].isdigit()})[
        -YEARS_MAX:
    ]
    rows = []
    for key, (zh, unit) in INDICATORS.items():
        vals = [get(f"{key}_{y}") for y in years]
        if all(v is None or v != v for v in vals):
            continue
        label = f"{zh}({unit})" if lang == "zh" else f"{key} ({unit})"
        rows.append([label, *[("" if v is None or v != v else f"{float(v):g}") for v in vals]])
    head = "指标" if lang == "zh" else "Indicator"
    table = html_table(rows, [head, *years]) if rows else ""
    facts = [
        ("城市" if lang == "zh" else "City", get("city", "")),
        ("类型" if lang == "zh" else "Type", kind_txt),
        ("企业类型" if lang == "zh" else "Enterprise type", get("enterprise_type", "")),
        ("产业" if lang == "zh" else "Industry", get("industry", "")),
    ]
    # a blank cell arrives as NaN (truthy) from pandas: region projects have no enterprise type
    facts_html = " · ".join(
        f"{esc(k)}：<b>{esc(v)}</b>" for k, v in facts if v == v and str(v or "").strip()
    )
    summary = get("summary", "")
    return (
        f"<div class='scoring-card' style='border:1px solid #ccd;border-radius:6px;padding:8px'>"
        f"<h3 style='margin:2px 0'>{esc(get('project_id', ''))} {esc(get('name', ''))}</h3>"
        f"<div>{facts_html}</div><div style='margin-top:6px'>{table}</div>"
        f"<p style='margin:6px 0'>{esc(summary)}</p></div>"
    )
