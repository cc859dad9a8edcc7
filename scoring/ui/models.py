"""Models of the dashboards: traitlets ``HasTraits`` without widgets, tested in plain pytest.

A model holds the state a page shows and the actions it offers; it talks only to a backend
(:class:`scoring.ui.backend.StoreBackend` in production) and reports every failure in its
``error`` trait instead of raising, so a view never loses an exception.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import traitlets as tl

from .errors import describe, log
from .i18n import DEFAULT_LANG, panel_base_name, t
from .timer import format_left


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

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.identity: Any = None

    # -- helpers ---------------------------------------------------------------------------
    def tr(self, key: str, **values: Any) -> str:
        """Text of ``key`` in the current language."""
        return t(key, self.lang, **values)

    def run(self, func: Callable[..., Any], *args: Any, clear: bool = True, **kwargs: Any) -> Any:
        """Call ``func``; on failure set ``error`` (logged when unexpected) and return None.

        On success the error line is cleared unless ``clear`` is False (background refreshes).
        """
        try:
            result = func(*args, **kwargs)
        except Exception as exc:
            if isinstance(exc, (ValueError, LookupError, PermissionError)):
                log.info("refused: %s", exc)
            self.error = describe(exc, self.lang)
            return None
        if clear:
            self.error = ""
        return result

    def toggle_lang(self) -> None:
        """Switch between Chinese and English."""
        self.lang = "en" if self.lang == "zh" else "zh"

    # -- login -------------------------------------------------------------------------------
    def login(self, code: str) -> bool:
        """Log in with an access code; False (and ``error`` set) when refused."""
        code = (code or "").strip()
        if not code:
            self.error = self.tr("error.login")
            return False
        try:
            ident = self.backend.login(code)
        except (ValueError, PermissionError, LookupError) as exc:
            log.info("login refused: %s", exc)
            self.error = self.tr("error.login")
            return False
        except Exception as exc:
            self.error = describe(exc, self.lang)
            return False
        if self.roles and ident.role not in self.roles:
            self.error = self.tr("login.wrong_role", role=self.tr(f"role.{ident.role}"))
            return False
        self.identity = ident
        self.error = ""
        self.user_name = ident.name
        self.role = ident.role
        self.notice = self.tr("login.ok", name=ident.name, role=self.tr(f"role.{ident.role}"))
        self.logged_in = True
        self.after_login()
        return True

    def after_login(self) -> None:
        """Load what the page shows once logged in (overridden)."""

    def logout(self) -> None:
        """Forget the identity."""
        self.identity = None
        self.logged_in = False
        self.notice = ""


def _fmt_scores(scores: dict[str, float], keys: tuple[str, ...], names: dict[str, str]) -> str:
    parts = []
    for k in keys:
        v = scores.get(k)
        parts.append(f"{names.get(k, k)} {'—' if v is None else f'{v:g}'}")
    return "，".join(parts)


class TimerMixin(tl.HasTraits):
    """The defense timer line of a panel page."""

    timer_text = tl.Unicode("")
    panel_id = tl.Unicode("")
    #: The timed candidate and phase (presentation, questions, over, stopped; empty: none).
    timer_project = tl.Unicode("")
    timer_phase = tl.Unicode("")

    @tl.observe("lang")
    def _timer_lang(self, _change: Any) -> None:
        if getattr(self, "logged_in", False):
            self.refresh_timer()  # the timer line in the new language at once, not at the tick

    def refresh_timer(self, now: float | None = None) -> None:
        """Recompute ``timer_text`` from the panel's timer in the store."""
        lang = getattr(self, "lang", DEFAULT_LANG)
        state = None
        identity = getattr(self, "identity", None)
        if self.panel_id and identity is not None:
            run = getattr(self, "run", None)
            if run is not None:
                state = run(self.backend.timer, identity, self.panel_id, clear=False)
        if state is None:
            self.timer_project = self.timer_phase = ""
            self.timer_text = t("timer.idle", lang)
            return
        phase, left = state.phase(now)
        self.timer_project, self.timer_phase = str(state.project_id), phase
        label = state.project_id
        if phase in ("over", "stopped"):
            self.timer_text = f"{label}：{t('timer.' + phase, lang)}"
        else:
            self.timer_text = f"{label}：{t('timer.' + phase, lang, left=format_left(left))}"


