"""Bank portfolios: at most 20 projects per bank (晋商建〔2020〕24号), immutable."""

from __future__ import annotations

import pytest

from scoring.errors import InputError
from scoring.programme.portfolio import (
    BANK_LIMIT,
    BankPortfolio,
    PortfolioLimitError,
    check_allocation,
)


def test_twenty_fit_the_twenty_first_is_refused():
    p = BankPortfolio("示例银行(虚构)")
    for i in range(20):
        p = p.add(f"E{i:03d}")
    assert len(p) == BANK_LIMIT == 20 and p.remaining == 0
    with pytest.raises(PortfolioLimitError) as exc:
        p.add("E999")
    assert isinstance(exc.value, ValueError)
    assert "E999" in str(exc.value) and "20" in str(exc.value)
    assert len(p) == 20 and "E999" not in p


def test_immutable_add_remove():
    a = BankPortfolio("示例银行(虚构)", limit=2)
    b = a.add("E1")
    c = b.remove("E1")
    assert a.projects == () and b.projects == ("E1",) and c.projects == ()
    with pytest.raises(AttributeError):
        b.projects = ()  # type: ignore[misc]
    with pytest.raises(InputError, match="already"):
        b.add("E1")
    with pytest.raises(InputError, match="not in the portfolio"):
        a.remove("E1")
    with pytest.raises(PortfolioLimitError):
        BankPortfolio("示例银行(虚构)", limit=1, projects=("E1", "E2"))
    with pytest.raises(InputError):
        BankPortfolio("", limit=0)


def test_check_allocation_names_every_problem():
    ok = check_allocation({"甲银行": ["E1", "E2"], "乙银行": ["E2"]}, catalogue=["E1", "E2"])
    assert ok["甲银行"].projects == ("E1", "E2")
    alloc = {
        "甲银行": [f"E{i}" for i in range(21)],
        "乙银行": [f"E{i}" for i in range(25)],
        "丙银行": ["E1", "E1", "X9"],
    }
    with pytest.raises(PortfolioLimitError) as exc:
        check_allocation(alloc, catalogue=[f"E{i}" for i in range(30)])
    text = str(exc.value)
    assert "甲银行: 21 projects" in text and "乙银行: 25 projects" in text
    assert "X9" in text and "twice" in text
