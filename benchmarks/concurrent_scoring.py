"""Concurrency benchmark of the review store: many experts saving at the same moment.

30 processes (one per expert, like Voila's one kernel per browser page) start together on a
barrier and each saves then confirms a full score sheet for each of 50 candidates; every tenth
save is sent twice (a double click), which the store must answer ``duplicate``. Afterwards the
database is checked: every submitted sheet must be stored exactly once (no lost, no duplicated
versions) and the audit chain must verify. Prints submitted / persisted / lost / duplicated and
the p50 / p95 / max latency of a save and of a confirmation.

Database: ``--db URL`` or ``$SCORING_DB`` (it must be empty: the benchmark creates its own
round); without either, a fresh SQLite file in a temporary folder.

``--compare`` (what ``make bench`` runs) measures like with like in one run: SQLite with
``synchronous=FULL`` and PostgreSQL with ``synchronous_commit=on`` (both flush every commit to
disk), 30 writers each, then 100 writers on PostgreSQL (correctness only: nothing lost or
duplicated, chain intact). PostgreSQL is ``--pg URL`` or ``$SCORING_TEST_PG_URL``; the benchmark
works in a schema of its own, dropped afterwards. When the server has fewer free connection
slots than writers, the writers connect per transaction (``SCORING_PG_POOL_SIZE=0``) and wait
for a slot; a writer that cannot start, or a run that does not finish in ``--timeout`` seconds,
ends the benchmark with a message instead of a hang.

    .venv/bin/python benchmarks/concurrent_scoring.py [--experts 30] [--candidates 50]
    .venv/bin/python benchmarks/concurrent_scoring.py --compare [--pg URL]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import queue
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.store import Workbench  # noqa: E402
from scoring.store.db import make_engine  # noqa: E402
from scoring.store.models import Candidate, Sheet, SheetVersion  # noqa: E402

CRITERIA = ("strength", "market", "risk", "poverty", "demonstration")


def setup(url: str, n_experts: int, n_candidates: int) -> tuple[int, list[str], list[str]]:
    """Create round, candidates, experts, accounts and an open panel; return codes."""
    wb = Workbench(url)
    with wb.engine.connect() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(Candidate)).scalar():
            raise SystemExit(f"benchmark: {url} is not empty; give an empty database")
    org = wb.system_actor("bench")
    wb.init(2099, actor=org)
    cands = pd.read_csv(ROOT / "data" / "demo" / "candidates.csv", dtype=str, keep_default_na=False)
    cands = cands.head(n_candidates)
    wb.import_candidates(org, cands)
    experts = pd.DataFrame(
        {
            "expert_id": [f"B{i:02d}" for i in range(1, n_experts + 1)],
            "name": [f"专家{i}" for i in range(1, n_experts + 1)],
            "employer": [f"评审单位{i}" for i in range(1, n_experts + 1)],
            "kind": ["industry"] * n_experts,
        }
    )
    wb.import_experts(org, experts)
    codes = [wb.create_account(org, e, "expert", expert_id=e) for e in experts["expert_id"]]
    wb.create_account(org, "BENCHCHAIR", "chair")
    pid = wb.create_panel(
        org,
        "bench",
        chair="BENCHCHAIR",
        members=list(experts["expert_id"]),
        candidates=list(cands["project_id"]),
    )
    wb.freeze_config(org, pid)

    chair_code = wb.reissue_code(org, "BENCHCHAIR")
    wb.open_panel(wb.login(chair_code), pid)
    wb.close()
    return pid, codes, list(cands["project_id"])


def worker(url: str, code: str, pid: int, projects: list[str], barrier, out, mode: str) -> None:
    counts = dict.fromkeys(
        ("submitted", "saved", "duplicate", "stale", "errors", "double_clicks"), 0
    )
    save_ms: list[float] = []
    confirm_ms: list[float] = []
    try:
        wb = Workbench(url, create=False)
        me = wb.login(code)
        barrier.wait()
    except (Exception, threading.BrokenBarrierError) as exc:
        barrier.abort()  # the others stop waiting for this writer
        out.put(({**counts, "errors": 1}, [], [], f"writer could not start: {exc}"))
        return
    rng = random.Random(code)
    for i, p in enumerate(projects):
        try:
            if mode == "burst":  # every expert saves this candidate at the same moment
                barrier.wait()
            sheet = {c: rng.randint(30, 95) for c in CRITERIA}
            t = time.perf_counter()
            r = wb.save_scores(me, pid, p, sheet, base_version=0)
            save_ms.append((time.perf_counter() - t) * 1000)
            counts[r.status] += 1
            if i % 10 == 0:  # a double click: the same request again
                counts["double_clicks"] += 1
                t = time.perf_counter()
                r2 = wb.save_scores(me, pid, p, sheet, base_version=0)
                save_ms.append((time.perf_counter() - t) * 1000)
                counts[r2.status] += 1
            t = time.perf_counter()
            r3 = wb.confirm_sheet(me, pid, p, code=code, base_version=r.version)
            confirm_ms.append((time.perf_counter() - t) * 1000)
            counts[r3.status] += 1
            counts["submitted"] += 1
        except threading.BrokenBarrierError:
            out.put(({**counts, "errors": counts["errors"] + 1}, save_ms, confirm_ms, "aborted"))
            return
        except Exception as exc:
            counts["errors"] += 1
            print(f"worker {me.login}: {exc}", file=sys.stderr)
    wb.close()
    out.put((counts, save_ms, confirm_ms, None))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
        if q < 100
        else max(values)
    )


def collect(procs: list, out, timeout: float) -> list[tuple]:
    """Every writer's result, or SystemExit with a message when the run outlives ``timeout``."""
    deadline = time.monotonic() + timeout
    results = []
    try:
        for _ in procs:
            results.append(out.get(timeout=max(0.1, deadline - time.monotonic())))
    except queue.Empty:
        for p in procs:
            p.terminate()
        raise SystemExit(
            f"benchmark: only {len(results)} of {len(procs)} writers finished within {timeout:g} s "
            "(a database that refuses or stalls connections?): stopped them"
        ) from None
    for p in procs:
        p.join(10)
    failed = [msg for *_, msg in results if msg and msg != "aborted"]
    if failed:
        raise SystemExit(f"benchmark: {len(failed)} writer(s) failed: {failed[0]}")
    return results


