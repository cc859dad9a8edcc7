"""Reading and writing the tables of the workbench: csv (UTF-8) and xlsx.

The modules, by direction:

- :mod:`.tables` — :func:`read_table`: a raw csv/xlsx table as strings, rows numbered as in the sheet.
- :mod:`.fields` — field types, allowed values and header aliases of the canonical tables.
- :mod:`.readers` — :func:`read_candidates`, :func:`read_experts`, :func:`read_scores`: typed and
  checked, every problem at once (:class:`~scoring.errors.InputError` with file, row and column).
- :mod:`.forms` — form layouts (title, header rows, widths, print setup …) loaded from
  ``data/forms/*.yml``: :func:`load_layout`.
- :mod:`.headers` — :func:`zh_headers`, the Chinese header of each canonical column.
- :mod:`.cells` — cell values as written: :func:`neutralise` (no formulas), plain scalars.
- :mod:`.xlsx` and :mod:`.writer` — :func:`write_table`: xlsx laid out by a form layout, or csv
  UTF-8 with BOM, published atomically.
- :mod:`.templates` — the import templates of ``data/templates/``.
- :mod:`.ledger_file` — :func:`~.ledger_file.read_ledger`: a filled 附件4-1/4-2 ledger (xlsx or
  csv, UTF-8 or GBK) as the follow-up ledger content, all or nothing.
- :mod:`.ledger_export` — :func:`~.ledger_export.export_ledger`: a ledger as the 附件4-1/4-2 xlsx;
  the blank ledger templates. (Import these two modules themselves: they need the follow-up core.)
"""

from __future__ import annotations

from .cells import neutralise
from .fields import FORMULA_PREFIXES, SCORE_FIELDS
from .forms import DEFAULT_LAYOUT, FORMS_DIR, Column, Layout, Text, layout_names, load_layout
from .headers import EXTRA_HEADERS, zh_headers
from .readers import read_candidates, read_experts, read_scores
from .tables import PathLike, read_table
from .templates import TEMPLATE_TITLES, template_columns, write_template, write_templates
from .writer import write_table

__all__ = [
    "DEFAULT_LAYOUT",
    "EXTRA_HEADERS",
    "FORMS_DIR",
    "FORMULA_PREFIXES",
    "SCORE_FIELDS",
    "TEMPLATE_TITLES",
    "Column",
    "Layout",
    "PathLike",
    "Text",
    "layout_names",
    "load_layout",
    "neutralise",
    "read_candidates",
    "read_experts",
    "read_scores",
    "read_table",
    "template_columns",
    "write_table",
    "write_template",
    "write_templates",
    "zh_headers",
]
