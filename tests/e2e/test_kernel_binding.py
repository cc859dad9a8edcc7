"""Kernels bound to their page, in a real browser (issue 10, section 3).

The page's own browser keeps working through the binding (websocket, heartbeat, shutdown
beacon, kernel REST call), while a second client that knows the page's kernel id but not its
cookie is refused; every dashboard empties its access-code field after a login attempt.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

pytestmark = pytest.mark.browser

DASHBOARDS = {"expert": "X01", "board": "CHAIR", "bank": "X08", "console": "ORGANIZER"}


def open_page(ctx, base, name):
    page = ctx.new_page()
    page.goto(f"{base}/voila/render/{name}.ipynb")
    page.locator("button.scoring-login").wait_for(state="visible")
    return page


def kernel_id(page):
    return json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]


def intruder_attempts(base, kid):
    """What a second client with the kernel id gets: websocket and REST statuses."""

    async def run():
        url = base.replace("http", "ws", 1) + f"/api/kernels/{kid}/channels?session_id=x"
        try:
            conn = await websocket_connect(HTTPRequest(url))
            conn.close()
            ws = 101
        except HTTPClientError as exc:
            ws = exc.code
        r = await AsyncHTTPClient().fetch(f"{base}/api/kernels/{kid}", raise_error=False)
        return ws, r.code

    return in_thread(run())


def in_thread(coro):
    """Run ``coro`` on its own event loop in a thread (Playwright's loop runs in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def alive_status(base, kid):
    try:
        with urllib.request.urlopen(f"{base}/scoring/api/alive/{kid}", timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_page_works_and_a_second_client_with_its_kernel_id_is_refused(server, browser_context):
    base, info, _db = server
    ctx = browser_context
    page = open_page(ctx, base, "expert")
    kid = kernel_id(page)
    mine = [c for c in ctx.cookies(base) if c["name"].startswith("scoring_page_")]
    assert mine and all(c["httpOnly"] and c["sameSite"] == "Strict" for c in mine)

    assert intruder_attempts(base, kid) == (403, 403)

    # the page's own browser: its websocket carries the login and the scoring
    page.locator(".scoring-code input").fill(info["codes"]["X01"])
    page.locator("button.scoring-login").click()
    page.locator("button.scoring-no-conflict").click()
    page.locator(".scoring-score-strength input").fill("81")
    page.locator(".scoring-score-strength input").press("Tab")
    page.locator(".scoring-saved").get_by_text("综合实力 81").wait_for()
    # its heartbeat gets the kernel's generation (no reload banner), its REST call is allowed
    generation = page.evaluate(
        """async (kid) => (await (await fetch('/scoring/api/alive/' + kid,
                           {credentials: 'same-origin'})).json()).generation""",
        kid,
    )
    assert generation
    status = page.evaluate("async (kid) => (await fetch('/api/kernels/' + kid)).status", kid)
    assert status == 200
    page.wait_for_timeout(3500)  # one heartbeat round
    assert page.locator("#scoring-dead-banner").count() == 0
    # and its shutdown beacon still shuts the kernel down
    page.close(run_before_unload=True)
    deadline = time.monotonic() + 10
    while alive_status(base, kid) != 404 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alive_status(base, kid) == 404, "the page's beacon did not shut its kernel down"


@pytest.mark.parametrize("name", list(DASHBOARDS))
def test_access_code_field_is_emptied_after_login(name, server, browser_context):
    base, info, _db = server
    code = info["codes"][DASHBOARDS[name]]
    page = open_page(browser_context, base, name)
    field = page.locator(".scoring-code input")
    field.fill(code[:-1] + ("0" if code[-1] != "0" else "1"))  # a near miss
    page.locator("button.scoring-login").click()
    page.locator(".scoring-error").get_by_text("访问码无效").wait_for()
    page.wait_for_function("() => document.querySelector('.scoring-code input').value === ''")
    field.fill(code)
    page.locator("button.scoring-login").click()
    page.locator(".scoring-notice").get_by_text("已登录").wait_for()
    values = page.evaluate("() => [...document.querySelectorAll('input')].map(i => i.value)")
    assert code not in values and code[:-1] not in " ".join(values)
    page.close(run_before_unload=True)
