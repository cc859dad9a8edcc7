"""PDF reports: the panel report with signed score sheets, and the 附件5 catalogue.

Builders are pure functions of plain data (:class:`ReportData`, a catalogue DataFrame) that
return PDF bytes; :mod:`scoring.reports.assemble` gathers that data from the demo files or the
store; :mod:`scoring.reports.cli` adds the command-line exports.
"""

from __future__ import annotations

from .catalogue_pdf import build_catalogue_pdf, write_catalogue_pdf
from .data import ExpertSheet, ReportData, config_hash
from .panel_report import build_panel_report, write_panel_report

__all__ = [
    "ExpertSheet",
    "ReportData",
    "build_catalogue_pdf",
    "build_panel_report",
    "config_hash",
    "write_catalogue_pdf",
    "write_panel_report",
]
