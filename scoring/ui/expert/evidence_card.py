"""The evidence card of the expert page in a yearly evaluation (年度评估材料): what the project
reported in the year, beside the scores (:class:`scoring.evaluation.evidence.Evidence`), and the
suggestion line shown under a measurable point's input."""

from __future__ import annotations

from typing import Any

from ...followup.periods import period_label
from ..i18n import t
from ..markup import esc, html_table


def _num(v: Any, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    x = round(float(v), digits)
    return f"{x:g}"


def _progress(code: str, lang: str) -> str:
    from ...followup.workflow import progress_codes

    spec = progress_codes().get(code) or {}
    return str(spec.get(lang) or code)


def _section(title: str, body: str) -> str:
    return f"<div style='margin-top:6px'><b>{esc(title)}</b><div>{body}</div></div>"


def evidence_card(ev: Any, lang: str = "zh") -> str:
    """HTML of one project's evidence (name, reporting, measures, indicators, financing, yearly
    summary per point, risks)."""
    p = ev.project
    none = f"<span style='color:#888'>{esc(t('ev.none', lang))}</span>"
    quarters = html_table(
        [
            [
                period_label(q["period"], lang),
                t(f"fu.state.{q['ledger_status']}", lang) if q["ledger_status"] else "—",
                t(f"ev.t.{q['timeliness']}", lang) if q["timeliness"] else "—",
            ]
            for q in ev.quarters
        ],
        [t("ev.period", lang), t("ev.ledger", lang), t("ev.timeliness", lang)],
    )
    late = t("ev.late", lang)
    measures = (
        html_table(
            [
                [
                    m["goal"],
                    m["measure"],
                    m["deadline"],
                    (f"⚠ {late}" if m["late"] else _progress(m["progress"], lang))
                    if m["progress"]
                    else "",
                ]
                for m in ev.measures
            ],
            [
                t("ev.goal", lang),
                t("ev.measure", lang),
                t("ev.deadline", lang),
                t("ev.progress", lang),
            ],
        )
        if ev.measures
        else none
    )
    inds = (
        html_table(
            [
                [
                    (i["label"] if lang == "zh" else i["label_en"])
                    + (f"（{i['unit']}）" if i["unit"] else ""),
                    _num(i["baseline"]),
                    _num(i["target"]),
                    _num(i["annualised"]),
                    (
                        _num(i["change"])
                        + (
                            f"（{_num(i['change_pct'], 1)}%）"
                            if i["change_pct"] is not None
                            else ""
                        )
                    ),
                    t(f"ev.status.{i['status']}", lang) if i["status"] else "",
                ]
                for i in ev.indicators
            ],
            [
                t("ev.indicator", lang),
                t("ev.baseline", lang),
                t("ev.target", lang),
                t("ev.value", lang),
                t("ev.change", lang),
                t("ev.status", lang),
            ],
        )
        if ev.indicators
        else none
    )
    from ...followup.content import FINANCING

    fin = (
        " · ".join(
            f"{esc(zh if lang == 'zh' else en)} {_num(ev.financing.get(k), 1)}"
            for k, (zh, en) in FINANCING.items()
            if ev.financing.get(k)
        )
        + f" · <b>{esc(t('ev.total', lang))} {_num(ev.financing.get('total'), 1)}</b>"
        if ev.financing
        else none
    )
    summary = (
        "".join(f"<div>· {esc(text)}</div>" for text in ev.summary.values()) if ev.summary else none
    )
    risks = (
        "".join(f"<div style='color:#a40'>· {esc(r['description'])}</div>" for r in ev.risks)
        if ev.risks
        else none
    )
    facts = " · ".join(
        esc(x)
        for x in (p.get("city"), p.get("unit_name") or "", f"{p.get('catalogue_year') or ''}")
        if x
    )
    return (
        "<div class='scoring-card scoring-evidence' style='border:1px solid #ccd;border-radius:6px;padding:8px'>"
        f"<h3 style='margin:2px 0'>{esc(p.get('project_id'))} {esc(p.get('name'))}</h3>"
        f"<div>{facts} — {esc(t('ev.title', lang, year=ev.year))}</div>"
        + _section(t("ev.quarters", lang), quarters)
        + _section(t("ev.indicators", lang), inds)
        + _section(t("ev.measures", lang), measures)
        + _section(t("ev.financing", lang), fin)
        + _section(t("ev.summary", lang), summary)
        + _section(t("ev.risks", lang), risks)
        + "</div>"
    )


def suggestion_line(s: Any, score: float | None, lang: str = "zh") -> str:
    """The suggestion under a measurable point's input; a departure warning when ``score``
    lies outside the band."""
    from ...evaluation.suggestions import measures

    names = {m.key: m.label(lang) for m in measures()}
    measure = names.get(s.measure, s.measure)
    if s.figure is None or s.low is None:
        text = t("ev.suggest_none", lang, measure=measure)
        return (
            f"<div class='scoring-suggestion' style='color:#666;font-size:12px'>{esc(text)}</div>"
        )
    grade = s.grade_zh if lang == "zh" else s.grade_en
    text = t(
        "ev.suggest",
        lang,
        grade=grade,
        band=s.band(),
        measure=measure,
        figure=f"{s.figure:.0f}%",
        basis=s.basis,
    )
    warn = ""
    if score is not None and not s.contains(score):
        warn = f"<div class='scoring-departure' style='color:#b45309'>{esc(t('ev.departure', lang))}</div>"
    return f"<div class='scoring-suggestion' style='color:#1d4ed8;font-size:12px'>{esc(text)}</div>{warn}"
