"""The bank page's radar chart of the compared candidates' panel scores."""

from __future__ import annotations

import io
import textwrap
from typing import Any


def radar_png(
    comparison: Any,
    keys: list[str],
    names: dict[str, str],
    title: str,
    *,
    minimised: frozenset[str] | set[str] = frozenset(),
    scale: tuple[float, float] = (0.0, 100.0),
) -> bytes:
    """Radar chart of the panel scores of the compared candidates (PNG bytes).

    Outer is better on every axis: a criterion where lower is better (``minimised``, e.g. 项目风险)
    is drawn reversed on the scale (``lo + hi - x``) and its label (in ``names``) should say so.
    """
    import numpy as np
    from matplotlib.figure import Figure

    from scoring.fonts import setup_matplotlib

    setup_matplotlib()
    angles = np.linspace(0, 2 * np.pi, len(keys), endpoint=False).tolist()
    fig = Figure(figsize=(4.8, 4.8), dpi=90)
    ax = fig.add_subplot(projection="polar")
    for pid, row in comparison.iterrows():
        lo, hi = scale
        vals = [lo + hi - float(row[k]) if k in minimised else float(row[k]) for k in keys]
        ax.plot([*angles, angles[0]], [*vals, vals[0]], label=str(pid))
        ax.fill([*angles, angles[0]], [*vals, vals[0]], alpha=0.08)
    ax.set_xticks(angles)
    # English names are long ("Demonstration and leadership"): wrapped, they stay inside the
    # figure; the radial figures sit between the first two axes, clear of the names
    ax.set_xticklabels([textwrap.fill(str(names.get(k, k)), 14) for k in keys], fontsize=8.5)
    ax.tick_params(axis="x", pad=6)
    ax.set_rlabel_position(180.0 / max(len(keys), 1))
    ax.tick_params(axis="y", labelsize=7.5, labelcolor="#666")
    ax.set_ylim(*scale)
    ax.set_title(title, fontsize=10, pad=14)
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncol=min(len(comparison), 6),
        fontsize=8,
        frameon=False,
    )
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
