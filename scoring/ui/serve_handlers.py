"""The Tornado handlers :mod:`scoring.ui.serve` puts in place of, or around, Voila's.

* The **page handler** (``/voila/render/<name>.ipynb``) sets the ``_xsrf`` cookie the shutdown
  beacon sends, admits the page under the kernel caps (else answers the "server busy" page),
  sets the page's secret cookie and binds the kernel it starts to it
  (:class:`scoring.ui.serve_guard.KernelGuard`); its kernel starts when the start-up queue
  gives it a turn (:class:`scoring.ui.serve_queue.StartQueue`), held until the page is sent.
* Every handler whose URL names a kernel (its websocket, ``/api/kernels/<id>``, the shutdown
  beacon) refuses (403) a request without that kernel's page cookie.
* ``/voila/api/shutdown/<id>`` answers 204 for a kernel already gone (culled).
* ``/scoring/api/alive/<id>`` tells the page's heartbeat whether its kernel lives, and its
  process generation (to the page only).

Handler classes are built lazily by :func:`build_handlers` (jupyter_server is heavy to import).
"""

from __future__ import annotations

import hashlib
import inspect
import json
from dataclasses import dataclass
from typing import Any

from .serve_guard import (
    RETRY_AFTER,
    KernelGuard,
    Reservation,
    busy_page,
    busy_status,
    redact_ids,
)
from .serve_queue import Slot, StartQueue
from .session import CLIENT_ENV

#: Key of the :class:`KernelGuard` in the Tornado application's settings.
GUARD_SETTING = "scoring_guard"
#: Key of the :class:`~scoring.ui.serve_queue.StartQueue` in the settings.
QUEUE_SETTING = "scoring_start_queue"
#: Body of a refused kernel request (403).
REFUSED = json.dumps(
    {
        "message": "此页面的计算内核只能由打开它的浏览器使用。"
        " This page's kernel can be used only by the browser that opened the page.",
        "reason": "not the page's browser",
    },
    ensure_ascii=False,
)


def kernel_generation(kernel: Any) -> str:
    """An opaque id of the kernel's current process (changes when the kernel is restarted)."""
    pid = getattr(getattr(kernel, "provisioner", None), "pid", None)
    if pid is None:
        pid = getattr(getattr(kernel, "provisioner", None), "process", None)
        pid = getattr(pid, "pid", None)
    return hashlib.sha256(f"{id(kernel)}:{pid}".encode()).hexdigest()[:12]


class BindingKernelManager:
    """The kernel manager as one page handler sees it: the kernel it starts (or is handed from
    the preheated pool) is bound to that page's reservation, and starts when the start-up queue
    gives the page (``holder``, which keeps the turn in ``_scoring_slot``) its turn. Everything
    else is delegated."""

    def __init__(
        self,
        km: Any,
        guard: KernelGuard,
        res: Reservation,
        queue: StartQueue | None = None,
        holder: Any = None,
    ) -> None:
        self._km = km
        self._guard = guard
        self._res = res
        self._queue = queue
        self._holder = holder

    def __getattr__(self, name: str) -> Any:
        return getattr(self._km, name)

    def __contains__(self, kernel_id: object) -> bool:
        return kernel_id in self._km

    def __len__(self) -> int:
        return len(self._km)

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        """Start a kernel and bind it to the page; the kernel's environment names the page's
        client address (``SCORING_CLIENT``), which the page passes to the store's login so that
        failed logins are throttled and audited per client too."""
        kwargs["env"] = {**(kwargs.get("env") or {}), CLIENT_ENV: self._res.client}
        holder = self._holder
        if self._queue is not None and holder is not None and holder._scoring_slot is None:
            holder._scoring_slot = await self._queue.acquire()
        try:
            result = self._km.start_kernel(*args, **kwargs)
            kernel_id = await result if inspect.isawaitable(result) else result
        except BaseException:
            if holder is not None and holder._scoring_slot is not None:
                holder._scoring_slot.release()  # no kernel: the next page's turn
            raise
        self._guard.bind(self._res, kernel_id)
        return kernel_id

    async def get_rendered_notebook(self, *args: Any, **kwargs: Any) -> Any:
        """Take a preheated kernel (Voila ``preheat_kernel``) and bind it to the page."""
        out = await self._km.get_rendered_notebook(*args, **kwargs)
        self._guard.bind(self._res, out[2])
        return out


@dataclass(frozen=True)
class Handlers:
    """The handler classes and class wrappers :func:`build_handlers` makes."""

    shutdown: type
    alive: type
    with_xsrf: Any
    guarded_page: Any
    kernel_bound: Any


def _kernel_id_of(handler: Any) -> str:
    kernel_id = handler.path_kwargs.get("kernel_id")
    if kernel_id is None and handler.path_args:
        kernel_id = handler.path_args[0]
    return kernel_id or ""


def _holds(handler: Any, kernel_id: str) -> bool:
    """Whether the request carries the page cookie of ``kernel_id``."""
    return handler.settings[GUARD_SETTING].holds(kernel_id, handler.request.cookies)


