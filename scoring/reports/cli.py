"""Command line for the PDF exports: ``scoring report panel|catalogue --out FILE.pdf``.

The store's ``export`` command may take the PDF exporters from :data:`EXPORTERS` (name ->
``(add_arguments, run)``); until it does, ``report`` is a sub-command of its own. The data come
from the store (``--panel ID``, with the global ``--db``) or from a folder of csv files laid out
like ``data/demo/`` (``--data DIR``; the default when no ``--panel`` is given). Progress is
printed to stderr.

The yearly evaluation's reports are exports of the store's ``export`` command (registered here,
the options ``--city``, ``--format`` and ``-o`` added to it):

* ``scoring export evaluation --panel ID --city 太原市 --format pdf|xlsx -o FILE`` — a city's
  年度评估报告 of a closed evaluation panel (default: the latest closed one);
* ``scoring export evaluation-summary --year 2026 --format pdf|xlsx -o FILE`` — the province's
  年度汇总报告 of every closed evaluation panel of the year (default: the latest one's year).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from scoring.errors import InputError, Problem

from .pdf import Progress


def _progress(label: str) -> Progress:
    start = time.monotonic()

    def report(step: str, done: int, total: int) -> None:
        width = 24
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "." * (width - filled)
        print(
            f"\r{label} [{bar}] {done}/{total} {time.monotonic() - start:5.1f}s  {step}\033[K",
            end="" if done < total else "\n",
            file=sys.stderr,
            flush=True,
        )

    return report


def _check_out(path: str) -> Path:
    out = Path(path)
    if out.suffix.lower() != ".pdf":
        raise InputError([Problem("output must be a .pdf file", column="--out")])
    if out.exists() and out.is_dir():
        raise InputError([Problem("output is a folder", column="--out")])
    return out


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="PDF file to write")
    p.add_argument("--panel", type=int, help="closed panel in the store (with --db)")
    p.add_argument("--data", help="folder of csv files like data/demo (default: the demo data)")
    p.add_argument("--method", default="weighted_sum", help="ranking method (csv data only)")
    p.add_argument("--how", default="trimmed_mean", help="aggregation rule (csv data only)")


def _report_data(args: argparse.Namespace, progress: Progress):
    from .assemble import report_data_from_files, report_data_from_store

    samples = int(getattr(args, "samples", 10_000))
    if args.panel is not None:
        from scoring.store import Workbench

        with Workbench(getattr(args, "db", None)) as wb:
            return report_data_from_store(wb, args.panel, samples=samples, progress=progress)
    return report_data_from_files(
        args.data, method=args.method, how=args.how, samples=samples, progress=progress
    )


def add_report_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of the panel report export."""
    _add_common(p)
    p.add_argument("--samples", type=int, default=10_000, help="robustness draws (SMAA)")


def run_report(args: argparse.Namespace) -> int:
    """Write the panel report PDF."""
    from .panel_report import build_panel_report, write_pdf

    out = _check_out(args.out)
    data = _report_data(args, _progress("数据 data  "))
    content = build_panel_report(data, progress=_progress("报告 report"))
    write_pdf(content, out)
    print(f"wrote {out} ({len(content) // 1024} KiB, {len(data.sheets)} score sheets)")
    return 0


def add_catalogue_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of the catalogue export."""
    _add_common(p)
    p.add_argument("--year", type=int, help="catalogue year (default: the data's next year)")


def run_catalogue(args: argparse.Namespace) -> int:
    """Write the 附件5 catalogue PDF of the shortlist."""
    from scoring.programme.catalogue import catalogue

    from .catalogue_pdf import build_catalogue_pdf
    from .panel_report import write_pdf

    out = _check_out(args.out)
    args.samples = 200  # the catalogue needs no robustness figures
    data = _report_data(args, _progress("数据 data  "))
    short = data.shortlisted
    cat = catalogue(short.assign(rank=short["rank"]), data.ranking.reset_index())
    year = args.year
    if year is None:
        from scoring.demo import YEARS

        year = YEARS[-1] + 1
    from scoring.io.filing import chain_line

    anchor = f"配置 {data.config_hash[:12]}　{chain_line(data.chain_head)}".strip()
    content = build_catalogue_pdf(
        cat, year=year, anchor=anchor, progress=_progress("目录 catalogue")
    )
    write_pdf(content, out)
    print(f"wrote {out} ({len(cat)} projects)")
    return 0


#: PDF exporters for the store's ``export`` command: name -> (add_arguments, run).
EXPORTERS: dict[
    str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
] = {
    "report": (add_report_arguments, run_report),
    "catalogue-pdf": (add_catalogue_arguments, run_catalogue),
}


def _evaluation_panel(wb, args: argparse.Namespace) -> int:
    """``--panel`` or the latest closed evaluation panel (of ``--year`` when given)."""
    from scoring.store.errors import RuleViolation

    if getattr(args, "panel", None) is not None:
        return int(args.panel)
    panels = wb.evaluation.panels(wb.system_actor())
    closed = panels[panels["status"] == "closed"]
    if getattr(args, "year", None) is not None:
        closed = closed[closed["year"] == int(args.year)]
    if closed.empty:
        raise RuleViolation("没有已结束的年度评估组 / no closed evaluation panel: give --panel ID")
    return int(closed.sort_values(["date", "id"]).iloc[-1]["id"])


def _samples(args: argparse.Namespace) -> int:
    """The grades' SMAA draws: the store's 4 000 unless ``--samples`` changes the default."""
    n = int(getattr(args, "samples", 10_000) or 10_000)
    return 4_000 if n == 10_000 else n


def export_evaluation(args: argparse.Namespace) -> int:
    """``export evaluation --panel ID --city C --out f.pdf|.xlsx``: a city's 年度评估报告."""
    from scoring.store import Workbench

    from .evaluation import city_report

    if not getattr(args, "city", None):
        raise InputError([Problem("export evaluation needs --city (太原市)", column="--city")])
    with Workbench(getattr(args, "db", None)) as wb:
        pid = _evaluation_panel(wb, args)
        fmt = getattr(args, "format", None)
        path = city_report(wb, pid, args.city, args.out, fmt=fmt, samples=_samples(args))
    print(f"wrote {path} (evaluation panel {pid}, {args.city})")
    return 0


