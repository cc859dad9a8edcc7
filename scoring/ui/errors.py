"""Widget callbacks that never fail silently.

ipywidgets swallows exceptions raised in ``on_click`` / ``observe`` callbacks (they go to the
kernel's log, which nobody in the meeting room sees). :func:`guard` wraps a callback: expected
errors (:class:`ValueError`, which includes :class:`~scoring.errors.InputError`, and
:class:`PermissionError`) are shown to the user as they are; anything else is logged with its
traceback and shown as a short message with a reference the organizer can find in the server log
and in the console's error list (:mod:`scoring.ui.error_journal`).
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from .error_journal import record
from .i18n import t
from .one_language import one_language

log = logging.getLogger("scoring.ui")


def describe(exc: BaseException, lang: str = "zh") -> str:
    """The message shown to the user for ``exc`` (logs unexpected errors with a reference)."""
    if isinstance(exc, PermissionError):
        return t("error.refused", lang) + " " + one_language(" ".join(str(exc).split()), lang)
    if isinstance(exc, (ValueError, LookupError)):
        return one_language(" ".join(str(exc).split()), lang) or type(exc).__name__
    ref = uuid.uuid4().hex[:8]
    log.error("unexpected error in a dashboard callback [ref %s]", ref, exc_info=exc)
    record(ref, exc, where=_where(exc))
    return t("error.internal", lang).format(ref=ref)


def _where(exc: BaseException) -> str:
    """Where ``exc`` happened: the page (``console``, ``expert`` …, from the first frame in a
    page package ``scoring.ui.<page>.<module>``) and the innermost function it passed through."""
    tb, page, inner = exc.__traceback__, "", ""
    while tb is not None:
        mod = str(tb.tb_frame.f_globals.get("__name__", ""))
        parts = mod.split(".")
        if not page and len(parts) >= 4 and parts[:2] == ["scoring", "ui"]:
            page = parts[2]
        inner = f"{mod}.{tb.tb_frame.f_code.co_name}"
        tb = tb.tb_next
    return " · ".join(x for x in (page, inner) if x)


def guard(report: Callable[[str], Any], lang: Callable[[], str] = lambda: "zh") -> Callable:
    """Decorator: run the callback; on an exception, log it and pass a clear message to ``report``.

    Parameters
    ----------
    report : callable
        Receives the message to show (e.g. sets a model's ``error`` trait).
    lang : callable
        Returns the current language (``"zh"`` or ``"en"``).
    """

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                if isinstance(exc, (ValueError, LookupError, PermissionError)):
                    log.info("refused in %s: %s", func.__name__, exc)
                report(describe(exc, lang()))
                return None

        return wrapper

    return decorate
