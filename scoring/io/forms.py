"""Form layouts as data: how a table is laid out on the sheet, loaded from ``data/forms/*.yml``.

A layout says everything about a written table that is not the data itself: the title (Chinese and
English, with ``{field}`` placeholders), lines above and below the title (``附件4-1``, ``单位：万元``),
the header rows (column headers, optionally grouped under a merged header such as
``其中：信贷（融资）情况``), column widths and number formats, the frozen header, the autofilter, the
注 lines under the data and the print setup. :func:`scoring.io.write_table` takes a layout by name,
so a new form is a new file in ``data/forms/`` and no new code.

Title placeholders
    ``{year}`` is filled from the ``fields`` given to the writer; a part in square brackets,
    ``[{year}年度]``, is left out when a field in it is missing or empty (so titles carry no
    literal square brackets).

Layout files
    One file per layout; the file name (without ``.yml``) is the layout's name. ``extends: table``
    starts from another layout's keys (a key given here replaces the inherited one). Every key is
    checked: an unknown key, a missing field or a value of the wrong type is an
    :class:`~scoring.errors.InputError` naming the file and the field. The sections ``template``
    and ``help`` of an import template (``template-*.yml``) are kept as read and checked by
    :mod:`.templates`.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..datafile import read_yaml
from ..errors import InputError, Problem
from ..paths import DATA_DIR

#: Where the layouts live (``$SCORING_DATA/forms``).
FORMS_DIR = DATA_DIR / "forms"
#: The layout of a table written without one: title row, header row, widths from the content.
DEFAULT_LAYOUT = "table"

#: Paper sizes known to the print setup (xlsxwriter's paper index).
PAPER = {"A3": 8, "A4": 9, "A5": 11, "letter": 1, "legal": 5}
ALIGN = ("left", "center", "right")
#: Print orientations; ``auto`` is landscape when the columns are wider than a portrait page.
ORIENTATIONS = ("portrait", "landscape", "auto")

_KEYS = {
    "extends", "form", "description", "sheet", "title", "title_height", "above", "below",
    "columns", "groups", "order", "formats", "widths", "freeze", "autofilter", "notes", "print",
    "template", "help",
}  # fmt: skip
#: Keys kept as read, for the module that uses them (:mod:`.templates`).
_SECTION_KEYS = ("template", "help")
_TEXT_KEYS = {"zh", "en"}
_LINE_KEYS = {"zh", "en", "align"}
_COLUMN_KEYS = {"key", "zh", "en", "width", "number_format", "wrap", "group"}
_GROUP_KEYS = {"key", "zh", "en"}
_FORMAT_KEYS = {"title", "header", "cell", "line", "note"}
_WIDTH_KEYS = {"min", "max", "pad", "sample"}
_PRINT_KEYS = {"orientation", "paper", "fit_to_width", "repeat_header", "margins", "center"}
_MARGIN_KEYS = {"left", "right", "top", "bottom"}


@dataclass(frozen=True)
class Text:
    """A piece of form text in both languages, possibly with ``{field}`` placeholders."""

    zh: str
    en: str
    align: str = "left"

    def render(self, fields: Mapping[str, Any] | None = None, lang: str = "zh") -> str:
        """The text in ``lang`` with its placeholders filled (see the module docstring)."""
        return fill(self.zh if lang == "zh" else self.en, fields or {})


@dataclass(frozen=True)
class Column:
    """One column of a form: canonical key, header texts and how its cells look."""

    key: str
    zh: str
    en: str
    width: float | None = None
    number_format: str | None = None
    wrap: bool = False
    group: str | None = None


@dataclass(frozen=True)
class Widths:
    """Widths from the content: longest of the header and the first ``sample`` cells plus ``pad``,
    kept between ``min`` and ``max`` (in characters; a CJK character counts two)."""

    min: float = 6
    max: float = 60
    pad: float = 2
    sample: int = 2000


@dataclass(frozen=True)
class PrintSetup:
    """Page setup for printing: orientation (``auto``: landscape when wide), paper, fit to width,
    header repeated, margins (inch)."""

    orientation: str = "portrait"
    paper: str | None = None
    fit_to_width: bool = False
    repeat_header: bool = False
    margins: Mapping[str, float] | None = None
    center: bool = False


@dataclass(frozen=True)
class Layout:
    """How one table is laid out on the sheet (see the module docstring)."""

    name: str
    source: str
    form: str | None = None
    sheet: str = "Sheet1"
    title: Text | None = None
    title_height: float = 32
    above: tuple[Text, ...] = ()
    below: tuple[Text, ...] = ()
    columns: tuple[Column, ...] = ()
    groups: Mapping[str, Text] = field(default_factory=dict)
    order: str = "data"
    formats: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    widths: Widths = Widths()
    freeze: bool = True
    autofilter: bool = True
    notes: tuple[Text, ...] = ()
    print: PrintSetup | None = None
    sections: Mapping[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """The canonical keys of the layout's columns, in order."""
        return [c.key for c in self.columns]

    def column(self, key: str) -> Column | None:
        """The layout's column ``key``, or None."""
        return next((c for c in self.columns if c.key == key), None)

    def headers(self, lang: str = "zh") -> dict[str, str]:
        """``{key: header}`` of the layout's columns in ``lang``."""
        return {c.key: c.zh if lang == "zh" else c.en for c in self.columns}

    def title_text(self, fields: Mapping[str, Any] | None = None, lang: str = "zh") -> str | None:
        """The title with its placeholders filled, or None when the layout has no title."""
        return self.title.render(fields, lang) if self.title else None


