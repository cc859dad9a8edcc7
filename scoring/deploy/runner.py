"""``scoring deploy``: N workers, HAProxy, one PostgreSQL (and PgBouncer if needed) on one machine.

A try-out of the production layout (``deploy/``): each worker is a ``scoring serve`` process in
its own process group (the worker and its kernels die together), HAProxy in the foreground,
PostgreSQL either the one given (``--db``) or a throwaway cluster seeded with the demo. The run
folder holds the generated configurations, the logs and ``state.json`` (addresses and pids).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..ui.serve_queue import default_slots
from .capacity import connection_budget
from .haproxy import haproxy_config, local_backends
from .pgbouncer import Upstream, client_url, pgbouncer_ini, userlist
from .postgres import TempPostgres
from .procs import free_port, spawn, stop_group, wait_http

ROOT = Path(__file__).resolve().parents[2]


def _need(binary: str, package: str) -> str:
    path = shutil.which(binary) or (
        f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").is_file() else None
    )
    if path is None:
        raise ValueError(
            f"{binary} not found: install the Debian package {package} / 请安装 {package}"
        )
    return path


@dataclass
class Options:
    """What ``scoring deploy`` was asked for (see :mod:`scoring.deploy.cli`)."""

    workers: int = 3
    port: int = 8080
    db: str | None = None
    run_dir: Path | None = None
    pgbouncer: str = "auto"  # auto | on | off
    demo: bool = False
    restart: bool = True
    kernels_per_worker: int = 40
    log_level: str = "INFO"


@dataclass
class Deployment:
    """The running try-out; :meth:`start`, then :meth:`supervise` or :meth:`stop`."""

    opts: Options
    run_dir: Path = field(init=False)
    db_url: str = field(init=False, default="")
    workers: dict[str, subprocess.Popen] = field(init=False, default_factory=dict)
    ports: dict[str, int] = field(init=False, default_factory=dict)
    others: list[subprocess.Popen] = field(init=False, default_factory=list)
    postgres: TempPostgres | None = field(init=False, default=None)
    env: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.run_dir = Path(
            self.opts.run_dir or Path(os.environ.get("SCORING_HOME") or "var") / "deploy"
        )
        self.run_dir = self.run_dir.resolve()

    # ------------------------------------------------------------------ start
    def start(self) -> Deployment:
        """Database, workers, proxy; writes ``state.json``. Stops what it started on failure."""
        o = self.opts
        if o.workers < 1:
            raise ValueError("--workers must be at least 1")
        haproxy = _need("haproxy", "haproxy")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._database()
            self._workers()
            cfg = self.run_dir / "haproxy.cfg"
            stats = free_port()
            backends = local_backends([self.ports[n] for n in self.workers])
            cfg.write_text(
                haproxy_config(
                    backends,
                    bind=f"127.0.0.1:{o.port}",
                    stats_bind=f"127.0.0.1:{stats}",
                    foreground=True,
                ),
                encoding="utf-8",
            )
            subprocess.run([haproxy, "-c", "-q", "-f", str(cfg)], check=True, timeout=30)
            proc = spawn(
                [haproxy, "-W", "-db", "-f", str(cfg)],
                env=self.env,
                log=self.run_dir / "haproxy.log",
            )
            self.others.append(proc)
            wait_http(f"http://127.0.0.1:{o.port}/", timeout=30, proc=proc)
            self._write_state(stats, proc.pid)
        except BaseException:
            self.stop()
            raise
        return self

    def _database(self) -> None:
        o = self.opts
        url = o.db or os.environ.get("SCORING_DB")
        if not url:
            self.postgres = TempPostgres().start()
            url = self.postgres.url
            o.demo = True
        elif not url.startswith("postgresql"):
            raise ValueError(
                "several workers share one PostgreSQL: --db must be a postgresql+psycopg:// URL"
            )
        self.db_url = url
        self.env = {**os.environ, "SCORING_DB": url}
        if o.demo:
            subprocess.run(
                [sys.executable, "-m", "scoring", "--db", url, "init", "--demo"],
                env=self.env, cwd=ROOT, check=True, timeout=600,
            )  # fmt: skip
        budget = connection_budget(o.workers, o.kernels_per_worker)
        print(budget.explain(), flush=True)
        if o.pgbouncer == "on" or (o.pgbouncer == "auto" and budget.needs_pooler):
            self.env["SCORING_DB"] = self._pgbouncer(url)
            self.env["SCORING_PG_POOLER"] = "pgbouncer"  # psycopg must not prepare statements

    def _pgbouncer(self, url: str) -> str:
        binary = _need("pgbouncer", "pgbouncer")
        up = Upstream.from_url(url)
        port = free_port()
        d = self.run_dir / "pgbouncer"
        d.mkdir(exist_ok=True)
        (d / "userlist.txt").write_text(userlist(up), encoding="utf-8")
        ini = d / "pgbouncer.ini"
        ini.write_text(
            pgbouncer_ini(up, port=port, auth_file=str(d / "userlist.txt"), run_dir=str(d)), "utf-8"
        )
        argv = [binary, str(ini)]
        if os.geteuid() == 0:  # pgbouncer refuses to run as root
            shutil.chown(d, "postgres")
            for f in d.iterdir():
                shutil.chown(f, "postgres")
            argv = [binary, "-u", "postgres", str(ini)]
        proc = spawn(argv, env=self.env, log=self.run_dir / "pgbouncer.out")
        self.others.append(proc)
        _wait_tcp(port, proc)
        print(f"PgBouncer (transaction mode) on 127.0.0.1:{port}", flush=True)
        return client_url(up, "127.0.0.1", port)

    def _workers(self) -> None:
        for i in range(1, self.opts.workers + 1):
            name = f"w{i}"
            self.ports[name] = free_port()
            self.workers[name] = self._spawn_worker(name)
        for name, proc in self.workers.items():
            wait_http(f"http://127.0.0.1:{self.ports[name]}/", timeout=120, proc=proc)

    def _spawn_worker(self, name: str) -> subprocess.Popen:
        argv = [sys.executable, "-m", "scoring", "serve", "--port", str(self.ports[name])]
        argv += ["--log-level", self.opts.log_level]
        # HAProxy on loopback names the client in X-Forwarded-For: the per-client kernel cap
        # then counts each user, not the proxy
        argv += ["--trusted-proxy", "127.0.0.1"]
        # the workers share this machine's cores: half of them start kernels, the rest stay
        # for the pages in use (scoring.ui.serve_queue)
        argv += ["--kernel-starts", str(default_slots(self.opts.workers))]
        return spawn(argv, env=self.env, log=self.run_dir / f"{name}.log", cwd=ROOT)

    def _write_state(self, stats: int, haproxy_pid: int) -> None:
        state = {
            "url": f"http://127.0.0.1:{self.opts.port}",
            "stats": f"http://127.0.0.1:{stats}",
            "haproxy_pid": haproxy_pid,
            "db": self.db_url,
            "workers": {n: {"port": self.ports[n], "pid": p.pid} for n, p in self.workers.items()},
        }
        (self.run_dir / "state.json").write_text(json.dumps(state, indent=2), encoding="utf-8")
        print(
            f"评审看板 / Dashboards: {state['url']}/voila/render/expert.ipynb (board, bank, console)",
            flush=True,
        )
        print(
            f"HAProxy 状态 / stats: {state['stats']}/   state: {self.run_dir / 'state.json'}",
            flush=True,
        )

    # ------------------------------------------------------------------ run
    def supervise(self, poll: float = 1.0, restart_delay: float = 3.0) -> int:
        """Until interrupted: restart a worker that died (``--restart``); exit 1 if HAProxy dies."""
        dead_since: dict[str, float] = {}
        while True:
            for proc in self.others:
                if proc.poll() is not None:
                    print(
                        f"scoring deploy: process {proc.args[0]} exited ({proc.returncode})",
                        file=sys.stderr,
                    )
                    return 1
            for name, proc in list(self.workers.items()):
                if proc.poll() is None:
                    continue
                t = dead_since.setdefault(name, time.monotonic())
                if self.opts.restart and time.monotonic() - t >= restart_delay:
                    stop_group(proc, timeout=1)
                    print(
                        f"worker {name} exited ({proc.returncode}); restarting / 重启", flush=True
                    )
                    self.workers[name] = self._spawn_worker(name)
                    dead_since.pop(name)
            time.sleep(poll)

    def stop(self) -> None:
        """Stop the proxy, the workers (with their kernels), PgBouncer and a throwaway PostgreSQL."""
        for proc in reversed(self.others):
            stop_group(proc)
        for proc in self.workers.values():
            stop_group(proc)
        if self.postgres is not None:
            self.postgres.stop()


def _wait_tcp(port: int, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with status {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")
