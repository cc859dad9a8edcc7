"""A panel configuration as the pages show it: the criteria set, each weight as a percentage,
the aggregation, the ranking method, the tie rule and the cut line — before freezing (the
console asks for a confirmation on it) and after (the board and the bank page show what was
frozen, not only its hash)."""

from __future__ import annotations

from typing import Any

from .i18n import t
from .markup import esc


def config_rows(cfg: Any, lang: str = "zh") -> list[tuple[str, str]]:
    """``(label, value)`` rows describing ``cfg`` (a :class:`~scoring.store.PanelConfig`).

    Parameters
    ----------
    cfg : PanelConfig
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    list of (str, str)
        Criteria set; one row per criterion (weight in %, ↓ where lower is better); aggregation;
        method; tie rule; cut line.
    """
    cs = cfg.criteria_set
    rows = [(t("config.criteria_set", lang), cs.title(lang))]
    total = sum(cfg.weights.values()) or 1.0
    for c in cs:
        arrow = " ↓" if c.objective == "min" else ""
        rows.append((c.name(lang) + arrow, f"{cfg.weights[c.key] / total:.1%}"))
    rows.append((t("config.aggregation", lang), t("aggregation." + cfg.aggregation, lang)))
    rows.append((t("config.method", lang), t("method." + cfg.ranking_method, lang)))
    rows.append((t("config.tie_rule", lang), t("tie." + cfg.tie_rule, lang)))
    if cfg.cut_size:
        cut = t("config.cut_size", lang, n=cfg.cut_size)
    elif cfg.cut_min_score is not None:
        cut = t("config.cut_score", lang, score=f"{cfg.cut_min_score:g}")
    else:
        cut = t("config.cut_unset", lang)
    rows.append((t("config.cut", lang), cut))
    return rows


def config_html(cfg: Any, lang: str = "zh", *, css: str = "scoring-config") -> str:
    """:func:`config_rows` as a small two-column table."""
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:12px'>{esc(k)}</th><td>{esc(v)}</td></tr>"
        for k, v in config_rows(cfg, lang)
    )
    return f"<table class='{css}' style='font-size:13px'>{body}</table>"
