"""Engine sub-commands on plain files: ``scoring rank`` and ``scoring demo``.

``scoring rank --scores FILE --candidates FILE [--method topsis] [--how trimmed_mean]
[--criteria data/criteria/defense.yml] --out ranking.xlsx|ranking.csv`` aggregates the panel's scores,
ranks the candidates and writes the ranking. ``scoring demo`` does the same on the fictional demo
data, prints the ranking and writes the ranking, shortlist and catalogue (xlsx and csv, plus the
catalogue as text) to ``out/demo/``. Bad input: one line on stderr, exit status 2, nothing written.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd

from .demo import DEMO_SHORTLIST
from .engine.criteria import CriteriaSet, load_criteria
from .errors import InputError, Problem
from .io import read_candidates, read_scores, write_table
from .programme.catalogue import catalogue, catalogue_table, render_catalogue
from .programme.shortlist import shortlist

OUT_TYPES = (".xlsx", ".csv")
#: Shortlist rule of the demo: 30 seats, at least 5 region projects, ties all included.


def _methods() -> list[str]:
    try:
        from .engine.ranking import METHODS
    except ImportError:  # pragma: no cover - the ranking package is part of the build
        return ["weighted_sum", "weighted_product", "topsis", "vikor"]
    return list(METHODS)


def _hows() -> list[str]:
    try:
        from .engine.aggregation import HOW
    except ImportError:  # pragma: no cover
        return ["mean", "median", "trimmed_mean", "zscore"]
    return list(HOW)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``rank`` and ``demo`` sub-commands."""
    p = subparsers.add_parser(
        "rank",
        help="排名: aggregate scores and rank candidates from plain files",
        description="汇总专家评分并排名 — aggregate the panel's scores and rank the candidates.",
    )
    p.add_argument(
        "--scores",
        required=True,
        help="long score file (csv/xlsx): project_id, expert_id, criterion, score",
    )
    p.add_argument(
        "--candidates",
        required=True,
        help="candidates file (csv/xlsx, template in data/templates/)",
    )
    p.add_argument(
        "--method", default="weighted_sum", help=f"ranking method: {', '.join(_methods())}"
    )
    p.add_argument("--how", default="trimmed_mean", help=f"aggregation rule: {', '.join(_hows())}")
    p.add_argument(
        "--trim-min", type=int, default=5, help="trimmed mean: least scores to drop high/low (5)"
    )
    p.add_argument(
        "--criteria", default=None, help="criteria file (default data/criteria/defense.yml)"
    )
    p.add_argument(
        "--headers", choices=("zh", "en"), default="zh", help="column headers of the output"
    )
    p.add_argument("--out", required=True, help="ranking.xlsx or ranking.csv")
    p.set_defaults(func=cmd_rank)

    d = subparsers.add_parser(
        "demo",
        help="演示: rank the fictional demo data and write the demo exports",
        description="用虚构示例数据演示排名、入选名单与年度目录 — demo ranking, shortlist and catalogue.",
    )
    d.add_argument(
        "--method", default="weighted_sum", help=f"ranking method: {', '.join(_methods())}"
    )
    d.add_argument("--how", default="trimmed_mean", help=f"aggregation rule: {', '.join(_hows())}")
    d.add_argument("--out", default="out/demo", help="folder for the exports (default out/demo)")
    d.add_argument("--data", default=None, help="demo data folder (default data/demo)")
    d.set_defaults(func=cmd_demo)


def _check_out(path: str) -> Path:
    out = Path(path)
    if out.suffix.lower() not in OUT_TYPES:
        raise InputError(
            [Problem(f"--out must end in .xlsx or .csv, got '{out.name}'", column="--out")]
        )
    if out.is_dir():
        raise InputError([Problem(f"--out '{out}' is a folder; give a file name", column="--out")])
    return out


