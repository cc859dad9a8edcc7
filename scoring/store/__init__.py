"""The review store: database, roles and access codes, recusal, blind scoring, confirmation,
audit trail, import and export.

The dashboards and the command line call only :class:`Workbench` (``scoring.store.service``)::

    wb = Workbench()                      # --db / $SCORING_DB / $SCORING_HOME/scoring.sqlite
    me = wb.login("X01-ABCD-EFGH-JKMN")   # -> Actor
    wb.save_scores(me, panel_id, "E001", {"strength": 80}, base_version=0)

See :mod:`scoring.store.db` for where the database lives. :class:`Workbench` is a facade over one
service per concern (``wb.sheets``, ``wb.panel_admin``, ... over one
:class:`~scoring.store.unit_of_work.Store`; see :data:`scoring.store.service.SERVICES`), and
every rights decision is :mod:`scoring.store.rights`.
"""

from __future__ import annotations

from .._lazy import lazy_exports

# Public names, imported lazily: the dashboards' kernels import light submodules (e.g.
# ``scoring.store.timers``) at start-up and must not pay for SQLAlchemy and pandas until the
# store is actually opened (see benchmarks/bench_dashboards.py).
_EXPORTS: dict[str, str] = {
    "ROLES": ".accounts",
    "Actor": ".accounts",
    "VerifyReport": ".audit",
    "PanelConfig": ".config",
    "default_url": ".db",
    "AccessDenied": ".errors",
    "NotFound": ".errors",
    "RuleViolation": ".errors",
    "StoreError": ".errors",
    "DUPLICATE": ".scores",
    "SAVED": ".scores",
    "STALE": ".scores",
    "SaveResult": ".scores",
    "ImportResult": ".import_service",
    "Workbench": ".service",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
