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
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

try:  # POSIX only; elsewhere SQLite's busy timeout alone serialises writers
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

#: Milliseconds a SQLite connection waits for a lock before failing.
BUSY_TIMEOUT_MS = 30_000
DB_FILE_NAME = "scoring.sqlite"


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
        engine = sa.create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        _tune_sqlite(engine)
        engine.info_lock_path = None if path is None else Path(str(path) + ".lock")  # type: ignore[attr-defined]
        return engine
    engine = sa.create_engine(url, pool_pre_ping=True)
    engine.info_lock_path = None  # type: ignore[attr-defined]
    return engine


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit BEGIN is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # In WAL mode NORMAL keeps every committed transaction across a process crash
        # (SIGKILL); only a power loss can drop the last commits.
        cur.execute("PRAGMA synchronous=NORMAL")
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

    On a SQLite file the transaction is also wrapped in the writers' file lock.
    """
    lock_path = getattr(engine, "info_lock_path", None)
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
