from __future__ import annotations

import pytest

from scoring.followup.findings import (
    Finding,
    error,
    errors,
    from_dict,
    has_errors,
    warning,
    warnings,
)


def test_text_with_location():
    f = error("blocks.1.rows.2.loan", "贷款类：不能为负数", "Loans: must not be negative", 2, 3)
    assert f.text("zh") == "第2块第3行 贷款类：不能为负数"
    assert f.text("en") == "block 2, row 3: Loans: must not be negative"
    assert f.is_error


def test_text_block_only_and_none():
    assert warning("blocks.0.city", "甲", "a", 1).text("zh") == "第1块 甲"
    assert warning("blocks.0.city", "甲", "a", 1).text("en") == "block 1: a"
    assert warning("contact", "请填写", "required").text("en") == "required"


def test_level_checked():
    with pytest.raises(ValueError, match="level"):
        Finding("fatal", "x", "甲", "a")


def test_roundtrip_and_filters():
    fs = [error("a", "甲", "a", 1, 2), warning("b", "乙", "b")]
    assert [from_dict(f.as_dict()) for f in fs] == fs
    assert errors(fs) == fs[:1] and warnings(fs) == fs[1:]
    assert has_errors(fs) and not has_errors(fs[1:])
