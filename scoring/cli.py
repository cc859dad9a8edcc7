"""Command line: ``scoring <command> ...`` (also ``python -m scoring``).

Each area registers its own sub-commands from its own module (see ``_COMMAND_MODULES``): a module
exposes ``register(subparsers)`` and sets ``func`` on each parser it adds. Errors in user input
(:class:`ValueError`, which includes :class:`~scoring.errors.InputError`) print one line to stderr
and exit with status 2; nothing is changed.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Modules that add sub-commands, in help order. Missing modules are skipped.
_COMMAND_MODULES = (
    "scoring.commands",  # rank, demo (engine; plain files)
    "scoring.store.cli",  # init, import, export, codes, verify (database)
    "scoring.store.followup_cli",  # periods, remind; import/export ledger, export followup
    "scoring.reports.cli",  # export report / catalogue PDF hooks
    "scoring.ui.cli",  # serve
    "scoring.deploy.cli",  # deploy (several workers behind HAProxy)
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scoring",
        description="评审答辩工作台 — review and defense workbench for key supply-chain projects",
    )
    parser.add_argument("--db", help="database URL (default: $SCORING_DB or the SQLite file)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        result = args.func(args)
    except ValueError as exc:
        msg = " ".join(str(exc).split())
        print(f"scoring {args.command}: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return int(result or 0)
