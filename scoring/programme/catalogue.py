"""The annual catalogue (年度目录, form 附件5) laid out from the shortlist.

Layout, as in the 2019 catalogue printed in 晋商建〔2020〕24号:

- section 一、供应链重点企业项目 (enterprise projects), then 二、供应链重点区域项目 (region projects);
  a section with no project is left out and the next one takes its numeral;
- within a section, one group per city, headed ``(一)太原市(13个)``; the group numerals restart
  in each section (the 2019 region section starts again at (一)); cities follow
  ``schema.CITIES`` order, and ``省属企业`` (province-owned enterprises) comes last in its section;
- the running number (序号) is continuous across the whole catalogue: the first region
  project follows the last enterprise project (in 2019: 1–44, then 45–50);
- within a city, projects follow the ranking (rank, then project_id).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import pandas as pd

from ..errors import InputError, Problem
from . import schema

SECTION_TITLES: dict[str, str] = {
    "enterprise": "供应链重点企业项目",
    "region": "供应链重点区域项目",
}
GROUP_ORDER: tuple[str, ...] = (*schema.CITIES, schema.PROVINCIAL)
CATALOGUE_COLUMNS = (
    "section", "section_heading", "group", "group_heading", "seq", "project_id", "name", "city", "kind",
)  # fmt: skip

_DIGITS = "零一二三四五六七八九"
T = TypeVar("T")


def chinese_numeral(n: int) -> str:
    """Chinese numeral for 1..99 (``11`` -> ``十一``, ``20`` -> ``二十``)."""
    if not 1 <= n <= 99:
        raise ValueError(f"numeral out of range: {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + ("" if ones == 0 else _DIGITS[ones])


def section_heading(number: int, section: str) -> str:
    """``一、供应链重点企业项目``: the ``number``-th section heading of ``section`` (a key of
    :data:`SECTION_TITLES`)."""
    return f"{chinese_numeral(number)}、{SECTION_TITLES[section]}"


def group_heading(number: int, group: str, count: int) -> str:
    """``(一)太原市(13个)``: the ``number``-th group heading of a section, with its count."""
    return f"({chinese_numeral(number)}){group}({count}个)"


def number_layout(
    sections: Iterable[tuple[str, Iterable[tuple[str, Sequence[T]]]]],
) -> Iterator[tuple[dict[str, Any], T]]:
    """Number a laid-out catalogue: section and group headings, continuous ``seq``.

    Parameters
    ----------
    sections : iterable
        ``[(section_key, [(group, [item, ...]), ...]), ...]`` in catalogue order, no empty
        section or group. Sections are numbered 一、二、…; group numerals restart in each
        section; ``seq`` runs on across the whole catalogue.

    Yields
    ------
    (dict, item)
        ``{"section", "section_heading", "group", "group_heading", "seq"}`` and the item.
    """
    seq = 0
    for section_no, (section, groups) in enumerate(sections, start=1):
        s_heading = section_heading(section_no, section)
        for group_no, (group, items) in enumerate(groups, start=1):
            g_heading = group_heading(group_no, group, len(items))
            for item in items:
                seq += 1
                place = {
                    "section": section,
                    "section_heading": s_heading,
                    "group": group,
                    "group_heading": g_heading,
                    "seq": seq,
                }
                yield place, item


def catalogue(shortlist: pd.DataFrame | Iterable[str], candidates: pd.DataFrame) -> pd.DataFrame:
    """Lay the shortlist out as the catalogue (附件5).

    Parameters
    ----------
    shortlist : DataFrame or iterable of str
        The output of :func:`scoring.programme.shortlist.shortlist` (index ``project_id``; a ``rank``
        column orders projects within a city; rows with ``status`` ``chair`` are undecided and
        refused), or plain project ids in the wanted order.
    candidates : DataFrame
        With ``project_id`` (column or index), ``name``, ``kind``, ``city``.

    Returns
    -------
    DataFrame
        One row per project in catalogue order, columns ``section`` (``enterprise``/``region``),
        ``section_heading`` (``一、供应链重点企业项目``), ``group`` (city or 省属企业),
        ``group_heading`` (``(一)太原市(13个)``), ``seq`` (1..N, continuous), ``project_id``,
        ``name``, ``city``, ``kind``.

    Raises
    ------
    InputError
        Unknown or repeated projects, undecided (``chair``) rows, a project without a known
        kind or city.
    """
    problems: list[Problem] = []
    if isinstance(shortlist, pd.DataFrame):
        ids = [str(i) for i in shortlist.index]
        if "status" in shortlist.columns:
            for pid, st in zip(ids, shortlist["status"], strict=True):
                if st != "selected":
                    problems.append(
                        Problem(
                            f"status is '{st}': the chair must decide this tie first",
                            row=pid,
                            column="status",
                        )
                    )
        order_key = (
            {pid: (int(r), pid) for pid, r in zip(ids, shortlist["rank"], strict=True)}
            if "rank" in shortlist.columns
            else {pid: (i, pid) for i, pid in enumerate(ids)}
        )
    else:
        ids = [str(i) for i in shortlist]
        order_key = {pid: (i, pid) for i, pid in enumerate(ids)}
    cand = (
        candidates.set_index("project_id", drop=False)
        if "project_id" in candidates.columns
        else candidates
    )
    seen: set[str] = set()
    for pid in ids:
        if pid in seen:
            problems.append(
                Problem("project appears twice in the shortlist", row=pid, column="project_id")
            )
        seen.add(pid)
        if pid not in cand.index:
            problems.append(
                Problem("project is not among the candidates", row=pid, column="project_id")
            )
            continue
        kind, city = cand.at[pid, "kind"], cand.at[pid, "city"]
        if kind not in SECTION_TITLES:
            problems.append(Problem(f"unknown kind {kind!r}", row=pid, column="kind"))
        if city not in GROUP_ORDER:
            problems.append(Problem(f"unknown city {city!r}", row=pid, column="city"))
    if problems:
        raise InputError(problems)

    sections = []
    for section in SECTION_TITLES:
        members = [pid for pid in ids if cand.at[pid, "kind"] == section]
        groups = [
            (group, sorted(in_group, key=order_key.__getitem__))
            for group in GROUP_ORDER
            if (in_group := [pid for pid in members if cand.at[pid, "city"] == group])
        ]
        if groups:
            sections.append((section, groups))
    rows = [
        {**place, "project_id": pid, "name": str(cand.at[pid, "name"]), "city": place["group"],
         "kind": place["section"]}
        for place, pid in number_layout(sections)
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=list(CATALOGUE_COLUMNS))
    out["seq"] = out["seq"].astype(int)
    return out


def catalogue_title(year: int | None = None) -> tuple[str, str]:
    """The two title lines of 附件5: ``山西省供应链重点培育项目`` and ``(2026年度目录)``."""
    return "山西省供应链重点培育项目", f"({year}年度目录)" if year else "(年度目录)"


def render_catalogue(cat: pd.DataFrame, *, year: int | None = None) -> list[str]:
    """The catalogue as text lines, as printed in the notice.

    Titles, section headings, group headings and ``{seq}.{name}`` lines, e.g.::

        山西省供应链重点培育项目
        (2026年度目录)
        一、供应链重点企业项目
        (一)太原市(9个)
        1.晋示例……有限公司(虚构)
    """
    lines = list(catalogue_title(year))
    for heading, rec in _walk(cat):
        lines.append(heading if rec is None else f"{rec.seq}.{rec.name}")
    return lines


def catalogue_table(cat: pd.DataFrame) -> pd.DataFrame:
    """The catalogue as a printable table: heading rows interleaved with project rows.

    Columns ``seq``, ``name``, ``city``, ``project_id``; a heading row has only ``name`` (the
    section or group heading). Written with :func:`scoring.io.write_table` it gives the xlsx /
    csv export of 附件5.
    """
    rows = [
        {"seq": None, "name": heading, "city": None, "project_id": None}
        if rec is None
        else {"seq": int(rec.seq), "name": rec.name, "city": rec.city, "project_id": rec.project_id}
        for heading, rec in _walk(cat)
    ]
    out = pd.DataFrame(rows, columns=["seq", "name", "city", "project_id"])
    out["seq"] = out["seq"].astype("Int64")
    return out


def _walk(cat: pd.DataFrame) -> Iterator[tuple[str | None, Any]]:
    """``(heading, None)`` where a section or group starts, then ``(None, record)`` per project."""
    section = group = None
    for rec in cat.itertuples(index=False):
        if rec.section_heading != section:
            section, group = rec.section_heading, None
            yield section, None
        if rec.group_heading != group:
            group = rec.group_heading
            yield group, None
        yield None, rec
