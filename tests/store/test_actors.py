"""Actors are issued by ``login`` and sealed by the store object that issued them: an actor the
caller built, even with every field of a real account right, or changed, is refused."""

from __future__ import annotations

import dataclasses

import pytest

from scoring.store import AccessDenied, Workbench
from scoring.store.accounts import Actor

from .conftest import FULL


def _copy(actor: Actor) -> Actor:
    """The same fields, built by the caller (no seal)."""
    return Actor(*actor.fields())


def test_an_actor_built_by_the_caller_cannot_save_as_another_expert(panel) -> None:
    wb = panel.open().wb
    real = panel.a["X02"]
    forged = _copy(real)  # every field right: account id, login, role, expert, code version
    assert forged == real  # equal as data, yet not issued by the store
    with pytest.raises(AccessDenied, match="invalid actor"):
        wb.save_scores(forged, panel.id, "E001", FULL, base_version=0)
    with pytest.raises(AccessDenied, match="invalid actor"):
        wb.my_sheets(forged, panel.id)
    with pytest.raises(AccessDenied, match="invalid actor"):
        wb.confirm_sheet(forged, panel.id, "E001", code=panel.codes["X02"], base_version=0)
    sheets = wb.my_sheets(real, panel.id)
    assert set(sheets["status"]) == {"empty"}  # nothing was written
    assert wb.save_scores(real, panel.id, "E001", FULL, base_version=0).ok  # the real one works


def test_a_changed_actor_is_refused_everywhere(panel) -> None:
    wb = panel.open().wb
    real = panel.a["X09"]
    renamed = dataclasses.replace(real, name="冒名 / someone else")  # the audit would show it
    for call in (
        lambda a: wb.basket(a),
        lambda a: wb.panels(a),
        lambda a: wb.save_scores(a, panel.id, "E001", FULL, base_version=0),
    ):
        with pytest.raises(AccessDenied, match="invalid actor"):
            call(renamed)
    assert wb.basket(real).projects == ()


def test_an_actor_is_valid_only_in_the_store_that_issued_it(panel, db_url) -> None:
    wb = panel.open().wb
    with Workbench(db_url) as other:
        with pytest.raises(AccessDenied, match="invalid actor"):
            other.my_sheets(panel.a["X01"], panel.id)
        mine = other.login(panel.codes["X01"])
        assert len(other.my_sheets(mine, panel.id)) == 3
        with pytest.raises(AccessDenied, match="invalid actor"):
            wb.my_sheets(mine, panel.id)
    cli = wb.system_actor("test")  # the command line's actor keeps working
    assert len(wb.accounts(cli)) == len(panel.codes)
