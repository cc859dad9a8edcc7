"""Follow-up store fixtures (the parent conftest's ``db_url``, ``wb``, ``org`` run every test on
SQLite and PostgreSQL): a few followed projects, the year's periods and the accounts."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from scoring.store.followup.demo import demo_content

ROOT = __import__("pathlib").Path(__file__).resolve().parents[3]
YEAR = 2026
#: E001, E002 太原市; E010 大同市; E043 省属企业; R001 大同市 (region).
PROJECTS = ["E001", "E002", "E010", "E043", "R001"]


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Q1 open: before its due date (2026-04-15) unless a test moves the day."""
    monkeypatch.setenv("SCORING_TODAY", "2026-04-10")


@pytest.fixture
def fu(wb, org):
    """Followed projects, the 2026 periods and accounts: units U1 (E001), U2 (E002, E043),
    U3 (R001); city bureaus TY (太原市), TY2 (太原市), DT (大同市); a bank reviewer BANK."""
    cands = pd.read_csv(
        ROOT / "data" / "demo" / "candidates.csv",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    cands = cands[cands["project_id"].isin(PROJECTS)]
    assert wb.followed.import_projects(org, cands, year=YEAR) == len(PROJECTS)
    assert wb.periods.create_year(org, YEAR) == [f"{YEAR}Q{q}" for q in (1, 2, 3, 4)] + [f"{YEAR}Y"]
    acc = wb.followup_access
    codes = {
        "U1": acc.create_account(org, "U1", "unit", project_ids=["E001"]),
        "U2": acc.create_account(org, "U2", "unit", project_ids=["E002", "E043"]),
        "U3": acc.create_account(org, "U3", "unit", project_ids=["R001"]),
        "TY": acc.create_account(org, "TY", "city", city="太原市"),
        "TY2": acc.create_account(org, "TY2", "city", city="太原市"),
        "DT": acc.create_account(org, "DT", "city", city="大同市"),
        "ORG": acc.create_account(org, "ORG", "organizer"),
        "CHAIR": acc.create_account(org, "CHAIR", "chair"),
    }
    a = {k: wb.login(c) for k, c in codes.items()}
    plans = {p: wb.followed.project(org, p) for p in PROJECTS}

    def content(pid: str, q: int = 1) -> dict:
        return demo_content(plans[pid], q, first=True)

    def submit(pid: str, key: str = f"{YEAR}Q1", unit=None) -> None:
        unit = unit or {"E001": a["U1"], "E002": a["U2"], "E043": a["U2"], "R001": a["U3"]}[pid]
        state = wb.ledgers.ledger(unit, pid, key)
        q = int(key[-1]) if key[-2] == "Q" else 4
        wb.ledgers.save_draft(unit, pid, key, content(pid, q), base_version=state["version"])
        return wb.ledgers.submit(unit, pid, key)

    return SimpleNamespace(wb=wb, org=org, a=a, codes=codes, content=content, submit=submit)


def audit(wb, action: str) -> list[tuple[str, str, dict]]:
    """Every audit record of ``action``: ``(actor, target, details)``, in order."""
    import json

    import sqlalchemy as sa

    from scoring.store.models import AuditRecord

    with wb.engine.connect() as conn:
        rows = conn.execute(
            sa.select(AuditRecord.actor, AuditRecord.target, AuditRecord.details)
            .where(AuditRecord.action == action)
            .order_by(AuditRecord.seq)
        ).all()
    return [(r.actor, r.target, json.loads(r.details or "{}")) for r in rows]


def denied(wb, call: str) -> list[tuple[str, str, dict]]:
    """The ``followup.denied`` records of the refused ``call`` (``ledgers.save_draft`` …)."""
    return [r for r in audit(wb, "followup.denied") if r[2].get("action") == call]