def export_evaluation_summary(args: argparse.Namespace) -> int:
    """``export evaluation-summary --year Y --out f.pdf|.xlsx``: the province's 年度汇总报告."""
    from scoring.store import Workbench

    from .evaluation import province_report

    with Workbench(getattr(args, "db", None)) as wb:
        year = getattr(args, "year", None)
        if year is None:
            panels = wb.evaluation.panels(wb.system_actor())
            year = int(panels.loc[panels["id"] == _evaluation_panel(wb, args), "year"].iloc[0])
        fmt = getattr(args, "format", None)
        path = province_report(wb, int(year), args.out, fmt=fmt, samples=_samples(args))
    print(f"wrote {path} ({year})")
    return 0


EVALUATION_EXPORTS = ("evaluation", "evaluation-summary")


def _default_out(args: argparse.Namespace) -> str:
    fmt = getattr(args, "format", None) or "pdf"
    if args.what == "evaluation":
        return f"evaluation_{args.panel or 'latest'}_{args.city or 'city'}.{fmt}"
    return f"evaluation-summary_{args.year or 'latest'}.{fmt}"


def _with_format(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """``export``'s dispatcher, the evaluation exports' ``--format`` giving a bare ``-o`` its
    suffix."""

    def wrapped(args: argparse.Namespace) -> int:
        fmt, out = getattr(args, "format", None), getattr(args, "out", None)
        if args.what in EVALUATION_EXPORTS and fmt and out and not Path(out).suffix:
            args.out = f"{out}.{fmt}"
        return run(args)

    wrapped.__doc__ = run.__doc__
    return wrapped


def _extend_export(subparsers: argparse._SubParsersAction) -> None:
    """Give the store's ``export`` command the evaluation exports' options."""
    export = subparsers.choices.get("export")
    if export is None:
        return
    have = {o for a in export._actions for o in a.option_strings}
    if "--city" not in have:
        export.add_argument("--city", help="evaluation: the city (太原市 or 太原)")
    if "--format" not in have:
        export.add_argument(
            "--format",
            choices=("pdf", "xlsx"),
            help="evaluation, evaluation-summary: pdf or xlsx (default: by the suffix of --out)",
        )
    if "-o" not in have:
        export.add_argument("-o", dest="out", help="the same as --out")
    export.set_defaults(func=_with_format(export.get_default("func")))


def _register_evaluation_exports() -> None:
    try:
        from scoring.store.exports import register_default_out, register_exporter
    except ImportError:  # the reports without the store
        return
    register_exporter("evaluation", (".pdf", ".xlsx"), export_evaluation)
    register_exporter("evaluation-summary", (".pdf", ".xlsx"), export_evaluation_summary)
    for what in EVALUATION_EXPORTS:
        register_default_out(what, _default_out)


_register_evaluation_exports()


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``scoring report panel|catalogue``; give ``export`` the evaluation exports."""
    _extend_export(subparsers)
    p = subparsers.add_parser(
        "report",
        help="PDF 报告：评审报告与年度目录 / PDF panel report and catalogue",
        description="Write the panel report (评审报告, with one signed score sheet per expert) "
        "or the 附件5 catalogue as PDF with the CJK font embedded.",
    )
    sub = p.add_subparsers(dest="report_kind", metavar="KIND", required=True)
    panel = sub.add_parser("panel", help="评审报告 panel report")
    add_report_arguments(panel)
    panel.set_defaults(func=run_report)
    cat = sub.add_parser("catalogue", help="年度目录(附件5) catalogue")
    add_catalogue_arguments(cat)
    cat.set_defaults(func=run_catalogue)
