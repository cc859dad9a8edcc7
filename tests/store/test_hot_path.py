"""The save's hot path: how many statements and round trips a save and a confirmation take on
each database (a test that fails when someone adds one), and that the PostgreSQL path leaves its
connection as it found it and never writes half a save.

Statements are counted by the driver itself: SQLite's trace callback (every statement the
library runs, ``BEGIN`` and ``COMMIT`` included) and libpq's protocol trace on PostgreSQL (every
message both ways: a round trip is the client sending and then waiting for the server).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from scoring.store import Workbench
from scoring.store.audit import now, record_mac
from scoring.store.errors import RuleViolation
from scoring.store.models import AuditRecord, SheetVersion
from scoring.store.scores import DUPLICATE, SAVED, STALE, HotPath

from .conftest import FULL

#: Per operation: statements on SQLite; (round trips, statements) on PostgreSQL. A save on SQLite
#: is BEGIN, the account with the locked sheet, the chain's head, record and head move, the
#: version, the sheet, COMMIT; on PostgreSQL BEGIN with the account and the locked sheet, then
#: the write (one statement) with the chain's call and COMMIT. A repeated request is answered by
#: one read (SQLite: without the writers' lock), a stale one by the locked read; a confirmation
#: adds the one read of the signature check.
EXPECTED = {
    "save": (8, (2, 5)),
    "save again": (8, (2, 5)),
    "duplicate": (3, (2, 3)),
    "stale": (3, (2, 3)),
    "confirm": (11, (3, 6)),
}


@dataclass
class Wire:
    """What the driver sent while counting."""

    dialect: str
    lines: list[str] = field(default_factory=list)

    @property
    def statements(self) -> int:
        if self.dialect == "sqlite":
            return len(self.lines)
        return sum(1 for line in self.lines if line.split("\t")[2:3] in (["Query"], ["Execute"]))

    @property
    def round_trips(self) -> int:
        """Runs of client messages each answered by the server (PostgreSQL)."""
        sides = [line[:1] for line in self.lines if line[:1] in ("F", "B")]
        return sum(1 for a, b in zip(sides, sides[1:], strict=False) if a == "F" and b == "B")

    def figures(self) -> int | tuple[int, int]:
        return self.statements if self.dialect == "sqlite" else (self.round_trips, self.statements)


@contextlib.contextmanager
def counting(engine: sa.Engine) -> Iterator[Wire]:
    """Count what every connection checked out of ``engine`` sends inside the block."""
    wire = Wire(engine.dialect.name)
    out = tempfile.TemporaryFile("w+")

    def checkout(dbapi_conn, _record, _proxy) -> None:
        if wire.dialect == "sqlite":
            dbapi_conn.set_trace_callback(wire.lines.append)
            return
        from psycopg import pq

        dbapi_conn.pgconn.trace(out.fileno())
        dbapi_conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

    def checkin(dbapi_conn, _record) -> None:
        if dbapi_conn is None:
            return
        if wire.dialect == "sqlite":
            dbapi_conn.set_trace_callback(None)
        elif not dbapi_conn.closed:
            dbapi_conn.pgconn.untrace()  # flushes this connection's part

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    try:
        yield wire
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)
        if wire.dialect != "sqlite":
            out.seek(0)
            wire.lines = out.read().splitlines()
        out.close()


def _opened(panel):
    panel.open()
    wb, me = panel.wb, panel.a["X01"]
    wb.save_scores(me, panel.id, "E010", FULL, base_version=0)  # caches the frozen set
    return wb, me


def _versions(wb: Workbench) -> int:
    with wb.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(SheetVersion)).scalar()


def _records(wb: Workbench) -> int:
    with wb.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(AuditRecord)).scalar()


def test_statements_and_round_trips_of_a_save_and_a_confirmation(panel) -> None:
    wb, me = _opened(panel)
    other = {**FULL, "risk": 31}
    calls = {
        "save": lambda: wb.save_scores(me, panel.id, "E001", FULL, base_version=0),
        "save again": lambda: wb.save_scores(me, panel.id, "E001", other, base_version=1),
        "duplicate": lambda: wb.save_scores(me, panel.id, "E001", other, base_version=1),
        "stale": lambda: wb.save_scores(me, panel.id, "E001", FULL, base_version=1),
        "confirm": lambda: wb.confirm_sheet(
            me, panel.id, "E001", code=panel.codes["X01"], base_version=2
        ),
    }
    answers = {"duplicate": DUPLICATE, "stale": STALE}
    sqlite = wb.engine.dialect.name == "sqlite"
    for name, call in calls.items():
        with counting(wb.engine) as wire:
            result = call()
        assert result.status == answers.get(name, SAVED), name
        want = EXPECTED[name][0 if sqlite else 1]
        assert wire.figures() == want, (name, wire.lines)
    assert wb.verify().ok


def test_a_refusal_changes_nothing_in_a_few_round_trips(panel) -> None:
    wb, me = _opened(panel)
    wb.confirm_sheet(me, panel.id, "E010", code=panel.codes["X01"], base_version=1)
    versions, records = _versions(wb), _records(wb)
    with counting(wb.engine) as wire, pytest.raises(RuleViolation, match="已确认"):
        wb.save_scores(me, panel.id, "E010", {**FULL, "risk": 1}, base_version=2)
    if wire.dialect == "sqlite":
        assert wire.statements == 3  # BEGIN, the locked read, ROLLBACK
    else:  # the read with BEGIN, ROLLBACK (and psycopg's DEALLOCATE after a rollback)
        assert wire.round_trips <= 3, wire.lines
    assert (_versions(wb), _records(wb)) == (versions, records)
    assert wb.save_scores(me, panel.id, "E001", FULL, base_version=0).status == SAVED
    assert wb.verify().ok


def test_every_pooled_connection_is_back_in_its_default_mode(panel) -> None:
    """Saved, duplicate, stale, refused: the next user of a connection finds no transaction
    open and, on PostgreSQL, psycopg's own transactions (a service's writes stay atomic), never
    the hot path's autocommit mode."""
    wb, me = _opened(panel)
    assert wb.save_scores(me, panel.id, "E001", FULL, base_version=0).status == SAVED
    assert wb.save_scores(me, panel.id, "E001", FULL, base_version=0).status == DUPLICATE
    assert wb.save_scores(me, panel.id, "E001", {**FULL, "risk": 2}, base_version=0).status == STALE
    wb.confirm_sheet(me, panel.id, "E001", code=panel.codes["X01"], base_version=1)
    with pytest.raises(RuleViolation):
        wb.save_scores(me, panel.id, "E001", FULL, base_version=2)
    conns = [wb.engine.raw_connection() for _ in range(wb.engine.pool.checkedin())]
    try:
        for c in conns:
            raw = c.driver_connection
            if wb.engine.dialect.name == "sqlite":
                assert not raw.in_transaction
            else:
                assert not raw.autocommit and raw.info.transaction_status.name == "IDLE"
    finally:
        for c in conns:
            c.close()


