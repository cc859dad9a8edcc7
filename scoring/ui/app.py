"""Assembling a dashboard: its model over a backend, its view, and the periodic refresh."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from .errors import log


class Poller:
    """Call ``func`` every ``interval`` seconds on the kernel's event loop (no-op outside one)."""

    def __init__(self, func: Callable[[], Any], interval: float = 1.0) -> None:
        self.func = func
        self.interval = interval
        self.task: asyncio.Task | None = None

    def start(self) -> bool:
        """Start polling; False when no event loop is running (plain pytest)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        if self.task is None or self.task.done():
            self.task = loop.create_task(self._run())
        return True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.func()
            except Exception:
                log.exception("periodic refresh failed")

    def stop(self) -> None:
        """Stop polling."""
        if self.task is not None:
            self.task.cancel()
            self.task = None


def build_app(
    model_cls: type,
    view_cls: type,
    backend: Any,
    *,
    lang: str,
    poll: bool,
    default: Callable[[], Any] | None = None,
) -> w.Widget:
    """Assemble a dashboard: model over ``backend`` (default: ``default()`` if it gives one,
    else the store, loaded lazily; either warmed once the user starts typing the access code),
    its view, the periodic refresh when ``poll`` and the view has one. The root widget carries
    ``.model`` and ``.view`` for the widget tests."""
    chosen = None
    if backend is None:
        from .backend import LazyBackend

        backend = chosen = (default() if default is not None else None) or LazyBackend()
    model = model_cls(backend, lang=lang)
    view = view_cls(model)
    if poll and getattr(view, "poller", None) is not None:
        view.poller.start()
    if chosen is not None:
        chosen.warm_on_change(view.login.code)
    view.root.model = model  # type: ignore[attr-defined]
    view.root.view = view  # type: ignore[attr-defined]
    return view.root
