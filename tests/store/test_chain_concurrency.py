"""The audit chain under many concurrent writers, and PostgreSQL's server-side append."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from scoring.store import Workbench, pg_chain
from scoring.store.audit import record_hash
from scoring.store.db import make_engine
from scoring.store.unit_of_work import Store

#: Strings whose JSON escaping must be the same in Python and in PostgreSQL.
NASTY = [
    'quote " backslash \\ slash / tab \t newline \n cr \r',
    "controls \x01\x08\x0b\x0c\x1f del \x7f",
    "中文评审 ✓ emoji 🎓 line sep \u2028 para sep \u2029 nbsp \u00a0",
    "",
]


def _rows(store: Store) -> list[sa.Row]:
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT * FROM audit_log ORDER BY seq")).all()


def _writer(url: str, who: int, n: int, errors: list[BaseException], start) -> None:
    try:
        store = Store(url, create=False)
        actor = store.system_actor(f"w{who}")
        start.wait(30)
        for i in range(n):
            with store.write(actor) as tx:
                for k in range(1 + (who + i) % 3):  # 1 to 3 records per transaction
                    tx.audit("test.write", f"writer:{who}/{i}/{k}", {"i": i, "k": k})
        store.close()
    except BaseException as exc:  # re-raised in the main thread
        errors.append(exc)


def test_many_concurrent_writers_keep_one_chain(wb: Workbench) -> None:
    """Sixteen writers append at once: no fork, no gap, no lost or duplicated record."""
    writers, n = 16, 12
    errors: list[BaseException] = []
    start = threading.Barrier(writers)
    threads = [
        threading.Thread(target=_writer, args=(wb.url, w, n, errors, start)) for w in range(writers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    rep = wb.verify()
    assert rep.ok, rep.message
    rows = _rows(wb.store)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert len({r.prev_hash for r in rows}) == len(rows)  # no two records share a parent
    targets = [r.target for r in rows if r.action == "test.write"]
    expected = {
        f"writer:{w}/{i}/{k}"
        for w in range(writers)
        for i in range(n)
        for k in range(1 + (w + i) % 3)
    }
    assert len(targets) == len(expected) and set(targets) == expected
    # the records of one transaction are consecutive and in order
    for w in range(writers):
        for i in range(n):
            seqs = [r.seq for r in rows if r.target.startswith(f"writer:{w}/{i}/")]
            assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


def test_hash_of_awkward_text_matches_python(wb: Workbench) -> None:
    """The database computes exactly Python's canonical record hash, for any text."""
    store = wb.store
    actor = store.system_actor(NASTY[0])
    with store.write(actor) as tx:
        for s in NASTY:
            tx.audit("test.text", s, {"s": s, s: [1, None, 2.5]})
    rep = wb.verify()
    assert rep.ok, rep.message
    for r in _rows(store):
        assert r.hash == record_hash(
            r.seq, r.ts, r.actor, r.action, r.target, r.details, r.prev_hash
        )
    ts = [r.ts for r in _rows(store)]
    assert ts == sorted(ts) and all(t.endswith("+00:00") and len(t) == 32 for t in ts)


def test_rolled_back_transaction_appends_nothing(wb: Workbench) -> None:
    store = wb.store
    actor = store.system_actor("rb")
    before = wb.verify().records
    with pytest.raises(RuntimeError), store.write(actor) as tx:
        tx.audit("test.rollback", "x")
        raise RuntimeError("abort")
    with store.write(actor) as tx:  # the same pooled connection: nothing carried over
        tx.audit("test.after", "y")
    rows = _rows(store)
    assert [r.action for r in rows[before:]] == ["test.after"]
    assert wb.verify().ok


@pytest.fixture
def pg_wb(request: pytest.FixtureRequest) -> Iterator[Workbench]:
    """An initialised store on PostgreSQL only (the server-side append has no SQLite form)."""
    from .conftest import _empty_pg

    url = request.getfixturevalue("_pg_schema")
    _empty_pg(url)
    w = Workbench(url)
    w.init(2026)
    yield w
    w.close()


@pytest.mark.postgres
def test_open_transaction_does_not_hold_the_chain(pg_wb: Workbench) -> None:
    """A transaction with deferred records holds no chain lock: others append meanwhile."""
    wb = pg_wb
    store = wb.store
    other = Store(wb.url, create=False)
    done = threading.Event()

    def append() -> None:
        with other.write(other.system_actor("b")) as tx:
            tx.audit("test.b", "b")
        done.set()

    with store.write(store.system_actor("a")) as tx:
        assert tx.audit("test.a", "a1") == 1 and tx.audit("test.a", "a2") == 2
        t = threading.Thread(target=append)
        t.start()
        assert done.wait(20), "the other writer was blocked by an open transaction"
    t.join()
    other.close()
    assert [r.action for r in _rows(store)][-3:] == ["test.b", "test.a", "test.a"]
    assert wb.verify().ok


@pytest.mark.postgres
def test_stale_snapshot_fails_instead_of_forking(pg_wb: Workbench) -> None:
    """Called with a snapshot older than the head, the append errors; the chain stays whole."""
    wb = pg_wb
    engine = make_engine(wb.url)
    store = wb.store
    with engine.connect() as stale:
        stale.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        stale.execute(sa.text("SELECT seq FROM audit_head")).all()  # the snapshot is taken
        with store.write(store.system_actor("fresh")) as tx:
            tx.audit("test.fresh", "f")
        with pytest.raises(sa.exc.DBAPIError):
            stale.execute(
                sa.text(f"SELECT {pg_chain.FUNCTION}(:a, :b, :c, :d)"),
                {"a": ["s"], "b": ["test.stale"], "c": [""], "d": ["{}"]},
            )
        stale.rollback()
    engine.dispose()
    assert wb.verify().ok
    assert "test.stale" not in [r.action for r in _rows(store)]


def test_install_is_idempotent(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        created = pg_chain.install_pg_functions(conn)
    engine.dispose()
    assert created is False  # the fixture's upgrade() installed it (or SQLite: nothing to do)


def test_sqlite_synchronous_is_configurable(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    for mode, level in (("", 1), ("FULL", 2)):
        monkeypatch.setenv("SCORING_SQLITE_SYNCHRONOUS", mode)
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == level
        engine.dispose()
    monkeypatch.setenv("SCORING_SQLITE_SYNCHRONOUS", "OFF")
    with pytest.raises(ValueError):
        make_engine(url)
