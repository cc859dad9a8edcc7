"""Kernels bound to the page that opened them, ids kept out of the log, kernel caps, access codes
emptied after use (issue 10, sections 3 and 7).

One ``scoring serve`` for the module over four trivial dashboards (a kernel starts in about a
second), trusting 127.0.0.1 as a proxy so that ``X-Forwarded-For`` stands for distinct clients;
caps of 2 kernels per client and 4 in all. The websocket is driven by ``tornado.websocket``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import nbformat
import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from scoring.ui.serve_guard import COOKIE_PREFIX, KernelGuard, RedactIds, redact_ids

ROOT = Path(__file__).resolve().parents[2]
PER_CLIENT, TOTAL = 2, 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``(base_url, log_path)`` of a running ``scoring serve`` with small caps."""
    home = tmp_path_factory.mktemp("binding")
    dash = home / "dashboards"
    dash.mkdir()
    from scoring.ui.serve import DASHBOARDS

    for name in DASHBOARDS:  # scoring serve wants every dashboard; trivial ones will do
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nb.cells = [nbformat.v4.new_code_cell("import ipywidgets as w\nw.Password()")]
        nbformat.write(nb, str(dash / f"{name}.ipynb"))
    env = {**os.environ, "SCORING_DASHBOARDS": str(dash), "SCORING_HOME": str(home)}
    port = _free_port()
    log_path = home / "serve.log"
    cmd = [sys.executable, "-m", "scoring", "serve", "--port", str(port)]
    cmd += ["--trusted-proxy", "127.0.0.1", "--log-level", "INFO"]
    cmd += ["--max-kernels-per-client", str(PER_CLIENT), "--max-kernels", str(TOTAL)]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/", timeout=2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise
                    time.sleep(0.2)
            yield base, log_path
        finally:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
            proc.kill()  # a no-op once it has exited


class Page:
    """A rendered page as a client got it: kernel id, the cookies set, the xsrf token."""

    def __init__(self, response) -> None:
        self.kernel_id = re.search(r'"kernelId": "([^"]+)"', response.body.decode()).group(1)
        self.set_cookies = response.headers.get_list("Set-Cookie")
        jar = SimpleCookie()
        for header in self.set_cookies:
            jar.load(header)
        self.cookies = {k: m.value for k, m in jar.items()}
        self.xsrf = self.cookies["_xsrf"]

    def cookie_header(self, *, page_cookie: bool = True) -> str:
        return "; ".join(
            f"{k}={v}"
            for k, v in self.cookies.items()
            if page_cookie or not k.startswith(COOKIE_PREFIX)
        )


async def _fetch(url, *, method="GET", headers=None, body=None):
    """``(status, headers, body)``; HTTP errors are answers too."""
    body = b"" if method == "POST" and body is None else body
    r = await AsyncHTTPClient().fetch(
        url, method=method, headers=headers or {}, body=body, raise_error=False
    )
    return r.code, r.headers, r.body.decode("utf-8", "replace")


async def _page(base, client="10.9.0.1", name="expert") -> Page | tuple[int, dict, str]:
    """Render a page as ``client``; a :class:`Page`, or ``(status, headers, body)`` if refused."""
    r = await AsyncHTTPClient().fetch(
        f"{base}/voila/render/{name}.ipynb",
        headers={"X-Forwarded-For": client},
        raise_error=False,
        request_timeout=120,
    )
    if r.code != 200:
        return r.code, r.headers, r.body.decode()
    return Page(r)


async def _close(base, page: Page) -> int:
    headers = {"Cookie": page.cookie_header(), "X-XSRFToken": page.xsrf}
    return (await _fetch(f"{base}/api/kernels/{page.kernel_id}", method="DELETE", headers=headers))[
        0
    ]


async def _ws(base, kernel_id, cookie: str | None):
    """Open the kernel's websocket with ``cookie``: the connection, or the refusal's status."""
    url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?session_id=s1"
    headers = {"Cookie": cookie} if cookie else {}
    try:
        return await websocket_connect(HTTPRequest(url, headers=headers))
    except HTTPClientError as exc:
        return exc.code


