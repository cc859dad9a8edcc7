"""Two workers behind HAProxy on one PostgreSQL, in a real browser, and one of them killed.

Two "devices" (browser contexts, each with its own cookies) are pinned to worker w1 and w2 by
HAProxy's cookie: the chair's board and expert X01 on w1, expert X02 on w2. Each confirmation,
from either worker, shows on the board within 2 s (the board polls the shared database). Then
w2 is killed with its kernels (SIGKILL, as a machine that dies): X02's page shows the reload
banner, the reload lands on w1 (``option redispatch``), the page shows both confirmed sheets and
X02 confirms a third, which the board shows within 2 s; the store holds every confirmed sheet.
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request

import pytest

from scoring.deploy.haproxy import COOKIE

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]


def device(browser, base: str, worker: str):
    """A browser context whose requests HAProxy sends to ``worker`` (its cookie preset)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    ctx.set_default_timeout(60_000)
    ctx.add_cookies([{"name": COOKIE, "value": worker, "url": base}])
    return ctx


def served_by(state: dict, page) -> str:
    """The worker whose kernel manager knows the page's kernel (asked directly, not via HAProxy)."""
    kid = json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]
    found = []
    for name, w in state["workers"].items():
        try:
            urllib.request.urlopen(
                f"http://127.0.0.1:{w['port']}/scoring/api/alive/{kid}", timeout=5
            ).close()
            found.append(name)
        except (urllib.error.HTTPError, OSError):
            continue
    assert len(found) == 1, (kid, found)
    return found[0]


def confirmed(db: str, org_code: str, panel: int) -> dict[str, set[str]]:
    """Confirmed sheets in the store: ``{expert: {project, ...}}``."""
    from scoring.store import Workbench

    wb = Workbench(db)
    try:
        prog = wb.progress(wb.login(org_code), panel)
    finally:
        wb.close()
    prog = prog[prog["status"] == "confirmed"]
    return {x: set(g["project_id"]) for x, g in prog.groupby("expert_id")}


def on_board(board, expert: str, n: int, delays: list[float]) -> None:
    t0 = time.monotonic()
    board.locator(".scoring-progress-matrix tr", has_text=expert).get_by_text(f"{n} / 6").wait_for(
        timeout=2000
    )
    delays.append(time.monotonic() - t0)


def test_two_workers_one_killed(deployment, browser, e2e_pages):
    pages = e2e_pages
    state, info = deployment
    base, codes = state["url"], info["codes"]
    first, second, third = info["order"][:3]
    v = pages.VALUES
    sheets = {
        "X01": {first: v["X01"][0], second: v["X01"][1]},
        "X02": {first: v["X02"][0], second: v["X02"][1]},
    }
    one, two = device(browser, base, "w1"), device(browser, base, "w2")

    board = pages.open_page(one, base, "board")
    pages.login(board, codes["CHAIR"])
    board.locator(".scoring-progress-matrix").wait_for()
    a, b = pages.open_page(one, base, "expert"), pages.open_page(two, base, "expert")
    assert [served_by(state, p) for p in (board, a, b)] == ["w1", "w1", "w2"]
    pages.login(a, codes["X01"])
    pages.login(b, codes["X02"])
    for page in (a, b):
        page.locator("button.scoring-no-conflict").click()
        page.locator(".scoring-progress").get_by_text("0 / 6 已确认").wait_for()

    # both experts confirm two sheets in turns; the board on w1 shows each within 2 s
    runs = {"X01": pages.score_and_confirm(a, codes["X01"], sheets["X01"])}
    runs["X02"] = pages.score_and_confirm(b, codes["X02"], sheets["X02"])
    delays: list[float] = []
    for n in (1, 2):
        for x, run in runs.items():
            next(run)
            on_board(board, x, n, delays)
    assert max(delays) <= 2.0, delays

    # w2 dies with its kernels: X02's page says so, the board on w1 does not
    w2 = state["workers"]["w2"]["pid"]
    os.killpg(w2, signal.SIGKILL)
    b.locator("#scoring-dead-banner").wait_for(timeout=20_000)
    assert "请刷新" in b.locator("#scoring-dead-banner").inner_text()
    assert board.locator("#scoring-dead-banner").count() == 0

    # the reload lands on w1; nothing confirmed was lost; X02 goes on, the board sees it
    b.reload()
    b.locator("button.scoring-login").wait_for(state="visible")
    assert served_by(state, b) == "w1"
    assert {c["name"]: c["value"] for c in two.cookies(base)}[COOKIE] == "w1"
    pages.login(b, codes["X02"])
    b.locator(".scoring-progress").get_by_text("2 / 6 已确认").wait_for()
    more = pages.score_and_confirm(b, codes["X02"], {third: [70, 70, 40, 60, 60]})
    b.locator(".scoring-candidates select").select_option(index=2)
    b.locator(".scoring-card").get_by_text(third).first.wait_for()
    next(more)
    on_board(board, "X02", 3, delays)
    assert max(delays) <= 2.0, delays
    assert b.locator("#scoring-dead-banner").count() == 0
    got = confirmed(info["db"], codes["ORGANIZER"], info["open_panel"])
    assert got == {"X01": {first, second}, "X02": {first, second, third}}, got
    one.close()
    two.close()
