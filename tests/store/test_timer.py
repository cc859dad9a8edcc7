"""The defense timer in the store: started and stopped by the chair or an organizer (audited),
read by every page of the panel; phases computed from the stored start."""

from __future__ import annotations

import pytest

from scoring.errors import InputError
from scoring.store import AccessDenied, NotFound, RuleViolation, Workbench
from scoring.store.timers import TimerState


def test_timer_phases() -> None:
    t = TimerState("1", "E001", started_at=1000.0, presentation_s=600, questions_s=300)
    assert t.phase(1000.0) == ("presentation", 600)
    assert t.phase(1599.5) == ("presentation", 1)
    assert t.phase(1600.0) == ("questions", 300)
    assert t.phase(1899.9) == ("questions", 1)
    assert t.phase(1900.0) == ("over", 0)
    stopped = TimerState("1", "E001", 1000.0, 600, 300, stopped_at=1100.0)
    assert stopped.phase(1100.0) == ("stopped", 0)


def test_chair_starts_and_stops_every_reader_sees_it(panel, db_url) -> None:
    wb = panel.open().wb
    chair = panel.a["CHAIR"]
    assert wb.timer(panel.a["X01"], panel.id) is None
    started = wb.start_timer(chair, panel.id, "E002", presentation_s=480, questions_s=120)
    assert started.phase(started.started_at + 1) == ("presentation", 479)
    # another connection (another machine) reads the same timer
    with Workbench(db_url) as other:
        me = other.login(panel.codes["X02"])
        got = other.timer(me, panel.id)
    assert got == started
    for who in ("X01", "X09", "ORG", "CHAIR"):
        assert wb.timer(panel.a[who], panel.id).project_id == "E002"
    # the questions phase can be started directly; a restart replaces the timer
    q = wb.start_timer(panel.a["ORG"], panel.id, "E001", phase="questions")
    assert q.phase(q.started_at + q.presentation_s + 1)[0] == "questions"
    assert wb.timer(panel.a["X01"], panel.id).project_id == "E001"
    stopped = wb.stop_timer(chair, panel.id)
    assert stopped.stopped_at is not None and stopped.phase()[0] == "stopped"
    assert wb.stop_timer(chair, panel.id) is None  # not running: nothing to stop, not audited
    log = wb.audit_log(panel.a["ORG"])
    assert list(log["action"][log["action"].str.startswith("timer.")])[::-1] == [
        "timer.start",
        "timer.start",
        "timer.stop",
    ]


def test_timer_refusals(panel) -> None:
    wb = panel.wb
    chair = panel.a["CHAIR"]
    with pytest.raises(RuleViolation, match="not open"):  # a draft panel
        wb.start_timer(chair, panel.id, "E001")
    panel.open()
    for who in ("X01", "X09", "CHAIR2"):  # experts, bank reviewers, another panel's chair
        with pytest.raises(AccessDenied):
            wb.start_timer(panel.a[who], panel.id, "E001")
        with pytest.raises(AccessDenied):
            wb.stop_timer(panel.a[who], panel.id)
    with pytest.raises(AccessDenied):  # not on the panel: cannot even read it
        wb.timer(panel.a["X03"], panel.id)
    with pytest.raises(NotFound):
        wb.start_timer(chair, panel.id, "E003")  # not a candidate of this panel
    with pytest.raises(InputError) as exc:
        wb.start_timer(chair, panel.id, "E001", phase="q&a", presentation_s=0, questions_s="x")
    assert {p.column for p in exc.value.problems} == {"phase", "presentation_s", "questions_s"}
    assert wb.timer(chair, panel.id) is None  # nothing written
