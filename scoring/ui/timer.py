"""The defense timer (presentation, then questions) shared by every page of a panel.

The chair starts it on the board; every expert's page shows the time left. Its state lives in
the store (:meth:`scoring.store.Workbench.start_timer` / ``timer``), so it works with PostgreSQL
and on several machines; this module only re-exports the state and the formatting.
"""

from __future__ import annotations

from scoring.store.timers import PRESENTATION_S, QUESTIONS_S, TimerState, format_left

__all__ = ["PRESENTATION_S", "QUESTIONS_S", "TimerState", "format_left"]
