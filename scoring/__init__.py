"""评审答辩工作台 — scoring core for the competitive defense of key supply-chain projects.

The core is pure (pandas/numpy/scikit-criteria; no widgets, no database). Public names are
imported lazily so that ``import scoring`` stays cheap for the dashboards' kernels.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # criteria and validation
    "CRITERIA_KEYS": "scoring.engine.criteria",
    "CriteriaSet": "scoring.engine.criteria",
    "Criterion": "scoring.engine.criteria",
    "load_criteria": "scoring.engine.criteria",
    "default_criteria": "scoring.engine.criteria",
    "validate_weights": "scoring.engine.criteria",
    "InputError": "scoring.errors",
    "Problem": "scoring.errors",
    "validate_scores": "scoring.engine.validation",
    # aggregation and panel statistics
    "aggregate": "scoring.engine.aggregation",
    "expert_deviation": "scoring.engine.panel",
    "kendall_w": "scoring.engine.panel",
    "panel_agreement": "scoring.engine.panel",
    "icc": "scoring.engine.panel",
    "score_outliers": "scoring.engine.panel",
    # ranking and weighting
    "rank": "scoring.engine.ranking",
    "METHODS": "scoring.engine.ranking",
    "entropy_weights": "scoring.engine.weighting",
    "critic_weights": "scoring.engine.weighting",
    # robustness
    "sensitivity": "scoring.engine.sensitivity",
    "SensitivityResult": "scoring.engine.sensitivity",
    "compare_rankings": "scoring.engine.comparison",
    "ws_coefficient": "scoring.engine.comparison",
    "compare_methods": "scoring.engine.comparison",
    "compare_weight_sets": "scoring.engine.comparison",
    # shortlist, catalogue, bank portfolios
    "shortlist": "scoring.programme.shortlist",
    "catalogue": "scoring.programme.catalogue",
    "BankPortfolio": "scoring.programme.portfolio",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scoring' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
