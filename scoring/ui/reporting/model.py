"""The project unit's model (项目报送): its projects and periods with their states and dates,
the ledger being edited (blocks and rows, indicators), the live checks, the debounced autosave,
submission, the xlsx upload and download."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

import traitlets as tl

from ..errors import describe, log
from ..session import BaseModel
from .common import display_state, finding_parts, finding_text, period_rows
from .editing import LedgerEditingMixin

#: Seconds of quiet after an edit before the draft is saved.
AUTOSAVE_DELAY = 1.0


class Debouncer:
    """Call ``func`` once, ``delay`` seconds after the last :meth:`poke`, on the kernel's event
    loop; outside one (plain pytest) at once."""

    def __init__(self, func: Callable[[], Any], delay: float = AUTOSAVE_DELAY) -> None:
        self.func = func
        self.delay = delay
        self.handle: asyncio.TimerHandle | None = None

    def poke(self) -> None:
        """An edit happened: (re)start the wait."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.func()
            return
        self.cancel()
        self.handle = loop.call_later(self.delay, self._fire)

    @property
    def pending(self) -> bool:
        return self.handle is not None

    def _fire(self) -> None:
        self.handle = None
        try:
            self.func()
        except Exception:
            log.exception("autosave failed")

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None

    def flush(self) -> None:
        """Run a pending call now."""
        if self.handle is not None:
            self.cancel()
            self.func()


