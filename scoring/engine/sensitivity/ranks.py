"""Competition ranks of many score vectors at once (the SMAA sampler's ranking step).

Ranks follow :mod:`scoring.engine.ranking.ties` exactly: standard competition ranking ("1224"), two
scores tied when ``|a - b| <= rtol * max(|a|, |b|, 1)``, a tie group anchored on its best score.
See the package docstring of :mod:`scoring.engine.sensitivity` ("Ranks and ties", "Memory and
speed") for the method.
"""

from __future__ import annotations

import numpy as np

#: Relative tie tolerance, the same as :func:`scoring.engine.ranking.ties.competition_rank`.
RTOL = 1e-9


def _anchored_row(keys: np.ndarray, rtol: float) -> np.ndarray:
    """0-based competition rank of each *sorted* position of one row (anchored tie groups)."""
    out = np.empty(keys.size, dtype=np.int64)
    anchor, anchor_pos = keys[0], 0
    for p, x in enumerate(keys):
        if abs(x - anchor) > rtol * max(abs(x), abs(anchor), 1.0):
            anchor, anchor_pos = x, p
        out[p] = anchor_pos
    return out


_SIGN = np.uint64(1 << 63)
#: Largest index width packed into the low bits of a sort key (above it: plain argsort).
_MAX_INDEX_BITS = 20


def _pack(S: np.ndarray, bits: int, descending: bool) -> np.ndarray:
    """Sortable uint64 keys: the score order in the high bits, the column index in the low bits.

    Float64 -> uint64 with the same order: set the sign bit of non-negative numbers, flip every bit
    of negative ones; for a descending order flip every bit of that. The ``bits`` lowest bits (a
    relative change below ``2**(bits - 52)``, far under the tie tolerance) are then replaced by the
    candidate's column, so one plain sort of the keys yields both the order and (up to that
    truncation) the sorted scores — several times faster than ``argsort``, which has no SIMD path.
    """
    u = S.view(np.uint64)
    t = u >> np.uint64(63)  # 1 for negative numbers
    if descending:  # key = ~ordered(x) = u ^ ((sign - 1) & ~SIGN)
        t -= np.uint64(1)
        t &= ~_SIGN
    else:  # key = ordered(x) = u ^ ((0 - sign) | SIGN)
        np.negative(t, out=t)
        t |= _SIGN
    t ^= u
    t &= ~np.uint64((1 << bits) - 1)
    t |= np.arange(S.shape[1], dtype=np.uint64)
    return t


def _unpack(t: np.ndarray, bits: int, descending: bool) -> np.ndarray:
    """Float sort keys (``-score`` when descending), with the ``bits`` low bits cleared."""
    hi = t & ~np.uint64((1 << bits) - 1)
    x = hi >> np.uint64(63)  # 1 where the key is >= 0
    x -= np.uint64(1)  # 0 for non-negative keys, all ones for negative keys
    x |= _SIGN
    hi ^= x
    return hi.view(np.float64)


