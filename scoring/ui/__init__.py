"""Dashboards (Voila + ipywidgets): expert scoring, chair board, bank comparison, organizer console.

Each app is a traitlets model without widgets (testable in plain pytest) and a view of ipywidgets
linked to it. The notebooks in ``dashboards/`` only import an app from here and display it.
Imports are lazy so that a kernel pays only for the dashboard it shows.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "expert_app": "scoring.ui.expert",
    "board_app": "scoring.ui.board",
    "bank_app": "scoring.ui.bank",
    "console_app": "scoring.ui.console",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scoring.ui' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
