"""Tests of scoring.ranking: rank(), the METHODS kernels and the 0.10 defects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.ranking import METHODS, rank

KEYS = ["strength", "market", "risk", "poverty", "demonstration"]
OBJ = {"strength": "max", "market": "max", "risk": "min", "poverty": "max", "demonstration": "max"}
MIN = np.array([False, False, True, False, False])


def _matrix(n: int = 12, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.uniform(40, 95, (n, 5)).round(1)
    return pd.DataFrame(X, columns=KEYS, index=pd.Index([f"P{i:03d}" for i in range(n)],
                                                         name="project_id"))


@pytest.mark.parametrize("name", sorted(METHODS))
def test_score_batch_matches_scikit_criteria_for_each_weight_vector(name: str) -> None:
    """The vectorised kernel equals the scikit-criteria computation, weight vector by vector."""
    rng = np.random.default_rng(7)
    X = rng.uniform(0, 100, (25, 5))
    X[:, 3] = 60.0  # a criterion the whole panel agrees on
    W = rng.dirichlet(np.ones(5), size=40)
    m = METHODS[name]
    batch = m.score_batch(X, W, MIN)
    assert batch.shape == (40, 25)
    assert np.all(np.isfinite(batch))
    for k in range(W.shape[0]):
        single, _ = m.evaluate(X, W[k], MIN)
        np.testing.assert_allclose(batch[k], single, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_rank_score_equals_kernel_score(name: str) -> None:
    df = _matrix()
    weights = {"strength": 3, "market": 2, "risk": 2, "poverty": 1, "demonstration": 2}
    r = rank(df, weights=weights, objectives=OBJ, method=name)
    w = np.array([weights[k] for k in KEYS], dtype=float)
    w /= w.sum()
    kernel = METHODS[name].score_batch(df.to_numpy(), w[None, :], MIN)[0]
    np.testing.assert_allclose(r["score"].to_numpy(), pd.Series(kernel, df.index)[r.index])
