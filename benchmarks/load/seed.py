"""Seed a store for the load test: ``N`` expert accounts on one open panel, through the store API.

Run as a script (the load driver stays free of the store's imports)::

    python benchmarks/load/seed.py --db URL --experts 60 [--candidates 6]

prints one JSON object: ``{"panel": id, "codes": {login: code}, "chair": code}``. Works on a
fresh database and on one that already holds the demo (``scoring init --demo``): the demo's
candidates are imported again (identical rows change nothing) and the load experts are new.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Expert ids and account logins of the simulated experts: LT001, LT002, ...
PREFIX = "LT"
PANEL = "压测组 / load test"


def expert_rows(n: int) -> list[dict[str, str]]:
    """``n`` invented experts with the columns of ``data/demo/experts.csv``."""
    return [
        {
            "expert_id": f"{PREFIX}{i:03d}",
            "name": f"压测专家{i:03d}",
            "employer": "压测单位(虚构)",
            "kind": "industry",
            "bank": "",
            "city": "太原市",
            "title": "研究员",
            "phone": f"0351-{i:08d}",
            "note": "load test (synthetic)",
        }
        for i in range(1, n + 1)
    ]


def seed(db: str, experts: int, candidates: int) -> dict:
    """Create the experts, their accounts, a chair and an open panel; return the codes."""
    import pandas as pd

    from scoring.paths import DATA_DIR
    from scoring.programme.panel_rules import MIN_MEMBERS
    from scoring.store.config import PanelConfig
    from scoring.store.service import Workbench

    wb = Workbench(db)
    try:
        org = wb.system_actor("load-test")
        wb.init(actor=org)
        wb.import_candidates(org, DATA_DIR / "demo" / "candidates.csv")
        rows = expert_rows(max(experts, MIN_MEMBERS))  # a panel opens with three at least
        wb.import_experts(org, pd.DataFrame(rows))
        extra = [r["expert_id"] for r in rows[experts:]]  # members nobody plays
        known = {str(a["login"]).upper() for a in wb.accounts(org)}
        codes = {}
        for row in expert_rows(experts):
            login = row["expert_id"]
            if login in known:
                codes[login] = wb.reissue_code(org, login)
            else:
                codes[login] = wb.create_account(
                    org, login, "expert", expert_id=login, name=row["name"]
                )
        chair = f"{PREFIX}CHAIR"
        chair_code = (
            wb.reissue_code(org, chair)
            if chair in known
            else wb.create_account(org, chair, "chair", name="压测主持人")
        )
        cands = list(wb.candidates(org)["project_id"])[:candidates]
        members = [*codes, *extra]
        pid = wb.create_panel(org, PANEL, chair=chair, members=members, candidates=cands)
        wb.freeze_config(org, pid, PanelConfig.from_criteria(cut_size=max(1, len(cands) // 2)))
        wb.open_panel(wb.login(chair_code), pid)
        return {"panel": pid, "codes": codes, "chair": chair_code}
    finally:
        wb.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="database URL")
    ap.add_argument("--experts", type=int, required=True)
    ap.add_argument("--candidates", type=int, default=6)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    out = seed(args.db, args.experts, args.candidates)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