class ExpertModel(TimerMixin, BaseModel):
    """State and actions of the expert scoring page.

    Phases: ``login`` -> ``conflicts`` (declare before seeing any candidate) -> ``scoring``.
    """

    #: Bank reviewers who are members of a panel score on it like experts (the store allows it).
    roles = ("expert", "bank")
    phase = tl.Enum(("login", "conflicts", "scoring"), default_value="login")
    panel_name = tl.Unicode("")
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

    # -- after login -----------------------------------------------------------------------
    def after_login(self) -> None:
        panels = self.run(self.backend.expert_panels, self.identity)
        if not panels:
            self.error = self.error or self.tr("panel.none")
            return
        panel = panels[0]
        self.panel_id = str(panel["id"])
        self.panel_name = panel_base_name(panel["name"])
        self.criteria = self.run(self.backend.panel_criteria, self.identity, self.panel_id)
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
        self.order = [str(p) for p in cands.index]
        self.phase = "scoring"
        self.refresh_progress()
        self.refresh_timer()
        if self.order:
            self.select(self.order[0])

    # -- one candidate -------------------------------------------------------------------------
    def select(self, project_id: str) -> None:
        """Show ``project_id``'s card and the sheet the database holds for it."""
        if project_id not in self.order:
            self.error = f"unknown project {project_id}"
            return
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
            self.error = self.tr("expert.locked")
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

    def set_comment(self, text: str) -> bool:
        """Set the comment and save the draft."""
        if self.sheet_status == "confirmed":
            self.error = self.tr("expert.locked")
            return False
        if (text or "").strip() == (self.comment or "").strip():
            self.comment = text
            return True
        self.comment = text
        return self.save()

    def save(self) -> bool:
        """Save the draft; show what the database now holds."""
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
        """Confirm (sign) the current sheet with the access code again."""
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
        res = self.run(self.backend.my_progress, self.identity, self.panel_id, clear=False)
        if res is None:
            return
        self.confirmed, self.total = int(res[0]), int(res[1])
        self.progress_text = self.tr("expert.progress", done=self.confirmed, total=self.total)

    def tick(self) -> None:
        """Periodic refresh: timer and progress."""
        self.refresh_timer()
        self.refresh_progress()


# ---------------------------------------------------------------------------------------------
# Chair / organizer board
# ---------------------------------------------------------------------------------------------

STATUS_MARK = {"confirmed": "✔", "draft": "✎", "empty": "·", "recused": "回避"}


def progress_matrix(progress: Any, declarations: Any = None) -> Any:
    """Experts x candidates table of sheet marks plus a ``confirmed`` column ("c / n") and,
    given the store's declarations, a ``declared`` column (✔ none / the projects / —)."""
    import pandas as pd

    if progress is None or len(progress) == 0:
        return pd.DataFrame()
    df = progress.copy()
    df["mark"] = df["status"].map(STATUS_MARK).fillna("?")
    mat = df.pivot(index=["expert_id", "expert_name"], columns="project_id", values="mark")
    scorable = df[df["status"] != "recused"].groupby(["expert_id", "expert_name"]).size()
    done = df[df["status"] == "confirmed"].groupby(["expert_id", "expert_name"]).size()
    done = done.reindex(mat.index, fill_value=0)
    scorable = scorable.reindex(mat.index, fill_value=0)
    mat.insert(0, "confirmed", [f"{d} / {n}" for d, n in zip(done, scorable, strict=True)])
    if declarations is not None:
        marks = {}
        for r in declarations.itertuples():
            if not r.declared:
                marks[r.expert_id] = "—"
            else:
                marks[r.expert_id] = "✔ " + ("、".join(r.projects) if len(r.projects) else "∅")
        mat.insert(1, "declared", [marks.get(e, "—") for e, _n in mat.index])
    return mat


