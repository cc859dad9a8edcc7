"""Panel names as printed: a name never carries a stale status.

A panel's name is fixed at set-up while its status changes (draft, open, closed). Organizers
(and the demo) sometimes write the status into the name ("第二组（进行中）"); every page, export
and report prints :func:`panel_base_name` and, where a status is wanted, the store's current one.
"""

from __future__ import annotations

import re

#: Status words a panel's name may carry from set-up (e.g. the demo's "第二组（进行中）").
STATUS_WORDS: frozenset[str] = frozenset(
    {
        "draft",
        "open",
        "closed",
        "未开始",
        "草稿",
        "筹备中",
        "评审中",
        "进行中",
        "已开始",
        "已结束",
        "已关闭",
        "结束",
    }
)
_STATUS_SUFFIX = re.compile(r"\s*[（(]\s*([^（）()]*?)\s*[）)]\s*$")


def panel_base_name(name: object) -> str:
    """A panel's name without trailing status words in brackets.

    Parameters
    ----------
    name : object
        The stored name (``None`` reads as empty).

    Returns
    -------
    str
        ``"第二组（进行中）"`` -> ``"第二组"``; other brackets stay (``"第（二）组"``) and a name
        that is only a status word is kept whole (never an empty name).
    """
    text = str(name or "").strip()
    while True:
        m = _STATUS_SUFFIX.search(text)
        if m is None or m.group(1).lower() not in STATUS_WORDS or m.start() == 0:
            return text
        text = text[: m.start()].rstrip()
