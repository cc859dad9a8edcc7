"""Attacks replayed over a real kernel websocket against a real ``scoring serve`` (issue 10).

The protocol client of the load benchmark (``benchmarks/load/``) opens the real expert page as a
browser would (page cookie, kernel websocket, widget comm messages) and then sends what a
dishonest expert's own browser could send:

* item 1: after confirming a sheet, tick the hidden conflict box of that very candidate and
  click the hidden "declare" button (comm ``update`` and ``click`` messages). The store refuses
  it; the sheet stays confirmed, nothing is declared and the refusal is what the page says;
* item 8: wrong access codes typed into the page are throttled and audited with the client's
  address (the server hands each kernel the address of the page that started it).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from load.protocol import KernelSession  # noqa: E402
from load.seed import seed  # noqa: E402
from load.user import Options, UserResult, open_page, work  # noqa: E402

from scoring.deploy.procs import free_port, spawn, stop_group, wait_http  # noqa: E402
from scoring.store import Workbench  # noqa: E402

TIMEOUT = 120.0


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``(base_url, db_url, seeded)``: ``scoring serve`` over the real dashboards."""
    tmp = tmp_path_factory.mktemp("attacks")
    db = f"sqlite:///{tmp / 'attacks.sqlite'}"
    seeded = seed(db, experts=3, candidates=3)
    port = free_port()
    env = {
        "SCORING_DB": db,
        "SCORING_HOME": str(tmp),
        "SCORING_DASHBOARDS": str(ROOT / "dashboards"),
        "MPLCONFIGDIR": str(tmp / "mpl"),
    }
    argv = [sys.executable, "-m", "scoring", "--db", db, "serve", "--port", str(port)]
    proc = spawn(argv, env=env, log=tmp / "serve.log", cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/", 120, proc)
        yield base, db, seeded
    finally:
        stop_group(proc)


def _run(coro):
    return asyncio.run(asyncio.wait_for(coro, TIMEOUT * 2))


async def _page(base: str, source: str | None = None) -> KernelSession:
    return await open_page(base, "expert", TIMEOUT, UserResult("attacker"), source)


def test_a_late_declaration_sent_over_the_websocket_is_refused(served) -> None:
    base, db, seeded = served
    login = sorted(seeded["codes"])[0]
    code = seeded["codes"][login]

    async def attack() -> tuple[str, str]:
        ks = await _page(base)
        assert ks.v1  # the server relays raw parts, as to the browser's own client
        try:
            opts = Options(sheets=1, timeout=TIMEOUT, think=0, typing=0.2, heartbeat=False)
            await work(ks, __import__("random").Random(1), code, opts, UserResult(login))
            wb = Workbench(db)
            try:
                me = wb.login(code)
                sheets = wb.my_sheets(me, seeded["panel"])
            finally:
                wb.close()
            confirmed = sheets[sheets["status"] == "confirmed"]
            assert len(confirmed) == 1
            project = str(confirmed["project_id"].iloc[0])
            boxes = [
                m
                for m, state in ks.widgets.items()
                if state.get("_model_name") == "CheckboxModel"
                and str(state.get("description", "")).startswith(project + " ")
            ]
            assert boxes, "the conflict step's checkbox of the confirmed candidate exists"
            ks.update(boxes[0], value=True)
            reason = next(
                m
                for m, s in ks.widgets.items()
                if s.get("_model_name") == "TextModel"
                and s.get("layout")
                and m not in ks.with_class("scoring-code")
                and m not in ks.with_class("scoring-comment")
                and m not in ks.with_class("scoring-confirm-code")
            )
            ks.update(reason, value="突然想起的关系")
            ks.click(ks.one("scoring-declare"))

            def refused() -> str | None:
                for m in ks.with_class("scoring-error"):
                    text = str(ks.widgets[m].get("value") or "")
                    if text.strip():
                        return text
                return None

            message = await ks.wait_for(refused, TIMEOUT, "the refusal on the page")
            return project, message
        finally:
            await ks.close()

    project, message = _run(attack())
    assert "不能再自行申报回避" in message and "主持人" in message, message  # through the chair
    wb = Workbench(db)
    try:
        me = wb.login(code)
        sheets = wb.my_sheets(me, seeded["panel"]).set_index("project_id")
        assert sheets.at[project, "status"] == "confirmed"  # not recused: the score counts
        assert wb.conflict_declaration(me, seeded["panel"])["projects"] == []
        org = wb.system_actor()
        log = wb.audit_log(org)
        assert not any(
            r["action"].startswith("conflict.declare") and project in str(r["details"])
            for _, r in log.iterrows()
        )
    finally:
        wb.close()


def test_wrong_codes_typed_into_the_page_are_audited_with_the_clients_address(served) -> None:
    base, db, _seeded = served
    source = "127.0.0.7"

    async def guess() -> None:
        ks = await _page(base, source)
        try:
            box, button = ks.visible("scoring-code"), ks.visible("scoring-login")
            ks.update(box, value="NOBODY-AAAA-BBBB-CCCC")
            ks.click(button)

            def answered() -> bool:
                err = [
                    str(ks.widgets[m].get("value") or "") for m in ks.with_class("scoring-error")
                ]
                return any(e.strip() for e in err)

            await ks.wait_for(answered, TIMEOUT, "the login refusal")
        finally:
            await ks.close()

    _run(guess())
    # the store counted the failure against the page's client address too (it is audited,
    # with that address, once the login's batch of failures is due: accounts.AUDIT_EVERY_S)
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            rows = dict(conn.execute(sa.text("SELECT key, client FROM login_attempts")).all())
    finally:
        engine.dispose()
    assert f"client:{source}" in rows, rows
    assert rows["login:NOBODY"] == source
