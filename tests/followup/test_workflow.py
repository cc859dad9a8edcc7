from __future__ import annotations

from scoring.followup import workflow as W


def test_workflow_settings():
    assert W.confirmer(False) == "city"
    assert W.confirmer(True) == "organizer"
    assert W.return_grace_days() == 10
    assert W.jump_factor() == 5.0
    assert W.amount_warning() == 1_000_000.0
    assert list(W.progress_codes()) == ["done", "ongoing", "not_started"]
    assert W.progress_codes()["done"]["zh"] == "已完成"
    s = W.exit_settings()
    assert s["late_consecutive"] == 2 and s["below_baseline_share"] == 0.5
    assert len(s["grounds"]) == 7
