"""``scoring rank`` and ``scoring demo`` through scoring.cli.main: exit status, stderr, written rows."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring import io
from scoring.cli import main
from scoring.engine.aggregation import aggregate
from scoring.engine.criteria import load_criteria
from scoring.engine.ranking import rank


@pytest.fixture(scope="module")
def demo_files(demo_dir):
    return str(demo_dir / "scores.csv"), str(demo_dir / "candidates.csv")


def test_rank_csv_matches_the_engine(tmp_path, demo_files, capsys):
    scores, cands = demo_files
    out = tmp_path / "ranking.csv"
    code = main(["rank", "--scores", scores, "--candidates", cands, "--method", "topsis",
                 "--how", "zscore", "--headers", "en", "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    got = pd.read_csv(out, encoding="utf-8-sig", dtype={"project_id": str})
    crit = load_criteria()
    s = io.read_scores(scores)
    expected = rank(aggregate(s, how="zscore", criteria=crit), weights=crit.weights,
                    objectives=crit.objectives, method="topsis")  # fmt: skip
    assert len(got) == 50
    assert list(got["project_id"]) == list(expected.index)
    assert list(got["rank"]) == list(expected["rank"])
    assert got["score"].to_numpy() == pytest.approx(expected["score"].to_numpy())
    assert {"name", "city", "kind", *crit.keys} <= set(got.columns)
    assert "wrote 50" in capsys.readouterr().out


def test_rank_xlsx_with_chinese_headers(tmp_path, demo_files):
    scores, cands = demo_files
    out = tmp_path / "sub" / "ranking.xlsx"
    assert main(["rank", "--scores", scores, "--candidates", cands, "--out", str(out)]) == 0
    table = io.read_table(out)
    assert table.attrs["header_row"] == 2 and list(table.index)[:2] == [3, 4]
    assert len(table) == 50
    assert list(table.columns[:3]) == ["项目编号", "名次", "得分"] and "综合实力" in table.columns
    assert table["名次"].iloc[0] == "1"
    # filed as a clerk reads it: codes in Chinese, scores rounded and formatted, the title's
    # method and aggregation named in Chinese; the csv keeps the codes and full precision
    assert set(table["项目类型"]) <= {"企业项目", "区域项目"}
    import openpyxl

    ws = openpyxl.load_workbook(out).worksheets[0]
    assert "加权和法" in ws["A1"].value and "weighted_sum" not in ws["A1"].value
    score = ws.cell(row=3, column=3)
    assert score.number_format == "0.00" and score.value == round(score.value, 2)
    csv = tmp_path / "ranking.csv"
    assert main(["rank", "--scores", scores, "--candidates", cands, "--out", str(csv)]) == 0
    raw = pd.read_csv(csv, encoding="utf-8-sig")
    assert set(raw["项目类型"]) <= {"enterprise", "region"}


def test_bad_scores_one_line_exit_2_nothing_written(tmp_path, demo_files, capsys):
    _, cands = demo_files
    bad = tmp_path / "scores.csv"
    bad.write_text(
        "project_id,expert_id,criterion,score\nE001,X01,strength,80\nE001,X01,strength,80\n"
        "NOPE,X01,market,70\nE002,X01,risk,150\nE003,X01,luck,5\n",
        encoding="utf-8",
    )
    out = tmp_path / "ranking.csv"
    code = main(["rank", "--scores", str(bad), "--candidates", cands, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("scoring rank: error:")
    for fragment in ("scores.csv", "rows 2, 3", "row 4", "'NOPE'", "row 5", "150", "row 6", "luck"):
        assert fragment in err, fragment
    assert not out.exists()


def test_non_utf8_and_bad_out_and_method(tmp_path, demo_files, capsys):
    scores, cands = demo_files
    gbk = tmp_path / "cands.csv"
    gbk.write_bytes("项目编号,企业名称\nE1,晋示例\n".encode("gbk"))
    assert (
        main(
            ["rank", "--scores", scores, "--candidates", str(gbk), "--out", str(tmp_path / "r.csv")]
        )
        == 2
    )
    assert "UTF-8" in capsys.readouterr().err
    assert (
        main(["rank", "--scores", scores, "--candidates", cands, "--out", str(tmp_path / "r.pdf")])
        == 2
    )
    assert "--out" in capsys.readouterr().err
    assert main(["rank", "--scores", scores, "--candidates", cands, "--method", "magic",
                 "--out", str(tmp_path / "r.csv")]) == 2  # fmt: skip
    assert "magic" in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()


def test_demo_prints_and_writes_exports(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "虚构" in printed and "名次" in printed
    for name in ("ranking", "shortlist", "catalogue"):
        assert (out / f"{name}.xlsx").exists() and (out / f"{name}.csv").exists()
    ranking = pd.read_csv(out / "ranking.csv", encoding="utf-8-sig")
    short = pd.read_csv(out / "shortlist.csv", encoding="utf-8-sig")
    cat = pd.read_csv(out / "catalogue.csv", encoding="utf-8-sig")
    assert len(ranking) == 50 and len(short) >= 30
    projects = cat.dropna(subset=["序号"])
    assert projects["序号"].astype(int).tolist() == list(range(1, len(short) + 1))
    assert cat["项目名称"].iloc[0] == "一、供应链重点企业项目"
    assert (short["项目类型"] == "region").sum() >= 5  # the demo floor of 5 region projects
    text = (out / "catalogue.txt").read_text(encoding="utf-8").splitlines()
    assert text[0] == "山西省供应链重点培育项目" and "二、供应链重点区域项目" in text
