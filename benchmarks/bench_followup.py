"""Follow-up statistics at province scale (issue 13): 2,000 followed projects x 12 quarters.

Generates (seeded, synthetic) 2,000 followed projects over the 11 cities and the province's own
enterprises, 12 quarters (three years) of periods, and one ledger per project and quarter with a
realistic mix (most on time, some late, some missing, a few returned or drafts), written in bulk
straight into the follow-up tables (the store's API would take minutes and is not what is
measured). Then times, as the organizer sees them:

(a) ``wb.followup_stats.timeliness`` (every expected report's status) and ``rates`` by city and
    period, on SQLite and on PostgreSQL (``SCORING_TEST_PG_URL`` or ``--pg``; skipped with a
    printed line when neither is set);
(b) the province dashboard's first usable widget: logging in on ``followstats_app`` until its
    first tab (rates by city and period) is built, on SQLite.

Goal: (a) <= 1 s on each database. Best of 5 runs; CPU time beside wall time.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROJECTS = 2000
YEARS = (2024, 2025, 2026)


def _utc(day: date, hour: int = 3) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00+00:00"


def generate(url: str, n: int = PROJECTS, seed: int = 0) -> dict:
    """Fill a fresh store at ``url``; return the organizer's access code."""
    import sqlalchemy as sa

    from scoring.followup.periods import default_periods
    from scoring.programme.schema import CITIES, PROVINCIAL
    from scoring.store import Workbench
    from scoring.store.followup.models import FollowedProject, FollowupPeriod, Ledger

    rng = random.Random(seed)
    wb = Workbench(url)
    org = wb.system_actor("bench")
    wb.init(YEARS[-1], actor=org)
    code = wb.create_account(org, "BENCHORG", "organizer", name="基准组织者")
    now = _utc(date(2026, 12, 1))
    periods = [p for y in YEARS for p in default_periods(y) if p.quarter]
    cities = [*CITIES, PROVINCIAL]
    projects, ledgers = [], []
    for i in range(n):
        pid = f"F{i:05d}"
        city = cities[i % len(cities)]
        kind = "enterprise" if i % 5 else "region"
        projects.append(
            {
                "project_id": pid,
                "name": f"基准项目{i:05d}（虚构）",
                "kind": kind,
                "city": city,
                "provincial": city == PROVINCIAL,
                "unit_name": f"基准单位{i:05d}",
                "industry": "54",
                "indicator_group": "entity" if kind == "enterprise" else "region",
                "catalogue_year": YEARS[0],
                "source": "import",
                "plan": {"revenue": {"baseline": 10.0, "baseline_year": 2023, "targets": {}}},
                "status": "active",
                "created_at": now,
            }
        )
        for p in periods:
            r = rng.random()
            if r < 0.06:
                continue  # missing
            day = (
                p.due - timedelta(days=rng.randint(0, 10))
                if r < 0.82
                else p.due + timedelta(days=rng.randint(1, 12))
            )
            status = "confirmed" if r < 0.9 else ("submitted" if r < 0.97 else "returned")
            content = {
                "contact": "联系人 0351-0000000",
                "blocks": [
                    {
                        "role": "core" if kind == "enterprise" else "region",
                        "name": f"基准单位{i:05d}",
                        "city": city if city != PROVINCIAL else "太原市",
                        "industries": ["54"],
                        "rows": [
                            {
                                "goal": "建设供应链协同平台",
                                "measure": "上线订单协同系统",
                                "deadline": f"{p.year}-{3 * p.quarter:02d}",
                                "progress": "ongoing",
                                "loan": float(rng.randint(0, 500)),
                                "bill": 0.0,
                                "lease": 0.0,
                                "letter": 0.0,
                                "other": 0.0,
                                "result": "",
                            }
                        ],
                    }
                ],
                "indicators": {"revenue": {"value": round(rng.uniform(2, 15), 2)}},
            }
            ledgers.append(
                {
                    "project_id": pid,
                    "period": p.key,
                    "status": status,
                    "version": 2,
                    "content": content,
                    "content_hash": "0" * 64,
                    "first_submitted_at": _utc(day),
                    "submitted_at": _utc(day),
                    "confirmed_at": _utc(day + timedelta(days=3))
                    if status == "confirmed"
                    else None,
                    "updated_at": _utc(day),
                    "updated_by": "bench",
                    "changes_after_confirm": 0,
                }
            )
    rows = [
        {
            "key": p.key,
            "year": p.year,
            "quarter": p.quarter,
            "start_date": p.start.isoformat(),  # the table's column names (see the model)
            "end_date": p.end.isoformat(),
            "due": p.due.isoformat(),
            "lock_date": p.lock.isoformat(),
        }
        for p in periods
    ]
    with wb.engine.begin() as conn:
        conn.execute(sa.insert(FollowupPeriod.__table__), rows)
        conn.execute(sa.insert(FollowedProject.__table__), projects)
        for k in range(0, len(ledgers), 5000):
            conn.execute(sa.insert(Ledger.__table__), ledgers[k : k + 5000])
    wb.close()
    return {"code": code, "ledgers": len(ledgers), "periods": len(periods)}


