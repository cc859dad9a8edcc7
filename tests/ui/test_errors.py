"""Callback exceptions are shown to the user and logged, never lost."""

from __future__ import annotations

import logging

import ipywidgets as w

from scoring.ui.errors import guard
from scoring.ui.expert import expert_app


class Boom:
    """A backend whose every call fails unexpectedly."""

    def __getattr__(self, name):
        def fail(*_a, **_k):
            raise RuntimeError("database exploded")

        return fail


def test_unexpected_error_in_a_callback_is_shown_and_logged(caplog):
    app = expert_app(Boom(), poll=False)
    app.view.login.code.value = "X01-AAAA-BBBB-CCCC"
    with caplog.at_level(logging.ERROR, logger="scoring.ui"):
        app.view.login.button.click()
    assert "内部错误" in app.model.error and "编号" in app.model.error
    assert "内部错误" in app.view.messages.error.value
    ref = app.model.error.split("编号 ")[1][:8]
    assert any(ref in r.getMessage() and r.exc_info for r in caplog.records)


def test_guard_reports_expected_errors_plainly():
    shown = []
    button = w.Button()

    @guard(shown.append)
    def click(_b):
        raise ValueError("row 3, column 'score': not a number")

    button.on_click(click)
    button.click()
    assert shown == ["row 3, column 'score': not a number"]
