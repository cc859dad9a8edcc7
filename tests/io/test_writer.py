"""Writing tables: csv with BOM, formula neutralisation, atomic replacement."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scoring.errors import InputError
from scoring.io import writer as io


def test_write_csv_bom_and_formula_neutralisation(tmp_path):
    df = pd.DataFrame(
        {
            "project_id": ["E1", "E2"],
            "name": ['=HYPERLINK("x")', "@SUM(1)"],
            "revenue_2025": [-2.5, 3.0],
        }
    )
    p = io.write_table(df, tmp_path / "out" / "t.csv")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "项目编号,企业名称(区域名称),2025年营业收入(亿元)"
    assert lines[1] == 'E1,"\'=HYPERLINK(""x"")",-2.5'  # text quoted, number untouched
    assert lines[2] == "E2,'@SUM(1),3"
    en = io.write_table(df, tmp_path / "en.csv", headers="en").read_text(encoding="utf-8-sig")
    assert en.splitlines()[0] == "project_id,name,revenue_2025"


def test_write_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "keep.xlsx"
    target.write_bytes(b"previous")

    def boom(*args, **kwargs):
        Path(args[1]).write_bytes(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(io, "_write_xlsx", boom)
    with pytest.raises(RuntimeError):
        io.write_table(pd.DataFrame({"a": [1]}), target)
    assert target.read_bytes() == b"previous"
    assert [f.name for f in tmp_path.iterdir()] == ["keep.xlsx"]
    with pytest.raises(InputError, match="unsupported"):
        io.write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.json")
    with pytest.raises(InputError, match="one table"):
        io.write_table({"a": pd.DataFrame(), "b": pd.DataFrame()}, tmp_path / "x.csv")