def panel_results(backend: Any, actor: Any, panel_id: Any, *, samples: int = 2000) -> dict:
    """Everything the board shows after closing: ranking, panel scores, deviation flags,
    agreement, probability of making the cut line, shortlist.

    Returns
    -------
    dict
        ``ranking`` (store's results), ``config`` (PanelConfig), ``hash``, ``deviation``
        (flagged rows), ``agreement``, ``p_cut`` (Series), ``cut`` (int), ``shortlist``.
    """
    from scoring.engine.panel import expert_deviation, panel_agreement
    from scoring.engine.sensitivity import sensitivity
    from scoring.programme.shortlist import default_cut_size, shortlist

    ranking = backend.results(actor, panel_id)
    cfg, h = backend.panel_config(actor, panel_id)
    long = backend.panel_scores(actor, panel_id)
    keys = list(cfg.keys)
    out: dict[str, Any] = {"ranking": ranking, "config": cfg, "hash": h, "long": long}
    try:
        dev = expert_deviation(long, criteria=keys)
        out["deviation"] = dev[dev["flag"]]
    except ValueError as exc:  # too few scores to compare experts
        log.info("deviation not computed: %s", exc)
        out["deviation"] = long.iloc[0:0].assign(mean_deviation=[], direction=[])
    try:
        out["agreement"] = panel_agreement(
            long, criteria=keys, weights=cfg.weights, objectives=cfg.objectives
        )
    except ValueError as exc:  # too few experts/candidates for the statistics
        log.info("agreement not computed: %s", exc)
        out["agreement"] = None
    n = len(ranking)
    cut = int(cfg.cut_size) if cfg.cut_size else default_cut_size(n)
    cut = min(cut, n)
    out["cut"] = cut
    matrix = ranking[keys]
    if n >= 2:
        sens = sensitivity(
            matrix,
            weights=cfg.weights,
            objectives=cfg.objectives,
            method=cfg.ranking_method,
            samples=samples,
            seed=0,
        )
        out["p_cut"] = sens.p_top(cut)
    else:
        import pandas as pd

        out["p_cut"] = pd.Series(1.0, index=ranking.index)
    cands = ranking.reset_index()[["project_id", "name"]]
    extra = backend.candidates(actor, panel_id)
    for col in ("city", "kind", "enterprise_type"):
        if col in extra:
            cands[col] = cands["project_id"].map(extra[col])
    out["shortlist"] = shortlist(
        ranking[["score", "rank"]],
        cands,
        size=cut if not cfg.cut_min_score else None,
        min_score=cfg.cut_min_score,
        ties=cfg.tie_rule if cfg.tie_rule != "competition" else "include",
    )
    return out


def export_bytes(results: dict, fmt: str, lang: str = "zh") -> tuple[str, bytes]:
    """The board's download: ranking (and, in xlsx, shortlist and flags) as ``(filename, bytes)``."""
    import tempfile
    from pathlib import Path

    from scoring.io import write_table

    ranking = results["ranking"].copy()
    ranking.index.name = "project_id"
    name = f"ranking_panel{ranking.attrs.get('panel_id', '')}.{fmt}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        if fmt == "xlsx":
            sheets = {"排名 ranking": ranking, "入选 shortlist": results["shortlist"]}
            write_table(sheets, path, title=f"评审排名 / ranking（配置 {results['hash'][:12]}）")
        elif fmt == "csv":
            write_table(ranking, path)
        else:
            raise ValueError(f"unknown format {fmt!r}")
        return name, path.read_bytes()


