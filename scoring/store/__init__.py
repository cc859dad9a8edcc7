"""The review store: database, roles and access codes, recusal, blind scoring, confirmation,
audit trail, import and export.

The dashboards and the command line call only :class:`Workbench` (``scoring.store.service``)::

    wb = Workbench()                      # --db / $SCORING_DB / $SCORING_HOME/scoring.sqlite
    me = wb.login("X01-ABCD-EFGH-JKMN")   # -> Actor
    wb.save_scores(me, panel_id, "E001", {"strength": 80}, base_version=0)

See :mod:`scoring.store.db` for where the database lives.
"""

from __future__ import annotations

from .accounts import ROLES, Actor
from .audit import VerifyReport
from .config import PanelConfig
from .db import default_url
from .errors import AccessDenied, NotFound, RuleViolation, StoreError
from .scores import DUPLICATE, SAVED, STALE, SaveResult
from .service import ImportResult, Workbench

__all__ = [
    "DUPLICATE",
    "ROLES",
    "SAVED",
    "STALE",
    "AccessDenied",
    "Actor",
    "ImportResult",
    "NotFound",
    "PanelConfig",
    "RuleViolation",
    "SaveResult",
    "StoreError",
    "VerifyReport",
    "Workbench",
    "default_url",
]
