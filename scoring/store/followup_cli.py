"""Organizers' command line of the follow-up stage (阶段跟进).

Sub-commands added to ``scoring``:

* ``scoring periods --year 2026 [--due 2026Q2=2026-07-20 …] [--lock 2026Q2=2026-07-31 …]`` — the
  year's periods (2026Q1 … 2026Q4, 2026Y; created with the default dates when missing), the
  dates given changed, then listed;
* ``scoring remind [--city 太原市]`` — what is due or late, per city, with the message to send;
* ``scoring import ledger FILE --project ID --period KEY [--code CODE]`` — a filled 附件4-1/4-2
  (xlsx or csv) as the project's draft of the period (all or nothing: every problem named by row
  and column); the store lets only the project's unit write its ledger: give the unit's access
  code;
* ``scoring export ledger --project ID --period KEY [--out f.xlsx] [--code CODE]`` — the ledger
  as the 附件4-1/4-2 xlsx (default file ``ledger_<ID>_<KEY>.xlsx``), as the organizer sees it
  (content from the first submission on) or as the account of the access code;
* ``scoring export followup --period 2026Q2 | --year 2026 --out summary.xlsx | .pdf`` — the
  summary report (跟进汇总报告);
* ``scoring recommend-override PROJECT --reason TEXT`` — let an exited followed project be
  recommended again in the current round (``wb.recommend.override``; the year-to-year cycle).

Everything goes through the store's follow-up services (``wb.periods``, ``wb.ledgers``,
``wb.followed``, ``wb.followup_stats``) as the command line's organizer actor; errors print one
line and exit with status 2 (:mod:`scoring.cli`).
"""

from __future__ import annotations

import argparse
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Problem
from .exports import register_default_out, register_exporter
from .service import Workbench

_DATE_ARG = re.compile(r"^\s*(\d{4}(?:Q[1-4]|Y))\s*=\s*(\d{4}-\d{2}-\d{2})\s*$")


def _service(wb: Any, name: str) -> Any:
    svc = getattr(wb, name, None)
    if svc is None:
        raise InputError(
            [
                Problem(
                    f"此数据库没有跟进阶段服务 wb.{name} / the store has no follow-up service {name}"
                )
            ]
        )
    return svc


def _dates(items: list[str] | None, flag: str) -> dict[str, date]:
    out: dict[str, date] = {}
    problems: list[Problem] = []
    for item in items or ():
        m = _DATE_ARG.match(item)
        if m is None:
            problems.append(
                Problem(f"{item!r}: expected KEY=YYYY-MM-DD (2026Q2=2026-07-20)", column=flag)
            )
            continue
        try:
            out[m.group(1)] = date.fromisoformat(m.group(2))
        except ValueError:
            problems.append(Problem(f"{item!r}: {m.group(2)} is not a date", column=flag))
    if problems:
        raise InputError(problems)
    return out


def _day(x: Any) -> str:
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return ""
    return x.isoformat() if isinstance(x, date) else str(x)[:10]


def cmd_periods(args: argparse.Namespace) -> int:
    """``scoring periods --year Y [--due KEY=DATE …] [--lock KEY=DATE …]``."""
    due, lock = _dates(args.due, "--due"), _dates(args.lock, "--lock")
    wrong = [k for k in {*due, *lock} if not k.startswith(str(args.year))]
    if wrong:
        raise InputError(
            [
                Problem(f"period {k} is not of {args.year}", column="--due/--lock")
                for k in sorted(wrong)
            ]
        )
    with Workbench(args.db) as wb:
        org = wb.system_actor()
        periods = _service(wb, "periods")
        have = periods.periods(org, year=args.year)
        if have is None or len(have) == 0:
            keys = periods.create_year(org, args.year)
            print(f"{args.year}: created {', '.join(keys)} (default dates)")
            have = periods.periods(org, year=args.year)
        current = {str(r["key"]): r for r in have.to_dict("records")}
        unknown = sorted(k for k in {*due, *lock} if k not in current)
        if unknown:
            raise InputError([Problem(f"no period {k}", column="--due/--lock") for k in unknown])
        for key in sorted({*due, *lock}):
            rec = current[key]
            new_due = due.get(key) or date.fromisoformat(_day(rec["due"]))
            new_lock = lock.get(key) or date.fromisoformat(_day(rec["lock"]))
            periods.set_dates(org, key, due=new_due, lock=new_lock)
            print(f"{key}: due {new_due}, lock {new_lock}")
        table = periods.periods(org, year=args.year)
    from ..followup.periods import period_label

    print(
        f"{'期次 period':<14} {'名称':<14} {'起 start':<11} {'止 end':<11} {'应报 due':<11} {'锁定 lock':<11}"
    )
    for r in table.to_dict("records"):
        key = str(r["key"])
        print(
            f"{key:<14} {period_label(key):<14} {_day(r.get('start')):<11} {_day(r.get('end')):<11} "
            f"{_day(r.get('due')):<11} {_day(r.get('lock')):<11}"
        )
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    """``scoring remind [--city C]``: what is due or late, per city, with the message text."""
    with Workbench(args.db) as wb:
        org = wb.system_actor()
        table = _service(wb, "followup_stats").reminders(org)
    if args.city and "city" in table.columns:
        from ..followup.codes import normalise_city

        table = table[table["city"] == normalise_city(args.city)]
    if table is None or table.empty:
        print("没有到期或逾期的台帐 / nothing due or late")
        return 0
    groups = table.groupby("city", sort=False) if "city" in table.columns else [("", table)]
    for city, rows in groups:
        print(f"== {city or '—'} ({len(rows)}) ==")
        for r in rows.to_dict("records"):
            text = r.get("message") or r.get("message_zh") or r.get("text") or ""
            head = " ".join(
                str(r[k]) for k in ("project_id", "period", "status") if r.get(k) is not None
            )
            print(f"  {head}: {text}" if text else f"  {head}")
    return 0


