"""The browser's side of a Voila page, without a browser: HTTP page, kernel websocket, widgets.

What a Voila 0.5 page does once its HTML has arrived, and what is done here the same way:

1. The HTML carries ``jupyter-config-data`` (the kernel id, the base URL) and the cell output
   ``application/vnd.jupyter.widget-view+json`` (the root widget's model id); the response sets
   the page's cookies (``_xsrf``, the user cookie and ``scoring_page_<tag>``, the page secret).
2. The page opens ``/api/kernels/<id>/channels?session_id=...`` with those cookies (the server
   refuses the handshake without the page's cookie), sends ``kernel_info_request``, opens the
   ``jupyter.widget.control`` comm and sends ``{"method": "request_states"}``; the kernel answers
   ``update_states`` with every widget's state.
3. Typing is a ``comm_msg`` ``{"method": "update", "state": {...}}`` to the widget's comm (its
   model id); a click is ``{"method": "custom", "content": {"event": "click"}}``. The kernel sends
   its changes back as ``comm_open`` (new widgets) and ``comm_msg`` ``update``/``echo_update``.
4. Closing the tab posts the shutdown beacon ``/voila/api/shutdown/<id>`` with ``_xsrf``.

Messages use the framing the page's own client (``@jupyterlab/services``) asks for first: the
``v1.kernel.websocket.jupyter.org`` subprotocol, in which the server relays the kernel's message
parts as they are (one binary frame: offsets, channel, header, parent header, metadata, content,
buffers) instead of parsing and re-encoding each message as JSON. A server that does not offer
it gets jupyter_server's legacy framing (a JSON text frame, or offsets + JSON + buffers).
"""

from __future__ import annotations

import asyncio
import json
import re
import struct
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

PROTOCOL_VERSION = "5.3"
#: The websocket subprotocol the browser's kernel client offers (and jupyter_server selects).
WS_V1 = "v1.kernel.websocket.jupyter.org"
WIDGET_TARGET = "jupyter.widget"
CONTROL_TARGET = "jupyter.widget.control"
#: ipywidgets 8's control protocol (``comm_open`` metadata; the kernel checks the major).
CONTROL_VERSION = "1.0.0"
_CONFIG_RE = re.compile(
    r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S
)
_VIEW_RE = re.compile(r'"application/vnd\.jupyter\.widget-view\+json":\s*\{"model_id":\s*"(\w+)"')


class LoadError(RuntimeError):
    """A simulated user's step failed (refused, timed out, or the page showed an error)."""


@dataclass
class Page:
    """A rendered Voila page as the browser received it."""

    url: str
    status: int
    kernel_id: str
    base_url: str
    root_model: str
    cookies: dict[str, str] = field(default_factory=dict)
    html_bytes: int = 0
    #: Local address the simulated device connects from (one per user: each tablet is its
    #: own client for the server's per-client kernel cap), or None.
    source: str | None = None

    def cookie_header(self) -> str:
        """The ``Cookie`` header a browser would send back to this server."""
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def parse_page(
    url: str, status: int, html: str, set_cookies: Iterable[str], source: str | None = None
) -> Page:
    """The kernel id, base URL and root widget of a page's HTML, with the cookies it set.

    Raises
    ------
    LoadError
        When the HTML is not a rendered dashboard (a busy page, an error page).
    """
    cookies: dict[str, str] = {}
    for header in set_cookies:
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            cookies[name] = morsel.value
    config = _CONFIG_RE.search(html)
    view = _VIEW_RE.search(html)
    if status != 200 or config is None or view is None:
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        raise LoadError(
            f"no dashboard at {url}: HTTP {status}, {title.group(1).strip() if title else 'no title'}"
        )
    cfg = json.loads(config.group(1))
    base = cfg.get("baseUrl") or "/"
    return Page(url, status, cfg["kernelId"], base, view.group(1), cookies, len(html), source)


