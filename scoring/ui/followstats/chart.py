"""The province page's chart: reporting and on-time rates by city (matplotlib, CJK font)."""

from __future__ import annotations

from typing import Any


def rates_png(by_city: Any, *, title: str, labels: tuple[str, str]) -> bytes:
    """Grouped bars of ``reporting_rate`` and ``on_time_rate`` (0..1, shown as %) per city."""
    import numpy as np
    from matplotlib.figure import Figure

    from scoring.fonts import setup_matplotlib
    from scoring.reports.charts import fig_png

    setup_matplotlib()
    df = by_city
    x = np.arange(len(df))
    rep = (df["reporting_rate"].astype(float) * 100).fillna(0).to_numpy()
    ont = (df["on_time_rate"].astype(float) * 100).fillna(0).to_numpy()
    fig = Figure(figsize=(8.4, 3.2), dpi=90)
    ax = fig.add_subplot()
    ax.bar(x - 0.2, rep, width=0.4, label=labels[0], color="#1976d2")
    ax.bar(x + 0.2, ont, width=0.4, label=labels[1], color="#43a047")
    ax.set_xticks(x)
    ax.set_xticklabels([str(c) for c in df["city"]], fontsize=9)
    ax.set_ylim(0, 105)
    ax.set_ylabel("%")
    ax.set_title(title, fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig_png(fig, dpi=90)
