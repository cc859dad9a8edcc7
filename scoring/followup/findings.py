"""Findings of the ledger checks: an error (blocks submission) or a warning, in Chinese and English.

A finding names the field at fault as a dotted path into the ledger content
(``blocks.0.rows.2.loan``, ``indicators.revenue.value``, ``contact``: 0-based, as in the JSON)
and, for the people reading it, the 1-based block and row (``第2块第3行 贷款类：…``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

#: The levels of a finding.
LEVELS = ("error", "warning")


@dataclass(frozen=True)
class Finding:
    """One problem of a ledger.

    Attributes
    ----------
    level : {"error", "warning"}
        An error blocks submission; a warning is shown and submission goes on.
    field : str
        Dotted path of the field in the content (0-based indices), ``""`` for the whole ledger.
    zh, en : str
        The message in Chinese and in English, without the location.
    block, row : int or None
        The 1-based block and row, when the finding is about one.
    """

    level: str
    field: str
    zh: str
    en: str
    block: int | None = None
    row: int | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {self.level!r}")

    @property
    def is_error(self) -> bool:
        """Whether the finding blocks submission."""
        return self.level == "error"

    def where(self, lang: str = "zh") -> str:
        """The location for people: ``第2块第3行`` / ``block 2, row 3`` (empty when none)."""
        if lang == "zh":
            return (f"第{self.block}块" if self.block else "") + (
                f"第{self.row}行" if self.row else ""
            )
        parts = ([f"block {self.block}"] if self.block else []) + (
            [f"row {self.row}"] if self.row else []
        )
        return ", ".join(parts)

    def text(self, lang: str = "zh") -> str:
        """The message with its location: ``第2块第3行 贷款类：不能为负数``."""
        where = self.where(lang)
        message = self.zh if lang == "zh" else self.en
        if not where:
            return message
        return f"{where} {message}" if lang == "zh" else f"{where}: {message}"

    def as_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready dict (see :func:`from_dict`)."""
        return asdict(self)


def error(
    field: str, zh: str, en: str, block: int | None = None, row: int | None = None
) -> Finding:
    """An error finding."""
    return Finding("error", field, zh, en, block, row)


def warning(
    field: str, zh: str, en: str, block: int | None = None, row: int | None = None
) -> Finding:
    """A warning finding."""
    return Finding("warning", field, zh, en, block, row)


def from_dict(data: Mapping[str, Any]) -> Finding:
    """A finding from :meth:`Finding.as_dict` (e.g. stored as JSON)."""
    return Finding(
        str(data["level"]),
        str(data.get("field", "")),
        str(data.get("zh", "")),
        str(data.get("en", "")),
        data.get("block"),
        data.get("row"),
    )


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """The errors among ``findings``."""
    return [f for f in findings if f.is_error]


def warnings(findings: Iterable[Finding]) -> list[Finding]:
    """The warnings among ``findings``."""
    return [f for f in findings if not f.is_error]


def has_errors(findings: Iterable[Finding]) -> bool:
    """Whether any finding is an error."""
    return any(f.is_error for f in findings)
