"""The expert's comment (评语) on a score sheet: saved with drafts, kept in every version,
shown back, exported and printed in the panel report."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from scoring.errors import InputError
from scoring.store import DUPLICATE, SAVED
from scoring.store.models import SheetVersion

from .conftest import FULL


def _versions(wb, sheet_comment_only: bool = False) -> list[tuple[int, str, str]]:
    with wb.engine.connect() as conn:
        rows = conn.execute(
            sa.select(SheetVersion.version, SheetVersion.kind, SheetVersion.comment).order_by(
                SheetVersion.sheet_id, SheetVersion.version
            )
        ).all()
    return [tuple(r) for r in rows]


def test_comment_is_saved_with_drafts_and_kept_in_every_version(panel) -> None:
    wb, me = panel.wb, panel.open().a["X01"]
    r1 = wb.save_scores(
        me, panel.id, "E001", {"strength": 80}, base_version=0, comment="  产业带动强。 "
    )
    assert (r1.status, r1.version) == (SAVED, 1)
    mine = wb.my_sheets(me, panel.id).set_index("project_id")
    assert mine.at["E001", "comment"] == "产业带动强。" and mine.at["E002", "comment"] == ""
    # the same scores with another comment are a new version, not a duplicate
    r2 = wb.save_scores(
        me, panel.id, "E001", {"strength": 80}, base_version=1, comment="产业带动强，风险可控。"
    )
    assert (r2.status, r2.version) == (SAVED, 2)
    again = wb.save_scores(
        me, panel.id, "E001", {"strength": 80}, base_version=1, comment="产业带动强，风险可控。"
    )
    assert again.status == DUPLICATE
    # no comment given keeps the stored one
    r3 = wb.save_scores(me, panel.id, "E001", FULL, base_version=2)
    assert wb.my_sheets(me, panel.id).set_index("project_id").at["E001", "comment"] == (
        "产业带动强，风险可控。"
    )
    wb.confirm_sheet(me, panel.id, "E001", code=panel.codes["X01"], base_version=r3.version)
    assert _versions(wb) == [
        (1, "draft", "产业带动强。"),
        (2, "draft", "产业带动强，风险可控。"),
        (3, "draft", "产业带动强，风险可控。"),
        (4, "confirm", "产业带动强，风险可控。"),
    ]
    # the comment is in the audit trail; the organizer's audit view shows it only once the panel
    # is closed (issue 10 item 6: audit views obey blind scoring like every other read)
    log = wb.audit_log(panel.a["ORG"])
    assert not log["details"].str.contains("风险可控").any()
    wb.close_panel(panel.a["CHAIR"], panel.id, force=True, reason="测试 / test")
    log = wb.audit_log(panel.a["ORG"])
    assert log["details"].str.contains("风险可控").any()


def test_bad_comment_is_refused_and_nothing_written(panel) -> None:
    wb, me = panel.wb, panel.open().a["X01"]
    for bad, what in ((123, "not text"), ("字" * 2001, "at most 2000"), ("a\x00b", "control")):
        with pytest.raises(InputError, match=what) as exc:
            wb.save_scores(me, panel.id, "E001", {"strength": 80}, base_version=0, comment=bad)
        assert [p.column for p in exc.value.problems] == ["comment"]
    assert _versions(wb) == []
    assert wb.my_sheets(me, panel.id).set_index("project_id").at["E001", "version"] == 0


def _close_with_comments(panel) -> dict[str, str]:
    from scoring.store import PanelConfig

    wb = panel.wb
    wb.freeze_config(panel.a["ORG"], panel.id, PanelConfig.from_criteria(cut_size=2))
    wb.open_panel(panel.a["CHAIR"], panel.id)
    said = {}
    for who in ("X01", "X02"):
        me = panel.a[who]
        for p in panel.candidates:
            text = f"{who} 对 {p} 的评语"
            r = wb.save_scores(me, panel.id, p, FULL, base_version=0, comment=text)
            wb.confirm_sheet(me, panel.id, p, code=panel.codes[who], base_version=r.version)
            said[(who, p)] = text
    for p in panel.candidates[:2]:  # X09 is recused from E010
        me = panel.a["X09"]
        r = wb.save_scores(me, panel.id, p, FULL, base_version=0, comment="银行意见")
        wb.confirm_sheet(me, panel.id, p, code=panel.codes["X09"], base_version=r.version)
        said[("X09", p)] = "银行意见"
    wb.close_panel(
        panel.a["CHAIR"], panel.id, force=True, reason="测试：提前结束 / test closes early"
    )
    return said


def test_comments_in_panel_scores_history_and_raw_export(panel) -> None:
    from scoring.store.exports import scores_table

    said = _close_with_comments(panel)
    wb = panel.wb
    long = wb.panel_scores(panel.a["CHAIR"], panel.id)
    got = {(r.expert_id, r.project_id): r.comment for r in long.itertuples()}
    assert got == said
    hist = wb.panel_scores(panel.a["ORG"], panel.id, history=True)
    assert set(hist["kind"]) == {"draft", "confirm"}
    assert all(
        c == said[(e, p)]
        for e, p, c in hist[["expert_id", "project_id", "comment"]].itertuples(index=False)
    )
    raw = scores_table(wb, panel.id)
    assert "comment" in raw.columns and len(raw) == len(hist)
    assert set(raw["comment"]) == set(said.values())


def test_report_sheets_carry_the_comment_and_confirmation_time(panel) -> None:
    from scoring.reports.assemble import report_data_from_store

    said = _close_with_comments(panel)
    data = report_data_from_store(panel.wb, panel.id, samples=50)
    seen = 0
    for sheet in data.sheets:
        for pid, row in sheet.rows.iterrows():
            key = (sheet.expert_id, pid)
            if key in said:
                assert row["comment"] == said[key]
                assert str(row["confirmed_at"]).startswith("20")
                seen += 1
            else:
                assert row["recused"] and row["comment"] == ""
    assert seen == len(said)
