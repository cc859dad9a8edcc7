"""The four dashboards in a real browser (Chromium via Playwright) against ``scoring serve``.

One server and one browser for the module; the scenario runs in order: a wrong code is refused,
two experts score and confirm at once, the board shows their progress within 2 s, the chair
closes the panel, the ranking appears, the organizer downloads the xlsx (checked against the
store), a bank reviewer compares three candidates and fills the basket. Screenshots of the four
dashboards go to docs/ with ``SCORING_UPDATE_SCREENSHOTS=1`` (else to a temporary folder).
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"


def shots_dir(tmp_path: Path) -> Path:
    """docs/ when SCORING_UPDATE_SCREENSHOTS=1 (to refresh the README's images), else tmp."""
    return DOCS if os.environ.get("SCORING_UPDATE_SCREENSHOTS") == "1" else tmp_path


#: Scores of the first two candidates in defense order; the second is the better one.
VALUES = {
    "X01": ([82, 75, 30, 60, 70], [90, 85, 25, 70, 88]),
    "X02": ([78, 72, 35, 55, 66], [88, 80, 20, 75, 90]),
}
KEYS = ["strength", "market", "risk", "poverty", "demonstration"]


def open_page(ctx, base, name):
    page = ctx.new_page()
    page.goto(f"{base}/voila/render/{name}.ipynb")
    page.locator("button.scoring-login").wait_for(state="visible")
    return page


def login(page, code):
    page.locator(".scoring-code input").fill(code)
    page.locator("button.scoring-login").click()


def kernel_id(page):
    return json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]


def comment_for(pid):
    return f"{pid} 评语：带动作用明显"


def score_and_confirm(page, code, sheets):
    for i, (pid, values) in enumerate(sheets.items()):
        if i:
            page.locator(".scoring-candidates select").select_option(index=i)
            page.locator(".scoring-card").get_by_text(pid).first.wait_for()
        for key, value in zip(KEYS, values, strict=True):
            box = page.locator(f".scoring-score-{key} input")
            box.fill(str(value))
            box.press("Tab")
        page.locator(".scoring-saved").get_by_text("示范引领作用 " + str(values[-1])).wait_for()
        note = page.locator(".scoring-comment textarea")
        note.fill(comment_for(pid))
        note.press("Tab")
        page.locator(".scoring-saved").get_by_text(comment_for(pid)).wait_for()
        page.locator(".scoring-confirm-code input").fill(code)
        page.locator("button.scoring-confirm").click()
        page.locator(".scoring-notice").get_by_text("已确认签字").wait_for()
        yield pid


