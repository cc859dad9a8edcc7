"""项目报送 — model (traitlets, no widgets) and view (the widgets and :func:`reporting_app`).

Lazy: importing the package loads nothing until ``reporting_app`` is used.
"""

from __future__ import annotations

from ..._lazy import lazy_exports

__all__ = ["reporting_app"]
__getattr__, __dir__ = lazy_exports(__name__, {"reporting_app": ".view"}, globals())
