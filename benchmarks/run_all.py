"""Run every benchmark of the project, one subprocess each, and print their output (``make bench``).

Runs ``benchmarks/concurrent_scoring.py --compare`` first (its latency goal wants a quiet machine,
not one where the browser benchmark's Chromium and kernels are still winding down; it compares
SQLite with PostgreSQL: on ``$SCORING_TEST_PG_URL`` if set, else on a throwaway cluster made by
``.ci/with-postgres``), then ``benchmarks/bench_load.py`` (60 simulated experts through HAProxy
and 2 workers: also a latency goal, and its own throwaway PostgreSQL), then the other
``benchmarks/bench_*.py`` sorted by name, with the same Python interpreter, from the repository root. A benchmark that fails is
reported and the others still run; the exit status is 1 if any failed. Before each script the
machine is let settle (:func:`settle`): the one before may leave work behind (PostgreSQL's
checkpoint after the 100 writers, kernels being culled), which the next one's latencies would count.

    .venv/bin/python benchmarks/run_all.py [NAME ...]   # optional filter: substrings of file names
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXTRA = ("concurrent_scoring.py", "bench_load.py")
#: Arguments of the scripts that take some.
ARGS = {"concurrent_scoring.py": ["--compare"]}
#: Scripts that measure on PostgreSQL too (run on a throwaway cluster unless one is set).
PG_SCRIPTS = {"bench_followup.py"}
#: :func:`settle`: the machine counts as quiet below this share of its CPU time busy, over
#: windows of ``SETTLE_WINDOW_S``; it waits at most ``SETTLE_MAX_S``.
SETTLE_BUSY, SETTLE_WINDOW_S, SETTLE_MAX_S = 0.10, 2.0, 90.0


def cpu_times(stat: str) -> tuple[int, int]:
    """``(busy, total)`` clock ticks of all CPUs from the text of ``/proc/stat``."""
    fields = [int(x) for x in stat.splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Share of the CPU time between two :func:`cpu_times` samples that was busy (0..1)."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else 0.0


def settle(read=lambda: Path("/proc/stat").read_text(), sleep=time.sleep) -> tuple[float, float]:
    """Wait until the machine is quiet (see :data:`SETTLE_BUSY`); returns ``(waited seconds,
    busy share of the last window)``. Without ``/proc/stat`` it does not wait."""
    waited, share = 0.0, 0.0
    try:
        sample = cpu_times(read())
    except OSError:
        return waited, share
    while waited < SETTLE_MAX_S:
        sleep(SETTLE_WINDOW_S)
        waited += SETTLE_WINDOW_S
        now = cpu_times(read())
        share = busy_share(sample, now)
        sample = now
        if share < SETTLE_BUSY:
            break
    return waited, share


def command(script: Path) -> list[str]:
    """How to run ``script``: PostgreSQL comparisons get a throwaway server unless one is set."""
    cmd = [sys.executable, str(script), *ARGS.get(script.name, [])]
    if ("--compare" in cmd or script.name in PG_SCRIPTS) and not os.environ.get(
        "SCORING_TEST_PG_URL"
    ):
        cmd = [str(ROOT / ".ci" / "with-postgres"), *cmd]
    return cmd


def discover(filters: list[str]) -> list[Path]:
    """Benchmark scripts to run, in a stable order."""
    first = [HERE / n for n in EXTRA if (HERE / n).is_file()]
    found = first + [p for p in sorted(HERE.glob("bench_*.py")) if p not in first]
    if filters:
        found = [p for p in found if any(f in p.name for f in filters)]
    return found


def main(argv: list[str] | None = None) -> int:
    scripts = discover(list(sys.argv[1:] if argv is None else argv))
    if not scripts:
        print("no benchmark found / 未找到基准测试")
        return 1
    failed: list[str] = []
    for script in scripts:
        rel = script.relative_to(ROOT)
        waited, share = settle()
        print(f"=== {rel} === (machine quiet after {waited:.0f} s: {share:.0%} busy)", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run(command(script), cwd=ROOT, check=False)
        took = time.perf_counter() - t0
        status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        print(f"--- {rel}: {status}, {took:.1f} s ---\n", flush=True)
        if proc.returncode != 0:
            failed.append(str(rel))
    if failed:
        print("failed / 失败: " + ", ".join(failed))
        return 1
    print(f"all {len(scripts)} benchmark(s) ran / 全部基准测试已运行")
    return 0


if __name__ == "__main__":
    sys.exit(main())
