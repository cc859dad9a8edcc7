"""The organizer console's model: imports with their validation report, criteria and weights
with a live ranking preview, panel set-up, freezing the configuration, access codes."""

from __future__ import annotations

from typing import Any

import traitlets as tl

from ..error_journal import recent
from ..session import BaseModel
from .recommend import RecommendMixin
from .setup import PanelSetupMixin

#: The console's default cut size: the demo's (``scoring.store.demo.DEMO_CUT``).
DEFAULT_CUT = 30
#: Largest cut size the console takes (a province's catalogue is far smaller).
CUT_MAX = 500


class ConsoleModel(RecommendMixin, PanelSetupMixin, BaseModel):
    """State and actions of the organizer console: imports, criteria and weights with a live
    ranking preview, panel set-up, freezing, access codes."""

    roles = ("organizer",)
    report = tl.List()  # [(row, column, message)] of the last refused import
    #: The file the report is about (``candidates`` or ``experts``): names its columns.
    report_form = tl.Unicode("candidates")
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
    #: The panel whose freezing waits for the organizer's confirmation ("" when none).
    freeze_pending = tl.Unicode("")
    #: Name of the criteria set the weights are for (the panel being configured).
    criteria_name = tl.Unicode("defense")

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        super().__init__(backend, **kwargs)
        from scoring.engine.criteria import criteria_set

        self.criteria = criteria_set(self.criteria_name)
        self.weights = dict(self.criteria.weights)
        self.preview: Any = None
        self._preview_scores: Any = None

    def after_logout(self) -> None:
        """Forget the preview scores and the form read for the last user."""
        self.preview = self._preview_scores = None
        self.form = {}

    def after_login(self) -> None:
        """Read panels, experts and candidates."""
        self.reload()

    def reload(self) -> None:
        """Re-read panels, experts and candidates (and the exited projects)."""
        self.load_exited()
        panels = self.run(self.backend.panels, self.identity, clear=False) or []
        keep = ("id", "name", "status", "config_hash", "purpose", "criteria_set")
        self.panels = [{k: p.get(k) for k in keep} for p in panels]
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
    def upload_limits(self) -> Any:
        """The import caps (rows, bytes) the console states before an upload."""
        from scoring.io.tables import import_limits

        return import_limits()

    def upload(self, what: str, filename: str, data: bytes) -> bool:
        """Import an uploaded file; on refusal ``report`` lists every problem (nothing imported)."""
        self.report_form = what
        try:
            res = self.backend.import_table(self.identity, what, filename, bytes(data))
        except ValueError as exc:
            problems = getattr(exc, "problems", None)
            if problems:
                self.report = [(p.row, p.column, p.message) for p in problems]
            else:
                self.report = [(None, None, str(exc))]
            self.explain(exc)
            return False
        except Exception as exc:
            self.explain(exc)
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
    def criteria_choices(self) -> list[tuple[str, str]]:
        """(title in the current language, name) of every registered criteria set."""
        from scoring.engine.criteria import criteria_set, criteria_sets

        return [(criteria_set(n).title(self.lang), n) for n in criteria_sets()]

    def use_criteria(self, name: str) -> None:
        """Configure the weights of the criteria set ``name`` (its default weights)."""
        from scoring.engine.criteria import criteria_set

        cs = self.run(criteria_set, name, clear=False)
        if cs is None:
            return
        self.criteria = cs
        self.weights = dict(cs.weights)
        self.criteria_name = name
        self.update_preview()

    def select_panel(self, panel_id: Any) -> None:
        """The panel to freeze was chosen: its criteria set's weights are the ones configured."""
        for p in self.panels:
            if p["id"] == panel_id and p.get("criteria_set"):
                if p["criteria_set"] != self.criteria_name:
                    self.use_criteria(p["criteria_set"])
                return

    def set_weight(self, key: str, value: float) -> None:
        """Change one criterion's weight (updates the preview)."""
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
        scores = self._preview_scores
        if (
            scores is None
            or len(scores) == 0
            or not set(scores["criterion"]) <= set(self.criteria.keys)
        ):  # no reference scores on this criteria set
            self.preview = None
            self.preview_version += 1
            return
        res = self.run(self._compute_preview, clear=False)
        self.preview = res
        self.preview_version += 1

    def _compute_preview(self) -> Any:
        from scoring.engine.aggregation import aggregate
        from scoring.engine.ranking import rank

        matrix = aggregate(self._preview_scores, how=self.aggregation, criteria=self.criteria)
        now = rank(matrix, weights=self.weights, criteria=self.criteria, method=self.method)
        base = rank(matrix, criteria=self.criteria)
        out = now[["score", "rank"]].copy()
        out["default_rank"] = base["rank"].reindex(out.index)
        out["move"] = out["default_rank"] - out["rank"]
        return out

    # -- panels, freezing, codes -------------------------------------------------------------
    def create_panel(
        self,
        name: str,
        members: list[str],
        candidates: list[str],
        chair: str = "",
        date: str = "",
        criteria_set: str = "defense",
    ) -> int | None:
        """Create a draft panel scoring on ``criteria_set`` (a defense or an evaluation, as the
        set's purpose says); its id, or None (``error`` set) when refused."""
        from scoring.engine.criteria import criteria_sets

        pid = self.run(
            self.backend.create_panel,
            self.identity,
            name.strip(),
            members=list(members),
            candidates=list(candidates),
            chair=chair.strip() or None,
            date=date.strip() or None,
            purpose=criteria_sets().get(criteria_set, "defense"),
            criteria_set=criteria_set,
        )
        if pid is not None:
            self.notice = f"{self.tr('panel')} {name} #{pid}"
            self.reload()
        return pid

    def declare_conflict(self, expert_id: str, project_id: str, reason: str) -> bool:
        """Record an expert's conflict with a candidate on the expert's behalf."""
        done = self.run(
            self.backend.wb.declare_conflict, self.identity, expert_id, project_id, reason
        )
        return done is None and not self.error

    def ask_freeze(self, panel_id: Any) -> bool:
        """Show the configuration to freeze on ``panel_id`` and wait for :meth:`confirm_freeze`
        (freezing cannot be undone: nothing is frozen without the organizer's explicit yes)."""
        if panel_id in (None, ""):
            self.fail("console.freeze_pick")
            return False
        cfg = self.run(lambda: self.config().validate())
        if cfg is None:
            return False
        self.freeze_pending = str(panel_id)
        return True

    def freeze_panel_name(self) -> str:
        """The name of the panel waiting for the freeze confirmation."""
        for p in self.panels:
            if str(p["id"]) == self.freeze_pending:
                return str(p["name"])
        return self.freeze_pending

    def cancel_freeze(self) -> None:
        """Back to the weights: nothing frozen."""
        self.freeze_pending = ""

    def confirm_freeze(self) -> str:
        """Freeze the configuration shown by :meth:`ask_freeze`; its hash (empty if refused)."""
        if not self.freeze_pending:
            self.fail("console.freeze_pick")
            return ""
        panel_id, self.freeze_pending = self.freeze_pending, ""
        return self.freeze(int(panel_id))

    def freeze(self, panel_id: Any) -> str:
        """Freeze :meth:`config` on a draft panel; the configuration hash (empty if refused)."""
        if panel_id in (None, ""):
            self.fail("console.freeze_pick")
            return ""
        h = self.run(self.backend.freeze, self.identity, panel_id, self.config())
        if h:
            self.frozen_hash = h
            self.notice = self.tr("console.frozen", hash=h[:12])
            self.reload()
        return h or ""

    def recent_errors(self, n: int = 50) -> list[dict[str, str]]:
        """The newest internal errors of every page (organizer only): local time, the
        reference the user was shown, where it happened and what it was."""
        from scoring.io.filing import local_minute

        if not self.logged_in:
            return []
        return [
            {
                "time": local_minute(e.get("ts", "")),
                "ref": str(e.get("ref", "")),
                "where": str(e.get("where", "")),
                "what": f"{e.get('type', '')}: {e.get('message', '')}",
            }
            for e in recent(n)
        ]

    def issue(self, login: str, role: str | None = None, expert_id: str = "") -> str:
        """Issue an access code (shown once); empty when refused."""
        kwargs = {"expert_id": expert_id} if expert_id else {}
        code = self.run(self.backend.issue_code, self.identity, login.strip(), role, **kwargs)
        self.issued = code or ""
        return self.issued
