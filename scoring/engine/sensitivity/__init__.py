"""Robustness of a ranking under weight uncertainty: SMAA-2 (稳健性分析：随机多准则可接受性分析).

SMAA-2 (Lahdelma & Salminen 2001, *Operations Research* 49(3):444–454) asks, for each candidate,
how often it reaches each place when the criteria weights are not known exactly:

* **rank acceptability index** ``b_i^r`` (排名可接受度): the share of the weight space in which
  candidate ``i`` reaches rank ``r``. Estimated here by Monte Carlo: draw ``samples`` weight
  vectors, score every candidate under each (one vectorised kernel call per chunk), rank them,
  count. Each row of :attr:`SensitivityResult.acceptability` sums to 1.
* **p_top(k)** (入围概率): ``sum_{r<=k} b_i^r``, the probability of being in the top ``k`` — of
  making a catalogue of ``k`` projects.
* **central weight vector** ``w_i^c`` (中心权重): the mean of the weight vectors under which ``i``
  ranks first — the "typical" preferences that favour ``i``. ``NaN`` when ``i`` never ranks first.
* **confidence factor** ``p_i^c`` (置信因子): in SMAA-2, the probability that ``i`` ranks first when
  the weights are fixed at its central weight vector and the criteria values are uncertain.
  *Definition used here.* The wide matrix holds exact (aggregated) values, so by default
  (``value_sd=None``) the confidence factor is the indicator 1.0 / 0.0 of ``i`` ranking first
  (possibly tied) at its own central weights with the values as given. When the panel's
  uncertainty is known, pass ``value_sd`` (a standard deviation per cell or one for all, e.g. the
  standard error of the aggregated score): the factor is then the share of ``value_samples`` draws
  ``X + N(0, value_sd)`` (cells independent) in which ``i`` ranks first at its central weights —
  the SMAA-2 definition with Gaussian criteria values. ``NaN`` when ``i`` has no central weights.

Weight distributions
--------------------
* ``spread=None``: uniform on the simplex, ``Dirichlet(1, ..., 1)`` — "no preference information"
  (the given ``weights`` are only used for :attr:`SensitivityResult.reference_rank`).
* ``spread=s`` with ``0 < s <= 1``: "around the given weights": each weight is multiplied by an
  independent ``Uniform(1 - s, 1 + s)`` factor and the vector renormalised to sum 1 (``s = 0.2``
  means "each weight may be off by up to ±20 % before renormalising").

Ranks and ties
--------------
Ranks follow :mod:`scoring.engine.ranking.ties` exactly: standard competition ranking ("1224"), two
scores tied when ``|a - b| <= rtol * max(|a|, |b|, 1)``, a tie group anchored on its best score.
Per sample one ``argsort`` along the candidate axis gives the order; sorted neighbours are checked
for ties (a cheap per-row test first); rows with ties get group ranks vectorised, and only rows
where a chain of near-ties would drift beyond the anchor tolerance fall back to a per-row loop.
With tied first places every tied candidate counts as first (for acceptability, central weights
and confidence), so the columns of the acceptability matrix need not sum to 1, the rows always do.

Memory and speed
----------------
Weight vectors are all drawn up front (``samples x m`` floats, so results do not depend on the
chunking); scores are computed by one kernel call per chunk of ``chunk_size`` samples, by default
``max(1, CHUNK_ELEMENTS // n)`` with ``CHUNK_ELEMENTS = 5_000_000`` (40 MB of float64 scores),
and ranked in sub-chunks of ``RANK_ELEMENTS = 1_000_000`` scores (8 MB; about 3 such work arrays
alive at once), so memory stays under ~70 MB for any ``n`` and ``samples``. 10,000 samples x 500
candidates thus make 1 kernel call and 5 ranking steps of 2,000 samples. Few, large kernel calls
matter: a multi-threaded BLAS pays a start-up cost per matrix product, which many small products
multiply (badly so on a busy machine). Per ranking step: one in-place sort of packed
integer keys (the sort order and the candidate index in one 64-bit word; NumPy sorts integers with
SIMD, while ``argsort`` has no SIMD path), a tie screen on sorted neighbours, and one ``bincount``
of the (candidate, rank) cells. ``benchmarks/bench_sensitivity.py`` measures it against the
NumPy floor (one matrix product plus one ``argsort``).

Grades
------
For the yearly evaluation, :func:`grade_acceptability` (``grades.py``) draws the same weight
vectors and counts how often each candidate's weighted total on the scale earns each grade
(优秀 / 良好 / 合格 / 不合格): :class:`GradeAcceptability` with ``probabilities`` (rows sum to 1),
``reference`` (the grade at the given weights) and ``fragile(threshold)``.
"""

from __future__ import annotations

from .grades import GradeAcceptability, grade_acceptability
from .kernels import ScoreKernel, resolve_method
from .ranks import RTOL, batch_competition_ranks
from .result import SUMMARY_LABELS, SensitivityResult
from .smaa import CHUNK_ELEMENTS, RANK_ELEMENTS, sensitivity

__all__ = [
    "CHUNK_ELEMENTS",
    "GradeAcceptability",
    "RANK_ELEMENTS",
    "RTOL",
    "SUMMARY_LABELS",
    "ScoreKernel",
    "SensitivityResult",
    "batch_competition_ranks",
    "grade_acceptability",
    "resolve_method",
    "sensitivity",
]