def decode_frame(frame: str | bytes, v1: bool = False) -> dict[str, Any]:
    """One kernel message from a websocket frame: the ``v1`` subprotocol's binary framing, or
    the legacy one (JSON text, or offsets + JSON + buffers)."""
    if v1:
        count = int.from_bytes(frame[:8], "little")
        offsets = [int.from_bytes(frame[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
        parts = [frame[offsets[i] : offsets[i + 1]] for i in range(count - 1)]
        # the last offset is the frame's end; parts: channel, header, parent header, metadata, content, buffers...
        names = ("header", "parent_header", "metadata", "content")
        msg = {name: json.loads(part) for name, part in zip(names, parts[1:5], strict=True)}
        msg["channel"] = parts[0].decode("utf-8")
        msg["buffers"] = parts[5:]
        return msg
    if isinstance(frame, str):
        return json.loads(frame)
    (n,) = struct.unpack("!I", frame[:4])
    offsets = struct.unpack(f"!{n}I", frame[4 : 4 + 4 * n])
    end = offsets[1] if n > 1 else len(frame)
    msg = json.loads(frame[offsets[0] : end].decode("utf-8"))
    msg["buffers"] = [
        frame[a:b] for a, b in zip(offsets[1:], [*offsets[2:], len(frame)], strict=True)
    ]
    return msg


def encode_v1(msg: dict[str, Any]) -> bytes:
    """A message in the ``v1`` subprotocol's framing (as ``@jupyterlab/services`` sends it)."""
    parts = [msg["channel"].encode("utf-8")]
    for name in ("header", "parent_header", "metadata", "content"):
        parts.append(json.dumps(msg[name]).encode("utf-8"))
    parts.extend(msg.get("buffers") or [])
    offsets = [8 * (1 + len(parts) + 1)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + b"".join(parts)


class KernelSession:
    """One page's websocket to its kernel, and the widget states it has learnt.

    Parameters
    ----------
    page : Page
        The page (kernel id, cookies).
    server : str
        ``http://host:port`` of the server or proxy.
    """

    def __init__(self, page: Page, server: str) -> None:
        self.page = page
        self.server = server.rstrip("/")
        self.session = uuid.uuid4().hex
        self.widgets: dict[str, dict[str, Any]] = {}
        self.ws: Any = None
        self._replies: dict[str, asyncio.Future] = {}
        self._changed = asyncio.Event()
        self._reader: asyncio.Task | None = None
        self.closed_reason: str | None = None
        self.received = 0
        self.v1 = False

    # -- connection ------------------------------------------------------------------------
    async def connect(self, timeout: float) -> None:
        """Open the websocket with the page's cookies (as the browser does) and read it."""
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        split = urlsplit(self.server)
        scheme = "wss" if split.scheme == "https" else "ws"
        query = urlencode({"session_id": self.session})
        url = (
            f"{scheme}://{split.netloc}{self.page.base_url}api/kernels/"
            f"{self.page.kernel_id}/channels?{query}"
        )
        req = HTTPRequest(
            url,
            headers={"Cookie": self.page.cookie_header(), "Origin": self.server},
            connect_timeout=timeout,
            request_timeout=timeout,
            network_interface=self.page.source,
        )
        self.ws = await websocket_connect(req, max_message_size=64 * 2**20, subprotocols=[WS_V1])
        self.v1 = self.ws.selected_subprotocol == WS_V1
        self.ws.protocol.set_nodelay(True)  # as browsers do (TCP_NODELAY on every socket)
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        while True:
            frame = await self.ws.read_message()
            if frame is None:
                self.closed_reason = f"websocket closed ({self.ws.close_code})"
                self._changed.set()
                for fut in self._replies.values():
                    if not fut.done():
                        fut.set_exception(LoadError(self.closed_reason))
                return
            self.received += 1
            self._dispatch(decode_frame(frame, self.v1))

    def _dispatch(self, msg: dict[str, Any]) -> None:
        kind = msg.get("msg_type") or msg["header"]["msg_type"]
        content = msg.get("content") or {}
        parent = (msg.get("parent_header") or {}).get("msg_id")
        if kind == "comm_open" and content.get("target_name") == WIDGET_TARGET:
            data = content.get("data") or {}
            self.widgets[content["comm_id"]] = dict(data.get("state") or {})
            self._changed.set()
        elif kind == "comm_msg":
            data = content.get("data") or {}
            method = data.get("method")
            if method in ("update", "echo_update"):
                self.widgets.setdefault(content["comm_id"], {}).update(data.get("state") or {})
                self._changed.set()
            elif method == "update_states":
                for model_id, entry in (data.get("states") or {}).items():
                    self.widgets.setdefault(model_id, {}).update(entry.get("state") or {})
                self._changed.set()
        elif kind == "comm_close":
            self.widgets.pop(content.get("comm_id"), None)
            self._changed.set()
        if parent in self._replies and kind in ("kernel_info_reply", "comm_msg", "comm_info_reply"):
            fut = self._replies.pop(parent)
            if not fut.done():
                fut.set_result(msg)

    def send(
        self,
        msg_type: str,
        content: dict[str, Any],
        *,
        metadata: dict[str, Any] | None = None,
        expect_reply: bool = False,
    ) -> Any:
        """Send a shell message; with ``expect_reply`` return a future of its reply (or of the
        first ``comm_msg`` the kernel sends in answer)."""
        msg_id = uuid.uuid4().hex
        msg = {
            "header": {
                "msg_id": msg_id,
                "msg_type": msg_type,
                "username": "load",
                "session": self.session,
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "version": PROTOCOL_VERSION,
            },
            "parent_header": {},
            "metadata": metadata or {},
            "content": content,
            "buffers": [],
            "channel": "shell",
        }
        fut = None
        if expect_reply:
            fut = asyncio.get_running_loop().create_future()
            self._replies[msg_id] = fut
        if self.closed_reason:
            raise LoadError(self.closed_reason)
        if self.v1:
            self.ws.write_message(encode_v1(msg), binary=True)
        else:
            self.ws.write_message(json.dumps(msg))
        return fut

    async def load_widgets(self, timeout: float) -> None:
        """What the page's widget manager does first: kernel info, then every widget's state
        through the control comm (``request_states`` -> ``update_states``)."""
        await asyncio.wait_for(self.send("kernel_info_request", {}, expect_reply=True), timeout)
        control = uuid.uuid4().hex
        self.send(
            "comm_open",
            {"comm_id": control, "target_name": CONTROL_TARGET, "data": {}},
            metadata={"version": CONTROL_VERSION},
        )
        reply = self.send(
            "comm_msg",
            {"comm_id": control, "data": {"method": "request_states"}},
            expect_reply=True,
        )
        await asyncio.wait_for(reply, timeout)
        self.send("comm_close", {"comm_id": control, "data": {}})

    async def close(self) -> None:
        """Close the websocket (the tab goes away)."""
        if self.ws is not None:
            self.ws.close()
        if self._reader is not None:
            self._reader.cancel()

    # -- widgets ---------------------------------------------------------------------------
    def update(self, model_id: str, **state: Any) -> None:
        """Type into a widget: its new state, as the browser's model sends it."""
        self.widgets.setdefault(model_id, {}).update(state)
        self.send(
            "comm_msg",
            {"comm_id": model_id, "data": {"method": "update", "state": state, "buffer_paths": []}},
        )

    def click(self, model_id: str) -> None:
        """Click a button."""
        self.send(
            "comm_msg",
            {"comm_id": model_id, "data": {"method": "custom", "content": {"event": "click"}}},
        )

    def with_class(self, css: str) -> list[str]:
        """Model ids of the widgets carrying ``css`` (``add_class``), in no particular order."""
        return [k for k, s in self.widgets.items() if css in (s.get("_dom_classes") or ())]

    def one(self, css: str) -> str:
        """The model id of the one widget with ``css`` (``LoadError`` if none)."""
        found = self.with_class(css)
        if not found:
            raise LoadError(f"no widget with class {css!r}")
        return found[0]

    def shown(self) -> set[str]:
        """Model ids reachable from the page's root widget through ``children`` (what is on
        the page now; hidden boxes swapped out of a container are not)."""
        seen: set[str] = set()
        todo = [self.page.root_model]
        while todo:
            mid = todo.pop()
            if mid in seen or mid not in self.widgets:
                continue
            seen.add(mid)
            for child in self.widgets[mid].get("children") or ():
                if isinstance(child, str) and child.startswith("IPY_MODEL_"):
                    todo.append(child[len("IPY_MODEL_") :])
        return seen

    def visible(self, css: str) -> str | None:
        """The model id of a shown widget with ``css``, else None."""
        shown = self.shown()
        return next((m for m in self.with_class(css) if m in shown), None)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Wait until ``predicate()`` is truthy (checked after every change the kernel sends);
        ``LoadError`` naming ``what`` after ``timeout`` seconds or when the socket closes."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if self.closed_reason:
                raise LoadError(f"{what}: {self.closed_reason}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise LoadError(f"{what}: no answer within {timeout:.0f} s")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                pass
