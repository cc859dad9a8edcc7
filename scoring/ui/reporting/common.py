"""What the follow-up pages share (no widgets): the states a ledger shows in a page, their
colours, period rows with their dates, findings as text, and a ledger as read-only HTML."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..markup import esc

#: The states a page shows for project × period, with their colours (background, text).
STATES: dict[str, tuple[str, str]] = {
    "none": ("#f5f5f5", "#616161"),
    "draft": ("#fff8e1", "#8d6e00"),
    "late": ("#ffe0b2", "#a84300"),
    "missing": ("#ffcdd2", "#b71c1c"),
    "submitted": ("#e3f2fd", "#0d47a1"),
    "returned": ("#f8bbd0", "#880e4f"),
    "confirmed": ("#c8e6c9", "#1b5e20"),
}


def as_date(x: Any) -> date | None:
    """A date from a date, a datetime, an ISO string or a pandas timestamp (None when blank)."""
    if x is None or (isinstance(x, float) and x != x):
        return None
    if hasattr(x, "date") and callable(x.date):
        try:
            return x.date()
        except (TypeError, ValueError):
            return None
    if isinstance(x, date):
        return x
    text = str(x).strip()
    if not text or text in ("NaT", "None", "nan"):
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def display_state(status: str, due: Any, lock: Any, today: date) -> str:
    """The state shown for a ledger of workflow ``status`` (``missing`` when there is none).

    Submitted, returned and confirmed ledgers show as such; one not yet submitted shows as
    ``none`` (no ledger) or ``draft`` before its due date, ``late`` after it, and ``missing`` once
    its lock date has passed.
    """
    if status in ("submitted", "returned", "confirmed"):
        return status
    d, lk = as_date(due), as_date(lock)
    if lk is not None and today > lk:
        return "missing"
    if d is not None and today > d:
        return "late"
    return "draft" if status == "draft" else "none"


def submitted_late(first_submitted_at: str | None, due: Any) -> bool:
    """Whether a ledger first submitted at ``first_submitted_at`` (UTC ISO) came after ``due``
    (a local date, its whole day included)."""
    from scoring.followup.clock import local_date

    d = as_date(due)
    if not first_submitted_at or d is None:
        return False
    try:
        return local_date(first_submitted_at) > d
    except (TypeError, ValueError):
        return False


def state_badge(state: str, word: str) -> str:
    """A coloured word for a state (colour and word: readable without colour too)."""
    bg, fg = STATES.get(state, STATES["none"])
    return (
        f"<span class='scoring-state scoring-state-{esc(state)}' style='background:{bg};"
        f"color:{fg};padding:1px 6px;border-radius:3px;white-space:nowrap'>{esc(word)}</span>"
    )


def period_rows(periods: Any) -> list[dict[str, Any]]:
    """The periods of a DataFrame as dicts ``key, year, quarter, due, lock`` (dates), in order."""
    from scoring.followup.periods import period_order

    if periods is None or len(periods) == 0:
        return []
    rows = []
    for rec in periods.to_dict("records"):
        rows.append(
            {
                "key": str(rec["key"]),
                "year": int(rec.get("year") or str(rec["key"])[:4]),
                "quarter": rec.get("quarter"),
                "start": as_date(rec.get("start")),
                "end": as_date(rec.get("end")),
                "due": as_date(rec.get("due")),
                "lock": as_date(rec.get("lock")),
            }
        )
    return sorted(rows, key=lambda r: period_order(r["key"]))


def finding_parts(f: Any) -> tuple[str, str, str, str]:
    """``(level, field, zh, en)`` of a :class:`~scoring.followup.findings.Finding` or its dict."""
    if isinstance(f, Mapping):
        return (
            str(f.get("level", "error")),
            str(f.get("field", "")),
            str(f.get("zh", "")),
            str(f.get("en", "")),
        )
    return str(f.level), str(f.field), str(f.zh), str(f.en)


def finding_text(f: Any, lang: str) -> str:
    """The finding with its location (``第2块第3行 贷款类：…``)."""
    if hasattr(f, "text"):
        return str(f.text(lang))
    from scoring.followup.findings import from_dict

    return from_dict(f).text(lang)


def one_language(text: Any, lang: str) -> str:
    """The ``lang`` half of a bilingual ``"中文 / English"`` message (the whole text if not one)."""
    s = "" if text is None else str(text)
    if " / " not in s:
        return s
    zh, en = s.split(" / ", 1)
    return zh if lang == "zh" else en


def plan_of(project: Mapping[str, Any], key: str, year: int) -> tuple[Any, Any]:
    """``(baseline, target of year)`` of indicator ``key`` in a project's plan (None if none)."""
    plan = project.get("plan") or {}
    if isinstance(plan, str):  # stored as JSON text
        import json

        try:
            plan = json.loads(plan)
        except ValueError:
            plan = {}
    entry = plan.get(key) or {}
    targets = entry.get("targets") or {}
    target = targets.get(year, targets.get(str(year)))
    return entry.get("baseline"), target


