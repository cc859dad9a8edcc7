"""Imports: all or nothing, every problem with file/row/column, re-import changes nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.errors import InputError
from scoring.store import Workbench

from .conftest import DEMO


def _state(wb: Workbench) -> tuple:
    with wb.engine.connect() as conn:
        cands = conn.execute(
            sa.text("SELECT project_id, data FROM candidates ORDER BY project_id")
        ).all()
        exps = conn.execute(sa.text("SELECT expert_id, data FROM experts ORDER BY expert_id")).all()
        audit = conn.execute(sa.text("SELECT COUNT(*), MAX(seq) FROM audit_log")).one()
    return [tuple(r) for r in cands], [tuple(r) for r in exps], tuple(audit)


def _demo(n: int = 4) -> pd.DataFrame:
    return pd.read_csv(
        DEMO / "candidates.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    ).head(n)


def test_reimport_changes_nothing_and_changes_are_counted(wb, org, tmp_path) -> None:
    first = wb.import_candidates(org, DEMO / "candidates.csv")
    assert len(first.added) == 50 and not first.changed
    before = _state(wb)
    again = wb.import_candidates(org, DEMO / "candidates.csv")
    assert (again.added, again.changed, again.unchanged) == ((), (), 50)
    assert _state(wb) == before  # not even an audit record
    # the same content as xlsx with Chinese headers: still nothing changes
    from scoring.io import read_candidates, write_table

    typed = read_candidates(DEMO / "candidates.csv").reset_index(drop=True)
    xlsx = write_table(typed, tmp_path / "候选.xlsx", title="候选项目")
    assert wb.import_candidates(org, xlsx).changed_anything is False
    assert _state(wb) == before
    d = _demo(50)
    d.loc[3, "phone"] = "0351-99999999"
    res = wb.import_candidates(org, d)
    assert res.changed == (d.loc[3, "project_id"],) and res.unchanged == 49


def test_bad_file_imports_nothing_and_names_every_problem(wb, org, tmp_path) -> None:
    wb.import_candidates(org, DEMO / "candidates.csv")
    before = _state(wb)
    d = _demo(6)
    d.loc[1, "employees"] = "很多"
    d.loc[4, "city"] = "北京市"
    d.loc[5, "name"] = "晋示例新企业(虚构)"  # a good, changed row must not be written either
    path = tmp_path / "bad.csv"
    d.to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(InputError) as exc:
        wb.import_candidates(org, path)
    where = {(p.row, p.column) for p in exc.value.problems}
    assert (3, "employees") in where and (6, "city") in where
    assert all(p.file == "bad.csv" for p in exc.value.problems)
    assert "bad.csv" in str(exc.value) and "row 3" in str(exc.value)
    assert _state(wb) == before


def test_experts_import_and_reimport(wb, org) -> None:
    assert len(wb.import_experts(org, DEMO / "experts.csv").added) == 9
    before = _state(wb)
    assert not wb.import_experts(org, DEMO / "experts.csv").changed_anything
    assert _state(wb) == before


# ---------------------------------------------------------------- fuzz
MUTATIONS = (
    "drop_required",
    "extra_column",
    "bad_number",
    "duplicate_id",
    "empty",
    "not_utf8",
    "numeric_formula",
    "blank_required",
    "bad_kind",
    "header_only",
)


@st.composite
def broken_file(draw):
    rows = draw(st.integers(2, 5))
    df = _demo(rows)
    chosen = draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3, unique=True))
    chosen.sort(key=MUTATIONS.index)  # file-level mutations (empty, header only) come last
    expect: set[tuple] = set()  # (row, column) that must be named; row None = column-level
    r = draw(st.integers(0, rows - 1))
    encoding, raw = "utf-8-sig", None
    for m in chosen:
        if m == "drop_required":
            col = draw(st.sampled_from(["project_id", "name", "kind", "city"]))
            if col in df.columns:
                df = df.drop(columns=[col])
                expect.add((None, col))
        elif m == "extra_column":
            df["mystery"] = "x"
            expect.add((1, "mystery"))
        elif m == "bad_number" and "registered_capital" in df.columns:
            df.loc[r, "registered_capital"] = draw(st.sampled_from(["abc", "1,000", "12万", "--3"]))
        elif m == "duplicate_id" and "project_id" in df.columns and rows > 1:
            df.loc[rows - 1, "project_id"] = df.loc[0, "project_id"]
        elif m == "numeric_formula" and "employees" in df.columns:
            df.loc[r, "employees"] = draw(
                st.sampled_from(["=1+1", "@SUM(A1)", "=cmd|' /C calc'!A0", "-2+3"])
            )
            expect.add((r + 2, "employees"))
        elif m == "blank_required" and "name" in df.columns:
            df.loc[r, "name"] = ""
            expect.add((r + 2, "name"))
        elif m == "bad_kind" and "kind" in df.columns:
            df.loc[r, "kind"] = draw(st.sampled_from(["company", "企业", "1"]))
        elif m == "empty":
            raw = b""
        elif m == "not_utf8":
            encoding = "gbk"
        elif m == "header_only":
            df = df.head(0)
    if raw is None:
        raw = df.to_csv(index=False).encode(
            encoding if encoding != "utf-8-sig" else "utf-8-sig", errors="replace"
        )
        if encoding == "gbk":
            raw = raw.replace(b"\xef\xbb\xbf", b"")
    return raw, chosen, expect


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite"
    w = Workbench(f"sqlite:///{path}")
    w.init(2026)
    org = w.system_actor()
    w.import_candidates(org, _demo(2))  # E001, E002 exist already
    yield w, org, tmp_path_factory.mktemp("files")
    w.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=broken_file())
def test_fuzz_malformed_files(fuzz_store, case) -> None:
    """Malformed files never crash, never import part of a file, always say where."""
    wb, org, folder = fuzz_store
    raw, chosen, expect = case
    path = Path(folder) / "候选项目.csv"
    path.write_bytes(raw)
    before = _state(wb)
    try:
        res = wb.import_candidates(org, path)
    except InputError as exc:
        assert _state(wb) == before, chosen
        for p in exc.problems:
            assert p.file == "候选项目.csv"
            assert p.message
        named = {(p.row, p.column) for p in exc.problems}
        named_cols = {p.column for p in exc.problems}
        file_level = not raw or "not_utf8" in chosen or "header_only" in chosen
        if not file_level:
            # a missing or unknown column stops the reader before the cells are checked
            header = {(row, col) for row, col in expect if row in (None, 1)}
            if header:
                expect = header
            for row, col in expect:
                assert (row, col) in named or (row is None and col in named_cols), (chosen, named)
            assert all(p.row is not None or p.column is not None for p in exc.problems)
    else:
        # accepted only when every mutation was harmless here; then the whole file is in
        assert not expect, (chosen, "should have been refused")
        with wb.engine.connect() as conn:
            ids = set(conn.execute(sa.text("SELECT project_id FROM candidates")).scalars())
        assert set(res.added) | set(res.changed) <= ids
