"""One language at a time: the store and the readers write a message as ``中文 / English``
(several such messages may be joined with ``；``); a page shows only the half of its language.

A message without that shape is shown as it is.
"""

from __future__ import annotations

import re

from scoring.errors import split_pair

#: Separators between joined messages (kept, in the page's language).
_JOINS = re.compile(r"(；|;\s+(?=[\u4e00-\u9fff]))")


def _side(piece: str, lang: str) -> str:
    """The ``lang`` half of one ``中文 / English`` message (the whole piece if it is not one)."""
    pair = split_pair(piece)
    if pair is None:
        return piece
    return pair[0] if lang == "zh" else pair[1]


def one_language(text: str, lang: str = "zh") -> str:
    """``text`` with every ``中文 / English`` message reduced to the half of ``lang``.

    Parameters
    ----------
    text : str
        A message as the store or a reader wrote it.
    lang : str
        ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> one_language("评审组已存在 / panel 'P' already exists", "en")
    "panel 'P' already exists"
    >>> one_language("缺少主持人 / no chair；缺少项目 / no candidates", "zh")
    '缺少主持人；缺少项目'
    """
    parts = _JOINS.split(str(text))
    out = []
    for k, piece in enumerate(parts):
        if k % 2:  # a separator
            out.append("；" if lang == "zh" else "; ")
        else:
            out.append(_side(piece, lang))
    return "".join(out)
