"""Run every benchmark of the project, one subprocess each, and print their output (``make bench``).

Runs ``benchmarks/concurrent_scoring.py --compare`` first (its latency goal wants a quiet machine,
not one where the browser benchmark's Chromium and kernels are still winding down; it compares
SQLite with PostgreSQL: on ``$SCORING_TEST_PG_URL`` if set, else on a throwaway cluster made by
``.ci/with-postgres``), then ``benchmarks/bench_load.py`` (60 simulated experts through HAProxy
and 2 workers: also a latency goal, and its own throwaway PostgreSQL), then the other
``benchmarks/bench_*.py`` sorted by name, with the same Python interpreter, from the repository root. A benchmark that fails is
reported and the others still run; the exit status is 1 if any failed.

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
        print(f"=== {rel} ===", flush=True)
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
