"""市局确认 — model (traitlets, no widgets) and view (the widgets and :func:`confirm_app`).

Lazy: importing the package loads nothing until ``confirm_app`` is used.
"""

from __future__ import annotations

from ..._lazy import lazy_exports

__all__ = ["confirm_app"]
__getattr__, __dir__ = lazy_exports(__name__, {"confirm_app": ".view"}, globals())