def run(url: str, experts: int, candidates: int, mode: str, timeout: float) -> dict:
    """One measurement: set up, run the writers, check the database; returns the figures."""
    t0 = time.perf_counter()
    pid, codes, projects = setup(url, experts, candidates)
    print(f"database: {sa.engine.make_url(url).render_as_string(hide_password=True)}")
    print(
        f"setup: {experts} experts x {len(projects)} candidates in {time.perf_counter() - t0:.1f} s"
    )
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    barrier = ctx.Barrier(len(codes), timeout=timeout)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(url, c, pid, projects, barrier, out, mode)) for c in codes
    ]
    before = os.getloadavg()[0]
    t1 = time.perf_counter()
    for p in procs:
        p.start()
    results = collect(procs, out, timeout)
    wall = time.perf_counter() - t1
    print(
        f"load average (1 min) before the writers: {before:.1f}, after: {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores (the writers count too; latency on a busy machine is noise)"
    )
    totals: dict[str, int] = {}
    save_ms: list[float] = []
    confirm_ms: list[float] = []
    for counts, s, c, _msg in results:
        for k, v in counts.items():
            totals[k] = totals.get(k, 0) + v
        save_ms += s
        confirm_ms += c

    wb = Workbench(url, create=False)
    with wb.engine.connect() as conn:
        confirmed = conn.execute(
            sa.select(sa.func.count())
            .select_from(Sheet)
            .where(Sheet.panel_id == pid, Sheet.status == "confirmed", Sheet.version == 2)
        ).scalar()
        versions = conn.execute(sa.select(sa.func.count()).select_from(SheetVersion)).scalar()
    report = wb.verify()
    wb.close()
    expected = len(codes) * len(projects)
    submitted = totals.get("submitted", 0)
    lost, duplicated = submitted - confirmed, versions - 2 * confirmed
    print(f"mode: {mode}")
    print(
        f"processes: {len(codes)}; wall time {wall:.1f} s; "
        f"{(len(save_ms) + len(confirm_ms)) / wall:.0f} writes/s"
    )
    print(
        f"submitted sheets: {submitted} (expected {expected}); persisted (confirmed): {confirmed}; "
        f"lost: {lost}; duplicated versions: {duplicated}"
    )
    print(
        f"double clicks: {totals.get('double_clicks', 0)} -> answered duplicate: "
        f"{totals.get('duplicate', 0)}; stale: {totals.get('stale', 0)}; errors: {totals.get('errors', 0)}"
    )
    fig = {k: pct(save_ms, k) for k in (50, 95, 100)}
    cfig = {k: pct(confirm_ms, k) for k in (50, 95, 100)}
    print(
        f"save latency ms: p50 {fig[50]:.1f}  p95 {fig[95]:.1f}  max {fig[100]:.1f}  (n={len(save_ms)})"
    )
    print(
        f"confirm latency ms: p50 {cfig[50]:.1f}  p95 {cfig[95]:.1f}  max {cfig[100]:.1f}  "
        f"(n={len(confirm_ms)})"
    )
    print(f"audit chain: {report.message}")
    ok = lost == 0 and duplicated == 0 and report.ok and submitted == expected
    return {
        "ok": ok and not totals.get("errors"),
        "save": fig,
        "confirm": cfig,
        "chain": report.ok,
        "lost": lost,
        "duplicated": duplicated,
        "sheets": submitted,
        "writers": len(codes),
    }


