"""A big import holds the writers' lock only for one short transaction, not for the whole file."""

from __future__ import annotations

import contextlib
import threading
import time

import pandas as pd
import pytest
import sqlalchemy as sa

from scoring.store import unit_of_work

from .conftest import DEMO, FULL

ROWS = 10_000


def _big(n: int) -> pd.DataFrame:
    d = pd.read_csv(DEMO / "candidates.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    big = pd.concat([d] * (n // len(d) + 1)).head(n).reset_index(drop=True)
    big["project_id"] = [f"E{i:06d}" for i in range(1, n + 1)]  # E000001 …: no clash with E001
    return big


def test_big_import_holds_the_lock_only_for_a_short_transaction(
    panel, tmp_path, monkeypatch, capsys
) -> None:
    wb = panel.open().wb
    path = tmp_path / "big.csv"
    _big(ROWS).to_csv(path, index=False, encoding="utf-8-sig")
    holds: list[tuple[float, int]] = []  # (seconds held, statements) of the import's writes
    statements = [0]
    importing = threading.Event()

    @sa.event.listens_for(wb.engine, "before_cursor_execute")
    def _count(*_args) -> None:
        # only the import's own statements (the main thread): on PostgreSQL the expert's saves
        # are not blocked by the import's transaction and run while it is open
        if threading.current_thread() is threading.main_thread():
            statements[0] += 1

    real = unit_of_work.write_connection

    @contextlib.contextmanager
    def timed(engine):
        with real(engine) as conn:
            start, before = time.perf_counter(), statements[0]
            yield conn
        if threading.current_thread() is threading.main_thread() and importing.is_set():
            holds.append((time.perf_counter() - start, statements[0] - before))

    monkeypatch.setattr(unit_of_work, "write_connection", timed)
    waits: list[float] = []
    done = threading.Event()
    me = panel.a["X01"]

    def expert_saves() -> None:
        version = 0
        while not done.is_set():
            t = time.perf_counter()
            version = wb.save_scores(me, panel.id, "E001", FULL, base_version=version).version
            waits.append(time.perf_counter() - t)
            time.sleep(0.02)

    saver = threading.Thread(target=expert_saves)
    saver.start()
    try:
        time.sleep(0.1)
        importing.set()
        t0 = time.perf_counter()
        res = wb.import_candidates(panel.a["ORG"], path)
        total = time.perf_counter() - t0
    finally:
        importing.clear()
        done.set()
        saver.join()
    assert len(res.added) == ROWS
    assert len(holds) == 1, holds  # one write transaction
    held, executed = holds[0]
    with capsys.disabled():
        print(
            f"\nimport of {ROWS:,} rows: {total:.2f} s in all, writers' lock held {held:.2f} s "
            f"({executed} statements); {len(waits)} concurrent saves, slowest {max(waits):.2f} s"
        )
    # the rows go in by executemany: a handful of statements, not one per row
    assert executed < 50, executed
    assert held < total / 2  # reading and checking the file happened outside the lock


@pytest.mark.parametrize("n", [3])
def test_concurrent_import_in_between_is_seen(wb, org, n, monkeypatch) -> None:
    """An import that commits between the snapshot and the write is planned against again."""
    from scoring.store import import_service

    first = _big(n)
    real = import_service._plan
    calls = []

    def plan(rows, key, existing):
        calls.append(len(existing))
        if len(calls) == 1:  # another organizer imports right after our snapshot
            wb.import_candidates(org, first.assign(name="其他导入(虚构)"))
        return real(rows, key, existing)

    monkeypatch.setattr(import_service, "_plan", plan)
    res = wb.import_candidates(org, first)
    monkeypatch.setattr(import_service, "_plan", real)
    assert calls[0] == 0 and calls[-1] == n  # planned again, inside, against the other import
    assert res.changed == tuple(first["project_id"]) and not res.added
    assert set(wb.candidates(org)["name"]) == set(first["name"])
