"""The store's API: every dashboard and the command line go through :class:`Workbench`.

Every method takes the calling :class:`~scoring.store.accounts.Actor` first and checks, on
every call, that the account is still active, that its role allows the call and that the review
rules (frozen configuration, recusal, blind scoring, confirmation) allow it. A refusal raises
:class:`~scoring.store.errors.AccessDenied` / :class:`RuleViolation` / :class:`NotFound`
(all ``ValueError``) and changes nothing; every change is written in one transaction together
with its audit record.

:class:`Workbench` is a facade: it builds one :class:`~scoring.store.unit_of_work.Store` and
one service per concern over it (see :data:`SERVICES`), and each of its methods forwards to the
same-named method of a service. The services are usable directly (``wb.sheets.save_scores``);
a new concern is a new service over the same store, not new methods here. Every "may this
actor do this" decision is :mod:`scoring.store.rights`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .accounts import Actor
from .accounts_service import AccountService
from .audit_service import AuditService
from .baskets import BasketService
from .conflict_service import ConflictService
from .corrections import CorrectionService
from .evaluation.recommend import RecommendService
from .evaluation.service import EvaluationService
from .followup.access import FollowupAccessService
from .followup.exits import ExitService
from .followup.ledgers import LedgerService
from .followup.periods import PeriodService
from .followup.projects import FollowedService
from .followup.stats import FollowupStatsService
from .import_service import ImportResult, ImportService
from .panel_edits import PanelEditService
from .panels import PanelService
from .results import ResultService
from .rounds import RoundService
from .sheets import SheetService
from .timer_service import TimerService
from .unit_of_work import Store, StoreService

#: Workbench attribute -> (its service, the methods Workbench forwards to it).
SERVICES: dict[str, tuple[type[StoreService], tuple[str, ...]]] = {
    "access": (
        AccountService,
        ("login", "create_account", "reissue_code", "revoke", "expert_id", "accounts"),
    ),
    "rounds": (RoundService, ("init", "current_year", "candidates", "experts", "panel_candidates")),
    "panel_admin": (
        PanelService,
        (
            "create_panel",
            "panels",
            "freeze_config",
            "panel_config",
            "open_panel",
            "close_panel",
            "reopen_panel",
            "close_record",
        ),
    ),
    "panel_edits": (PanelEditService, ("panel_setup", "update_panel", "delete_panel")),
    "conflicts": (
        ConflictService,
        ("declare_conflict", "declare_conflicts", "conflict_declaration", "declarations"),
    ),
    "timers": (TimerService, ("start_timer", "stop_timer", "timer")),
    "sheets": (
        SheetService,
        ("save_scores", "confirm_sheet", "my_sheets", "my_sheet_records", "progress"),
    ),
    "correction_requests": (
        CorrectionService,
        (
            "request_correction",
            "corrections",
            "late_conflicts",
            "my_requests",
            "decide_correction",
        ),
    ),
    "rankings": (ResultService, ("panel_scores", "results")),
    "baskets": (BasketService, ("basket", "add_to_basket", "remove_from_basket")),
    "imports": (ImportService, ("import_candidates", "import_experts")),
    "audit": (AuditService, ("verify", "chain_head", "audit_log")),
    # The follow-up stage (阶段跟进, scoring.store.followup): reached as wb.followed etc.,
    # forwarding no methods (Workbench does not grow).
    "followup_access": (FollowupAccessService, ()),
    "followed": (FollowedService, ()),
    "periods": (PeriodService, ()),
    "ledgers": (LedgerService, ()),
    "followup_stats": (FollowupStatsService, ()),
    "exits": (ExitService, ()),
    # The yearly evaluation's cycle (scoring.store.evaluation): exited projects and overrides.
    "recommend": (RecommendService, ()),
    # The yearly evaluation (scoring.store.evaluation): evaluation panels, evidence, grades.
    "evaluation": (EvaluationService, ()),
}


class delegate:
    """A :class:`Workbench` method that forwards to the same-named method of one of its services.

    It carries the service method's ``__doc__``, ``__name__`` and ``__wrapped__`` (so ``help``
    and :func:`inspect.signature` show the service method). Read on an instance it is the
    service's bound method itself, cached on the instance: a call costs nothing extra.

    Parameters
    ----------
    service : str
        The Workbench attribute holding the service.
    function : callable
        The service class's method.
    """

    def __init__(self, service: str, function: Callable[..., Any]) -> None:
        self.service = service
        self.name = function.__name__
        functools.update_wrapper(self, function)

        @functools.wraps(function)
        def forward(workbench: Workbench, /, *args: Any, **kwargs: Any) -> Any:
            return getattr(getattr(workbench, service), function.__name__)(*args, **kwargs)

        self._unbound = forward

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self._unbound
        bound = getattr(getattr(obj, self.service), self.name)
        obj.__dict__[self.name] = bound
        return bound


class Workbench:
    """The review store.

    Parameters
    ----------
    db_url : str, optional
        SQLAlchemy URL or SQLite file path; default ``$SCORING_DB`` or
        ``$SCORING_HOME/scoring.sqlite`` (see :mod:`scoring.store.db`).
    create : bool
        Create or upgrade the schema (idempotent). Default True.

    Attributes
    ----------
    store : Store
        The unit of work every service shares.
    url : str
        The database URL.
    engine : sqlalchemy.engine.Engine
    access, rounds, panel_admin, panel_edits, conflicts, timers, sheets, correction_requests, rankings, \
baskets, imports, audit, followup_access, followed, periods, ledgers, followup_stats, \
exits, recommend : StoreService
        The services (see :data:`SERVICES`).
    """

    access: AccountService
    rounds: RoundService
    panel_admin: PanelService
    panel_edits: PanelEditService
    conflicts: ConflictService
    timers: TimerService
    sheets: SheetService
    correction_requests: CorrectionService
    rankings: ResultService
    baskets: BasketService
    imports: ImportService
    audit: AuditService
    followup_access: FollowupAccessService
    followed: FollowedService
    periods: PeriodService
    ledgers: LedgerService
    followup_stats: FollowupStatsService
    exits: ExitService
    recommend: RecommendService
    evaluation: EvaluationService

    def __init__(self, db_url: str | None = None, *, create: bool = True) -> None:
        self.store = Store(db_url, create=create)
        self.url = self.store.url
        self.engine = self.store.engine
        for attr, (service, _names) in SERVICES.items():
            setattr(self, attr, service(self.store))

    def close(self) -> None:
        """Release the database connections."""
        self.store.close()

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def system_actor(self, name: str | None = None) -> Actor:
        """An organizer actor for the local command line (audited as ``cli:<user>``).

        Only actors returned by this method of this very object are accepted as system actors.
        """
        return self.store.system_actor(name)


for _attr, (_service, _names) in SERVICES.items():
    for _name in _names:
        setattr(Workbench, _name, delegate(_attr, getattr(_service, _name)))
del _attr, _service, _names, _name

__all__ = ["SERVICES", "ImportResult", "Workbench", "delegate"]
