"""The follow-up pages in a real browser (Chromium via Playwright) against ``scoring serve``.

One server over a fresh demo database whose catalogue is followed (``wb.followed``), with a
project unit and its city bureau; "today" is fixed (``SCORING_TODAY``) before the Q1 due date.
The scenario runs in order: the unit fills its Q1 ledger and submits; the city returns it with a
reason; the unit sees the reason, fixes the ledger and submits again; the city confirms; the
province sees its rates change, downloads the summary xlsx and PDF, and their figures are
checked against the store (openpyxl, pdftotext). Screenshots at 1366×768 and 1024×768 go to
docs/ with ``SCORING_UPDATE_SCREENSHOTS=1`` (else to a temporary folder).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "e2e_helpers", Path(__file__).with_name("conftest.py")
)
_helpers = importlib.util.module_from_spec(_spec)
sys.modules["e2e_helpers"] = _helpers
_spec.loader.exec_module(_helpers)
ROOT, free_port, init_demo, wait_http = (
    _helpers.ROOT,
    _helpers.free_port,
    _helpers.init_demo,
    _helpers.wait_http,
)

pytestmark = pytest.mark.browser

DOCS = ROOT / "docs"
TODAY = "2026-04-01"  # Q1 open, no demo ledger submitted yet
YEAR = 2026
KEY = "2026Q1"
REASON = "贷款金额与合同不符，请核对后重报"


def shots_dir(tmp_path: Path) -> Path:
    """docs/ with SCORING_UPDATE_SCREENSHOTS=1, a folder named by SCORING_SHOTS_DIR, else tmp."""
    if os.environ.get("SCORING_UPDATE_SCREENSHOTS") == "1":
        return DOCS
    named = os.environ.get("SCORING_SHOTS_DIR")
    if named:
        Path(named).mkdir(parents=True, exist_ok=True)
        return Path(named)
    return tmp_path


# -- the pages, as a user drives them -----------------------------------------------------------
def open_page(ctx, base, name, *, width=1366, height=768):
    page = ctx.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{base}/voila/render/{name}.ipynb")
    page.locator("button.scoring-login").wait_for(state="visible")
    return page


def login(page, code):
    page.locator(".scoring-code input").fill(code)
    page.locator("button.scoring-login").click()


def type_in(page, selector, value, nth=0):
    box = page.locator(f"{selector} input").nth(nth)
    box.fill(str(value))
    box.press("Tab")


def wait_saved(page, holds=""):
    """Until the page says what the database holds after an autosave (and that it ``holds``)."""
    saved = page.locator(".scoring-saved")
    saved.get_by_text("已自动保存").wait_for()
    if holds:
        saved.get_by_text(holds).wait_for()


def fill_ledger(page, loan):
    """The unit fills its ledger's core block, one row, and two indicators."""
    page.locator(".scoring-fu-blocks").wait_for()
    type_in(page, ".scoring-fu-contact", "王五 0351-1234567")
    type_in(page, ".scoring-fu-block-industries", "54")
    type_in(page, ".scoring-fu-goal", "建成供应链协同平台")
    type_in(page, ".scoring-fu-measure", "上线订单协同系统")
    type_in(page, ".scoring-fu-deadline", "2026-06")
    page.locator(".scoring-fu-progress select").first.select_option(label="推进中")
    type_in(page, ".scoring-fu-loan", loan)
    type_in(page, ".scoring-fu-result", "订单响应时间缩短30%")
    type_in(page, ".scoring-fu-value-revenue", "3.2")
    # no application baseline for these two: the first report gives one
    type_in(page, ".scoring-fu-baseline-roa", "5")
    type_in(page, ".scoring-fu-baseline-on_time_delivery", "90")
    wait_saved(page, "指标 3 项")


def submit(page):
    page.locator("button.scoring-fu-submit").click()
    page.locator(".scoring-notice").get_by_text("已报送").wait_for()


def select_starting(page, selector, prefix):
    """Pick the option whose label starts with ``prefix`` (widget options are indexed)."""
    sel = page.locator(selector)
    sel.locator("option").first.wait_for(state="attached")
    labels = sel.locator("option").all_inner_texts()
    sel.select_option(index=next(i for i, t in enumerate(labels) if t.startswith(prefix)))


def no_wider_than(page, width):
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.body.scrollWidth]"
    )
    assert max(widths) <= width, widths


def shoot(page, path):
    """A screenshot of the whole page: Voila scrolls inside #rendered_cells, so in steps."""
    page.screenshot(path=str(path))


