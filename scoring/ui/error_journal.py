"""The journal of unexpected errors in the dashboards, so that every "internal error (ref …)" a
user is shown can be found: in the server log (stderr of the page's kernel, which the server
writes to its log) and in ``$SCORING_HOME/logs/dashboard-errors.jsonl``, which the organizer
console lists (newest first). One JSON object per line; the file is rotated at
:data:`MAX_BYTES` (one old file kept). Writing never raises: a journal that cannot be written
must not turn one error into two."""

from __future__ import annotations

import contextlib
import json
import os
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: Size at which the journal is rotated to ``.1``.
MAX_BYTES = 2 * 2**20


def journal_path() -> Path:
    """``$SCORING_HOME/logs/dashboard-errors.jsonl`` (``SCORING_HOME`` defaults to ``var``)."""
    return Path(os.environ.get("SCORING_HOME") or "var") / "logs" / "dashboard-errors.jsonl"


def record(ref: str, exc: BaseException, *, where: str = "") -> None:
    """Append the error ``exc`` shown to a user with reference ``ref``.

    Parameters
    ----------
    ref : str
        The reference the user was shown.
    exc : BaseException
    where : str
        The callback or page it happened in.
    """
    entry = {
        "ts": datetime.now(UTC).isoformat(timespec="seconds"),
        "ref": ref,
        "where": where,
        "type": type(exc).__name__,
        "message": " ".join(str(exc).split())[:500],
        "traceback": "".join(traceback.format_exception(exc))[-4000:],
        "pid": os.getpid(),
    }
    path = journal_path()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > MAX_BYTES:
            path.replace(path.with_suffix(".jsonl.1"))
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


def recent(n: int = 50) -> list[dict[str, Any]]:
    """The ``n`` newest journal entries, newest first (unreadable lines skipped)."""
    path = journal_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in reversed(lines):
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
        if len(out) >= n:
            break
    return out
