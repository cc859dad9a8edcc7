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
    "CRITERIA_KEYS": "scoring.criteria",
    "CriteriaSet": "scoring.criteria",
    "Criterion": "scoring.criteria",
    "load_criteria": "scoring.criteria",
    "default_criteria": "scoring.criteria",
    "validate_weights": "scoring.criteria",
    "InputError": "scoring.errors",
    "Problem": "scoring.errors",
    "validate_scores": "scoring.validation",
    # aggregation and panel statistics
    "aggregate": "scoring.aggregation",
    "expert_deviation": "scoring.panel",
    "kendall_w": "scoring.panel",
    "panel_agreement": "scoring.panel",
    "icc": "scoring.panel",
    "score_outliers": "scoring.panel",
    # ranking and weighting
    "rank": "scoring.ranking",
    "METHODS": "scoring.ranking",
    "entropy_weights": "scoring.weighting",
    "critic_weights": "scoring.weighting",
    # robustness
    "sensitivity": "scoring.sensitivity",
    "SensitivityResult": "scoring.sensitivity",
    "compare_rankings": "scoring.comparison",
    "ws_coefficient": "scoring.comparison",
    "compare_methods": "scoring.comparison",
    "compare_weight_sets": "scoring.comparison",
    # shortlist, catalogue, bank portfolios
    "shortlist": "scoring.shortlist",
    "catalogue": "scoring.catalogue",
    "BankPortfolio": "scoring.portfolio",
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