class BoardModel(TimerMixin, BaseModel):
    """State and actions of the chair / organizer board."""

    roles = ("chair", "organizer")
    panels = tl.List()
    panel_status = tl.Unicode("")
    progress_version = tl.Int(0)
    results_version = tl.Int(0)
    project_ids = tl.List()
    #: Unconfirmed sheets the chair is asked about before a forced close (0: not asking).
    close_pending = tl.Int(0)
    #: project_id -> name, for the timer's picker and line.
    project_names = tl.Dict()
    #: PDF report: building, the step being built, steps done / total.
    report_busy = tl.Bool(False)
    report_step = tl.Unicode("")
    report_done = tl.Int(0)
    report_total = tl.Int(0)
    #: Robustness draws of the PDF report (the command line's default).
    report_samples = 10_000

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        super().__init__(backend, **kwargs)
        self.progress: Any = None
        self.declarations: Any = None
        self.matrix: Any = None
        self.results: dict | None = None
        self._progress_key: Any = None
        #: The last PDF report built for the shown panel: ``(filename, bytes)``.
        self.report_file: tuple[str, bytes] | None = None

    def after_login(self) -> None:
        self.load_panels()

    def load_panels(self) -> None:
        """List the panels the account may run; select the first open one."""
        panels = self.run(self.backend.panels, self.identity)
        if panels is None:
            return
        self.panels = [{k: p[k] for k in ("id", "name", "status", "config_hash")} for p in panels]
        if not self.panels:
            self.error = self.tr("panel.none")
            return
        order = {"open": 0, "draft": 1, "closed": 2}
        best = sorted(self.panels, key=lambda p: (order.get(p["status"], 3), p["id"]))[0]
        self.choose(str(best["id"]))

    def choose(self, panel_id: str) -> None:
        """Show panel ``panel_id``."""
        self.panel_id = str(panel_id)
        self.results = None
        self.report_file = None
        self.report_step = ""
        self.close_pending = 0
        self.refresh(force=True)
        cands = self.run(self.backend.candidates, self.identity, self.panel_id, clear=False)
        self.project_ids = [] if cands is None else [str(p) for p in cands.index]
        names = {} if cands is None or "name" not in cands else cands["name"].to_dict()
        self.project_names = {str(k): str(v) for k, v in names.items()}
        self.refresh_timer()

    def _status(self) -> str:
        panels = self.run(self.backend.panels, self.identity, clear=False) or []
        fresh = [{k: p[k] for k in ("id", "name", "status", "config_hash")} for p in panels]
        if fresh and fresh != self.panels:
            self.panels = fresh
        for p in panels:
            if str(p["id"]) == self.panel_id:
                return str(p["status"])
        return ""

    def refresh(self, force: bool = False) -> None:
        """Re-read status and progress (polled every second); results once closed."""
        if not self.logged_in or not self.panel_id:
            return
        status = self._status()
        changed = status != self.panel_status
        self.panel_status = status
        prog = self.run(self.backend.progress, self.identity, self.panel_id, clear=False)
        decl = self.run(self.backend.declarations, self.identity, self.panel_id, clear=False)
        if prog is not None:
            key = tuple(map(tuple, prog[["expert_id", "project_id", "status", "version"]].values))
            if decl is not None:
                key += tuple(
                    (r.expert_id, r.declared_at, len(r.projects)) for r in decl.itertuples()
                )
            if force or key != self._progress_key:
                self._progress_key = key
                self.progress = prog
                self.declarations = decl
                self.matrix = progress_matrix(prog, decl)
                self.progress_version += 1
        if status == "closed" and (force or changed or self.results is None):
            self.load_results()

    def load_results(self) -> None:
        """Compute the closed panel's results."""
        res = self.run(panel_results, self.backend, self.identity, self.panel_id, clear=False)
        if res is not None:
            self.results = res
            self.results_version += 1

    def open_panel(self) -> None:
        if self.run(self.backend.open_panel, self.identity, self.panel_id) is None and self.error:
            return
        self.refresh(force=True)

    def unconfirmed(self) -> int:
        """Sheets of the panel that are neither confirmed nor recused (the store's progress)."""
        self.refresh(force=True)
        if self.progress is None or len(self.progress) == 0:
            return 0
        return int((~self.progress["status"].isin(["confirmed", "recused"])).sum())

    def request_close(self) -> bool:
        """The chair's "close": closes at once when every sheet is confirmed; otherwise sets
        ``close_pending`` to the number of unconfirmed sheets (the page asks for a reason)."""
        missing = self.run(self.unconfirmed)
        if missing is None:
            return False
        if missing:
            self.close_pending = missing
            return False
        return self.close_panel()

    def close_panel(self, force: bool = False, reason: str = "") -> bool:
        """Close the panel (``force`` with a ``reason`` while sheets are unconfirmed)."""
        done = self.run(
            self.backend.close_panel, self.identity, self.panel_id, force=force, reason=reason
        )
        if done is None and self.error:
            return False
        self.close_pending = 0
        self.refresh(force=True)
        return True

    def start_timer(
        self, project_id: str, presentation_s: int = 600, questions_s: int = 300
    ) -> None:
        """Start the defense timer for ``project_id`` on every page of the panel."""
        if project_id not in self.project_ids:
            self.error = f"unknown project {project_id}"
            return
        done = self.run(
            self.backend.start_timer,
            self.identity,
            self.panel_id,
            project_id,
            presentation_s=presentation_s,
            questions_s=questions_s,
        )
        if done is None:
            return
        self.refresh_timer()

    def stop_timer(self) -> None:
        """Stop the panel's defense timer (every page of the panel shows it stopped)."""
        if self.timer_phase in ("", "stopped"):
            self.error = self.tr("timer.not_running")
            return
        self.run(self.backend.stop_timer, self.identity, self.panel_id)
        self.refresh_timer()

    @property
    def timer_running(self) -> bool:
        """Whether a defense is being timed (presentation or questions, or over but not stopped)."""
        return self.timer_phase in ("presentation", "questions", "over")

    def timer_status(self) -> str:
        """The chair's line: which candidate is timed and in which phase, with the time left."""
        if not self.timer_project:
            return self.tr("timer.idle")
        name = self.project_names.get(self.timer_project, "")
        rest = self.timer_text.split("：", 1)[-1]
        return self.tr("timer.board", project=f"{self.timer_project} {name}".strip(), state=rest)

    def download(self, fmt: str) -> tuple[str, bytes] | None:
        """``(filename, bytes)`` of the export, or None before results exist."""
        if self.results is None:
            self.error = self.tr("board.hidden")
            return None
        return self.run(export_bytes, self.results, fmt, self.lang)

    def report_pdf(self) -> tuple[str, bytes] | None:
        """Build the panel report (PDF) of the closed panel: ``(filename, bytes)`` or None.

        ``report_busy``, ``report_step`` and ``report_done`` / ``report_total`` follow the
        build (data, then each page section and score sheet) so that the page shows progress.
        """
        if self.results is None:
            self.error = self.tr("board.hidden")
            return None
        phase = {"offset": 0}

        def progress(step: str, done: int, total: int) -> None:
            if done == total and phase["offset"] == 0:
                phase["offset"] = total  # data assembled; the PDF pages follow
                return
            self.report_step = step
            self.report_done = phase["offset"] + done
            self.report_total = max(self.report_total, phase["offset"] + total)

        self.report_file = None
        self.report_busy = True
        self.report_step = ""
        self.report_done = 0
        self.report_total = 5 + 5 + len(self.results["long"]["expert_id"].unique())
        try:
            got = self.run(
                self.backend.panel_report,
                self.identity,
                self.panel_id,
                samples=self.report_samples,
                progress=progress,
            )
        finally:
            self.report_busy = False
        if got is not None:
            self.report_file = got
            self.report_done = self.report_total
            self.report_step = self.tr("board.report_ready")
        else:
            self.report_step = ""
        return got

    def tick(self) -> None:
        self.refresh()
        self.refresh_timer()


