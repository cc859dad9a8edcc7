"""The year-to-year cycle (issue 14): an exited followed project is not recommended again in a
later round without the organizer's override (``wb.recommend``), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from scoring.errors import InputError, split_pair
from scoring.evaluation.cycle import normalise_name
from scoring.store import conflicts
from scoring.store.errors import AccessDenied, NotFound, RuleViolation
from scoring.store.models import AuditRecord

from .conftest import DEMO

PROJECTS = ["E001", "E002", "E010"]
REASON = "年度评估不合格 / failed the yearly evaluation"


def _demo(ids: list[str]) -> pd.DataFrame:
    cands = pd.read_csv(
        DEMO / "candidates.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    return cands[cands["project_id"].isin(ids)].reset_index(drop=True)


def _audit(wb, action: str) -> list[tuple[str, str, dict]]:
    with wb.engine.connect() as conn:
        rows = conn.execute(
            sa.select(AuditRecord.actor, AuditRecord.target, AuditRecord.details)
            .where(AuditRecord.action == action)
            .order_by(AuditRecord.seq)
        ).all()
    return [(r.actor, r.target, json.loads(r.details or "{}")) for r in rows]


def _seq(wb) -> int:
    with wb.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(AuditRecord)).scalar())


@pytest.fixture
def cycle(wb, org, tmp_path: Path):
    """Round 2026: E001, E002, E010 imported and followed; E001 exited; round 2027 current."""
    wb.import_candidates(org, _demo(PROJECTS))
    assert wb.followed.import_projects(org, _demo(PROJECTS), year=2026) == 3
    wb.exits.decide(org, "E001", exit=True, reason=REASON, grounds=[])
    wb.init(2027)
    assert wb.current_year() == 2027
    path = tmp_path / "candidates-2027.csv"
    _demo(["E001", "E002", "E003"]).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_exited_lists_the_exited_projects(wb, org, cycle) -> None:
    ex = wb.recommend.exited(org)
    assert list(ex["project_id"]) == ["E001"]
    row = ex.iloc[0]
    assert row["catalogue_year"] == 2026
    assert row["exit_reason"] == REASON
    assert row["city"] == "太原市" and row["kind"] == "enterprise"
    assert isinstance(row["exited_at"], date)
    assert row["override_reason"] is None or pd.isna(row["override_reason"])


def test_import_of_an_exited_project_is_refused_naming_row_and_column(wb, org, cycle) -> None:
    before = _seq(wb)
    with pytest.raises(InputError) as ei:
        wb.import_candidates(org, cycle)
    (p,) = ei.value.problems
    assert p.file == cycle.name
    assert p.row == 2  # E001 is the first data row
    assert (p.column, p.label) == ("project_id", ("项目编号", "project_id"))
    from scoring.ui.errors import describe

    shown = describe(ei.value, "zh")  # the Chinese page: one language, the column by its label
    assert "「项目编号」" in shown and "E001" in shown and "exited" not in shown
    zh, en = split_pair(p.message)
    assert "E001" in zh and "年度评估不合格" in zh and "failed" not in zh
    assert "E001" in en and "failed the yearly evaluation" in en and "年度" not in en
    assert " / " in p.message and "override" in p.message and "例外" in p.message
    day = wb.recommend.exited(org).iloc[0]["exited_at"]
    assert str(day) in p.message
    assert cycle.name in str(ei.value) and "row 2" in str(ei.value)
    # nothing stored changed: no candidate in 2027, no audit record
    assert wb.candidates(org).empty
    assert _seq(wb) == before
    assert wb.recommend.blocked(org, _demo(["E001", "E002"]))[0].exited_id == "E001"


def test_after_the_override_it_imports(wb, org, cycle) -> None:
    oid = wb.recommend.override(org, "E001", "  整改到位，重新申报 / rectified  ")
    assert isinstance(oid, int)
    ((actor, target, details),) = _audit(wb, "recommend.override")
    assert target == "followed:E001" and details["year"] == 2027
    assert details["reason"] == "整改到位，重新申报 / rectified"
    assert actor == org.label
    ex = wb.recommend.exited(org)
    assert ex.iloc[0]["override_reason"] == "整改到位，重新申报 / rectified"
    assert ex.iloc[0]["override_by"] == org.label
    res = wb.import_candidates(org, cycle)
    assert set(res.added) == {"E001", "E002", "E003"}
    assert wb.recommend.blocked(org, _demo(["E001"])) == []
    # a second override for the same year is refused
    with pytest.raises(RuleViolation):
        wb.recommend.override(org, "E001", "again")
    # the override is for 2027 only: in 2028 the project is refused again
    wb.init(2028)
    with pytest.raises(InputError, match="E001"):
        wb.import_candidates(org, cycle)


def test_non_organizer_override_is_refused_and_audited(wb, org, cycle) -> None:
    code = wb.create_account(org, "CHAIR", "chair")
    chair = wb.login(code)
    with pytest.raises(AccessDenied):
        wb.recommend.override(chair, "E001", "请求 / please")
    with pytest.raises(AccessDenied):
        wb.recommend.exited(chair)
    denied = [d for d in _audit(wb, "followup.denied") if d[2]["action"] == "recommend.override"]
    assert len(denied) == 1
    assert denied[0][0] == chair.label and denied[0][1] == "followed:E001"
    assert _audit(wb, "recommend.override") == []


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_override_needs_a_reason(wb, org, cycle, reason) -> None:
    with pytest.raises(RuleViolation, match="reason"):
        wb.recommend.override(org, "E001", reason)
    assert _audit(wb, "recommend.override") == []


def test_override_only_for_an_exited_followed_project(wb, org, cycle) -> None:
    with pytest.raises(RuleViolation, match="not exited"):
        wb.recommend.override(org, "E002", "理由 / why")
    with pytest.raises(NotFound):
        wb.recommend.override(org, "E999", "理由 / why")


def test_matching_by_name_when_the_id_differs(wb, org, cycle, tmp_path: Path) -> None:
    renamed = _demo(["E001", "E002"])
    name = renamed.loc[0, "name"]
    renamed.loc[0, "project_id"] = "E901"
    # the same name with full-width brackets and spaces still matches
    renamed.loc[0, "name"] = " " + name.replace("(", "（").replace(")", "）") + " "
    path = tmp_path / "renamed.csv"
    renamed.to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(InputError) as ei:
        wb.import_candidates(org, path)
    (p,) = ei.value.problems
    assert (p.row, p.column, p.label[0], p.file) == (2, "name", "项目名称", "renamed.csv")
    assert "E001" in p.message
    assert wb.candidates(org).empty
    wb.recommend.override(org, "E001", "更名后重新申报 / renamed")
    assert set(wb.import_candidates(org, path).added) == {"E901", "E002"}


def test_the_catalogue_round_itself_is_not_refused(wb, org) -> None:
    """Re-importing the round that made the catalogue does not refuse its exited project."""
    wb.import_candidates(org, _demo(PROJECTS))
    wb.followed.import_projects(org, _demo(PROJECTS), year=2026)
    wb.exits.decide(org, "E001", exit=True, reason=REASON, grounds=[])
    res = wb.import_candidates(org, _demo(PROJECTS))
    assert not res.changed_anything


def test_the_core_normaliser_agrees_with_the_store() -> None:
    for name in ["晋示例（太原）物流 有限公司", " ABC Co.\tLtd ", None, "", "（a）(b)"]:
        assert normalise_name(name) == conflicts.normalise_name(name)


def test_the_command_line_grants_an_override(wb, org, cycle, db_url, capsys) -> None:
    from scoring import cli

    assert cli.main(["--db", db_url, "recommend-override", "E001", "--reason", " "]) == 2
    assert "reason" in capsys.readouterr().err
    assert cli.main(["--db", db_url, "recommend-override", "E001", "--reason", "整改 / fixed"]) == 0
    out = capsys.readouterr().out
    assert "E001" in out and "2027" in out
    assert wb.recommend.exited(org).iloc[0]["override_reason"] == "整改 / fixed"
    assert set(wb.import_candidates(org, cycle).added) == {"E001", "E002", "E003"}
