"""Concurrency benchmark of the review store: many experts saving at the same moment.

30 processes (one per expert, like Voila's one kernel per browser page) start together on a
barrier and each saves then confirms a full score sheet for each of 50 candidates; every tenth
save is sent twice (a double click), which the store must answer ``duplicate``. Afterwards the
database is checked: every submitted sheet must be stored exactly once (no lost, no duplicated
versions) and the audit chain must verify. Prints submitted / persisted / lost / duplicated and
the p50 / p95 / max latency of a save and of a confirmation.

Database: ``--db URL`` or ``$SCORING_DB`` (it must be empty: the benchmark creates its own
round); without either, a fresh SQLite file in a temporary folder.

    .venv/bin/python benchmarks/concurrent_scoring.py [--experts 30] [--candidates 50]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.store import Workbench  # noqa: E402
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
    wb = Workbench(url, create=False)
    me = wb.login(code)
    rng = random.Random(code)
    save_ms: list[float] = []
    confirm_ms: list[float] = []
    counts = {
        "submitted": 0,
        "saved": 0,
        "duplicate": 0,
        "stale": 0,
        "errors": 0,
        "double_clicks": 0,
    }
    barrier.wait()
    for i, p in enumerate(projects):
        if mode == "burst":  # every expert saves this candidate at the same moment
            barrier.wait()
        sheet = {c: rng.randint(30, 95) for c in CRITERIA}
        try:
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
        except Exception as exc:
            counts["errors"] += 1
            print(f"worker {me.login}: {exc}", file=sys.stderr)
    wb.close()
    out.put((counts, save_ms, confirm_ms))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
        if q < 100
        else max(values)
    )


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
    args = ap.parse_args(argv)
    tmp = None
    url = args.db
    if not url:
        tmp = tempfile.TemporaryDirectory(prefix="scoring-bench-")
        url = f"sqlite:///{tmp.name}/bench.sqlite"
    t0 = time.perf_counter()
    pid, codes, projects = setup(url, args.experts, args.candidates)
    print(f"database: {sa.engine.make_url(url).render_as_string(hide_password=True)}")
    print(
        f"setup: {args.experts} experts x {len(projects)} candidates in {time.perf_counter() - t0:.1f} s"
    )
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    barrier = ctx.Barrier(len(codes))
    out = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(url, c, pid, projects, barrier, out, args.mode))
        for c in codes
    ]
    t1 = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - t1
    totals: dict[str, int] = {}
    save_ms: list[float] = []
    confirm_ms: list[float] = []
    for counts, s, c in results:
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
    lost = submitted - confirmed
    duplicated = versions - 2 * confirmed
    print(f"mode: {args.mode}")
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
    print(
        f"save latency ms: p50 {pct(save_ms, 50):.1f}  p95 {pct(save_ms, 95):.1f}  "
        f"max {max(save_ms):.1f}  (n={len(save_ms)})"
    )
    print(
        f"confirm latency ms: p50 {pct(confirm_ms, 50):.1f}  p95 {pct(confirm_ms, 95):.1f}  "
        f"max {max(confirm_ms):.1f}  (n={len(confirm_ms)})"
    )
    print(f"audit chain: {report.message}")
    if url.startswith("sqlite"):
        p95 = pct(save_ms, 95)
        print(
            f"goal (SQLite): save p95 <= 50 ms -> {'met' if p95 <= 50 else 'NOT met'} ({p95:.1f} ms)"
        )
    ok = (
        lost == 0
        and duplicated == 0
        and report.ok
        and submitted == expected
        and not totals.get("errors")
    )
    if tmp is not None:
        tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
