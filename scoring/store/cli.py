"""Organizers' command line around the store: ``init``, ``import``, ``export``, ``codes``, ``verify``.

The database is the global ``--db URL``, else ``$SCORING_DB``, else the SQLite file
``$SCORING_HOME/scoring.sqlite`` (``SCORING_HOME`` defaults to ``./var``; see
:mod:`scoring.store.db`). Errors print one line and exit with status 2; nothing is changed
(every command runs in one transaction). ``verify`` exits 1 when the audit chain is broken.
"""

from __future__ import annotations

import argparse
import sys

from .accounts import ROLES
from .exports import run_export
from .service import Workbench


def _print_codes(codes: dict[str, str], wb: Workbench) -> None:
    print("访问码（只显示这一次，请妥善分发）/ access codes (shown once):")
    for login, code in codes.items():
        print(f"  {login:<12} {code}")


def cmd_init(args: argparse.Namespace) -> int:
    """``scoring init [--demo] [--year Y]``."""
    with Workbench(args.db) as wb:
        if args.demo:
            from .demo import CLOSED_PANEL, OPEN_PANEL, seed_demo

            names = {p["name"] for p in wb.panels(wb.system_actor())}
            loaded = bool(names & {CLOSED_PANEL, OPEN_PANEL})
            codes = seed_demo(wb, year=args.year, reissue_if_loaded=True)
            if loaded:
                print("demo already loaded: nothing re-seeded; demo codes reissued")
            print(f"database: {wb.engine.url.render_as_string(hide_password=True)}")
            print(
                f"round {wb.current_year()}: demo loaded (closed panel with every score confirmed; open panel)"
            )
            _print_codes(codes, wb)
        else:
            wb.init(args.year)
            print(f"database: {wb.engine.url.render_as_string(hide_password=True)}")
            print(f"round {wb.current_year()} ready")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """``scoring import candidates|experts FILE``; ``import ledger FILE --project ID --period KEY``
    (:mod:`scoring.store.followup_cli`)."""
    if args.what == "ledger":
        from .followup_cli import import_ledger

        return import_ledger(args)
    with Workbench(args.db) as wb:
        org = wb.system_actor()
        fn = wb.import_candidates if args.what == "candidates" else wb.import_experts
        res = fn(org, args.file)
    print(
        f"{args.what}: {len(res.added)} added, {len(res.changed)} changed, {res.unchanged} unchanged"
    )
    return 0


def cmd_codes(args: argparse.Namespace) -> int:
    """``scoring codes``: list accounts, create, (re)issue or revoke access codes."""
    with Workbench(args.db) as wb:
        org = wb.system_actor()
        if args.create:
            code = wb.create_account(
                org, args.create, args.role, name=args.name, expert_id=args.expert
            )
            _print_codes({args.create.upper(): code}, wb)
            return 0
        if args.revoke:
            for login in args.revoke:
                wb.revoke(org, login)
                print(f"revoked {login.upper()}")
            return 0
        if args.experts:
            have = {a["expert_id"] for a in wb.accounts(org) if a["expert_id"]}
            ex = wb.experts(org)
            codes = {}
            for rec in ex.to_dict("records"):
                if rec["expert_id"] in have:
                    continue
                role = "bank" if rec["kind"] == "bank" else "expert"
                codes[rec["expert_id"]] = wb.create_account(
                    org, rec["expert_id"], role, expert_id=rec["expert_id"], name=rec["name"]
                )
            if not codes:
                print("every expert already has an account (reissue with: scoring codes LOGIN ...)")
                return 0
            _print_codes(codes, wb)
            return 0
        logins = list(args.logins)
        if args.all:
            logins = [a["login"] for a in wb.accounts(org) if a["active"]]
        if not logins:
            for a in wb.accounts(org):
                state = "active" if a["active"] else "revoked"
                print(
                    f"{a['login']:<12} {a['role']:<10} {state:<8} {a['expert_id'] or '':<6} {a['name']}"
                )
            return 0
        # validate every login first, so a typo changes nothing
        known = {a["login"] for a in wb.accounts(org)}
        missing = [x for x in logins if x.upper() not in known]
        if missing:
            raise ValueError(f"no such account: {', '.join(missing)}")
        codes = {x.upper(): wb.reissue_code(org, x) for x in logins}
        _print_codes(codes, wb)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """``scoring verify [--head SEQ:HASH] [--keyed-from SEQ]``: recompute the audit chain and the
    state it vouches for; print the head to anchor, or exit 1 naming every difference."""
    from .audit import format_head, parse_head

    anchor = parse_head(args.head) if args.head else None
    with Workbench(args.db, create=False) as wb:
        report = wb.verify(head=anchor, keyed_from=args.keyed_from)
    if not report.ok:
        print(f"scoring verify: {report.message}", file=sys.stderr)
        for problem in report.problems[1:]:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(report.message)
    print(
        _bi(
            "账本状态（评分表、版本、评审组、冻结配置）与审计记录一致",
            "the sheets, versions, panels and frozen configurations match the audit trail",
        )
    )
    if report.head is not None:
        print(f"链头 / chain head: {format_head(*report.head)}")
    if anchor is not None:
        print(_bi("与打印的链头一致", f"the chain holds the printed head {args.head}"))
    return 0


