"""The fpdf2 document base shared by the reports: an embedded CJK font, headings and tables.

The font is the one :func:`scoring.fonts.find_cjk_font` finds (Debian's Noto Sans CJK by default).
fpdf2 (>= 2.8) reads one face of a TrueType/OpenType collection (``.ttc``) directly and embeds a
subset of it, so every PDF carries its own glyphs: ``pdffonts`` lists the font as embedded and no
reader needs a Chinese font installed. The Simplified Chinese face of a collection is chosen by
name, so Chinese glyph shapes follow mainland conventions.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import TextMode, XPos, YPos

from scoring.fonts import find_cjk_font

#: Family name the documents use for the CJK font.
FAMILY = "cjk"
#: Progress callback: ``progress(step, done, total)``.
Progress = Callable[[str, int, int], None]


def no_progress(step: str, done: int, total: int) -> None:
    """Progress callback that does nothing."""


@dataclass(frozen=True)
class FontFile:
    """One face of a font file: the path and, for a collection, the face index."""

    path: Path
    index: int = 0
    name: str = ""


def _collection_face(path: Path, prefer: Sequence[str] = (" SC", "SC", "GB", "CN")) -> FontFile:
    """The preferred face of ``path``: for a ``.ttc``, the Simplified Chinese one if named so."""
    if path.suffix.lower() not in {".ttc", ".otc"}:
        return FontFile(path, 0, path.stem)
    from fontTools.ttLib import TTCollection

    coll = TTCollection(str(path), lazy=True)
    names = [f["name"].getDebugName(4) or "" for f in coll.fonts]
    coll.close()
    for token in prefer:
        for i, name in enumerate(names):
            if token in name and "Mono" not in name:
                return FontFile(path, i, name)
    return FontFile(path, 0, names[0] if names else path.stem)


@cache
def cjk_font_file() -> FontFile:
    """The face to embed: the Simplified Chinese face of the installed CJK font.

    Only one face is embedded (loading and subsetting a CJK face costs about a second each);
    headings are emboldened by stroking the glyph outlines (see :meth:`ReportPDF.bold`).

    Raises
    ------
    scoring.fonts.FontNotFoundError
        When no CJK font is installed.
    """
    return _collection_face(find_cjk_font())


HEAD_FILL = (225, 230, 240)
SHADE_FILL = (236, 246, 232)


class ReportPDF(FPDF):
    """A4 document with the CJK font embedded, a running header and page numbers.

    Parameters
    ----------
    title : str
        Shown in the running header and stored as the PDF title.
    orientation : {"P", "L"}
        Portrait or landscape.
    footer_note : str, optional
        Small text at the left of every footer (e.g. the configuration hash).
    """

    def __init__(self, title: str, *, orientation: str = "P", footer_note: str = "") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.report_title = title
        self.footer_note = footer_note
        self.show_header = True
        face = cjk_font_file()
        self.add_font(FAMILY, "", str(face.path), collection_font_number=face.index)
        self.set_title(title)
        self.set_creator("scoring — 评审答辩工作台")
        self.set_creation_date(datetime.now().astimezone())
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(12, 14, 12)
        self.alias_nb_pages()
        self.set_font(FAMILY, size=10)

    # -- page furniture -------------------------------------------------------------------------
    def header(self) -> None:
        if not self.show_header:
            return
        self.set_font(FAMILY, size=8)
        self.set_text_color(110)
        self.cell(0, 5, self.report_title, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.ln(2)
        self.set_font(FAMILY, size=10)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FAMILY, size=7)
        self.set_text_color(110)
        if self.footer_note:
            self.cell(0, 5, self.footer_note, align="L")
            self.set_x(self.l_margin)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="R")
        self.set_text_color(0)

    # -- text -------------------------------------------------------------------------------------
    @contextmanager
    def bold(self, size: float | None = None) -> Iterator[None]:
        """Emboldened text (glyphs filled and stroked) for headings, optionally at ``size``."""
        old_size = self.font_size_pt
        if size is not None:
            self.set_font(FAMILY, size=size)
        self.set_draw_color(0)
        with self.local_context(
            text_mode=TextMode.FILL_STROKE, line_width=0.012 * self.font_size_pt
        ):
            yield
        self.set_font(FAMILY, size=old_size)

    @property
    def content_width(self) -> float:
        """Width between the margins, in mm."""
        return self.w - self.l_margin - self.r_margin

    def title_block(self, title: str, subtitle: str = "") -> None:
        """A centred document title with an optional subtitle."""
        with self.bold(16):
            self.multi_cell(0, 9, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font(FAMILY, size=11)
            self.multi_cell(0, 7, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)
        self.set_font(FAMILY, size=10)

    def heading(self, text: str, level: int = 1) -> None:
        """A section heading (level 1 or 2); it is also a bookmark in the PDF outline."""
        size = {1: 13, 2: 11}.get(level, 10)
        if self.will_page_break(size + 12):
            self.add_page()
        self.start_section(text, level=level - 1)
        with self.bold(size):
            self.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)
        self.set_font(FAMILY, size=10)

    def paragraph(self, text: str, size: float = 9.5, height: float = 5.2) -> None:
        """A wrapped paragraph."""
        self.set_font(FAMILY, size=size)
        self.multi_cell(0, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        self.set_font(FAMILY, size=10)

    def key_values(self, rows: Sequence[tuple[str, str]], key_width: float = 42) -> None:
        """Two-column ``label: value`` lines."""
        self.set_font(FAMILY, size=9.5)
        for key, value in rows:
            with self.bold(9.5):
                self.cell(key_width, 5.6, key)
            self.set_font(FAMILY, size=9.5)
            self.multi_cell(0, 5.6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        self.set_font(FAMILY, size=10)

    # -- tables and images ------------------------------------------------------------------------
    def data_table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        col_widths: Sequence[float] | None = None,
        align: Sequence[str] | None = None,
        font_size: float = 8.5,
        highlight: Sequence[bool] | None = None,
        min_row_height: float = 0.0,
    ) -> None:
        """A bordered table whose heading row repeats on every page.

        Cells wrap (by character, as Chinese text does); a row never splits across pages. Drawn
        with plain cells rather than fpdf2's ``table()``, which is several times slower on the
        hundreds of rows of a panel's score sheets.

        Parameters
        ----------
        header : sequence of str
            Column headings.
        rows : sequence of sequences
            Cell values (formatted with ``str``; ``None`` prints empty).
        col_widths : sequence of float, optional
            Relative column widths (normalised to the content width); default equal.
        align : sequence of {"L", "C", "R"}, optional
            Per-column text alignment (default left).
        font_size : float
            Point size of the body.
        highlight : sequence of bool, optional
            Rows to shade (e.g. the shortlisted candidates).
        min_row_height : float
            Height (mm) of a body row at least: room to sign in.
        """
        n = len(header)
        rel = list(col_widths) if col_widths else [1.0] * n
        total = float(sum(rel))
        widths = [self.content_width * w / total for w in rel]
        aligns = list(align) if align else ["L"] * n
        line_h = font_size * 0.42
        pad = 0.9
        self.set_font(FAMILY, size=font_size)
        self.set_draw_color(120)
        self.set_line_width(0.15)

        def lines_of(text: str, width: float) -> list[str]:
            if not text:
                return [""]
            if "\n" not in text and self.get_string_width(text) <= width - 2 * pad:
                return [text]
            return self.multi_cell(
                width - 2 * pad,
                line_h,
                text,
                dry_run=True,
                output="LINES",
                wrapmode="CHAR",
                padding=0,
            )

        def draw(
            cells: Sequence[str], fill: tuple[int, int, int] | None, cell_align: Sequence[str]
        ):
            split = [lines_of(t, w) for t, w in zip(cells, widths, strict=True)]
            height = max(len(s) for s in split) * line_h + 2 * pad
            if fill != HEAD_FILL:
                height = max(height, min_row_height)
            if self.will_page_break(height):
                self.add_page()
                if fill != HEAD_FILL:
                    draw(head_cells, HEAD_FILL, ["C"] * n)
                self.set_font(FAMILY, size=font_size)
            x0, y0 = self.l_margin, self.get_y()
            x = x0
            for text_lines, w, al in zip(split, widths, cell_align, strict=True):
                if fill is not None:
                    self.set_fill_color(*fill)
                    self.rect(x, y0, w, height, style="DF")
                else:
                    self.rect(x, y0, w, height)
                y = y0 + pad
                for line in text_lines:
                    self.set_xy(x + pad, y)
                    self.cell(w - 2 * pad, line_h, line, align=al)
                    y += line_h
                x += w
            self.set_xy(x0, y0 + height)

        head_cells = [str(h) for h in header]
        draw(head_cells, HEAD_FILL, ["C"] * n)
        for i, values in enumerate(rows):
            fill = SHADE_FILL if highlight is not None and highlight[i] else None
            draw(["" if v is None else str(v) for v in values], fill, aligns)
        self.ln(2)
        self.set_font(FAMILY, size=10)

    def png(self, data: bytes, width: float | None = None) -> None:
        """Place a PNG image (e.g. a chart) at the current position, centred."""
        width = min(width or self.content_width, self.content_width)
        x = self.l_margin + (self.content_width - width) / 2
        self.image(io.BytesIO(data), x=x, w=width)
        self.ln(2)

    def keep_together(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit on this one (a block taller than a
        page starts where it is)."""
        usable = self.h - self.t_margin - self.b_margin
        if height <= usable and self.will_page_break(height):
            self.add_page()

    def signature_line(self, label: str = "签字") -> None:
        """Signature and date fields at the bottom of a sheet."""
        if self.will_page_break(20):
            self.add_page()
        self.ln(6)
        self.set_font(FAMILY, size=10.5)
        half = self.content_width / 2
        self.cell(half, 8, f"{label}(Signature):________________________")
        self.cell(half, 8, "日期(Date):____________________", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, size=10)

    def to_bytes(self) -> bytes:
        """The finished document."""
        return bytes(self.output())
