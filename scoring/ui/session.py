"""The session every dashboard has: language, login and the message lines.

A dashboard's model (``scoring.ui.<name>.model``) is a traitlets ``HasTraits`` without widgets,
tested in plain pytest. It holds the state a page shows and the actions it offers; it talks only
to a backend (:class:`scoring.ui.backend.StoreBackend` in production) and reports every failure in
its ``error`` trait instead of raising, so a view never loses an exception.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import traitlets as tl

from .errors import describe, log
from .i18n import DEFAULT_LANG, t

#: The kernel environment variable in which ``scoring serve`` names the page's client address.
CLIENT_ENV = "SCORING_CLIENT"


class BaseModel(tl.HasTraits):
    """Language, login and the message lines every dashboard has."""

    lang = tl.Unicode(DEFAULT_LANG)
    error = tl.Unicode("")
    notice = tl.Unicode("")
    logged_in = tl.Bool(False)
    user_name = tl.Unicode("")
    role = tl.Unicode("")
    #: Roles allowed on this page (empty: any).
    roles: tuple[str, ...] = ()

    def __init__(self, backend: Any, *, client: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.identity: Any = None
        #: The client's address, when the page knows it: passed to the store's login, which
        #: throttles failed logins per address too. A served page's kernel has it from the
        #: server (:data:`CLIENT_ENV`, set when the page's kernel starts).
        self.client = client if client is not None else (os.environ.get(CLIENT_ENV) or None)

    # -- helpers ---------------------------------------------------------------------------
    def tr(self, key: str, **values: Any) -> str:
        """Text of ``key`` in the current language."""
        return t(key, self.lang, **values)

    def _text(self, key: str, values: dict[str, Any]) -> str:
        """``tr(key, ...)`` where a value named ``<name>_key`` is a text key, given to the
        template as ``<name>`` in the current language (:meth:`say`, :meth:`fail`)."""
        shown = {
            (k[:-4] if k.endswith("_key") else k): (self.tr(v) if k.endswith("_key") else v)
            for k, v in values.items()
        }
        return self.tr(key, **shown)

    def run(self, func: Callable[..., Any], *args: Any, clear: bool = True, **kwargs: Any) -> Any:
        """Call ``func``; on failure set ``error`` (logged when unexpected) and return None.

        On success the error line is cleared unless ``clear`` is False (background refreshes).
        """
        try:
            result = func(*args, **kwargs)
        except Exception as exc:
            if isinstance(exc, (ValueError, LookupError, PermissionError)):
                log.info("refused: %s", exc)
            self.explain(exc)
            return None
        if clear:
            self.error = ""
        return result

    def toggle_lang(self) -> None:
        """Switch between Chinese and English."""
        self.lang = "en" if self.lang == "zh" else "zh"

    def say(self, key: str, **values: Any) -> None:
        """Show the notice ``key`` (re-said in the new language when the language switches).

        A value named ``<name>_key`` is itself a text key, given to the template as ``<name>``
        in the notice's language."""
        self.notice = self._text(key, values)
        self._said = (key, values, self.notice)

    _said: tuple[str, dict, str] | None = None

    def fail(self, key: str, **values: Any) -> None:
        """Show the error ``key`` (``values`` as in :meth:`say`), said again in the new language
        when the language switches, as notices are."""
        self.error = self._text(key, values)
        self._failed = (lambda: self.fail(key, **values), self.error)

    def explain(self, exc: BaseException) -> None:
        """Show why ``exc`` was refused, in the page's language (again after a switch)."""
        self.error = describe(exc, self.lang)
        self._failed = (lambda: self.explain(exc), self.error)

    _failed: tuple[Callable[[], None], str] | None = None

    @tl.observe("lang")
    def _resay(self, _change: Any) -> None:
        said = self._said
        if said is not None and self.notice == said[2]:
            self.say(said[0], **said[1])
        failed = self._failed
        if failed is not None and self.error == failed[1]:  # still shown: say it again
            failed[0]()

    # -- login -------------------------------------------------------------------------------
    def login(self, code: str) -> bool:
        """Log in with an access code; False (and ``error`` set) when refused."""
        code = (code or "").strip()
        if not code:
            self.fail("error.login")
            return False
        try:
            if self.client:
                ident = self.backend.login(code, client=self.client)
            else:
                ident = self.backend.login(code)
        except (ValueError, PermissionError, LookupError) as exc:
            log.info("login refused: %s", exc)
            self.fail("error.login")
            return False
        except Exception as exc:
            self.explain(exc)
            return False
        if self.roles and ident.role not in self.roles:
            self.fail("login.wrong_role", role_key=f"role.{ident.role}")
            return False
        self.identity = ident
        self.error = ""
        self.user_name = ident.name
        self.role = ident.role
        self.say("login.ok", name=ident.name, role_key=f"role.{ident.role}")
        self.logged_in = True
        self.after_login()
        return True

    def after_login(self) -> None:
        """Load what the page shows once logged in (overridden)."""

    def logout(self) -> None:
        """Forget the identity and everything the page showed (a shared tablet): every trait
        but the language goes back to its default, so the page shows its login box again."""
        if self.identity is not None and hasattr(self.identity, "handle"):  # the store process's
            forget = getattr(self.backend, "logout", None)
            if forget is not None:
                forget(self.identity)
        self.identity = None
        keep = {"lang"}
        with self.hold_trait_notifications():
            for name in self.trait_names():
                if name not in keep and not name.startswith("_"):
                    try:
                        setattr(self, name, self.trait_defaults(name))
                    except tl.TraitError:
                        continue
        self.after_logout()
        self.say("logout.done")

    def after_logout(self) -> None:
        """Forget what the page read beyond its traits (overridden)."""