class ReportingModel(LedgerEditingMixin, BaseModel):
    """State and actions of the unit's reporting page."""

    roles = ("unit",)
    projects = tl.List()  # [(label, project_id)]
    project_id = tl.Unicode("")
    periods = tl.List()  # [{key, label, state, status, due, lock, reason}]
    period_key = tl.Unicode("")
    status = tl.Unicode("")  # the stored ledger's workflow status
    version = tl.Int(0)
    reason = tl.Unicode("")
    editable = tl.Bool(False)
    #: Bumped when blocks or rows are added or removed, or another ledger is loaded.
    structure = tl.Int(0)
    #: Bumped on every edit (numbers and checks change).
    edits = tl.Int(0)
    findings = tl.List()  # [(level, field, text)] of the live check or the last submission
    stored = tl.Unicode("")  # what the database holds, in words
    report = tl.List()  # [(row, column, message)] of the last refused upload

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        super().__init__(backend, **kwargs)
        self.project: dict[str, Any] = {}
        self.content: dict[str, Any] = {}
        self.state: Any = None
        self.dirty = False
        self.autosave = Debouncer(self.save)
        self.submit_findings: list[Any] = []
        self.observe(self._on_lang, "lang")

    def logout(self) -> None:
        """Save a pending draft, then forget the user and the ledger shown."""
        self.flush()
        self.autosave.cancel()
        super().logout()

    def after_logout(self) -> None:
        self.project, self.content, self.state = {}, {}, None
        self.dirty = False
        self.submit_findings = []

    def _on_lang(self, _change: Any = None) -> None:
        """Findings and the stored-ledger line in the new language."""
        self.check()
        if self.state is not None and not self.dirty:
            self.stored = self._stored_text(self.state)

    # -- properties --------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return str(self.project.get("kind") or "enterprise")

    @property
    def group(self) -> str:
        return str(self.project.get("indicator_group") or "entity")

    @property
    def period(self) -> dict[str, Any]:
        for p in self.periods:
            if p["key"] == self.period_key:
                return p
        return {}

    @property
    def year(self) -> int:
        return int(self.period_key[:4]) if self.period_key else 0

    @property
    def yearly(self) -> bool:
        return self.period_key.endswith("Y")

    def today(self) -> Any:
        from scoring.followup.clock import today

        return today()

    # -- loading -----------------------------------------------------------------------------
    def after_login(self) -> None:
        df = self.run(self.backend.followed_projects, self.identity)
        if df is None:
            return
        self.projects = [
            (f"{r['project_id']} {r.get('name', '')}", str(r["project_id"]))
            for r in df.to_dict("records")
        ]
        if self.projects:
            self.select_project(self.projects[0][1])

    def select_project(self, project_id: str) -> None:
        """Show ``project_id``'s periods and open the period most in need of a report."""
        self.flush()
        project = self.run(self.backend.followed_project, self.identity, project_id)
        if project is None:
            return
        self.project = project
        self.project_id = str(project_id)
        self.load_periods()
        todo = [p for p in self.periods if p["state"] in ("returned", "late", "draft", "none")]
        due = sorted(todo, key=lambda p: (p["state"] != "returned", str(p["due"])))
        pick = due[0] if due else (self.periods[-1] if self.periods else None)
        if pick is not None:
            self.select_period(pick["key"])

    def load_periods(self) -> None:
        """The project's periods with their stored states and dates."""
        from scoring.followup.periods import period_label

        df = self.run(self.backend.followup_periods, self.identity, clear=False)
        today = self.today()
        out = []
        for p in period_rows(df):
            st = self.run(
                self.backend.ledger, self.identity, self.project_id, p["key"], clear=False
            )
            status = st.status if st is not None else "missing"
            out.append(
                {
                    **p,
                    "label": period_label(p["key"], self.lang),
                    "status": status,
                    "state": display_state(status, p["due"], p["lock"], today),
                    "reason": st.reason if st is not None else "",
                    "editable": bool(st.editable) if st is not None else False,
                }
            )
        self.periods = out

    def select_period(self, key: str) -> None:
        """Open the ledger of ``key`` (the stored one, or a new one from the project)."""
        self.flush()
        st = self.run(self.backend.ledger, self.identity, self.project_id, key)
        if st is None:
            return
        self.period_key = key
        self._show(st)
        self.report = []
        self.submit_findings = []
        self.check()
        self.structure += 1

    def _show(self, st: Any) -> None:
        """Take the stored ledger as the form's content."""
        from scoring.followup import ledger as led

        self.state = st
        if st.content and st.content.get("blocks"):
            self.content = copy.deepcopy(st.content)
        else:
            keys = led.summary_keys(self.kind) if self.yearly else ()
            base = copy.deepcopy(st.content) if st.content else {}
            new = led.empty_ledger(self.kind, self.project, summary_keys=keys)
            new.update({k: v for k, v in base.items() if v})
            self.content = new
        self.content.setdefault("indicators", {})
        self.status = st.status
        self.version = st.version
        self.reason = st.reason
        self.editable = st.editable
        self.dirty = False
        self.stored = self._stored_text(st)

    def _stored_text(self, st: Any) -> str:
        from scoring.followup import ledger as led

        if not st.version:
            return self.tr("fu.stored_none")
        c = led.normalise(st.content, self.kind)
        rows = sum(len(b["rows"]) for b in c["blocks"])
        total = led.financing_totals(c)["total"]
        return self.tr(
            "fu.stored",
            version=st.version,
            status=self.tr(f"fu.status.{st.status}"),
            blocks=len(c["blocks"]),
            rows=rows,
            total=f"{total:g}",
            indicators=len(c["indicators"]),
        )

    # -- checks ------------------------------------------------------------------------------
    def check(self) -> None:
        """Run the ledger checks on the form now (errors and warnings, each naming its field);
        after a refused submission the store's findings are shown with them."""
        from scoring.followup import ledger as led

        if not self.period_key:
            self.findings = []
            return
        try:
            found = led.check(
                self.content,
                self.kind,
                self.period_key,
                indicator_group=self.group,
                summary_keys=led.summary_keys(self.kind) if self.yearly else None,
            )
        except Exception as exc:  # a check must never lose the form
            self.explain(exc)
            found = []
        seen = {finding_parts(f)[:3] for f in found}
        found += [f for f in self.submit_findings if finding_parts(f)[:3] not in seen]
        self.findings = [
            (finding_parts(f)[0], finding_parts(f)[1], finding_text(f, self.lang)) for f in found
        ]

    def field_messages(self, prefix: str) -> list[str]:
        """The findings' texts on ``prefix`` (``blocks.0``, ``indicators.revenue``) and below."""
        return [t for _lvl, f, t in self.findings if f == prefix or f.startswith(prefix + ".")]

    def has_error(self, field: str) -> bool:
        return any(lvl == "error" and f == field for lvl, f, _t in self.findings)

    # -- saving and submitting ---------------------------------------------------------------
    def flush(self) -> None:
        """Save a pending draft now."""
        self.autosave.flush()

    def save(self) -> bool:
        """Save the form as the draft over the stored version; the page then shows what the
        database holds. A ledger changed elsewhere is reloaded (nothing overwritten)."""
        if not self.dirty or not self.period_key:
            return True
        content = copy.deepcopy(self.content)
        try:
            st = self.backend.save_ledger(
                self.identity, self.project_id, self.period_key, content, self.version
            )
        except Exception as exc:
            self.explain(exc)
            if "version" in str(exc).lower() or "stale" in type(exc).__name__.lower():
                self._reload_after_conflict()
            return False
        self.error = ""
        self.state = st
        self.version = st.version
        self.status = st.status
        self.editable = st.editable
        self.dirty = False
        self.stored = self._stored_text(st) + self.tr(
            "fu.saved_at", time=datetime.now().strftime("%H:%M:%S")
        )
        self._refresh_period_state()
        return True

    def _reload_after_conflict(self) -> None:
        st = self.run(
            self.backend.ledger, self.identity, self.project_id, self.period_key, clear=False
        )
        if st is not None:
            self._show(st)
            self.notice = self.tr("fu.stale", version=st.version)
            self.check()
            self.structure += 1

    def _refresh_period_state(self) -> None:
        today = self.today()
        out = []
        for p in self.periods:
            if p["key"] == self.period_key:
                p = {
                    **p,
                    "status": self.status,
                    "state": display_state(self.status, p["due"], p["lock"], today),
                    "reason": self.reason,
                    "editable": self.editable,
                }
            out.append(p)
        self.periods = out

    def submit(self) -> bool:
        """Submit the ledger: refused with every field named until the errors are fixed;
        warnings are shown and the submission goes on."""
        self.autosave.cancel()
        if self.dirty and not self.save():
            return False
        try:
            warnings, st = self.backend.submit_ledger(
                self.identity, self.project_id, self.period_key
            )
        except Exception as exc:
            found = getattr(exc, "findings", None)
            if found:
                self.submit_findings = list(found)
                self.check()
                errors = [t for lvl, _f, t in self.findings if lvl == "error"]
                self.error = self.tr("fu.submit_refused", n=len(errors)) + " " + "；".join(errors)
            else:
                self.explain(exc)
            return False
        self.submit_findings = []
        self._show(st)
        self.check()
        self._refresh_period_state()
        self.error = ""
        words = [finding_text(f, self.lang) for f in warnings]
        self.notice = self.tr("fu.submitted", version=st.version) + (
            " " + self.tr("fu.warnings") + "；".join(words) if words else ""
        )
        self.structure += 1
        return True

    # -- files -------------------------------------------------------------------------------
    def upload(self, filename: str, data: bytes) -> bool:
        """Import a filled 附件4-1/4-2 xlsx as the draft: all or nothing, problems by row and
        column."""
        self.flush()
        try:
            st = self.backend.import_ledger(
                self.identity, self.project_id, self.period_key, filename, bytes(data)
            )
        except Exception as exc:
            problems = getattr(exc, "problems", None)
            if problems:
                self.report = [
                    (
                        getattr(p, "row", None),
                        getattr(p, "column", None),
                        getattr(p, "message", str(p)),
                    )
                    for p in problems
                ]
            else:
                self.report = [(None, None, describe(exc, self.lang))]
            self.fail("fu.upload_refused", name=filename)
            return False
        self.report = []
        self._show(st)
        self.check()
        self._refresh_period_state()
        self.error = ""
        self.notice = self.tr("fu.uploaded", name=filename, version=st.version)
        self.structure += 1
        return True

    def download(self) -> tuple[str, bytes] | None:
        """The ledger as stored, as a 附件4-1/4-2 xlsx."""
        self.flush()
        return self.run(self.backend.export_ledger, self.identity, self.project_id, self.period_key)
