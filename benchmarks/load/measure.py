"""What the load test reads off the machine: CPU seconds and kernels of the servers' process
trees, a kernel's memory, the load average, and percentiles."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of ``values``, linear between ranks; NaN when empty."""
    data = sorted(values)
    if not data:
        return math.nan
    pos = (len(data) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def ms(value: float) -> str:
    """Seconds as milliseconds for the report (``-`` for NaN)."""
    return "-" if value != value else f"{value * 1000:.0f} ms"


class ProcessTree:
    """The processes of one or more servers (``scoring serve`` workers, HAProxy) with their
    kernels.

    Parameters
    ----------
    roots : iterable of int
        Pids of the server processes; their descendants (the kernels) are found on each call.
    """

    def __init__(self, roots: Iterable[int]) -> None:
        self.roots = [int(p) for p in roots]

    def _procs(self) -> list:
        import psutil

        out = []
        for pid in self.roots:
            try:
                root = psutil.Process(pid)
                out.append(root)
                out.extend(root.children(recursive=True))
            except psutil.Error:
                continue
        return out

    def cpu_seconds(self) -> float:
        """User + system CPU seconds used so far by the trees: every live process, plus the
        children each has reaped (a kernel shut down and waited for is counted by its server)."""
        import psutil

        total = 0.0
        for proc in self._procs():
            try:
                t = proc.cpu_times()
            except psutil.Error:
                continue
            total += t.user + t.system + t.children_user + t.children_system
        return total

    def kernels(self) -> dict[str, int]:
        """Live kernels of the trees: kernel id (from its connection file) -> pid."""
        import psutil

        found = {}
        for proc in self._procs():
            try:
                cmd = proc.cmdline()
            except psutil.Error:
                continue
            if not any("ipykernel" in part for part in cmd):
                continue
            for part in cmd:
                name = os.path.basename(part)
                if name.startswith("kernel-") and name.endswith(".json"):
                    found[name[len("kernel-") : -len(".json")]] = proc.pid
        return found

    def memory(self, kernel_ids: Iterable[str]) -> list[tuple[float, float]]:
        """``(RSS, USS)`` in MiB of each kernel of ``kernel_ids`` still alive."""
        import psutil

        live = self.kernels()
        out = []
        for kid in kernel_ids:
            pid = live.get(kid)
            if pid is None:
                continue
            try:
                info = psutil.Process(pid).memory_full_info()
            except psutil.Error:
                continue
            out.append((info.rss / 2**20, getattr(info, "uss", info.rss) / 2**20))
        return out

    def store_memory(self) -> list[tuple[float, float]]:
        """``(RSS, USS)`` in MiB of each store process of the trees (one per ``scoring serve``
        worker: it holds the store for the worker's expert pages, scoring.ui.remote)."""
        import psutil

        out = []
        for proc in self._procs():
            try:
                if "scoring.ui.remote.server" not in " ".join(proc.cmdline()):
                    continue
                info = proc.memory_full_info()
            except psutil.Error:
                continue
            out.append((info.rss / 2**20, getattr(info, "uss", info.rss) / 2**20))
        return out
