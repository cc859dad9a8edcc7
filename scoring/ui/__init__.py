"""Dashboards (Voila + ipywidgets): expert scoring, chair board, bank comparison, organizer console.

Each app is a traitlets model without widgets (testable in plain pytest) and a view of ipywidgets
linked to it. The notebooks in ``dashboards/`` only import an app from here and display it.
Imports are lazy so that a kernel pays only for the dashboard it shows.
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "expert_app": ".expert",
    "board_app": ".board",
    "bank_app": ".bank",
    "console_app": ".console",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