def test_review_session_end_to_end(server, browser_context, tmp_path):
    base, info, db_url = server
    ctx = browser_context
    shots = shots_dir(tmp_path)
    codes = info["codes"]
    first, second = info["order"][:2]
    sheets = {x: {first: v[0], second: v[1]} for x, v in VALUES.items()}

    # a wrong access code is refused
    a = open_page(ctx, base, "expert")
    login(a, codes["X01"][:-1] + ("0" if codes["X01"][-1] != "0" else "1"))
    a.locator(".scoring-error").get_by_text("访问码无效").wait_for()

    # the chair's board, then two experts logged in at once
    board = open_page(ctx, base, "board")
    login(board, codes["CHAIR"])
    board.locator(".scoring-progress-matrix").wait_for()
    b = open_page(ctx, base, "expert")
    login(a, codes["X01"])
    login(b, codes["X02"])
    for page in (a, b):
        page.locator("button.scoring-no-conflict").click()
        page.locator(".scoring-progress").get_by_text("0 / 6 已确认").wait_for()

    # they score and confirm in turns; each confirmation shows on the board within 2 s
    runs = {
        "X01": score_and_confirm(a, codes["X01"], sheets["X01"]),
        "X02": score_and_confirm(b, codes["X02"], sheets["X02"]),
    }
    delays = []
    done = {"X01": 0, "X02": 0}
    for _ in range(2):
        for x, run in runs.items():
            next(run)
            t0 = time.monotonic()
            done[x] += 1
            row = board.locator(".scoring-progress-matrix tr", has_text=x)
            row.get_by_text(f"{done[x]} / 6").wait_for(timeout=2000)
            delays.append(time.monotonic() - t0)
    assert max(delays) <= 2.0, delays
    a.locator(".scoring-progress").get_by_text("2 / 6 已确认").wait_for()
    matrix_text = board.locator(".scoring-progress-matrix").inner_text()
    assert "82" not in matrix_text and "90" not in matrix_text  # statuses only, no values
    a.screenshot(path=str(shots / "dashboard-expert.png"), full_page=True)

    # usable on a 1024-wide tablet: nothing wider than the screen; English by a switch
    a.set_viewport_size({"width": 1024, "height": 768})
    a.wait_for_timeout(300)
    widths = a.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth]")
    assert max(widths) <= 1024, widths
    assert a.locator("button.scoring-confirm").is_visible()
    a.set_viewport_size({"width": 1280, "height": 800})
    b.locator("button.scoring-lang").click()
    b.locator(".scoring-progress").get_by_text("2 / 6 confirmed").wait_for()

    # the chair closes the panel: the ranking appears
    board.locator("button.scoring-close").click()
    # sheets are unconfirmed: the board asks, with their number, for a reason (a forced close)
    board.locator(".scoring-close-confirm").get_by_text("份评分表未确认").wait_for()
    board.locator(".scoring-close-reason input").fill("端到端测试：两位专家各评两项后结束")
    board.locator("button.scoring-force-close").click()
    board.locator(".scoring-ranking").wait_for()
    ranking_text = board.locator(".scoring-ranking").inner_text()
    assert ranking_text.index(second) < ranking_text.index(first)
    board.screenshot(path=str(shots / "dashboard-board.png"), full_page=True)

    # the organizer downloads the xlsx; its rows equal the store's results
    org = open_page(ctx, base, "board")
    login(org, codes["ORGANIZER"])
    from scoring.ui.i18n import panel_label

    closed_label = panel_label(info["open_name"], "closed")
    assert "）（" not in closed_label  # the name's stale status is replaced, not appended to
    org.locator(".scoring-panel select").select_option(label=closed_label)
    link = org.locator(f'a.scoring-download[download="ranking_panel{info["open_panel"]}.xlsx"]')
    with org.expect_download() as dl:
        link.click()
    path = dl.value.path()
    got = pd.read_excel(path, sheet_name=0, header=1)
    from scoring.store import Workbench

    wb = Workbench(db_url)
    try:
        expected = wb.results(wb.login(codes["ORGANIZER"]), info["open_panel"])
    finally:
        wb.close()
    assert list(got.iloc[:, 0].astype(str)) == list(expected.index)
    score_col = [c for c in got.columns if "score" in str(c).lower() or "得分" in str(c)][0]
    assert got[score_col].round(9).tolist() == expected["score"].round(9).tolist()
    # the comments typed in the expert pages are in the store, in the confirmed sheets
    wb = Workbench(db_url)
    try:
        long = wb.panel_scores(wb.login(codes["ORGANIZER"]), info["open_panel"])
    finally:
        wb.close()
    typed = long[long["expert_id"].isin(["X01", "X02"])]
    assert set(typed["project_id"]) == {first, second}
    assert all(
        c == comment_for(p) for p, c in zip(typed["project_id"], typed["comment"], strict=True)
    )

    # a bank reviewer compares three candidates and adds them to the basket
    bank = open_page(ctx, base, "bank")
    login(bank, codes["X08"])
    bank.locator(".scoring-pick select").select_option(index=[0, 1, 2])
    bank.locator("button.scoring-compare").click()
    bank.locator(".scoring-compare-table").wait_for()
    bank.locator("button.scoring-add-basket").click()
    bank.locator(".scoring-basket-count").get_by_text("3 / 20").wait_for()
    bank.screenshot(path=str(shots / "dashboard-bank.png"), full_page=True)
    # the basket is the account's, kept in the store: a reloaded page shows it again
    bank2 = open_page(ctx, base, "bank")
    login(bank2, codes["X08"])
    bank2.locator(".scoring-basket-count").get_by_text("3 / 20").wait_for()
    bank2.close()

    # the organizer console
    con = open_page(ctx, base, "console")
    login(con, codes["ORGANIZER"])
    con.get_by_role("tab").nth(1).click()
    con.locator(".scoring-preview table").wait_for()
    con.screenshot(path=str(shots / "dashboard-console.png"), full_page=True)
    for page in (a, b, board, org, bank, con):
        page.close()


def _alive(base, kid):
    try:
        with urllib.request.urlopen(f"{base}/scoring/api/alive/{kid}", timeout=5) as r:
            return json.loads(r.read())["alive"]
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def test_closed_tab_shuts_its_kernel_down(server, browser_context):
    base, _info, _db = server
    page = open_page(browser_context, base, "expert")
    kid = kernel_id(page)
    assert _alive(base, kid) is True
    page.close(run_before_unload=True)
    deadline = time.monotonic() + 10
    while _alive(base, kid) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _alive(base, kid) is None  # voila issue 1458: the beacon is no longer refused


def test_dead_kernel_tells_the_user_to_reload(server, browser_context):
    base, _info, _db = server
    page = open_page(browser_context, base, "expert")
    kid = kernel_id(page)
    status = page.evaluate(
        """async (kid) => {
            const x = (document.cookie.match('\\\\b_xsrf=([^;]*)\\\\b') || [])[1] || '';
            const r = await fetch('/api/kernels/' + kid, {method: 'DELETE',
                                  headers: {'X-XSRFToken': x}});
            return r.status; }""",
        kid,
    )
    assert status == 204
    page.locator("#scoring-dead-banner").get_by_text("请刷新页面").wait_for(timeout=10_000)
    page.close()


def test_page_rendered_without_output_tells_the_user_to_reload(server, browser_context):
    base, _info, _db = server
    page = browser_context.new_page()
    page.goto(f"{base}/voila/render/blank.ipynb")
    page.wait_for_load_state("load")
    assert page.locator(".jp-OutputArea-output").count() == 0
    page.locator("#scoring-dead-banner").get_by_text("页面未能完整显示").wait_for(timeout=40_000)
    page.close(run_before_unload=True)
