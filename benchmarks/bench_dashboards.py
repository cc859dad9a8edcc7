"""Dashboards benchmark (``make bench``), all measured in one run against one ``scoring serve``.

1. Time from opening each dashboard to its first usable widget (the login button is visible and
   enabled) against a trivial Voila notebook (one button) served by the same server.
   Goal: at most 1.2x. Median of ``--repeat`` rounds; each round opens the five pages in turn,
   so a drift in machine load affects every page alike.
2. Memory of one expert kernel (logged in, scoring a candidate) against a bare kernel that
   imports pandas + matplotlib and shows one button. Goal: at most 1.3x (RSS and USS).
3. Ten expert pages opened at once, each in its own browser context (ten devices): all usable
   (logged in, conflicts step or sheets shown); time printed.

Chromium is Debian's /usr/bin/chromium driven by Playwright. The database is a fresh demo store
made by ``scoring init --demo``.

    .venv/bin/python benchmarks/bench_dashboards.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TRIVIAL = "import ipywidgets as w\nw.Button(description='ok', _dom_classes=['scoring-login'])"
BARE = (
    "import pandas, matplotlib\nimport matplotlib.figure\nimport ipywidgets as w\n"
    "w.Button(description='ok', _dom_classes=['scoring-login'])"
)


def _notebook(path: Path, code: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    cell = nbformat.v4.new_code_cell(code)
    cell["id"] = path.stem
    nb.cells = [cell]
    nbformat.write(nb, str(path))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kernel_pid(kernel_id: str) -> int:
    import psutil

    for proc in psutil.process_iter(["pid", "cmdline"]):
        if any(kernel_id in part for part in (proc.info["cmdline"] or [])):
            return proc.info["pid"]
    raise LookupError(f"no process for kernel {kernel_id}")


def _memory(kernel_id: str) -> tuple[float, float]:
    """(RSS, USS) of a kernel's process in MiB."""
    import psutil

    info = psutil.Process(_kernel_pid(kernel_id)).memory_full_info()
    return info.rss / 2**20, getattr(info, "uss", info.rss) / 2**20


def _kernel_count(server: subprocess.Popen) -> int:
    """Kernels alive under the server process (its ipykernel children)."""
    import psutil

    return sum(
        "ipykernel" in " ".join(child.cmdline())
        for child in psutil.Process(server.pid).children(recursive=True)
    )


