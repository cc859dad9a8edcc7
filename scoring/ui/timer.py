"""The defense timer (presentation, then questions) shared by every page of a panel.

The chair starts it; every expert's page shows the time left. The store has no timer, and a
timer is not a record worth auditing, so its state is a small JSON file per panel under
``$SCORING_HOME/timers`` (written atomically), which every kernel on this machine reads.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

PRESENTATION_S = 10 * 60
QUESTIONS_S = 5 * 60


@dataclass(frozen=True)
class TimerState:
    """A started timer: when, for which candidate, and the two phases' lengths (seconds)."""

    panel: str
    project_id: str
    started_at: float
    presentation_s: int = PRESENTATION_S
    questions_s: int = QUESTIONS_S

    def phase(self, now: float | None = None) -> tuple[str, int]:
        """``("presentation" | "questions" | "over", seconds left in the phase)``."""
        elapsed = (time.time() if now is None else now) - self.started_at
        if elapsed < self.presentation_s:
            return "presentation", int(self.presentation_s - elapsed + 0.999)
        elapsed -= self.presentation_s
        if elapsed < self.questions_s:
            return "questions", int(self.questions_s - elapsed + 0.999)
        return "over", 0


def _home() -> Path:
    home = os.environ.get("SCORING_HOME")
    base = Path(home) if home else Path(tempfile.gettempdir()) / "scoring"
    return base / "timers"


def _path(panel: str, home: Path | None = None) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(panel))
    return (home or _home()) / f"{safe}.json"


def start_timer(
    panel: str,
    project_id: str,
    *,
    presentation_s: int = PRESENTATION_S,
    questions_s: int = QUESTIONS_S,
    home: Path | None = None,
) -> TimerState:
    """Start (or restart) the panel's timer for ``project_id``."""
    if presentation_s <= 0 or questions_s < 0:
        raise ValueError("timer lengths must be positive")
    state = TimerState(str(panel), str(project_id), time.time(), presentation_s, questions_s)
    path = _path(panel, home)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(state), fh)
    os.replace(tmp, path)
    return state


def read_timer(panel: str, *, home: Path | None = None) -> TimerState | None:
    """The panel's timer, or None when it was never started (or its file is unreadable)."""
    try:
        data = json.loads(_path(panel, home).read_text(encoding="utf-8"))
        return TimerState(**data)
    except (OSError, ValueError, TypeError):
        return None


def format_left(seconds: int) -> str:
    """``mm:ss``."""
    return f"{seconds // 60:02d}:{seconds % 60:02d}"
