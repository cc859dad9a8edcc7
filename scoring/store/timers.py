"""The defense timer of a panel: presentation, then questions.

The chair (or an organizer) starts it for one candidate; every page of the panel reads it from
the store, so it works on several machines and with PostgreSQL. Times are epoch seconds of the
machine that started it (keep the machines' clocks in sync, as for the audit trail).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import InputError, Problem

PRESENTATION_S = 10 * 60
QUESTIONS_S = 5 * 60
PHASES = ("presentation", "questions")
#: Longest phase accepted, in seconds.
MAX_PHASE_S = 3 * 60 * 60


@dataclass(frozen=True)
class TimerState:
    """A started timer: for which candidate, when, the two phases' lengths (seconds).

    ``started_at`` is when the presentation began (for a timer started in the questions phase,
    ``presentation_s`` before the start). ``stopped_at`` is set once the timer is stopped.
    """

    panel: str
    project_id: str
    started_at: float
    presentation_s: int = PRESENTATION_S
    questions_s: int = QUESTIONS_S
    stopped_at: float | None = None
    started_by: str = ""

    def phase(self, now: float | None = None) -> tuple[str, int]:
        """``("presentation" | "questions" | "over" | "stopped", seconds left in the phase)``."""
        if self.stopped_at is not None:
            return "stopped", 0
        elapsed = (time.time() if now is None else now) - self.started_at
        if elapsed < self.presentation_s:
            return "presentation", int(self.presentation_s - elapsed + 0.999)
        elapsed -= self.presentation_s
        if elapsed < self.questions_s:
            return "questions", int(self.questions_s - elapsed + 0.999)
        return "over", 0


def check_lengths(phase: str, presentation_s: object, questions_s: object) -> tuple[int, int]:
    """Validate a timer start; returns the two lengths as ints.

    Raises
    ------
    InputError
        Naming every bad field (``phase``, ``presentation_s``, ``questions_s``).
    """
    problems: list[Problem] = []
    if phase not in PHASES:
        problems.append(
            Problem(f"phase {phase!r} is not one of {', '.join(PHASES)}", column="phase")
        )
    out = []
    for name, value, lo in (("presentation_s", presentation_s, 1), ("questions_s", questions_s, 0)):
        try:
            if isinstance(value, bool):
                raise TypeError
            v = int(value)  # type: ignore[call-overload]
            if v != value:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(Problem(f"{value!r} is not a whole number of seconds", column=name))
            out.append(0)
            continue
        if not lo <= v <= MAX_PHASE_S:
            problems.append(Problem(f"{v} s is outside {lo}–{MAX_PHASE_S} s", column=name))
        out.append(v)
    if phase == "questions" and not problems and out[1] == 0:
        problems.append(Problem("no questions phase to start", column="questions_s"))
    if problems:
        raise InputError(problems)
    return out[0], out[1]


def format_left(seconds: int) -> str:
    """``mm:ss``."""
    return f"{seconds // 60:02d}:{seconds % 60:02d}"