def _bi(zh: str, en: str) -> str:
    return f"{zh} / {en}"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``init``, ``import``, ``export``, ``codes`` and ``verify`` to the ``scoring`` command."""
    p = subparsers.add_parser(
        "init", help="建库与当前年度（--demo 载入演示）/ create the database and round"
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="also load the demo (closed and open panel) and print codes",
    )
    p.add_argument("--year", type=int, help="review year (default: this year)")
    p.set_defaults(func=cmd_init)

    p = subparsers.add_parser(
        "import",
        help="导入候选项目、专家或台帐 / import candidates, experts or a ledger (xlsx/csv)",
        description="candidates | experts FILE; ledger FILE --project ID --period KEY: a filled "
        "附件4-1/4-2 as the project's draft of the period (all or nothing).",
    )
    p.add_argument("what", choices=("candidates", "experts", "ledger"))
    p.add_argument("file", help="xlsx or csv (Chinese or English headers; see data/templates/)")
    p.add_argument("--project", help="ledger: the followed project's id")
    p.add_argument("--period", help="ledger: the period key (2026Q2, 2026Y)")
    p.add_argument("--code", help="ledger: the project unit's access code (units write ledgers)")
    p.set_defaults(func=cmd_import)

    p = subparsers.add_parser(
        "export",
        help="导出排名、目录、汇总表、原始评分 / export ranking, catalogue, summary, scores",
        description="WHAT: ranking, catalogue (附件5), summary (附件3), scores (every version); "
        "xlsx or csv by the suffix of --out (report / catalogue as .pdf when scoring.reports is "
        "installed); ledger --project ID --period KEY (附件4-1/4-2 xlsx); followup --period KEY "
        "| --year Y (the follow-up summary report, .xlsx or .pdf).",
    )
    p.add_argument(
        "what", help="ranking | catalogue | summary | scores | report | ledger | followup"
    )
    p.add_argument(
        "--out",
        help="output file (.xlsx, .csv; .pdf for reports); ledger: default ledger_<ID>_<KEY>.xlsx",
    )
    p.add_argument("--panel", type=int, help="panel id (default: the latest closed panel)")
    p.add_argument(
        "--year", type=int, help="catalogue year (default: the current round); followup: the year"
    )
    p.add_argument("--project", help="ledger: the followed project's id")
    p.add_argument("--period", help="ledger, followup: the period key (2026Q2, 2026Y)")
    p.add_argument("--code", help="ledger: read it as the account of this access code")
    p.add_argument("--samples", type=int, default=10_000, help="robustness draws of the PDF report")
    p.add_argument("--data", default=None, help=argparse.SUPPRESS)
    p.add_argument("--method", default="weighted_sum", help=argparse.SUPPRESS)
    p.add_argument("--how", default="trimmed_mean", help=argparse.SUPPRESS)
    p.set_defaults(func=run_export)

    p = subparsers.add_parser("codes", help="账户与访问码 / accounts and access codes")
    p.add_argument("logins", nargs="*", help="reissue the codes of these accounts")
    p.add_argument("--all", action="store_true", help="reissue every active account's code")
    p.add_argument(
        "--experts", action="store_true", help="create accounts for experts that have none"
    )
    p.add_argument("--create", metavar="LOGIN", help="create an account")
    p.add_argument("--role", choices=tuple(ROLES), default="expert", help="role of --create")
    p.add_argument("--expert", metavar="EXPERT_ID", help="expert record of --create (expert/bank)")
    p.add_argument("--name", help="display name of --create")
    p.add_argument("--revoke", nargs="+", metavar="LOGIN", help="revoke these accounts")
    p.set_defaults(func=cmd_codes)

    p = subparsers.add_parser(
        "verify",
        help="校验审计链与评分状态 / verify the audit trail and the state it vouches for",
        description="Recompute the hash chain (and, with SCORING_AUDIT_KEY set, every record's "
        "keyed MAC), replay the records into the sheets, versions, panels and frozen "
        "configurations and name every difference from the tables; exit 1 when anything differs.",
    )
    p.add_argument(
        "--head",
        metavar="SEQ:HASH",
        help="a chain head printed in a report or export (SEQ:HASH or HASH): the chain must "
        "still hold it (a truncated tail with a rewound head fails)",
    )
    p.add_argument(
        "--keyed-from",
        type=int,
        default=1,
        metavar="SEQ",
        help="first record written with SCORING_AUDIT_KEY (default 1: every record)",
    )
    p.set_defaults(func=cmd_verify)