def test_the_write_refuses_a_sheet_not_at_its_base_version(panel) -> None:
    """The guard that cannot fire under the lock: nothing is written, no audit record, the
    message of a concurrent change (on PostgreSQL the audit call and COMMIT sent behind the
    write are not applied)."""
    wb, me = _opened(panel)
    versions, records = _versions(wb), _records(wb)
    with pytest.raises(RuleViolation, match="concurrent change"):
        with wb.store.write(me) as tx, HotPath(tx.conn) as hot:
            sheet = hot.load(me.account_id, panel.id, me.expert_pk, "E010", "guard")
            tx.audit("sheet.draft", "guard", {"version": 9})
            hot.finish(sheet.id, 7, 8, "draft", "draft", FULL, "guard", me.label, now())
    assert (_versions(wb), _records(wb)) == (versions, records)
    assert wb.save_scores(me, panel.id, "E010", {**FULL, "risk": 5}, base_version=1).ok
    assert wb.verify().ok


def test_the_hot_path_appends_keyed_records(panel, monkeypatch) -> None:
    """With an audit key the save's audit call stores the record's MAC (as the chain's own
    commit does)."""
    wb, me = _opened(panel)
    monkeypatch.setenv("SCORING_AUDIT_KEY", "hot-path-test-key")
    wb.save_scores(me, panel.id, "E001", FULL, base_version=0)
    with wb.engine.connect() as conn:
        last = conn.execute(
            sa.select(AuditRecord.action, AuditRecord.hash, AuditRecord.mac)
            .order_by(AuditRecord.seq.desc())
            .limit(1)
        ).one()
    assert last.action == "sheet.draft"
    assert last.mac == record_mac(b"hot-path-test-key", last.hash)
