"""An in-memory stand-in for the follow-up store services (docs/FOLLOWUP-DESIGN.md §2), over the
pure core, used by the fast page-model tests (test_real_store.py runs the round on the real store)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pandas as pd

from scoring.followup import ledger as led
from scoring.followup.clock import today
from scoring.followup.findings import errors, warnings
from scoring.followup.periods import default_periods
from scoring.followup.timeliness import rates, timeliness


class LedgerInvalid(ValueError):
    def __init__(self, findings):
        super().__init__("ledger has errors")
        self.findings = findings


@dataclass(frozen=True)
class Actor:
    login: str
    role: str
    name: str
    projects: tuple = ()
    city: str | None = None


class FakeFollowup:
    def __init__(self, year: int = 2026) -> None:
        self.codes: dict[str, Actor] = {}
        self.projects_: dict[str, dict] = {}
        self.periods_ = {p.key: p for p in default_periods(year)}
        self.ledgers_: dict[tuple, dict] = {}
        self.decisions: list = []
        self.exceptions: dict = {}
        me = self
        self.followed = SimpleNamespace(projects=self._projects, project=self._project)
        self.periods = SimpleNamespace(
            periods=self._periods, set_dates=self._set_dates, grant_exception=self._grant
        )
        self.ledgers = SimpleNamespace(
            ledger=self._ledger,
            save_draft=self._save,
            submit=self._submit,
            confirm=lambda a, p, k: me._set(a, p, k, "confirmed"),
            return_ledger=lambda a, p, k, r: me._set(a, p, k, "returned", r),
            reopen=lambda a, p, k, r: me._set(a, p, k, "returned", r),
            versions=lambda a, p, k: pd.DataFrame(),
            import_file=self._import,
            matrix=self._matrix,
        )
        self.followup_stats = SimpleNamespace(
            timeliness=self._timeliness,
            rates=lambda a, by, year=None: rates(self._timeliness(a), by),
            progress=self._progress,
            financing=self._financing,
            reminders=self._reminders,
        )
        self.exits = SimpleNamespace(candidates=self._candidates, decide=self._decide)

    # -- set-up ------------------------------------------------------------------------------
    def add_account(self, code, login, role, name, projects=(), city=None):
        self.codes[code] = Actor(login, role, name, tuple(projects), city)

    def add_project(self, pid, **kw):
        self.projects_[pid] = {"project_id": pid, "status": "active", **kw}

    def login(self, code, client=None):
        if code not in self.codes:
            raise ValueError("bad code")
        return self.codes[code]

    def close(self):
        pass

    # -- reads -------------------------------------------------------------------------------
    def _visible(self, a):
        if a.role == "unit":
            return [p for p in self.projects_ if p in a.projects]
        if a.role == "city":
            return [p for p, d in self.projects_.items() if d["city"] == a.city]
        return list(self.projects_)

    def _projects(self, a, status=None):
        return pd.DataFrame([self.projects_[p] for p in self._visible(a)])

    def _project(self, a, pid):
        if pid not in self._visible(a):
            raise PermissionError(pid)
        return copy.deepcopy(self.projects_[pid])

    def _periods(self, a, year=None):
        return pd.DataFrame(
            [
                dict(
                    key=p.key,
                    year=p.year,
                    quarter=p.quarter,
                    start=p.start,
                    end=p.end,
                    due=p.due,
                    lock=p.lock,
                )
                for p in self.periods_.values()
            ]
        )

    def _set_dates(self, a, key, *, due, lock):
        import dataclasses

        self.periods_[key] = dataclasses.replace(self.periods_[key], due=due, lock=lock)

    def _grant(self, a, pid, key, until, reason):
        self.exceptions[(pid, key)] = until

    def _rec(self, pid, key):
        return self.ledgers_.setdefault(
            (pid, key),
            {
                "content": {},
                "status": "missing",
                "version": 0,
                "reason": "",
                "first": None,
                "history": [],
            },
        )

    def _ledger(self, a, pid, key):
        if pid not in self._visible(a):
            raise PermissionError(pid)
        r = self._rec(pid, key)
        if a.role == "bank" and r["status"] != "confirmed":
            return {"content": {}, "status": "missing", "version": 0, "editable": False}
        p = self.periods_[key]
        editable = (
            a.role == "unit"
            and r["status"] in ("missing", "draft", "returned")
            and (today() <= p.lock or r["status"] == "returned" or (pid, key) in self.exceptions)
        )
        proj = self.projects_[pid]
        return {
            **copy.deepcopy(r),
            "editable": editable,
            "findings": led.check(
                r["content"], proj["kind"], p, indicator_group=proj["indicator_group"]
            ),
        }

    # -- writes ------------------------------------------------------------------------------
    def _save(self, a, pid, key, content, *, base_version):
        r = self._rec(pid, key)
        if not self._ledger(a, pid, key)["editable"]:
            raise PermissionError("not editable")
        if base_version != r["version"]:
            raise ValueError(f"stale version {base_version} != {r['version']}")
        r["content"] = led.normalise(content, self.projects_[pid]["kind"])
        r["version"] += 1
        if r["status"] == "missing":
            r["status"] = "draft"
        return r["version"]

    def _submit(self, a, pid, key):
        r = self._rec(pid, key)
        proj = self.projects_[pid]
        found = led.check(
            r["content"], proj["kind"], self.periods_[key], indicator_group=proj["indicator_group"]
        )
        if errors(found):
            raise LedgerInvalid(errors(found))
        r["status"] = "submitted"
        r["first"] = r["first"] or today()
        r["version"] += 1
        return warnings(found)

    def _set(self, a, pid, key, status, reason=""):
        if a.role not in ("city", "organizer"):
            raise PermissionError("only the city confirms")
        r = self._rec(pid, key)
        if status == "returned" and not reason.strip():
            raise ValueError("理由必填 / a reason is required")
        r["status"], r["reason"] = status, reason
        r["version"] += 1

    def _import(self, a, pid, key, path):
        from scoring.io.ledger_file import read_ledger

        content = read_ledger(path, self.projects_[pid]["kind"])
        old = self._rec(pid, key)["content"]
        content["indicators"] = old.get("indicators", {})
        return self._save(a, pid, key, content, base_version=self._rec(pid, key)["version"])

    def _matrix(self, a, year=None):
        rows = []
        for pid in self._visible(a):
            for key in self.periods_:
                r = self._rec(pid, key)
                rows.append({"project_id": pid, "period": key, "state": r["status"]})
        return pd.DataFrame(rows)

    # -- statistics --------------------------------------------------------------------------
    def _timeliness(self, a, year=None):
        exp, sub = [], []
        for pid in self._visible(a):
            d = self.projects_[pid]
            for key, p in self.periods_.items():
                exp.append(
                    dict(
                        project_id=pid,
                        city=d["city"],
                        kind=d["kind"],
                        period=key,
                        due=p.due,
                        lock=p.lock,
                        exception_until=self.exceptions.get((pid, key)),
                    )
                )
                f = self._rec(pid, key)["first"]
                if f:
                    sub.append(dict(project_id=pid, period=key, first_submitted=f))
        return timeliness(
            pd.DataFrame(exp),
            pd.DataFrame(sub, columns=["project_id", "period", "first_submitted"]),
            today(),
        )

    def _progress(self, a, year=None):
        from scoring.followup.indicators import indicator, progress, value_of

        vals, plan = [], []
        for pid in self._visible(a):
            d = self.projects_[pid]
            for k, e in (d.get("plan") or {}).items():
                for _y, t in (e.get("targets") or {"0": None}).items():
                    plan.append(
                        dict(project_id=pid, indicator=k, baseline=e.get("baseline"), target=t)
                    )
            for key in self.periods_:
                r = self._rec(pid, key)
                if r["status"] != "confirmed":
                    continue
                for k, e in (r["content"].get("indicators") or {}).items():
                    vals.append(
                        dict(
                            project_id=pid,
                            period=key,
                            indicator=k,
                            value=value_of(indicator(k, d["indicator_group"]), e),
                        )
                    )
        out = progress(
            pd.DataFrame(vals, columns=["project_id", "period", "indicator", "value"]),
            pd.DataFrame(plan, columns=["project_id", "indicator", "baseline", "target"]),
        )
        meta = pd.DataFrame([self.projects_[p] for p in self._visible(a)])[
            ["project_id", "city", "kind", "industry"]
        ]
        return out.merge(meta, on="project_id", how="left")

    def _financing(self, a, by, year=None):
        from scoring.followup.statistics import financing_by, ledger_rows

        frames = []
        for pid in self._visible(a):
            d = self.projects_[pid]
            for key in self.periods_:
                r = self._rec(pid, key)
                if r["status"] == "confirmed":
                    frames.append(
                        ledger_rows(
                            r["content"], d["kind"], project_id=pid, period=key, city=d["city"]
                        ).assign(kind=d["kind"])
                    )
        long = (
            pd.concat(frames)
            if frames
            else pd.DataFrame(
                columns=[
                    "project_id",
                    "period",
                    "city",
                    "kind",
                    "loan",
                    "bill",
                    "lease",
                    "letter",
                    "other",
                ]
            )
        )
        return financing_by(long, by)

    def _reminders(self, a):
        t = self._timeliness(a)
        t = t[t["status"].isin(["overdue", "pending", "missing"])]
        names = {p: d["name"] for p, d in self.projects_.items()}
        t = t.assign(name=[names[p] for p in t["project_id"]])
        t["message"] = [
            f"{n}：{p} 台帐请尽快报送" for n, p in zip(t["name"], t["period"], strict=False)
        ]
        return t

    def _candidates(self, a):
        return pd.DataFrame(
            [
                {
                    "project_id": p,
                    "ground": "missing_ledger",
                    "evidence_zh": "2026Q1 缺报",
                    "evidence_en": "2026Q1 missing",
                }
                for p in list(self._visible(a))[:1]
            ]
        )

    def _decide(self, a, pid, *, exit, reason, grounds):
        if not reason.strip():
            raise ValueError("reason required")
        self.decisions.append((pid, exit, reason, tuple(grounds)))


def persist(fake: FakeFollowup, path) -> FakeFollowup:
    """Keep ``fake``'s state in ``path`` (pickle), re-read before and written after each call,
    so that several page kernels share one fake store (browser checks of the pages)."""
    import functools
    import os
    import pickle

    names = ("projects_", "periods_", "ledgers_", "decisions", "exceptions")

    def wrap(func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            if os.path.exists(path):
                with open(path, "rb") as fh:
                    for n, v in zip(names, pickle.load(fh), strict=True):
                        setattr(fake, n, v)
            try:
                return func(*args, **kwargs)
            finally:
                with open(path, "wb") as fh:
                    pickle.dump([getattr(fake, n) for n in names], fh)

        return inner

    for service in ("followed", "periods", "ledgers", "followup_stats", "exits"):
        ns = getattr(fake, service)
        for k, v in list(vars(ns).items()):
            setattr(ns, k, wrap(v))
    return fake


def seed_fake() -> tuple[FakeFollowup, dict]:
    fake = FakeFollowup()
    plan = {
        "revenue": {"baseline": 10.0, "baseline_year": 2025, "targets": {2026: 12.0}},
        "cost_profit_ratio": {"baseline": 8.0, "baseline_year": 2025, "targets": {2026: 9.0}},
    }
    fake.add_project(
        "F001",
        name="晋示例远帆物流有限公司",
        kind="enterprise",
        city="太原市",
        provincial=False,
        unit_name="远帆物流",
        indicator_group="entity",
        plan=plan,
        industry="54",
    )
    fake.add_project(
        "F002",
        name="大同示例区域",
        kind="region",
        city="大同市",
        provincial=False,
        unit_name="大同商务局",
        indicator_group="region",
        plan={},
        industry="",
    )
    fake.add_project(
        "F003",
        name="太原示例制造",
        kind="enterprise",
        city="太原市",
        provincial=False,
        unit_name="示例制造",
        indicator_group="entity",
        plan=plan,
        industry="36",
    )
    codes = {"unit": "U1", "unit2": "U2", "city": "C1", "org": "O1", "bank": "B1"}
    fake.add_account("U1", "U1", "unit", "远帆物流", projects=["F001"])
    fake.add_account("U2", "U2", "unit", "大同区域", projects=["F002"])
    fake.add_account("C1", "C1", "city", "太原市商务局", city="太原市")
    fake.add_account("O1", "O1", "organizer", "省商务厅")
    fake.add_account("B1", "B1", "bank", "银行")
    return fake, {"codes": codes, "year": 2026}


def good_content(pid="F001"):
    return {
        "contact": "王五 0351-1234567",
        "blocks": [
            {
                "role": "core",
                "name": "晋示例远帆物流有限公司",
                "city": "太原市",
                "industries": ["54"],
                "rows": [
                    {
                        "goal": "建成供应链协同平台",
                        "measure": "上线订单协同系统",
                        "deadline": "2026-06",
                        "progress": "ongoing",
                        "loan": 500.0,
                        "result": "订单响应时间缩短30%",
                    }
                ],
            },
        ],
        "indicators": {
            "revenue": {"value": 3.0},
            "cost_profit_ratio": {"inputs": {"profit": 1.0, "cost": 10.0}},
        },
    }


_ = (date, datetime, timedelta)
