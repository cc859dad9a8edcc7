"""``scoring deploy --workers N``: the scaled-out layout on one machine, for a try-out."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``deploy`` sub-command to the ``scoring`` command line."""
    p = subparsers.add_parser(
        "deploy",
        help="多进程部署试运行：HAProxy + N 个看板进程 + PostgreSQL / try-out of the scaled deployment",
        description=(
            "Start N `scoring serve` workers behind HAProxy (sticky sessions, health checks) on one "
            "PostgreSQL: the one given by --db / $SCORING_DB, or a throwaway cluster seeded with the "
            "demo. Runs until interrupted (Ctrl-C), then stops everything it started."
        ),
    )
    p.add_argument("--workers", type=int, default=3, help="number of workers (default 3)")
    p.add_argument("--port", type=int, default=8080, help="proxy port on 127.0.0.1 (default 8080)")
    p.add_argument(
        "--run-dir",
        type=Path,
        default=None,
        help="configs, logs, state.json (default $SCORING_HOME/deploy)",
    )
    p.add_argument(
        "--pgbouncer",
        choices=["auto", "on", "off"],
        default="auto",
        help="PgBouncer in transaction mode: auto = when the connection count requires it",
    )
    p.add_argument(
        "--kernels-per-worker",
        type=int,
        default=40,
        help="planned kernels per worker (for the count)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="seed the demo into --db (a throwaway cluster always is)",
    )
    p.add_argument(
        "--no-restart", dest="restart", action="store_false", help="leave a dead worker dead"
    )
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.set_defaults(func=_deploy)


def _deploy(args: argparse.Namespace) -> int:
    from .runner import Deployment, Options

    if not 0 < args.port < 65536:
        raise ValueError(f"--port must be between 1 and 65535, got {args.port}")
    opts = Options(
        workers=args.workers,
        port=args.port,
        db=getattr(args, "db", None),
        run_dir=args.run_dir,
        pgbouncer=args.pgbouncer,
        demo=args.demo,
        restart=args.restart,
        kernels_per_worker=args.kernels_per_worker,
        log_level=args.log_level,
    )
    dep = Deployment(opts)

    def _term(_sig: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _term)
    dep.start()
    try:
        return dep.supervise()
    except KeyboardInterrupt:
        print("scoring deploy: stopping / 正在停止", file=sys.stderr, flush=True)
        return 0
    finally:
        dep.stop()
