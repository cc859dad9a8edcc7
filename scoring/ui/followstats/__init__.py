"""跟进统计 — model (traitlets, no widgets) and view (the widgets and :func:`followstats_app`).

Lazy: importing the package loads nothing until ``followstats_app`` is used.
"""

from __future__ import annotations

from ..._lazy import lazy_exports

__all__ = ["followstats_app"]
__getattr__, __dir__ = lazy_exports(__name__, {"followstats_app": ".view"}, globals())
