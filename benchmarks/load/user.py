"""One simulated expert: open the page, log in, declare no conflict, fill and confirm sheets, leave.

Every step waits for the state change the page shows (the widgets the kernel sends back), the
way a person waits for the screen: logged in = the conflicts step or the candidate list is
shown; saved = the "saved" line changed; confirmed = the score boxes are locked. An error line
shown by the page fails the user at once, with its text.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

from .protocol import KernelSession, LoadError, Page, parse_page

#: Seconds between two heartbeats of a page (the ``scoring`` template polls every 3 s).
HEARTBEAT_S = 3.0
_TAGS = re.compile(r"<[^>]+>")
#: The version in the "saved" line, in Chinese or English (``scoring.ui.i18n``: expert.saved).
_VERSION = re.compile(r"第 (\d+) 版|version (\d+)")


@dataclass
class Options:
    """What every simulated user does, and how long it waits."""

    sheets: int = 1
    timeout: float = 180.0
    think: float = 0.3
    #: Seconds from the first keystroke of the access code to the click on the login button.
    typing: float = 3.0
    heartbeat: bool = True
    seed: int = 0


@dataclass
class UserResult:
    """What one simulated user saw (seconds)."""

    name: str
    ok: bool = False
    error: str = ""
    step: str = ""
    kernel_id: str = ""
    html: float | None = None
    ready: float | None = None
    login: float | None = None
    saves: list[float] = field(default_factory=list)
    confirms: list[float] = field(default_factory=list)
    #: ``time.perf_counter()`` when the page became usable, and when each save began.
    ready_at: float | None = None
    save_at: list[float] = field(default_factory=list)
    #: Kernel messages received and widgets known when the expert was done.
    messages: int = 0
    widgets: int = 0


def http_client() -> Any:
    """A shared Tornado client without the default cap of 10 requests in flight."""
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=10_000)
    return AsyncHTTPClient()


async def fetch_page(server: str, notebook: str, timeout: float, source: str | None = None) -> Page:
    """GET ``/voila/render/<notebook>.ipynb`` like a browser (the whole streamed page), from
    the local address ``source``."""
    url = f"{server.rstrip('/')}/voila/render/{notebook}.ipynb"
    resp = await http_client().fetch(
        url,
        raise_error=False,
        connect_timeout=timeout,
        request_timeout=timeout,
        network_interface=source,
    )
    if resp.code == 599:
        raise LoadError(f"GET {url}: {resp.error}")
    html = resp.body.decode("utf-8", "replace")
    return parse_page(url, resp.code, html, resp.headers.get_list("Set-Cookie"), source)


async def heartbeat(page: Page, server: str) -> None:
    """What the page's script does every 3 s: ask whether its kernel lives."""
    url = f"{server.rstrip('/')}{page.base_url}scoring/api/alive/{page.kernel_id}"
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        await http_client().fetch(
            url,
            headers={"Cookie": page.cookie_header()},
            raise_error=False,
            request_timeout=30,
            network_interface=page.source,
        )


