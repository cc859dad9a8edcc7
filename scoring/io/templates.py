"""Import templates (``data/templates/``): empty candidates, experts and scores files to fill in.

Each template is a form layout ``data/forms/template-<kind>.yml`` (extending ``template.yml``):
the layout gives the sheet, the title, the formats, the 10–40 width rule and the frozen header;
its ``template`` section the canonical table whose columns it has, the files
:func:`write_templates` writes, and the note and the drop-down list of each column; the ``help``
section the 填写说明 sheet. A new template of one of the tables is a new file and no new code.

The xlsx templates have a title row, the Chinese headers, drop-down lists for the enumerated
columns, a comment on each column with a note and a 填写说明 sheet; the csv templates only the
header.

Template sections
    ``table``: ``candidates`` (the candidate fields, then every 附件1 indicator for each of
    ``years`` and, when ``forecast: N``, its forecast for the N years after them, headed
    ``2026年营业收入预测(亿元)``), ``experts`` or ``scores``; ``files``: ``xlsx``, ``csv``; ``rows``: how many rows
    under the header get the drop-down lists; ``notes`` and ``choices``: by column key. A note, and
    an item of a drop-down list, may name a value list of :mod:`scoring.programme.schema` as
    ``{cities}``, ``{provincial}``, ``{project_kinds}``, ``{enterprise_types}`` or
    ``{expert_kinds}``: in a note it stands for the values joined with 、, in a list for the values.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Problem
from ..programme import schema
from .cells import prepare
from .fields import SCORE_FIELDS
from .forms import FORMS_DIR, Layout, Text, _Checker, fill, layout_names, load_layout
from .tables import PathLike
from .writer import atomic_file, write_table
from .xlsx import _Formats, _write_sheet

#: The layouts of the templates are ``template-<kind>.yml``.
_PREFIX = "template-"
#: The creation date written into the xlsx templates (so regenerating them changes nothing).
_CREATED = datetime(2026, 1, 1)

#: The value lists of the schema that notes and drop-down lists may name.
_LISTS: dict[str, tuple[str, ...]] = {
    "cities": schema.CITIES,
    "provincial": (schema.PROVINCIAL,),
    "project_kinds": tuple(schema.PROJECT_KINDS.values()),
    "enterprise_types": schema.ENTERPRISE_TYPES,
    "expert_kinds": tuple(schema.EXPERT_KINDS.values()),
}
_NAMED = re.compile(r"^\{(\w+)\}$")


def _candidate_columns(years: Iterable[int], forecast: Iterable[int] = ()) -> dict[str, str]:
    """The candidate fields, then per indicator its actual ``years`` and its ``forecast`` years
    (``2026年营业收入预测(亿元)``, the same canonical column ``revenue_2026`` as an actual)."""
    cols = dict(schema.CANDIDATE_FIELDS)
    years, forecast = tuple(years), tuple(y for y in forecast if y not in tuple(years))
    for key in schema.INDICATORS:
        for y in years:
            cols[schema.indicator_column(key, y)] = schema.indicator_header(key, y)
        for y in forecast:
            cols[schema.indicator_column(key, y)] = schema.indicator_header(key, y, forecast=True)
    return cols


#: Canonical column -> Chinese header of each table a template may have (given the actual and
#: the forecast years).
_TABLES: dict[str, Callable[[Iterable[int], Iterable[int]], dict[str, str]]] = {
    "candidates": _candidate_columns,
    "experts": lambda _years, _forecast: dict(schema.EXPERT_FIELDS),
    "scores": lambda _years, _forecast: dict(SCORE_FIELDS),
}
_TEMPLATE_KEYS = {"table", "years", "forecast", "files", "rows", "notes", "choices"}
_HELP_KEYS = {"sheet", "columns", "optional", "lines"}
_HELP_COLUMN_KEYS = {"key", "zh", "en", "width"}
#: What a column of the help sheet shows of each template column.
_HELP_SHOWS = ("header", "key", "note")
_FILES = ("xlsx", "csv")


@dataclass(frozen=True)
class HelpSheet:
    """The 填写说明 sheet: its columns (what each shows, header, width), the note of a column
    without one, and the lines under the table (each in Chinese, then in English)."""

    sheet: str
    columns: tuple[tuple[str, str, float | None], ...]
    optional: str
    lines: tuple[Text, ...]


@dataclass(frozen=True)
class Template:
    """One import template: its layout and the sections of its layout file, checked."""

    kind: str
    layout: Layout
    table: str
    years: tuple[int, ...]
    forecast: int
    files: tuple[str, ...]
    rows: int
    notes: Mapping[str, str]
    choices: Mapping[str, tuple[str, ...]]
    help: HelpSheet | None

    def forecast_years(self, years: Iterable[int] | None = None) -> tuple[int, ...]:
        """The ``forecast`` years after the last of ``years`` (default the template's)."""
        ys = tuple(self.years if years is None else years)
        return tuple(range(max(ys) + 1, max(ys) + 1 + self.forecast)) if ys else ()

    def columns(
        self, years: Iterable[int] | None = None, forecast: Iterable[int] | None = None
    ) -> dict[str, str]:
        """Canonical column -> Chinese header.

        Default the template's ``years`` and its forecast years (``forecast`` years after the
        last of them); ``years`` given alone: those years and no forecast.
        """
        if years is None:
            ys = self.years
            fc = self.forecast_years() if forecast is None else tuple(forecast)
        else:
            ys, fc = tuple(years), tuple(forecast or ())
        return _TABLES[self.table](ys, fc)


def template_kinds(folder: PathLike | None = None) -> list[str]:
    """The kinds of the templates in ``folder`` (default ``data/forms/``), sorted."""
    names = layout_names(folder or FORMS_DIR)
    return [n.removeprefix(_PREFIX) for n in names if n.startswith(_PREFIX)]


def _strings(ck: _Checker, value: Any, where: str) -> list[str]:
    items = ck.typed(value, where, list, [])
    return [s for i, v in enumerate(items) if (s := ck.typed(v, f"{where}[{i}]", str, None))]


def _by_column(
    ck: _Checker, m: Mapping[str, Any], section: str, columns: set[str] | None
) -> dict[str, Any]:
    """The section ``template.<section>``, its keys checked against the template's columns
    (not checked when the columns are unknown: the table is already at fault)."""
    given = m.get(section) or {}
    if columns is None:
        columns = set(map(str, given)) if isinstance(given, Mapping) else set()
    return ck.mapping(given, f"template.{section}", columns)


def _note(ck: _Checker, value: Any, where: str) -> str | None:
    """A column's note with its ``{list}`` placeholders filled (the values joined with 、)."""
    note = ck.typed(value, where, str, None)
    if note is None:
        return None
    try:
        return fill(note, {name: "、".join(v) for name, v in _LISTS.items()})
    except InputError as exc:
        ck.fail(where, f"{exc.problems[0].message} (lists: {', '.join(_LISTS)})")
        return None


def _choices(ck: _Checker, value: Any, where: str) -> tuple[str, ...]:
    """A drop-down list with its ``{list}`` items replaced by the schema's values."""
    out: list[str] = []
    for i, item in enumerate(_strings(ck, value, where)):
        m = _NAMED.match(item)
        if m and m.group(1) not in _LISTS:
            ck.fail(f"{where}[{i}]", f"unknown list {item} (lists: {', '.join(_LISTS)})")
        out.extend(_LISTS.get(m.group(1), ()) if m else (item,))
    return tuple(out)


def _help_sheet(ck: _Checker, value: Any) -> HelpSheet | None:
    if value is None:
        return None
    m = ck.mapping(value, "help", _HELP_KEYS, frozenset({"sheet", "columns"}))
    columns = []
    for i, c in enumerate(ck.typed(m.get("columns"), "help.columns", list, [])):
        where = f"help.columns[{i}]"
        cm = ck.mapping(c, where, _HELP_COLUMN_KEYS, frozenset({"key", "zh", "en"}))
        shows = ck.typed(cm.get("key"), f"{where}.key", str, "")
        if shows not in _HELP_SHOWS:
            ck.fail(f"{where}.key", f"'{shows}' is not one of: {', '.join(_HELP_SHOWS)}")
        ck.typed(cm.get("en"), f"{where}.en", str, "")
        zh = ck.typed(cm.get("zh"), f"{where}.zh", str, "")
        columns.append((shows, zh, ck.typed(cm.get("width"), f"{where}.width", (int, float), None)))
    return HelpSheet(
        sheet=ck.typed(m.get("sheet"), "help.sheet", str, "填写说明"),
        columns=tuple(columns),
        optional=ck.typed(m.get("optional"), "help.optional", str, ""),
        lines=ck.texts(m.get("lines"), "help.lines"),
    )


def _parse(kind: str, layout: Layout) -> Template:
    """Check the ``template`` and ``help`` sections of a template's layout and build it."""
    ck = _Checker(layout.source)
    m = ck.mapping(
        layout.sections.get("template", {}), "template", _TEMPLATE_KEYS, frozenset({"table"})
    )
    table = ck.typed(m.get("table"), "template.table", str, "")
    if table not in _TABLES:
        ck.fail("template.table", f"'{table}' is not one of: {', '.join(_TABLES)}")
    years = [
        y
        for i, v in enumerate(ck.typed(m.get("years"), "template.years", list, []))
        if (y := ck.typed(v, f"template.years[{i}]", int, None)) is not None
    ]
    forecast = ck.typed(m.get("forecast"), "template.forecast", int, 0)
    if forecast < 0:
        ck.fail("template.forecast", f"must be 0 or more, got {forecast}")
    rows = ck.typed(m.get("rows"), "template.rows", int, 1000)
    if rows < 1:
        ck.fail("template.rows", f"must be at least 1, got {rows}")
    files = _strings(ck, m.get("files", list(_FILES)), "template.files")
    for i, f in enumerate(files):
        if f not in _FILES:
            ck.fail(f"template.files[{i}]", f"'{f}' is not one of: {', '.join(_FILES)}")
    ahead = range(max(years) + 1, max(years) + 1 + max(forecast, 0)) if years else ()
    columns = set(_TABLES[table](years, ahead)) if table in _TABLES else None
    notes = {
        key: note
        for key, v in _by_column(ck, m, "notes", columns).items()
        if (note := _note(ck, v, f"template.notes.{key}")) is not None
    }
    choices = {
        key: _choices(ck, v, f"template.choices.{key}")
        for key, v in _by_column(ck, m, "choices", columns).items()
    }
    help_sheet = _help_sheet(ck, layout.sections.get("help"))
    if ck.problems:
        raise InputError(ck.problems, file=layout.source)
    return Template(
        kind=kind,
        layout=layout,
        table=table,
        years=tuple(years),
        forecast=max(forecast, 0),
        files=tuple(files),
        rows=rows,
        notes=notes,
        choices=choices,
        help=help_sheet,
    )


def load_template(kind: str | os.PathLike[str]) -> Template:
    """The import template ``kind`` (``candidates``, ``experts``, ``scores``) of ``data/forms/``.

    Parameters
    ----------
    kind : str or path-like
        A template kind, or the path of a template's layout file (``template-<kind>.yml``,
        extending a ``template.yml`` beside it).

    Raises
    ------
    InputError
        An unknown kind, or a template file that does not check (file and field named).
    """
    if str(kind).endswith((".yml", ".yaml")):
        layout = load_layout(kind)
        return _parse(layout.name.removeprefix(_PREFIX), layout)
    kinds = template_kinds()
    if kind not in kinds:
        raise InputError([Problem(f"unknown template {kind!r} ({', '.join(kinds)})")])
    return _parse(kind, load_layout(f"{_PREFIX}{kind}"))


class _Titles(Mapping[str, str]):
    """The title of each template, read from its layout when asked for."""

    def __getitem__(self, kind: str) -> str:
        if kind not in template_kinds():
            raise KeyError(kind)
        return load_template(kind).layout.title_text() or ""

    def __iter__(self) -> Iterator[str]:
        return iter(template_kinds())

    def __len__(self) -> int:
        return len(template_kinds())


#: Template kind -> its title (``山西省供应链重点项目汇总表(导入模板)`` …), from ``data/forms/``.
TEMPLATE_TITLES: Mapping[str, str] = _Titles()


def template_columns(
    kind: str | os.PathLike[str],
    years: Iterable[int] | None = None,
    forecast: Iterable[int] | None = None,
) -> dict[str, str]:
    """Canonical column -> Chinese header of an import template.

    Parameters
    ----------
    kind : str or path-like
        ``candidates``, ``experts`` or ``scores`` (a ``data/forms/template-<kind>.yml``), or a
        template's layout file (see :func:`load_template`).
    years : iterable of int, optional
        The actual years of the 附件1 indicators of the candidates template; default the
        template's ``years`` (2023–2025) and its forecast years (2026–2028, headed
        ``2026年营业收入预测(亿元)``); given alone, those years without forecasts.
    forecast : iterable of int, optional
        The forecast years (附件1 发展目标), over the template's.
    """
    return load_template(kind).columns(years, forecast)


def _write_help(wb: Any, t: Template, cols: Mapping[str, str], head: Any) -> None:
    """The 填写说明 sheet: one row per template column, then the help lines after a blank row."""
    h = t.help
    assert h is not None
    ws = wb.add_worksheet(h.sheet)
    ws.write_row(0, 0, [zh for _, zh, _ in h.columns], head)
    for i, (key, zh) in enumerate(cols.items(), start=1):
        shows = {"header": zh, "key": key, "note": t.notes.get(key, h.optional)}
        ws.write_row(i, 0, [shows[what] for what, _, _ in h.columns])
    for j, (_, _, width) in enumerate(h.columns):
        if width is not None:
            ws.set_column(j, j, width)
    row = len(cols) + 2
    for line in h.lines:
        ws.write_string(row, 0, line.zh)
        ws.write_string(row + 1, 0, line.en)
        row += 2


def write_template(
    kind: str | os.PathLike[str], path: PathLike, years: Iterable[int] | None = None
) -> Path:
    """Write an empty import template with Chinese headers.

    Parameters
    ----------
    kind : str or path-like
        ``candidates``, ``experts`` or ``scores``, or a template's layout file.
    path : path-like
        ``.csv`` (the header only) or ``.xlsx`` (title row, header, drop-down lists for the
        enumerated columns, a comment on each column with a note, a 填写说明 sheet).
    years : iterable of int, optional
        As in :func:`template_columns`.

    Returns
    -------
    Path
        ``path``, the template written (atomically).

    Raises
    ------
    InputError
        An unknown template, a broken template file or an unsupported file type.
    """
    t = load_template(kind)
    cols = t.columns(years)
    empty = pd.DataFrame(columns=list(cols))
    p = Path(path)
    if p.suffix.lower() == ".csv":
        return write_table(empty, p, headers=cols, layout=t.layout)
    if p.suffix.lower() != ".xlsx":
        raise InputError([Problem(f"unsupported template type '{p.suffix}'")], file=p.name)
    import xlsxwriter

    title = t.layout.title_text()
    with atomic_file(p) as tmp:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False})
        try:
            wb.set_properties({"created": _CREATED, "title": title})
            fmt = _Formats(wb, t.layout)
            ws = wb.add_worksheet(t.layout.sheet)
            _write_sheet(ws, prepare(empty, cols, t.layout), title, t.layout, {}, fmt, False)
            head = len(t.layout.above) + (title is not None) + len(t.layout.below)
            for j, key in enumerate(cols):
                if t.choices.get(key):
                    rule = {"validate": "list", "source": list(t.choices[key])}
                    ws.data_validation(head + 1, j, head + t.rows, j, rule)
                if key in t.notes:
                    ws.write_comment(head, j, t.notes[key])
            if t.help is not None:
                _write_help(wb, t, cols, fmt.header)
        finally:
            wb.close()
    return p


def write_templates(folder: PathLike) -> list[Path]:
    """Write the import templates of ``data/templates/``: each template's ``files``
    (candidates and experts xlsx and csv, scores csv), named ``<kind>.<type>``."""
    out = Path(folder)
    return [
        write_template(kind, out / f"{kind}.{suffix}")
        for kind in template_kinds()
        for suffix in load_template(kind).files
    ]
