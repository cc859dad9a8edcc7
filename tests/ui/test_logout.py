"""Logout on a shared tablet (issue 11 item 7): every page forgets who was logged in and what
it showed, shows its login box again, and the next user logs in with their own code."""

from __future__ import annotations

import pytest

from scoring.ui.bank import bank_app
from scoring.ui.board import board_app
from scoring.ui.console import console_app
from scoring.ui.expert import expert_app

PAGES = {
    "expert": (expert_app, "X01"),
    "board": (board_app, "chair"),
    "bank": (bank_app, "bank"),
    "console": (console_app, "organizer"),
}


def _app(make, backend):
    try:
        return make(backend, poll=False)
    except TypeError:
        return make(backend)


@pytest.mark.parametrize("page", list(PAGES))
def test_logout_forgets_the_user_and_shows_the_login_box(page, store) -> None:
    backend, info = store
    make, who = PAGES[page]
    app = _app(make, backend)
    view, model = app.view, app.model
    view.login.code.value = info["codes"][who]
    view.login.button.click()
    assert model.logged_in, model.error
    assert view.header.logout.layout.display is None and model.user_name in view.header.who.value
    assert view.body.children != (view.login.box,)
    model.lang = "en"
    view.header.logout.click()
    assert not model.logged_in and model.identity is None and model.user_name == ""
    assert view.body.children == (view.login.box,), page
    assert view.header.logout.layout.display == "none" and model.lang == "en"
    assert "Logged out" in model.notice
    view.login.code.value = info["codes"][who]
    view.login.button.click()
    assert model.logged_in, model.error


def test_the_login_line_follows_the_language(store) -> None:
    backend, info = store
    app = _app(expert_app, backend)
    app.view.login.code.value = info["codes"]["X01"]
    app.view.login.button.click()
    assert app.model.notice.startswith("已登录") and "评审专家" in app.model.notice
    app.model.toggle_lang()
    assert app.model.notice.startswith("Logged in") and "(expert)" in app.model.notice
