"""Logout on a shared tablet: each follow-up page forgets the user and what it showed."""

from __future__ import annotations

import pytest

from scoring.ui.confirm import confirm_app
from scoring.ui.followstats import followstats_app
from scoring.ui.project import project_app
from scoring.ui.reporting import reporting_app

PAGES = {
    "reporting": (reporting_app, "unit"),
    "confirm": (confirm_app, "city"),
    "followstats": (followstats_app, "org"),
    "project": (project_app, "bank"),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_logout_forgets(page, fu):
    backend, info = fu
    make, who = PAGES[page]
    app = make(backend)
    view, model = app.view, app.model
    view.login.code.value = info["codes"][who]
    view.login.button.click()
    assert model.logged_in, model.error
    view.header.logout.click()
    assert not model.logged_in and model.identity is None
    assert view.body.children == (view.login.box,)
    view.login.code.value = info["codes"][who]
    view.login.button.click()
    assert model.logged_in and model.error == ""


def test_logout_saves_the_pending_draft(fu):
    backend, info = fu
    app = reporting_app(backend)
    app.view.login.code.value = info["codes"]["unit"]
    app.view.login.button.click()
    app.model.set_contact("李四 0351-7654321")
    app.view.header.logout.click()
    me = backend.login(info["codes"]["unit"])
    assert backend.ledger(me, "F001", "2026Q1").content["contact"] == "李四 0351-7654321"
