"""Two pages (tabs, kernels) changing one bank basket at once take turns on both databases: no
lost update, no raw unique-key error (issue 10, item 7)."""

from __future__ import annotations

import threading
import time

import pytest

from scoring.programme.portfolio import PortfolioLimitError
from scoring.store import Workbench, baskets


@pytest.fixture
def demo(wb):
    """The demo in a fresh store; ``(wb, codes, pool)``: the closed panel's candidates."""
    from scoring.store.demo import seed_demo

    codes = seed_demo(wb, year=2026)
    me = wb.login(codes["X08"])
    closed = next(p for p in wb.panels(me) if p["status"] == "closed")
    return wb, codes, list(wb.results(me, closed["id"]).index)


def _slow_pool(monkeypatch) -> None:
    """Widen the window between reading the basket and writing it (both pages inside it)."""
    pool = baskets._basket_pool

    def slow(conn, actor):
        time.sleep(0.3)
        return pool(conn, actor)

    monkeypatch.setattr(baskets, "_basket_pool", slow)


def _two_tabs(db_url: str, code: str, adds: list[list[str]]) -> list[object]:
    """Each tab (its own store object) adds its projects at the same moment; the outcomes."""
    tabs = [Workbench(db_url) for _ in adds]
    actors = [t.login(code) for t in tabs]
    outcomes: list[object] = [None] * len(adds)
    start = threading.Barrier(len(adds))

    def run(i: int) -> None:
        start.wait()
        try:
            outcomes[i] = tabs[i].add_to_basket(actors[i], adds[i])
        except Exception as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(adds))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for t in tabs:
        t.close()
    return outcomes


def test_two_tabs_adding_at_once_keep_both_adds(demo, db_url, monkeypatch) -> None:
    wb, codes, pool = demo
    _slow_pool(monkeypatch)
    me = wb.login(codes["X08"])
    for trial in range(3):
        a, b = pool[:5], pool[5:11]
        outcomes = _two_tabs(db_url, codes["X08"], [a, b])
        assert not [o for o in outcomes if isinstance(o, Exception)], (trial, outcomes)
        stored = wb.basket(me).projects
        assert sorted(stored) == sorted(a + b), (trial, stored)  # 11 projects, none lost
        wb.remove_from_basket(me, stored)
    assert wb.verify().ok


def test_two_tabs_past_the_limit_one_is_refused_cleanly(demo, db_url, monkeypatch) -> None:
    wb, codes, pool = demo
    _slow_pool(monkeypatch)
    outcomes = _two_tabs(db_url, codes["X08"], [pool[:12], pool[12:24]])
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], PortfolioLimitError), outcomes
    stored = wb.basket(wb.login(codes["X08"])).projects
    assert sorted(stored) in (sorted(pool[:12]), sorted(pool[12:24]))