def durability(url: str) -> str:
    """The durability setting the run measures (SQLite ``synchronous``, PostgreSQL's commit)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            level = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            value = f"synchronous={os.environ.get('SCORING_SQLITE_SYNCHRONOUS') or 'NORMAL'}"
            value += f" ({level})"
        else:
            sc = conn.exec_driver_sql("SHOW synchronous_commit").scalar()
            fs = conn.exec_driver_sql("SHOW fsync").scalar()
            value = f"synchronous_commit={sc}, fsync={fs}"
    engine.dispose()
    return value


def pg_schema_url(base: str) -> tuple[str, sa.Engine, str]:
    """A fresh schema in ``base``: (url whose search_path is it, admin engine, schema name)."""
    admin = sa.create_engine(base)
    schema = "bench_" + uuid.uuid4().hex[:10]
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", admin, schema


def free_slots(admin: sa.Engine) -> int:
    """Connections the server still accepts from an ordinary role."""
    with admin.connect() as conn:
        return int(
            conn.exec_driver_sql(
                "SELECT current_setting('max_connections')::int "
                "- current_setting('superuser_reserved_connections')::int "
                "- (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
            ).scalar()
        )


def run_pg(base: str, experts: int, candidates: int, mode: str, timeout: float) -> dict:
    """:func:`run` in a schema of its own on the PostgreSQL server ``base``."""
    url, admin, schema = pg_schema_url(base)
    try:
        slots = free_slots(admin)
        if experts + 2 > slots:
            os.environ["SCORING_PG_POOL_SIZE"] = "0"
            print(f"{experts} writers, {slots} free connection slots: connect per transaction")
        print(f"durability: {durability(url)}")
        return run(url, experts, candidates, mode, timeout)
    finally:
        os.environ.pop("SCORING_PG_POOL_SIZE", None)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def compare(args: argparse.Namespace) -> int:
    """SQLite (FULL) and PostgreSQL (synchronous_commit=on), 30 writers; PostgreSQL, 100."""
    base = args.pg or os.environ.get("SCORING_TEST_PG_URL")
    if not base:
        raise SystemExit("benchmark: --compare needs --pg URL or $SCORING_TEST_PG_URL")
    figures = {}
    with tempfile.TemporaryDirectory(prefix="scoring-bench-") as tmp:
        os.environ["SCORING_SQLITE_SYNCHRONOUS"] = "FULL"
        url = f"sqlite:///{tmp}/bench.sqlite"
        print("--- SQLite, synchronous=FULL ---")
        Workbench(url).close()
        print(f"durability: {durability(url)}")
        figures["sqlite"] = run(url, args.experts, args.candidates, args.mode, args.timeout)
        os.environ.pop("SCORING_SQLITE_SYNCHRONOUS")
    print("--- PostgreSQL ---")
    figures["pg"] = run_pg(base, args.experts, args.candidates, args.mode, args.timeout)
    print(f"--- PostgreSQL, {args.many} writers ---")
    figures["pg_many"] = run_pg(base, args.many, args.many_candidates, args.mode, args.timeout)
    sq, pg, many = (figures[k]["save"][95] for k in ("sqlite", "pg", "pg_many"))
    print("--- summary ---")
    for name, f in figures.items():
        print(
            f"{name:8} {f['writers']:3} writers: {f['sheets']} sheets, lost {f['lost']}, "
            f"duplicated {f['duplicated']}, chain {'intact' if f['chain'] else 'BROKEN'}; save p50 "
            f"{f['save'][50]:.1f} p95 {f['save'][95]:.1f} ms; confirm p95 {f['confirm'][95]:.1f} ms"
        )
    met = pg <= 50 and pg <= 1.3 * sq
    print(
        f"goal: PostgreSQL save p95 <= 50 ms and <= 1.3x SQLite -> {'met' if met else 'NOT met'} "
        f"({pg:.1f} ms = {pg / sq:.2f}x SQLite's {sq:.1f} ms)"
    )
    intact = figures["pg_many"]["ok"]
    print(
        f"goal: PostgreSQL {args.many} writers, nothing lost or duplicated, chain intact -> "
        f"{'met' if intact else 'NOT met'} (save p95 {many:.1f} ms)"
    )
    return 0 if all(f["ok"] for f in figures.values()) else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=os.environ.get("SCORING_DB"))
    ap.add_argument("--experts", type=int, default=30)
    ap.add_argument("--candidates", type=int, default=50)
    ap.add_argument(
        "--mode",
        choices=("burst", "flood"),
        default="burst",
        help="burst: all experts save the same candidate at the same moment, candidate after "
        "candidate (a defense session's peak); flood: every expert saves back to back with no "
        "pause (a throughput test: latency is then queue length / throughput)",
    )
    ap.add_argument("--compare", action="store_true", help="SQLite (FULL) against PostgreSQL")
    ap.add_argument("--pg", help="PostgreSQL URL for --compare (default $SCORING_TEST_PG_URL)")
    ap.add_argument("--many", type=int, default=100, help="writers of --compare's last run")
    ap.add_argument("--many-candidates", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=300, help="seconds a run may take")
    args = ap.parse_args(argv)
    if args.compare:
        return compare(args)
    with tempfile.TemporaryDirectory(prefix="scoring-bench-") as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.sqlite"
        print(f"durability: {durability(url)}")
        fig = run(url, args.experts, args.candidates, args.mode, args.timeout)
    if url.startswith("sqlite"):
        p95 = fig["save"][95]
        print(
            f"goal (SQLite): save p95 <= 50 ms -> {'met' if p95 <= 50 else 'NOT met'} ({p95:.1f} ms)"
        )
    return 0 if fig["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
