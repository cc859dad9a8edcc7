"""What the board computes from the store: the progress matrix while a panel is open; after
closing, the results (ranking, deviation flags, agreement, robustness, shortlist) and their
download."""

from __future__ import annotations

from typing import Any

from ..errors import log

STATUS_MARK = {"confirmed": "✔", "draft": "✎", "empty": "·", "recused": "⊘"}


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
    out["candidates"] = extra
    out["block"], out["footer"] = _title_block(backend, actor, panel_id, cfg, h)
    out["chain_head"] = _from_store(backend, "chain_head")
    out["year"] = _from_store(backend, "current_year")
    if cfg.criteria_set.purpose == "evaluation" and cfg.criteria_set.grades:
        # the yearly evaluation: each project's grade and the probability of every grade
        out["grades"] = backend.evaluation_grades(actor, panel_id, samples=samples)
    out["shortlist"] = shortlist(
        ranking[["score", "rank"]],
        cands,
        size=cut if not cfg.cut_min_score else None,
        min_score=cfg.cut_min_score,
        ties=cfg.tie_rule if cfg.tie_rule != "competition" else "include",
    )
    return out


def _title_block(backend: Any, actor: Any, panel_id: Any, cfg: Any, h: str) -> tuple[list, str]:
    """The downloads' title block (as the store's exports) and page footer."""
    from scoring.io.filing import panel_title_block

    row = next((p for p in backend.panels(actor) if str(p["id"]) == str(panel_id)), None)
    head = _from_store(backend, "chain_head")
    return panel_title_block(row, backend.progress(actor, panel_id), cfg, h, head)


def _from_store(backend: Any, name: str) -> Any:
    """``Workbench.<name>()`` (``chain_head``, ``current_year``) through the board's backend."""
    wb = getattr(backend, "wb", None)
    get = getattr(backend, name, None) or getattr(wb, name, None)
    try:
        return None if get is None else get()
    except Exception as exc:
        log.info("%s not read: %s", name, exc)
        return None


#: The board's downloads: format -> (file name stem, suffix).
DOWNLOADS = {
    "xlsx": ("ranking_panel", ".xlsx"),
    "csv": ("ranking_panel", ".csv"),
    "catalogue-xlsx": ("catalogue_panel", ".xlsx"),
    "catalogue-pdf": ("catalogue_panel", ".pdf"),
}


def export_bytes(results: dict, fmt: str, lang: str = "zh") -> tuple[str, bytes]:
    """The board's download as ``(filename, bytes)``.

    ``xlsx``: the ranking and the shortlist as filed (rounded to the scale's precision, codes in
    Chinese, the title block with the panel, members, weights, hash and audit chain head; A4,
    header repeated); ``csv``: the ranking; ``catalogue-xlsx`` / ``catalogue-pdf``: the 附件5
    catalogue of the shortlist.
    """
    import tempfile
    from pathlib import Path

    from scoring.io import write_table
    from scoring.io.filing import filed_scores, zh_values

    if fmt not in DOWNLOADS:
        raise ValueError(f"unknown format {fmt!r}")
    ranking = results["ranking"].copy()
    ranking.index.name = "project_id"
    stem, suffix = DOWNLOADS[fmt]
    name = f"{stem}{ranking.attrs.get('panel_id', '')}{suffix}"
    block, footer = results.get("block", ()), results.get("footer")
    if fmt.startswith("catalogue"):
        return name, _catalogue_bytes(results, fmt, block, footer)
    cfg = results["config"]
    on_scale = ranking.attrs.get("scale") is not None
    ranking, formats = filed_scores(ranking, cfg.keys, cfg.scale, on_scale=on_scale)
    headers = _headers(cfg, [*ranking.columns, *results["shortlist"].columns])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        if fmt == "xlsx":
            short = results["shortlist"].drop(columns=["flags"], errors="ignore")
            short, _ = filed_scores(short, (), cfg.scale, on_scale=on_scale)
            sheets = {"排名 ranking": zh_values(ranking), "入选 shortlist": zh_values(short)}
            write_table(
                sheets,
                path,
                title=f"评审排名 / ranking（配置 {results['hash'][:12]}）",
                headers=headers,
                block=block,
                footer=footer,
                number_formats=formats,
            )
        else:
            write_table(ranking, path)
        return name, path.read_bytes()


def _headers(cfg: Any, columns: list) -> dict[str, str]:
    from scoring.io import zh_headers

    return {**zh_headers(["project_id", *map(str, columns)]), **cfg.criteria_set.names("zh")}


def _catalogue_bytes(results: dict, fmt: str, block: Any, footer: Any) -> bytes:
    """The 附件5 catalogue of the board's shortlist (its undecided ties refused), xlsx or PDF."""
    import tempfile
    from datetime import date
    from pathlib import Path

    from scoring.io import write_table
    from scoring.programme.catalogue import catalogue, catalogue_table

    short = results["shortlist"]
    cands = results.get("candidates")
    if cands is None or "project_id" not in cands.columns:
        cands = (short if cands is None else cands).reset_index()
    cat = catalogue(short, cands)
    year = results.get("year") or date.today().year
    if fmt == "catalogue-pdf":
        from scoring.io.filing import chain_line
        from scoring.reports.catalogue_pdf import build_catalogue_pdf

        anchor = f"配置 {results['hash'][:12]}　{chain_line(results.get('chain_head'))}"
        return build_catalogue_pdf(cat, year=year, anchor=anchor.strip())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalogue.xlsx"
        write_table(
            catalogue_table(cat),
            path,
            layout="catalogue",
            fields={"year": year},
            block=block,
            footer=footer,
        )
        return path.read_bytes()