_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def fill(template: str, fields: Mapping[str, Any]) -> str:
    """Fill ``{field}`` placeholders; ``[...]`` parts are dropped when a field in them is empty.

    Raises
    ------
    InputError
        A placeholder outside square brackets has no value.
    """

    def empty(name: str) -> bool:
        v = fields.get(name)
        return v is None or str(v) == ""

    def segment(m: re.Match[str]) -> str:
        names = [f for _, f, _, _ in string.Formatter().parse(m.group(1)) if f]
        return "" if any(empty(n) for n in names) else m.group(1)

    text = _SEGMENT.sub(segment, template)
    missing = [f for _, f, _, _ in string.Formatter().parse(text) if f and empty(f)]
    if missing:
        raise InputError(
            [
                Problem(
                    f"the text '{template}' needs a value for {{{missing[0]}}}", column=missing[0]
                )
            ]
        )
    return text.format_map(dict(fields))


# --------------------------------------------------------------------------------------------
# loading and checking a layout file
# --------------------------------------------------------------------------------------------


class _Checker:
    """Collects the problems of one layout file, each naming the field at fault."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(message, column=where))

    def mapping(
        self, value: Any, where: str, allowed: set[str], required: frozenset[str] = frozenset()
    ) -> dict:
        if not isinstance(value, Mapping):
            self.fail(where, f"must be a mapping, got {type(value).__name__}")
            return {}
        for key in sorted(set(map(str, value)) - allowed):
            self.fail(f"{where}.{key}" if where else key, "unknown key")
        for key in sorted(required - set(value)):
            self.fail(f"{where}.{key}" if where else key, "missing field")
        return dict(value)

    def typed(self, value: Any, where: str, kind: type | tuple[type, ...], default: Any) -> Any:
        if value is None:
            return default
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            self.fail(where, f"must be {_kind_name(kind)}, got {value!r}")
            return default
        return value

    def text(self, value: Any, where: str, *, line: bool = False) -> Text | None:
        if isinstance(value, str):
            self.fail(where, "must give both zh and en (a mapping with keys zh, en)")
            return None
        m = self.mapping(value, where, _LINE_KEYS if line else _TEXT_KEYS, _TEXT_KEYS)
        zh = self.typed(m.get("zh"), f"{where}.zh", str, "")
        en = self.typed(m.get("en"), f"{where}.en", str, "")
        align = self.typed(m.get("align"), f"{where}.align", str, "left")
        if align not in ALIGN:
            self.fail(f"{where}.align", f"'{align}' is not one of: {', '.join(ALIGN)}")
        return Text(zh, en, align)

    def texts(self, value: Any, where: str) -> tuple[Text, ...]:
        items = self.typed(value, where, list, [])
        return tuple(
            t for i, v in enumerate(items) if (t := self.text(v, f"{where}[{i}]", line=True))
        )


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {bool: "true/false", int: "a whole number", float: "a number", str: "text",
             list: "a list", dict: "a mapping"}  # fmt: skip
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


_NUM = (int, float)


def parse_layout(data: Any, *, name: str, source: str) -> Layout:
    """Check a layout's data (as read from YAML, ``extends`` already resolved) and build it.

    Raises
    ------
    InputError
        Every unknown key, missing field and wrongly typed value, each naming ``source`` (the
        file) and the field (``columns[3].zh``, ``print.paper``).
    """
    ck = _Checker(source)
    m = ck.mapping(data, "", _KEYS)
    groups: dict[str, Text] = {}
    for i, g in enumerate(ck.typed(m.get("groups"), "groups", list, [])):
        gm = ck.mapping(g, f"groups[{i}]", _GROUP_KEYS, _GROUP_KEYS)
        key = ck.typed(gm.get("key"), f"groups[{i}].key", str, "")
        text = ck.text({k: v for k, v in gm.items() if k != "key"}, f"groups[{i}]")
        if key and text:
            groups[key] = text
    columns = []
    for i, c in enumerate(ck.typed(m.get("columns"), "columns", list, [])):
        where = f"columns[{i}]"
        cm = ck.mapping(c, where, _COLUMN_KEYS, {"key", "zh", "en"})
        col = Column(
            key=ck.typed(cm.get("key"), f"{where}.key", str, ""),
            zh=ck.typed(cm.get("zh"), f"{where}.zh", str, ""),
            en=ck.typed(cm.get("en"), f"{where}.en", str, ""),
            width=ck.typed(cm.get("width"), f"{where}.width", _NUM, None),
            number_format=ck.typed(cm.get("number_format"), f"{where}.number_format", str, None),
            wrap=ck.typed(cm.get("wrap"), f"{where}.wrap", bool, False),
            group=ck.typed(cm.get("group"), f"{where}.group", str, None),
        )
        if col.group is not None and col.group not in groups:
            ck.fail(f"{where}.group", f"unknown group '{col.group}' (groups: {', '.join(groups)})")
        columns.append(col)
    keys = [c.key for c in columns]
    for i, k in enumerate(keys):
        if k in keys[:i]:
            ck.fail(f"columns[{i}].key", f"column '{k}' appears twice")
    runs = [
        c.group
        for i, c in enumerate(columns)
        if c.group and (i == 0 or columns[i - 1].group != c.group)
    ]
    for g in {r for r in runs if runs.count(r) > 1}:
        ck.fail("columns", f"the columns of group '{g}' must stand together")
    order = ck.typed(m.get("order"), "order", str, "layout" if columns else "data")
    if order not in ("layout", "data"):
        ck.fail("order", f"'{order}' is not one of: layout, data")
    elif order == "layout" and not columns:
        ck.fail("columns", "missing field (order: layout needs the columns)")
    fm = ck.mapping(m.get("formats", {}), "formats", _FORMAT_KEYS)
    formats = {k: ck.typed(v, f"formats.{k}", dict, {}) for k, v in fm.items()}
    wm = ck.mapping(m.get("widths", {}), "widths", _WIDTH_KEYS)
    widths = Widths(
        **{
            k: ck.typed(v, f"widths.{k}", int if k == "sample" else _NUM, getattr(Widths, k))
            for k, v in wm.items()
        }
    )
    setup = None
    if m.get("print") is not None:
        pm = ck.mapping(m["print"], "print", _PRINT_KEYS)
        margins = ck.mapping(pm.get("margins", {}), "print.margins", _MARGIN_KEYS)
        setup = PrintSetup(
            orientation=ck.typed(pm.get("orientation"), "print.orientation", str, "portrait"),
            paper=ck.typed(pm.get("paper"), "print.paper", str, None),
            fit_to_width=ck.typed(pm.get("fit_to_width"), "print.fit_to_width", bool, False),
            repeat_header=ck.typed(pm.get("repeat_header"), "print.repeat_header", bool, False),
            margins={k: ck.typed(v, f"print.margins.{k}", _NUM, 0.0) for k, v in margins.items()}
            or None,
            center=ck.typed(pm.get("center"), "print.center", bool, False),
        )
        if setup.orientation not in ORIENTATIONS:
            ck.fail(
                "print.orientation",
                f"'{setup.orientation}' is not one of: {', '.join(ORIENTATIONS)}",
            )
        if setup.paper is not None and setup.paper not in PAPER:
            ck.fail("print.paper", f"'{setup.paper}' is not one of: {', '.join(PAPER)}")
    layout = Layout(
        name=name,
        source=source,
        form=ck.typed(m.get("form"), "form", str, None),
        sheet=ck.typed(m.get("sheet"), "sheet", str, "Sheet1"),
        title=ck.text(m["title"], "title") if m.get("title") is not None else None,
        title_height=ck.typed(m.get("title_height"), "title_height", _NUM, 32),
        above=ck.texts(m.get("above"), "above"),
        below=ck.texts(m.get("below"), "below"),
        columns=tuple(columns),
        groups=groups,
        order=order,
        formats=formats,
        widths=widths,
        freeze=ck.typed(m.get("freeze"), "freeze", bool, True),
        autofilter=ck.typed(m.get("autofilter"), "autofilter", bool, True),
        notes=ck.texts(m.get("notes"), "notes"),
        print=setup,
        sections={k: m[k] for k in _SECTION_KEYS if m.get(k) is not None},
    )
    if ck.problems:
        raise InputError(ck.problems, file=source)
    return layout


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        known = ", ".join(layout_names(path.parent)) or "none"
        raise InputError(
            [Problem(f"no form layout '{path.stem}' (layouts: {known})")], file=str(path)
        )
    return read_yaml(path, "layout")


def _resolved(path: Path, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """The layout file's keys with ``extends`` applied (the file's own keys win)."""
    data = _read_yaml(path)
    if not isinstance(data, Mapping):
        raise InputError([Problem("a layout file must be a mapping of keys")], file=str(path))
    parent = data.get("extends")
    if parent is None:
        return dict(data)
    if not isinstance(parent, str) or parent in (*seen, path.stem):
        raise InputError(
            [
                Problem(
                    f"cannot extend {parent!r} (not a layout name, or a cycle)", column="extends"
                )
            ],
            file=str(path),
        )
    base = _resolved(path.with_name(f"{parent}.yml"), (*seen, path.stem))
    return {**base, **{k: v for k, v in data.items() if k != "extends"}}


@lru_cache(maxsize=64)
def _load(path: str, mtime: float) -> Layout:
    p = Path(path)
    return parse_layout(_resolved(p), name=p.stem, source=str(p))


def load_layout(layout: str | os.PathLike[str] | Layout | None = None) -> Layout:
    """The layout ``name`` of ``data/forms/`` (or a ``.yml`` file, or a Layout as it is).

    Parameters
    ----------
    layout : str, path-like or Layout, optional
        A layout name (``summary``, ``ledger-enterprise``), a path to a layout file, or a
        :class:`Layout`; default :data:`DEFAULT_LAYOUT`.

    Raises
    ------
    InputError
        Unknown layout, unreadable file or a layout that does not check (file and field named).
    """
    if isinstance(layout, Layout):
        return layout
    text = str(layout or DEFAULT_LAYOUT)
    p = Path(text) if text.endswith((".yml", ".yaml")) else FORMS_DIR / f"{text}.yml"
    try:
        mtime = p.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _load(str(p.resolve()), mtime)


def layout_names(folder: str | os.PathLike[str] | None = None) -> list[str]:
    """The names of the layouts in ``folder`` (default ``data/forms/``), sorted."""
    return sorted(p.stem for p in Path(folder or FORMS_DIR).glob("*.yml"))
