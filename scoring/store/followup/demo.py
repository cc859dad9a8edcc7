"""The follow-up part of the demo (``scoring init --demo``): the closed demo panel's catalogue
followed through the demo year, as if the year had been lived up to today.

Every event happens through the store's API on a simulated day (``SCORING_TODAY`` is set for
the call, then restored), so only days up to today are used: quarterly ledgers submitted on time
or late and confirmed by the city bureaus (the province for 省属企业), one ledger returned with
its reason, one project that never reported its first quarter and is late since (an exit
candidate), and the current period open. Accounts: three project units, a unit account holding
the other projects (演示), a city bureau per city of the catalogue.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from ...followup.clock import TODAY_ENV
from ...followup.clock import today as real_today

#: City bureaus' logins (the 11 cities of Shanxi).
CITY_LOGINS = {
    "太原市": "CITY_TY",
    "大同市": "CITY_DT",
    "阳泉市": "CITY_YQ",
    "长治市": "CITY_CZ",
    "晋城市": "CITY_JC",
    "朔州市": "CITY_SZ",
    "晋中市": "CITY_JZ",
    "运城市": "CITY_YC",
    "忻州市": "CITY_XZ",
    "临汾市": "CITY_LF",
    "吕梁市": "CITY_LL",
}
#: Every follow-up login the demo creates (``scoring init --demo`` run again reissues them).
DEMO_LOGINS = ("UNIT1", "UNIT2", "UNIT3", "UNITS", *CITY_LOGINS.values())
RETURN_REASON = "第1块第2行贷款类金额与银行放款凭证不一致，请核对后重新提交；完成时限请按月填写"
_GOALS = [
    ("建成供应链协同平台", "上线订单协同系统，打通上下游订单与库存数据", "订单响应时间缩短30%"),
    ("", "与主要供应商签订协同计划协议，实施供应商管理库存", "库存周转天数下降15%"),
    (
        "提升供应链金融服务能力",
        "接入中征应收账款融资服务平台，开展应收账款融资",
        "带动上下游中小企业融资",
    ),
    ("推进绿色供应链建设", "更换节能仓储设备，推行可循环包装", "单位物流能耗下降8%"),
]
_INDUSTRY = {"enterprise": ["59", "54"], "region": ["13"]}


@contextlib.contextmanager
def on_day(day: date) -> Iterator[None]:
    """Let the store believe it is ``day`` (``SCORING_TODAY``) inside the block."""
    old = os.environ.get(TODAY_ENV)
    os.environ[TODAY_ENV] = day.isoformat()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(TODAY_ENV, None)
        else:
            os.environ[TODAY_ENV] = old


def demo_content(project: dict[str, Any], quarter: int, *, first: bool) -> dict[str, Any]:
    """A plausible, valid ledger of ``project`` for quarter ``quarter`` (year-to-date values)."""
    from ...followup.catalogue import indicators

    kind, year = project["kind"], int(project["catalogue_year"])
    rows = []
    for i, (goal, measure, result) in enumerate(_GOALS[:3]):
        done = i < quarter - 1 or i == 0
        month = max(1, 3 * quarter - i) if done else 12
        rows.append(
            {
                "goal": goal,
                "measure": measure,
                "deadline": f"{year}-{month:02d}",
                "progress": "done" if done else ("ongoing" if i < 2 else "not_started"),
                "loan": float(300 * quarter + 50 * i),
                "bill": float(40 * quarter) if i == 1 else 0.0,
                "lease": 0.0,
                "letter": 0.0,
                "other": 0.0,
                "result": result,
                **({"enterprise": project["name"]} if kind == "region" else {}),
            }
        )
    block = {
        "role": "region" if kind == "region" else "core",
        "name": project["name"],
        "city": project["city"] if project["city"] != "省属企业" else "太原市",
        "industries": _INDUSTRY[kind],
        "rows": rows,
    }
    blocks = [block]
    if kind == "enterprise":
        blocks.append(
            {
                "role": "partner",
                "name": "晋示例顺达商贸有限公司(虚构)",
                "city": block["city"],
                "industries": ["51"],
                "rows": [
                    {
                        "goal": "协同采购",
                        "measure": "接入核心企业订单协同系统",
                        "deadline": f"{year}-{min(12, 3 * quarter):02d}",
                        "progress": "done",
                        "loan": 100.0,
                        "bill": 0.0,
                        "lease": 0.0,
                        "letter": 0.0,
                        "other": 0.0,
                        "result": "采购周期缩短20%",
                    }
                ],
            }
        )
    plan = project.get("plan") or {}
    ind: dict[str, Any] = {}
    q = quarter / 4
    for i in indicators(project["indicator_group"]):
        if not i.entered:
            continue
        base = (plan.get(i.key) or {}).get("baseline")
        b = float(base) if base is not None else 10.0
        value = round(b * (1.06 if i.better == "higher" else 0.94) * (q if i.flow else 1), 4)
        if i.key == "on_time_delivery":
            value = 96.5
        if i.inputs and i.formula:
            entry: dict[str, Any] = {"value": value}
        else:
            entry = {"value": value}
        if base is None and first:
            entry["baseline"] = round(b, 4) if i.key != "on_time_delivery" else 95.0
        ind[i.key] = entry
    return {
        "contact": "王某某 0351-0000" + str(1000 + quarter),
        "blocks": blocks,
        "indicators": ind,
    }


def seed_followup(wb: Any, panel_id: int, *, year: int) -> dict[str, str]:
    """Seed the follow-up of the demo year; returns the new accounts' access codes."""
    org = wb.system_actor("demo")
    t = real_today()
    wb.followed.follow_catalogue(org, panel_id, year=year)
    wb.periods.create_year(org, year)
    projects = wb.followed.projects(org).to_dict("records")
    if not projects:
        return {}
    plans = {p["project_id"]: wb.followed.project(org, p["project_id"]) for p in projects}
    featured = [p["project_id"] for p in projects if not p["provincial"]][:3]
    codes: dict[str, str] = {}
    names = ["UNIT1", "UNIT2", "UNIT3"]
    for login, pid in zip(names, featured, strict=False):
        codes[login] = wb.followup_access.create_account(
            org, login, "unit", project_ids=[pid], name=f"{plans[pid]['name']}（项目单位）"
        )
    others = [p["project_id"] for p in projects if p["project_id"] not in featured]
    if others:
        codes["UNITS"] = wb.followup_access.create_account(
            org, "UNITS", "unit", project_ids=others, name="其余项目单位（演示）"
        )
    cities = sorted({p["city"] for p in projects if p["city"] in CITY_LOGINS})
    for city in cities:
        codes[CITY_LOGINS[city]] = wb.followup_access.create_account(
            org, CITY_LOGINS[city], "city", city=city, name=f"{city}商务局"
        )
    actors = {k: wb.login(c) for k, c in codes.items()}
    unit_of = {pid: actors[n] for n, pid in zip(names, featured, strict=False)}
    unit_of.update({pid: actors["UNITS"] for pid in others})
    periods = {r["key"]: r for r in wb.periods.periods(org, year).to_dict("records")}

    def confirmer(p: dict[str, Any]) -> Any:
        return org if p["provincial"] else actors.get(CITY_LOGINS.get(p["city"], ""))

    def report(p: dict[str, Any], q: int, submit_on: date, confirm_on: date | None) -> None:
        pid, key = p["project_id"], f"{year}Q{q}"
        if submit_on > t:
            return
        unit = unit_of[pid]
        with on_day(submit_on):
            state = wb.ledgers.ledger(unit, pid, key)
            content = demo_content(plans[pid], q, first=q == 1 or state["version"] == 0)
            wb.ledgers.save_draft(unit, pid, key, content, base_version=state["version"])
            wb.ledgers.submit(unit, pid, key)
        who = confirmer(p)
        if confirm_on is not None and confirm_on <= t and who is not None:
            with on_day(confirm_on):
                wb.ledgers.confirm(who, pid, key)

    for n, p in enumerate(projects):
        pid = p["project_id"]
        for q in (1, 2, 3, 4):
            per = periods[f"{year}Q{q}"]
            due = per["due"]
            if pid == (featured[2] if len(featured) > 2 else None):
                # never reported Q1; Q2 and Q3 late: an exit candidate
                if q == 1:
                    continue
                report(p, q, due + timedelta(days=5), due + timedelta(days=9))
                continue
            if pid == (featured[1] if len(featured) > 1 else None) and q == 3:
                report(p, q, due - timedelta(days=2), None)
                city = confirmer(p)
                if city is not None and due + timedelta(days=3) <= t:
                    with on_day(due + timedelta(days=3)):
                        wb.ledgers.return_ledger(city, pid, f"{year}Q{q}", RETURN_REASON)
                continue
            late = (q == 2 and n % 5 == 4) or (q == 3 and n % 7 == 3 and n % 5 != 4)
            submit = due + timedelta(days=4) if late else due - timedelta(days=3 + n % 4)
            report(p, q, submit, submit + timedelta(days=3 + n % 3))
    return codes
