"""The follow-up stage's pure core (阶段跟进): periods, ledgers, indicators, timeliness, exits.

No database, widgets or plots here: pure functions over dicts and DataFrames, data read from
``data/followup/`` and ``data/codes/`` (docs/FOLLOWUP-DESIGN.md §1). Import the modules
themselves (``from scoring.followup import ledger``); this package imports nothing eagerly.

Modules, one concept each:

* :mod:`.clock` — today (``$SCORING_TODAY``) and local dates (Asia/Shanghai).
* :mod:`.workflow` — ``data/followup/workflow.yml``: confirmers, grace days, default dates,
  jump factor, progress codes, exit thresholds.
* :mod:`.codes` — GB/T 4754-2017 divisions (大类), parsing 所属行业 cells, cities.
* :mod:`.periods` — :class:`~.periods.Period`, period keys (``2026Q1`` … ``2026Y``), labels.
* :mod:`.findings` — :class:`~.findings.Finding` (error / warning, zh + en, field, block, row).
* :mod:`.content` — the ledger JSON model and :func:`~.content.normalise`.
* :mod:`.ledger_checks`, :mod:`.jumps` — the checks before submission, jump warnings.
* :mod:`.ledger` — one import for the three above.
* :mod:`.catalogue`, :mod:`.indicators` — the indicator catalogue, values, baselines, progress.
* :mod:`.plans` — plans and reported values as the tables :func:`~.indicators.progress` reads.
* :mod:`.timeliness` — on time / late / missing, reporting rates.
* :mod:`.exits` — exit grounds and candidates.
* :mod:`.statistics` — financing, indicator summaries, the project × period matrix.
"""
