"""Command line for the PDF exports: ``scoring report panel|catalogue --out FILE.pdf``.

The store's ``export`` command may take the PDF exporters from :data:`EXPORTERS` (name ->
``(add_arguments, run)``); until it does, ``report`` is a sub-command of its own. The data come
from the store (``--panel ID``, with the global ``--db``) or from a folder of csv files laid out
like ``data/demo/`` (``--data DIR``; the default when no ``--panel`` is given). Progress is
printed to stderr.
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


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``scoring report panel|catalogue``."""
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
