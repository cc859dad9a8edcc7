"""``scoring serve [--port N]``: run the dashboards (see :mod:`scoring.ui.serve`)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` sub-command to the ``scoring`` command line."""
    p = subparsers.add_parser(
        "serve",
        help="serve the dashboards with Voila on 127.0.0.1 / 启动评审看板",
        description="Serve the four dashboards (expert, board, bank, console) on 127.0.0.1.",
    )
    p.add_argument("--port", type=int, default=None, help="TCP port (default 8866; no retries)")
    p.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="server log level (default INFO)",
    )
    p.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    from .serve import DEFAULT_PORT, serve

    port = DEFAULT_PORT if args.port is None else args.port
    if not 0 < port < 65536:
        raise ValueError(f"--port must be between 1 and 65535, got {port}")
    return serve(port, db=getattr(args, "db", None), log_level=args.log_level)
