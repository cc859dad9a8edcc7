"""The store's rights in one place: the decision tables of :mod:`scoring.store.rights`, and a
reading of the sources that no other store module decides on roles or membership itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from scoring.store import AccessDenied, RuleViolation, rights
from scoring.store.accounts import Actor
from scoring.store.unit_of_work import SYSTEM_ID

STORE = Path(rights.__file__).resolve().parents[1]
#: Modules allowed to look at roles: the rights themselves (every ``rights`` package or module,
#: the review's and the follow-up's) and the role definitions.
ROLE_MODULES = {"rights.py", "accounts.py"}


def _is_rights(path: Path) -> bool:
    return path.name in ROLE_MODULES or "rights" in path.relative_to(STORE).parts[:-1]


CHAIR_ID = 7


def _actor(role: str, *, account_id: int = 1, expert_pk: int | None = None) -> Actor:
    return Actor(account_id, role.upper(), role, role, expert_pk, 1)


class _Store:
    """Just what the rights ask of a store: which actors are the command line's."""

    def __init__(self, *system: Actor) -> None:
        self.system = system

    def is_system(self, actor: Actor) -> bool:
        return any(a is actor for a in self.system)


def _panel(status: str = "open", chair_pk: int | None = CHAIR_ID) -> SimpleNamespace:
    return SimpleNamespace(id=1, status=status, chair_pk=chair_pk)


ORG = _actor("organizer")
CLI = Actor(SYSTEM_ID, "cli:test", "organizer", "命令行 test", None, 0)
CHAIR = _actor("chair", account_id=CHAIR_ID)
OTHER_CHAIR = _actor("chair", account_id=CHAIR_ID + 1)
EXPERT = _actor("expert", account_id=3, expert_pk=30)
BANK = _actor("bank", account_id=4, expert_pk=40)


def _allowed(check, *args) -> bool:
    try:
        check(*args)
    except AccessDenied:
        return False
    return True


# ---------------------------------------------------------------- decision tables
@pytest.mark.parametrize(
    ("actor", "roles", "allowed"),
    [
        (ORG, rights.ORGANIZER, True),
        (CHAIR, rights.ORGANIZER, False),
        (CHAIR, rights.STAFF, True),
        (EXPERT, rights.STAFF, False),
        (EXPERT, rights.SCORERS, True),
        (BANK, rights.SCORERS, True),
        (ORG, rights.SCORERS, False),
        (EXPERT, rights.ANYONE, True),
        (BANK, rights.BASKET_KEEPERS, True),
        (EXPERT, rights.BASKET_KEEPERS, False),
    ],
)
def test_require_role(actor, roles, allowed) -> None:
    assert _allowed(rights.require_role, actor, roles) is allowed


def test_role_refusal_names_the_roles_needed() -> None:
    with pytest.raises(AccessDenied) as exc:
        rights.require_role(EXPERT, rights.STAFF)
    assert (
        str(exc.value) == "需要角色 组织方、主持人 / needs role organizer, chair (you are expert)"
    )


@pytest.mark.parametrize(
    ("actor", "chair_pk", "system", "allowed"),
    [
        (CHAIR, CHAIR_ID, False, True),  # the panel's chair
        (OTHER_CHAIR, CHAIR_ID, False, False),  # another panel's chair
        (ORG, CHAIR_ID, False, False),  # an organizer, when the panel has a chair
        (ORG, None, False, True),  # an organizer, when it has none
        (CLI, CHAIR_ID, True, True),  # the command line
        (CLI, CHAIR_ID, False, False),  # a forged command-line actor
        (EXPERT, None, False, False),
    ],
)
def test_may_run_panel(actor, chair_pk, system, allowed) -> None:
    store = _Store(actor) if system else _Store()
    assert _allowed(rights.may_run_panel, store, actor, _panel(chair_pk=chair_pk)) is allowed


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [(ORG, True), (CHAIR, True), (OTHER_CHAIR, False)],
)
def test_may_oversee_panel_lets_every_organizer_and_only_its_chair(actor, allowed) -> None:
    assert _allowed(rights.may_oversee_panel, _Store(), actor, _panel()) is allowed


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [(ORG, True), (CHAIR, True), (OTHER_CHAIR, False), (EXPERT, False), (BANK, False)],
)
def test_may_time_panel(actor, allowed) -> None:
    assert _allowed(rights.may_time_panel, actor, _panel()) is allowed