def test_each_page_gets_its_own_http_only_cookie(server):
    base, _log = server

    async def scenario():
        a, b = await _page(base), await _page(base)
        try:
            for page in (a, b):
                mine = [h for h in page.set_cookies if h.startswith(COOKIE_PREFIX)]
                assert len(mine) == 1
                assert "HttpOnly" in mine[0] and "SameSite=Strict" in mine[0]
                assert "SERVERID" not in mine[0]
            names = lambda p: {k for k in p.cookies if k.startswith(COOKIE_PREFIX)}  # noqa: E731
            assert names(a) != names(b)  # two tabs opened at once never overwrite each other
        finally:
            assert await _close(base, a) == 204 and await _close(base, b) == 204

    asyncio.run(scenario())


def test_websocket_refuses_a_client_with_the_kernel_id_but_not_the_page_cookie(server):
    base, _log = server

    async def scenario():
        page, other = await _page(base), await _page(base)
        try:
            kid = page.kernel_id
            assert await _ws(base, kid, None) == 403  # the id alone, no Origin header
            assert await _ws(base, kid, page.cookie_header(page_cookie=False)) == 403
            assert await _ws(base, kid, other.cookie_header()) == 403  # another page's cookie
            forged = "; ".join(
                f"{k}={'x' * len(v) if k.startswith(COOKIE_PREFIX) else v}"
                for k, v in page.cookies.items()
            )
            assert await _ws(base, kid, forged) == 403
            # the page's own cookie works: a kernel_info request is answered
            conn = await _ws(base, kid, page.cookie_header())
            assert not isinstance(conn, int), conn
            msg = {
                "header": {"msg_id": "m1", "msg_type": "kernel_info_request", "session": "s1",
                           "username": "", "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell",
            }  # fmt: skip
            await conn.write_message(json.dumps(msg))
            deadline = time.monotonic() + 30
            while True:
                reply = await asyncio.wait_for(conn.read_message(), 30)
                assert reply is not None and time.monotonic() < deadline
                if isinstance(reply, str) and "kernel_info_reply" in reply:
                    break
            conn.close()
        finally:
            await _close(base, page)
            await _close(base, other)

    asyncio.run(scenario())


def test_kernel_rest_calls_are_refused_without_the_binding(server):
    base, _log = server

    async def scenario():
        page = await _page(base)
        kid = page.kernel_id
        # a second client with its own valid _xsrf cookie and token, and the kernel id
        intruder = await _page(base, client="10.9.0.2")
        await _close(base, intruder)
        cred = {"Cookie": f"_xsrf={intruder.xsrf}", "X-XSRFToken": intruder.xsrf}
        try:
            for method, path in [
                ("GET", f"/api/kernels/{kid}"),
                ("DELETE", f"/api/kernels/{kid}"),
                ("POST", f"/api/kernels/{kid}/interrupt"),
                ("POST", f"/api/kernels/{kid}/restart"),
                ("POST", f"/voila/api/shutdown/{kid}"),
            ]:
                status, _h, body = await _fetch(base + path, method=method, headers=cred)
                assert status in (403, 404, 405), (method, path, status)
                if path.endswith(kid):
                    assert status == 403, (method, path, status)
                    assert "打开它的浏览器" in body and "browser that opened" in body
            status, _h, body = await _fetch(f"{base}/scoring/api/alive/{kid}", headers=cred)
            assert status == 200 and json.loads(body) == {"alive": True}  # still alive
            status, _h, body = await _fetch(
                f"{base}/scoring/api/alive/{kid}", headers={"Cookie": page.cookie_header()}
            )
            assert "generation" in json.loads(body)  # the page's own heartbeat
            status, _h, _b = await _fetch(
                f"{base}/api/kernels/{kid}", headers={"Cookie": page.cookie_header()}
            )
            assert status == 200
        finally:
            assert await _close(base, page) == 204

    asyncio.run(scenario())


def test_kernel_ids_are_not_in_the_log(server):
    base, log_path = server

    async def scenario():
        page = await _page(base)
        conn = await _ws(base, page.kernel_id, page.cookie_header())
        assert not isinstance(conn, int)
        assert await _ws(base, page.kernel_id, None) == 403  # logged as a warning
        conn.close()
        await asyncio.sleep(0.5)
        assert await _close(base, page) == 204
        await asyncio.sleep(0.5)
        return page.kernel_id

    kid = asyncio.run(scenario())
    text = log_path.read_text(encoding="utf-8", errors="replace")
    assert "Kernel started: id~" in text and "Kernel shutdown: id~" in text
    assert kid not in text and kid.split("-")[0] not in text
    assert "refused GET /api/kernels/id~" in text


def test_the_client_past_its_cap_and_the_server_past_its_cap_get_the_busy_page(server):
    base, _log = server

    async def scenario():
        opened: list[Page] = []
        try:
            # three pages at once from one client with a cap of two: one is refused, even
            # though none of the three kernels had started when the third arrived
            got = await asyncio.gather(*[_page(base, client="10.1.0.1") for _ in range(3)])
            opened += [p for p in got if isinstance(p, Page)]
            refused = [p for p in got if not isinstance(p, Page)]
            assert len(opened) == PER_CLIENT and len(refused) == 1
            status, headers, body = refused[0]
            assert status == 429 and headers["Retry-After"]
            assert "服务器繁忙" in body and "Server busy" in body and "关闭不用的页面" in body
            # another client is still served, up to the server's cap
            for _ in range(TOTAL - PER_CLIENT):
                page = await _page(base, client="10.1.0.2")
                assert isinstance(page, Page), page
                opened.append(page)
            status, _h, body = await _page(base, client="10.1.0.3")
            assert status == 503 and "服务器繁忙" in body and "The server is busy" in body
            # a closed page frees its place
            assert await _close(base, opened.pop()) == 204
            page = await _page(base, client="10.1.0.3")
            assert isinstance(page, Page), page
            opened.append(page)
        finally:
            for page in opened:
                await _close(base, page)

    asyncio.run(scenario())


# --- the guard without a server ------------------------------------------------------------


def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    plain = KernelGuard()
    assert plain.client_address("203.0.113.5", ["10.0.0.1"]) == "203.0.113.5"
    behind = KernelGuard(trusted_proxies=["127.0.0.1", "10.0.0.0/8"])
    assert behind.client_address("203.0.113.5", ["10.0.0.1"]) == "203.0.113.5"  # not a proxy
    assert behind.client_address("127.0.0.1", ["198.51.100.7"]) == "198.51.100.7"
    # what the client wrote itself (left) is never reached; proxies (right) are skipped
    assert behind.client_address("127.0.0.1", ["1.2.3.4, 198.51.100.7, 10.2.3.4"]) == (
        "198.51.100.7"
    )
    assert behind.client_address("127.0.0.1", ["1.2.3.4", "198.51.100.7"]) == "198.51.100.7"
    assert behind.client_address("127.0.0.1", ["garbage, 10.0.0.9"]) == "10.0.0.9"
    assert behind.client_address("127.0.0.1", []) == "127.0.0.1"
    assert behind.forwarded_proto("127.0.0.1", "https") == "https"
    assert plain.forwarded_proto("127.0.0.1", "https") is None
    # a proxy left out of --trusted-proxy is reported once (its clients share one cap)
    assert plain.ignored_forwarded_for("127.0.0.1", "198.51.100.7")
    assert not plain.ignored_forwarded_for("127.0.0.1", "198.51.100.8")
    assert not behind.ignored_forwarded_for("127.0.0.1", "198.51.100.7")
    with pytest.raises(ValueError, match="not an IP"):
        KernelGuard(trusted_proxies=["haproxy.local"])


def test_a_preheated_or_unknown_kernel_is_held_by_no_one():
    guard = KernelGuard()
    assert not guard.holds("k1", {})
    res = guard.admit("1.1.1.1", set(), 0)
    guard.bind(res, "k1")
    assert guard.holds("k1", {res.cookie_name: res.secret})
    assert not guard.holds("k1", {res.cookie_name: res.secret + "x"})
    assert guard.stale_cookies([res.cookie_name, COOKIE_PREFIX + "0" * 16]) == [
        COOKIE_PREFIX + "0" * 16
    ]
    guard.prune(set())  # the kernel is gone
    assert not guard.holds("k1", {res.cookie_name: res.secret})


def test_log_records_are_redacted():
    import logging

    kid = "8d9c5e2a-1b3f-4c6d-9e8f-0a1b2c3d4e5f"
    assert kid not in redact_ids(f"Kernel started: {kid}")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Kernel started: %s", (kid,), None)
    RedactIds().filter(record)
    assert record.getMessage().startswith("Kernel started: id~") and kid not in record.getMessage()


def test_cli_offers_the_caps_and_keeps_its_flags(monkeypatch):
    from scoring.ui import cli, serve, serve_guard

    seen = {}
    monkeypatch.setattr(serve, "serve", lambda port, **kw: seen.update(port=port, **kw) or 0)
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve", "--port", "9000", "--log-level", "DEBUG"])
    assert args.func(args) == 0
    assert seen["port"] == 9000 and seen["log_level"] == "DEBUG"
    assert seen["max_kernels_per_client"] == serve_guard.MAX_KERNELS_PER_CLIENT
    assert seen["max_kernels"] == serve_guard.MAX_KERNELS and seen["trusted_proxies"] == []
    args = parser.parse_args(
        ["serve", "--max-kernels-per-client", "3", "--max-kernels", "9"]
        + ["--trusted-proxy", "127.0.0.1", "--trusted-proxy", "10.0.0.0/8"]
    )
    args.func(args)
    assert seen["max_kernels_per_client"] == 3 and seen["max_kernels"] == 9
    assert seen["trusted_proxies"] == ["127.0.0.1", "10.0.0.0/8"]
    for bad in (["--max-kernels", "-1"], ["--trusted-proxy", "proxy.example"]):
        args = parser.parse_args(["serve", *bad])
        with pytest.raises(ValueError):
            args.func(args)
    c = serve.voila_config(9000, max_kernels=7, trusted_proxies=["::1"])
    assert c.ScoringVoila.max_kernels == 7 and c.ScoringVoila.trusted_proxies == ["::1"]


# --- access codes emptied after use ----------------------------------------------------------


class _Refusing:
    """A backend that refuses every access code."""

    def login(self, code):
        raise ValueError("unknown access code")


@pytest.mark.parametrize("name", ["expert", "board", "bank", "console"])
def test_access_code_field_is_emptied_after_every_login(name, store):
    import importlib

    make = getattr(importlib.import_module(f"scoring.ui.{name}"), f"{name}_app")
    kwargs = {"poll": False} if name in ("expert", "board") else {}
    app = make(_Refusing(), **kwargs)
    app.view.login.code.value = "X01-NEAR-MISS-CODE"
    app.view.login.button.click()
    assert not app.model.logged_in and app.model.error
    assert app.view.login.code.value == ""  # a refused code does not stay in the widget state
    backend, info = store
    code = {"expert": "X01", "board": "chair", "bank": "bank", "console": "organizer"}[name]
    app = make(backend, **kwargs)
    app.view.login.code.value = info["codes"][code]
    app.view.login.button.click()
    assert app.model.logged_in, app.model.error
    assert app.view.login.code.value == ""


def test_signature_code_is_emptied_even_when_refused(store):
    from scoring.ui.expert import expert_app

    backend, info = store
    app = expert_app(backend, poll=False)
    app.view.login.code.value = info["codes"]["X03"]
    app.view.login.button.click()
    app.view.no_conflict.click()
    app.view.code.value = "wrong"
    app.view.confirm.click()
    assert app.model.error and app.view.code.value == ""