def best_of(func, runs: int = 5) -> tuple[float, float]:
    """Best wall and its CPU seconds over ``runs``."""
    best = (float("inf"), 0.0)
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        func()
        w, c = time.perf_counter() - w0, time.process_time() - c0
        best = min(best, (w, c))
    return best


def measure_stats(url: str, label: str, code: str) -> float:
    from scoring.store import Workbench

    wb = Workbench(url)
    try:
        org = wb.login(code)
        tl = wb.followup_stats.timeliness(org)
        counts = tl["status"].value_counts().to_dict()
        w1, c1 = best_of(lambda: wb.followup_stats.timeliness(org))
        w2, c2 = best_of(lambda: wb.followup_stats.rates(org, ["city", "period"]))
        print(
            f"  {label:10} timeliness of {len(tl):,} expected reports: {w1 * 1000:7.1f} ms wall "
            f"({c1 * 1000:.0f} ms CPU); rates by city x period: {w2 * 1000:7.1f} ms wall "
            f"({c2 * 1000:.0f} ms CPU) — statuses {counts}"
        )
        return max(w1, w2)
    finally:
        wb.close()


def measure_dashboard(url: str, code: str) -> float:
    """Seconds from the login click to the province page's first tab being built."""
    os.environ["SCORING_DB"] = url
    from scoring.ui.backend import StoreBackend
    from scoring.ui.followstats import followstats_app

    t0 = time.perf_counter()
    app = followstats_app(StoreBackend(url))
    app.view.login.code.value = code
    app.view.login.button.click()
    took = time.perf_counter() - t0
    if not app.model.logged_in:
        raise SystemExit(f"the province page refused the login: {app.model.error}")
    return took


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=PROJECTS)
    ap.add_argument("--pg", default=os.environ.get("SCORING_TEST_PG_URL"), help="PostgreSQL URL")
    args = ap.parse_args(argv)
    print(f"bench_followup: {args.projects:,} followed projects x 12 quarters (synthetic)")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'followup.sqlite'}"
        t0 = time.perf_counter()
        made = generate(url, args.projects)
        print(
            f"  generated {made['ledgers']:,} ledgers over {made['periods']} periods "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        worst = max(worst, measure_stats(url, "SQLite", made["code"]))
        first = min(measure_dashboard(url, made["code"]) for _ in range(3))
        print(f"  province page (followstats) usable after login: {first:.2f} s (best of 3)")
    if args.pg:
        import uuid

        import sqlalchemy as sa

        schema = "bench_" + uuid.uuid4().hex[:8]
        admin = sa.create_engine(args.pg)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        sep = "&" if "?" in args.pg else "?"
        url = f"{args.pg}{sep}options=-csearch_path%3D{schema}"
        try:
            made = generate(url, args.projects)
            worst = max(worst, measure_stats(url, "PostgreSQL", made["code"]))
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()
    else:
        print("  PostgreSQL: not measured (set SCORING_TEST_PG_URL or pass --pg)")
    print(f"  goal: statistics <= 1 s on each database — worst {worst:.2f} s: "
          + ("met" if worst <= 1.0 else "NOT met"))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
