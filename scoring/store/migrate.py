"""Create and upgrade the store's schema.

The schema version is kept in ``meta.schema_version``. :data:`STEPS` maps each version to the
function that upgrades a database from the previous version; a new database is created at the
latest version directly.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .audit import GENESIS_HASH
from .models import Base, ChainHead, Meta

SCHEMA_VERSION = 1
#: version -> upgrade function from version - 1 (none yet beyond the initial schema).
STEPS: dict[int, Callable[[Connection], None]] = {}


def current_version(conn: Connection) -> int:
    """The schema version of the database (0 when it holds no store yet)."""
    if not sa.inspect(conn).has_table(Meta.__tablename__):
        return 0
    row = conn.execute(sa.select(Meta.value).where(Meta.key == "schema_version")).first()
    return int(row[0]) if row else 0


def upgrade(engine: Engine) -> int:
    """Create the schema or upgrade it to :data:`SCHEMA_VERSION`; idempotent.

    Returns
    -------
    int
        The schema version now in the database.
    """
    from .db import write_connection

    with write_connection(engine) as conn:
        version = current_version(conn)
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"database schema version {version} is newer than this program ({SCHEMA_VERSION})"
            )
        if version == 0:
            Base.metadata.create_all(conn)
            conn.execute(sa.insert(Meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
            conn.execute(sa.insert(ChainHead).values(id=1, seq=0, hash=GENESIS_HASH))
            return SCHEMA_VERSION
        for v in range(version + 1, SCHEMA_VERSION + 1):
            STEPS[v](conn)
        if version != SCHEMA_VERSION:
            conn.execute(
                sa.update(Meta)
                .where(Meta.key == "schema_version")
                .values(value=str(SCHEMA_VERSION))
            )
        return SCHEMA_VERSION
