"""HTML text of the dashboards (no widgets): escaping, small tables, download links."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from typing import Any

MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "pdf": "application/pdf",
}


def esc(value: Any) -> str:
    """HTML-escaped text of ``value`` (empty for None/NaN)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value))


def html_table(
    rows: Iterable[Iterable[Any]], header: Iterable[Any], *, cls: str = "", sortable: bool = False
) -> str:
    """A small HTML table (values escaped).

    ``sortable``: the table gets the class ``sortable`` and its headers sort the rows by a click
    (numbers as numbers, text in Chinese order; the page script of :mod:`scoring.ui.serve`).
    """
    if sortable:
        cls = f"{cls} sortable".strip()
    cursor = ";cursor:pointer" if sortable else ""
    head = "".join(
        f"<th style='padding:2px 8px;text-align:left{cursor}'>{esc(h)}</th>" for h in header
    )
    body = "".join(
        "<tr>" + "".join(f"<td style='padding:2px 8px'>{esc(v)}</td>" for v in r) + "</tr>"
        for r in rows
    )
    return (
        f"<table class='scoring-table {cls}' style='border-collapse:collapse;font-size:13px'>"
        f"<thead><tr style='background:#eef2f7'>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def download_link(filename: str, data: bytes, label: str) -> str:
    """An ``<a download>`` link carrying ``data`` as a data: URI (a browser download)."""
    ext = filename.rsplit(".", 1)[-1].lower()
    mime = MIME.get(ext, "application/octet-stream")
    b64 = base64.b64encode(data).decode("ascii")
    return (
        f"<a class='scoring-download' download='{esc(filename)}' "
        f"href='data:{mime};base64,{b64}' style='margin-right:12px'>{esc(label)}</a>"
    )