def import_ledger(args: argparse.Namespace) -> int:
    """``scoring import ledger FILE --project ID --period KEY [--code CODE]`` (as the unit of
    the access code; without one as the command line's organizer, whom the store may refuse)."""
    if not args.project or not args.period:
        raise InputError(
            [Problem("import ledger needs --project ID and --period KEY", column="--project")]
        )
    with Workbench(args.db) as wb:
        code = getattr(args, "code", None)
        actor = wb.login(code) if code else wb.system_actor()
        version = _service(wb, "ledgers").import_file(
            actor, args.project, args.period, Path(args.file)
        )
    print(f"ledger {args.project} {args.period}: imported {args.file} as draft version {version}")
    return 0


def default_ledger_out(args: argparse.Namespace) -> str:
    """``ledger_<project>_<period>.xlsx``."""
    return f"ledger_{args.project}_{args.period}.xlsx"


def export_ledger(args: argparse.Namespace) -> int:
    """``export ledger --project ID --period KEY [--out f.xlsx]``: the 附件4-1/4-2 form."""
    from ..io.ledger_export import export_ledger as write

    if not getattr(args, "project", None) or not getattr(args, "period", None):
        raise InputError(
            [Problem("export ledger needs --project ID and --period KEY", column="--project")]
        )
    with Workbench(args.db) as wb:
        code = getattr(args, "code", None)
        org = wb.login(code) if code else wb.system_actor()
        state = _service(wb, "ledgers").ledger(org, args.project, args.period)
        project = _service(wb, "followed").project(org, args.project)
    content = state.get("content") if isinstance(state, dict) else getattr(state, "content", None)
    kind = str(project.get("kind") or "enterprise")
    path = write(content or {}, kind, args.out, project=project, period=args.period)
    status = state.get("status", "") if isinstance(state, dict) else ""
    print(f"wrote {path} ({project.get('name', args.project)}, {args.period}, {status})")
    if not (content or {}).get("blocks"):
        print(
            "  台帐内容为空：尚未报送的草稿只有项目单位可见（--code 单位访问码）/ no content: a "
            "draft not yet submitted is seen by its unit only (--code UNIT-CODE)"
        )
    return 0


def export_followup(args: argparse.Namespace) -> int:
    """``export followup --period KEY | --year Y --out f.xlsx|.pdf``: the summary report."""
    from ..reports.followup import scope_label, summary_pdf, summary_xlsx

    period = getattr(args, "period", None)
    year = None if period else getattr(args, "year", None)
    label = scope_label(period, year)
    write = summary_pdf if Path(args.out).suffix.lower() == ".pdf" else summary_xlsx
    with Workbench(args.db) as wb:
        path = write(wb, wb.system_actor(), year, args.out, period=period)
    print(f"wrote {path} ({label})")
    return 0


def cmd_recommend_override(args: argparse.Namespace) -> int:
    """``scoring recommend-override PROJECT --reason TEXT``: the organizer's override."""
    with Workbench(args.db) as wb:
        svc = _service(wb, "recommend")
        oid = svc.override(wb.system_actor(), args.project, args.reason)
        year = wb.current_year()
    print(
        f"已准予 {args.project} 在 {year} 年再次推荐（例外 #{oid}）/ {args.project} may be "
        f"recommended again in {year} (override #{oid})"
    )
    return 0


register_exporter("ledger", ".xlsx", export_ledger)
register_exporter("followup", (".xlsx", ".pdf"), export_followup)
register_default_out("ledger", default_ledger_out)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``periods``, ``remind`` and ``recommend-override`` to the ``scoring`` command (``import ledger`` and
    ``export ledger|followup`` are options of ``import`` and ``export``)."""
    p = subparsers.add_parser(
        "periods",
        help="跟进期次与报送日期 / follow-up periods and their due and lock dates",
        description="Create the year's periods (2026Q1…Q4, 2026Y) with the default dates when "
        "missing, change the dates given, and list them. Dates are local (Asia/Shanghai) and "
        "include their whole day.",
    )
    p.add_argument("--year", type=int, required=True, help="the year (2026)")
    p.add_argument(
        "--due",
        action="append",
        metavar="KEY=DATE",
        help="due date, e.g. 2026Q2=2026-07-20 (repeatable)",
    )
    p.add_argument(
        "--lock",
        action="append",
        metavar="KEY=DATE",
        help="lock date, e.g. 2026Q2=2026-07-31 (repeatable)",
    )
    p.set_defaults(func=cmd_periods)

    p = subparsers.add_parser(
        "remind", help="到期与逾期台帐提醒 / ledgers due or late, per city, with the message"
    )
    p.add_argument("--city", help="only this city (太原市 or 太原)")
    p.set_defaults(func=cmd_remind)

    p = subparsers.add_parser(
        "recommend-override",
        help="准予已退出项目再次推荐 / let an exited project be recommended again this round",
        description="An exited followed project's candidates are refused by the import of a "
        "later round; this grants the organizer's override for the current round's year.",
    )
    p.add_argument("project", help="the exited followed project's id (E001)")
    p.add_argument("--reason", required=True, help="why it may be recommended again")
    p.set_defaults(func=cmd_recommend_override)