def compute_ranking(
    scores: pd.DataFrame,
    candidates: pd.DataFrame,
    criteria: CriteriaSet,
    *,
    method: str = "weighted_sum",
    how: str = "trimmed_mean",
    trim_min: int = 5,
) -> pd.DataFrame:
    """Aggregate and rank; return the ranking joined with the candidate and the panel scores.

    Returns
    -------
    DataFrame
        Index ``project_id``; ``rank``, ``score``, ``name``, ``city``, ``kind``, then one column
        per criterion (the aggregated panel score). ``attrs`` as from :func:`scoring.engine.ranking.rank`
        plus ``how``.
    """
    from .engine.aggregation import aggregate
    from .engine.ranking import rank

    matrix = aggregate(scores, how=how, trim_min=trim_min, criteria=criteria)
    ranking = rank(matrix, criteria=criteria, method=method)
    cand = candidates.set_index("project_id")
    ids = list(ranking.index)
    out = pd.DataFrame(
        {"rank": ranking["rank"].astype(int), "score": ranking["score"]}, index=ranking.index
    )
    for col in ("name", "city", "kind"):
        out[col] = cand.loc[ids, col].to_numpy()
    for c in criteria.keys:
        out[c] = matrix.loc[ids, c].round(2).to_numpy()
    out.index.name = "project_id"
    out.attrs.update(ranking.attrs)
    out.attrs["how"] = how
    return out


def _load_inputs(
    scores_path: str, candidates_path: str, criteria: CriteriaSet
) -> tuple[pd.DataFrame, pd.DataFrame]:
    problems: list[Problem] = []
    candidates = None
    try:
        candidates = read_candidates(candidates_path)
    except InputError as exc:
        problems += exc.problems
    projects = None if candidates is None else candidates["project_id"].tolist()
    scores = None
    try:
        scores = read_scores(scores_path, criteria=criteria, projects=projects)
    except InputError as exc:
        problems += exc.problems
    if problems or candidates is None or scores is None:
        raise InputError(problems)
    return scores, candidates


def filed_ranking(
    table: pd.DataFrame,
    criteria: CriteriaSet,
    fields: dict[str, Any] | None = None,
    *,
    on_scale: bool | None = None,
) -> tuple[pd.DataFrame, dict[str, Any], dict[str, str]]:
    """A ranking (or shortlist) as a clerk files it in xlsx, as the board's download: scores
    rounded to the scale's precision (4 places for a score off the scale, a TOPSIS closeness)
    with matching number formats, codes in Chinese (``enterprise`` -> 企业项目), and the
    method and aggregation of the title in Chinese. csv files keep the codes and full precision.
    ``on_scale``: whether the score is on the criteria's scale (default: as the ranking's
    ``attrs["scale"]`` says; a shortlist cut from it passes the ranking's).

    Returns
    -------
    (table, fields, number_formats)
    """
    from .io.filing import HOW_ZH, METHOD_ZH, filed_scores, zh_values

    if on_scale is None:
        on_scale = table.attrs.get("scale", criteria.scale) is not None
    out, formats = filed_scores(table, criteria.keys, criteria.scale, on_scale=on_scale)
    out = zh_values(out)
    out.attrs.update(table.attrs)
    named = dict(fields or {})
    if "method" in named:
        named["method"] = METHOD_ZH.get(str(named["method"]), named["method"])
    if "how" in named:
        named["how"] = HOW_ZH.get(str(named["how"]), named["how"])
    return out, named, formats