async def leave(ks: KernelSession, server: str, beacon: bool) -> None:
    """Close the tab: the websocket closes and, unless the device just died, the page posts
    its shutdown beacon (``_xsrf`` from its cookie)."""
    await ks.close()
    if not beacon:
        return
    page = ks.page
    url = f"{server.rstrip('/')}{page.base_url}voila/api/shutdown/{page.kernel_id}"
    await http_client().fetch(
        url,
        method="POST",
        body=f"_xsrf={page.cookies.get('_xsrf', '')}",
        headers={
            "Cookie": page.cookie_header(),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        raise_error=False,
        request_timeout=30,
        network_interface=page.source,
    )


def page_error(ks: KernelSession) -> str:
    """The text of the page's error line (empty when none)."""
    for mid in ks.with_class("scoring-error"):
        text = _TAGS.sub("", str(ks.widgets[mid].get("value") or "")).strip()
        if text:
            return text
    return ""


def _checked(ks: KernelSession, found: Any) -> Any:
    err = page_error(ks)
    if err:
        raise LoadError(f"the page shows an error: {err}")
    return found


async def open_page(
    server: str, notebook: str, timeout: float, result: UserResult, source: str | None = None
) -> KernelSession:
    """Open a page until its login button is shown and enabled (the page is usable)."""
    t0 = time.perf_counter()
    result.step = "page"
    page = await fetch_page(server, notebook, timeout, source)
    result.html = time.perf_counter() - t0
    result.kernel_id = page.kernel_id
    result.step = "websocket"
    ks = KernelSession(page, server)
    await ks.connect(timeout)
    result.step = "widgets"
    await ks.load_widgets(timeout)

    def usable() -> str | None:
        mid = ks.visible("scoring-login")
        return mid if mid and not ks.widgets[mid].get("disabled") else None

    await ks.wait_for(usable, timeout, "login button")
    result.ready_at = time.perf_counter()
    result.ready = result.ready_at - t0
    return ks


def _scale(placeholder: str) -> tuple[float, float]:
    nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", placeholder or "")]
    return (nums[0], nums[1]) if len(nums) >= 2 else (0.0, 100.0)


async def _timed(ks: KernelSession, act: Any, done: Any, timeout: float, what: str) -> float:
    t0 = time.perf_counter()
    act()
    await ks.wait_for(lambda: _checked(ks, done()), timeout, what)
    return time.perf_counter() - t0


def _version(ks: KernelSession, saved: str) -> int:
    """The sheet version the "saved" line reports (0 when it shows none)."""
    found = _VERSION.search(str(ks.widgets[saved].get("value") or ""))
    return int(found.group(1) or found.group(2)) if found else 0


def _card(ks: KernelSession) -> str | None:
    """The model id of the candidate card (the HTML widget showing ``scoring-card``)."""
    shown = ks.shown()
    return next((m for m in shown if "scoring-card" in str(ks.widgets[m].get("value") or "")), None)


def _is_score(ks: KernelSession, model_id: str) -> bool:
    return any(
        c.startswith("scoring-score-") for c in ks.widgets[model_id].get("_dom_classes") or ()
    )


async def run_expert(
    server: str,
    name: str,
    code: str,
    opts: Options,
    *,
    stay: asyncio.Event,
    finished: asyncio.Queue,
    source: str | None = None,
    beacon: bool = True,
) -> UserResult:
    """One expert from opening the page to closing it; never raises (errors are in the result).

    Parameters
    ----------
    server : str
        ``http://host:port`` of a server or of the proxy.
    name, code : str
        The expert's login and access code.
    opts : Options
    stay : asyncio.Event
        Once done, the expert keeps the page open (heartbeat running) until it is set.
    finished : asyncio.Queue
        Receives the result as soon as the expert is done (before leaving).
    source : str, optional
        Local address the device connects from.
    beacon : bool
        Leave like a closed tab (shutdown beacon), or vanish like a dead tablet (the kernel
        is culled later).
    """
    result = UserResult(name)
    rng = random.Random(f"{opts.seed}:{name}")
    ks: KernelSession | None = None
    beat: asyncio.Task | None = None
    try:
        ks = await open_page(server, "expert", opts.timeout, result, source)
        if opts.heartbeat:
            beat = asyncio.get_running_loop().create_task(heartbeat(ks.page, server))
        await asyncio.sleep(opts.think * rng.random())
        await work(ks, rng, code, opts, result)
        result.ok = True
        result.step = "done"
        result.messages, result.widgets = ks.received, len(ks.widgets)
    except LoadError as exc:
        result.error = str(exc)
    except Exception as exc:  # a refused handshake, a reset connection, ...
        result.error = f"{type(exc).__name__}: {exc}"
    finished.put_nowait(result)
    try:
        await stay.wait()
    finally:
        if beat is not None:
            beat.cancel()
        if ks is not None:
            await leave(ks, server, beacon)
    return result


async def work(
    ks: KernelSession, rng: random.Random, code: str, opts: Options, result: UserResult
) -> None:
    """Log in, declare no conflict, then fill and confirm ``opts.sheets`` sheets."""
    result.step = "login"
    box = ks.visible("scoring-code")
    ks.update(box, value=code[:1])  # the first keystroke (the page starts loading the store)
    await asyncio.sleep(opts.typing)
    ks.update(box, value=code)
    result.login = await _timed(
        ks,
        lambda: ks.click(ks.visible("scoring-login")),
        lambda: ks.visible("scoring-no-conflict") or ks.visible("scoring-candidates"),
        opts.timeout,
        "login",
    )
    if ks.visible("scoring-no-conflict"):
        result.step = "conflicts"
        await _timed(
            ks,
            lambda: ks.click(ks.visible("scoring-no-conflict")),
            lambda: ks.visible("scoring-candidates"),
            opts.timeout,
            "no conflict",
        )
    select = ks.visible("scoring-candidates")
    n_cands = len(ks.widgets[select].get("_options_labels") or ())
    for k in range(min(opts.sheets, n_cands)):
        if k:
            result.step = "select"
            card = _card(ks)
            before = ks.widgets[card].get("value") if card else None
            ks.update(select, index=k)
            saved = ks.one("scoring-saved")  # emptied for the new sheet, after the card
            await ks.wait_for(
                lambda k=k, card=card, before=before, saved=saved: (
                    ks.widgets[select].get("index") == k
                    and (card is None or ks.widgets[card].get("value") != before)
                    and not ks.widgets[saved].get("value")
                ),
                opts.timeout,
                "next candidate",
            )
        await _fill_and_confirm(ks, rng, code, opts, result)


async def _fill_and_confirm(
    ks: KernelSession, rng: random.Random, code: str, opts: Options, result: UserResult
) -> None:
    saved = ks.one("scoring-saved")
    shown = ks.shown()
    boxes = sorted(m for m in shown if _is_score(ks, m))
    if not boxes:
        raise LoadError("no score box shown")
    for box in boxes:
        lo, hi = _scale(ks.widgets[box].get("placeholder", ""))
        value = f"{rng.randint(int(lo), int(hi)):g}"
        before = _version(ks, saved)
        result.step = "save"
        result.save_at.append(time.perf_counter())
        result.saves.append(
            await _timed(
                ks,
                lambda box=box, value=value: ks.update(box, value=value),
                lambda before=before: _version(ks, saved) > before,
                opts.timeout,
                "draft save",
            )
        )
        await asyncio.sleep(opts.think * rng.random())
    result.step = "confirm"
    ks.update(ks.one("scoring-confirm-code"), value=code)
    result.confirms.append(
        await _timed(
            ks,
            lambda: ks.click(ks.one("scoring-confirm")),
            lambda: all(ks.widgets[b].get("disabled") for b in boxes),
            opts.timeout,
            "confirm",
        )
    )
