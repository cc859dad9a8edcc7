"""银行审贷对比 — the bank reviewer's page: ``model`` (traitlets, no widgets),
``indicators`` and ``chart`` of the comparison, ``view`` (the widgets and :func:`bank_app`).

Lazy: importing the package loads nothing until ``bank_app`` is used.
"""

from __future__ import annotations

from ..._lazy import lazy_exports

__all__ = ["bank_app"]
__getattr__, __dir__ = lazy_exports(__name__, {"bank_app": ".view"}, globals())
