"""Login throttling, the audit of failed logins and refusals that all take the same time
(issue 10, item 8): attempts are counted in the database per login and per client, so every
server process sees them; a locked-out login answers like a wrong code."""

from __future__ import annotations

import json
import logging
import statistics
import time

import pytest
import sqlalchemy as sa

from scoring.store import AccessDenied, Workbench, accounts
from scoring.store import accounts_service as service

DENIED = "invalid access code"


def _wrong(code: str) -> str:
    """``code`` with its last character changed (the same login, a wrong secret)."""
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def _refused(wb: Workbench, code: str, **kwargs) -> str:
    with pytest.raises(AccessDenied) as exc:
        wb.login(code, **kwargs)
    return str(exc.value)


def _auth_fails(wb: Workbench) -> list[dict]:
    with wb.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT actor, target, details FROM audit_log WHERE action = 'auth.fail'")
        ).all()
    return [dict(r._mapping) for r in rows]


def test_a_login_is_locked_out_in_every_process_and_a_new_code_unlocks_it(panel, db_url) -> None:
    wb, codes = panel.wb, panel.codes
    messages = {_refused(wb, _wrong(codes["X01"])) for _ in range(accounts.LOGIN_LIMIT)}
    # past the limit even the right code is refused, with the wrong code's message, and so in
    # another server process (another store object on the same database)
    with Workbench(db_url) as other:
        messages.add(_refused(other, codes["X01"]))
        messages.add(_refused(wb, codes["X01"]))
        assert other.login(codes["X02"]).login == "X02"  # other logins are not affected
    assert len(messages) == 1 and DENIED in messages.pop()
    new_code = wb.reissue_code(panel.a["ORG"], "X01")  # the organizer's remedy
    assert wb.login(new_code).login == "X01"
    # a success starts a new window: a few typing errors then the right code keep working
    for _ in range(3):
        for _ in range(accounts.LOGIN_LIMIT - 1):
            _refused(wb, _wrong(new_code))
        assert wb.login(new_code).login == "X01"


def test_a_client_is_throttled_across_logins(panel, monkeypatch) -> None:
    wb, codes = panel.wb, panel.codes
    monkeypatch.setattr(accounts, "CLIENT_LIMIT", 4)
    for who in ("X01", "X02", "X03", "CHAIR"):  # one wrong code each: under every login limit
        _refused(wb, _wrong(codes[who]), client="203.0.113.7")
    assert _refused(wb, codes["X09"], client="203.0.113.7").endswith(DENIED)
    assert wb.login(codes["X09"], client="198.51.100.2").login == "X09"  # another address
    assert wb.login(codes["X09"]).login == "X09"  # and a caller that knows no address
    # successes from a shared address (a venue's network) do not count against it
    for _ in range(6):
        assert wb.login(codes["ORG"], client="198.51.100.9").login == "ORG"


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    """The store's clock for login attempts, moved by the test."""
    now = [1_000_000.0]
    monkeypatch.setattr(service.time, "time", lambda: now[0])
    return now


def test_failed_logins_are_audited_and_logged_without_the_code(panel, clock, caplog) -> None:
    """One ``auth.fail`` record per login per minute, with the count, written once the minute
    is over (at the next login attempt of anyone); the log says it at once."""
    wb, codes = panel.wb, panel.codes
    caplog.set_level(logging.WARNING, logger=service.__name__)
    wrong = _wrong(codes["X01"])
    for _ in range(4):  # a burst within a minute
        _refused(wb, wrong, client="203.0.113.7")
        clock[0] += 1
    _refused(wb, "NOBODY-AAAA-BBBB-CCCC", client="203.0.113.7")  # an unknown login too
    assert any("X01" in m and "203.0.113.7" in m for m in caplog.messages)  # logged at once
    clock[0] += 61
    _refused(wb, wrong, client="203.0.113.7")  # the burst's minute is over: its record
    clock[0] += 1
    _refused(wb, wrong, client="203.0.113.7")  # a new minute's first failure: waits
    clock[0] += 30
    assert wb.login(codes["X02"]).login == "X02"  # anyone's login writes what is due
    clock[0] += 61
    assert wb.login(codes["X02"]).login == "X02"
    records = _auth_fails(wb)
    x01 = [json.loads(r["details"]) for r in records if r["target"] == "account:X01"]
    assert [d["failures"] for d in x01] == [5, 1]
    assert all(d["client"] == "203.0.113.7" and d["login"] == "X01" for d in x01)
    assert all(r["actor"] == "auth" for r in records)
    assert [r["target"] for r in records].count("account:NOBODY") == 1
    secret = wrong.split("-", 1)[1]
    assert not any(secret in r["details"] for r in records)
    assert not any(secret in m for m in caplog.messages)
    assert wb.verify().ok


