"""The follow-up stage's store (阶段跟进, docs/FOLLOWUP-DESIGN.md §2, schema 11).

Services reached from the review store's :class:`~scoring.store.service.Workbench` as
``wb.followup_access``, ``wb.followed``, ``wb.periods``, ``wb.ledgers``, ``wb.followup_stats``
and ``wb.exits`` (they add no method to ``Workbench``). Tables: :mod:`.models`; every right:
:mod:`.rights`. This package imports nothing eagerly (``scoring.store.models`` imports
:mod:`.models` so that the schema knows the tables).
"""