@pytest.mark.parametrize(
    ("actor", "expert_pk", "allowed"),
    [(ORG, 30, True), (EXPERT, 30, True), (EXPERT, 31, False), (BANK, 30, False)],
)
def test_may_declare_for(actor, expert_pk, allowed) -> None:
    assert _allowed(rights.may_declare_for, actor, expert_pk) is allowed


@pytest.mark.parametrize(("actor", "allowed"), [(ORG, True), (CHAIR, False), (BANK, False)])
def test_may_read_history(actor, allowed) -> None:
    assert _allowed(rights.may_read_history, actor) is allowed


@pytest.mark.parametrize(
    ("status", "visible"), [("draft", False), ("open", False), ("closed", True)]
)
def test_values_are_visible_only_once_closed(status, visible) -> None:
    assert rights.values_visible(_panel(status)) is visible


@pytest.mark.parametrize(
    ("role", "needs_expert", "may_chair"),
    [
        ("organizer", False, False),
        ("chair", False, True),
        ("expert", True, False),
        ("bank", True, False),
    ],
)
def test_account_kinds(role, needs_expert, may_chair) -> None:
    assert rights.needs_expert_record(role) is needs_expert
    assert rights.may_chair(role) is may_chair


@pytest.mark.parametrize(
    ("status", "want", "ok"),
    [
        ("draft", "draft", True),
        ("open", "draft", False),
        ("open", "open", True),
        ("closed", "open", False),
    ],
)
def test_require_status(status, want, ok) -> None:
    if ok:
        rights.require_status(_panel(status), want)
    else:
        with pytest.raises(RuleViolation, match=f"the panel is {status}, not {want}"):
            rights.require_status(_panel(status), want)


def test_require_not_closed() -> None:
    rights.require_not_closed(_panel("draft"))
    rights.require_not_closed(_panel("open"))
    with pytest.raises(RuleViolation, match="closed"):
        rights.require_not_closed(_panel("closed"))


def test_may_freeze_config_table() -> None:
    frozen = (object(), "a" * 64)
    assert rights.may_freeze_config(1, _panel("draft"), None, "b" * 64) is None
    assert rights.may_freeze_config(1, _panel("open"), frozen, "a" * 64) == "a" * 64
    with pytest.raises(RuleViolation, match=r"panel 1 is frozen \(hash aaaaaaaaaaaa\)"):
        rights.may_freeze_config(1, _panel("draft"), frozen, "b" * 64)
    with pytest.raises(RuleViolation, match="already open"):
        rights.may_freeze_config(1, _panel("open"), None, "b" * 64)


def test_frozen_configuration_is_needed_to_open_and_to_score() -> None:
    cfg = (object(), "h")
    rights.require_frozen_to_open(cfg)
    assert rights.require_frozen_to_score(cfg) is cfg[0]
    with pytest.raises(RuleViolation, match="freeze the configuration"):
        rights.require_frozen_to_open(None)
    with pytest.raises(RuleViolation, match="before the configuration is frozen"):
        rights.require_frozen_to_score(None)


def _sheet(status: str, panel_status: str = "open") -> SimpleNamespace:
    return SimpleNamespace(status=status, panel_status=panel_status)


def test_own_sheet_table() -> None:
    assert rights.is_own_sheet(_sheet("draft"))
    assert not rights.is_own_sheet(_sheet("recused"))
    assert not rights.is_own_sheet(None)
    rights.require_own_sheet(_sheet("empty"), 1, "E001")
    message = "您不能为项目 E001 评分 / you may not score E001 in panel 1"
    for sheet in (None, _sheet("recused")):
        with pytest.raises(AccessDenied) as exc:
            rights.require_own_sheet(sheet, 1, "E001", lambda: "open")
        assert str(exc.value) == message
    with pytest.raises(RuleViolation, match="not open for scoring yet"):
        rights.require_own_sheet(None, 1, "E001", lambda: "draft")
    asked = []
    rights.require_own_sheet(_sheet("draft"), 1, "E001", lambda: asked.append(1) or "draft")
    assert not asked  # the panel is looked up only when there is no sheet


@pytest.mark.parametrize(
    ("status", "panel_status", "refused"),
    [
        ("empty", "open", None),
        ("draft", "open", None),
        ("confirmed", "open", "correction approved by the chair"),
        ("draft", "closed", "is closed, not open for scoring"),
    ],
)
def test_may_change_sheet(status, panel_status, refused) -> None:
    if refused is None:
        rights.may_change_sheet(_sheet(status, panel_status), 1)
    else:
        with pytest.raises(RuleViolation, match=refused):
            rights.may_change_sheet(_sheet(status, panel_status), 1)