def _cpu_seconds(server: subprocess.Popen) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the server with its kernels, by Chromium, and by
    the whole machine (the last from /proc/stat, so processes that exited count too)."""
    import psutil

    def used(proc) -> float:
        try:
            t = proc.cpu_times()
        except psutil.Error:
            return 0.0
        return t.user + t.system

    root = psutil.Process(server.pid)
    served = used(root) + sum(used(c) for c in root.children(recursive=True))
    chromium = sum(
        used(proc) for proc in psutil.process_iter(["name"]) if "chrom" in (proc.info["name"] or "")
    )
    machine = psutil.cpu_times()
    return {"server": served, "chromium": chromium, "machine": machine.user + machine.system}


def _kernel_id(page) -> str:
    import json

    return json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]


def _open(ctx, base: str, name: str) -> tuple[float, object]:
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(f"{base}/voila/render/{name}.ipynb", wait_until="commit")
    page.locator("button.scoring-login").wait_for(state="visible", timeout=120_000)
    page.wait_for_function(
        "() => { const b = document.querySelector('button.scoring-login'); return b && !b.disabled; }"
    )
    return time.perf_counter() - t0, page


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # 9 rounds: with kernels forked from a template a page opens in ~1.6 s, and single opens fall
    # into two groups ~0.3 s apart, so that the median of 5 put one page at 1.3 s in one run and at
    # 1.65 s in the next (the ratio to the trivial page moved between 0.87x and 1.26x)
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--ten-only", action="store_true", help="only the ten-pages measurement")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-dash-"))
    dash = tmp / "dashboards"
    shutil.copytree(ROOT / "dashboards", dash)
    _notebook(dash / "trivial.ipynb", TRIVIAL)
    _notebook(dash / "bare.ipynb", BARE)
    db_url = f"sqlite:///{tmp / 'demo.sqlite'}"
    env = {
        **os.environ,
        "SCORING_DB": db_url,
        "SCORING_HOME": str(tmp),
        "SCORING_DASHBOARDS": str(dash),
        "MPLCONFIGDIR": str(tmp / "mpl"),
    }
    out = subprocess.run(
        [sys.executable, "-m", "scoring", "--db", db_url, "init", "--demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    codes = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].startswith(parts[0] + "-"):
            codes[parts[0]] = parts[1]
    port = _free_port()
    cmd = [sys.executable, "-m", "scoring", "serve", "--port", str(port)]
    if os.environ.get("BENCH_DEBUG"):
        cmd += ["--log-level", "DEBUG"]
    log = open(tmp / "serve.log", "w")
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            ctx = browser.new_context(viewport={"width": 1280, "height": 800})
            ctx.set_default_timeout(120_000)
            _, warm = _open(ctx, base, "trivial")  # warm the OS caches once
            warm.close()

            if not args.ten_only:
                print(
                    f"1. open -> first usable widget (median of {args.repeat}, "
                    "the five pages opened in turn each round)"
                )
                names = ("trivial", "expert", "board", "bank", "console")
                runs: dict[str, list[float]] = {name: [] for name in names}
                for _ in range(args.repeat):  # interleaved: drift in load hits every page alike
                    for name in names:
                        dt, page = _open(ctx, base, name)
                        runs[name].append(dt)
                        page.close(run_before_unload=True)
                        time.sleep(0.3)
                times = {name: statistics.median(v) for name, v in runs.items()}
                for name, dt in times.items():
                    ratio = dt / times["trivial"]
                    goal = "" if name == "trivial" else f"  ratio {ratio:.2f}x (goal <= 1.2x)"
                    print(f"   {name:8s} {dt:6.2f} s{goal}")

                print("2. kernel memory (MiB)")
                _, bare = _open(ctx, base, "bare")
                time.sleep(1.0)
                bare_rss, bare_uss = _memory(_kernel_id(bare))
                _, ex = _open(ctx, base, "expert")
                ex.locator(".scoring-code input").fill(codes["X01"])
                ex.locator("button.scoring-login").click()
                ex.locator("button.scoring-no-conflict").click()
                ex.locator(".scoring-score-strength input").fill("80")
                ex.locator(".scoring-score-strength input").press("Tab")
                ex.locator(".scoring-saved").get_by_text("综合实力 80").wait_for()
                time.sleep(1.0)
                ex_rss, ex_uss = _memory(_kernel_id(ex))
                print(f"   bare pandas+matplotlib kernel: RSS {bare_rss:6.1f}  USS {bare_uss:6.1f}")
                print(f"   expert kernel (scoring):       RSS {ex_rss:6.1f}  USS {ex_uss:6.1f}")
                print(
                    f"   ratio RSS {ex_rss / bare_rss:.2f}x  USS {ex_uss / bare_uss:.2f}x "
                    "(goal <= 1.3x)"
                )
                bare.close(run_before_unload=True)
                ex.close(run_before_unload=True)
                time.sleep(1.0)

            print(
                f"3. ten expert pages opened at once ({_kernel_count(server)} kernels alive before)"
            )
            experts = ["X01", "X02", "X03", "X04", "X05"]  # members of the demo's open panel
            cpu0 = _cpu_seconds(server)
            t0 = time.perf_counter()
            pages = []
            consoles: list[list[str]] = []
            pending: list[set[str]] = []
            for _ in range(10):  # ten experts, ten devices: a browser context each
                page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
                page.set_default_timeout(120_000)
                lines: list[str] = []
                page.on("console", lambda m, lines=lines: lines.append(f"{m.type}: {m.text}"))
                page.on("pageerror", lambda e, lines=lines: lines.append(f"pageerror: {e}"))
                page.on(
                    "requestfailed",
                    lambda r, lines=lines: lines.append(f"failed: {r.url} {r.failure}"),
                )
                consoles.append(lines)
                inflight: set[str] = set()
                page.on("request", lambda r, f=inflight: f.add(r.url))
                page.on("requestfinished", lambda r, f=inflight: f.discard(r.url))
                page.on("requestfailed", lambda r, f=inflight: f.discard(r.url))
                pending.append(inflight)

                def on_ws(ws, lines=lines):
                    def frame(payload, lines=lines):
                        data = payload if isinstance(payload, bytes) else payload.encode()
                        for key in (b"update_states", b"request_states", b"comm_info_reply"):
                            if key in data:
                                lines.append(f"ws frame: {key.decode()} ({len(data)} B)")

                    ws.on("framereceived", frame)
                    ws.on("framesent", frame)
                    ws.on("close", lambda _ws, lines=lines: lines.append("ws closed"))

                page.on("websocket", on_ws)
                page.goto(f"{base}/voila/render/expert.ipynb", wait_until="commit")
                pages.append(page)
            usable = []
            for i, page in enumerate(pages):
                try:
                    page.locator("button.scoring-login").wait_for(state="visible")
                except Exception:
                    page.screenshot(path=f"/tmp/ten-page-{i}.png")
                    html = page.content()
                    print(
                        f"   page {i + 1} not usable ({len(html)} bytes of HTML, "
                        f"{_kernel_count(server)} kernels alive); screenshot /tmp/ten-page-{i}.png"
                    )
                    state = page.evaluate(
                        """() => {
                          const n = (sel) => document.querySelectorAll(sel).length;
                          const out = document.querySelector('.jp-OutputArea-output');
                          return {ready: document.readyState,
                            text: document.body.innerText.slice(0, 200),
                            outputs: n('.jp-OutputArea-output'), widgets: n('.jupyter-widgets'),
                            buttons: n('button'), scripts: n('script'),
                            cellOutputs: [...document.querySelectorAll(
                              'script[type="application/vnd.voila.cell-output+json"]')]
                              .map((e) => e.textContent.slice(0, 300)),
                            output: out ? out.outerHTML.slice(0, 600) : null,
                            cells: [...document.querySelectorAll('[cell-index]')]
                              .map((e) => e.outerHTML.slice(0, 800)),
                            bodyTail: document.body.innerHTML.slice(-1500)};
                        }"""
                    )
                    print(f"   DOM: {state}")
                    print(f"   requests in flight: {sorted(pending[i])}")
                    print("   console:\n      " + "\n      ".join(consoles[i][-30:]))
                    log.flush()
                    tail = (tmp / "serve.log").read_text(errors="replace").splitlines()[-40:]
                    print("   server log, last lines:\n      " + "\n      ".join(tail))
                    raise
                usable.append(time.perf_counter() - t0)
            t_usable = time.perf_counter() - t0
            for i, page in enumerate(pages):
                page.locator(".scoring-code input").fill(codes[experts[i % len(experts)]])
                page.locator("button.scoring-login").click()
            for page in pages:  # the conflict step, or the sheets once this expert has declared
                page.locator(
                    "button.scoring-no-conflict:visible, .scoring-candidates:visible"
                ).first.wait_for()
            t_logged = time.perf_counter() - t0
            print(
                f"   all 10 usable after {t_usable:.2f} s (first {min(usable):.2f} s); "
                f"all 10 logged in after {t_logged:.2f} s"
            )
            cpu1 = _cpu_seconds(server)
            used = {k: cpu1[k] - cpu0[k] for k in cpu0}
            print(
                f"   CPU used meanwhile: server and its kernels {used['server']:.1f} s, "
                f"Chromium (the ten pages) {used['chromium']:.1f} s, whole machine "
                f"{used['machine']:.1f} s of {t_logged * (os.cpu_count() or 1):.1f} s available"
            )
            for page in pages:
                page.close(run_before_unload=True)
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
