"""Issue 11 on the board: the downloads are filed copies (Chinese values, rounded, title block
with the audit chain head), the 附件5 catalogue is downloadable (xlsx, PDF), and the page has a
print stylesheet and points to the PDF."""

from __future__ import annotations

import io

import openpyxl

from .test_board import _board


def test_board_downloads_are_fileable_and_include_the_catalogue(store) -> None:
    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    view.panel.value = str(info["panels"]["P0"])
    seq, digest = backend.wb.chain_head()
    name, data = model.download("xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    assert f"审计链 #{seq} {digest[:16]}…" in ws.cell(1, 1).value
    assert ws.page_setup.paperSize == 9 and ws.print_title_rows == "$2:$2"
    texts = {c.value for s in book.worksheets for row in s.iter_rows(min_row=3) for c in row}
    assert not texts & {"enterprise", "region", "selected", "chair"}
    numbers = [v for v in texts if isinstance(v, float)]
    assert numbers and all(round(v, 2) == v for v in numbers)
    cat_name, cat = model.download("catalogue-xlsx")
    assert cat_name.endswith(".xlsx")
    cws = openpyxl.load_workbook(io.BytesIO(cat)).active
    assert "年度目录" in cws.cell(1, 1).value and f"审计链 #{seq}" in cws.cell(1, 1).value
    pdf_name, pdf = model.download("catalogue-pdf")
    assert pdf_name.endswith(".pdf") and pdf[:5] == b"%PDF-"
    html = view.downloads.value
    assert "catalogue_panel" in html and "application/pdf" in html
    assert "@media print" in html and "PDF" in html