def _sorted_ranks(
    S: np.ndarray, higher_is_better: bool, rtol: float = RTOL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order and 0-based competition ranks of the rows of ``S`` (s, n) that have ties.

    Returns ``(order, rows, r0)``: ``order[k, p]`` (int64, C-contiguous, owned by the caller) is
    the candidate in place ``p`` (best first) of sample ``k``; in every sample not listed in
    ``rows`` the 0-based rank of place ``p`` is ``p``; for ``rows[i]`` it is ``r0[i, p]``.

    Method: one in-place sort of packed keys (:func:`_pack`) along the candidate axis; a screen on
    sorted neighbours flags the rows that may hold a tie (its slack covers the truncation of the
    packed keys); flagged rows are re-sorted exactly (stable ``argsort`` of the true scores, as
    :func:`scoring.engine.ranking.ties.competition_rank` does) and get anchored tie groups. When every
    score has magnitude >= 1 the screen works on the integer keys directly (a relative tolerance
    is a bounded number of float steps); otherwise on the unpacked float keys.
    """
    S = np.ascontiguousarray(S, dtype=np.float64)
    s, n = S.shape
    bits = max(1, int(n - 1).bit_length())
    no_rows = np.zeros(0, dtype=np.intp)
    if n < 2:
        return np.zeros((s, n), dtype=np.int64), no_rows, np.zeros((0, n), dtype=np.intp)
    key = None
    if bits > _MAX_INDEX_BITS or rtol < 1e-10:  # truncation would not be negligible: plain sort
        key = -S if higher_is_better else S
        order = np.argsort(key, axis=1, kind="stable").astype(np.int64, copy=False)
        sk = np.take_along_axis(key, order, axis=1)
        flagged = np.diff(sk, axis=1).min(axis=1) <= rtol * np.maximum(
            np.maximum(np.abs(sk[:, 0]), np.abs(sk[:, -1])), 1.0
        )
    else:
        t = _pack(S, bits, higher_is_better)
        t.sort(axis=1)
        lo, hi = float(S.min()), float(S.max())
        if lo >= 1.0 or hi <= -1.0:
            # |x| >= 1 everywhere and one sign: |a - b| <= rtol * max(|a|, |b|) spans at most
            # rtol * 2**53 * (1 + rtol) float steps; the packed index adds < 2**bits.
            steps = np.uint64(int(rtol * 2.0**53 * 1.001) + (2 << bits))
            flagged = np.diff(t, axis=1).min(axis=1) <= steps
        else:
            sk = _unpack(t, bits, higher_is_better)
            slack = 2.0 ** (bits - 50)  # > twice the relative truncation of a packed key
            flagged = np.diff(sk, axis=1).min(axis=1) <= (rtol + slack) * np.maximum(
                np.maximum(np.abs(sk[:, 0]), np.abs(sk[:, -1])), 1.0
            )
        t &= np.uint64((1 << bits) - 1)
        order = t.view(np.int64)
    rows = np.nonzero(flagged)[0]
    if rows.size == 0:
        return order, no_rows, np.zeros((0, n), dtype=np.intp)
    key_rows = -S[rows] if higher_is_better else S[rows]
    exact = np.argsort(key_rows, axis=1, kind="stable")
    order[rows] = exact
    x = np.take_along_axis(key_rows, exact, axis=1)
    g = np.diff(x, axis=1)
    tied = g <= rtol * np.maximum(np.maximum(np.abs(x[:, 1:]), np.abs(x[:, :-1])), 1.0)
    pos = np.arange(n)
    start = np.where(np.concatenate([np.zeros((rows.size, 1), bool), tied], axis=1), 0, pos)
    start = np.maximum.accumulate(start, axis=1)
    # The anchored rule joins place p to the group before it iff x[p] is within tolerance of that
    # group's anchor; where this differs from the adjacent test for some p (a chain of near-ties
    # drifting away from its anchor), recompute that row with the anchored rule itself.
    prev_anchor = np.take_along_axis(x, start[:, :-1], axis=1)
    rest = x[:, 1:]
    joins = np.abs(rest - prev_anchor) <= rtol * np.maximum(
        np.maximum(np.abs(rest), np.abs(prev_anchor)), 1.0
    )
    for i in np.nonzero((joins != tied).any(axis=1))[0]:
        start[i] = _anchored_row(x[i], rtol)
    return order, rows, start


def batch_competition_ranks(
    S: np.ndarray, *, higher_is_better: bool, rtol: float = RTOL
) -> np.ndarray:
    """Competition ranks ("1224", 1 = best) of every row of ``S`` (s, n), vectorised.

    Same rule as :func:`scoring.engine.ranking.ties.competition_rank` applied to each row.

    Raises
    ------
    ValueError
        When a value is not finite.
    """
    S = np.atleast_2d(np.asarray(S, dtype=float))
    if not np.isfinite(S).all():
        raise ValueError("batch_competition_ranks needs finite values")
    order, rows, r0 = _sorted_ranks(S, higher_is_better, rtol)
    rank_at_pos = np.broadcast_to(np.arange(S.shape[1]), S.shape).copy()
    rank_at_pos[rows] = r0
    ranks = np.empty(S.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, rank_at_pos + 1, axis=1)
    return ranks
