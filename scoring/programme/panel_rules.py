"""What makes a panel well formed: a name, a real date, and — before it opens for scoring — a
chair, at least :data:`MIN_MEMBERS` experts and at least one candidate.

A panel is built in steps (created, members and candidates edited, its configuration frozen),
so the store checks the name and the date whenever they are written and the rest when the panel
opens: nobody scores in a panel of two experts or without a chair.
"""

from __future__ import annotations

import re
from datetime import date

#: Fewest experts a panel opens with (a trimmed mean drops two of them).
MIN_MEMBERS = 3
#: Longest panel name.
MAX_NAME = 200

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def clean_name(name: object) -> str:
    """The panel's name, stripped; ``ValueError`` (bilingual) when empty or too long."""
    text = " ".join(str(name or "").split())
    if not text:
        raise ValueError("评审组名称不能为空 / the panel needs a name")
    if len(text) > MAX_NAME:
        raise ValueError(
            f"评审组名称过长（最多 {MAX_NAME} 字）/ panel name over {MAX_NAME} characters"
        )
    return text


def clean_date(value: object) -> str | None:
    """A panel date as ``YYYY-MM-DD`` (``None`` when blank).

    Accepts ``2026-03-20``, ``2026/3/20``, ``2026.3.20`` and ``2026年3月20日``; anything else, or
    a day that does not exist, is a ``ValueError`` naming the text.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date):
        return value.isoformat()
    m = _DATE.match(str(value))
    try:
        if m is None:
            raise ValueError(value)
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        raise ValueError(
            f"评审日期无效：{value!r}（应为 年-月-日，如 2026-03-20）/ "
            f"invalid panel date {value!r} (use year-month-day, e.g. 2026-03-20)"
        ) from None


def opening_problems(members: int, candidates: int, has_chair: bool) -> list[str]:
    """Why a panel may not open yet (empty when it may), each bilingual."""
    out = []
    if not has_chair:
        out.append("评审组没有主持人 / the panel has no chair")
    if members < MIN_MEMBERS:
        out.append(
            f"评审组至少需要 {MIN_MEMBERS} 名专家（现有 {members} 名）/ "
            f"a panel needs at least {MIN_MEMBERS} experts (it has {members})"
        )
    if candidates < 1:
        out.append("评审组没有项目 / the panel has no candidates")
    return out
