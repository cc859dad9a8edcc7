"""A writer killed with SIGKILL in the middle of saving leaves a sound database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import sqlalchemy as sa

from scoring.store import Workbench

from .conftest import ROOT

WRITER = textwrap.dedent("""
    import sys, os
    from scoring.store import Workbench
    url, code, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    projects = sys.argv[4].split(",")
    wb = Workbench(url, create=False)
    me = wb.login(code)
    crit = ("strength", "market", "risk", "poverty", "demonstration")
    n = 0
    while True:  # save and confirm sheets for ever (re-opening by correction is not needed:
        for p in projects:  # drafts are rewritten; confirmed sheets refuse, so confirm the last)
            for k in range(1, 6):
                scores = {c: 40 + (n + k + i) % 50 for i, c in enumerate(crit[:k])}
                r = wb.save_scores(me, pid, p, scores, base_version=wb_version(wb, me, pid, p))
                n += 1
                if n == 20:
                    print("running", flush=True)
""")
HELPER = textwrap.dedent("""
    def wb_version(wb, me, pid, p):
        df = wb.my_sheets(me, pid)
        return int(df.loc[df.project_id == p, "version"].iloc[0])
""")


def test_sigkill_mid_save_leaves_sound_database(panel, tmp_path) -> None:
    wb = panel.open().wb
    me = panel.a["X01"]
    # one sheet confirmed before the crash
    full = {"strength": 81, "market": 72, "risk": 33, "poverty": 64, "demonstration": 75}
    wb.save_scores(me, panel.id, "E001", full, base_version=0)
    wb.confirm_sheet(me, panel.id, "E001", code=panel.codes["X01"], base_version=1)
    script = tmp_path / "writer.py"
    script.write_text(HELPER + WRITER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(script), wb.url, panel.codes["X02"], str(panel.id), "E001,E002"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "running", proc.stderr.read()
        time.sleep(0.3)  # it keeps writing; kill it somewhere inside a save
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    after = Workbench(wb.url)  # opens (recovers the WAL on SQLite)
    rep = after.verify()
    assert rep.ok, rep.message
    with after.engine.connect() as conn:
        # no partial sheet: every sheet's current state is exactly its newest stored version
        rows = conn.execute(
            sa.text(
                "SELECT s.id, s.version, s.status, s.scores, "
                "(SELECT MAX(v.version) FROM sheet_versions v WHERE v.sheet_id = s.id) AS top, "
                "(SELECT COUNT(*) FROM sheet_versions v WHERE v.sheet_id = s.id) AS n "
                "FROM sheets s"
            ).columns(sa.column("scores", sa.JSON))
        ).all()
        for r in rows:
            assert r.version == (r.top or 0) == r.n
        drafts = conn.execute(
            sa.text("SELECT COUNT(*) FROM audit_log WHERE action = 'sheet.draft'")
        ).scalar()
        versions = conn.execute(sa.text("SELECT COUNT(*) FROM sheet_versions")).scalar()
        confirms = conn.execute(
            sa.text("SELECT COUNT(*) FROM audit_log WHERE action = 'sheet.confirm'")
        ).scalar()
        assert drafts + confirms == versions  # every stored version has its audit record
    assert drafts > 20
    # the confirmed sheet is intact
    mine = after.my_sheets(after.login(panel.codes["X01"]), panel.id).set_index("project_id")
    assert mine.loc["E001", "status"] == "confirmed"
    assert {k: mine.loc["E001", k] for k in full} == full
    # and the store is usable: the killed expert can go on from his last stored version
    x2 = after.login(panel.codes["X02"])
    sheet = after.my_sheets(x2, panel.id).set_index("project_id").loc["E002"]
    r = after.save_scores(x2, panel.id, "E002", full, base_version=int(sheet["version"]))
    assert r.status == "saved"
    after.close()
