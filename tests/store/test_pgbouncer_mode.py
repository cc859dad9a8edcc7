"""Behind PgBouncer in transaction mode (``SCORING_PG_POOLER=pgbouncer``) the store never
prepares a statement on the server: PgBouncer 1.18 lends a server connection per transaction
and does not carry prepared statements, so a prepared save would fail on the next connection.

Without the setting psycopg prepares a statement after five runs on a connection (the store's
own audit call is prepared at once); with it, the server session holds none after many saves.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from scoring.store import Workbench
from scoring.store.pg_chain import server_prepares

from .conftest import FULL, Panel


def _saves_then_prepared(url: str, monkeypatch, pooler: str | None) -> int:
    """Statements prepared in the server session after a dozen saves and confirmations."""
    if pooler is None:
        monkeypatch.delenv("SCORING_PG_POOLER", raising=False)
    else:
        monkeypatch.setenv("SCORING_PG_POOLER", pooler)
    monkeypatch.setenv("SCORING_PG_POOL_SIZE", "1")  # one session sees every statement
    wb = Workbench(url)
    try:
        wb.init(2026)
        panel = Panel(wb, wb.system_actor("test")).open()
        me = panel.a["X01"]
        for pid in panel.candidates[:2]:
            v = 0
            for i in range(6):
                v = wb.save_scores(
                    me, panel.id, pid, {**FULL, "strength": 60 + i}, base_version=v
                ).version
            wb.confirm_sheet(me, panel.id, pid, code=panel.codes["X01"], base_version=v)
        with wb.engine.connect() as conn:
            return int(
                conn.execute(sa.text("SELECT count(*) FROM pg_prepared_statements")).scalar()
            )
    finally:
        wb.close()


@pytest.mark.postgres
def test_no_statement_is_prepared_behind_pgbouncer(request, monkeypatch) -> None:
    from .conftest import _empty_pg

    url = request.getfixturevalue("_pg_schema")
    _empty_pg(url)
    assert _saves_then_prepared(url, monkeypatch, None) > 0  # psycopg's default prepares
    _empty_pg(url)
    assert _saves_then_prepared(url, monkeypatch, "pgbouncer") == 0


def test_the_pooler_setting_is_checked(monkeypatch) -> None:
    monkeypatch.delenv("SCORING_PG_POOLER", raising=False)
    assert server_prepares()
    monkeypatch.setenv("SCORING_PG_POOLER", "PgBouncer")
    assert not server_prepares()
    monkeypatch.setenv("SCORING_PG_POOLER", "pgpool")
    with pytest.raises(ValueError, match="SCORING_PG_POOLER"):
        server_prepares()
