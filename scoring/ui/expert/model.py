"""The expert scoring page's model: conflicts first, then one sheet per candidate with
automatic draft saves and confirmation with the access code again."""

from __future__ import annotations

import time
from typing import Any

import traitlets as tl

from ..i18n import panel_base_name
from ..session import BaseModel
from ..timer import TimerMixin
from .corrections import CorrectionsMixin


def _fmt_scores(scores: dict[str, float], keys: tuple[str, ...], names: dict[str, str]) -> str:
    parts = []
    for k in keys:
        v = scores.get(k)
        parts.append(f"{names.get(k, k)} {'—' if v is None else f'{v:g}'}")
    return "，".join(parts)


#: Seconds of pause in typing a comment after which it is saved.
COMMENT_PAUSE_S = 1.0
#: Seconds between two reads of the panel's timer from the page's tick (the chair's start shows
#: within this; the time left is counted on the page every second).
TIMER_READ_S = 3.0
#: Seconds between two reads of the expert's progress from the tick (a chair's decision on a
#: correction, or a reopened panel; the expert's own writes re-read it at once).
PROGRESS_READ_S = 10.0


class ExpertModel(CorrectionsMixin, TimerMixin, BaseModel):
    """State and actions of the expert scoring page.

    Phases: ``login`` -> ``conflicts`` (declare before seeing any candidate) -> ``scoring``.
    """

    _progress_read_at = 0.0

    #: Bank reviewers who are members of a panel score on it like experts (the store allows it).
    roles = ("expert", "bank")
    phase = tl.Enum(("login", "conflicts", "scoring"), default_value="login")
    panel_name = tl.Unicode("")
    panel_date = tl.Unicode("")
    #: The panels the account scores on: [(label, panel id)], open ones first.
    panels = tl.List()
    #: Bumped when another panel is chosen (the page rebuilds its steps for it).
    panel_version = tl.Int(0)
    #: Minimal list (project_id, name, city) for the conflict declaration.
    conflict_choices = tl.List()
    #: Project ids in defense order (recused ones left out).
    order = tl.List()
    current = tl.Unicode("")
    scores = tl.Dict()
    comment = tl.Unicode("")
    sheet_status = tl.Unicode("empty")
    version = tl.Int(0)
    saved_text = tl.Unicode("")
    progress_text = tl.Unicode("")
    confirmed = tl.Int(0)
    total = tl.Int(0)

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        super().__init__(backend, **kwargs)
        self.criteria: Any = None
        self.candidates: Any = None  # DataFrame indexed by project_id
        self.statuses: dict[str, str] = {}
        #: When the comment being typed is to be saved (``None``: nothing waits).
        self._comment_due: float | None = None
        self._panel_rows: dict[str, dict] = {}
        #: The evaluation panel's evidence cards (project id -> Evidence); empty in a defense.
        self.evidences: dict[str, Any] = {}

    def after_logout(self) -> None:
        """Forget the candidates, sheets and panels read for the last user."""
        self.criteria = self.candidates = None
        self.statuses, self._panel_rows, self.evidences = {}, {}, {}

    # -- after login -----------------------------------------------------------------------
    def after_login(self) -> None:
        """List the expert's panels and show the first (an open one when there is one)."""
        panels = self.run(self.backend.expert_panels, self.identity)
        if not panels:
            self.error = self.error or self.tr("panel.none")
            return
        self._panel_rows = {str(p["id"]): p for p in panels}
        self.panels = [(self.panel_label(p), str(p["id"])) for p in panels]
        self.choose_panel(str(panels[0]["id"]))

    @tl.observe("lang")
    def _relabel_panels(self, _change: Any) -> None:
        if getattr(self, "_panel_rows", None):  # lang is set before __init__ ends
            self.panels = [(self.panel_label(p), i) for i, p in self._panel_rows.items()]

    def panel_label(self, panel: dict) -> str:
        """``name · date（status）`` of a panel in the current language."""
        from ..i18n import panel_label

        name = " · ".join(str(x) for x in (panel_base_name(panel["name"]), panel.get("date")) if x)
        return panel_label(name, str(panel.get("status") or ""), self.lang)

    def choose_panel(self, panel_id: str) -> None:
        """Show panel ``panel_id`` (one of :attr:`panels`): conflicts first unless declared."""
        panel = self._panel_rows.get(str(panel_id))
        if panel is None:
            self.fail("panel.none")
            return
        self.panel_id = str(panel["id"])
        self.panel_name = panel_base_name(panel["name"])
        self.panel_date = str(panel.get("date") or "")
        self.candidates, self.statuses, self.order, self.current = None, {}, [], ""
        self.evidences = {}
        self.purpose = str(panel.get("purpose") or "defense")
        self.scores, self.comment, self.sheet_status, self.version = {}, "", "empty", 0
        self.criteria = self.run(self.backend.panel_criteria, self.identity, self.panel_id)
        self.panel_version += 1
        if self.run(self.backend.conflicts_declared, self.identity, self.panel_id):
            self._enter_scoring()
        else:
            choices = self.run(self.backend.conflict_choices, self.identity, self.panel_id)
            self.conflict_choices = [] if choices is None else choices
            self.phase = "conflicts"

    def declare_conflicts(self, project_ids: list[str], reason: str = "") -> bool:
        """Declare conflicts (possibly none), then show the candidates."""
        reason = reason.strip() or self.tr("conflicts.reason_default")
        done = self.run(
            self.backend.declare_conflicts, self.identity, self.panel_id, list(project_ids), reason
        )
        if done is None and self.error:
            return False
        self._enter_scoring()
        return True

    def _enter_scoring(self) -> None:
        cands = self.run(self.backend.candidates, self.identity, self.panel_id)
        if cands is None:
            return
        self.candidates = cands
        if getattr(self, "purpose", "defense") == "evaluation":
            self.evidences = self.run(self.backend.evidences, self.identity, self.panel_id) or {}
        self.order = [str(p) for p in cands.index]
        self.phase = "scoring"
        self.refresh_progress()
        self.refresh_timer()
        self.refresh_requests()
        if self.order:
            self.select(self.order[0])

    # -- one candidate -------------------------------------------------------------------------
    def select(self, project_id: str) -> None:
        """Show ``project_id``'s card and the sheet the database holds for it (a comment
        still being typed for the current one is saved first)."""
        if project_id not in self.order:
            self.error = f"unknown project {project_id}"
            return
        if self.current and project_id != self.current:
            self.flush_comment(force=True)
        sheet = self.run(self.backend.sheet, self.identity, self.panel_id, project_id)
        if sheet is None:
            return
        self.current = project_id
        self._show_sheet(sheet)
        self.saved_text = ""

    def _show_sheet(self, sheet: Any) -> None:
        self.scores = dict(sheet.scores)
        self.comment = sheet.comment or ""
        self.sheet_status = sheet.status
        self.version = sheet.version
        self.statuses[self.current] = sheet.status

    def criterion_names(self) -> dict[str, str]:
        """criterion key -> display name in the current language."""
        if self.criteria is None:
            return {}
        return {c.key: c.name(self.lang) for c in self.criteria}

    def descriptor(self, key: str, value: float | None) -> str:
        """The rubric descriptor for ``value`` on criterion ``key`` (empty when unset)."""
        if self.criteria is None or value is None:
            return ""
        return self.criteria[key].descriptor(value, self.lang)

    def suggestion(self, key: str) -> Any:
        """The suggestion of a measurable point for the current project (None elsewhere)."""
        ev = self.evidences.get(self.current)
        return None if ev is None else ev.suggestions.get(key)

    def parse_score(self, key: str, text: str) -> float | None:
        """Parse a typed score; ``None`` for empty; ``ValueError`` outside the scale."""
        text = (text or "").strip()
        if not text:
            return None
        lo, hi = self.criteria.scale if self.criteria is not None else (0, 100)
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not (lo <= value <= hi):
            raise ValueError(
                self.tr(
                    "expert.bad_score",
                    name=self.criterion_names().get(key, key),
                    lo=f"{lo:g}",
                    hi=f"{hi:g}",
                )
            )
        return value

    def set_score(self, key: str, text: str) -> bool:
        """Set one criterion from typed text and save the draft at once."""
        if self.sheet_status == "confirmed":
            self.fail("expert.locked")
            return False
        value = self.run(self.parse_score, key, text)
        if value is None and self.error:
            return False
        scores = dict(self.scores)
        if value is None:
            scores.pop(key, None)
        else:
            scores[key] = value
        self.scores = scores
        return self.save()

    def type_comment(self, text: str) -> None:
        """A keystroke in the comment box: keep it and save it once typing pauses
        (:data:`COMMENT_PAUSE_S`, by :meth:`tick`), so a reload never loses what was typed."""
        if self.sheet_status == "confirmed":
            self.fail("expert.locked")
            return
        self.comment = text
        self._comment_due = time.monotonic() + COMMENT_PAUSE_S

    def flush_comment(self, *, force: bool = False) -> bool:
        """Save a typed comment whose pause has come (or at once with ``force``)."""
        due = self._comment_due
        if due is None or (not force and time.monotonic() < due):
            return False
        self._comment_due = None
        return self.save()

    def set_comment(self, text: str) -> bool:
        """Set the comment and save the draft."""
        if self.sheet_status == "confirmed":
            self.fail("expert.locked")
            return False
        if (text or "").strip() == (self.comment or "").strip():
            self.comment = text
            return True
        self.comment = text
        return self.save()

    def save(self) -> bool:
        """Save the draft (the comment as typed so far with it); show what the database holds."""
        self._comment_due = None
        res = self.run(
            self.backend.save_draft,
            self.identity,
            self.panel_id,
            self.current,
            dict(self.scores),
            self.comment,
            self.version,
        )
        return self._after_write(res, confirm=False)

    def confirm(self, code: str) -> bool:
        """Confirm (sign) the current sheet with the access code again (a comment still
        being typed is saved first, so the signature covers it)."""
        self.flush_comment(force=True)
        res = self.run(
            self.backend.confirm,
            self.identity,
            self.panel_id,
            self.current,
            (code or "").strip(),
            self.version,
        )
        ok = self._after_write(res, confirm=True)
        self.refresh_progress()
        return ok

    def _after_write(self, res: Any, *, confirm: bool) -> bool:
        if res is None:
            return False
        outcome, sheet = res
        self._show_sheet(sheet)
        names = self.criterion_names()
        keys = tuple(names) or tuple(sheet.scores)
        held = _fmt_scores(sheet.scores, keys, names)
        if sheet.comment:
            short = sheet.comment if len(sheet.comment) <= 40 else sheet.comment[:40] + "…"
            held += f"；{self.tr('expert.comment')}：{short}"
        status = self.tr(f"sheet.{sheet.status}")
        if outcome == "stale":
            self.notice = self.tr("expert.stale", version=sheet.version)
            self.saved_text = self.tr(
                "expert.saved", version=sheet.version, status=status, time="—", scores=held
            )
            return False
        if outcome == "duplicate":
            self.notice = self.tr("expert.duplicate", version=sheet.version)
        elif confirm:
            self.notice = self.tr("expert.confirmed", version=sheet.version)
        else:
            self.notice = ""
        self.saved_text = self.tr(
            "expert.saved",
            version=sheet.version,
            status=status,
            time=time.strftime("%H:%M:%S"),
            scores=held,
        )
        return True

    def refresh_progress(self) -> None:
        """Recompute "7 / 12 confirmed" from the database."""
        if not self.logged_in or not self.panel_id:
            return
        self._progress_read_at = time.monotonic()
        res = self.run(self.backend.my_progress, self.identity, self.panel_id, clear=False)
        if res is None:
            return
        self.confirmed, self.total = int(res[0]), int(res[1])
        self.progress_text = self.tr("expert.progress", done=self.confirmed, total=self.total)

    def tick(self) -> None:
        """Periodic refresh: a typed comment, timer, progress and the chair's decisions.

        The time left moves every tick, but the timer's state is re-read from the store every
        :data:`TIMER_READ_S` only, and the progress (which changes by this expert's own writes,
        re-read at once after each) every :data:`PROGRESS_READ_S`: a page in use then costs its
        server a store call every few seconds, not two a second.
        """
        self.flush_comment()
        if time.monotonic() - self._timer_read_at >= TIMER_READ_S:
            self.refresh_timer()
        else:
            self.render_timer()
        if time.monotonic() - self._progress_read_at >= PROGRESS_READ_S:
            self.refresh_progress()
        self.poll_requests()
