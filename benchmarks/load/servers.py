"""The server under load: one ``scoring serve``, a ``scoring deploy --workers N`` behind HAProxy,
or a server already running (``--url``), each with the benchmark's own accounts seeded.

The benchmark's folder (``SCORING_HOME``) holds a copy of ``dashboards/`` with a trivial
one-button notebook beside the four dashboards (the baseline of the page-open and memory
figures), and a ``voila.json`` in ``JUPYTER_CONFIG_DIR`` that shortens the idle-kernel cull so
that kernels left by users who vanish are seen to go within the run.
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

from bench_dashboards import _notebook  # the same one-cell notebooks as the browser benchmark

from scoring.deploy.procs import free_port, spawn, stop_group, wait_http

from .measure import ProcessTree

ROOT = Path(__file__).resolve().parents[2]
#: A trivial ipywidgets page: one button, with the class the load test looks for.
TRIVIAL = "import ipywidgets as w\nw.Button(description='ok', _dom_classes=['scoring-login'])"


def prepare_home(tmp: Path, cull_idle: int, cull_interval: int) -> dict[str, str]:
    """Dashboards with the trivial page, the cull settings; returns the servers' environment."""
    dash = tmp / "dashboards"
    shutil.copytree(ROOT / "dashboards", dash)
    _notebook(dash / "trivial.ipynb", TRIVIAL)
    cfg = tmp / "jupyter-config"
    cfg.mkdir()
    (cfg / "voila.json").write_text(
        json.dumps(
            {
                "MappingKernelManager": {
                    "cull_idle_timeout": int(cull_idle),
                    "cull_interval": int(cull_interval),
                }
            }
        ),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SCORING_DB", "SCORING_TEST_PG_URL")}
    env.update(
        SCORING_HOME=str(tmp),
        SCORING_DASHBOARDS=str(dash),
        MPLCONFIGDIR=str(tmp / "mpl"),
        JUPYTER_CONFIG_DIR=str(cfg),
    )
    return env


def seed(db: str, experts: int, env: dict[str, str]) -> dict:
    """Seed ``experts`` accounts and their open panel into ``db`` (``load/seed.py``)."""
    out = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("seed.py")),
            "--db",
            db,
            "--experts",
            str(experts),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if out.returncode:
        raise RuntimeError(f"seeding {db} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout)


@dataclass
class Target:
    """A server (or proxy) under test, seeded, with the processes to account for."""

    url: str
    codes: dict[str, str]
    tree: ProcessTree | None
    label: str
    log: Path | None = None
    procs: list[subprocess.Popen] = field(default_factory=list)

    def stop(self) -> None:
        """Stop what the benchmark started: SIGTERM to each process group (a server with its
        kernels, the deployment with everything it started), SIGKILL after 20 s."""
        for proc in self.procs:
            stop_group(proc, timeout=20)


def own_server(
    tmp: Path, env: dict[str, str], experts: int, db: str | None, max_kernels: int
) -> Target:
    """One ``scoring serve`` on a fresh SQLite store in ``tmp`` (or on ``db``)."""
    db = db or f"sqlite:///{tmp / 'load.sqlite'}"
    codes = seed(db, experts, env)["codes"]
    port = free_port()
    log = tmp / "serve.log"
    argv = [sys.executable, "-m", "scoring", "--db", db, "serve", "--port", str(port)]
    argv += ["--max-kernels", str(max_kernels)]
    proc = spawn(argv, env={**env, "SCORING_DB": db}, log=log, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    target = Target(url, codes, ProcessTree([proc.pid]), "one scoring serve", log, [proc])
    try:
        wait_http(url + "/", 120, proc)
    except BaseException:
        target.stop()
        raise
    return target


def deployment(
    tmp: Path, env: dict[str, str], experts: int, workers: int, db: str | None
) -> Target:
    """``scoring deploy --workers N`` (HAProxy; a throwaway PostgreSQL seeded with the demo
    unless ``db`` names one), then the load accounts seeded into its database."""
    port = free_port()
    run_dir = tmp / "deploy"
    log = tmp / "deploy.log"
    argv = [sys.executable, "-m", "scoring"]
    if db:
        argv += ["--db", db]
    argv += ["deploy", "--workers", str(workers), "--port", str(port), "--run-dir", str(run_dir)]
    proc = spawn(argv, env=env, log=log, cwd=ROOT)
    target = Target(
        f"http://127.0.0.1:{port}", {}, None, f"{workers} workers behind HAProxy", log, [proc]
    )
    try:
        state_file = run_dir / "state.json"
        deadline = time.monotonic() + 600
        while not state_file.is_file():
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"scoring deploy did not start:\n{tail}")
            time.sleep(0.5)
        state = json.loads(state_file.read_text(encoding="utf-8"))
        wait_http(state["url"] + "/", 120, proc)
        target.codes = seed(state["db"], experts, env)["codes"]
        pids = [w["pid"] for w in state["workers"].values()] + [state["haproxy_pid"]]
        target.tree = ProcessTree(pids)
    except BaseException:
        target.stop()
        raise
    return target


def external(url: str, env: dict[str, str], experts: int, db: str, pids: list[int]) -> Target:
    """A server or proxy already running at ``url`` on the database ``db``."""
    codes = seed(db, experts, env)["codes"]
    tree = ProcessTree(pids) if pids else None
    return Target(url.rstrip("/"), codes, tree, f"the server at {url}")
