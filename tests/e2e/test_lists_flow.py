"""Long lists and result tables in a real browser (issue 11 item 7): the bank reviewer filters
the pick list by typing (case-insensitive, the projects already chosen stay chosen), the result
tables sort by a click on a header (numbers as numbers, ▲ / ▼), and the timer's end-of-time bar
sets off the page's alarm once per expiry."""

from __future__ import annotations

import pytest

from .test_dashboards import login, open_page

pytestmark = pytest.mark.browser


def _column(page, table, index):
    """The texts of column ``index`` of ``table`` (a CSS selector), top to bottom."""
    return page.locator(f"{table} tbody tr").evaluate_all(
        f"rows => rows.map(r => r.cells[{index}].textContent.trim())"
    )


def _selected(select):
    return select.evaluate("s => Array.from(s.selectedOptions).map(o => o.textContent)")


def test_bank_filter_sortable_tables_and_timer_alarm(server, browser_context, tmp_path):
    base, info, _db = server
    ctx, codes = browser_context, info["codes"]

    # the bank reviewer's pick list: typing filters it, the chosen ones stay chosen
    bank = open_page(ctx, base, "bank")
    login(bank, codes["X08"])
    select = bank.locator(".scoring-pick select")
    select.locator("option").first.wait_for()
    labels = select.locator("option").all_inner_texts()
    total = len(labels)
    first, second = labels[0].split()[0], labels[1].split()[0]
    search = bank.locator(".scoring-bank .scoring-filter input")
    assert search.get_attribute("placeholder") == "输入编号或名称筛选"
    search.press_sequentially(first.lower())
    bank.wait_for_function(
        "n => document.querySelectorAll('.scoring-pick select option').length === n", arg=1
    )
    assert select.locator("option").all_inner_texts()[0].startswith(first)
    select.select_option(index=0)
    search.fill(second)
    bank.wait_for_function(
        "id => Array.from(document.querySelectorAll('.scoring-pick select option'))"
        ".some(o => o.textContent.startsWith(id))",
        arg=second,
    )
    shown = select.locator("option").all_inner_texts()
    assert shown[0].startswith(first) and all(second in s for s in shown[1:]), shown
    select.select_option(label=[shown[0], shown[1]])
    search.fill("")
    bank.wait_for_function(
        "n => document.querySelectorAll('.scoring-pick select option').length === n", arg=total
    )
    assert sorted(s.split()[0] for s in _selected(select)) == sorted([first, second])
    bank.locator("button.scoring-compare").click()
    table = ".scoring-compare-table.sortable"
    bank.locator(table).wait_for()
    before = _column(bank, table, 0)
    head = bank.locator(f"{table} th").first
    head.click()
    bank.locator(f"{table} th .scoring-sort-mark", has_text="▲").wait_for()
    up = _column(bank, table, 0)
    head.click()
    bank.locator(f"{table} th .scoring-sort-mark", has_text="▼").wait_for()
    down = _column(bank, table, 0)
    assert sorted(up) == sorted(before) and down == up[::-1] and before != up
    bank.screenshot(path=str(tmp_path / "bank-filtered-sorted.png"), full_page=True)

    # the board's ranking of the closed panel: sorted by id, by rank as numbers, back and forth
    board = open_page(ctx, base, "board")
    login(board, codes["ORGANIZER"])
    from scoring.store.demo import CLOSED_PANEL
    from scoring.ui.i18n import panel_label

    board.locator(".scoring-panel select").select_option(label=panel_label(CLOSED_PANEL, "closed"))
    ranking = ".scoring-ranking.sortable"
    board.locator(ranking).wait_for()
    ranks = [int(r) for r in _column(board, ranking, 0)]
    ids = _column(board, ranking, 1)
    assert ranks == sorted(ranks) and len(ids) >= 2
    board.locator(f"{ranking} th", has_text="项目编号").click()
    board.locator(f"{ranking} th .scoring-sort-mark", has_text="▲").wait_for()
    assert _column(board, ranking, 1) == sorted(ids)
    assert _column(board, ranking, 1) != ids or ids == sorted(ids)
    rank_head = board.locator(f"{ranking} th", has_text="名次")
    rank_head.click()  # ascending by rank: the ranking as it was
    board.wait_for_function(
        "s => document.querySelector(s + ' th .scoring-sort-mark') !== null", arg=ranking
    )
    assert _column(board, ranking, 1) == ids
    rank_head.click()  # descending, compared as numbers ("10" after "9")
    got = [int(r) for r in _column(board, ranking, 0)]
    assert got == sorted(ranks, reverse=True)
    assert board.locator(f"{ranking} th .scoring-sort-mark").count() == 1

    # the end-of-time bar sets off the alarm once per expiry (Web Audio beep, counted)
    assert board.evaluate("window.scoringAlarms") == 0
    board.evaluate(
        "() => { const d = document.createElement('div'); d.className = 'scoring-timer-over';"
        " d.id = 'fake-over'; document.body.appendChild(d); }"
    )
    board.wait_for_function("window.scoringAlarms === 1")
    board.evaluate("() => document.body.appendChild(document.createElement('span'))")
    board.wait_for_timeout(300)
    assert board.evaluate("window.scoringAlarms") == 1  # still the same expiry
    board.evaluate("() => document.getElementById('fake-over').remove()")
    board.wait_for_timeout(100)
    board.evaluate(
        "() => { const d = document.createElement('div'); d.className = 'scoring-timer-over';"
        " document.body.appendChild(d); }"
    )
    board.wait_for_function("window.scoringAlarms === 2")
    bank.close()
    board.close()