# ---------------------------------------------------------------------------------------------
# Bank reviewer
# ---------------------------------------------------------------------------------------------


class BankModel(BaseModel):
    """State and actions of the bank reviewer's comparison page.

    The pool is every candidate of the closed panels the account may read (results are hidden
    until a panel closes). The basket is the account's, kept in the store (loaded at login; the
    store enforces the 20-project limit).
    """

    roles = ("bank", "organizer")
    pool = tl.List()  # [(label, project_id)]
    picked = tl.List()
    weights = tl.Dict()
    basket = tl.List()
    compare_version = tl.Int(0)

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        super().__init__(backend, **kwargs)
        self.table: Any = None  # ranking rows of every closed panel (panel scores + rank)
        self.candidates: Any = None
        self.config: Any = None
        self.portfolio: Any = None
        self.comparison: Any = None

    def after_login(self) -> None:
        import pandas as pd

        panels = self.run(self.backend.panels, self.identity) or []
        frames, cands = [], []
        for p in panels:
            if p["status"] != "closed":
                continue
            res = self.run(self.backend.results, self.identity, p["id"], clear=False)
            cand = self.run(self.backend.candidates, self.identity, p["id"], clear=False)
            if res is None or cand is None:
                continue
            if self.config is None:
                self.config = self.run(self.backend.panel_config, self.identity, p["id"])[0]
            res = res.copy()
            res["panel"] = panel_base_name(p["name"])
            res["panel_rank"] = res["rank"]
            frames.append(res)
            cands.append(cand)
        if not frames:
            self.error = self.tr("board.hidden")
            return
        # a candidate heard by several panels counts once, with its latest panel's scores
        self.table = pd.concat(frames)
        self.table = self.table[~self.table.index.duplicated(keep="last")]
        self.candidates = pd.concat(cands)
        self.candidates = self.candidates[~self.candidates.index.duplicated()]
        stored = self.run(self.backend.basket, self.identity, clear=False)
        if stored is not None:
            self.portfolio = stored
            self.basket = list(stored.projects)
        self.weights = dict(self.config.weights)
        self.pool = [
            (f"{pid} {r['name']}（{r['panel']} #{int(r['panel_rank'])}）", str(pid))
            for pid, r in self.table.sort_values(["panel", "panel_rank"]).iterrows()
        ]

    def keys(self) -> list[str]:
        return list(self.config.keys) if self.config is not None else []

    def own_ranking(self) -> Any:
        """The bank's ranking of the whole pool under its own weights (same method)."""
        from scoring.engine.ranking import rank

        keys = self.keys()
        return rank(
            self.table[keys],
            weights=self.weights,
            objectives=self.config.objectives,
            method=self.config.ranking_method,
        )

    def set_weight(self, key: str, value: float) -> None:
        """Change one of the bank's weights (re-ranks)."""
        if key not in self.keys() or not value > 0:
            self.error = f"{key}: weight must be > 0"
            return
        self.weights = {**self.weights, key: float(value)}
        if len(self.picked) >= 2:
            self.compare(self.picked)

    def compare(self, project_ids: list[str]) -> bool:
        """Compare 2 to 6 candidates: indicators, panel scores, panel and bank ranks."""
        ids = [str(p) for p in project_ids]
        if not 2 <= len(ids) <= 6:
            self.error = self.tr("bank.need")
            return False
        own = self.run(self.own_ranking)
        if own is None:
            return False
        cols = [*self.keys(), "score", "panel_rank"]
        comp = self.table.loc[ids, ["name", "panel", *cols]].copy()
        comp["bank_rank"] = own.loc[ids, "rank"].astype(int)
        comp["bank_score"] = own.loc[ids, "score"]
        self.comparison = comp
        self.picked = ids
        self.error = ""
        self.compare_version += 1
        return True

    def add_to_basket(self, project_ids: list[str] | None = None) -> bool:
        """Add the picked candidates to the basket; the 21st is refused (nothing added)."""
        ids = [str(p) for p in (project_ids if project_ids is not None else self.picked)]
        pf = self.run(self.backend.add_to_basket, self.identity, ids)
        if pf is None:
            return False
        self.portfolio = pf
        self.basket = list(pf.projects)
        self.error = ""
        self.notice = self.tr("bank.basket", cap=pf.limit) + f"：{len(pf)}"
        return True

    def remove_from_basket(self, project_id: str) -> None:
        """Remove one project from the stored basket."""
        if self.portfolio is not None and project_id in self.portfolio:
            pf = self.run(self.backend.remove_from_basket, self.identity, [project_id])
            if pf is not None:
                self.portfolio = pf
                self.basket = list(pf.projects)

    def export(self) -> tuple[str, bytes] | None:
        """The comparison (and indicators) as an xlsx download."""
        if self.comparison is None:
            self.error = self.tr("bank.need")
            return None
        return self.run(self._export)

    def _export(self) -> tuple[str, bytes]:
        import tempfile
        from pathlib import Path

        from scoring.io import write_table

        comp = self.comparison.copy()
        comp.index.name = "project_id"
        ind = self.candidates.loc[list(comp.index)].copy()
        ind.index.name = "project_id"
        ind = ind.drop(columns=[c for c in ("project_id",) if c in ind])
        basket = (
            self.table.loc[list(self.portfolio.projects), ["name"]] if len(self.portfolio) else None
        )
        sheets = {"对比 comparison": comp, "指标 indicators": ind}
        if basket is not None:
            basket.index.name = "project_id"
            sheets["项目篮 basket"] = basket
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bank_comparison.xlsx"
            write_table(sheets, path, title="银行审贷对比 / bank comparison")
            return path.name, path.read_bytes()


