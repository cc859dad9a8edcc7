"""The expert page over the store process (scoring.ui.remote): a real child process on a real
(SQLite) store, an expert session in a kernel-like subprocess that must not import the store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from scoring.store import AccessDenied, Workbench
from scoring.ui.backend import StoreBackend
from scoring.ui.remote.client import LOST, RemoteBackend, StoreUnavailable
from scoring.ui.remote.process import StoreProcess
from scoring.ui.remote.server import KEY_ENV, SOCKET_ENV

HEAVY = ("pandas", "numpy", "sqlalchemy", "psycopg", "matplotlib", "scipy", "skcriteria")


@pytest.fixture
def served(seeded_db, tmp_path, monkeypatch):
    """``(StoreProcess, db url, info)``: a store process over a copy of the seeded store."""
    src, info = seeded_db
    db = tmp_path / "db.sqlite"
    shutil.copy(src, db)
    url = f"sqlite:///{db}"
    monkeypatch.setenv("SCORING_HOME", str(tmp_path))
    monkeypatch.setenv("SCORING_DB", url)
    monkeypatch.delenv(SOCKET_ENV, raising=False)
    monkeypatch.delenv(KEY_ENV, raising=False)
    proc = StoreProcess().start()
    yield proc, url, info
    proc.stop()
    for name in (SOCKET_ENV, KEY_ENV):  # start() set them for the kernels
        os.environ.pop(name, None)


_SESSION = """
import json, sys
from scoring.ui.expert import expert_app
app = expert_app(poll=False)
model, view = app.model, app.view
view.login.code.value = sys.argv[1]
view.login.button.click()
if model.phase == "conflicts":
    view.no_conflict.click()
for key in model.criterion_names():
    view.inputs[key].value = "80"
view.comment.value = "材料完整"
view.code.value = sys.argv[1]
view.confirm.click()
model.tick()
print(json.dumps({
    "backend": type(model.backend).__name__, "phase": model.phase, "current": model.current,
    "status": model.sheet_status, "error": model.error, "card": view.card.value,
    "progress": model.progress_text,
    "heavy": [m for m in %r if m in sys.modules],
}, ensure_ascii=False))
"""


def test_an_expert_scores_through_the_store_process_with_no_store_in_the_kernel(served):
    proc, url, info = served
    code = info["codes"]["X01"]
    out = subprocess.run(
        [sys.executable, "-c", _SESSION % (HEAVY,), code],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),  # as a kernel of the server: the socket and the key
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["backend"] == "RemoteBackend"
    assert got["error"] == "" and got["phase"] == "scoring"
    assert got["status"] == "confirmed" and got["current"] == "E001"
    assert "E001" in got["card"] and "营业收入" in got["card"]
    assert got["progress"].startswith("1 / 6")
    assert got["heavy"] == []
    # what the store holds, read directly
    wb = Workbench(url, create=False)
    stored = StoreBackend(workbench=wb).sheet(wb.login(code), info["panels"]["P1"], "E001")
    assert stored.status == "confirmed" and stored.comment == "材料完整"
    assert stored.scores["strength"] == 80.0
    wb.close()


def test_rights_stay_the_stores_and_handles_mean_nothing_elsewhere(served):
    proc, _url, info = served
    a = RemoteBackend(str(proc.socket), proc.key)
    b = RemoteBackend(str(proc.socket), proc.key)
    chair = a.login(info["codes"]["chair"])
    with pytest.raises(AccessDenied):  # the store refuses the chair an expert's sheet
        a.sheet(chair, info["panels"]["P1"], "E001")
    x01 = a.login(info["codes"]["X01"])
    assert a.sheet(x01, info["panels"]["P1"], "E001").status == "empty"
    with pytest.raises(AccessDenied, match="重新登录"):  # the handle of another connection
        b.sheet(x01, info["panels"]["P1"], "E001")
    a.logout(x01)
    with pytest.raises(AccessDenied, match="重新登录"):
        a.sheet(x01, info["panels"]["P1"], "E001")
    with pytest.raises(AttributeError):  # not an expert page's call: not even offered here
        a.close_panel  # noqa: B018
    with pytest.raises(PermissionError, match="not offered"):  # nor answered there
        a.call("close_panel", chair, info["panels"]["P1"])
    a.close()
    b.close()


def test_a_wrong_key_gets_no_connection(served):
    proc, _url, info = served
    bad = RemoteBackend(str(proc.socket), b"\x00" * 32)
    with pytest.raises(StoreUnavailable):
        bad.login(info["codes"]["X01"])


def test_a_dead_store_process_is_restarted_and_the_page_asked_to_log_in_again(served):
    proc, _url, info = served
    page = RemoteBackend(str(proc.socket), proc.key)
    me = page.login(info["codes"]["X01"])
    proc.proc.kill()
    proc.proc.wait()
    assert proc.watch() and proc.restarts == 1
    with pytest.raises(StoreUnavailable) as lost:
        page.sheet(me, info["panels"]["P1"], "E001")
    assert str(lost.value) == LOST
    with pytest.raises(AccessDenied, match="重新登录"):  # reconnected; the old handle is gone
        page.sheet(me, info["panels"]["P1"], "E001")
    me = page.login(info["codes"]["X01"])
    assert page.sheet(me, info["panels"]["P1"], "E001").status == "empty"
    page.close()
