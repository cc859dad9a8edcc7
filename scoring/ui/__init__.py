"""Dashboards (Voila + ipywidgets): expert scoring, chair board, bank comparison, organizer console.

One folder per dashboard (``expert/``, ``board/``, ``bank/``, ``console/``): ``model.py``, a
traitlets model without widgets (testable in plain pytest), ``view.py``, the ipywidgets view linked
to it and the ``<name>_app`` function, and what is that dashboard's own (card, results, charts).
Shared: :mod:`.session` (login, language, messages), :mod:`.timer`, :mod:`.widgets`,
:mod:`.markup`, :mod:`.app` (``build_app``, ``Poller``), :mod:`.i18n`, :mod:`.errors`,
:mod:`.backend` (the store), :mod:`.serve` and :mod:`.cli`.

The notebooks in ``dashboards/`` only import an app and display it. Imports are lazy so that a
kernel pays only for the dashboard it shows.
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "expert_app": ".expert.view",
    "board_app": ".board.view",
    "bank_app": ".bank.view",
    "console_app": ".console.view",
    "reporting_app": ".reporting.view",
    "confirm_app": ".confirm.view",
    "followstats_app": ".followstats.view",
    "project_app": ".project.view",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