def fmt_num(v: Any, digits: int = 4) -> str:
    """A number for a table (``—`` when none)."""
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    try:
        return f"{float(v):.{digits}g}"
    except (TypeError, ValueError):
        return str(v)


def ledger_html(
    content: Mapping[str, Any],
    kind: str,
    lang: str,
    *,
    group: str | None = None,
    project: Mapping[str, Any] | None = None,
    year: int | None = None,
    cls: str = "",
    previous: Mapping[str, Any] | None = None,
) -> str:
    """A ledger as a read-only HTML table (blocks, numbered goals and measures, financing) and
    its indicators with baseline and target (and the ``previous`` period's value, when given)."""
    from scoring.followup import indicators as ind_mod
    from scoring.followup import ledger as led
    from scoring.followup.codes import industry_label
    from scoring.followup.workflow import progress_codes

    zh = lang == "zh"
    c = led.numbered(led.normalise(content, kind))
    prog = progress_codes()
    cols = [led.ROW_TEXT["goal"], led.ROW_TEXT["measure"], led.ROW_OTHER["deadline"]]
    cols.append(led.ROW_OTHER["progress"])
    if kind == "region":
        cols.append(led.ROW_TEXT["enterprise"])
    cols += [*led.FINANCING.values(), led.ROW_TEXT["result"]]
    th = "<th style='padding:2px 4px;white-space:nowrap'>"
    td = "<td style='padding:2px 4px;line-height:1.35'>"
    head = "".join(f"{th}{esc(z if zh else e)}</th>" for z, e in cols)
    parts = [
        f"<div class='scoring-ledger-view {esc(cls)}'>",
        f"<div>{esc('联系人姓名及电话' if zh else 'Contact')}：{esc(c.get('contact'))}</div>",
    ]
    tstyle = "border-collapse:collapse;font-size:12px;margin:4px 0"
    for b in c["blocks"]:
        industries = "、".join(industry_label(x) for x in b.get("industries") or [])
        parts.append(
            f"<div style='margin-top:6px'><b>{b['seq']}. {esc(b.get('name'))}</b>"
            f"（{esc(_role(b.get('role', ''), lang))}）{esc(b.get('city'))}　{esc(industries)}</div>"
        )
        body = []
        for r in b["rows"]:
            p = prog.get(r.get("progress") or "", {})
            cells = [
                f"{r.get('goal_no', '')} {r.get('goal', '')}".strip(),
                f"{r.get('measure_no', '')} {r.get('measure', '')}".strip(),
                r.get("deadline", ""),
                p.get("zh" if zh else "en", r.get("progress", "")),
            ]
            if kind == "region":
                cells.append(r.get("enterprise", ""))
            cells += [fmt_num(r.get(k), 10) if r.get(k) is not None else "" for k in led.FINANCING]
            cells.append(r.get("result", ""))
            body.append("<tr>" + "".join(f"{td}{esc(x)}</td>" for x in cells) + "</tr>")
        parts.append(
            f"<table class='scoring-table' border='1' style='{tstyle}'>"
            f"<thead><tr style='background:#eef2f7'>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )
    totals = led.financing_totals(c)
    parts.append(
        "<div>"
        + esc("融资合计（万元）" if zh else "Financing total (10k yuan)")
        + "："
        + esc(fmt_num(totals["total"], 12))
        + "</div>"
    )
    if group:
        rows = []
        for ind in ind_mod.indicators(group):
            if not ind.entered:
                continue
            entry = (c.get("indicators") or {}).get(ind.key)
            value = ind_mod.value_of(ind, entry) if entry else None
            base, target = plan_of(project or {}, ind.key, year or 0)
            if base is None and entry:
                base = entry.get("baseline")
            cells = [ind.label(lang), fmt_num(value)]
            if previous is not None:
                pe = (led.normalise(previous, kind).get("indicators") or {}).get(ind.key)
                cells.append(fmt_num(ind_mod.value_of(ind, pe) if pe else None))
            cells += [fmt_num(base), fmt_num(target)]
            rows.append("<tr>" + "".join(f"{td}{esc(x)}</td>" for x in cells) + "</tr>")
        hd = ["指标", "本期（本年累计）"] if zh else ["Indicator", "This period (YTD)"]
        if previous is not None:
            hd.append("上期" if zh else "Previous")
        hd += ["基线", "本年目标"] if zh else ["Baseline", "Target"]
        parts.append(
            f"<table class='scoring-table scoring-indicator-view' border='1' style='{tstyle}'>"
            "<thead><tr style='background:#eef2f7'>"
            + "".join(f"{th}{esc(h)}</th>" for h in hd)
            + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    summary = c.get("summary") or {}
    for k, v in summary.items():
        parts.append(f"<div><b>{esc(k)}</b>：{esc(v)}</div>")
    parts.append("</div>")
    return "".join(parts)


def _role(role: str, lang: str) -> str:
    names = {
        "core": ("核心企业", "core enterprise"),
        "partner": ("上下游企业", "up/downstream enterprise"),
        "region": ("区域", "region"),
    }
    z, e = names.get(role, (role, role))
    return z if lang == "zh" else e
