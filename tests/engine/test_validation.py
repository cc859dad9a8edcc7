"""Long score table and wide matrix validation: every problem, named by row and column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.engine.validation import validate_matrix, validate_scores
from scoring.errors import InputError


def _scores(rows, index=None):
    return pd.DataFrame(
        rows, columns=["project_id", "expert_id", "criterion", "score"], index=index
    )


def test_clean_table_is_returned_typed():
    df = _scores([("P1", "E1", "strength", "80"), ("P1", "E2", "strength", 75.5)])
    out = validate_scores(df)
    assert out["score"].tolist() == [80.0, 75.5]
    assert out["score"].dtype == float


def test_all_problems_named_at_once():
    df = _scores(
        [
            ("P1", "E1", "strength", 80),
            ("P1", "E1", "strength", 81),  # duplicate key
            ("P9", "E1", "market", 70),  # unknown project
            ("P1", "E1", "speed", 70),  # unknown criterion
            ("P1", "E2", "risk", np.nan),  # NaN
            ("P1", "E3", "risk", "high"),  # non-numeric
            ("P1", "E4", "risk", 120),  # outside scale
            ("", "E4", "market", 50),  # empty id
        ],
        index=range(2, 10),
    )
    with pytest.raises(InputError) as err:
        validate_scores(df, projects=["P1"])
    got = {(p.row, p.column) for p in err.value.problems}
    assert got == {
        (2, "project_id/expert_id/criterion"),
        (4, "project_id"),
        (5, "criterion"),
        (6, "score"),
        (7, "score"),
        (8, "score"),
        (9, "project_id"),
    }
    assert "rows 2, 3" in str(err.value)


def test_missing_columns():
    with pytest.raises(InputError) as err:
        validate_scores(pd.DataFrame({"project_id": ["P1"], "score": [1]}))
    assert {p.column for p in err.value.problems} == {"expert_id", "criterion"}


def test_matrix_non_finite_cells_named():
    m = pd.DataFrame({"a": [1.0, np.inf], "b": ["x", 2]}, index=["P1", "P2"])
    with pytest.raises(InputError) as err:
        validate_matrix(m, criteria=["a", "b"])
    assert {(p.row, p.column) for p in err.value.problems} == {("P2", "a"), ("P1", "b")}


def test_matrix_unknown_and_missing_criteria():
    m = pd.DataFrame({"a": [1.0], "z": [2.0]}, index=["P1"])
    with pytest.raises(InputError) as err:
        validate_matrix(m, criteria=["a", "b"])
    assert {p.column for p in err.value.problems} == {"b", "z"}
