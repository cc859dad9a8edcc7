"""Deterministic tie rule for every ranking method.

Rule (documented once, used everywhere)
---------------------------------------
* Scores are compared after sorting best first (descending when higher is better, ascending
  otherwise).
* Two scores ``a`` and ``b`` are **tied** when ``|a - b| <= rtol * max(|a|, |b|, 1)`` — a relative
  tolerance for large figures that becomes an absolute one of ``rtol`` below 1, so that round-off
  (``0.30000000000000004`` against ``0.3``) never separates candidates the method scores alike.
  A tie group is anchored on its best score (its first member in sorted order): a later score joins
  the group only if it is within tolerance of that anchor, so groups never drift by chaining.
* Tied candidates share the **best** rank of their group and the next group skips the used places:
  standard competition ranking, "1224" (four candidates, two tied for second: 1, 2, 2, 4).
* Display order among tied candidates is by ``project_id`` (the index), ascending; this is the order
  in which :func:`scoring.engine.ranking.rank` returns them. The rank number itself does not depend on the
  order of the rows.

评分并列规则：分数在容差内相等即视为并列，并列者共享最好名次（竞争排名 "1224"），
并列者按项目编号升序显示。
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["competition_rank", "sort_order"]


def competition_rank(
    values: Sequence[float] | np.ndarray, *, higher_is_better: bool, rtol: float = 1e-9
) -> np.ndarray:
    """Standard competition ranks ("1224") with a tolerance for ties.

    Parameters
    ----------
    values : sequence of float
        One finite score per candidate.
    higher_is_better : bool
        ``True`` when the largest score is the best (rank 1).
    rtol : float
        Tie tolerance: ``|a - b| <= rtol * max(|a|, |b|, 1)``.

    Returns
    -------
    ndarray of int
        Rank of each value in input order, 1 = best.

    Raises
    ------
    ValueError
        When a value is not finite (a ranking must never be computed from NaN).
    """
    v = np.asarray(values, dtype=float).ravel()
    if v.size == 0:
        return np.zeros(0, dtype=int)
    if not np.all(np.isfinite(v)):
        raise ValueError("competition_rank needs finite values")
    key = -v if higher_is_better else v
    order = np.argsort(key, kind="stable")
    ranks = np.empty(v.size, dtype=int)
    anchor = key[order[0]]
    anchor_rank = 1
    for pos, i in enumerate(order):
        x = key[i]
        if abs(x - anchor) > rtol * max(abs(x), abs(anchor), 1.0):
            anchor = x
            anchor_rank = pos + 1
        ranks[i] = anchor_rank
    return ranks


def sort_order(ranks: Sequence[int], labels: Sequence[object]) -> list[int]:
    """Positions that order candidates by rank, then by label (``project_id``) ascending."""
    items = list(range(len(ranks)))
    try:
        return sorted(items, key=lambda i: (ranks[i], labels[i]))
    except TypeError:  # mixed label types: compare their text
        return sorted(items, key=lambda i: (ranks[i], str(labels[i])))
