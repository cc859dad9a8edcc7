"""The yearly evaluation's store (年度绩效评估, docs/EVALUATION-DESIGN.md, schema 12).

Services reached from :class:`~scoring.store.service.Workbench` as ``wb.evaluation`` (evaluation
panels over followed projects, the evidence card, suggestions, grades, the exit list, a project's
whole path) and ``wb.recommend`` (the year-to-year cycle: exited projects are not recommended
again without the organizer's override). Tables: :mod:`.models`. This package imports nothing
eagerly (``scoring.store.models`` imports :mod:`.models` so that the schema knows the tables).
"""
