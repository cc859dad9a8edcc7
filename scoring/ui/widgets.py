"""Widgets shared by the dashboards: header with the language switch, message lines, login box,
chart images, the weight-slider handler and the search box of a long pick list.

Views hold widgets linked to a model (``scoring.ui.<name>.model``); every callback goes through
:func:`scoring.ui.errors.guard` so that an exception is shown, logged, and never lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from .errors import guard
from .markup import esc

PAGE_LAYOUT = w.Layout(max_width="1240px", width="100%", padding="4px")


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
        self.logout = w.Button(icon="sign-out", layout=w.Layout(width="auto", display="none"))
        self.logout.add_class("scoring-logout")
        self.logout.on_click(self.safe(lambda _b: model.logout()))
        self.who = w.HTML()
        model.observe(lambda _c: self.render(), ["lang", "logged_in", "user_name"])
        self.box = w.HBox(
            [
                self.title,
                w.HBox([self.who, self.logout, self.lang], layout=w.Layout(align_items="center")),
            ],
            layout=w.Layout(justify_content="space-between", align_items="center"),
        )
        self.render()

    def safe(self, func: Callable) -> Callable:
        """Guard a callback with the page's error line."""
        return guard(lambda msg: setattr(self.model, "error", msg), lambda: self.model.lang)(func)

    def render(self) -> None:
        m = self.model
        self.title.value = f"<h2 style='margin:4px 0'>{esc(m.tr(self.title_key))}</h2>"
        self.lang.description = m.tr("lang.switch")
        self.logout.description = m.tr("logout.button")
        inside = bool(getattr(m, "logged_in", False))
        self.logout.layout.display = None if inside else "none"
        self.who.value = f"<small>{esc(m.user_name)}</small>" if inside else ""


class LoginBox:
    """Access-code field and button; calls ``model.login``.

    The field is emptied after every attempt, accepted or refused: a widget's value lives in
    the kernel's widget state, and a typed code (or a near miss of one) must not stay there.
    """

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
        code, self.code.value = self.code.value, ""
        self.model.login(code)


class PageView:
    """What every dashboard view starts with: its model, the header with the language switch,
    the message lines and the login box.

    Parameters
    ----------
    model : BaseModel
        The page's model (:class:`scoring.ui.session.BaseModel`).
    title_key : str
        The i18n key of the page title.
    """

    def __init__(self, model: Any, title_key: str) -> None:
        self.model = model
        self.header = Header(model, title_key)
        #: Guard a callback with the page's error line.
        self.safe = self.header.safe
        self.messages = Messages(model)
        self.login = LoginBox(model, self.safe)
        #: What to do on this page (``help.<page>`` of the i18n table), folded under the header.
        self.help = w.HTML()
        self.help.add_class("scoring-help")
        self._help_key = "help." + title_key.removeprefix("app.")
        model.observe(lambda _c: self._render_help(), "lang")
        self._render_help()
        children = list(self.header.box.children)
        self.header.box.children = [w.VBox([children[0], self.help]), *children[1:]]

    def _render_help(self) -> None:
        m = self.model
        text = m.tr(self._help_key)
        self.help.value = (
            ""
            if text == self._help_key
            else f"<details style='font-size:13px;color:#444'><summary>{esc(m.tr('help.title'))}"
            f"</summary><div style='max-width:900px'>{esc(text)}</div></details>"
        )


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


def _pairs(options: Any) -> list[tuple[str, Any]]:
    """``options`` of a selection widget as ``(label, value)`` pairs."""
    out = []
    for o in options or ():
        if isinstance(o, (tuple, list)) and len(o) == 2:
            out.append((str(o[0]), o[1]))
        else:
            out.append((str(o), o))
    return out


def matching(options: Any, query: str) -> list[tuple[str, Any]]:
    """The ``(label, value)`` options whose label holds ``query`` (case-insensitive; every
    option for an empty query)."""
    q = str(query or "").strip().casefold()
    pairs = _pairs(options)
    return pairs if not q else [p for p in pairs if q in p[0].casefold()]


class FilteredSelect:
    """A search box above a ``Select``, ``SelectMultiple`` or ``Dropdown`` of a long list (50+
    projects): typing keeps only the options whose label holds the text (case-insensitive).

    The widget's options are set with :meth:`set_options` (all of them); the filter shows the
    matching ones. A chosen value is kept while it matches; a ``SelectMultiple`` also keeps
    chosen values that do not match, listed first, so that searching for the next project never
    drops the ones already picked. A ``Dropdown`` takes the first match when its value no longer
    matches (typing a project's number picks it).

    Parameters
    ----------
    select : ipywidgets selection widget
        The list (keeps its own CSS classes; the search box has ``scoring-filter``).
    model : BaseModel
        Gives the placeholder (``filter.placeholder``) in the page's language.
    """

    def __init__(self, select: Any, model: Any) -> None:
        self.select = select
        self.model = model
        self._all: list[tuple[str, Any]] = _pairs(select.options)
        width = select.layout.width
        self.search = w.Text(continuous_update=True, layout=w.Layout(width=width or "260px"))
        self.search.add_class("scoring-filter")
        self.search.observe(lambda _c: self._apply(), "value")
        model.observe(lambda _c: self.render(), "lang")
        self.box = w.VBox([self.search, select], layout=w.Layout(width=width))
        self.render()

    @property
    def options(self) -> list[tuple[str, Any]]:
        """Every option, matching the filter or not."""
        return list(self._all)

    def render(self) -> None:
        self.search.placeholder = self.model.tr("filter.placeholder")

    def set_options(self, options: Any) -> None:
        """Replace the whole list (the filter and the still-present choices are kept)."""
        pairs = _pairs(options)
        if pairs != self._all:
            self._all = pairs
            self._apply()

    def choose(self, value: Any) -> None:
        """Set the widget's value (a tuple for a ``SelectMultiple``), clearing the filter when
        it hides a value to choose; values no longer among the options are left out."""
        known = {v for _l, v in self._all}
        multiple = isinstance(self.select, w.SelectMultiple)
        wanted = [v for v in (value if multiple else [value]) if v in known]
        shown = {v for _l, v in self.select.options}
        if any(v not in shown for v in wanted):
            self.search.value = ""
        if multiple:
            self.select.value = tuple(wanted)
        elif wanted:
            self.select.value = wanted[0]

    def _apply(self) -> None:
        sel = self.select
        shown = matching(self._all, self.search.value)
        multiple = isinstance(sel, w.SelectMultiple)
        known = {v for _l, v in self._all}
        if multiple:
            chosen = [v for v in sel.value if v in known]
            seen = {v for _l, v in shown}
            pinned = [(lab, v) for lab, v in self._all if v in chosen and v not in seen]
            shown = pinned + shown
        if list(sel.options) == shown:
            return
        if multiple:
            sel.options = shown  # resets the value: chosen again, in the order chosen
            sel.value = tuple(chosen)
            return
        current = sel.value
        sel.options = shown
        values = [v for _l, v in shown]
        if current in values:
            sel.value = current
        elif isinstance(sel, w.Dropdown):
            sel.value = values[0] if values else None
        else:
            sel.value = None
