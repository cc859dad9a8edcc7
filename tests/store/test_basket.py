"""The bank reviewer's portfolio basket in the store: loaded at every login, at most 20
projects (scoring.programme.portfolio's rule, enforced by the store), all or nothing, audited."""

from __future__ import annotations

import pytest

from scoring.errors import InputError
from scoring.programme.portfolio import PortfolioLimitError
from scoring.store import AccessDenied, NotFound, Workbench


@pytest.fixture
def demo(wb):
    """The demo (50 candidates in the closed panel) in a fresh store; ``(wb, codes)``."""
    from scoring.store.demo import seed_demo

    return wb, seed_demo(wb, year=2026)


def test_basket_persists_and_refuses_the_21st(demo, db_url) -> None:
    wb, codes = demo
    me = wb.login(codes["X08"])
    assert len(wb.basket(me)) == 0 and wb.basket(me).bank == "示例发展银行(虚构)"
    closed = next(p for p in wb.panels(me) if p["status"] == "closed")
    pool = list(wb.results(me, closed["id"]).index)
    pf = wb.add_to_basket(me, pool[:3])
    assert pf.projects == tuple(pool[:3])
    pf = wb.add_to_basket(me, [pool[1], *pool[3:20]])  # one already in: ignored
    assert len(pf) == 20 and pf.remaining == 0
    # the 21st is refused by the store, with the portfolio rule's error; nothing added
    with pytest.raises(PortfolioLimitError, match="20"):
        wb.add_to_basket(me, [pool[20]])
    with pytest.raises(PortfolioLimitError):
        wb.add_to_basket(me, pool[20:23])
    # another page / machine / a later login sees the stored basket
    with Workbench(db_url) as other:
        again = other.login(codes["X08"])
        assert other.basket(again).projects == tuple(pool[:20])
    pf = wb.remove_from_basket(me, [pool[0]])
    assert len(pf) == 19 and pool[0] not in pf
    assert wb.add_to_basket(me, [pool[20]]).projects[-1] == pool[20]
    log = wb.audit_log(wb.login(codes["ORGANIZER"]))
    acts = list(log["action"][log["action"].str.startswith("basket.")])[::-1]
    assert acts == ["basket.add", "basket.add", "basket.remove", "basket.add"]
    # each account has its own basket
    assert len(wb.basket(wb.login(codes["X09"]))) == 0


def test_basket_refusals(demo) -> None:
    wb, codes = demo
    me = wb.login(codes["X08"])
    bank2 = wb.login(codes["X09"])
    open_panel = next(p for p in wb.panels(me) if p["status"] == "open")
    hidden = list(wb.panel_candidates(me, open_panel["id"])["project_id"])
    closed = next(p for p in wb.panels(me) if p["status"] == "closed")
    pool = list(wb.results(me, closed["id"]).index)
    only_open = [p for p in hidden if p not in pool]
    # unknown projects and (if any) candidates heard only by an open panel are refused
    with pytest.raises(InputError, match="E999"):
        wb.add_to_basket(me, [pool[0], "E999", *only_open])
    # a recused candidate (X09's bank lends to E010) cannot enter X09's basket
    with pytest.raises(InputError, match="E010"):
        wb.add_to_basket(bank2, ["E010"])
    assert len(wb.basket(me)) == 0 and len(wb.basket(bank2)) == 0  # nothing half-written
    with pytest.raises(NotFound):
        wb.remove_from_basket(me, [pool[0]])
    for who in ("X01", "CHAIR"):  # experts and chairs have no basket
        with pytest.raises(AccessDenied):
            wb.basket(wb.login(codes[who]))
        with pytest.raises(AccessDenied):
            wb.add_to_basket(wb.login(codes[who]), pool[:1])
    with pytest.raises(AccessDenied):
        wb.add_to_basket(wb.system_actor(), pool[:1])
