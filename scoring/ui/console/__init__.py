"""组织者配置 — the organizer console: ``model`` (traitlets, no widgets) and ``view``
(the widgets and :func:`console_app`).

Lazy: importing the package loads nothing until ``console_app`` is used.
"""

from __future__ import annotations

from ..._lazy import lazy_exports

__all__ = ["console_app"]
__getattr__, __dir__ = lazy_exports(__name__, {"console_app": ".view"}, globals())