def test_require_confirmed() -> None:
    rights.require_confirmed(_sheet("confirmed"))
    with pytest.raises(RuleViolation, match="save a draft instead"):
        rights.require_confirmed(_sheet("draft"))


def test_require_expert_account() -> None:
    assert rights.require_expert_account("X01") == "X01"
    with pytest.raises(AccessDenied, match="not an expert"):
        rights.require_expert_account(None)


def test_rights_on_a_database(panel) -> None:
    """The decisions that read the database: current account, panel reader, membership,
    recusal hiding, results reader, basket keeper."""
    from scoring.store import lookups

    wb = panel.wb
    store = wb.store
    a = panel.a
    with store.read() as conn:
        row = lookups.panel_row(conn, panel.id)
        assert rights.require_current(store, conn, a["X01"], *rights.SCORERS) is a["X01"]
        with pytest.raises(AccessDenied, match="not logged in"):
            rights.require_current(store, conn, "X01")
        forged = Actor(SYSTEM_ID, "cli:x", "organizer", "x", None, 0)
        with pytest.raises(AccessDenied, match="invalid actor"):
            rights.require_current(store, conn, forged)
        stale = Actor(a["X01"].account_id, "X01", "expert", "x", a["X01"].expert_pk, 99)
        with pytest.raises(AccessDenied, match="revoked or reissued"):
            rights.require_current(store, conn, stale)
        with pytest.raises(AccessDenied, match="revoked or reissued"):
            rights.require_current_fast(store, conn, stale, rights.SCORERS)
        with pytest.raises(AccessDenied, match="needs role expert, bank"):
            rights.require_current_fast(store, conn, a["CHAIR"], rights.SCORERS)
        readers = {k: _allowed(rights.may_read_panel, conn, v, row) for k, v in a.items()}
        assert readers == {
            "X01": True,
            "X02": True,
            "X03": False,  # an expert, not a member
            "X09": True,  # a bank reviewer reads every panel
            "CHAIR": True,
            "CHAIR2": False,
            "ORG": True,
        }
        members = {k: _allowed(rights.require_member, conn, v, row) for k, v in a.items()}
        assert {k for k, ok in members.items() if ok} == {"X01", "X02", "X09"}
        pks = [r.id for r in lookups.panel_candidate_rows(conn, panel.id)]
        hidden = {k: len(rights.hidden_candidates(conn, v, row, pks)) for k, v in a.items()}
        assert hidden == {k: int(k == "X09") for k in a}  # X09 is recused from E010
        seen = [r.project_id for r in rights.visible_candidates(conn, a["X09"], row)]
        assert seen == ["E001", "E002"]
        with pytest.raises(AccessDenied, match="closes the panel"):
            rights.may_read_results(store, conn, a["ORG"], row)
        rights.may_keep_basket(store, conn, a["X09"])
        with pytest.raises(AccessDenied, match="no basket"):
            rights.may_keep_basket(store, conn, wb.system_actor("t"))
        with pytest.raises(AccessDenied, match="needs role bank, organizer"):
            rights.may_keep_basket(store, conn, a["X01"])


# ---------------------------------------------------------------- nobody else decides
_ROLE_COMPARE = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot\s+in\b)|\brole\s*(==|!=)")


def _store_modules() -> list[Path]:
    return sorted(p for p in STORE.rglob("*.py") if not _is_rights(p))


def _compares_role(node: ast.AST) -> bool:
    if not isinstance(node, ast.Compare):
        return False
    operands = [node.left, *node.comparators]
    return any(isinstance(o, ast.Attribute) and o.attr == "role" for o in operands)


@pytest.mark.parametrize("path", _store_modules(), ids=lambda p: str(p.relative_to(STORE)))
def test_no_store_module_but_rights_compares_a_role(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    compares = [n.lineno for n in ast.walk(tree) if _compares_role(n)]
    assert not compares, (
        f"{path.name} compares a role at lines {compares}: ask scoring.store.rights"
    )
    textual = [m.group(0) for m in _ROLE_COMPARE.finditer(text)]
    assert not textual, f"{path.name} compares a role ({textual}): ask scoring.store.rights"


@pytest.mark.parametrize("path", _store_modules(), ids=lambda p: str(p.relative_to(STORE)))
def test_no_store_module_but_rights_checks_membership_or_system_actors(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path.name in ("lookups.py", "unit_of_work.py"):  # where the two are defined
        return
    for name in ("is_member(", "is_system(", "SYSTEM_ID"):
        assert name not in text, f"{path.name} uses {name!r}: ask scoring.store.rights"
