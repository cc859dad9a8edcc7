"""CJK font discovery and explicit registration with matplotlib.

Setting ``rcParams["font.sans-serif"]`` alone fails when matplotlib's font cache predates the font
(installed later by ``.ci/system-deps``), so the font file is added to the font manager explicitly.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

#: Where Debian's fonts-noto-cjk puts its files, most preferred first; ``$SCORING_CJK_FONT`` wins.
CANDIDATE_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


class FontNotFoundError(RuntimeError):
    """No CJK font is installed: run ``.ci/system-deps --fonts-only`` (apt-get fonts-noto-cjk)."""


def find_cjk_font() -> Path:
    """Path of an installed CJK font file.

    Raises
    ------
    FontNotFoundError
        When none is installed; the message says how to install one.
    """
    env = os.environ.get("SCORING_CJK_FONT")
    for p in ([env] if env else []) + list(CANDIDATE_PATHS):
        if p and Path(p).is_file():
            return Path(p)
    raise FontNotFoundError(
        "no CJK font found (looked for " + ", ".join(CANDIDATE_PATHS) + "); "
        "install one with `.ci/system-deps --fonts-only` or set SCORING_CJK_FONT"
    )


@cache
def setup_matplotlib() -> str:
    """Register the CJK font with matplotlib and make it the default sans-serif family.

    Returns
    -------
    str
        The family name registered (e.g. ``"Noto Sans CJK JP"``).
    """
    import matplotlib
    from matplotlib import font_manager

    path = find_cjk_font()
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family