def cmd_rank(args: argparse.Namespace) -> int:
    """``scoring rank``: write the ranking of plain files."""
    out = _check_out(args.out)
    criteria = load_criteria(args.criteria)
    scores, candidates = _load_inputs(args.scores, args.candidates, criteria)
    ranking = compute_ranking(
        scores, candidates, criteria, method=args.method, how=args.how, trim_min=args.trim_min
    )
    fields = {"method": ranking.attrs.get("method", args.method), "how": args.how}
    table, formats = ranking, None
    if out.suffix.lower() == ".xlsx" and args.headers == "zh":
        table, fields, formats = filed_ranking(ranking, criteria, fields)
    write_table(
        table,
        out,
        headers=args.headers,
        layout="method-ranking",
        fields=fields,
        number_formats=formats,
    )
    unscored = sorted(set(candidates["project_id"]) - set(ranking.index))
    print(f"wrote {len(ranking)} ranked candidates to {out}")
    if unscored:
        print(f"not ranked (no scores): {', '.join(unscored)}", file=sys.stderr)
    return 0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(width - _width(text), 0)
    return fill + text if right else text + fill


def format_table(
    df: pd.DataFrame, columns: list[tuple[str, str]], *, right: set[str] | None = None
) -> str:
    """A plain-text table with CJK-aware column alignment (``columns`` = [(column, header)])."""
    right = right or set()
    cells = [[h for _, h in columns]]
    for rec in df.reset_index().to_dict("records"):
        row = []
        for col, _ in columns:
            v = rec.get(col)
            row.append(f"{v:.3f}" if isinstance(v, float) else "" if v is None else str(v))
        cells.append(row)
    widths = [max(_width(r[j]) for r in cells) for j in range(len(columns))]
    lines = [
        "  ".join(
            _pad(r[j], widths[j], columns[j][0] in right) for j in range(len(columns))
        ).rstrip()
        for r in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_demo(args: argparse.Namespace) -> int:
    """``scoring demo``: print the demo ranking and write the demo exports."""
    from .demo import DEMO_DIR, YEARS, load_demo

    data = load_demo(args.data or DEMO_DIR)
    criteria = load_criteria()
    ranking = compute_ranking(
        data.scores, data.candidates, criteria, method=args.method, how=args.how
    )
    short = shortlist(ranking, data.candidates, **DEMO_SHORTLIST)
    cat = catalogue(short, data.candidates)
    year = YEARS[-1] + 1

    shown = ranking.copy()
    shown["in"] = ["✓" if pid in short.index else "" for pid in shown.index]
    cols = [
        ("rank", "名次"),
        ("project_id", "编号"),
        ("score", "得分"),
        ("in", "入选"),
        ("city", "城市"),
        ("name", "名称"),
    ]
    print(f"演示排名 (虚构数据 / synthetic) — method {ranking.attrs.get('method')}, how {args.how}")
    print(format_table(shown, cols, right={"rank", "score"}))
    rule = DEMO_SHORTLIST
    print(
        f"\n入选 {len(short)} 个 (size {rule['size']}, floors {rule['floors']}, ties {rule['ties']})"
    )

    out = Path(args.out)
    written = []
    marker = "(虚构示例数据)"
    rank_fields = {"marker": marker, "method": ranking.attrs.get("method"), "how": args.how}
    short_cols = [
        c
        for c in ("rank", "score", "name", "city", "kind", "enterprise_type", "reason")
        if c in short
    ]
    ctable = catalogue_table(cat)
    for suffix in (".xlsx", ".csv"):
        for name, table, layout, fields in (
            ("ranking", ranking, "method-ranking", rank_fields),
            ("shortlist", short[short_cols], "shortlist", {"marker": marker}),
            ("catalogue", ctable, "catalogue-demo", {"year": year, "marker": "(虚构示例)"}),
        ):
            formats = None
            if suffix == ".xlsx" and name != "catalogue":
                table, fields, formats = filed_ranking(
                    table, criteria, fields, on_scale=ranking.attrs.get("scale") is not None
                )
            written.append(
                write_table(
                    table,
                    out / f"{name}{suffix}",
                    layout=layout,
                    fields=fields,
                    number_formats=formats,
                )
            )
    text = out / "catalogue.txt"
    text.write_text("\n".join(render_catalogue(cat, year=year)) + "\n", encoding="utf-8")
    written.append(text)
    print("wrote " + ", ".join(str(p) for p in written))
    return 0
