"""Widgets shared by the dashboards: header with the language switch, message lines, login box,
periodic refresh, download links and small HTML tables.

Views hold widgets linked to a model (:mod:`scoring.ui.models`); every callback goes through
:func:`scoring.ui.errors.guard` so that an exception is shown, logged, and never lost.
"""

from __future__ import annotations

import asyncio
import base64
import html
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as w

from .errors import guard, log

PAGE_LAYOUT = w.Layout(max_width="1240px", width="100%", padding="4px")
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "pdf": "application/pdf",
}


def esc(value: Any) -> str:
    """HTML-escaped text of ``value`` (empty for None/NaN)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value))


def html_table(rows: Iterable[Iterable[Any]], header: Iterable[Any], *, cls: str = "") -> str:
    """A small HTML table (values escaped)."""
    head = "".join(f"<th style='padding:2px 8px;text-align:left'>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='padding:2px 8px'>{esc(v)}</td>" for v in r) + "</tr>"
        for r in rows
    )
    return (
        f"<table class='scoring-table {cls}' style='border-collapse:collapse;font-size:13px'>"
        f"<thead><tr style='background:#eef2f7'>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def download_link(filename: str, data: bytes, label: str) -> str:
    """An ``<a download>`` link carrying ``data`` as a data: URI (a browser download)."""
    ext = filename.rsplit(".", 1)[-1].lower()
    mime = MIME.get(ext, "application/octet-stream")
    b64 = base64.b64encode(data).decode("ascii")
    return (
        f"<a class='scoring-download' download='{esc(filename)}' "
        f"href='data:{mime};base64,{b64}' style='margin-right:12px'>{esc(label)}</a>"
    )


class Messages:
    """The error line (red) and the notice line of a page, linked to ``model.error/notice``."""

    def __init__(self, model: Any) -> None:
        self.error = w.HTML(layout=w.Layout(min_height="0"))
        self.notice = w.HTML()
        self.error.add_class("scoring-error")
        self.notice.add_class("scoring-notice")
        model.observe(self._on_error, "error")
        model.observe(self._on_notice, "notice")
        self.box = w.VBox([self.error, self.notice])

    def _on_error(self, change: dict) -> None:
        msg = change["new"]
        self.error.value = (
            f"<div role='alert' style='color:#b71c1c;font-weight:600'>⚠ {esc(msg)}</div>"
            if msg
            else ""
        )

    def _on_notice(self, change: dict) -> None:
        msg = change["new"]
        self.notice.value = f"<div style='color:#1b5e20'>{esc(msg)}</div>" if msg else ""


class Header:
    """Title and the 中文/English switch."""

    def __init__(self, model: Any, title_key: str) -> None:
        self.model = model
        self.title_key = title_key
        self.title = w.HTML()
        self.lang = w.Button(layout=w.Layout(width="90px"))
        self.lang.add_class("scoring-lang")
        self.lang.on_click(self.safe(lambda _b: model.toggle_lang()))
        model.observe(lambda _c: self.render(), "lang")
        self.box = w.HBox(
            [self.title, self.lang],
            layout=w.Layout(justify_content="space-between", align_items="center"),
        )
        self.render()

    def safe(self, func: Callable) -> Callable:
        """Guard a callback with the page's error line."""
        return guard(lambda msg: setattr(self.model, "error", msg), lambda: self.model.lang)(func)

    def render(self) -> None:
        self.title.value = f"<h2 style='margin:4px 0'>{esc(self.model.tr(self.title_key))}</h2>"
        self.lang.description = self.model.tr("lang.switch")


class LoginBox:
    """Access-code field and button; calls ``model.login``."""

    def __init__(self, model: Any, safe: Callable[[Callable], Callable]) -> None:
        self.model = model
        self.code = w.Password(layout=w.Layout(width="320px"))
        self.code.add_class("scoring-code")
        self.button = w.Button(button_style="primary")
        self.button.add_class("scoring-login")
        self.button.on_click(safe(self._login))
        self.box = w.HBox([self.code, self.button])
        model.observe(lambda _c: self.render(), "lang")
        self.render()

    def render(self) -> None:
        self.code.placeholder = self.model.tr("login.placeholder")
        self.code.description = self.model.tr("login.code")
        self.button.description = self.model.tr("login.button")

    def _login(self, _b: Any = None) -> None:
        if self.model.login(self.code.value):
            self.code.value = ""


def png_image(max_width: str) -> w.Image:
    """An image for a matplotlib chart, hidden until :func:`show_png` gives it one."""
    return w.Image(format="png", layout=w.Layout(max_width=max_width, display="none"))


def show_png(image: w.Image, data: bytes) -> None:
    """Show ``data`` in ``image``, or hide it when there is none (an empty Image shows as a
    broken picture)."""
    image.value = data
    image.layout.display = None if data else "none"


def weight_handler(model: Any, key: str) -> Callable[[dict], None]:
    """An observer passing a weight slider's new value to ``model.set_weight(key, value)``."""

    def handler(change: dict) -> None:
        model.set_weight(key, change["new"])

    handler.__name__ = f"on_weight_{key}"
    return handler


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


def build_app(model_cls: type, view_cls: type, backend: Any, *, lang: str, poll: bool) -> w.Widget:
    """Assemble a dashboard: model over ``backend`` (default: the store, loaded lazily once the
    user starts typing the access code), its view, the periodic refresh when ``poll`` and the
    view has one. The root widget carries ``.model`` and ``.view`` for the widget tests."""
    lazy = None
    if backend is None:
        from .backend import LazyBackend

        backend = lazy = LazyBackend()
    model = model_cls(backend, lang=lang)
    view = view_cls(model)
    if poll and getattr(view, "poller", None) is not None:
        view.poller.start()
    if lazy is not None:
        lazy.warm_on_change(view.login.code)
    view.root.model = model  # type: ignore[attr-defined]
    view.root.view = view  # type: ignore[attr-defined]
    return view.root
