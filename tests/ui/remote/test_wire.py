"""What travels between an expert kernel and the store process (scoring.ui.remote.wire)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from scoring.store.errors import AccessDenied, RuleViolation
from scoring.store.timers import TimerState
from scoring.ui.backend import SheetState
from scoring.ui.remote import wire


def roundtrip(value):
    return wire.decode(wire.loads(wire.dumps(wire.encode(value))))


def test_a_dataframe_arrives_as_a_frame_the_expert_page_can_read():
    df = pd.DataFrame(
        {
            "project_id": ["E001", "E002"],
            "name": ["甲公司项目", "乙公司项目"],
            "revenue_2024": [12.5, np.nan],
            "position": np.array([1, 2], dtype="int64"),
            "enterprise_type": ["民营", None],
        }
    ).set_index("project_id", drop=False)
    frame = roundtrip(df)
    assert isinstance(frame, wire.Frame)
    assert frame.index == ["E001", "E002"] and len(frame) == 2
    assert "name" in frame and "missing" not in frame
    assert frame.at["E002", "name"] == "乙公司项目"
    row = frame.loc["E001"]
    assert row.get("revenue_2024") == 12.5 and row["position"] == 1
    assert list(row.index) == list(df.columns)
    assert frame.loc["E002"]["revenue_2024"] is None  # NaN -> None
    assert wire.records(frame) == wire.records(df)
    with pytest.raises(KeyError):
        frame.loc["E999"]


def test_light_dataclasses_come_back_as_themselves_others_as_records():
    sheet = SheetState("draft", 3, {"strength": 80.0}, "好")
    assert roundtrip(sheet) == sheet
    timer = TimerState("1", "E001", 1000.0, 300, 600)
    assert roundtrip(timer) == timer and roundtrip(timer).phase(1100.0) == ("presentation", 200)

    @dataclasses.dataclass
    class Heavy:  # a dataclass of a module the page must not import
        a: int
        when: date

    rec = roundtrip(Heavy(1, date(2026, 3, 31)))
    assert isinstance(rec, wire.Record) and rec.a == 1 and rec.when == date(2026, 3, 31)


def test_tuples_dicts_times_and_numpy_scalars():
    value = {
        "n": np.int64(7),
        "x": np.float64(0.5),
        "at": datetime(2026, 12, 3, 9, 30),
        "t": (1, "a"),
    }
    assert roundtrip(value) == {"n": 7, "x": 0.5, "at": datetime(2026, 12, 3, 9, 30), "t": [1, "a"]}


def test_an_unknown_type_is_refused_not_sent_half():
    with pytest.raises(TypeError, match="cannot send"):
        wire.encode({"ok": 1, "bad": object()})


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (AccessDenied("不是本组专家 / not a member"), AccessDenied),
        (RuleViolation("评审组未开启 / the panel is not open"), RuleViolation),
        (KeyError("E999"), KeyError),
        (ValueError("分数超出范围 / out of range"), ValueError),
        (PermissionError("拒绝 / refused"), PermissionError),
    ],
)
def test_errors_are_raised_again_as_the_same_kind_with_the_message(exc, cls):
    tagged = wire.loads(wire.dumps(wire.encode_error(exc)))
    with pytest.raises(cls) as got:
        wire.decode(tagged)
    assert str(exc) == str(got.value)


def test_an_unexpected_error_travels_as_its_reference_only():
    tagged = wire.encode_error(ZeroDivisionError("secret detail"), ref="ab12cd34")
    assert "secret" not in wire.dumps(tagged).decode()
    with pytest.raises(wire.StoreProcessError, match="ab12cd34"):
        wire.decode(tagged)
