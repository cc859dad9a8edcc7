"""Panel names without stale status words (scoring.programme.panel_names)."""

from __future__ import annotations

import pytest

from scoring.programme.panel_names import panel_base_name


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("第二组（进行中）", "第二组"),
        ("第一组 (已结束)", "第一组"),
        ("第三组（open）（closed）", "第三组"),
        ("第（二）组", "第（二）组"),
        ("第二组（上午）", "第二组（上午）"),
        ("（进行中）", "（进行中）"),
        (None, ""),
    ],
)
def test_panel_base_name(name, base) -> None:
    assert panel_base_name(name) == base
