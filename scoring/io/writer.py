"""Writing tables: xlsx laid out like the official forms, or csv (UTF-8 with BOM, so Excel shows
Chinese), published atomically.

:func:`write_table` takes the data and a form layout by name (:mod:`.forms`, ``data/forms/``); a
file is written to a temporary file next to the target and moved into place, so a failure never
leaves half a file.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Problem
from .cells import prepare
from .forms import Layout, load_layout
from .tables import PathLike
from .xlsx import write_xlsx as _write_xlsx

_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _write_csv(df: pd.DataFrame, tmp: str, headers: Any, layout: Layout) -> None:
    t = prepare(df, headers, layout)
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(t.names)
        for rec in t.rows:
            w.writerow(
                [
                    ""
                    if v is None
                    else (
                        repr(v)
                        if isinstance(v, float) and not v.is_integer()
                        else str(int(v))
                        if isinstance(v, float)
                        else v
                    )
                    for v in rec
                ]
            )


def _publish(tmp: str, target: Path) -> None:
    """Give the temporary file the usual permissions (mkstemp makes it 0600) and move it in place."""
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)


@contextmanager
def atomic_file(path: Path) -> Iterator[str]:
    """A temporary file next to ``path`` that replaces ``path`` when the block ends without error.

    Parent folders are created; on any error the temporary file is removed and ``path`` is left
    as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix.lower(), dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        _publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(
    data: pd.DataFrame | Mapping[str, pd.DataFrame],
    path: PathLike,
    *,
    title: str | None = None,
    headers: str | Mapping[str, str] = "zh",
    layout: str | Layout | None = None,
    fields: Mapping[str, Any] | None = None,
    block: Sequence[str] = (),
    footer: str | None = None,
    number_formats: Mapping[str, str] | None = None,
) -> Path:
    """Write a table (or several sheets) as xlsx like the official forms, or as csv.

    Parameters
    ----------
    data : DataFrame or mapping of sheet name to DataFrame
        A named index (e.g. ``project_id`` of a ranking) is written as the first column; an
        unnamed index is left out. Several sheets need ``.xlsx``; a single DataFrame goes to the
        layout's ``sheet`` (``Sheet1`` by default).
    path : path-like
        ``.xlsx`` or ``.csv``; parent folders are created. The file is replaced atomically.
    title : str, optional
        xlsx: a title row merged across the columns above the header (e.g.
        ``山西省供应链重点培育项目(2026年度目录)``); default the layout's title filled with
        ``fields``. csv files carry no title row (nor the layout's lines and notes).
    headers : {"zh", "en"} or mapping
        ``"zh"``: the layout's Chinese headers, else those of the forms
        (:func:`~scoring.io.headers.zh_headers`); ``"en"``: the canonical names; or an explicit
        {column: header} mapping.
    layout : str or Layout, optional
        A form layout of ``data/forms/`` by name (``summary``, ``catalogue``,
        ``ledger-enterprise`` …); default ``table`` (title row, header row, widths from the
        content, frozen header).
    fields : mapping, optional
        Values of the layout's placeholders, e.g. ``{"year": 2026}``.
    block : sequence of str
        xlsx: the title block, lines under the title in the title's cell (the store's exports
        print the panel, date, members, frozen weights, configuration hash and audit chain
        head there); the rows below stay header then data, so the file reads back as before.
    footer : str, optional
        xlsx: text at the left of every printed page's footer (page numbers at the right).
    number_formats : mapping, optional
        xlsx: column -> number format (``0.00``) over the layout's.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    InputError
        Unsupported extension, several sheets to csv, a bad sheet name, an unknown or broken
        layout, a title placeholder without a value.
    """
    form = load_layout(layout)
    p = Path(path)
    suffix = p.suffix.lower()
    sheets = {form.sheet: data} if isinstance(data, pd.DataFrame) else dict(data)
    problems: list[Problem] = []
    if suffix not in (".xlsx", ".csv"):
        problems.append(Problem(f"unsupported output type '{suffix}' (use .xlsx or .csv)"))
    if suffix == ".csv" and len(sheets) != 1:
        problems.append(Problem(f"a csv file holds one table, got {len(sheets)} sheets; use .xlsx"))
    if not sheets:
        problems.append(Problem("nothing to write (no sheets)"))
    for name in sheets:
        if not name or len(name) > 31 or _BAD_SHEET.search(name):
            problems.append(Problem(f"bad sheet name {name!r} (1-31 characters, none of []:*?/\\)"))
    if problems:
        raise InputError(problems, file=p.name)
    try:
        heading = title if title is not None else form.title_text(fields)
    except InputError as exc:
        raise exc.with_file(form.source) from None
    with atomic_file(p) as tmp:
        if suffix == ".xlsx":
            _write_xlsx(
                sheets,
                tmp,
                heading,
                headers,
                form,
                fields,
                block=block,
                footer=footer,
                number_formats=number_formats,
            )
        else:
            _write_csv(next(iter(sheets.values())), tmp, headers, form)
    return p
