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

SCHEMA_VERSION = 12


def _add_column(conn: Connection, table: str, column: str, ddl_type: str) -> None:
    """``ALTER TABLE table ADD COLUMN column`` unless it is there already."""
    have = {c["name"] for c in sa.inspect(conn).get_columns(table)}
    if column not in have:
        conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl_type}"))


def _step2_comments(conn: Connection) -> None:
    """Schema 2: the expert's comment (评语) on every sheet and every sheet version."""
    _add_column(conn, "sheets", "comment", "TEXT")
    _add_column(conn, "sheet_versions", "comment", "TEXT")
    conn.execute(sa.text("UPDATE sheets SET comment = '' WHERE comment IS NULL"))
    conn.execute(sa.text("UPDATE sheet_versions SET comment = '' WHERE comment IS NULL"))


def _create_tables(conn: Connection, *names: str) -> None:
    """Create the named tables of the current models (those not there yet)."""
    Base.metadata.create_all(conn, tables=[Base.metadata.tables[n] for n in names])


def _step3_declarations(conn: Connection) -> None:
    """Schema 3: whether (and what) each expert declared for each panel."""
    _create_tables(conn, "conflict_declarations")


def _step4_timers(conn: Connection) -> None:
    """Schema 4: the defense timer of each panel (was a JSON file per machine)."""
    _create_tables(conn, "panel_timers")


def _step5_baskets(conn: Connection) -> None:
    """Schema 5: each bank reviewer's portfolio basket (was kept in the page only)."""
    _create_tables(conn, "bank_baskets")


def _step6_panel_purpose(conn: Connection) -> None:
    """Schema 6: each panel's purpose and criteria set (every earlier panel was a defense)."""
    _add_column(conn, "panels", "purpose", "VARCHAR(20)")
    _add_column(conn, "panels", "criteria_set", "VARCHAR(60)")
    conn.execute(sa.text("UPDATE panels SET purpose = 'defense' WHERE purpose IS NULL"))
    conn.execute(sa.text("UPDATE panels SET criteria_set = 'defense' WHERE criteria_set IS NULL"))


def _step7_correction_kind(conn: Connection) -> None:
    """Schema 7: a request to the chair is a score correction or a late conflict (recusal of a
    confirmed sheet); every earlier request changed scores."""
    _add_column(conn, "corrections", "kind", "VARCHAR(12)")
    conn.execute(sa.text("UPDATE corrections SET kind = 'scores' WHERE kind IS NULL"))


def _step8_audit_mac(conn: Connection) -> None:
    """Schema 8: each audit record may carry a keyed MAC of its hash (``SCORING_AUDIT_KEY``);
    earlier records carry none."""
    _add_column(conn, "audit_log", "mac", "VARCHAR(64)")


def _step9_login_attempts(conn: Connection) -> None:
    """Schema 9: recent login attempts per login and per client (throttling shared by every
    server process)."""
    _create_tables(conn, "login_attempts")


def _step10_decision_note(conn: Connection) -> None:
    """Schema 10: the chair's reason for deciding a request (shown to the expert who asked);
    earlier decisions kept theirs in the audit trail only."""
    _add_column(conn, "corrections", "note", "TEXT")


def _step11_followup(conn: Connection) -> None:
    """Schema 11: the follow-up stage (阶段跟进): followed projects, periods and exceptions,
    ledgers and their versions, the units' and city bureaus' scopes, risk records, exit
    decisions (see :mod:`scoring.store.followup.models`)."""
    from .followup.models import TABLES

    _create_tables(conn, *TABLES)


def _step12_evaluation(conn: Connection) -> None:
    """Schema 12: the yearly evaluation: each evaluation panel's year and project kind, and the
    organizer's overrides that let an exited project be recommended again (see
    :mod:`scoring.store.evaluation.models`)."""
    from .evaluation.models import TABLES

    _create_tables(conn, *TABLES)


#: version -> upgrade function from version - 1.
STEPS: dict[int, Callable[[Connection], None]] = {
    2: _step2_comments,
    3: _step3_declarations,
    4: _step4_timers,
    5: _step5_baskets,
    6: _step6_panel_purpose,
    7: _step7_correction_kind,
    8: _step8_audit_mac,
    9: _step9_login_attempts,
    10: _step10_decision_note,
    11: _step11_followup,
    12: _step12_evaluation,
}


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
    from .pg_chain import install_pg_functions

    with write_connection(engine) as conn:
        version = current_version(conn)
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"database schema version {version} is newer than this program ({SCHEMA_VERSION})"
            )
        install_pg_functions(conn)  # PostgreSQL's audit append (idempotent; no-op elsewhere)
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
