"""Error types that carry every problem found in an input at once.

A problem's message may be written in both languages, ``"中文 / English"`` (the convention of the
store's refusals); its location is then written in both too, the column named by the label the
user sees (:attr:`Problem.label`), so that a page shows one language only
(:func:`scoring.ui.one_language.one_language`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
#: The separator of a pair: `` / `` (or ``/ `` after a closing bracket of the Chinese half).
_PAIR = re.compile(r"\s/\s|(?<=[）」』”])/\s")
#: An English half may start with a count ("3 problems: …"), not with a bare number ("80 / 100").
_COUNTED = re.compile(r"\d+\s+[A-Za-z]")


def split_pair(message: str) -> tuple[str, str] | None:
    """``(中文, English)`` of a ``"中文 / English"`` message; None when it is not one.

    Examples
    --------
    >>> split_pair("分数缺失 / score is missing")
    ('分数缺失', 'score is missing')
    >>> split_pair("评分 80 / 100") is None
    True
    """
    for m in _PAIR.finditer(message):
        left, right = message[: m.start()], message[m.end() :]
        first = right[:1]
        english = first.isascii() and (first.isalpha() or first in "'\"(")
        if _CJK.search(left) and (english or _COUNTED.match(right)):
            return left.strip(), right.strip()
    return None


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
    label : (str, str), optional
        The column as the user sees it, ``(中文, English)`` (a criterion's names, a field's
        header); the location of a bilingual message names it instead of ``column``.
    """

    message: str
    row: Any = None
    column: str | None = None
    file: str | None = None
    label: tuple[str, str] | None = None

    def where(self, lang: str = "en") -> str:
        """Where the problem is, in ``lang`` (``"zh"`` or ``"en"``); empty when unlocated."""
        where = []
        if lang == "zh":
            if self.file:
                where.append(f"文件 {self.file}")
            if self.row is not None:
                row = self.row
                counted = isinstance(row, Integral) and not isinstance(row, bool)
                where.append(f"第 {row} 行" if counted else f"行「{row}」")
            if self.column is not None:
                where.append(f"「{self.label[0] if self.label else self.column}」")
            return "，".join(where)
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            name = self.label[1] if self.label and self.is_bilingual else self.column
            where.append(f"column '{name}'")
        return ", ".join(where)

    @property
    def is_bilingual(self) -> bool:
        """True when the message is written ``"中文 / English"``."""
        return split_pair(self.message) is not None

    def text(self, lang: str = "en") -> str:
        """The problem in ``lang`` only (the whole message when it is not bilingual)."""
        pair = split_pair(self.message)
        message = self.message if pair is None else pair[lang != "zh"]
        where = self.where(lang if pair is not None else "en")
        sep = "：" if lang == "zh" and pair is not None else ": "
        return (where + sep if where else "") + message

    def __str__(self) -> str:
        if not self.is_bilingual:
            return self.text("en")
        return f"{self.text('zh')} / {self.text('en')}"


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
                p = Problem(p.message, p.row, p.column, file, p.label)
            items.append(p)
        if not items:
            raise ValueError("InputError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(items)
        super().__init__(self._summary())

    def _summary(self, limit: int = 20) -> str:
        """One line: ``3 problems: …; …``; when the problems are bilingual, each one
        ``中文 / English`` joined by ``；`` (``共 3 个问题：… / 3 problems: …；…``)."""
        shown = self.problems[:limit]
        more = len(self.problems) - limit
        n = len(self.problems)
        head = f"{n} problem{'s' if n > 1 else ''}: "
        if not any(p.is_bilingual for p in shown):
            text = "; ".join(str(p) for p in shown)
            return head + text + (f"; … and {more} more" if more > 0 else "")
        pieces = [str(p) for p in shown]
        first = shown[0]
        if first.is_bilingual:
            pieces[0] = f"共 {n} 个问题：{first.text('zh')} / {head}{first.text('en')}"
        else:
            pieces[0] = head + pieces[0]
        if more > 0:
            pieces.append(f"另有 {more} 个问题 / … and {more} more")
        return "；".join(pieces)

    def with_file(self, file: str) -> InputError:
        """Return the same error with ``file`` set on every problem that has none."""
        return InputError(self.problems, file=file)


def raise_if(problems: Sequence[Problem], *, file: str | None = None) -> None:
    """Raise :class:`InputError` when ``problems`` is not empty."""
    if problems:
        raise InputError(problems, file=file)
