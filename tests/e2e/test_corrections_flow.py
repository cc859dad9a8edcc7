"""Corrections of confirmed sheets in a real browser (issue 11, items 1 and 2).

An expert on two demo panels (the closed and the open one) sees the open one preselected and
named, on a 1024×768 tablet; he confirms a sheet, asks for a correction with a reason and the
new value; the chair sees the request on the board, cannot reject it without a reason, rejects
it with one; the expert sees the decision and the chair's reason; a second request is approved
and the expert's page shows the corrected value, as the store holds it.
"""

from __future__ import annotations

import pytest

from .test_dashboards import KEYS, login, open_page, score_and_confirm

pytestmark = pytest.mark.browser


def test_a_correction_from_request_to_decision(server, browser_context, tmp_path):
    base, info, db_url = server
    ctx, codes = browser_context, info["codes"]
    first = info["order"][0]
    expert = open_page(ctx, base, "expert")
    expert.set_viewport_size({"width": 1024, "height": 768})
    login(expert, codes["X03"])
    # on two panels: the open one is preselected and the page says which one it shows
    pick = expert.locator(".scoring-panel-pick select")
    pick.wait_for()
    assert "第二组" in pick.locator("option:checked").inner_text()
    expert.locator("button.scoring-no-conflict").click()
    expert.locator(".scoring-status").get_by_text("第二组").wait_for()
    # the tablet sees the whole names and the confirm button without scrolling the page
    expert.locator("button.scoring-confirm").wait_for()
    box = expert.locator("button.scoring-confirm").bounding_box()
    assert box["y"] + box["height"] <= 768, box
    names = expert.locator(".scoring-candidates option").all_inner_texts()
    assert names and all("(虚构)" in n for n in names), names
    values = [80, 70, 30, 60, 70]
    list(score_and_confirm(expert, codes["X03"], {first: values}))

    expert.locator("button.scoring-correction-open").click()
    form = expert.locator(".scoring-correction-form")
    form.wait_for()
    market = expert.locator(".scoring-correction-market input")
    assert market.input_value() == "70"  # prefilled with the confirmed values
    market.fill("75")
    expert.locator("button.scoring-correction-send").click()
    expert.locator(".scoring-error").get_by_text("请填写更正原因").wait_for()
    expert.locator(".scoring-correction-reason textarea").fill("市场前景分录入笔误")
    expert.locator("button.scoring-correction-send").click()
    expert.locator(".scoring-corrections").get_by_text("待主持人决定").wait_for()
    assert expert.locator("button.scoring-correction-send").is_hidden()
    expert.screenshot(path=str(tmp_path / "expert-correction.png"), full_page=True)

    board = open_page(ctx, base, "board")
    login(board, codes["CHAIR"])
    requests = board.locator(".scoring-requests")
    requests.get_by_text("市场前景分录入笔误").wait_for()
    reject = requests.locator("button", has_text="驳回").first
    reject.click()
    board.locator(".scoring-error").get_by_text("驳回需要说明理由").wait_for()
    requests.locator("input[placeholder^='决定理由']").first.fill("与答辩记录一致，维持原分")
    reject.click()
    requests.locator("table").get_by_text("与答辩记录一致，维持原分").wait_for()
    board.screenshot(path=str(tmp_path / "board-requests.png"), full_page=True)

    decided = expert.locator(".scoring-corrections")
    decided.get_by_text("已驳回").wait_for(timeout=15_000)
    decided.get_by_text("与答辩记录一致，维持原分").wait_for()
    assert expert.locator(f".scoring-score-{KEYS[1]} input").input_value() == "70"

    expert.locator("button.scoring-correction-open").click()
    expert.locator(".scoring-correction-market input").fill("76")
    expert.locator(".scoring-correction-reason textarea").fill("补充材料后复核")
    expert.locator("button.scoring-correction-send").click()
    requests.get_by_text("补充材料后复核").wait_for()
    requests.locator("button", has_text="批准").first.click()
    expert.locator(".scoring-corrections").get_by_text("已批准").wait_for(timeout=15_000)
    market_box = expert.locator(f".scoring-score-{KEYS[1]} input")
    expert.wait_for_function(
        "el => el.value === '76'", arg=market_box.element_handle(), timeout=10_000
    )

    from scoring.store import Workbench

    wb = Workbench(db_url)
    try:
        me = wb.login(codes["X03"])
        sheets = wb.my_sheets(me, info["open_panel"]).set_index("project_id")
        assert sheets.at[first, "market"] == 76 and sheets.at[first, "status"] == "confirmed"
        asked = wb.my_requests(me, info["open_panel"])
        assert asked["status"].tolist() == ["rejected", "approved"]
    finally:
        wb.close()
