"""``scoring serve [--port N] ...``: run the dashboards (see :mod:`scoring.ui.serve`)."""

from __future__ import annotations

import argparse
import os

#: ``0`` in the environment: kernels start from scratch (as ``--no-kernel-template``).
TEMPLATE_ENV = "SCORING_KERNEL_TEMPLATE"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` sub-command to the ``scoring`` command line."""
    from .serve_guard import MAX_KERNELS, MAX_KERNELS_PER_CLIENT

    p = subparsers.add_parser(
        "serve",
        help="serve the dashboards with Voila on 127.0.0.1 / 启动评审看板",
        description="Serve the four dashboards (expert, board, bank, console) on 127.0.0.1.",
    )
    p.add_argument("--port", type=int, default=None, help="TCP port (default 8866; no retries)")
    p.add_argument(
        "--ip",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; a worker behind a proxy on another machine "
        "listens on its private address) / 监听地址",
    )
    p.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="server log level (default INFO)",
    )
    p.add_argument(
        "--max-kernels-per-client",
        type=int,
        default=MAX_KERNELS_PER_CLIENT,
        metavar="N",
        help=f"pages (kernels) open at once from one client address; past it the client gets "
        f"a 'server busy' page (default {MAX_KERNELS_PER_CLIENT}, 0: no cap) / 每个客户端地址的内核上限",
    )
    p.add_argument(
        "--max-kernels",
        type=int,
        default=MAX_KERNELS,
        metavar="N",
        help=f"pages (kernels) open at once in all, ~120 MB each (default {MAX_KERNELS}, "
        "0: no cap) / 服务器内核总数上限",
    )
    p.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDR",
        help="address or CIDR network of a reverse proxy (HAProxy) whose X-Forwarded-For names "
        "the client; repeatable (default: none, the header is ignored) / 受信任的反向代理",
    )
    p.add_argument(
        "--kernel-starts",
        type=int,
        default=None,
        metavar="N",
        help="pages that start their kernel at once, the others wait their turn so that pages "
        "in use keep a share of the cores (default: half the cores, at least 1; 0: no queue) "
        "/ 同时启动的内核数",
    )
    p.add_argument(
        "--no-kernel-template",
        dest="kernel_template",
        action="store_false",
        help="start each kernel from scratch instead of forking it from a process that has "
        "imported the kernel's modules once (scoring.ui.serve_forks; also "
        "SCORING_KERNEL_TEMPLATE=0, which the workers of `scoring deploy` inherit) "
        "/ 不使用内核模板进程",
    )
    p.set_defaults(func=_serve, kernel_template=os.environ.get(TEMPLATE_ENV, "1") != "0")


def _serve(args: argparse.Namespace) -> int:
    from .serve import DEFAULT_PORT, serve
    from .serve_guard import parse_networks

    port = DEFAULT_PORT if args.port is None else args.port
    if not 0 < port < 65536:
        raise ValueError(f"--port must be between 1 and 65535, got {port}")
    for flag in ("max_kernels_per_client", "max_kernels", "kernel_starts"):
        if (getattr(args, flag) or 0) < 0:
            raise ValueError(f"--{flag.replace('_', '-')} must be >= 0 / 不能为负数")
    parse_networks(args.trusted_proxy)
    return serve(
        port,
        db=getattr(args, "db", None),
        log_level=args.log_level,
        max_kernels_per_client=args.max_kernels_per_client,
        max_kernels=args.max_kernels,
        trusted_proxies=args.trusted_proxy,
        ip=args.ip,
        kernel_starts=args.kernel_starts,
        kernel_template=args.kernel_template,
    )
