"""The bank reviewer's model: the pool of closed panels' candidates, the bank's own weights and
ranking, the comparison of 2 to 6 candidates, the stored basket and the xlsx export."""

from __future__ import annotations

from typing import Any

import traitlets as tl

from ..errors import log
from ..i18n import panel_base_name
from ..session import BaseModel


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
        #: Hash of the frozen configuration whose weights the sliders start from.
        self.config_hash = ""
        self.portfolio: Any = None
        self.comparison: Any = None

    def after_logout(self) -> None:
        """Forget the pool, basket and comparison read for the last user."""
        self.table = self.candidates = self.config = self.portfolio = self.comparison = None
        self.config_hash = ""

    def after_login(self) -> None:
        """Load the pool (closed panels' candidates), the stored basket and the weights."""
        import pandas as pd

        panels = self.run(self.backend.panels, self.identity) or []
        frames, cands = [], []
        for p in panels:
            # the catalogue comes from the defense: a closed yearly evaluation panel scores
            # other criteria and is not compared here
            if p["status"] != "closed" or p.get("purpose", "defense") != "defense":
                continue
            res = self._quiet(self.backend.results, p["id"])
            cand = self._quiet(self.backend.candidates, p["id"])
            if res is None or cand is None:  # e.g. a closed panel without confirmed scores
                continue
            if self.config is None:
                self.config, self.config_hash = self.run(
                    self.backend.panel_config, self.identity, p["id"]
                )
            res = res.copy()
            res["panel"] = panel_base_name(p["name"])
            res["panel_rank"] = res["rank"]
            frames.append(res)
            cands.append(cand)
        if not frames:
            self.fail("board.hidden")
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

    def _quiet(self, read: Any, panel_id: Any) -> Any:
        """``read(identity, panel_id)``, or None when the store refuses (logged, not shown: a
        closed panel with nothing to compare is not the reviewer's problem)."""
        try:
            return read(self.identity, panel_id)
        except ValueError as exc:
            log.info("bank page: panel %s left out: %s", panel_id, exc)
            return None

    def keys(self) -> list[str]:
        """The criterion keys of the pool's configuration (empty before login)."""
        return list(self.config.keys) if self.config is not None else []

    def own_ranking(self, project_ids: list[str] | None = None) -> Any:
        """The bank's ranking under its own weights (same method): of ``project_ids`` (the
        compared set, as 本行排名 shows it), or of the whole pool when None."""
        from scoring.engine.ranking import rank

        keys = self.keys()
        rows = self.table if project_ids is None else self.table.loc[list(project_ids)]
        return rank(
            rows[keys],
            weights=self.weights,
            objectives=self.config.objectives,
            method=self.config.ranking_method,
            criteria=self.config.criteria_set,
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
            self.fail("bank.need")
            return False
        own = self.run(self.own_ranking, ids)
        if own is None:
            return False
        cols = [*self.keys(), "score", "panel_rank"]
        comp = self.table.loc[ids, ["name", "panel", *cols]].copy()
        comp["bank_rank"] = own.loc[ids, "rank"].astype(int)
        comp["bank_score"] = own.loc[ids, "score"]
        comp.attrs["scale"] = own.attrs.get("scale")  # None: a score off the scale (TOPSIS)
        self.comparison = comp
        self.picked = ids
        self.error = ""
        self.compare_version += 1
        return True

    def add_to_basket(self, project_ids: list[str] | None = None) -> bool:
        """Add the picked candidates to the basket; the 21st is refused (nothing added)."""
        from scoring.programme.portfolio import PortfolioLimitError

        ids = [str(p) for p in (project_ids if project_ids is not None else self.picked)]
        try:
            pf = self.backend.add_to_basket(self.identity, ids)
        except PortfolioLimitError:
            cap = self.portfolio.limit if self.portfolio is not None else 20
            have = len(self.basket)
            key = "bank.full" if have >= cap else "bank.too_many"  # not "full" at 16 / 20
            self.fail(key, cap=cap, have=have, n=len(ids), left=max(0, cap - have))
            return False
        except Exception as exc:
            self.explain(exc)
            return False
        self.portfolio = pf
        self.basket = list(pf.projects)
        self.error = ""
        self.notice = self.tr("bank.basket", cap=pf.limit) + f"：{len(pf)}"
        return True

    def basket_items(self) -> list[tuple[str, str]]:
        """``(project_id, label)`` of the basket: id, name and the panel and rank it came from."""
        out = []
        for pid in self.basket:
            if self.table is not None and pid in self.table.index:
                r = self.table.loc[pid]
                out.append((pid, f"{pid} {r['name']}（{r['panel']} #{int(r['panel_rank'])}）"))
            else:
                out.append((pid, pid))
        return out

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
            self.fail("bank.need")
            return None
        return self.run(self._export)

    def _export(self) -> tuple[str, bytes]:
        import tempfile
        from pathlib import Path

        from scoring.io import write_table
        from scoring.io.filing import filed_scores, zh_values

        comp = self.comparison.copy()
        comp.index.name = "project_id"
        ind = self.candidates.loc[list(comp.index)].copy()
        ind.index.name = "project_id"
        # the store's own columns (the candidate's position in the panel) are not the clerk's;
        # codes in Chinese (enterprise -> 企业项目)
        ind = zh_values(ind.drop(columns=[c for c in ("project_id", "position") if c in ind]))
        basket = (
            self.table.loc[list(self.portfolio.projects), ["name"]] if len(self.portfolio) else None
        )
        sheets = {"对比 comparison": comp, "指标 indicators": ind}
        if basket is not None:
            basket.index.name = "project_id"
            sheets["项目篮 basket"] = basket
        # as a clerk files it: figures to the scale's precision (a score off the scale, a TOPSIS
        # closeness, to 4 places), as the board's download
        sheets["对比 comparison"], formats = filed_scores(
            comp,
            self.keys(),
            self.config.scale,
            on_scale=self.comparison.attrs.get("scale") is not None,
            scores=("score", "bank_score"),
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bank_comparison.xlsx"
            write_table(
                sheets, path, title="银行审贷对比 / bank comparison", number_formats=formats
            )
            return path.name, path.read_bytes()
