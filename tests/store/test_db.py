"""Engine settings, schema creation and upgrade, frozen configuration hash."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from scoring.engine.criteria import default_criteria
from scoring.errors import InputError
from scoring.store import PanelConfig, Workbench
from scoring.store.migrate import SCHEMA_VERSION, upgrade


def test_sqlite_is_tuned(tmp_path) -> None:
    wb = Workbench(f"sqlite:///{tmp_path / 's.sqlite'}")
    with wb.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    wb.close()


def test_schema_is_created_once_and_newer_schema_refused(db_url) -> None:
    wb = Workbench(db_url)
    assert upgrade(wb.engine) == SCHEMA_VERSION  # idempotent
    with wb.engine.begin() as conn:
        conn.execute(sa.text("UPDATE meta SET value = '999' WHERE key = 'schema_version'"))
    with pytest.raises(RuntimeError, match="newer"):
        Workbench(db_url)
    wb.close()


def test_foreign_keys_are_enforced(wb) -> None:
    with pytest.raises(sa.exc.IntegrityError), wb.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO panel_members (panel_id, expert_pk) VALUES (99, 99)"))


def test_config_hash_is_canonical_and_sensitive() -> None:
    a = PanelConfig.from_criteria()
    b = PanelConfig.from_json(a.to_json())
    assert a.content_hash == b.content_hash and len(a.content_hash) == 64
    assert a.keys == ("strength", "market", "risk", "poverty", "demonstration")
    for change in (
        {"aggregation": "mean"},
        {"ranking_method": "topsis"},
        {"tie_rule": "exclude"},
        {"cut_size": 10},
        {"cut_min_score": 60.0},
    ):
        assert PanelConfig.from_criteria(**change).content_hash != a.content_hash, change
    heavier = PanelConfig.from_criteria(
        default_criteria().with_weights(
            {"strength": 3, "market": 1, "risk": 1, "poverty": 1, "demonstration": 1}
        )
    )
    assert heavier.content_hash != a.content_hash


def test_bad_config_is_refused_with_every_problem() -> None:
    cfg = PanelConfig.from_criteria(
        aggregation="mode", tie_rule="coin", cut_size=0, ranking_method="dice"
    )
    with pytest.raises(InputError) as exc:
        cfg.validate()
    assert {p.column for p in exc.value.problems} == {
        "aggregation",
        "tie_rule",
        "cut_size",
        "ranking_method",
    }


def test_upgrade_runs_the_missing_steps(db_url, monkeypatch) -> None:
    from scoring.store import migrate

    wb = Workbench(db_url)
    wb.init(2026)
    ran = []
    latest = migrate.SCHEMA_VERSION
    nxt = latest + 1

    def step_next(conn) -> None:
        ran.append(nxt)
        conn.execute(sa.text("ALTER TABLE rounds ADD COLUMN note TEXT"))

    monkeypatch.setattr(migrate, "SCHEMA_VERSION", nxt)
    monkeypatch.setattr(migrate, "STEPS", {**migrate.STEPS, nxt: step_next})
    assert migrate.upgrade(wb.engine) == nxt and ran == [nxt]
    assert migrate.upgrade(wb.engine) == nxt and ran == [nxt]  # once only
    with wb.engine.connect() as conn:
        assert conn.execute(
            sa.text("SELECT value FROM meta WHERE key = 'schema_version'")
        ).scalar() == str(nxt)
        assert conn.execute(sa.text("SELECT note FROM rounds")).all() == [(None,)]
        conn.rollback()
    with wb.engine.begin() as conn:  # leave the shared PostgreSQL schema as the store expects
        conn.execute(sa.text("ALTER TABLE rounds DROP COLUMN note"))
        conn.execute(
            sa.text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(latest)}
        )
    wb.close()


#: Columns of ``panels`` added by schema 6.
SINCE_SCHEMA_5_PANELS = ("purpose", "criteria_set")
#: Tables added after schema 1.
SINCE_SCHEMA_1 = ("conflict_declarations", "panel_timers", "bank_baskets")


def _as_schema_1(engine) -> None:
    """Turn a fresh database into what schema 1 created (the columns and tables added since
    dropped, version 1), as a database of the first build looks."""
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE sheets DROP COLUMN comment"))
        conn.execute(sa.text("ALTER TABLE sheet_versions DROP COLUMN comment"))
        for column in SINCE_SCHEMA_5_PANELS:
            conn.execute(sa.text(f"ALTER TABLE panels DROP COLUMN {column}"))
        for table in SINCE_SCHEMA_1:
            conn.execute(sa.text(f"DROP TABLE {table}"))
        conn.execute(sa.text("UPDATE meta SET value = '1' WHERE key = 'schema_version'"))


def test_upgrade_from_schema_1_keeps_the_sheets_and_adds_comments(db_url) -> None:
    """A database of the first build (schema 1) with a saved sheet opens with the current
    program: the sheet and its version are kept, their comment is empty, new saves keep one."""
    from scoring.store import migrate

    from .conftest import Panel

    wb = Workbench(db_url)
    wb.init(2026)
    org = wb.system_actor("test")
    panel = Panel(wb, org).open()
    me = panel.a["X01"]
    wb.save_scores(me, panel.id, "E001", {"strength": 80}, base_version=0)
    wb.close()
    engine = sa.create_engine(db_url)
    _as_schema_1(engine)
    with engine.connect() as conn:
        assert migrate.current_version(conn) == 1
        assert "comment" not in {c["name"] for c in sa.inspect(conn).get_columns("sheets")}
    engine.dispose()

    again = Workbench(db_url)  # upgrades on open
    with again.engine.connect() as conn:
        assert migrate.current_version(conn) == SCHEMA_VERSION
        assert conn.execute(sa.text("SELECT comment FROM sheet_versions")).all() == [("",)]
    me = again.login(panel.codes["X01"])
    mine = again.my_sheets(me, panel.id).set_index("project_id")
    assert mine.at["E001", "strength"] == 80 and mine.at["E001", "comment"] == ""
    r = again.save_scores(me, panel.id, "E001", {"strength": 81}, base_version=1, comment="好")
    assert r.version == 2
    assert again.my_sheets(me, panel.id).set_index("project_id").at["E001", "comment"] == "好"
    assert again.verify().ok
    with again.engine.connect() as conn:
        for table in SINCE_SCHEMA_1:
            assert sa.inspect(conn).has_table(table)
    assert again.conflict_declaration(me, panel.id) is None
    again.declare_conflicts(me, panel.id, [])
    assert again.conflict_declaration(me, panel.id)["projects"] == []
    again.close()


def test_upgrade_from_schema_5_makes_every_panel_a_defense(db_url) -> None:
    """Schema 6 gives panels a purpose and a criteria set: a database of schema 5 with an open
    panel and a saved sheet opens as a defense on the defense set and goes on scoring."""
    from scoring.store import migrate

    from .conftest import Panel

    wb = Workbench(db_url)
    wb.init(2026)
    org = wb.system_actor("test")
    panel = Panel(wb, org).open()
    wb.save_scores(panel.a["X01"], panel.id, "E001", {"strength": 80}, base_version=0)
    wb.close()
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        for column in SINCE_SCHEMA_5_PANELS:
            conn.execute(sa.text(f"ALTER TABLE panels DROP COLUMN {column}"))
        conn.execute(sa.text("UPDATE meta SET value = '5' WHERE key = 'schema_version'"))
    engine.dispose()

    again = Workbench(db_url)
    with again.engine.connect() as conn:
        assert migrate.current_version(conn) == SCHEMA_VERSION
    org = again.system_actor("test")
    (listed,) = again.panels(org)
    assert (listed["purpose"], listed["criteria_set"]) == ("defense", "defense")
    me = again.login(panel.codes["X01"])
    r = again.save_scores(me, panel.id, "E001", {"strength": 81}, base_version=1)
    assert r.version == 2 and again.verify().ok
    again.close()
