"""Engine settings, schema creation and upgrade, frozen configuration hash."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from scoring.criteria import default_criteria
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

    def step2(conn) -> None:
        ran.append(2)
        conn.execute(sa.text("ALTER TABLE rounds ADD COLUMN note TEXT"))

    monkeypatch.setattr(migrate, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(migrate, "STEPS", {2: step2})
    assert migrate.upgrade(wb.engine) == 2 and ran == [2]
    assert migrate.upgrade(wb.engine) == 2 and ran == [2]  # once only
    with wb.engine.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
            == "2"
        )
        assert conn.execute(sa.text("SELECT note FROM rounds")).all() == [(None,)]
        conn.rollback()
    with wb.engine.begin() as conn:  # leave the shared PostgreSQL schema as the store expects
        conn.execute(sa.text("ALTER TABLE rounds DROP COLUMN note"))
        conn.execute(sa.text("UPDATE meta SET value = '1' WHERE key = 'schema_version'"))
    wb.close()
