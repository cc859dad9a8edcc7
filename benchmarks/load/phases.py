"""The load test's phases against a :class:`~load.servers.Target`: the one-page baselines, the
crowd of experts, and the kernels left once they have gone."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .measure import ProcessTree
from .protocol import LoadError
from .user import Options, UserResult, leave, open_page, run_expert, work

#: Seconds a page stays open after it became usable before its CPU is read (the kernel
#: finishes answering the page's first messages).
SETTLE_S = 1.0
#: Seconds the kernels of experts who closed their tab (beacon) are given to shut down.
BEACON_WAIT_S = 5.0


def source_address(i: int, url: str) -> str | None:
    """The loopback address of simulated device ``i`` (127.0.1.1, 127.0.1.2, ...) when ``url``
    is on this machine (one client address per tablet); None (the system's choice) otherwise."""
    host = urlsplit(url).hostname or ""
    if host != "localhost" and not host.startswith("127."):
        return None
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


@dataclass
class Baseline:
    """One page at a time: open -> usable (s), server CPU s per open, kernel RSS/USS (MiB)."""

    ready: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    rss: dict[str, list[float]] = field(default_factory=dict)
    uss: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def median(self, what: str, kind: str) -> float:
        values = getattr(self, what).get(kind) or []
        return statistics.median(values) if values else float("nan")


async def _gone(tree: ProcessTree | None, kernel_id: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while tree is not None and kernel_id in tree.kernels() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)


async def baseline(
    url: str, tree: ProcessTree | None, codes: list[tuple[str, str]], opts: Options
) -> Baseline:
    """For each ``(login, code)``: a trivial page, then an expert page, opened alone (so the
    server's CPU between the request and the usable page is that page's), each measured, the
    expert then logged in with one sheet saved (its kernel's memory as an expert uses it)."""
    out = Baseline()
    warm = UserResult("warm-up")
    try:  # the first page of a server pays for cold caches: not measured
        for kind in ("trivial", "expert"):
            ks = await open_page(url, kind, opts.timeout, warm, source_address(240, url))
            await leave(ks, url, beacon=True)
            await _gone(tree, ks.page.kernel_id)
    except (LoadError, OSError) as exc:
        out.errors.append(f"warm-up: {exc}")

    def add(what: str, kind: str, value: float) -> None:
        getattr(out, what).setdefault(kind, []).append(value)

    for i, (name, code) in enumerate(codes):
        for kind in ("trivial", "expert"):
            res = UserResult(f"{kind}-{i}")
            cpu0 = tree.cpu_seconds() if tree else 0.0
            try:
                ks = await open_page(url, kind, opts.timeout, res, source_address(200 + i, url))
            except (LoadError, OSError) as exc:
                out.errors.append(f"{kind} page: {exc}")
                continue
            await asyncio.sleep(SETTLE_S)
            add("ready", kind, res.ready or 0.0)
            if tree is not None:
                add("cpu", kind, tree.cpu_seconds() - cpu0)
            try:
                if kind == "expert":
                    await work(
                        ks,
                        random.Random(i),
                        code,
                        Options(sheets=1, think=0, typing=opts.typing),
                        res,
                    )
                await asyncio.sleep(SETTLE_S)
                if tree is not None:
                    for rss, uss in tree.memory([ks.page.kernel_id]):
                        add("rss", kind, rss)
                        add("uss", kind, uss)
            except LoadError as exc:
                out.errors.append(f"{kind} {name}: {exc}")
            await leave(ks, url, beacon=True)
            await _gone(tree, ks.page.kernel_id)
    return out


@dataclass
class Crowd:
    """The crowd of experts: their results, and what the servers used meanwhile."""

    results: list[UserResult]
    wall: float
    cpu: float | None
    kernels_peak: int | None
    rss: list[float]
    uss: list[float]
    left_now: int | None = None
    left_after_cull: int | None = None
    cull_wait: float = 0.0
    #: How late this client's event loop woke for a 20-ms sleep, seconds, over the crowd: the
    #: time a reply that had arrived waited here before it was seen (not the servers' doing).
    lag: list[float] = field(default_factory=list)


#: Period of the client's event-loop lag probe, seconds.
LAG_PROBE_S = 0.02


async def _probe_lag(into: list[float]) -> None:
    """Append, every :data:`LAG_PROBE_S`, how late the event loop woke (until cancelled)."""
    while True:
        t = time.perf_counter()
        await asyncio.sleep(LAG_PROBE_S)
        into.append(max(0.0, time.perf_counter() - t - LAG_PROBE_S))


async def crowd(
    url: str,
    tree: ProcessTree | None,
    codes: list[tuple[str, str]],
    opts: Options,
    *,
    ramp: float,
    vanish: float,
    cull_wait: float,
) -> Crowd:
    """All experts, arriving evenly over ``ramp`` seconds; once all are done (pages still
    open): CPU, kernels and their memory; then they leave (a fraction ``vanish`` without the
    beacon) and the kernels left are counted, right away and after up to ``cull_wait`` s."""
    stay = asyncio.Event()
    finished: asyncio.Queue = asyncio.Queue()
    n = len(codes)
    n_vanish = round(n * vanish)
    cpu0 = tree.cpu_seconds() if tree else None
    t0 = time.perf_counter()

    async def one(i: int, name: str, code: str) -> UserResult:
        await asyncio.sleep(ramp * i / max(n, 1))
        beacon = i % max(1, round(n / n_vanish)) != 0 if n_vanish else True
        return await run_expert(
            url,
            name,
            code,
            opts,
            stay=stay,
            finished=finished,
            source=source_address(i, url),
            beacon=beacon,
        )

    lag: list[float] = []
    probe = asyncio.ensure_future(_probe_lag(lag))
    tasks = [asyncio.ensure_future(one(i, name, code)) for i, (name, code) in enumerate(codes)]
    results = [await finished.get() for _ in tasks]
    wall = time.perf_counter() - t0
    probe.cancel()
    cpu = tree.cpu_seconds() - cpu0 if tree and cpu0 is not None else None
    kernels = tree.kernels() if tree else None
    mem = tree.memory([r.kernel_id for r in results if r.ok]) if tree else []
    stay.set()
    await asyncio.gather(*tasks)
    out = Crowd(
        results,
        wall,
        cpu,
        len(kernels) if kernels is not None else None,
        [m[0] for m in mem],
        [m[1] for m in mem],
        lag=lag,
    )
    if tree is not None:
        mine = {r.kernel_id for r in results if r.kernel_id}
        t1 = time.monotonic()  # the beacons' shutdowns take a moment
        while time.monotonic() - t1 < BEACON_WAIT_S:
            out.left_now = len(mine & set(tree.kernels()))
            if out.left_now <= n_vanish:
                break
            await asyncio.sleep(0.25)
        t1 = time.monotonic()
        while out.left_now and time.monotonic() - t1 < cull_wait:
            await asyncio.sleep(1.0)
            out.left_after_cull = len(mine & set(tree.kernels()))
            if not out.left_after_cull:
                break
        out.cull_wait = time.monotonic() - t1
        if out.left_after_cull is None:
            out.left_after_cull = out.left_now
    return out


def figures(base: Baseline | None, run: Crowd) -> dict[str, Any]:
    """The run's figures as plain numbers (``--json``)."""
    from .measure import percentile

    ok = [r for r in run.results if r.ok]
    saves = [s for r in run.results for s in r.saves]
    # a save while pages were still opening (kernels starting) or after the last one was ready
    last_ready = max((r.ready_at for r in run.results if r.ready_at is not None), default=None)
    timed = [(at, s) for r in run.results for at, s in zip(r.save_at, r.saves, strict=False)]
    during = [s for at, s in timed if last_ready is not None and at < last_ready]
    after = [s for at, s in timed if last_ready is not None and at >= last_ready]
    out: dict[str, Any] = {
        "users": len(run.results),
        "usable": sum(r.ready is not None for r in run.results),
        "ok": len(ok),
        "errors": [f"{r.name} at {r.step}: {r.error}" for r in run.results if not r.ok],
        "ready_p50": percentile([r.ready for r in run.results if r.ready], 50),
        "ready_p95": percentile([r.ready for r in run.results if r.ready], 95),
        "login_p95": percentile([r.login for r in run.results if r.login], 95),
        "save_p50": percentile(saves, 50),
        "save_p95": percentile(saves, 95),
        "saves": len(saves),
        "save_p95_opening": percentile(during, 95),
        "saves_opening": len(during),
        "save_p95_open": percentile(after, 95),
        "saves_open": len(after),
        "confirm_p95": percentile([c for r in run.results for c in r.confirms], 95),
        "wall": run.wall,
        "cpu_per_user": run.cpu / len(run.results) if run.cpu is not None else None,
        "kernels_peak": run.kernels_peak,
        "rss_median": statistics.median(run.rss) if run.rss else None,
        "uss_median": statistics.median(run.uss) if run.uss else None,
        "left_now": run.left_now,
        "left_after_cull": run.left_after_cull,
        "cull_wait": run.cull_wait,
        "messages_median": statistics.median([r.messages for r in ok]) if ok else None,
        "widgets_median": statistics.median([r.widgets for r in ok]) if ok else None,
        "client_lag_p95": percentile(run.lag, 95),
        "client_lag_max": max(run.lag, default=float("nan")),
    }
    if base is not None:
        for what in ("ready", "cpu", "rss", "uss"):
            for kind in ("trivial", "expert"):
                out[f"base_{what}_{kind}"] = base.median(what, kind)
        out["base_errors"] = base.errors
    return out
