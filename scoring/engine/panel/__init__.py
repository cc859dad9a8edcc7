"""Panel statistics beside the aggregate: expert deviation, Kendall's W and the ICC.

All functions take the long score table (``project_id, expert_id, criterion, score``; a recused
score is absent) and validate it with :func:`scoring.engine.validation.validate_scores`.

Rules chosen here (documented once, used everywhere in this module)
------------------------------------------------------------------
Deviation
    A score's deviation is ``x - mean of the OTHER experts' scores`` on the same project and
    criterion (leave-one-out; undefined, hence left out, when nobody else scored it).
Expert outlier flag (:func:`expert_deviation`)
    Per criterion, the experts' mean deviations are compared with a robust centre and spread:
    ``robust_z = (mean_dev - median) / max(1.4826 * MAD, min_sd)``; an expert is flagged when
    ``|robust_z| > threshold`` (default 2). The floor ``min_sd`` (default 1 % of the scale's
    span: 1 point on 0–100) keeps a panel that agrees almost perfectly from flagging sub-point
    differences.
Score outliers (:func:`score_outliers`)
    A single score is listed for the chair when it is more than ``points`` (default 20 % of the
    scale's span: 20 points on 0–100, 2 on 0–10) away from the mean of the other experts on that
    project and criterion.
Incomplete data (Kendall's W, ICC)
    Raters of a criterion are the experts who scored it at all; only projects rated by all of
    them are used (complete cases). The projects left out (e.g. for a recusal) are counted in
    ``n_excluded``.
Overall
    Each expert's weighted total on a project: ``sum_c w_c * u_c`` with ``u_c = x`` for a
    maximised criterion and ``u_c = lo + hi - x`` (reflected on the scale) for a minimised one
    (``risk``), so that higher is always better. Weights and objectives are those of the
    criteria set (by default :func:`~scoring.engine.criteria.default_criteria`) unless given. A total exists only when the expert scored every
    criterion of that project; then the complete-case rule applies.
ICC for the panel mean
    The panel's figure is the mean of ``k`` experts, experts being a sample of possible
    experts and their leniency mattering (recusals change who scores whom), so the reported
    panel reliability is the two-way random, absolute-agreement, average-measures ICC:
    McGraw & Wong ``ICC(A,k)`` = Shrout & Fleiss ``ICC(2,k)`` (``ICC2k``). All six forms are
    returned by :func:`icc`; the panel one has ``panel=True``.

A statistic that is undefined (fewer than 2 raters or too few complete projects, or no
variation at all) is NaN, never an exception.
"""

from __future__ import annotations

from .agreement import (
    ICC_FORMS,
    PANEL_ICC,
    Concordance,
    icc,
    icc_matrix,
    kendall_w,
    kendall_w_matrix,
    panel_agreement,
)
from .deviation import expert_deviation, score_outliers
from .raters import OVERALL

__all__ = [
    "ICC_FORMS",
    "OVERALL",
    "PANEL_ICC",
    "Concordance",
    "expert_deviation",
    "icc",
    "icc_matrix",
    "kendall_w",
    "kendall_w_matrix",
    "panel_agreement",
    "score_outliers",
]