def unit_submits_then_fixes(ctx, base, codes, shots):
    """Steps 1 and 3 of the scenario (the unit's page)."""
    u = open_page(ctx, base, "reporting")
    login(u, codes["unit"])
    u.locator(".scoring-fu-periods").get_by_text("2026-04-15").wait_for()
    fill_ledger(u, "abc")
    # a bad amount is named in place and blocks the submission
    u.locator(".scoring-fu-findings").get_by_text("贷款类").wait_for()
    u.locator("button.scoring-fu-submit").click()
    u.locator(".scoring-error").get_by_text("未能报送").wait_for()
    type_in(u, ".scoring-fu-loan", "500")
    wait_saved(u, "融资合计 500 万元")
    u.locator(".scoring-fu-findings").get_by_text("检查通过").wait_for()
    shoot(u, shots / "followup-reporting.png")
    u.set_viewport_size({"width": 1024, "height": 768})
    u.wait_for_timeout(300)
    no_wider_than(u, 1024)
    shoot(u, shots / "followup-reporting-tablet.png")
    u.set_viewport_size({"width": 1366, "height": 768})
    submit(u)
    return u


def city_acts(ctx, base, codes, shots, *, action, reason=""):
    c = open_page(ctx, base, "confirm")
    login(c, codes["city"])
    c.locator(".scoring-fu-matrix").get_by_text("已报送").first.wait_for()
    c.locator(".scoring-fu-pending select").select_option(index=0)
    c.locator(".scoring-fu-current").get_by_text("上线订单协同系统").wait_for()
    if action == "return":
        shoot(c, shots / "followup-confirm.png")
        c.set_viewport_size({"width": 1024, "height": 768})
        c.wait_for_timeout(300)
        no_wider_than(c, 1024)
        shoot(c, shots / "followup-confirm-tablet.png")
        c.set_viewport_size({"width": 1366, "height": 768})
        c.locator("button.scoring-fu-return").click()
        c.locator(".scoring-error").get_by_text("请填写理由").wait_for()  # a reason is required
        c.locator(".scoring-fu-reason textarea").fill(reason)
        c.locator("button.scoring-fu-return").click()
        c.locator(".scoring-notice").get_by_text("已退回").wait_for()
    else:
        c.locator("button.scoring-fu-confirm").click()
        c.locator(".scoring-notice").get_by_text("已确认").wait_for()
    c.close()


def unit_fixes(ctx, base, codes):
    u = open_page(ctx, base, "reporting")
    login(u, codes["unit"])
    u.locator(".scoring-fu-returned").get_by_text(REASON).wait_for()
    type_in(u, ".scoring-fu-loan", "600")
    wait_saved(u, "融资合计 600 万元")
    submit(u)
    u.close()


def province_rates(page):
    return page.locator(".scoring-fs-city").inner_text()


