"""A SQLite file that is not a valid database (truncated, random bytes) is refused with one
line naming the file and what to do, by ``Workbench(...)`` and on the command line (exit 2)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from scoring.cli import main
from scoring.store import StoreError, Workbench


@pytest.fixture(scope="module")
def good_file(tmp_path_factory) -> Path:
    """A valid store with some content, checkpointed into its main file."""
    path = tmp_path_factory.mktemp("good") / "store.sqlite"
    wb = Workbench(str(path))
    wb.init(2026)
    org = wb.system_actor("test")
    for i in range(40):
        wb.create_account(org, f"ORG{i}", "organizer", name="组织方 " * 20)
    wb.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path


def _bad(tmp_path: Path, good: Path, kind: str) -> Path:
    data = good.read_bytes()
    bad = tmp_path / f"{kind}.sqlite"
    if kind == "truncated":
        bad.write_bytes(data[: len(data) // 2])
    elif kind == "header-only":
        bad.write_bytes(data[:100])
    else:
        bad.write_bytes(os.urandom(8192))
    return bad


@pytest.mark.parametrize("kind", ["truncated", "header-only", "random"])
def test_workbench_names_the_file_in_one_line(tmp_path, good_file, kind) -> None:
    bad = _bad(tmp_path, good_file, kind)
    with pytest.raises(StoreError) as exc:
        Workbench(str(bad))
    text = str(exc.value)
    assert "\n" not in text and str(bad) in text
    assert "not a valid SQLite database" in text and "backup" in text and "有效" in text
    assert exc.value.__cause__ is None and exc.value.__suppress_context__  # no driver traceback
    # a valid file, an empty one and a missing one still open (the last two: new databases)
    with Workbench(str(good_file)) as wb:
        assert wb.current_year() == 2026
    (tmp_path / "empty.sqlite").write_bytes(b"")
    for new in ("empty.sqlite", "new.sqlite"):
        with Workbench(str(tmp_path / new)) as wb:
            wb.init(2027)


@pytest.mark.parametrize("kind", ["truncated", "random"])
def test_the_command_line_prints_one_line_and_exits_2(tmp_path, good_file, kind, capsys) -> None:
    bad = _bad(tmp_path, good_file, kind)
    assert main(["--db", str(bad), "verify"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(bad) in err and "Traceback" not in err
