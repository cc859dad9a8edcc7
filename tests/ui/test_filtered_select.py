"""The search box of the long pick lists (issue 11, "search/filter in the 50+ project lists"),
the sortable result tables and the page script that sorts them and beeps at the timer's end."""

from __future__ import annotations

import ipywidgets as w
import pytest
import traitlets as tl

from scoring.ui.i18n import t
from scoring.ui.markup import html_table
from scoring.ui.serve_page import template_index
from scoring.ui.widgets import FilteredSelect, matching

PROJECTS = [
    (f"E{i:03d} {name}", f"E{i:03d}")
    for i, name in enumerate(
        ["太原物流园", "大同煤炭供应链", "Datong Cold Chain", "晋中农产品", "太原钢铁配送"] * 12, 1
    )
]


class Page(tl.HasTraits):
    lang = tl.Unicode("zh")

    def tr(self, key: str, **values) -> str:
        return t(key, self.lang, **values)


def test_matching_is_a_case_insensitive_substring_of_the_label():
    assert [v for _l, v in matching(PROJECTS[:5], "太原")] == ["E001", "E005"]
    assert [v for _l, v in matching(PROJECTS[:5], "  datong ")] == ["E003"]
    assert matching(PROJECTS[:5], "") == PROJECTS[:5]
    assert matching(["A", "b"], "B") == [("b", "b")]


def test_select_multiple_keeps_the_chosen_projects_while_searching_the_next():
    page = Page()
    pick = w.SelectMultiple()
    f = FilteredSelect(pick, page)
    f.set_options(PROJECTS)
    assert len(pick.options) == 60 and f.search.placeholder == t("filter.placeholder", "zh")
    f.search.value = "E017"
    assert [v for _l, v in pick.options] == ["E017"]
    pick.value = ("E017",)
    f.search.value = "钢铁"  # the chosen one stays listed (first) and chosen
    values = [v for _l, v in pick.options]
    assert values[0] == "E017" and all("钢铁" in lab for lab, _v in pick.options[1:])
    assert pick.value == ("E017",)
    pick.value = ("E017", "E005")
    f.search.value = ""
    assert len(pick.options) == 60 and set(pick.value) == {"E017", "E005"}
    f.set_options(PROJECTS[10:])  # a reload without E005: only E017 remains chosen
    assert pick.value == ("E017",) and f.options == PROJECTS[10:]
    page.lang = "en"
    assert f.search.placeholder == t("filter.placeholder", "en") != t("filter.placeholder", "zh")


def test_single_select_keeps_a_matching_choice_and_a_dropdown_takes_the_first_match():
    page = Page()
    one = w.Select()
    f = FilteredSelect(one, page)
    f.set_options(PROJECTS)
    one.value = "E002"
    f.search.value = "大同"
    assert one.value == "E002"  # still matches
    f.search.value = "物流"
    assert one.value is None  # no longer listed: nothing chosen rather than a hidden value
    drop = w.Dropdown()
    g = FilteredSelect(drop, page)
    g.set_options(PROJECTS)
    g.search.value = "e044"
    assert drop.value == "E044" and len(drop.options) == 1
    g.search.value = "没有这个项目"
    assert drop.options == () and drop.value is None
    g.choose("E003")  # choosing a hidden value clears the search
    assert g.search.value == "" and drop.value == "E003"


def test_choose_clears_a_search_that_hides_the_values():
    page = Page()
    pick = w.SelectMultiple()
    f = FilteredSelect(pick, page)
    f.set_options(PROJECTS)
    f.search.value = "太原"
    f.choose(("E002", "E003", "NOPE"))
    assert f.search.value == "" and pick.value == ("E002", "E003")


def test_sortable_tables_are_marked_and_the_script_sorts_and_beeps():
    plain = html_table([[1, "a"]], ["n", "x"])
    assert "sortable" not in plain and "cursor" not in plain
    table = html_table([[2, "乙"], [10, "甲"]], ["n", "x"], cls="scoring-ranking", sortable=True)
    assert "class='scoring-table scoring-ranking sortable'" in table
    assert table.count("cursor:pointer") == 2
    page = template_index()
    assert "table.sortable th" in page and "localeCompare(b.text, 'zh')" in page
    assert "▲" in page and "▼" in page
    assert "AudioContext" in page and ".scoring-timer-over" in page
    assert "scoringAlarms" in page and "MutationObserver" in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_placeholder_exists_in_both_languages(lang):
    assert t("filter.placeholder", lang) != "filter.placeholder"
