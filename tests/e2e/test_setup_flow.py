"""The organizer's and the chair's set-up workflows in a real browser (issue 11 items 3-5, 7):
a panel form with mistakes is refused naming each; the panel is created, loaded back, corrected
and deleted with a reason; another is frozen only after the whole configuration is shown and
confirmed; the chair is asked before closing; a shared tablet logs out; a bank reviewer removes
a project from the basket."""

from __future__ import annotations

import pytest

from .test_dashboards import login, open_page

pytestmark = pytest.mark.browser


def _tab(page, title):
    page.locator(".lm-TabBar-tab, .p-TabBar-tab", has_text=title).first.click()


def test_panel_set_up_freeze_close_logout_and_basket(server, browser_context, tmp_path):
    base, info, db_url = server
    ctx, codes = browser_context, info["codes"]
    con = open_page(ctx, base, "console")
    login(con, codes["ORGANIZER"])
    _tab(con, "评审组设置")
    con.locator(".scoring-p-name input").fill("临时组")
    con.locator(".scoring-p-date input").fill("下周三")
    con.locator(".scoring-p-order textarea").fill("E001, NOPE")
    con.locator("button.scoring-p-create").click()
    err = con.locator(".scoring-error")
    err.get_by_text("日期无效").wait_for()
    text = err.inner_text()
    assert "主持人" in text and "至少需要 3 名专家" in text and "NOPE" in text
    con.locator(".scoring-p-date input").fill("2026-04-08")
    con.locator(".scoring-p-chair input").fill("CHAIR")
    members = con.locator(".scoring-p-members select")
    members.select_option(value=None, index=[0, 1, 2])
    con.locator(".scoring-p-order textarea").fill("E001, E002")
    con.locator("button.scoring-p-create").click()
    con.locator(".scoring-notice").get_by_text("临时组").wait_for()
    # load it back, correct the order, save; then delete it with a reason
    pick = con.locator(".scoring-panel-edit").locator("xpath=..").locator("select")
    pick.select_option(
        label=next(t for t in pick.locator("option").all_inner_texts() if "临时组" in t)
    )
    con.locator("button.scoring-panel-edit").click()
    con.get_by_text("正在修改：临时组").wait_for()
    con.locator(".scoring-p-order textarea").fill("E002, E001, E003")
    con.locator("button.scoring-p-create", has_text="保存修改").click()
    con.locator(".scoring-notice").get_by_text("已修改").wait_for()
    con.screenshot(path=str(tmp_path / "console-panels.png"), full_page=True)
    pick.select_option(
        label=next(t for t in pick.locator("option").all_inner_texts() if "临时组" in t)
    )
    con.locator("button.scoring-panel-delete").click()
    err.get_by_text("删除评审组需要说明原因").wait_for()
    con.locator("input[placeholder='删除原因（必填）']").fill("演示后删除")
    con.locator("button.scoring-panel-delete").click()
    con.locator(".scoring-notice").get_by_text("已删除").wait_for()

    # a new panel frozen only after the configuration is shown and confirmed
    con.locator(".scoring-p-name input").fill("第三组")
    con.locator(".scoring-p-date input").fill("2026-04-09")
    con.locator(".scoring-p-chair input").fill("CHAIR")
    members.select_option(index=[0, 1, 2])
    con.locator(".scoring-p-order textarea").fill("E004, E005")
    con.locator("button.scoring-p-create").click()
    con.locator(".scoring-notice").get_by_text("第三组").wait_for()
    fpick = con.locator(".scoring-f-panel select")
    # the freeze box's list is redrawn after the notice: wait for the new panel in it
    fpick.locator("option", has_text="第三组").wait_for(state="attached")
    fpick.select_option(
        label=next(t for t in fpick.locator("option").all_inner_texts() if "第三组" in t)
    )
    con.locator("button.scoring-freeze").click()
    box = con.locator(".scoring-freeze-box")
    box.get_by_text("冻结后不可更改").wait_for()
    assert "综合实力" in box.inner_text() and "%" in box.inner_text()
    con.screenshot(path=str(tmp_path / "console-freeze.png"), full_page=True)
    from scoring.store import NotFound, Workbench

    wb = Workbench(db_url)
    try:
        org = wb.login(codes["ORGANIZER"])
        pid = next(p["id"] for p in wb.panels(org) if p["name"] == "第三组")
        with pytest.raises(NotFound):
            wb.panel_config(org, pid)  # asked, not yet frozen
    finally:
        wb.close()
    con.locator("button.scoring-freeze-confirm").click()
    con.locator(".scoring-notice").get_by_text("已冻结").wait_for()

    # the chair: opening, then closing asks first; the tablet logs out
    board = open_page(ctx, base, "board")
    login(board, codes["CHAIR"])
    option = board.locator(".scoring-panel select option", has_text="第三组")
    option.wait_for(state="attached")
    board.locator(".scoring-panel select").select_option(label=option.inner_text())
    board.locator(".scoring-frozen-config").get_by_text("已冻结的评审配置").wait_for()
    board.locator("button", has_text="开启").first.click()
    board.locator(".scoring-panel-status").get_by_text("评审中").wait_for()
    board.locator("button.scoring-close").click()
    board.locator(".scoring-close-confirm").get_by_text("份评分表未确认").wait_for()
    board.locator("button.scoring-close-cancel").click()
    board.locator("button.scoring-logout").click()
    board.locator("button.scoring-login").wait_for()
    board.locator(".scoring-notice").get_by_text("已退出登录").wait_for()

    # a bank reviewer adds two projects to the basket and removes one
    bank = open_page(ctx, base, "bank")
    bank.locator(".scoring-code input").fill(codes["X08"])
    bank.locator(".scoring-code input").press("Enter")  # Enter logs in
    bank.locator(".scoring-pick select").select_option(index=[0, 1])
    bank.locator("button.scoring-compare").click()
    bank.locator(".scoring-compare-table").wait_for()
    bank.locator("button.scoring-add-basket").click()
    bank.locator(".scoring-basket-count").get_by_text("2 / 20").wait_for()
    items = bank.locator(".scoring-basket-items")
    items.locator("button.scoring-basket-remove").nth(1).wait_for()
    before = items.inner_text()
    items.locator("button.scoring-basket-remove").first.click()
    bank.wait_for_function(
        "() => document.querySelectorAll('.scoring-basket-items button').length === 1"
    )
    assert items.inner_text() != before
    bank.locator(".scoring-basket-count").get_by_text("1 / 20").wait_for()
