"""The board on a closed yearly evaluation (the demo's): the grades with the probability of
each grade, and a project's whole path through the picker — on the seeded demo store."""

from __future__ import annotations

import pytest

from scoring.ui.backend import StoreBackend as Backend
from scoring.ui.board import board_app


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from scoring.store import Workbench
    from scoring.store.demo import seed_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('evdemo') / 'demo.db'}"
    wb = Workbench(url)
    codes = seed_demo(wb)
    return url, codes


def test_grades_and_the_path_of_the_exited_project(demo):
    url, codes = demo
    backend = Backend(url)
    app = board_app(backend, poll=False)
    m, v = app.model, app.view
    v.login.code.value = codes["CHAIR"]
    v.login.button.click()
    ev = backend.wb.evaluation.panels(backend.wb.system_actor("t"))
    pid = str(int(ev["id"].iloc[0]))
    m.choose(pid)
    m.refresh(force=True)
    html = v.results.value
    assert "评估等级" in html and "scoring-grades" in html
    assert "不合格 1" in html and "P(优秀)" in html
    # an evaluation grades: no cut line, shortlist or catalogue, and the grades come first
    assert "入选概率" not in html and "scoring-shortlist" not in html
    assert html.index("scoring-grades") < html.index("scoring-ranking")
    assert "catalogue" not in v.downloads.value
    failed = backend.wb.evaluation.grades(backend.wb.system_actor("t"), int(pid))
    fail_id = failed.index[failed["grade_key"] == "fail"][0]
    v.path_view.pick.value = fail_id
    path = v.path_view.html.value
    assert "项目全过程" in path and "申报答辩" in path and "第一组（已结束）" in path
    assert "入库年度" in path and "年度评估" in path and "不合格" in path
    assert "退出" in path and "年度绩效评估不合格" in path
    m.lang = "en"
    assert (
        "The project&#x27;s path" in v.path_view.html.value
        or "The project's path" in v.path_view.html.value
    )
    assert "项目全过程" not in v.path_view.html.value


def test_the_province_page_shows_grades_sends_failed_projects_and_the_path(demo):
    from scoring.ui.followstats import followstats_app
    from scoring.ui.followstats.model import SECTIONS

    url, codes = demo
    backend = Backend(url)
    app = followstats_app(backend)
    m, v = app.model, app.view
    v.login.code.value = codes["ORGANIZER"]
    v.login.button.click()
    assert m.logged_in
    v.tabs.selected_index = SECTIONS.index("evaluation")
    assert v.tabs.titles[SECTIONS.index("evaluation")] == "年度评估"
    assert "scoring-grades" in v.ev_grades.value and "不合格 1" in v.ev_grades.value
    # the demo sent its 不合格 project already: sending again sends nothing (idempotent)
    v.ev_send.click()
    assert "已列入退出名单 0 个项目" in m.notice
    org = backend.wb.system_actor("t")
    exited = backend.wb.followed.projects(org)
    gone = exited[exited["status"] == "exited"]["project_id"].tolist()
    assert len(gone) == 1
    v.ev_path_pick.value = gone[0]
    assert "退出" in v.ev_path.value and "年度评估" in v.ev_path.value
    v.ev_pdf.click()
    assert "年度汇总报告_" in v.ev_links.value and ".pdf" in v.ev_links.value and m.error == ""
    v.ev_xlsx.click()
    assert ".xlsx" in v.ev_links.value


def test_the_chair_downloads_a_city_report(demo):
    import base64
    import re

    url, codes = demo
    backend = Backend(url)
    app = board_app(backend, poll=False)
    m, v = app.model, app.view
    v.login.code.value = codes["CHAIR"]
    v.login.button.click()
    pid = str(int(backend.wb.evaluation.panels(backend.wb.system_actor("t"))["id"].iloc[0]))
    m.choose(pid)
    assert v.city_report.box.layout.display is None
    assert "太原市" in v.city_report.city.options
    v.city_report.city.value = "太原市"
    v.city_report.pdf.click()
    link = v.city_report.links.value
    assert "年度评估报告_太原市" in link and m.error == ""
    data = base64.b64decode(re.search(r"base64,([^']+)'", link).group(1))
    assert data.startswith(b"%PDF")
    v.city_report.xlsx.click()
    assert ".xlsx" in v.city_report.links.value
