"""评审组长 / 组织者 — the chair and organizer board: ``model`` (traitlets, no widgets),
``results`` (progress matrix, results, downloads), ``chart`` and ``view`` (:func:`board_app`).

Lazy: importing the package loads nothing until ``board_app`` is used.
"""

from __future__ import annotations

from ..._lazy import lazy_exports

__all__ = ["board_app"]
__getattr__, __dir__ = lazy_exports(__name__, {"board_app": ".view"}, globals())
