"""Store fixtures: every store test runs against SQLite and, when available, PostgreSQL.

``db_url`` is parametrised: ``sqlite`` (a temporary file, always) and ``postgres`` (a fresh
schema in the database named by ``SCORING_TEST_PG_URL``; skipped when unset, a failure when
``SCORING_REQUIRE_PG=1`` as in CI, see ``.ci/run``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from scoring.store import Workbench, accounts

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
CRITERIA = ("strength", "market", "risk", "poverty", "demonstration")
FULL = {"strength": 80, "market": 75, "risk": 30, "poverty": 60, "demonstration": 70}


@pytest.fixture(autouse=True)
def _fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheaper scrypt cost for new codes in tests (the stored hash records its own cost)."""
    monkeypatch.setattr(accounts, "SCRYPT_N", 2**10)


def _pg_url() -> str | None:
    url = os.environ.get("SCORING_TEST_PG_URL")
    if not url:
        if os.environ.get("SCORING_REQUIRE_PG") == "1":
            pytest.fail(
                "SCORING_REQUIRE_PG=1 but SCORING_TEST_PG_URL is not set (.ci/start-postgres)"
            )
        pytest.skip("PostgreSQL not configured: set SCORING_TEST_PG_URL (see .ci/start-postgres)")
    return url


@pytest.fixture(scope="session")
def _pg_schema() -> Iterator[str]:
    """One PostgreSQL schema for the session, created and upgraded once (emptied per test)."""
    base = _pg_url()
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(base)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sa.exc.OperationalError as exc:
        if os.environ.get("SCORING_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def _empty_pg(url: str) -> None:
    """Create the schema if needed, then empty every table (a fresh store, quickly)."""
    from scoring.store.migrate import upgrade
    from scoring.store.models import Base

    engine = sa.create_engine(url)
    if sa.inspect(engine).has_table("meta"):
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    upgrade(engine)
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    url = request.getfixturevalue("_pg_schema")
    _empty_pg(url)
    yield url


@pytest.fixture
def wb(db_url: str) -> Iterator[Workbench]:
    """An initialised store (round 2026) with nothing else."""
    w = Workbench(db_url)
    w.init(2026)
    yield w
    w.close()


@pytest.fixture
def org(wb: Workbench):
    """The command line's organizer actor."""
    return wb.system_actor("test")


class Panel:
    """A seeded panel: ids, codes and logged-in actors."""

    def __init__(self, wb: Workbench, org) -> None:
        import pandas as pd

        cands = pd.read_csv(
            DEMO / "candidates.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
        wb.import_candidates(org, cands.head(12))  # E001 … E012
        wb.import_experts(org, DEMO / "experts.csv")
        self.codes = {
            "X01": wb.create_account(org, "X01", "expert", expert_id="X01", name="赵示例"),
            "X02": wb.create_account(org, "X02", "expert", expert_id="X02"),
            "X03": wb.create_account(org, "X03", "expert", expert_id="X03"),  # not a member
            "X09": wb.create_account(org, "X09", "bank", expert_id="X09"),
            "CHAIR": wb.create_account(org, "CHAIR", "chair"),
            "CHAIR2": wb.create_account(org, "CHAIR2", "chair"),
            "ORG": wb.create_account(org, "ORG", "organizer"),
        }
        self.candidates = ["E001", "E002", "E010"]
        self.id = wb.create_panel(
            org,
            "第一组",
            date="2026-03-10",
            chair="CHAIR",
            members=["X01", "X02", "X09"],
            candidates=self.candidates,
        )
        # X09 (bank reviewer) is recused from E010: declared conflict, as in data/demo/conflicts.csv
        wb.declare_conflict(org, "X09", "E010", "贷款银行")
        self.wb = wb
        self.a = {k: wb.login(c) for k, c in self.codes.items()}

    def open(self) -> Panel:
        self.wb.freeze_config(self.a["ORG"], self.id)
        self.wb.open_panel(self.a["CHAIR"], self.id)
        return self


@pytest.fixture
def panel(wb: Workbench, org) -> Panel:
    """A draft panel (members X01, X02, X09; candidates E001, E002, E010; X09 recused from E010)."""
    return Panel(wb, org)
