"""The organizers' command line and the exports (xlsx like the forms, csv with BOM, no formulas)."""

from __future__ import annotations

import csv
import re

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from scoring.cli import main
from scoring.programme.panel_names import panel_base_name
from scoring.store import Workbench
from scoring.store.demo import CLOSED_PANEL, OPEN_PANEL

from .conftest import DEMO, FULL

CODE = re.compile(r"^\s+(\S+)\s+(\S+-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$")


def _codes(out: str) -> dict[str, str]:
    return {m[1]: m[2] for line in out.splitlines() if (m := CODE.match(line))}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> tuple[str, dict[str, str]]:
    """``scoring init --demo`` once for this module (SQLite)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["--db", url, "init", "--demo", "--year", "2026"]) == 0
    return url, _codes(buf.getvalue())


def test_init_demo(demo_db) -> None:
    url, codes = demo_db
    assert {"ORGANIZER", "CHAIR", "X01", "X09"} <= set(codes)
    wb = Workbench(url)
    org = wb.system_actor()
    panels = {p["name"]: p for p in wb.panels(org)}
    assert panels[CLOSED_PANEL]["status"] == "closed" and panels[OPEN_PANEL]["status"] == "open"
    assert panels[CLOSED_PANEL]["config_hash"]
    demo_scores = pd.read_csv(DEMO / "scores.csv", dtype={"project_id": str, "expert_id": str})
    got = wb.panel_scores(org, panels[CLOSED_PANEL]["id"])
    merged = demo_scores.merge(
        got, on=["project_id", "expert_id", "criterion"], suffixes=("", "_db")
    )
    assert len(got) == len(demo_scores) == len(merged)  # every demo score, confirmed, once
    assert (merged["score"] == merged["score_db"]).all()
    prog = wb.progress(org, panels[CLOSED_PANEL]["id"])
    assert set(prog["status"]) == {"confirmed", "recused"}
    # the codes printed work, and the open panel is there to score in
    me = wb.login(codes["X01"])
    r = wb.save_scores(
        me,
        panels[OPEN_PANEL]["id"],
        wb.my_sheets(me, panels[OPEN_PANEL]["id"])["project_id"].iloc[0],
        FULL,
        base_version=0,
    )
    assert r.status == "saved"
    assert wb.verify().ok
    wb.close()


def test_init_demo_twice_reissues_codes_and_seeds_nothing(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'twice.sqlite'}"
    wb = Workbench(url)
    from scoring.store.demo import seed_demo

    first = seed_demo(wb, year=2026)
    n = wb.verify().records
    assert main(["--db", url, "init", "--demo"]) == 0
    out = capsys.readouterr().out
    again = _codes(out)
    assert "already loaded" in out and set(again) == set(first)
    assert wb.login(again["X01"]).login == "X01"
    with pytest.raises(ValueError):
        wb.login(first["X01"])
    # the two defense panels and the closed yearly evaluation
    assert len(wb.panels(wb.system_actor())) == 3
    assert wb.verify().records == n + len(first)  # one audit record per reissued code only
    wb.close()


@pytest.mark.parametrize("what", ["ranking", "catalogue", "summary", "scores"])
def test_exports_xlsx_and_csv(demo_db, tmp_path, what, capsys) -> None:
    url, _ = demo_db
    xlsx, csv_path = tmp_path / f"{what}.xlsx", tmp_path / f"{what}.csv"
    assert main(["--db", url, "export", what, "--out", str(xlsx)]) == 0
    assert main(["--db", url, "export", what, "--out", str(csv_path)]) == 0
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    ws = openpyxl.load_workbook(xlsx).active
    assert ws.merged_cells.ranges, "a title row merged across the columns"
    title = ws.cell(1, 1).value
    header = [c.value for c in ws[2]]
    assert header == rows[0]
    assert ws.max_row - 2 == len(rows) - 1
    assert any(ws.column_dimensions[k].width for k in ws.column_dimensions)
    if what == "ranking":
        assert header[:3] == ["名次", "项目编号", "企业名称(区域名称)"] and "综合实力" in header
        assert "2026" in title and len(rows) == 51
        assert [int(r[0]) for r in rows[1:4]] == [1, 2, 3]
    elif what == "catalogue":
        assert "2026年度目录" in title
        names = [r[1] for r in rows[1:]]
        assert names[0] == "一、供应链重点企业项目" and re.match(r"\(一\).+\(\d+个\)", names[1])
        assert sum(1 for r in rows[1:] if r[0]) == 30  # the demo cut line: 30 projects
    elif what == "summary":
        assert header[:7] == [
            "序号",
            "企业名称(区域名称)",
            "注册资本(万元)",
            "所属具体产业",
            "上年营收(亿元)",
            "联系人姓名及部门",
            "联系方式",
        ]
        assert len(rows) == 51
        region = next(r for r in rows[1:] if "区域" in r[1] or "集群" in r[1])
        assert region[2] == region[3] == region[4] == ""  # region rows: name, contact, phone only
    else:
        assert {"版本", "类型", "评分人"} <= set(header)
        kinds = {r[header.index("类型")] for r in rows[1:]}
        assert kinds == {"draft", "confirm"}  # every version, not only the current one


def test_formulas_are_neutralised_in_exports(tmp_path, wb, org) -> None:
    cands = pd.read_csv(
        DEMO / "candidates.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    ).head(2)
    cands.loc[0, "name"] = '=HYPERLINK("http://evil.example","点我")'
    cands.loc[1, "name"] = "@SUM(1+1)"
    cands.loc[1, "phone"] = "+86 351 0000"
    wb.import_candidates(org, cands)
    experts = pd.DataFrame(
        {"expert_id": ["Y1", "Y2", "Y3"], "name": ["甲", "乙", "丙"], "kind": ["industry"] * 3}
    )
    wb.import_experts(org, experts)
    codes = {e: wb.create_account(org, e, "expert", expert_id=e) for e in ("Y1", "Y2", "Y3")}
    wb.create_account(org, "YC", "chair")
    pid = wb.create_panel(
        org, "P", chair="YC", members=["Y1", "Y2", "Y3"], candidates=list(cands.project_id)
    )
    wb.freeze_config(org, pid)
    wb.open_panel(org, pid)
    for c in codes.values():
        me = wb.login(c)
        for p in cands.project_id:
            wb.save_scores(me, pid, p, FULL, base_version=0)
            wb.confirm_sheet(me, pid, p, code=c, base_version=1)
    wb.close_panel(org, pid, force=True, reason="测试：提前结束 / test closes early")
    for what in ("ranking", "summary"):
        for suffix in (".csv", ".xlsx"):
            out = tmp_path / f"{what}{suffix}"
            assert main(["--db", wb.url, "export", what, "--out", str(out)]) == 0
            if suffix == ".csv":
                cells = [
                    c for row in csv.reader(out.read_text("utf-8-sig").splitlines()) for c in row
                ]
            else:
                ws = openpyxl.load_workbook(out).active
                cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
            assert '\'=HYPERLINK("http://evil.example","点我")' in cells
            assert "'@SUM(1+1)" in cells
            assert not any(isinstance(c, str) and c[:1] in "=@" for c in cells)
            if what == "summary":
                assert "'+86 351 0000" in cells


def _fingerprint(url: str) -> tuple:
    eng = sa.create_engine(url)
    with eng.connect() as conn:
        out = tuple(
            conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar()
            for t in ("candidates", "experts", "accounts", "audit_log", "panels")
        )
        hashes = tuple(
            conn.execute(sa.text("SELECT code_hash FROM accounts ORDER BY login")).scalars()
        )
    eng.dispose()
    return out, hashes


def test_cli_import_codes_and_errors(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["--db", url, "init", "--year", "2026"]) == 0
    assert main(["--db", url, "import", "candidates", str(DEMO / "candidates.csv")]) == 0
    assert "50 added" in capsys.readouterr().out
    assert main(["--db", url, "import", "candidates", str(DEMO / "candidates.csv")]) == 0
    assert "0 added, 0 changed, 50 unchanged" in capsys.readouterr().out
    assert main(["--db", url, "import", "experts", str(DEMO / "experts.csv")]) == 0
    assert main(["--db", url, "codes", "--experts"]) == 0
    codes = _codes(capsys.readouterr().out)
    assert set(codes) == {f"X0{i}" for i in range(1, 10)}
    wb = Workbench(url)
    assert wb.login(codes["X09"]).role == "bank" and wb.login(codes["X01"]).role == "expert"
    assert main(["--db", url, "codes", "X01"]) == 0
    new = _codes(capsys.readouterr().out)["X01"]
    assert new != codes["X01"] and wb.login(new).login == "X01"
    with pytest.raises(ValueError):
        wb.login(codes["X01"])
    assert main(["--db", url, "codes", "--create", "boss", "--role", "organizer"]) == 0
    assert "BOSS-" in capsys.readouterr().out

    # errors: one line on stderr, exit status 2, nothing changed
    before = _fingerprint(url)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "project_id,name,kind,city\nE900,新企业,enterprise,太原市\nE901,,region,火星市\n",
        encoding="utf-8",
    )
    attempts = [
        ["import", "candidates", str(bad)],
        ["import", "experts", str(tmp_path / "missing.csv")],
        ["export", "ranking", "--out", str(tmp_path / "r.xlsx")],  # no closed panel yet
        ["export", "nonsense", "--out", str(tmp_path / "r.xlsx")],
        ["export", "ranking", "--out", str(tmp_path / "r.txt")],
        ["codes", "X01", "NOSUCH"],  # one bad login: not even X01 is reissued
        ["codes", "--create", "X01", "--role", "expert", "--expert", "X01"],  # exists
        ["codes", "--create", "Y9", "--role", "expert"],  # no expert record named
    ]
    for argv in attempts:
        assert main(["--db", url, *argv]) == 2, argv
        err = capsys.readouterr().err.strip()
        assert err.startswith("scoring ") and "\n" not in err, (argv, err)
    err_rows = None
    assert main(["--db", url, "import", "candidates", str(bad)]) == 2
    err_rows = capsys.readouterr().err
    assert "bad.csv, row 3" in err_rows and "name" in err_rows and "city" in err_rows
    assert _fingerprint(url) == before
    assert not (tmp_path / "r.xlsx").exists()
    wb.close()


def test_default_database_location(tmp_path, monkeypatch) -> None:
    from scoring.store.db import default_url, resolve_url

    monkeypatch.delenv("SCORING_DB", raising=False)
    monkeypatch.setenv("SCORING_HOME", str(tmp_path / "home"))
    assert default_url() == f"sqlite:///{tmp_path / 'home' / 'scoring.sqlite'}"
    assert main(["init", "--year", "2026"]) == 0
    assert (tmp_path / "home" / "scoring.sqlite").exists()
    monkeypatch.setenv("SCORING_DB", f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert resolve_url(str(tmp_path / "x.sqlite")) == f"sqlite:///{tmp_path / 'x.sqlite'}"


# --------------------------------------------------------------------------------------------
# issue 11: exports a department can file; the zscore pipeline through close, report and CLI

#: The failing case of issue 11 (Z1, Z2), and a third expert (a panel opens with three).
_RISK = {"Z1": [100, 99, 98, 97], "Z2": [100, 0, 100, 0], "Z3": [50, 60, 40, 50]}


def _zscore_panel(wb: Workbench, org) -> tuple[int, list[str]]:
    """A closed panel frozen with ``aggregation=zscore``: two experts, four candidates, and the
    risk scores that put the old z-scores outside 0–100."""
    from scoring.store.config import PanelConfig

    cands = pd.read_csv(
        DEMO / "candidates.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    ).head(4)
    wb.import_candidates(org, cands)
    wb.import_experts(
        org,
        pd.DataFrame(
            {"expert_id": list(_RISK), "name": ["甲某", "乙某", "丙某"], "kind": ["industry"] * 3}
        ),
    )
    codes = {e: wb.create_account(org, e, "expert", expert_id=e) for e in _RISK}
    ids = list(cands.project_id)
    wb.create_account(org, "ZC", "chair")
    pid = wb.create_panel(
        org, "标准分组", date="2026-04-01", chair="ZC", members=list(_RISK), candidates=ids
    )
    wb.freeze_config(org, pid, PanelConfig.from_criteria(aggregation="zscore", cut_size=2))
    wb.open_panel(org, pid)
    for e, code in codes.items():
        me = wb.login(code)
        for i, p in enumerate(ids):
            values = {**FULL, "risk": _RISK[e][i], "market": 60 + 5 * i}
            wb.save_scores(me, pid, p, values, base_version=0)
            wb.confirm_sheet(me, pid, p, code=code, base_version=1)
    wb.close_panel(org, pid)
    return pid, ids


def test_zscore_panel_closes_ranks_and_reports(tmp_path, wb, org, capsys) -> None:
    pid, ids = _zscore_panel(wb, org)
    res = wb.results(org, pid)  # refused before: "weighted_sum inverts ... (pass scale=None)"
    assert sorted(res.index) == sorted(ids) and res["rank"].min() == 1
    assert ((res[list(FULL)] >= 0) & (res[list(FULL)] <= 100)).all().all()
    assert (res["score"] >= 0).all() and (res["score"] <= 100).all()
    out = tmp_path / "z.pdf"
    code = main(["--db", wb.url, "export", "report", "--panel", str(pid), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    text = subprocess_text(out)
    assert "标准分校正后平均" in text and res.index[0] in text
    assert (
        main(
            [
                "--db",
                wb.url,
                "export",
                "ranking",
                "--panel",
                str(pid),
                "--out",
                str(tmp_path / "z.xlsx"),
            ]
        )
        == 0
    )


def subprocess_text(path) -> str:
    import subprocess

    return re.sub(
        r"\s+",
        "",
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout,
    )


def test_cli_rank_with_zscore_on_the_failing_case(tmp_path, capsys) -> None:
    ids = ["E001", "E002", "E003", "E004"]
    cands = pd.read_csv(
        DEMO / "candidates.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    cands[cands["project_id"].isin(ids)].to_csv(
        tmp_path / "c.csv", index=False, encoding="utf-8-sig"
    )
    rows = [
        (p, e, k, _RISK[e][i] if k == "risk" else v)
        for e in _RISK
        for i, p in enumerate(ids)
        for k, v in FULL.items()
    ]
    scores = pd.DataFrame(rows, columns=["project_id", "expert_id", "criterion", "score"])
    scores.to_csv(tmp_path / "s.csv", index=False)
    for method in ("weighted_sum", "weighted_product"):
        out = tmp_path / f"{method}.csv"
        code = main(["rank", "--scores", str(tmp_path / "s.csv"), "--candidates", str(tmp_path / "c.csv"),
                     "--how", "zscore", "--method", method, "--headers", "en", "--out", str(out)])  # fmt: skip
        assert code == 0, capsys.readouterr().err
        got = pd.read_csv(out, encoding="utf-8-sig")
        assert len(got) == 4 and got["risk"].between(0, 100).all()
        # E001 (risk 100 from both) is last, E004 (97 and 0) first: lower risk is better
        assert list(got["project_id"])[0] == "E004" and list(got["project_id"])[-1] == "E001"


def _title_and_block(ws) -> str:
    return str(ws.cell(1, 1).value)


@pytest.mark.parametrize("what", ["ranking", "catalogue", "summary", "scores"])
def test_xlsx_exports_carry_the_title_block_and_print_setup(demo_db, tmp_path, what) -> None:
    url, _ = demo_db
    out = tmp_path / f"{what}.xlsx"
    assert main(["--db", url, "export", what, "--out", str(out)]) == 0
    wb = Workbench(url)
    seq, digest = wb.chain_head()
    org = wb.system_actor()
    closed = next(p for p in wb.panels(org) if p["status"] == "closed")
    cfg, h = wb.panel_config(org, closed["id"])
    wb.close()
    ws = openpyxl.load_workbook(out).active
    block = _title_and_block(ws)
    assert f"审计链 #{seq} {digest[:16]}…" in block and "导出时间：" in block
    if what != "summary":  # the summary (附件3) is the round's, not a panel's
        assert (
            f"评审组：{panel_base_name(closed['name'])}（编号" in block and closed["date"] in block
        )
        assert "已结束）" not in block and "进行中）" not in block  # no status word from the name
        assert "X01 " in block and "X09 " in block  # the members
        assert "综合实力 0.25" in block and "项目风险 0.20" in block  # frozen weights
        assert h in block  # the configuration hash, in full
    ps = ws.page_setup
    assert ps.paperSize == 9  # A4
    assert ws.print_title_rows == "$2:$2"  # the header row repeats on every page
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToWidth in (None, 1)
    assert ps.fitToHeight == 0
    assert ps.orientation == ("portrait" if what == "catalogue" else "landscape")
    assert f"审计链 #{seq}" in ws.oddFooter.left.text


def test_xlsx_ranking_and_scores_are_rounded_and_in_chinese(demo_db, tmp_path) -> None:
    url, _ = demo_db
    values: dict[str, list] = {}
    for what in ("ranking", "scores"):
        out = tmp_path / f"{what}.xlsx"
        assert main(["--db", url, "export", what, "--out", str(out)]) == 0
        ws = openpyxl.load_workbook(out).active
        header = [c.value for c in ws[2]]
        rows = list(ws.iter_rows(min_row=3, values_only=True))
        values[what] = [dict(zip(header, r, strict=True)) for r in rows]
        numbers = [v for r in rows for v in r if isinstance(v, float)]
        assert all(round(v, 2) == v for v in numbers), what
        assert numbers or what == "scores"  # the demo's raw scores are whole numbers
        texts = {v for r in rows for v in r if isinstance(v, str)}
        assert not texts & {"enterprise", "region", "selected", "draft", "confirm", "strength"}
        assert ws.cell(
            3, header.index("得分" if what == "ranking" else "评分") + 1
        ).number_format in (
            "0.00",
            "General",
        )
    assert {r["项目类型"] for r in values["ranking"]} <= {"企业项目", "区域项目"}
    assert {r["类型"] for r in values["scores"]} == {"草稿", "确认"}
    assert {r["评审指标"] for r in values["scores"]} == {
        "综合实力", "市场前景", "项目风险", "扶贫带动效果", "示范引领作用"
    }  # fmt: skip
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r["时间"]) for r in values["scores"])


def test_pdfs_print_the_chain_head_and_no_raw_keys(demo_db, tmp_path) -> None:
    url, _ = demo_db
    report, cat = tmp_path / "report.pdf", tmp_path / "catalogue.pdf"
    assert main(["--db", url, "export", "report", "--out", str(report)]) == 0
    assert main(["--db", url, "export", "catalogue", "--out", str(cat)]) == 0
    wb = Workbench(url)
    seq, digest = wb.chain_head()
    wb.close()
    for path in (report, cat):
        text = subprocess_text(path)
        assert f"审计链#{seq}{digest[:16]}" in text, path.name
    text = subprocess_text(report)
    for raw in ("ranking_method", "cut_min_score", "cut_size", "tie_rule", "null", "trimmed_mean",
                "weighted_sum", "+00:00", "robust_z"):  # fmt: skip
        assert raw not in text, raw
    assert "最低入围分" in text and "未设定" in text and "加权和法" in text
    assert re.search(r"确认时间.*?\d{4}-\d\d-\d\d\d\d:\d\d(?!:)", text)  # local time to the minute
