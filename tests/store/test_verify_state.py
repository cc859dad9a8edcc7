"""``verify`` covers the state: every tampering with the sheets, their versions, the frozen
configuration or the chain's tail is named, against a printed head and, with
``SCORING_AUDIT_KEY``, against a re-hashed chain (issue 10, item 2)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from scoring.cli import main
from scoring.store import Workbench
from scoring.store.audit import format_head, record_hash, record_mac
from scoring.store.config import PanelConfig

from .conftest import Panel

#: (expert, project) -> the values of a closed panel: E001 first, E002 second, E010 last.
LEVEL = {"E001": 82, "E002": 72, "E010": 62}
KEY = "test-audit-key-kept-outside-the-database"


def _values(who: str, project: str) -> dict[str, float]:
    base = LEVEL[project] + {"X01": 2, "X02": -2, "X09": 0}[who]
    return {"strength": base, "market": base, "risk": 30, "poverty": base, "demonstration": base}


def _closed(panel: Panel) -> Workbench:
    """Every non-recused sheet confirmed (one corrected by the chair), X02 recused from E002
    after the opening, and the panel closed."""
    wb = panel.open().wb
    wb.declare_conflict(panel.a["ORG"], "X02", "E002", "同一单位 / same employer")
    for who in ("X01", "X02", "X09"):
        me = panel.a[who]
        for project in panel.candidates:
            if (who, project) in {("X09", "E010"), ("X02", "E002")}:
                continue
            wb.save_scores(
                me, panel.id, project, _values(who, project), base_version=0, comment=f"{who} 评语"
            )
            wb.confirm_sheet(me, panel.id, project, code=panel.codes[who], base_version=1)
    fixed = {**_values("X01", "E002"), "market": 70}
    cid = wb.request_correction(
        panel.a["X01"], panel.id, "E002", fixed, "笔误 / typo", base_version=2
    )
    wb.decide_correction(panel.a["CHAIR"], cid, approve=True)
    wb.close_panel(panel.a["CHAIR"], panel.id)
    return wb


def _sql(wb: Workbench, sql: str, **params: Any) -> list[Any]:
    with wb.engine.begin() as conn:
        res = conn.execute(sa.text(sql), params)
        return res.all() if res.returns_rows else []


def _sheet_id(wb: Workbench, expert: str, project: str) -> int:
    return _sql(
        wb,
        "SELECT s.id FROM sheets s JOIN experts e ON e.id = s.expert_pk "
        "JOIN candidates c ON c.id = s.candidate_pk WHERE e.expert_id = :e AND c.project_id = :p",
        e=expert,
        p=project,
    )[0][0]


def _failed(wb: Workbench, *words: str, **kwargs: Any) -> str:
    rep = wb.verify(**kwargs)
    text = "\n".join(rep.problems)
    assert not rep.ok, rep.message
    for w in words:
        assert w in text, (w, text)
    return text


def test_an_untouched_store_verifies_with_its_head(panel, capsys) -> None:
    wb = _closed(panel)
    rep = wb.verify()
    assert rep.ok and rep.problems == () and rep.head == wb.chain_head()
    printed = format_head(*wb.chain_head())
    assert main(["--db", wb.url, "verify", "--head", printed]) == 0
    out = capsys.readouterr().out
    assert f"chain head: {printed}" in out and "match the audit trail" in out
    assert main(["--db", wb.url, "verify", "--head", wb.chain_head()[1][:16]]) == 0


def test_an_edited_score_is_named_with_the_ranking_it_changes(panel, capsys) -> None:
    wb = _closed(panel)
    sid = _sheet_id(wb, "X01", "E010")
    high = json.dumps({k: 100.0 for k in _values("X01", "E010")} | {"risk": 10.0})
    _sql(wb, "UPDATE sheets SET scores = :s WHERE id = :i", s=high, i=sid)
    text = _failed(wb, "expert X01, project E010", "strength 64.0 → 100.0", "ranking of panel")
    assert "E010 #3 → #" in text
    assert main(["--db", wb.url, "verify"]) == 1
    assert "E010" in capsys.readouterr().err


def test_an_edited_version_row_is_named(panel) -> None:
    wb = _closed(panel)
    sid = _sheet_id(wb, "X01", "E002")
    _sql(wb, "UPDATE sheet_versions SET kind = 'draft' WHERE sheet_id = :i AND version = 3", i=sid)
    _failed(wb, "version 3 of the sheet of panel", "expert X01, project E002", "kind")


def test_a_deleted_sheet_is_named(panel) -> None:
    wb = _closed(panel)
    sid = _sheet_id(wb, "X02", "E001")
    _sql(wb, "DELETE FROM sheet_versions WHERE sheet_id = :i", i=sid)
    _sql(wb, "DELETE FROM sheets WHERE id = :i", i=sid)
    _failed(wb, "expert X02, project E001 was deleted", "version 2 of the sheet")


def test_a_confirmed_sheet_flipped_back_to_draft_is_named(panel) -> None:
    wb = _closed(panel)
    _sql(wb, "UPDATE sheets SET status = 'draft' WHERE id = :i", i=_sheet_id(wb, "X01", "E001"))
    _failed(wb, "expert X01, project E001 was changed", "status 'confirmed' → 'draft'")


def test_a_recused_sheet_brought_back_is_named(panel) -> None:
    wb = _closed(panel)
    _sql(wb, "UPDATE sheets SET status = 'confirmed' WHERE id = :i", i=_sheet_id(wb, "X02", "E002"))
    _failed(wb, "status 'recused' → 'confirmed'")


@pytest.mark.parametrize("rehash", [False, True])
def test_edited_frozen_weights_are_named(panel, rehash: bool) -> None:
    wb = _closed(panel)
    content = _sql(wb, "SELECT content FROM panel_configs WHERE panel_id = :p", p=panel.id)[0][0]
    cfg = json.loads(content)
    cfg["criteria"]["criteria"]["strength"]["weight"] = 0.45
    cfg["criteria"]["criteria"]["market"]["weight"] = 0.05
    text = PanelConfig.from_json(json.dumps(cfg)).to_json()
    new_hash = PanelConfig.from_json(text).content_hash
    _sql(
        wb,
        "UPDATE panel_configs SET content = :c" + (", content_hash = :h" if rehash else ""),
        c=text,
        h=new_hash,
    )
    out = _failed(wb, f"frozen configuration of panel {panel.id} was edited", "strength.weight")
    assert ("content_hash" in out) is rehash
    assert ("does not match the stored content" in out) is not rehash


def test_a_reopened_panel_status_is_named(panel) -> None:
    wb = _closed(panel)
    _sql(wb, "UPDATE panels SET status = 'open' WHERE id = :p", p=panel.id)
    _failed(wb, f"panel {panel.id}: status open in the database, closed in the audit trail")


def _truncate(wb: Workbench, keep: int) -> None:
    """Delete the records after ``keep`` and rewind the head onto it (a consistent chain)."""
    (h,) = _sql(wb, "SELECT hash FROM audit_log WHERE seq = :s", s=keep)[0]
    _sql(wb, "DELETE FROM audit_log WHERE seq > :s", s=keep)
    _sql(wb, "UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1", s=keep, h=h)


def test_a_truncated_tail_with_a_rewound_head_fails_against_the_printed_head(
    wb, org, capsys
) -> None:
    for i in range(6):
        wb.create_account(org, f"C{i}", "chair")
    seq, h = wb.chain_head()
    _truncate(wb, seq - 3)
    assert wb.verify().ok  # consistent in itself: only the anchor outside the database sees it
    _failed(wb, f"#{seq}", "tail truncated, head rewound", head=(seq, h))
    assert wb.verify(head=(seq, h)).bad_seq == seq - 2  # the first record missing
    _failed(wb, "no audit record has the printed head hash", head=format_head(seq, h)[2:])
    assert main(["--db", wb.url, "verify", "--head", format_head(seq, h)]) == 1
    err = capsys.readouterr().err
    assert f"printed head #{seq}" in err and f"last record #{seq - 3}" in err
    with pytest.raises(ValueError, match="SEQ:HASH"):
        wb.verify(head="12:xyz")


def _rehash_from(wb: Workbench, first: int) -> None:
    """Recompute every hash from ``first`` on and move the head (an attacker without the key)."""
    rows = _sql(
        wb,
        "SELECT seq, ts, actor, action, target, details, prev_hash FROM audit_log "
        "WHERE seq >= :s ORDER BY seq",
        s=first,
    )
    prev = rows[0].prev_hash
    for r in rows:
        h = record_hash(r.seq, r.ts, r.actor, r.action, r.target, r.details, prev)
        _sql(
            wb,
            "UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s",
            p=prev,
            h=h,
            s=r.seq,
        )
        prev = h
    _sql(wb, "UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1", s=rows[-1].seq, h=prev)


def test_a_rehashed_chain_fails_with_the_key(db_url, monkeypatch) -> None:
    monkeypatch.setenv("SCORING_AUDIT_KEY", KEY)
    wb = Workbench(db_url)
    wb.init(2026)
    org = wb.system_actor("test")
    for i in range(5):
        wb.create_account(org, f"C{i}", "chair")
    n, _ = wb.chain_head()
    with wb.engine.connect() as conn:  # the database's own MAC equals Python's (PostgreSQL too)
        rows = conn.execute(sa.text("SELECT seq, hash, mac FROM audit_log ORDER BY seq")).all()
    assert len(rows) == n and all(r.mac == record_mac(KEY.encode(), r.hash) for r in rows)
    assert (rep := wb.verify()).ok and rep.macs == n and "keyed MAC" in rep.message
    _sql(wb, "UPDATE audit_log SET target = 'account:EVIL' WHERE seq = :s", s=n - 2)
    _rehash_from(wb, n - 2)
    monkeypatch.delenv("SCORING_AUDIT_KEY")
    assert wb.verify().ok  # without the key the re-hashed chain looks sound
    rep = wb.verify(key=KEY.encode())
    assert not rep.ok and rep.bad_seq == n - 2 and "keyed MAC does not match" in rep.message
    monkeypatch.setenv("SCORING_AUDIT_KEY", KEY)
    assert main(["--db", wb.url, "verify"]) == 1
    wb.close()


def test_a_removed_mac_and_an_unkeyed_prefix(wb, org, monkeypatch) -> None:
    wb.create_account(org, "C0", "chair")  # before the key
    first = wb.chain_head()[0] + 1
    monkeypatch.setenv("SCORING_AUDIT_KEY", KEY)
    wb.create_account(org, "C1", "chair")
    wb.create_account(org, "C2", "chair")
    _failed(wb, "#1 carries no MAC")
    assert wb.verify(keyed_from=first).ok
    _sql(wb, "UPDATE audit_log SET mac = NULL WHERE seq = :s", s=first + 1)
    _failed(wb, f"#{first + 1} carries no MAC", keyed_from=first)


def test_upgrade_from_schema_7_adds_the_mac_column(db_url) -> None:
    from scoring.store import migrate

    w = Workbench(db_url)
    w.init(2026)
    w.close()
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE audit_log DROP COLUMN mac"))
        conn.execute(sa.text("UPDATE meta SET value = '7' WHERE key = 'schema_version'"))
    engine.dispose()
    again = Workbench(db_url)
    with again.engine.connect() as conn:
        assert migrate.current_version(conn) == migrate.SCHEMA_VERSION >= 8
        assert "mac" in {c["name"] for c in sa.inspect(conn).get_columns("audit_log")}
    again.create_account(again.system_actor("t"), "C9", "chair")
    assert again.verify().ok
    again.close()
