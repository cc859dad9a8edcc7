"""The yearly evaluation's store rules (wb.evaluation), on SQLite and PostgreSQL: evaluation
panels over followed projects, the same-city recusal, the evidence card and its suggestions,
grades with SMAA probabilities, departures, replicable cases, the exit list and the path."""

from __future__ import annotations

import pytest

from scoring.store import AccessDenied, NotFound, RuleViolation, StoreError

from .conftest import ROOT, YEAR, denied

ENTERPRISE = ["E001", "E002", "E010", "E043"]
#: X01, X02, X05 太原市; X03, X04 晋中市.
EXPERTS = ["X01", "X02", "X03", "X04", "X05"]


@pytest.fixture
def ev(fu):
    """``fu`` plus the demo experts with accounts and a draft evaluation panel of the
    enterprise projects (chair CHAIR), Q1 reported on time and confirmed for E001 and E010."""
    wb, org = fu.wb, fu.org
    wb.import_experts(org, ROOT / "data" / "demo" / "experts.csv")
    codes = {e: wb.create_account(org, e, "expert", expert_id=e) for e in EXPERTS}
    fu.submit("E001")
    wb.ledgers.confirm(fu.a["TY"], "E001", f"{YEAR}Q1")
    pid = wb.evaluation.create_panel(
        org,
        "评估一组",
        year=YEAR,
        kind="enterprise",
        date="2027-01-12",
        chair="CHAIR",
        members=EXPERTS,
    )
    fu.codes.update(codes)
    fu.experts = {e: wb.login(c) for e, c in codes.items()}
    fu.pid = pid
    return fu


def _open(ev):
    ev.wb.freeze_config(ev.org, ev.pid)
    ev.wb.open_panel(ev.a["CHAIR"], ev.pid)


def test_an_evaluation_panel_holds_the_years_followed_projects_of_its_kind(ev) -> None:
    wb = ev.wb
    panels = wb.evaluation.panels(ev.org)
    row = panels.set_index("id").loc[ev.pid]
    assert (row["year"], row["kind"], row["criteria_set"]) == (
        YEAR,
        "enterprise",
        "evaluation-enterprise",
    )
    # every active enterprise project, each with a candidate row of the current round
    assert sorted(wb.candidates(ev.org)["project_id"]) == sorted(ENTERPRISE)
    with pytest.raises(AccessDenied):
        wb.evaluation.create_panel(ev.a["TY"], "城市自建", year=YEAR, kind="enterprise")
    assert denied(wb, "evaluation.create_panel")[-1][0] == "TY"
    with pytest.raises(StoreError, match="项目类型无效"):
        wb.evaluation.create_panel(ev.org, "错类", year=YEAR, kind="bank")
    with pytest.raises(RuleViolation, match="没有可评估的跟进项目"):
        wb.evaluation.create_panel(ev.org, "前一年", year=YEAR - 1, kind="enterprise")
    with pytest.raises(NotFound, match="R001"):
        wb.evaluation.create_panel(ev.org, "混类", year=YEAR, kind="enterprise", projects=["R001"])
    # nothing half-written by the refusals
    assert len(wb.evaluation.panels(ev.org)) == 1


def test_same_city_experts_are_recused_and_the_evidence_is_hidden_from_them(ev) -> None:
    _open(ev)
    wb, x = ev.wb, ev.experts
    taiyuan = sorted(wb.my_sheets(x["X01"], ev.pid)["project_id"])
    jinzhong = sorted(wb.my_sheets(x["X03"], ev.pid)["project_id"])
    assert "E001" not in taiyuan and "E002" not in taiyuan  # 太原 experts, 太原 projects
    assert {"E010", "E043"} <= set(taiyuan)
    assert jinzhong == sorted(ENTERPRISE)
    with pytest.raises(NotFound):
        wb.evaluation.evidence(x["X01"], ev.pid, "E001")
    assert denied(wb, "evaluation.evidence")[-1][0] == "X01"
    assert set(wb.evaluation.evidences(x["X01"], ev.pid)) == {"E010", "E043"}
    # a defense panel of the same projects and experts has no same-city rule
    d = wb.create_panel(ev.org, "答辩", members=EXPERTS, candidates=ENTERPRISE, chair="CHAIR")
    wb.freeze_config(ev.org, d)
    wb.open_panel(ev.a["CHAIR"], d)
    assert "E001" in set(wb.my_sheets(x["X01"], d)["project_id"])


