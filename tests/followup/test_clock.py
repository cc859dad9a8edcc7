from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scoring.followup import clock


def test_today_honours_env(monkeypatch):
    monkeypatch.setenv("SCORING_TODAY", "2026-04-16")
    assert clock.today() == date(2026, 4, 16)


def test_today_without_env_is_a_date(monkeypatch):
    monkeypatch.delenv("SCORING_TODAY", raising=False)
    assert isinstance(clock.today(), date)


def test_bad_env_names_itself(monkeypatch):
    monkeypatch.setenv("SCORING_TODAY", "16/04/2026")
    with pytest.raises(ValueError, match="SCORING_TODAY"):
        clock.today()


@pytest.mark.parametrize(
    ("ts", "expected"),
    [
        ("2026-04-15T15:59:59Z", date(2026, 4, 15)),  # 23:59:59 in Shanghai
        ("2026-04-15T16:00:00Z", date(2026, 4, 16)),  # midnight in Shanghai
        ("2026-04-15T16:00:00+00:00", date(2026, 4, 16)),
        ("2026-04-15T16:00:00", date(2026, 4, 16)),  # naive = UTC
        ("2026-04-16T00:30:00+08:00", date(2026, 4, 16)),
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), date(2027, 1, 1)),
        (date(2026, 5, 1), date(2026, 5, 1)),
    ],
)
def test_local_date(ts, expected):
    assert clock.local_date(ts) == expected


def test_local_date_rejects_garbage():
    with pytest.raises(ValueError, match="ISO 8601"):
        clock.local_date("yesterday")


def test_now_utc_is_aware():
    assert clock.now_utc().utcoffset().total_seconds() == 0
