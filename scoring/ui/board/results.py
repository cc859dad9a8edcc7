"""What the board computes from the store: the progress matrix while a panel is open; after
closing, the results (ranking, deviation flags, agreement, robustness, shortlist) and their
download."""

from __future__ import annotations

from typing import Any

from ..errors import log

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
        dev = expert_deviation(long, criteria=cfg.criteria_set)
        out["deviation"] = dev[dev["flag"]]
    except ValueError as exc:  # too few scores to compare experts
        log.info("deviation not computed: %s", exc)
        out["deviation"] = long.iloc[0:0].assign(mean_deviation=[], direction=[])
    try:
        out["agreement"] = panel_agreement(
            long, criteria=cfg.criteria_set, weights=cfg.weights, objectives=cfg.objectives
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
            scale=cfg.scale,
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
