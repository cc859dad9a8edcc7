"""How many database connections the workers' kernels open, and whether a pooler is needed.

Every page is a kernel, every kernel opens the store with its own SQLAlchemy engine, and each
engine keeps a pool: SQLAlchemy's default ``QueuePool`` keeps up to ``pool_size`` (5) connections
and opens up to ``max_overflow`` (10) more under load. A kernel serves one page, so its
callbacks run one at a time, plus the board's poll: :data:`HELD_PER_KERNEL` is what a kernel
was measured to hold (``docs/DEPLOY.md``), :data:`POOL_MAX` what it may open at worst.

PostgreSQL refuses connections past ``max_connections`` (100 by default, 3 of them kept for
superusers). When ``workers x kernels x held`` does not fit, the kernels connect to PgBouncer in
transaction mode, which multiplexes them over a few server connections.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Connections a kernel holds open once its page is in use (measured: see docs/DEPLOY.md).
HELD_PER_KERNEL = 1
#: The most a kernel's pool may open: SQLAlchemy's pool_size 5 + max_overflow 10.
POOL_MAX = 15
#: PostgreSQL's default max_connections and superuser_reserved_connections.
PG_MAX_CONNECTIONS = 100
PG_RESERVED = 3
#: Left for the command line, migrations, monitoring and a psql session.
ADMIN_CONNECTIONS = 5
#: Kernels one worker was measured to hold comfortably (see docs/DEPLOY.md).
KERNELS_PER_WORKER = 40


@dataclass(frozen=True)
class ConnectionBudget:
    """The arithmetic of :func:`connection_budget` (all counts are connections)."""

    workers: int
    kernels_per_worker: int
    held: int
    worst: int
    available: int

    @property
    def kernels(self) -> int:
        """Kernels of all workers."""
        return self.workers * self.kernels_per_worker

    @property
    def needs_pooler(self) -> bool:
        """True when the connections the kernels hold do not fit in PostgreSQL."""
        return self.held > self.available

    def explain(self) -> str:
        """One bilingual line: the figures and the decision."""
        verdict = (
            "需要 PgBouncer（事务模式）/ PgBouncer (transaction mode) required"
            if self.needs_pooler
            else "直连 PostgreSQL 即可 / direct connections fit"
        )
        return (
            f"{self.workers} workers x {self.kernels_per_worker} kernels = {self.kernels} kernels; "
            f"held {self.held} (worst {self.worst}) of {self.available} connections: {verdict}"
        )


def connection_budget(
    workers: int,
    kernels_per_worker: int = KERNELS_PER_WORKER,
    *,
    max_connections: int = PG_MAX_CONNECTIONS,
    held_per_kernel: int = HELD_PER_KERNEL,
    pool_max: int = POOL_MAX,
) -> ConnectionBudget:
    """Count the connections ``workers`` workers of ``kernels_per_worker`` kernels hold.

    Parameters
    ----------
    workers, kernels_per_worker : int
        Deployment size.
    max_connections : int
        The server's ``max_connections``.
    held_per_kernel, pool_max : int
        Connections a kernel holds in use / may open at worst.

    Returns
    -------
    ConnectionBudget

    Examples
    --------
    >>> connection_budget(3, 40).needs_pooler
    True
    >>> connection_budget(2, 10).needs_pooler
    False
    """
    if workers < 1 or kernels_per_worker < 1:
        raise ValueError("workers and kernels per worker must be at least 1")
    kernels = workers * kernels_per_worker
    return ConnectionBudget(
        workers=workers,
        kernels_per_worker=kernels_per_worker,
        held=kernels * held_per_kernel,
        worst=kernels * pool_max,
        available=max_connections - PG_RESERVED - ADMIN_CONNECTIONS,
    )
