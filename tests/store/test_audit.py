"""Hash-chained audit trail: every change is recorded; editing or deleting a record is detected."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from scoring.cli import main
from scoring.store import Workbench

from .conftest import FULL


def _actions(wb: Workbench) -> list[str]:
    with wb.engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT action FROM audit_log ORDER BY seq")).scalars())


def test_every_kind_of_change_is_audited(panel) -> None:
    wb = panel.open().wb
    me = panel.a["X01"]
    wb.save_scores(me, panel.id, "E001", FULL, base_version=0)
    wb.save_scores(me, panel.id, "E001", FULL, base_version=0)  # duplicate: not a change
    wb.confirm_sheet(me, panel.id, "E001", code=panel.codes["X01"], base_version=1)
    wb.close_panel(
        panel.a["CHAIR"], panel.id, force=True, reason="测试：提前结束 / test closes early"
    )
    acts = _actions(wb)
    for a in (
        "round.create",
        "import.candidates",
        "import.experts",
        "account.create",
        "panel.create",
        "conflict.declare",
        "config.freeze",
        "panel.open",
        "sheet.draft",
        "sheet.confirm",
        "panel.close",
    ):
        assert a in acts, a
    assert acts.count("sheet.draft") == 1
    rep = wb.verify()
    assert rep.ok and rep.records == len(acts)


def _tamper(wb: Workbench, sql: str) -> None:
    with wb.engine.begin() as conn:
        conn.exec_driver_sql(sql)


def _seed(wb: Workbench, org) -> None:
    for i in range(6):
        wb.create_account(org, f"C{i}", "chair")


def test_edited_record_is_named(wb, org, capsys) -> None:
    _seed(wb, org)
    _tamper(wb, "UPDATE audit_log SET target = 'account:EVIL' WHERE seq = 4")
    rep = wb.verify()
    assert not rep.ok and rep.bad_seq == 4 and "#4" in rep.message and "edited" in rep.message
    assert main(["--db", wb.url, "verify"]) == 1
    assert "#4" in capsys.readouterr().err


def test_edited_hash_breaks_next_link(wb, org) -> None:
    _seed(wb, org)
    # recomputing nothing but replacing a hash: the record itself fails first
    _tamper(wb, "UPDATE audit_log SET hash = '" + "a" * 64 + "' WHERE seq = 3")
    rep = wb.verify()
    assert not rep.ok and rep.bad_seq == 3


def test_deleted_record_is_named(wb, org, capsys) -> None:
    _seed(wb, org)
    _tamper(wb, "DELETE FROM audit_log WHERE seq = 5")
    rep = wb.verify()
    assert not rep.ok and rep.bad_seq == 5 and "deleted" in rep.message
    assert main(["--db", wb.url, "verify"]) == 1
    assert "#5" in capsys.readouterr().err


def test_deleting_the_newest_records_is_detected(wb, org) -> None:
    _seed(wb, org)
    n = wb.verify().records
    _tamper(wb, f"DELETE FROM audit_log WHERE seq >= {n - 1}")
    rep = wb.verify()
    assert not rep.ok and rep.bad_seq == n - 1


def test_intact_chain_verifies_on_the_command_line(wb, org, capsys) -> None:
    _seed(wb, org)
    assert main(["--db", wb.url, "verify"]) == 0
    assert "intact" in capsys.readouterr().out


def test_chain_stays_a_chain_under_concurrent_writers(panel) -> None:
    """Eight threads (own connections) save at once; the chain has no fork and no gap."""
    wb = panel.open().wb
    errors: list[BaseException] = []

    def run(who: str, project: str) -> None:
        try:
            w = Workbench(wb.url, create=False)
            me = w.login(panel.codes[who])
            for i in range(5):
                w.save_scores(me, panel.id, project, {"strength": 50 + i}, base_version=i)
            w.close()
        except BaseException as exc:  # re-raised in the main thread
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(w, p)) for w in ("X01", "X02") for p in panel.candidates
    ]
    threads += [threading.Thread(target=run, args=("X09", p)) for p in ("E001", "E002")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    rep = wb.verify()
    assert rep.ok
    assert _actions(wb).count("sheet.draft") == 8 * 5
