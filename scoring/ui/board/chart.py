"""The board's robustness chart: each candidate's probability of making the cut line."""

from __future__ import annotations

import io
from typing import Any


def p_cut_png(p_cut: Any, cut: int, lang: str = "zh") -> bytes:
    """Bar chart of each candidate's probability of making the cut line (PNG bytes)."""
    from matplotlib.figure import Figure

    from scoring.fonts import setup_matplotlib

    setup_matplotlib()
    s = p_cut.sort_values(ascending=True)
    fig = Figure(figsize=(6.4, max(2.0, 0.32 * len(s) + 0.8)), dpi=90)
    ax = fig.add_subplot()
    ax.barh([str(i) for i in s.index], s.values, color="#1565c0")
    ax.set_xlim(0, 1)
    ax.axvline(0.5, color="#999", lw=0.8, ls="--")
    title = f"进入前 {cut} 名的概率" if lang == "zh" else f"Probability of making the top {cut}"
    ax.set_title(title)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