# -- the store behind the server -------------------------------------------------------------------
@pytest.fixture(scope="module")
def followup_server(tmp_path_factory):
    """``(base_url, info, db_url)``: ``scoring serve`` over a demo database (``scoring init
    --demo``: its catalogue followed, units and city bureaus); today fixed at :data:`TODAY`,
    before any demo ledger of the year was submitted."""
    pytest.importorskip("scoring.store.followup")
    from scoring.store.service import SERVICES

    if "followed" not in SERVICES:
        pytest.skip("the follow-up services are not registered in Workbench yet")
    from scoring.store import Workbench

    home = tmp_path_factory.mktemp("fuserve")
    db_url = f"sqlite:///{home / 'demo.sqlite'}"
    dashboards = home / "dashboards"
    shutil.copytree(ROOT / "dashboards", dashboards)
    env = {
        **os.environ,
        "SCORING_DB": db_url,
        "SCORING_HOME": str(home),
        "SCORING_DASHBOARDS": str(dashboards),
        "MPLCONFIGDIR": str(home / "mpl"),
        "SCORING_TODAY": TODAY,
    }
    codes = init_demo(db_url, env)
    os.environ["SCORING_TODAY"] = TODAY  # the test's own store reads too
    wb = Workbench(db_url)
    try:
        from scoring.store.followup.demo import CITY_LOGINS

        me = wb.login(codes["UNIT1"])  # the demo's first project unit
        row = wb.followed.projects(me).iloc[0]
        pid, city = str(row["project_id"]), str(row["city"])
        unit, city_code = codes["UNIT1"], codes[CITY_LOGINS[city]]
    finally:
        wb.close()
    info = {
        "codes": {
            "unit": unit,
            "city": city_code,
            "org": codes["ORGANIZER"],
            "bank": codes["X08"],
        },
        "project": pid,
        "city": city,
    }
    port = free_port()
    log = open(home / "serve.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scoring", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/")
        yield base, info, db_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        os.environ.pop("SCORING_TODAY", None)


def store_rates(db_url, code, city, project):
    from scoring.store import Workbench

    wb = Workbench(db_url)
    try:
        org = wb.login(code)
        rates = wb.followup_stats.rates(org, ["city"], year=YEAR)
        row = rates[rates["city"] == city].iloc[0]
        state = wb.ledgers.ledger(org, project, KEY)
        return row, state
    finally:
        wb.close()


def check_xlsx(path, city, row):
    """The summary workbook has the city's row with the store's expected and reported counts."""
    import openpyxl

    wbk = openpyxl.load_workbook(path, data_only=True)
    found = []
    for ws in wbk.worksheets:
        for cells in ws.iter_rows(values_only=True):
            if any(str(c) == city for c in cells if c is not None):
                found.append([c for c in cells if c is not None])
    assert found, f"{city} not in the summary workbook"
    numbers = [
        {float(c) for c in cells if isinstance(c, int | float) and not isinstance(c, bool)}
        for cells in found
    ]
    want = {float(row["expected"]), float(row["reported"])}
    assert any(want <= n for n in numbers), (found, dict(row))


def check_pdf(path, city, row):
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert city in out
    rate = float(row["reporting_rate"]) * 100
    assert f"{rate:.0f}%" in out or f"{rate:.1f}%" in out, out[:2000]


def test_followup_flow(followup_server, browser_context, tmp_path):
    base, info, db_url = followup_server
    ctx = browser_context
    shots = shots_dir(tmp_path)
    codes = info["codes"]

    # the province's page before anything was reported
    prov = open_page(ctx, base, "followstats")
    login(prov, codes["org"])
    prov.locator(".scoring-fs-city").get_by_text(info["city"]).wait_for()
    before = province_rates(prov)

    # 1. the unit fills and submits; 2. the city returns it with a reason
    u = unit_submits_then_fixes(ctx, base, codes, shots)
    u.close()
    city_acts(ctx, base, codes, shots, action="return", reason=REASON)
    row, state = store_rates(db_url, codes["org"], info["city"], info["project"])
    assert state["status"] == "returned" and state["reason"] == REASON

    # 3. the unit sees the reason, fixes and resubmits; 4. the city confirms
    unit_fixes(ctx, base, codes)
    city_acts(ctx, base, codes, shots, action="confirm")
    row, state = store_rates(db_url, codes["org"], info["city"], info["project"])
    assert state["status"] == "confirmed"
    assert state["content"]["blocks"][0]["rows"][0]["loan"] == 600.0

    # 5. the province sees the rates change
    prov.locator("button.scoring-fs-refresh").click()
    prov.wait_for_function(
        "(b) => document.querySelector('.scoring-fs-city').innerText !== b", arg=before
    )
    after = province_rates(prov)
    assert f"{float(row['reporting_rate']) * 100:.0f}%" in after
    shoot(prov, shots / "followup-followstats.png")
    prov.set_viewport_size({"width": 1024, "height": 768})
    prov.wait_for_timeout(300)
    no_wider_than(prov, 1024)
    shoot(prov, shots / "followup-followstats-tablet.png")
    prov.set_viewport_size({"width": 1366, "height": 768})

    # 6. the summary xlsx and PDF, their figures against the store
    prov.get_by_role("tab").nth(5).click()
    for fmt, check in (("xlsx", check_xlsx), ("pdf", check_pdf)):
        prov.locator(f"button.scoring-fs-{fmt}").click()
        link = prov.locator(f'a.scoring-download[download$=".{fmt}"]')
        link.wait_for(timeout=120_000)
        with prov.expect_download() as dl:
            link.click()
        path = tmp_path / dl.value.suggested_filename
        dl.value.save_as(path)
        check(path, info["city"], row)

    # the bank's read-only page shows the confirmed ledger
    bank = open_page(ctx, base, "project")
    login(bank, codes["bank"])
    select_starting(bank, ".scoring-fu-project select", info["project"])
    bank.locator(".scoring-proj-indicators").get_by_text("3.2").wait_for()
    shoot(bank, shots / "followup-project.png")
