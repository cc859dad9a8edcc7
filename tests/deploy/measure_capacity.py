"""Capacity figures for docs/DEPLOY.md (a script, not a test): ``python tests/deploy/measure_capacity.py 12``.

Starts ``scoring deploy --workers 1`` on a throwaway PostgreSQL, opens N expert pages in N browser
contexts (Debian's Chromium), logs each in, declares no conflict and saves a draft score; then
reads, for the worker's process group only (not the browser): the RSS of each kernel and of the
worker, the database connections (``pg_stat_activity``), the CPU seconds the group used to open
and use the pages, and its CPU while the N pages sit idle for 30 s, and one save round.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from conftest import e2e, pages  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def group(root: int) -> dict[int, str]:
    """The worker ``root`` and its descendants (its kernels run in sessions of their own)."""
    out = subprocess.run(
        ["ps", "-o", "pid=,ppid=,args=", "-e"], capture_output=True, text=True
    ).stdout
    rows = [line.split(None, 2) for line in out.splitlines()]
    procs, grew = {root: ""}, True
    while grew:
        grew = False
        for pid, ppid, args in rows:
            if int(ppid) in procs and int(pid) not in procs:
                procs[int(pid)] = args
                grew = True
    return procs


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pids) -> float:
    total = 0
    for pid in pids:
        try:
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(f[11]) + int(f[12])
    return total / TICK


def main(n: int) -> None:
    from playwright.sync_api import sync_playwright

    run = Path(tempfile.mkdtemp(prefix="scoring-measure-"))
    port = e2e.free_port()
    argv = [sys.executable, "-m", "scoring", "deploy", "--workers", "1", "--port", str(port)]
    log = open(run / "deploy.log", "w")
    dep = subprocess.Popen(
        [*argv, "--run-dir", str(run / "run")],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while not (run / "run" / "state.json").is_file():
            assert dep.poll() is None, (run / "deploy.log").read_text()
            time.sleep(0.5)
        state = json.loads((run / "run" / "state.json").read_text())
        codes = dict(re.findall(r"^\s+(X0[1-7])\s+(\S+)$", (run / "deploy.log").read_text(), re.M))
        wpid = state["workers"]["w1"]["pid"]
        base = state["url"]
        before = cpu_s(group(wpid))
        t0 = time.monotonic()
        with sync_playwright() as p:
            b = p.chromium.launch(
                executable_path=e2e.CHROMIUM, args=e2e.CHROMIUM_ARGS, headless=True
            )
            opened = []
            for i in range(n):
                ctx = b.new_context()
                ctx.set_default_timeout(120_000)
                x = f"X0{i % 5 + 1}"  # X01-X05: members of the open panel
                page = pages.open_page(ctx, base, "expert")
                pages.login(page, codes[x])
                nc = page.locator("button.scoring-no-conflict")
                page.locator("button.scoring-no-conflict, .scoring-progress").first.wait_for()
                if nc.is_visible():
                    nc.click()
                page.locator(".scoring-progress").wait_for()
                opened.append(page)
            wall = time.monotonic() - t0
            used = cpu_s(group(wpid)) - before
            procs = group(wpid)
            kernels = [pid for pid, a in procs.items() if "ipykernel" in a]
            rss = sorted(rss_mib(k) for k in kernels)
            idle0 = cpu_s(procs)
            time.sleep(30)
            idle = (cpu_s(group(wpid)) - idle0) / 30
            print(
                json.dumps(
                    {
                        "pages": n,
                        "kernels": len(kernels),
                        "open_wall_s": round(wall, 1),
                        "open_cpu_s_per_page": round(used / n, 2),
                        "kernel_rss_mib": rss,
                        "worker_rss_mib": round(rss_mib(wpid)),
                        "idle_cpu_per_page": round(idle / n, 4),
                    }
                ),
                flush=True,
            )
            s0, t1 = cpu_s(group(wpid)), time.monotonic()
            for i, page in enumerate(opened):
                box = page.locator(".scoring-score-strength input")
                box.fill(str(60 + i % 30))
                box.press("Tab")
            for i, page in enumerate(opened):
                page.locator(".scoring-saved").get_by_text(str(60 + i % 30)).first.wait_for(
                    timeout=20_000
                )
            save_cpu = (cpu_s(group(wpid)) - s0) / n
            save_wall = time.monotonic() - t1
            eng = sa.create_engine(state["db"])
            with eng.connect() as c:
                conns = (
                    c.exec_driver_sql(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    ).scalar()
                    - 1
                )
            eng.dispose()
            b.close()
        print(json.dumps({
            "pages": n, "kernels": len(kernels), "open_wall_s": round(wall, 1), "open_cpu_s_per_page": round(used / n, 2),
            "kernel_rss_mib": {"min": round(rss[0]), "median": round(rss[len(rss) // 2]), "max": round(rss[-1])},
            "worker_rss_mib": round(rss_mib(wpid)), "idle_cpu_core_share_per_page": round(idle / n, 4),
            "save_cpu_s_per_page": round(save_cpu, 3), "save_round_wall_s": round(save_wall, 2), "db_connections": conns,
        }, indent=2))  # fmt: skip
    finally:
        dep.send_signal(signal.SIGTERM)
        dep.wait(timeout=60)
        log.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 12)