def test_the_audit_cannot_be_flooded_with_invented_logins(panel, clock, monkeypatch) -> None:
    wb = panel.wb
    monkeypatch.setattr(accounts, "AUDIT_PER_MINUTE", 3)
    for i in range(8):
        _refused(wb, f"INVENTED{i}-AAAA-BBBB-CCCC")
    clock[0] += 61
    wb.login(panel.codes["X01"])
    assert len(_auth_fails(wb)) == 3  # the rest wait, still counted, for the next minutes
    clock[0] += 61
    wb.login(panel.codes["X01"])
    assert len(_auth_fails(wb)) == 6


def _medians_ms(calls: dict, rounds: int = 9) -> dict[str, float]:
    """Median time of each refused call, the calls taken in turn (load hits all alike)."""
    times: dict[str, list[float]] = {k: [] for k in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            t0 = time.perf_counter()
            with pytest.raises(AccessDenied):
                call()
            times[name].append((time.perf_counter() - t0) * 1000)
    return {k: statistics.median(v) for k, v in times.items()}


def test_every_refusal_takes_the_time_of_a_wrong_code(wb, org, monkeypatch) -> None:
    """Unknown login, revoked account, wrong code, malformed code, locked-out login: one scrypt
    of the production cost each (a revoked account answered in 0.3 ms against 37 ms)."""
    monkeypatch.setattr(accounts, "SCRYPT_N", 2**14)  # the production cost, for hash and dummy
    codes = {x: wb.create_account(org, x, "organizer") for x in ("WRONG", "REVOKED", "LOCKED")}
    wb.revoke(org, "REVOKED")
    for _ in range(accounts.LOGIN_LIMIT):
        _refused(wb, _wrong(codes["LOCKED"]))
    times = _medians_ms(
        {
            "wrong": lambda: wb.login(_wrong(codes["WRONG"])),
            "unknown": lambda: wb.login("NOBODY-AAAA-BBBB-CCCC"),
            "revoked": lambda: wb.login(codes["REVOKED"]),
            "malformed": lambda: wb.login("not a code"),
            "locked": lambda: wb.login(codes["LOCKED"]),  # the right code
        }
    )
    ref = times["wrong"]
    assert all(0.5 * ref <= t <= 2 * ref for t in times.values()), times


#: What a database of schema 8 lacks.
TO_SCHEMA_8 = (
    "DROP TABLE login_attempts",
    "UPDATE meta SET value = '8' WHERE key = 'schema_version'",
)


def test_upgrade_from_schema_8_adds_the_login_attempts(db_url) -> None:
    from scoring.store.migrate import SCHEMA_VERSION, current_version

    from .conftest import Panel

    with Workbench(db_url) as old:
        old.init(2026)
        codes = Panel(old, old.system_actor("test")).codes
        with old.engine.begin() as conn:
            for statement in TO_SCHEMA_8:
                conn.execute(sa.text(statement))
    with Workbench(db_url) as again:
        with again.engine.connect() as conn:
            assert sa.inspect(conn).has_table("login_attempts")
            assert current_version(conn) == SCHEMA_VERSION >= 9
        for _ in range(accounts.LOGIN_LIMIT):
            _refused(again, _wrong(codes["X01"]))
        _refused(again, codes["X01"])
        assert again.login(codes["X02"]).login == "X02"