# ---------------------------------------------------------------------------------------------
# Organizer console
# ---------------------------------------------------------------------------------------------


#: The console's default cut size: the demo's (``scoring.store.demo.DEMO_CUT``).
DEFAULT_CUT = 30


class ConsoleModel(BaseModel):
    """State and actions of the organizer console: imports, criteria and weights with a live
    ranking preview, panel set-up, freezing, access codes."""

    roles = ("organizer",)
    report = tl.List()  # [(row, column, message)] of the last refused import
    weights = tl.Dict()
    method = tl.Unicode("weighted_sum")
    aggregation = tl.Unicode("trimmed_mean")
    #: Cut size to freeze; 0 means not set (the board then takes the top half).
    cut_size = tl.Int(DEFAULT_CUT)
    preview_version = tl.Int(0)
    panels = tl.List()
    experts = tl.List()  # [(label, expert_id)]
    projects = tl.List()  # [(label, project_id)]
    issued = tl.Unicode("")
    frozen_hash = tl.Unicode("")

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        super().__init__(backend, **kwargs)
        from scoring.engine.criteria import default_criteria

        self.criteria = default_criteria()
        self.weights = dict(self.criteria.weights)
        self.preview: Any = None
        self._preview_scores: Any = None

    def after_login(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Re-read panels, experts and candidates."""
        panels = self.run(self.backend.panels, self.identity, clear=False) or []
        self.panels = [{k: p[k] for k in ("id", "name", "status", "config_hash")} for p in panels]
        ex = self.run(self.backend.experts, self.identity, clear=False)
        if ex is not None and len(ex):
            self.experts = [
                (f"{r['expert_id']} {r.get('name', '')}", str(r["expert_id"]))
                for _, r in ex.iterrows()
            ]
        ca = self.run(self.backend.all_candidates, self.identity, clear=False)
        if ca is not None and len(ca):
            self.projects = [
                (f"{r['project_id']} {r.get('name', '')}", str(r["project_id"]))
                for _, r in ca.iterrows()
            ]
        # reference scores of the preview: the closed panel with the most candidates
        self._preview_scores = None
        for p in self.panels:
            if p["status"] != "closed":
                continue
            long = self.run(self.backend.panel_scores, self.identity, p["id"], clear=False)
            best = self._preview_scores
            if long is not None and (
                best is None or long["project_id"].nunique() > best["project_id"].nunique()
            ):
                self._preview_scores = long
        self.update_preview()

    # -- imports ---------------------------------------------------------------------------
    def upload(self, what: str, filename: str, data: bytes) -> bool:
        """Import an uploaded file; on refusal ``report`` lists every problem (nothing imported)."""
        try:
            res = self.backend.import_table(self.identity, what, filename, bytes(data))
        except ValueError as exc:
            problems = getattr(exc, "problems", None)
            if problems:
                self.report = [(p.row, p.column, p.message) for p in problems]
            else:
                self.report = [(None, None, str(exc))]
            self.error = describe(exc, self.lang)
            return False
        except Exception as exc:
            self.error = describe(exc, self.lang)
            return False
        self.report = []
        self.error = ""
        self.notice = (
            f"{filename}: "
            + self.tr("console.imported", n=len(res.added) + len(res.changed))
            + f"（+{len(res.added)} / ~{len(res.changed)} / ={res.unchanged}）"
        )
        self.reload()
        return True

    # -- criteria and preview ----------------------------------------------------------------
    def set_weight(self, key: str, value: float) -> None:
        if key not in self.criteria.keys or not value > 0:
            self.error = f"{key}: weight must be > 0"
            return
        self.weights = {**self.weights, key: float(value)}
        self.update_preview()

    def config(self) -> Any:
        """The :class:`~scoring.store.PanelConfig` the console would freeze."""
        from scoring.store import PanelConfig

        return PanelConfig.from_criteria(
            self.criteria.with_weights(self.weights),
            aggregation=self.aggregation,
            ranking_method=self.method,
            cut_size=self.cut_size or None,
        )

    def update_preview(self) -> None:
        """Rank the reference scores (latest closed panel) under the current and the default
        settings; ``preview`` holds both ranks and the move."""
        if self._preview_scores is None or len(self._preview_scores) == 0:
            self.preview = None
            self.preview_version += 1
            return
        res = self.run(self._compute_preview, clear=False)
        self.preview = res
        self.preview_version += 1

    def _compute_preview(self) -> Any:
        from scoring.engine.aggregation import aggregate
        from scoring.engine.ranking import rank

        keys = list(self.criteria.keys)
        matrix = aggregate(self._preview_scores, how=self.aggregation, criteria=keys)
        now = rank(
            matrix, weights=self.weights, objectives=self.criteria.objectives, method=self.method
        )
        base = rank(matrix, weights=self.criteria.weights, objectives=self.criteria.objectives)
        out = now[["score", "rank"]].copy()
        out["default_rank"] = base["rank"].reindex(out.index)
        out["move"] = out["default_rank"] - out["rank"]
        return out

    # -- panels, freezing, codes -------------------------------------------------------------
    def create_panel(
        self, name: str, members: list[str], candidates: list[str], chair: str = "", date: str = ""
    ) -> int | None:
        pid = self.run(
            self.backend.create_panel,
            self.identity,
            name.strip(),
            members=list(members),
            candidates=list(candidates),
            chair=chair.strip() or None,
            date=date.strip() or None,
        )
        if pid is not None:
            self.notice = f"{self.tr('panel')} {name} #{pid}"
            self.reload()
        return pid

    def declare_conflict(self, expert_id: str, project_id: str, reason: str) -> bool:
        done = self.run(
            self.backend.wb.declare_conflict, self.identity, expert_id, project_id, reason
        )
        return done is None and not self.error

    def freeze(self, panel_id: Any) -> str:
        h = self.run(self.backend.freeze, self.identity, panel_id, self.config())
        if h:
            self.frozen_hash = h
            self.notice = self.tr("console.frozen", hash=h[:12])
            self.reload()
        return h or ""

    def issue(self, login: str, role: str | None = None, expert_id: str = "") -> str:
        kwargs = {"expert_id": expert_id} if expert_id else {}
        code = self.run(self.backend.issue_code, self.identity, login.strip(), role, **kwargs)
        self.issued = code or ""
        return self.issued
