"""Error types that carry every problem found in an input at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One problem in an input, located as precisely as the input allows.

    Parameters
    ----------
    message : str
        What is wrong, in plain words.
    row : int or str, optional
        Where it is: for a file, the spreadsheet row number (the header is row 1, the first data
        row is row 2); for a DataFrame, the index label.
    column : str, optional
        The column (or field) at fault.
    file : str, optional
        The file name, when the input came from a file.
    """

    message: str
    row: Any = None
    column: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return (", ".join(where) + ": " if where else "") + self.message


class InputError(ValueError):
    """Bad input: a ``ValueError`` that lists every problem found, not only the first.

    The string form is a single line (for the command line); ``problems`` keeps them apart
    (for a validation report in the UI).
    """

    def __init__(self, problems: Iterable[Problem | str], *, file: str | None = None) -> None:
        items: list[Problem] = []
        for p in problems:
            if isinstance(p, str):
                p = Problem(p)
            if file is not None and p.file is None:
                p = Problem(p.message, p.row, p.column, file)
            items.append(p)
        if not items:
            raise ValueError("InputError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(items)
        super().__init__(self._summary())

    def _summary(self, limit: int = 20) -> str:
        shown = "; ".join(str(p) for p in self.problems[:limit])
        more = len(self.problems) - limit
        n = len(self.problems)
        head = f"{n} problem{'s' if n > 1 else ''}: "
        return head + shown + (f"; … and {more} more" if more > 0 else "")

    def with_file(self, file: str) -> InputError:
        """Return the same error with ``file`` set on every problem that has none."""
        return InputError(self.problems, file=file)


def raise_if(problems: Sequence[Problem], *, file: str | None = None) -> None:
    """Raise :class:`InputError` when ``problems`` is not empty."""
    if problems:
        raise InputError(problems, file=file)
