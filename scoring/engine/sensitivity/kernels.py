"""What the SMAA sampler needs from a ranking method: a vectorised score kernel, looked up by name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from ...errors import InputError, Problem


@runtime_checkable
class ScoreKernel(Protocol):
    """What :func:`sensitivity` needs from a ranking method (``scoring.engine.ranking.METHODS[name]``).

    ``score_batch(X (n, m), W (s, m), minimise (m,) bool) -> (s, n)`` scores every candidate under
    every weight vector; ``higher_is_better`` tells the direction of the score.
    """

    higher_is_better: bool

    def score_batch(self, X: np.ndarray, W: np.ndarray, minimise: np.ndarray) -> np.ndarray: ...


def resolve_method(
    method: str | ScoreKernel, scale: Sequence[float] | None = None
) -> tuple[str, ScoreKernel]:
    """Look up a method name in ``scoring.engine.ranking.METHODS``, or accept a kernel object.

    Parameters
    ----------
    method : str or ScoreKernel
        A registry name or a kernel object (used as it is).
    scale : (float, float), optional
        The criteria set's scoring scale, given to a named method that inverts minimised criteria
        on the scale (``weighted_sum``, ``weighted_product``); default their ``(0, 100)``.

    Returns
    -------
    (name, kernel)

    Raises
    ------
    InputError
        Unknown method name (the known ones are listed), or an object that is not a kernel.
    """
    if isinstance(method, str):
        try:
            from ..ranking import METHODS, with_scale
        except ImportError as exc:  # the registry is part of the package; say so plainly
            raise InputError(
                [
                    Problem(
                        f"ranking methods are unavailable ({exc}); cannot use method '{method}'",
                        column="method",
                    )
                ]
            ) from exc
        if method not in METHODS:
            raise InputError(
                [
                    Problem(
                        f"unknown method '{method}' (known: {', '.join(sorted(METHODS))})",
                        column="method",
                    )
                ]
            )
        return method, with_scale(METHODS[method], scale)
    if hasattr(method, "score_batch") and hasattr(method, "higher_is_better"):
        name = getattr(method, "name", None) or type(method).__name__
        return str(name), method
    raise InputError(
        [
            Problem(
                f"method must be a name or a kernel with score_batch, got {type(method).__name__}",
                column="method",
            )
        ]
    )


def score_checked(
    kernel: ScoreKernel, X: np.ndarray, W: np.ndarray, minimise: np.ndarray, name: str
) -> np.ndarray:
    S = np.asarray(kernel.score_batch(X, W, minimise), dtype=float)
    if S.shape != (W.shape[0], X.shape[0]):
        raise ValueError(
            f"method '{name}' returned scores of shape {S.shape}, "
            f"expected {(W.shape[0], X.shape[0])}"
        )
    if not np.isfinite(S).all():
        raise ValueError(f"method '{name}' returned non-finite scores")
    return S
