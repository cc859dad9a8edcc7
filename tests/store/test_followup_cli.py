"""The follow-up commands (periods, remind, import/export ledger, export followup) wired to the
follow-up services, over a stand-in workbench: arguments, calls, files and messages."""

from __future__ import annotations

from datetime import date

import openpyxl
import pandas as pd
import pytest

from scoring import cli
from scoring.followup.periods import default_periods
from scoring.io.ledger_export import export_ledger
from scoring.store import followup_cli

CONTENT = {
    "contact": "王五 0351-1234567",
    "blocks": [{"name": "晋示例物流(虚构)", "city": "太原市", "industries": ["54"],
                "rows": [{"goal": "建成平台", "measure": "上线系统", "deadline": "2026-06",
                          "loan": 500.0}]}],
}  # fmt: skip


class _Periods:
    def __init__(self):
        self.rows: list[dict] = []
        self.calls: list[tuple] = []

    def periods(self, actor, year=None):
        return pd.DataFrame(self.rows, columns=["key", "year", "start", "end", "due", "lock"])

    def create_year(self, actor, year):
        self.rows = [
            {"key": p.key, "year": p.year, "start": p.start, "end": p.end, "due": p.due, "lock": p.lock}
            for p in default_periods(year)
        ]  # fmt: skip
        return [r["key"] for r in self.rows]

    def set_dates(self, actor, key, *, due, lock):
        self.calls.append((key, due, lock))
        for r in self.rows:
            if r["key"] == key:
                r.update(due=due, lock=lock)


class _Ledgers:
    def __init__(self):
        self.imported: list[tuple] = []

    def ledger(self, actor, project_id, key):
        return {"content": CONTENT, "status": "confirmed", "version": 2}

    def import_file(self, actor, project_id, key, path):
        from scoring.io.ledger_file import read_ledger

        self.imported.append((project_id, key, read_ledger(path, "enterprise")))
        return 3


class _Followed:
    def project(self, actor, project_id):
        return {"project_id": project_id, "name": "晋示例物流(虚构)", "kind": "enterprise"}


class _Stats:
    def reminders(self, actor):
        return pd.DataFrame(
            [
                {"project_id": "E001", "city": "太原市", "period": "2026Q2", "status": "overdue",
                 "message": "请尽快报送2026年第二季度台帐"},
                {"project_id": "E003", "city": "大同市", "period": "2026Q2", "status": "pending",
                 "message": "2026年第二季度台帐7月15日到期"},
            ]
        )  # fmt: skip


class FakeWorkbench:
    last: FakeWorkbench | None = None

    def __init__(self, db=None, **_kw):
        if FakeWorkbench.last is None:
            self.periods, self.ledgers = _Periods(), _Ledgers()
            self.followed, self.followup_stats = _Followed(), _Stats()
            FakeWorkbench.last = self
        else:
            self.__dict__ = FakeWorkbench.last.__dict__

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def system_actor(self, name=None):
        return "organizer"

    def login(self, code):
        return f"unit:{code}"


@pytest.fixture
def wb(monkeypatch):
    FakeWorkbench.last = None
    monkeypatch.setattr(followup_cli, "Workbench", FakeWorkbench)
    FakeWorkbench()
    return FakeWorkbench.last


def test_periods_creates_the_year_and_changes_dates(wb, capsys):
    rc = cli.main(
        ["periods", "--year", "2026", "--due", "2026Q2=2026-07-20", "--lock", "2026Q2=2026-07-31"]
    )
    out = capsys.readouterr().out
    assert rc == 0 and "created 2026Q1, 2026Q2, 2026Q3, 2026Q4, 2026Y" in out
    assert wb.periods.calls == [("2026Q2", date(2026, 7, 20), date(2026, 7, 31))]
    assert "2026年第二季度" in out and "2026-07-20" in out
    assert cli.main(["periods", "--year", "2026", "--due", "2025Q1=2025-04-01"]) == 2
    assert cli.main(["periods", "--year", "2026", "--due", "2026Q2=July"]) == 2
    assert "KEY=YYYY-MM-DD" in capsys.readouterr().err


def test_remind_lists_per_city(wb, capsys):
    assert cli.main(["remind"]) == 0
    out = capsys.readouterr().out
    assert "== 太原市 (1) ==" in out and "请尽快报送" in out and "大同市" in out
    assert cli.main(["remind", "--city", "大同"]) == 0
    out = capsys.readouterr().out
    assert "太原市" not in out and "E003" in out


def test_export_and_import_a_ledger(wb, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["export", "ledger", "--project", "E001", "--period", "2026Q2"]) == 0
    path = tmp_path / "ledger_E001_2026Q2.xlsx"
    ws = openpyxl.load_workbook(path).active
    assert ws["A3"].value == "山西省供应链重点企业项目季度台帐（2026年第二季度）"
    assert "wrote" in capsys.readouterr().out
    args = ["import", "ledger", str(path), "--project", "E001", "--period", "2026Q2"]
    assert cli.main([*args, "--code", "UNIT1-XXXX"]) == 0
    assert "draft version 3" in capsys.readouterr().out
    pid, key, content = wb.ledgers.imported[0]
    assert (pid, key) == ("E001", "2026Q2") and content["blocks"][0]["rows"][0]["loan"] == 500.0
    assert cli.main(["import", "ledger", str(path)]) == 2  # no --project / --period
    assert cli.main(["export", "ranking"]) == 2  # other exports still need --out
    assert "needs --out" in capsys.readouterr().err


def test_export_followup_calls_the_report(wb, tmp_path, monkeypatch):
    from scoring.reports import followup

    calls = []

    def fake(kind):
        def write(wb_, actor, year, path, *, period=None):
            calls.append((kind, actor, year, str(path), period))
            export_ledger(CONTENT, "enterprise", tmp_path / "x.xlsx")
            return path

        return write

    monkeypatch.setattr(followup, "summary_xlsx", fake("xlsx"))
    monkeypatch.setattr(followup, "summary_pdf", fake("pdf"))
    out = str(tmp_path / "s.pdf")
    assert cli.main(["export", "followup", "--period", "2026Q2", "--out", out]) == 0
    assert (
        cli.main(["export", "followup", "--year", "2026", "--out", str(tmp_path / "s.xlsx")]) == 0
    )
    assert calls[0] == ("pdf", "organizer", None, out, "2026Q2")
    assert calls[1][0] == "xlsx" and calls[1][2] == 2026 and calls[1][4] is None
    assert cli.main(["export", "followup", "--out", out]) == 2  # neither a period nor a year
