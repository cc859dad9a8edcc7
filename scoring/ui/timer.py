"""The defense timer (presentation, then questions) shared by every page of a panel.

The chair starts it on the board; every expert's page shows the time left. Its state lives in
the store (:meth:`scoring.store.Workbench.start_timer` / ``timer``), so it works with PostgreSQL
and on several machines; this module re-exports the state and the formatting and holds
:class:`TimerMixin`, the timer line of the board's and the expert's models.
"""

from __future__ import annotations

import time
from typing import Any

import traitlets as tl

from scoring.store.timers import PRESENTATION_S, QUESTIONS_S, TimerState, format_left

from .i18n import DEFAULT_LANG, t

__all__ = ["PRESENTATION_S", "QUESTIONS_S", "TimerMixin", "TimerState", "format_left"]


class TimerMixin(tl.HasTraits):
    """The defense timer line of a panel page."""

    timer_text = tl.Unicode("")
    panel_id = tl.Unicode("")
    #: The timed candidate and phase (presentation, questions, over, stopped; empty: none).
    timer_project = tl.Unicode("")
    timer_phase = tl.Unicode("")

    @tl.observe("lang")
    def _timer_lang(self, _change: Any) -> None:
        if getattr(self, "logged_in", False):
            self.refresh_timer()  # the timer line in the new language at once, not at the tick

    #: The state last read from the store, and when (``time.monotonic()``).
    _timer_state: Any = None
    _timer_read_at = 0.0

    def refresh_timer(self, now: float | None = None) -> None:
        """Re-read the panel's timer from the store and recompute ``timer_text``."""
        state = None
        identity = getattr(self, "identity", None)
        if self.panel_id and identity is not None:
            run = getattr(self, "run", None)
            if run is not None:
                state = run(self.backend.timer, identity, self.panel_id, clear=False)
        self._timer_state = state
        self._timer_read_at = time.monotonic()
        self.render_timer(now)

    def render_timer(self, now: float | None = None) -> None:
        """Recompute ``timer_text`` from the state last read (the time left moves on)."""
        lang = getattr(self, "lang", DEFAULT_LANG)
        state = self._timer_state if self.panel_id else None
        if state is None:
            self.timer_project = self.timer_phase = ""
            self.timer_text = t("timer.idle", lang)
            return
        phase, left = state.phase(now)
        self.timer_project, self.timer_phase = str(state.project_id), phase
        label = state.project_id
        if phase in ("over", "stopped"):
            self.timer_text = f"{label}：{t('timer.' + phase, lang)}"
        else:
            self.timer_text = f"{label}：{t('timer.' + phase, lang, left=format_left(left))}"
