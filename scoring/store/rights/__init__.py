"""Every "may this actor do or see this" decision of the store, one function per decision.

The services call these and never compare an actor's role or check membership themselves
(``tests/store/test_rights.py`` reads the sources to keep it so). A ``require_*`` / ``may_*``
function that refuses raises :class:`~scoring.store.errors.AccessDenied` (who) or
:class:`~scoring.store.errors.RuleViolation` (the state of the panel or sheet) with the
bilingual message the pages show; a function answering a question returns a ``bool`` or the
set of things hidden.

Roles are defined in :mod:`scoring.store.accounts`; the role sets of :mod:`.roles` name who may
call what. The decisions are grouped by what they are about: :mod:`.roles` (accounts, roles,
signatures), :mod:`.panels` (who runs, oversees, reads a panel; its state), :mod:`.blind` (blind
scoring and recusal) and :mod:`.sheets` (own sheets, the bank basket). Import them from here.
"""

from __future__ import annotations

from .blind import (
    AuditHidden,
    audit_hidden,
    hidden_candidates,
    hides_project,
    may_read_history,
    may_read_results,
    values_visible,
    visible_candidates,
)
from .panels import (
    late_conflict_action,
    may_declare_for,
    may_declare_in_panel,
    may_edit_panel,
    may_freeze_config,
    may_oversee_panel,
    may_read_panel,
    may_reopen_panel,
    may_run_panel,
    may_time_panel,
    overseen_panel,
    readable_panel,
    request_applies,
    require_frozen_to_open,
    require_frozen_to_score,
    require_member,
    require_not_closed,
    require_open_to_decide,
    require_status,
    restrict_panels,
)
from .roles import (
    ANYONE,
    BASKET_KEEPERS,
    CORRECTION_DECIDERS,
    DECLARERS,
    ORGANIZER,
    SCORERS,
    STAFF,
    account_current,
    issued,
    may_chair,
    may_score_fast,
    needs_expert_record,
    require_current,
    require_current_fast,
    require_current_scorer,
    require_expert_account,
    require_issued,
    require_role,
    require_signature,
)
from .sheets import (
    is_own_sheet,
    may_change_sheet,
    may_keep_basket,
    may_list_own_sheets,
    require_confirmed,
    require_own_sheet,
)

__all__ = [
    "ANYONE",
    "AuditHidden",
    "BASKET_KEEPERS",
    "CORRECTION_DECIDERS",
    "DECLARERS",
    "ORGANIZER",
    "SCORERS",
    "STAFF",
    "account_current",
    "audit_hidden",
    "hidden_candidates",
    "hides_project",
    "is_own_sheet",
    "issued",
    "late_conflict_action",
    "may_chair",
    "may_change_sheet",
    "may_declare_for",
    "may_declare_in_panel",
    "may_edit_panel",
    "may_freeze_config",
    "may_keep_basket",
    "may_list_own_sheets",
    "may_oversee_panel",
    "may_read_history",
    "may_read_panel",
    "may_read_results",
    "may_reopen_panel",
    "may_run_panel",
    "may_score_fast",
    "may_time_panel",
    "needs_expert_record",
    "overseen_panel",
    "readable_panel",
    "request_applies",
    "require_confirmed",
    "require_current",
    "require_current_fast",
    "require_current_scorer",
    "require_expert_account",
    "require_frozen_to_open",
    "require_frozen_to_score",
    "require_issued",
    "require_member",
    "require_not_closed",
    "require_open_to_decide",
    "require_own_sheet",
    "require_role",
    "require_signature",
    "require_status",
    "restrict_panels",
    "values_visible",
    "visible_candidates",
]
