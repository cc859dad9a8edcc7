"""Exports of the store: ranking, catalogue (附件5), summary table (附件3) and raw scores.

Each export is a function ``run(args) -> int`` registered in :data:`EXPORTERS` under
``(what, suffix)``; ``scoring export WHAT --out FILE`` picks it by the file's suffix. Tables are
written by :func:`scoring.io.write_table` with a form layout of ``data/forms/`` (``ranking``,
``catalogue``, ``summary``, ``scores``: title, headers, widths; xlsx like the forms, or csv UTF-8
with BOM; text starting with ``= + - @`` neutralised). Other modules add exporters with
:func:`register_exporter` (the PDF panel report and catalogue of :mod:`scoring.reports.cli` are
picked up automatically as ``export report --out x.pdf`` and ``export catalogue --out x.pdf``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from .. import io as sio
from ..errors import InputError, Problem
from ..programme import schema
from .errors import NotFound, RuleViolation
from .service import Workbench

Exporter = Callable[[argparse.Namespace], int]
#: (what, suffix) -> exporter; suffix with the dot, lower case (``.xlsx``, ``.csv``, ``.pdf``).
EXPORTERS: dict[tuple[str, str], Exporter] = {}


def register_exporter(what: str, suffixes: tuple[str, ...] | str, run: Exporter) -> None:
    """Make ``scoring export WHAT --out FILE<suffix>`` call ``run(args)``.

    ``args`` carries ``db``, ``out``, ``panel`` (``None`` or an int; the store's exporters
    default it to the latest closed panel) and ``year``.
    """
    for s in (suffixes,) if isinstance(suffixes, str) else suffixes:
        EXPORTERS[(what, s.lower() if s.startswith(".") else "." + s.lower())] = run


#: what -> the output file of an export run without ``--out`` (``export ledger``).
DEFAULT_OUTS: dict[str, Callable[[argparse.Namespace], str]] = {}


def register_default_out(what: str, name: Callable[[argparse.Namespace], str]) -> None:
    """Let ``scoring export WHAT`` run without ``--out``: ``name(args)`` is the file."""
    DEFAULT_OUTS[what] = name


def kinds() -> list[str]:
    """Export names known now, sorted."""
    return sorted({w for w, _ in EXPORTERS})


def latest_closed_panel(wb: Workbench, purpose: str = "defense") -> int:
    """Id of the most recently closed panel of ``purpose`` (a defense by default: the ranking,
    catalogue and score exports; the yearly evaluation has its own reports) of the current
    round."""
    from .models import Panel, Round

    with wb.engine.connect() as conn:
        pid = conn.execute(
            sa.select(Panel.id)
            .join(Round, Round.id == Panel.round_id)
            .where(Round.is_current, Panel.status == "closed", Panel.purpose == purpose)
            .order_by(Panel.closed_at.desc(), Panel.id.desc())
            .limit(1)
        ).scalar()
    if pid is None:
        raise RuleViolation(
            "没有已结束的评审组 / no closed panel yet: results exist only after the chair closes a"
            " panel"
        )
    return int(pid)


def _panel_id(wb: Workbench, args: argparse.Namespace) -> int:
    pid = getattr(args, "panel", None)
    return int(pid) if pid is not None else latest_closed_panel(wb)


def ranking_table(wb: Workbench, panel_id: int) -> pd.DataFrame:
    """The ranking of a closed panel as exported: rank, id, name, city, kind, score, criteria."""
    org = wb.system_actor()
    res = wb.results(org, panel_id)
    cands = wb.panel_candidates(org, panel_id).set_index("project_id")
    out = res.copy()
    out.insert(2, "city", [cands.at[p, "city"] if p in cands.index else None for p in out.index])
    out.insert(
        3,
        "kind",
        [
            schema.PROJECT_KINDS.get(cands.at[p, "kind"], "") if p in cands.index else None
            for p in out.index
        ],
    )
    cols = [
        "rank",
        "name",
        "city",
        "kind",
        "score",
        *[c for c in res.columns if c not in ("rank", "name", "score")],
    ]
    out = out[cols]
    out.index.name = "project_id"
    out.attrs = dict(res.attrs)
    return out


def panel_block(wb: Workbench, panel_id: int | None) -> tuple[list[str], str]:
    """The title block of a panel's export and its page footer (:func:`scoring.io.title_block`).

    Panel name and date, the members, the frozen weights, method and rule, the configuration
    hash and the audit chain head now; without a panel only the chain head and the time. The
    footer repeats the configuration hash (short) and the chain head on every printed page.
    """
    from ..io.filing import chain_line, panel_title_block, title_block

    org = wb.system_actor()
    head = wb.chain_head()
    if panel_id is None:
        return title_block(chain_head=head), chain_line(head)
    row = next((p for p in wb.panels(org) if int(p["id"]) == int(panel_id)), {"id": panel_id})
    cfg, h = wb.panel_config(org, panel_id)
    return panel_title_block(row, wb.progress(org, panel_id), cfg, h, head)


def filing_ranking(table: pd.DataFrame, scale: Any) -> tuple[pd.DataFrame, dict[str, str]]:
    """A ranking as filed: the score and criteria columns rounded to the scale's precision, the
    codes in Chinese; and the number formats of the rounded columns."""
    from ..io.filing import number_format, rounded, score_decimals, zh_values

    digits = score_decimals(scale)
    keys = [c for c in table.columns if c not in ("rank", "name", "city", "kind", "grade")]
    crit = [c for c in keys if c != "score"]
    score_digits = digits if table.attrs.get("scale") is not None else 4
    out = rounded(rounded(table, crit, digits), ["score"], score_digits)
    formats = {c: number_format(digits) for c in crit if c in out.columns}
    formats["score"] = number_format(score_digits)
    return zh_values(out), formats


def criteria_headers(table: pd.DataFrame, criteria: Any) -> dict[str, str]:
    """Chinese headers of ``table``'s columns, the criteria named as in the panel's set."""
    return {**sio.zh_headers(table.columns), **criteria.names("zh")}


def _write_filed(
    wb: Workbench, table: pd.DataFrame, out: Any, layout: str, pid: Any, **options: Any
) -> Path:
    """Write ``table`` by ``layout`` with the title block of panel ``pid`` (None: the round's);
    ``options`` of :func:`scoring.io.write_table` (default fields: the round's year)."""
    block, footer = panel_block(wb, pid)
    options.setdefault("fields", {"year": wb.current_year()})
    return sio.write_table(table, out, layout=layout, block=block, footer=footer, **options)


def export_ranking(args: argparse.Namespace) -> int:
    """``export ranking``: the ranking of a closed panel with its configuration hash."""
    with Workbench(args.db) as wb:
        pid = _panel_id(wb, args)
        table = ranking_table(wb, pid)
        h = table.attrs.get("config_hash", "")
        flat = table.reset_index()
        flat = flat[
            ["rank", "project_id", *[c for c in flat.columns if c not in ("rank", "project_id")]]
        ]
        fields = {"year": wb.current_year(), "panel": pid, "config": h[:12]}
        criteria = wb.panel_config(wb.system_actor(), pid)[0].criteria_set
        headers = criteria_headers(flat, criteria)
        title = None
        if criteria.purpose != "defense":
            title = f"{fields['year']}年度{criteria.title('zh')}排名（评审组 {pid}，配置 {h[:12]}）"
        flat.attrs = dict(table.attrs)
        flat, formats = filing_ranking(flat, criteria.scale)
        opts = {"headers": headers, "title": title, "number_formats": formats}
        path = _write_filed(wb, flat, args.out, "ranking", pid, fields=fields, **opts)
    print(f"wrote {path} ({len(table)} projects, panel {pid}, config {h[:12]})")
    return 0


def catalogue_frame(wb: Workbench, panel_id: int) -> pd.DataFrame:
    """The 附件5 catalogue of a closed panel: its shortlist by the frozen cut line and tie rule."""
    from ..programme.catalogue import catalogue
    from ..programme.shortlist import shortlist

    org = wb.system_actor()
    cfg, _h = wb.panel_config(org, panel_id)
    ranking = wb.results(org, panel_id)
    cands = wb.panel_candidates(org, panel_id)
    short = shortlist(
        ranking[["score", "rank"]],
        cands,
        size=cfg.cut_size,
        min_score=cfg.cut_min_score,
        ties=cfg.tie_rule,
    )
    short.attrs.update(ranking.attrs)
    return catalogue(short, cands)


def export_catalogue(args: argparse.Namespace) -> int:
    """``export catalogue``: the annual catalogue (附件5 layout) of a closed panel's shortlist."""
    from ..programme.catalogue import catalogue_table

    with Workbench(args.db) as wb:
        pid = _panel_id(wb, args)
        cat = catalogue_frame(wb, pid)
        year = getattr(args, "year", None) or wb.current_year()
        table = catalogue_table(cat)
        path = _write_filed(wb, table, args.out, "catalogue", pid, fields={"year": year})
    print(f"wrote {path} ({len(cat)} projects)")
    return 0


def summary_table(wb: Workbench) -> pd.DataFrame:
    """Every candidate of the current round in the 附件3 layout (regions: name, contact, phone)."""
    cands = wb.candidates(wb.system_actor())
    if cands.empty:
        raise NotFound("没有候选项目，请先导入 / no candidates: import them first")
    order = {c: i for i, c in enumerate((*schema.CITIES, schema.PROVINCIAL))}
    cands = cands.assign(_o=cands["city"].map(order).fillna(len(order)))
    cands = cands.sort_values(["_o", "kind", "project_id"], key=None).reset_index(drop=True)
    rows = []
    for i, r in enumerate(cands.to_dict("records"), 1):
        contact = " ".join(
            str(x) for x in (r.get("contact_name"), r.get("contact_dept")) if _filled(x)
        )
        region = r.get("kind") == "region"
        rows.append(
            {
                "seq": i,
                "name": r.get("name"),
                "registered_capital": None if region else r.get("registered_capital"),
                "industry": None if region else r.get("industry"),
                "prev_revenue": None if region else r.get("prev_revenue"),
                "contact": contact or None,
                "phone": r.get("phone"),
                "city": r.get("city"),
            }
        )
    return pd.DataFrame(rows, columns=sio.load_layout("summary").keys)


def _filled(x: object) -> bool:
    return x is not None and not (isinstance(x, float) and pd.isna(x)) and str(x).strip() != ""


def export_summary(args: argparse.Namespace) -> int:
    """``export summary``: the 附件3 summary table of every candidate."""
    with Workbench(args.db) as wb:
        table = summary_table(wb)
        path = _write_filed(wb, table, args.out, "summary", None)
    print(f"wrote {path} ({len(table)} candidates)")
    return 0


def scores_table(wb: Workbench, panel_id: int | None = None) -> pd.DataFrame:
    """Every version of every sheet of the closed defense panels (or of one panel, a yearly
    evaluation too), one row per criterion."""
    org = wb.system_actor()
    ids = (
        [panel_id]
        if panel_id is not None
        else [
            p["id"]
            for p in wb.panels(org)
            if p["status"] == "closed" and p.get("purpose", "defense") == "defense"
        ]
    )
    if not ids:
        raise RuleViolation("没有已结束的评审组 / no closed panel yet")
    frames = [wb.panel_scores(org, pid, history=True).assign(panel=pid) for pid in ids]
    out = pd.concat(frames, ignore_index=True)
    return out[["panel", *[c for c in out.columns if c != "panel"]]]


def filing_scores(wb: Workbench, table: pd.DataFrame) -> pd.DataFrame:
    """Raw scores as filed: criterion names and version kinds in Chinese, local times."""
    from ..io.filing import zh_values

    org = wb.system_actor()
    names: dict[str, str] = {}
    for pid in dict.fromkeys(table["panel"]):
        names.update(wb.panel_config(org, int(pid))[0].criteria_set.names("zh"))
    return zh_values(table, names)


def export_scores(args: argparse.Namespace) -> int:
    """``export scores``: raw scores, every expert and every version (closed panels)."""
    with Workbench(args.db) as wb:
        pid = getattr(args, "panel", None)
        table = scores_table(wb, pid)
        ids = list(dict.fromkeys(table["panel"]))
        if Path(args.out).suffix.lower() == ".xlsx":  # the filing copy; csv keeps the codes
            table = filing_scores(wb, table)
        one = pid if pid is not None or len(ids) != 1 else int(ids[0])
        path = _write_filed(wb, table, args.out, "scores", one)
    print(f"wrote {path} ({len(table)} rows)")
    return 0


for _what, _run in (
    ("ranking", export_ranking),
    ("catalogue", export_catalogue),
    ("summary", export_summary),
    ("scores", export_scores),
):
    register_exporter(_what, (".xlsx", ".csv"), _run)


def pdf_exporters_from_reports() -> None:
    """Register the PDF exporters of :mod:`scoring.reports.cli`, if that module exists."""
    try:
        from ..reports import cli as rcli
    except ImportError:
        return
    table = getattr(rcli, "EXPORTERS", {})
    for name, spec in table.items():
        run = spec[1] if isinstance(spec, tuple) else spec
        what = name[:-4] if name.endswith("-pdf") else name
        if (what, ".pdf") not in EXPORTERS:
            register_exporter(what, ".pdf", _with_store_panel(run))


def _with_store_panel(run: Exporter) -> Exporter:
    def wrapped(args: argparse.Namespace) -> int:
        if getattr(args, "panel", None) is None and getattr(args, "data", None) is None:
            with Workbench(args.db) as wb:
                args.panel = latest_closed_panel(wb)
        return run(args)

    wrapped.__doc__ = run.__doc__
    return wrapped


def run_export(args: argparse.Namespace) -> int:
    """Dispatch ``scoring export WHAT --out FILE`` on (what, suffix)."""
    pdf_exporters_from_reports()
    if not getattr(args, "out", None):
        name = DEFAULT_OUTS.get(args.what)
        if name is None:
            raise InputError([Problem(f"export {args.what} needs --out FILE", column="--out")])
        args.out = name(args)
    suffix = Path(args.out).suffix.lower()
    run = EXPORTERS.get((args.what, suffix))
    if run is None:
        known = sorted(f"{w} ({s})" for w, s in EXPORTERS)
        raise InputError(
            [
                Problem(
                    f"cannot export {args.what!r} as {suffix or 'a file without suffix'}; "
                    f"known: {', '.join(known)}",
                    column="--out",
                )
            ]
        )
    return int(run(args) or 0)