def build_handlers() -> Handlers:
    """Build the handler classes (imports jupyter_server and Voila)."""
    from jupyter_core.utils import ensure_async
    from jupyter_server.base.handlers import APIHandler
    from tornado import web
    from tornado.websocket import WebSocketHandler
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler

    class ShutdownHandler(VoilaShutdownKernelHandler):
        """Shut a page's kernel down; 204 also when it is already gone (culled)."""

        @web.authenticated
        async def post(self, kernel_id: str) -> None:
            if kernel_id in self.kernel_manager:
                await ensure_async(self.kernel_manager.shutdown_kernel(kernel_id))
            self.set_status(204)
            self.finish()

    class AliveHandler(APIHandler):
        """``GET /scoring/api/alive/<kernel>`` -> ``{"alive": bool, "generation": str}``; the
        generation only to the page holding the kernel (others get ``alive`` alone)."""

        _track_activity = False

        @web.authenticated
        async def get(self, kernel_id: str) -> None:
            km = self.kernel_manager
            if kernel_id not in km:
                raise web.HTTPError(404)
            kernel = km.get_kernel(kernel_id)
            reply: dict[str, Any] = {"alive": bool(await ensure_async(kernel.is_alive()))}
            if _holds(self, kernel_id):
                reply["generation"] = kernel_generation(kernel)
            self.finish(reply)

    def with_xsrf(cls: type) -> type:
        """Subclass of a page handler that sets the ``_xsrf`` cookie the shutdown beacon sends."""

        class Handler(cls):  # type: ignore[misc, valid-type]
            async def prepare(self, *args: Any, **kwargs: Any) -> Any:
                result = await ensure_async(super().prepare(*args, **kwargs))
                _ = self.xsrf_token  # side effect: Set-Cookie _xsrf
                return result

        Handler.__name__ = cls.__name__ + "WithXsrf"
        return Handler

    def guarded_page(cls: type) -> type:
        """Subclass of Voila's page handler: ``_xsrf`` cookie, kernel caps, page cookie and
        kernel binding."""

        class Handler(cls):  # type: ignore[misc, valid-type]
            _scoring_res: Reservation | None = None
            _scoring_slot: Slot | None = None

            @property
            def kernel_manager(self) -> Any:
                km = self.settings["kernel_manager"]
                if self._scoring_res is None:
                    return km
                return BindingKernelManager(
                    km,
                    self.settings[GUARD_SETTING],
                    self._scoring_res,
                    self.settings.get(QUEUE_SETTING),
                    self,
                )

            async def prepare(self, *args: Any, **kwargs: Any) -> Any:
                result = await ensure_async(super().prepare(*args, **kwargs))
                _ = self.xsrf_token  # side effect: Set-Cookie _xsrf
                if self._finished or self.request.method != "GET":
                    return result
                self._admit()
                return result

            def _admit(self) -> None:
                guard: KernelGuard = self.settings[GUARD_SETTING]
                req = self.request
                client = guard.client_address(
                    req.remote_ip, req.headers.get_list("X-Forwarded-For")
                )
                if guard.ignored_forwarded_for(req.remote_ip, req.headers.get("X-Forwarded-For")):
                    self.log.warning(
                        "X-Forwarded-For from %s ignored: not a trusted proxy (scoring serve "
                        "--trusted-proxy); its clients share one per-client kernel cap",
                        req.remote_ip,
                    )
                km = self.settings["kernel_manager"]
                outcome = guard.admit(client, km, len(km))
                path = self.base_url or "/"
                for name in guard.stale_cookies(req.cookies.keys()):
                    self.clear_cookie(name, path=path)
                if isinstance(outcome, str):
                    self.log.warning(
                        "page refused, %s kernel cap reached (client %s)", outcome, client
                    )
                    self.set_status(busy_status(outcome))
                    self.set_header("Retry-After", str(RETRY_AFTER))
                    self.set_header("Cache-Control", "no-store")
                    self.set_header("Content-Type", "text/html; charset=UTF-8")
                    self.finish(busy_page(outcome))
                    return
                self._scoring_res = outcome
                proto = guard.forwarded_proto(req.remote_ip, req.headers.get("X-Forwarded-Proto"))
                self.set_cookie(
                    outcome.cookie_name,
                    outcome.secret,
                    path=path,
                    httponly=True,
                    samesite="Strict",
                    secure=(proto or req.protocol) == "https",
                )

            def on_finish(self) -> None:
                self.settings[GUARD_SETTING].release(self._scoring_res)
                if self._scoring_slot is not None:  # the notebook has run: the next page starts
                    self._scoring_slot.release()
                super().on_finish()

        Handler.__name__ = cls.__name__ + "GuardedWithXsrf"
        return Handler

    def kernel_bound(cls: type) -> type:
        """Subclass of a handler whose URL names a kernel: a live kernel is refused (403) to a
        request without its page cookie."""

        class Handler(cls):  # type: ignore[misc, valid-type]
            async def prepare(self, *args: Any, **kwargs: Any) -> Any:
                result = super().prepare(*args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
                if self._finished:
                    return result
                kernel_id = _kernel_id_of(self)
                if kernel_id in self.settings["kernel_manager"] and not _holds(self, kernel_id):
                    self.log.warning(
                        "refused %s %s: not the page that opened this kernel",
                        self.request.method,
                        redact_ids(self.request.path),
                    )
                    # answered here, not raised: the websocket handler's error page needs
                    # settings Voila does not have
                    self.set_status(403)
                    self.set_header("Content-Type", "application/json")
                    self.finish(REFUSED)
                return result

        if issubclass(cls, WebSocketHandler):

            class Handler(Handler):  # type: ignore[no-redef]
                def open(self, *args: Any, **kwargs: Any) -> Any:
                    """Open the websocket with Nagle's algorithm off (jupyter_server leaves it
                    on): a save's answer is several small frames, and each one after the first
                    waited for the browser's delayed acknowledgement of the one before."""
                    self.set_nodelay(True)
                    return super().open(*args, **kwargs)

        Handler.__name__ = cls.__name__ + "KernelBound"
        return Handler

    return Handlers(
        shutdown=ShutdownHandler,
        alive=AliveHandler,
        with_xsrf=with_xsrf,
        guarded_page=guarded_page,
        kernel_bound=kernel_bound,
    )
