"""项目跟进查看 — model (traitlets, no widgets) and view (the widgets and :func:`project_app`).

Lazy: importing the package loads nothing until ``project_app`` is used.
"""

from __future__ import annotations

from ..._lazy import lazy_exports

__all__ = ["project_app"]
__getattr__, __dir__ = lazy_exports(__name__, {"project_app": ".view"}, globals())
