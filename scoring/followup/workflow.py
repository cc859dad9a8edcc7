"""The follow-up workflow settings of ``data/followup/workflow.yml``.

Who confirms, how long a returned ledger stays editable, the default period dates, the jump
factor, the measure progress codes and the exit grounds' thresholds: data, not code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from ..datafile import read_yaml
from ..errors import InputError, Problem
from ..paths import DATA_DIR

#: The workflow file.
WORKFLOW_PATH: Path = DATA_DIR / "followup" / "workflow.yml"

_REQUIRED = ("confirmers", "return_grace_days", "periods", "jump_factor", "progress", "exit")


@cache
def workflow() -> dict[str, Any]:
    """The content of :data:`WORKFLOW_PATH`, checked for its top-level keys and cached.

    Raises
    ------
    InputError
        The file is missing, not YAML, or lacks a required key (named).
    """
    data = read_yaml(WORKFLOW_PATH, "workflow")
    if not isinstance(data, dict):
        raise InputError([Problem("must be a mapping")], file=str(WORKFLOW_PATH))
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise InputError(
            [Problem("missing key", column=k) for k in missing], file=str(WORKFLOW_PATH)
        )
    return data


def confirmer(provincial: bool) -> str:
    """The role that confirms a project's ledgers: ``city`` or ``organizer`` (省属企业)."""
    c = workflow()["confirmers"]
    return str(c["provincial"] if provincial else c["default"])


def return_grace_days() -> int:
    """Days a returned ledger stays editable after its return (past the lock)."""
    return int(workflow()["return_grace_days"])


def jump_factor() -> float:
    """The default factor of change between two periods that is flagged."""
    return float(workflow()["jump_factor"])


def amount_warning() -> float:
    """A single financing amount (万元) above this is flagged (unit check)."""
    return float(workflow().get("amount_warning_wan", 1_000_000))


def progress_codes() -> dict[str, dict[str, Any]]:
    """Measure progress codes (``done``, ``ongoing``, ``not_started``) -> ``{zh, en, aliases}``."""
    return dict(workflow()["progress"])


def exit_settings() -> dict[str, Any]:
    """The ``exit`` section: ``grounds`` (key -> ``{zh, en}``) and the thresholds."""
    return dict(workflow()["exit"])
