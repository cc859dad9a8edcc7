"""Engine creation: which database, and how SQLite is tuned for many writing processes.

Where the database lives
------------------------
1. ``--db URL`` on the command line (``Workbench(db_url)`` in Python), else
2. the ``SCORING_DB`` environment variable (any SQLAlchemy URL, e.g.
   ``postgresql+psycopg://user:pass@host/dbname``), else
3. the SQLite file ``$SCORING_HOME/scoring.sqlite``; ``SCORING_HOME`` defaults to ``./var``
   (the Makefile exports ``SCORING_HOME=<repo>/var``). The folder is created when needed.

SQLite is opened in WAL mode with foreign keys on and a busy timeout; every write transaction
starts with ``BEGIN IMMEDIATE`` (so two writers never deadlock on a lock upgrade) and, for a
file database, also holds an advisory ``fcntl`` lock on ``<file>.lock`` so that waiting writers
queue in the kernel instead of polling SQLite's back-off sleeps (this keeps the tail latency of
30 concurrent writers low). Reads use plain deferred transactions and never block on writers.

Durability: SQLite runs with ``synchronous=NORMAL`` by default (in WAL mode every committed
transaction survives a process crash; a power loss or OS crash can drop the last commits);
``SCORING_SQLITE_SYNCHRONOUS=FULL`` syncs the WAL at every commit (survives a power loss too).
PostgreSQL's default ``synchronous_commit=on`` flushes the WAL at every commit (the equivalent of
SQLite's ``FULL``). On PostgreSQL a write transaction's audit records are appended by one
server-side call sent with the ``COMMIT`` (see :mod:`scoring.store.pg_chain`).

PostgreSQL connections: each process keeps at most ``SCORING_PG_POOL_SIZE`` (default 5) idle
connections (``0``: none, connect per transaction) and a pool checkout waits at most
``SCORING_PG_TIMEOUT`` seconds (default 30); when the server has no free connection slot
(``max_connections``) a connection attempt is retried until that same deadline and then fails
with a clear message, so many processes never hang on a full server.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from . import pg_chain
from .errors import StoreError

try:  # POSIX only; elsewhere SQLite's busy timeout alone serialises writers
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

#: Milliseconds a SQLite connection waits for a lock before failing.
BUSY_TIMEOUT_MS = 30_000
DB_FILE_NAME = "scoring.sqlite"
#: Allowed values of ``SCORING_SQLITE_SYNCHRONOUS`` (default ``NORMAL``).
SQLITE_SYNCHRONOUS = ("NORMAL", "FULL", "EXTRA")
#: Seconds a pooled PostgreSQL connection may sit idle before its checkout pings it.
IDLE_PING_S = 10.0
#: Server messages of a PostgreSQL that has no free connection slot.
_NO_SLOT = ("too many clients", "remaining connection slots are reserved")


#: What SQLite says of a file that is not a (whole) database: random bytes, a truncated copy.
_NOT_A_DATABASE = ("file is not a database", "database disk image is malformed")


class DatabaseFileError(StoreError):
    """The SQLite file is not a valid database (truncated, damaged or another kind of file)."""


def not_a_database(path: Path | None) -> DatabaseFileError:
    """The one-line error for a SQLite file that is not a valid database."""
    name = path if path is not None else "the SQLite database"
    return DatabaseFileError(
        f"{name} 不是有效的 SQLite 数据库（文件被截断或损坏）：请从备份恢复该文件，或用 --db / "
        f"SCORING_DB 指定其他数据库 / {name} is not a valid SQLite database (the file is truncated "
        "or damaged): restore it from a backup, or name another database with --db / SCORING_DB"
    )


class NoConnectionSlot(RuntimeError):
    """The PostgreSQL server refused connections (``max_connections``) until the deadline."""


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None


def sqlite_synchronous() -> str:
    """``$SCORING_SQLITE_SYNCHRONOUS`` (``NORMAL``, ``FULL`` or ``EXTRA``; default ``NORMAL``)."""
    mode = (os.environ.get("SCORING_SQLITE_SYNCHRONOUS") or "NORMAL").strip().upper()
    if mode not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"SCORING_SQLITE_SYNCHRONOUS must be one of {SQLITE_SYNCHRONOUS}")
    return mode


def scoring_home() -> Path:
    """The data folder: ``$SCORING_HOME`` or ``./var``."""
    return Path(os.environ.get("SCORING_HOME") or "var")


def default_url() -> str:
    """``$SCORING_DB`` or ``sqlite:///$SCORING_HOME/scoring.sqlite``."""
    env = os.environ.get("SCORING_DB")
    if env:
        return env
    return f"sqlite:///{(scoring_home() / DB_FILE_NAME).resolve()}"