def test_the_evidence_card_shows_the_year_and_the_suggested_bands(ev) -> None:
    _open(ev)
    card = ev.wb.evaluation.evidence(ev.experts["X03"], ev.pid, "E001")
    q1 = card.quarters[0]
    assert (q1["period"], q1["ledger_status"], q1["timeliness"]) == (
        f"{YEAR}Q1",
        "confirmed",
        "on_time",
    )
    assert [q["period"] for q in card.quarters] == [f"{YEAR}Q{q}" for q in (1, 2, 3, 4)] + [
        f"{YEAR}Y"
    ]
    assert card.measures and all({"goal", "measure", "late"} <= set(m) for m in card.measures)
    assert card.financing["total"] == pytest.approx(
        sum(card.financing[k] for k in ("loan", "bill", "lease", "letter", "other"))
    )
    assert card.indicators and {"baseline", "annualised", "change"} <= set(card.indicators[0])
    s = card.suggestions["organisation"]
    assert (s.figure, s.low, s.high, s.grade_zh, s.basis) == (100.0, 90.0, 100.0, "优秀", "1/1")
    # E010 reported nothing: no timeliness figure yet (Q1 is not due on 2026-04-10)
    none = ev.wb.evaluation.evidence(ev.experts["X03"], ev.pid, "E010")
    assert none.suggestions["organisation"].figure is None and none.measures == []


def _score_all(ev, low: str) -> None:
    wb = ev.wb
    for e, me in ev.experts.items():
        for p in wb.my_sheets(me, ev.pid)["project_id"]:
            v = 40 if p == low else 80
            values = {
                k: v
                for k in wb.my_sheets(me, ev.pid).columns
                if k
                in (
                    "organisation",
                    "groundwork",
                    "goals",
                    "performance",
                    "innovation",
                    "green",
                    "global",
                )
            }
            if p == "E001":
                values["organisation"] = 70  # below the suggested 90–100: a departure
            r = wb.save_scores(me, ev.pid, p, values, base_version=0)
            wb.confirm_sheet(me, ev.pid, p, code=ev.codes[e], base_version=r.version)


def test_grades_probabilities_departures_exit_list_and_the_path(ev) -> None:
    _open(ev)
    wb, org = ev.wb, ev.org
    with pytest.raises(AccessDenied):  # blind: nothing before the close
        wb.evaluation.grades(ev.experts["X03"], ev.pid)
    _score_all(ev, low="E043")
    wb.close_panel(ev.a["CHAIR"], ev.pid)
    g = wb.evaluation.grades(org, ev.pid, samples=2_000)
    assert g.at["E043", "grade"] == "不合格" and g.at["E043", "grade_key"] == "fail"
    assert g.at["E010", "grade"] == "良好"
    probs = g[["p_excellent", "p_good", "p_pass", "p_fail"]]
    assert probs.sum(axis=1).round(9).eq(1).all()
    assert g.at["E043", "p_fail"] == 1.0 and not g.at["E043", "fragile"]
    dep = wb.evaluation.departures(org, ev.pid)
    e001 = dep[(dep["project_id"] == "E001") & (dep["criterion"] == "organisation")]
    assert set(e001["expert_id"]) == {"X03", "X04"} and set(e001["direction"]) == {"below"}
    assert (e001["band_low"] == 90).all()

    with pytest.raises(AccessDenied):
        wb.evaluation.send_to_exit(ev.a["CHAIR"], ev.pid)
    assert wb.evaluation.send_to_exit(org, ev.pid) == ["E043"]
    assert wb.evaluation.send_to_exit(org, ev.pid) == []  # idempotent
    cands = wb.exits.candidates(org)
    row = cands[cands["project_id"] == "E043"]
    assert list(row["ground"]) == ["poor_evaluation"] and "不合格" in row["evidence_zh"].iloc[0]
    wb.exits.decide(org, "E043", exit=True, reason="年度评估不合格", grounds=["poor_evaluation"])

    with pytest.raises(AccessDenied):
        wb.evaluation.mark_case(ev.experts["X03"], ev.pid, "E010", "典型")
    with pytest.raises(StoreError):
        wb.evaluation.mark_case(ev.a["CHAIR"], ev.pid, "E010", "  ")
    wb.evaluation.mark_case(ev.a["CHAIR"], ev.pid, "E010", "协同平台可复制")
    wb.evaluation.mark_case(ev.a["CHAIR"], ev.pid, "E010", "协同平台可复制推广")
    cases = wb.evaluation.cases(org)
    assert list(cases["project_id"]) == ["E010"] and cases["note"].iloc[0] == "协同平台可复制推广"

    path = wb.evaluation.project_path(org, "E043")
    assert path["followed"]["status"] == "exited"
    assert [(e["panel"], e["grade"], e["year"]) for e in path["evaluations"]] == [
        ("评估一组", "不合格", YEAR)
    ]
    assert path["decisions"][0]["exit"] is True and path["risks"][0]["kind"] == "poor_evaluation"
    with pytest.raises(AccessDenied):
        wb.evaluation.project_path(ev.a["U2"], "E043")
    with pytest.raises(NotFound):
        wb.evaluation.project_path(org, "NOPE")


def test_grades_refuse_a_defense_panel(ev) -> None:
    wb = ev.wb
    d = wb.create_panel(ev.org, "答辩", members=EXPERTS, candidates=ENTERPRISE, chair="CHAIR")
    with pytest.raises(RuleViolation, match="不是年度评估组"):
        wb.evaluation.evidences(ev.org, d)
