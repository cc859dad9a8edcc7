"""专家评分 — the expert scoring page: ``model`` (traitlets, no widgets), ``card``
(the candidate card) and ``view`` (the widgets and :func:`expert_app`).

Lazy: importing the package loads nothing until ``expert_app`` is used.
"""

from __future__ import annotations

from ..._lazy import lazy_exports

__all__ = ["expert_app"]
__getattr__, __dir__ = lazy_exports(__name__, {"expert_app": ".view"}, globals())