def resolve_url(url: str | None = None) -> str:
    """``url`` if given, else :func:`default_url`. A bare file path becomes a SQLite URL."""
    if not url:
        return default_url()
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for in-memory or other databases)."""
    u = sa.engine.make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (see :func:`resolve_url`) with the store's settings.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL. SQLite files get WAL, foreign keys, a busy timeout and
        ``BEGIN IMMEDIATE`` for writers; the parent folder is created.

    Returns
    -------
    Engine
    """
    url = resolve_url(url)
    path = sqlite_path(url)
    if sa.engine.make_url(url).get_backend_name() == "sqlite":
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            check_sqlite_file(path)
        engine = sa.create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        _tune_sqlite(engine)
        _name_a_bad_file(engine, path)
        engine.info_lock_path = None if path is None else Path(str(path) + ".lock")  # type: ignore[attr-defined]
        return engine
    engine = _postgres_engine(url)
    engine.info_lock_path = None  # type: ignore[attr-defined]
    return engine


def _postgres_engine(url: str) -> Engine:
    """A PostgreSQL engine with a bounded pool and connection attempts that wait for a slot."""
    size = int(_env_number("SCORING_PG_POOL_SIZE", 5))
    timeout = _env_number("SCORING_PG_TIMEOUT", 30)
    args: dict = {} if pg_chain.server_prepares() else {"connect_args": {"prepare_threshold": None}}
    if size <= 0:
        engine = sa.create_engine(url, poolclass=NullPool, **args)
    else:
        engine = sa.create_engine(
            url, pool_size=size, max_overflow=size, pool_timeout=timeout, **args
        )
        _ping_when_idle(engine)

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, _record, cargs, cparams):
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except dialect.loaded_dbapi.OperationalError as exc:
                if not any(m in str(exc) for m in _NO_SLOT):
                    raise
                if time.monotonic() + delay > deadline:
                    raise NoConnectionSlot(
                        f"PostgreSQL has had no free connection slot for {timeout:g} s "
                        "(max_connections reached): give each process a smaller pool "
                        "(SCORING_PG_POOL_SIZE, 0 = connect per transaction), run fewer "
                        f"processes or raise the server's max_connections ({exc})"
                    ) from exc
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.2)

    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection at checkout only after it sat idle (``pool_pre_ping`` would
    add a round trip to every transaction of the hot path); a dead one is replaced."""

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, _proxy) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_S:
            return
        try:
            dbapi_conn.execute("SELECT 1")
            dbapi_conn.rollback()
        except Exception as exc:
            raise sa.exc.DisconnectionError(str(exc)) from exc


def check_sqlite_file(path: Path) -> None:
    """Refuse an existing SQLite file that is not a valid database (one read of its schema).

    Raises
    ------
    DatabaseFileError
        The file holds random bytes or is truncated (SQLite: "file is not a database",
        "database disk image is malformed"); a missing or empty file is a new database.
    """
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return
    except OSError:
        return
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return  # not readable: the engine reports it
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        if any(m in str(exc) for m in _NOT_A_DATABASE):
            raise not_a_database(path) from None
    finally:
        con.close()


def _name_a_bad_file(engine: Engine, path: Path | None) -> None:
    """Turn SQLite's "not a database" / "malformed" errors, at the first connection or at any
    later statement, into one :class:`DatabaseFileError` naming the file (no driver traceback)."""

    @event.listens_for(engine, "handle_error")
    def _bad_file(ctx: Any) -> None:
        text = str(ctx.original_exception)
        if any(m in text for m in _NOT_A_DATABASE):
            raise not_a_database(path) from None


def _tune_sqlite(engine: Engine) -> None:
    sync = sqlite_synchronous()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit BEGIN is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # In WAL mode NORMAL keeps every committed transaction across a process crash
        # (SIGKILL); only a power loss can drop the last commits (FULL: not even that).
        cur.execute(f"PRAGMA synchronous={sync}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


class _ProcessLock:
    """An exclusive advisory file lock, re-entrant within a process (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._thread_lock:
            if self._depth == 0 and fcntl is not None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
                    os.close(self._fd)
                    self._fd = None


_LOCKS: dict[str, _ProcessLock] = {}


@contextlib.contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a write transaction (``BEGIN IMMEDIATE`` on SQLite), committed on exit.

    On a SQLite file the transaction is also wrapped in the writers' file lock. On PostgreSQL
    the audit records the transaction deferred are appended together with the commit
    (:func:`scoring.store.pg_chain.commit`).
    """
    lock_path = getattr(engine, "info_lock_path", None)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            try:
                with conn.begin():
                    yield conn
                    pg_chain.commit(conn)
            finally:
                pg_chain.discard(conn)
        return
    if lock_path is None:
        with engine.begin() as conn:
            yield conn
        return
    lock = _LOCKS.setdefault(str(lock_path), _ProcessLock(lock_path))
    with engine.connect() as conn:  # the pool checkout happens before queueing for the lock
        with lock.hold(), conn.begin():
            yield conn


@contextlib.contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a read transaction (deferred on SQLite: never blocks writers)."""
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="DEFERRED")
        with conn.begin():
            yield conn
