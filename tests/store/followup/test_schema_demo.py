"""Schema upgrade to the follow-up tables (from schema 9 and 10), the demo's follow-up year
against a hand count, and the timeliness statistics at scale."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from scoring.store import Workbench, migrate
from scoring.store.followup.models import TABLES

from .conftest import YEAR


@pytest.mark.parametrize("old", [9, 10])
def test_upgrade_creates_the_followup_tables(db_url, old) -> None:
    wb = Workbench(db_url)
    wb.init(2026)
    wb.close()
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        for t in reversed(TABLES):
            conn.execute(sa.text(f"DROP TABLE {t}"))
        if old < 10:
            conn.execute(sa.text("ALTER TABLE corrections DROP COLUMN note"))
        conn.execute(sa.text(f"UPDATE meta SET value = '{old}' WHERE key = 'schema_version'"))
    engine.dispose()
    again = Workbench(db_url)
    with again.engine.connect() as conn:
        assert migrate.current_version(conn) == migrate.SCHEMA_VERSION == 12
        for t in TABLES:
            assert sa.inspect(conn).has_table(t)
    org = again.system_actor("t")
    assert again.periods.create_year(org, YEAR)[0] == f"{YEAR}Q1"
    assert again.verify().ok
    again.close()


def test_demo_timeliness_is_the_hand_count(db_url, monkeypatch) -> None:
    """The demo lived up to 2026-12-02: every project reports Q1–Q3 three to six days before the
    due date, except the designed ones (see scoring.store.followup.demo)."""
    from scoring.store.demo import seed_demo
    from scoring.store.followup.demo import RETURN_REASON

    monkeypatch.delenv("SCORING_TODAY", raising=False)
    monkeypatch.setattr(
        "scoring.store.followup.demo.real_today", lambda: __import__("datetime").date(2026, 12, 2)
    )
    monkeypatch.setenv("SCORING_TODAY", "2026-12-02")
    wb = Workbench(db_url)
    codes = seed_demo(wb, year=YEAR)
    org = wb.system_actor("t")
    assert {"UNIT1", "UNIT2", "UNIT3", "UNITS", "CITY_TY", "CITY_DT"} <= set(codes)
    projects = wb.followed.projects(org).to_dict("records")
    featured = [p["project_id"] for p in projects if not p["provincial"]][:3]
    # the hand count, by the demo's rules
    want = {}
    for n, p in enumerate(projects):
        pid = p["project_id"]
        for q in (1, 2, 3):
            if pid == featured[2]:
                s = "missing" if q == 1 else "late"
            elif pid == featured[1] and q == 3:
                s = "on_time"  # submitted, then returned: its first submission counts
            elif (q == 2 and n % 5 == 4) or (q == 3 and n % 7 == 3 and n % 5 != 4):
                s = "late"
            else:
                s = "on_time"
            want[(pid, f"{YEAR}Q{q}")] = s
        if pid == featured[2]:
            # evaluated 不合格 and exited (scoring.store.evaluation.demo): no report expected
            # for the periods that end after its exit
            continue
        want[(pid, f"{YEAR}Q4")] = "pending"
        # the yearly summaries are sent for the evaluation, before their due date
        want[(pid, f"{YEAR}Y")] = "on_time"
    t = wb.followup_stats.timeliness(org, year=YEAR)
    got = dict(zip(zip(t["project_id"], t["period"], strict=True), t["status"], strict=True))
    assert got == want
    counts = t.groupby("status").size().to_dict()
    assert counts["missing"] == 1 and counts["pending"] == len(projects) - 1
    r = wb.followup_stats.rates(org, [], year=YEAR).iloc[0]
    assert r["expected"] == 3 * len(projects) + len(projects) - 1 and r["missing"] == 1
    # one returned ledger with its reason; one exit candidate
    m = wb.ledgers.matrix(org, year=YEAR)
    returned = m[m["state"] == "returned"]
    assert list(returned["project_id"]) == [featured[1]]
    assert wb.ledgers.ledger(org, featured[1], f"{YEAR}Q3")["reason"] == RETURN_REASON
    # the exit candidate (Q1 missing, Q2 and Q3 late) was evaluated 不合格 and exited
    from scoring.store.evaluation.demo import EXIT_REASON

    assert wb.exits.candidates(org).empty
    exited = [p for p in wb.followed.projects(org).to_dict("records") if p["status"] == "exited"]
    assert [p["project_id"] for p in exited] == [featured[2]]
    assert exited[0]["exit_reason"] == EXIT_REASON
    assert wb.verify().ok
    wb.close()


def test_timeliness_at_scale_counts_every_report(db_url, monkeypatch) -> None:
    """2,000 projects × 12 quarters (+3 yearly summaries): every expected report counted, the
    on-time ones where the ledger came on its due day, the missing ones where none came (the
    speed is measured by ``benchmarks/bench_followup.py`` in ``make bench``, not here)."""
    from scoring.followup.periods import default_periods
    from scoring.store.followup.models import FollowedProject, FollowupPeriod, Ledger

    monkeypatch.setenv("SCORING_TODAY", "2027-12-02")
    wb = Workbench(db_url)
    wb.init(2026)
    org = wb.system_actor("t")
    cities = ["太原市", "大同市", "阳泉市", "长治市"]
    with wb.engine.begin() as conn:
        conn.execute(
            sa.insert(FollowedProject),
            [
                dict(
                    project_id=f"P{i:04d}",
                    name=f"项目{i}",
                    kind="enterprise",
                    city=cities[i % 4],
                    provincial=False,
                    indicator_group="entity",
                    catalogue_year=2025,
                    source="import",
                    plan={},
                    status="active",
                    created_at="2025-01-01T00:00:00+00:00",
                )
                for i in range(2000)
            ],
        )
        periods = [p for y in (2025, 2026, 2027) for p in default_periods(y)]
        conn.execute(
            sa.insert(FollowupPeriod.__table__),
            [
                dict(
                    key=p.key,
                    year=p.year,
                    quarter=p.quarter,
                    start_date=p.start.isoformat(),
                    end_date=p.end.isoformat(),
                    due=p.due.isoformat(),
                    lock_date=p.lock.isoformat(),
                )
                for p in periods
            ],
        )
        conn.execute(
            sa.insert(Ledger),
            [
                dict(
                    project_id=f"P{i:04d}",
                    period=p.key,
                    status="confirmed",
                    version=3,
                    content={},
                    content_hash="0" * 64,
                    changes_after_confirm=0,
                    first_submitted_at=f"{p.due.isoformat()}T01:00:00+00:00",
                    updated_at="x",
                    updated_by="x",
                )
                for i in range(2000)
                for p in periods
                if p.quarter and (i + p.quarter) % 7
            ],
        )
    t = wb.followup_stats.timeliness(org)
    r = wb.followup_stats.rates(org, ["city", "period"])
    assert len(t) == 2000 * 15 and len(r) == 4 * 15
    # today 2027-12-02: 2027Q4 is not yet due; a project without its report is pending
    quarters = t[~t["period"].str.endswith("Y") & (t["period"] != "2027Q4")]
    came = {
        (f"P{i:04d}", p.key)
        for i in range(2000)
        for p in periods
        if p.quarter and (i + p.quarter) % 7 and p.key != "2027Q4"
    }
    keys = zip(quarters["project_id"], quarters["period"], strict=True)
    status = dict(zip(keys, quarters["status"], strict=True))
    assert len(status) == 2000 * 11
    assert {k for k, v in status.items() if v == "on_time"} == came
    assert {k for k, v in status.items() if v == "missing"} == set(status) - came
    q4 = t[t["period"] == "2027Q4"]
    sent = {f"P{i:04d}" for i in range(2000) if (i + 4) % 7}
    assert {p for p, v in zip(q4["project_id"], q4["status"], strict=True) if v == "pending"} == (
        set(q4["project_id"]) - sent
    )
    wb.close()
