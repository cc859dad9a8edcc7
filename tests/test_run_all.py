"""``make bench`` lets the machine settle before each benchmark (``benchmarks/run_all.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "run_all", Path(__file__).resolve().parents[1] / "benchmarks" / "run_all.py"
)
run_all = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_all)


def _stat(busy: int, idle: int) -> str:
    # cpu user nice system idle iowait irq softirq steal guest guest_nice
    return f"cpu  {busy} 0 0 {idle} 0 0 0 0 7 0\ncpu0 1 2 3 4\n"


def test_busy_share_counts_idle_and_iowait_as_idle():
    assert run_all.cpu_times("cpu  10 1 4 80 5 0 0 0 3 0\n") == (15, 100)
    assert run_all.busy_share((15, 100), (65, 200)) == 0.5
    assert run_all.busy_share((1, 1), (1, 1)) == 0.0


def test_settle_waits_for_a_quiet_window_and_gives_up_in_time():
    samples = iter([_stat(0, 0), _stat(190, 10), _stat(380, 20), _stat(385, 115)])
    naps: list[float] = []
    waited, share = run_all.settle(lambda: next(samples), naps.append)
    assert naps == [run_all.SETTLE_WINDOW_S] * 3 and waited == 3 * run_all.SETTLE_WINDOW_S
    assert share == 5 / 100

    busy = (_stat(100 * i, 0) for i in range(10_000))
    waited, share = run_all.settle(lambda: next(busy), lambda s: None)
    assert waited >= run_all.SETTLE_MAX_S and share == 1.0


def test_settle_does_not_wait_without_proc_stat():
    def missing() -> str:
        raise FileNotFoundError("/proc/stat")

    assert run_all.settle(missing, lambda s: None) == (0.0, 0.0)
