"""Seeded generator of the FICTIONAL demo data in ``data/demo/``.

Every name, person, bank, address, phone number and figure made here is invented: companies are
called ``晋示例…有限公司(虚构)``, regions ``示例…县…产业集群(虚构)``, people ``X某某``. The layout
mirrors the 2019 catalogue (44 enterprise and 6 region projects); the panel has 9 experts, two of
them bank reviewers, and one declared conflict (a bank reviewer whose bank lends to a candidate)
whose scores are absent.

Scores come from a latent quality per candidate and criterion, an expert leniency and noise, so
that aggregation rules, methods and weights give slightly different rankings.

``python data/demo/generate.py`` (or :func:`write_demo`) regenerates the files; a test checks the
committed files equal a fresh generation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .engine.criteria import criteria_set
from .paths import DATA_DIR
from .programme import schema

SEED = 20260301
YEARS: tuple[int, ...] = (2023, 2024, 2025)
DEMO_DIR = DATA_DIR / "demo"
NOTE = "虚构示例数据(synthetic)"
#: The demo's cut line: 30 seats, at least 5 region projects, every candidate tied at the cut enters.
DEMO_SHORTLIST: dict[str, Any] = {"size": 30, "floors": {"kind": {"region": 5}}, "ties": "include"}

#: Enterprise projects per city (44 in all, like the 2019 catalogue) and region projects (6).
ENTERPRISE_COUNTS: dict[str, int] = {
    "太原市": 9, "大同市": 5, "朔州市": 3, "忻州市": 3, "阳泉市": 2, "吕梁市": 3,
    "晋中市": 4, "长治市": 4, "晋城市": 3, "临汾市": 3, "运城市": 3, schema.PROVINCIAL: 2,
}  # fmt: skip
REGION_CITIES: tuple[str, ...] = ("大同市", "忻州市", "晋中市", "晋中市", "长治市", "运城市")

_AREA_CODES = {
    "太原市": "0351", "大同市": "0352", "朔州市": "0349", "忻州市": "0350", "阳泉市": "0353",
    "吕梁市": "0358", "晋中市": "0354", "长治市": "0355", "晋城市": "0356", "临汾市": "0357",
    "运城市": "0359", schema.PROVINCIAL: "0351",
}  # fmt: skip
_TRADE_NAMES = (
    "禾丰", "瑞通", "汇达", "恒源", "博远", "金穗", "云栖", "启航", "嘉泽", "润田", "宏图", "星河",
    "鼎新", "泰和", "安顺", "华岳", "益康", "聚源", "德惠", "明远", "长青", "晟达", "永盛", "和畅",
    "青禾", "锦程", "远帆", "沃土", "卓越", "天衡", "弘毅", "信诚", "盛景", "致远", "丰实", "同舟",
    "茂林", "川流", "岳峰", "晨曦", "汾河", "太行", "吕岭", "沁水",
)  # fmt: skip
#: enterprise type -> (industries, name endings)
_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "农业企业": (("杂粮加工", "酥梨种植", "畜禽养殖", "乳制品", "中药材种植", "食用菌"),
                 ("农业科技有限公司", "农牧有限公司", "食品有限公司")),
    "工业企业": (("玻璃器皿制造", "法兰锻造", "不锈钢制品", "化工新材料", "电子元件", "纺织服装", "医药制造"),
                 ("制造有限公司", "科技股份有限公司", "实业有限公司")),
    "流通企业": (("农产品冷链物流", "医药流通", "电子商务", "大宗商品交易", "城市配送"),
                 ("物流有限公司", "供应链管理有限公司", "商贸有限公司")),
    "其它": (("信息技术服务", "检验检测", "供应链金融服务"), ("信息技术有限公司", "服务有限公司")),
}  # fmt: skip
_TYPE_SHARES = {"农业企业": 0.32, "工业企业": 0.28, "流通企业": 0.28, "其它": 0.12}
_REGION_INDUSTRIES = ("农业", "法兰", "玻璃器皿", "酥梨", "小杂粮", "塑料")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_OWNERSHIP = ("民营企业", "国有企业", "混合所有制企业", "外商投资企业")
_LENDERS = ("示例农商银行(虚构)", "示例城市商业银行(虚构)", "示例村镇银行(虚构)")
_PANEL_BANKS = ("示例发展银行(虚构)", "示例商业银行(虚构)")


@dataclass(frozen=True)
class DemoData:
    """The demo tables (canonical English columns)."""

    candidates: pd.DataFrame
    experts: pd.DataFrame
    scores: pd.DataFrame
    conflicts: pd.DataFrame


def _person(rng: np.random.Generator) -> str:
    return f"{_SURNAMES[rng.integers(len(_SURNAMES))]}某某"


def _candidates(rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    rows: list[dict] = []
    quality: list[float] = []
    etypes = list(_TYPE_SHARES)
    names = list(_TRADE_NAMES)
    rng.shuffle(names)
    n = 0
    for city, count in ENTERPRISE_COUNTS.items():
        for _ in range(count):
            n += 1
            etype = etypes[rng.choice(len(etypes), p=list(_TYPE_SHARES.values()))]
            industries, endings = _TYPES[etype]
            industry = industries[rng.integers(len(industries))]
            ending = endings[rng.integers(len(endings))]
            q = float(rng.normal())
            if city == schema.PROVINCIAL:
                q += 1.2
            quality.append(q)
            area = _AREA_CODES[city]
            place = "太原市" if city == schema.PROVINCIAL else city
            has_dept = bool(q + rng.normal(0, 0.8) > -0.6)
            rows.append(
                {
                    "project_id": f"E{n:03d}",
                    "name": f"晋示例{names.pop()}{ending}(虚构)",
                    "kind": "enterprise",
                    "city": city,
                    "industry": industry,
                    "enterprise_type": etype,
                    "registered_capital": float(round(np.exp(rng.normal(8.0 + 0.6 * q, 0.7)), -1)),
                    "ownership": "国有企业"
                    if city == schema.PROVINCIAL
                    else _OWNERSHIP[rng.choice(4, p=[0.6, 0.2, 0.15, 0.05])],
                    "legal_rep": _person(rng),
                    "address": f"山西省{place}示例区示例路{rng.integers(1, 300)}号(虚构)",
                    "employees": int(np.exp(rng.normal(5.5 + 0.5 * q, 0.6))),
                    "has_sc_dept": has_dept,
                    "sc_dept_headcount": int(rng.integers(3, 40)) if has_dept else 0,
                    "contact_name": _person(rng),
                    "contact_dept": ("供应链管理部", "综合办公室", "运营管理部")[rng.integers(3)],
                    "phone": f"{area}-0000{rng.integers(1000, 10000)}",
                    "fax": f"{area}-0001{rng.integers(1000, 10000)}",
                    "summary": f"示例企业，主营{industry}，以供应链协同带动上下游中小企业(虚构)。",
                }
            )
    for i, city in enumerate(REGION_CITIES):
        n_region = i + 1
        q = float(rng.normal(-0.6, 0.6))
        quality.append(q)
        industry = _REGION_INDUSTRIES[i]
        rows.append(
            {
                "project_id": f"R{n_region:03d}",
                "name": f"示例{'甲乙丙丁戊己'[i]}县{industry}产业集群(虚构)",
                "kind": "region",
                "city": city,
                "industry": f"{industry}产业",
                "employees": int(np.exp(rng.normal(8.0, 0.5))),
                "contact_name": _person(rng),
                "contact_dept": "县商务局(示例)",
                "phone": f"{_AREA_CODES[city]}-0000{rng.integers(1000, 10000)}",
                "summary": f"示例区域项目，围绕{industry}产业集群建设区域供应链服务体系(虚构)。",
            }
        )
    df = pd.DataFrame(rows)
    q = np.array(quality)
    # yearly indicators of form 附件1: driven by quality, with growth and noise
    size = np.exp(rng.normal(0.6 + 0.6 * q, 0.7, len(df)))
    growth = rng.normal(0.06 + 0.04 * q, 0.05, len(df))
    for k, year in enumerate(YEARS):
        f = (1 + growth) ** k
        noise = lambda s: rng.normal(0, s, len(df))  # noqa: E731
        ind = {
            "revenue": np.round(size * f * np.exp(noise(0.05)), 2),
            "cost_profit_ratio": np.round(6 + 3 * q + noise(2.5) + 0.5 * k, 1),
            "inventory_turnover": np.round(np.clip(6 + 2 * q + noise(1.5), 0.8, None), 1),
            "asset_turnover": np.round(np.clip(1.0 + 0.25 * q + noise(0.2), 0.2, None), 2),
            "cash_cycle": np.round(np.clip(70 - 15 * q + noise(12) - 2 * k, 5, None), 0),
            "market_share": np.round(
                np.clip(np.exp(rng.normal(0.8 + 0.5 * q, 0.5, len(df))), 0.1, 60), 1
            ),
        }
        for key, values in ind.items():
            df[schema.indicator_column(key, year)] = values
    df["prev_revenue"] = df[schema.indicator_column("revenue", YEARS[-1])]
    df["perfect_order_rate"] = np.round(
        np.clip(95 + 1.5 * q + rng.normal(0, 1.2, len(df)), 80, 99.9), 1
    )
    df["lender_bank"] = None
    borrowers = rng.choice(np.arange(44), size=14, replace=False)
    for j, b in enumerate(sorted(borrowers)):
        df.loc[b, "lender_bank"] = _LENDERS[j % len(_LENDERS)]
    # the one declared conflict: the second panel bank lends to one candidate
    df.loc[int(borrowers[0]), "lender_bank"] = _PANEL_BANKS[1]
    df["note"] = NOTE
    indicator_cols = [schema.indicator_column(k, y) for k in schema.INDICATORS for y in YEARS]
    df = df.reindex(columns=[*schema.CANDIDATE_FIELDS, *indicator_cols, "note"])
    return df, q


def _experts() -> pd.DataFrame:
    rows = [
        ("X01", "赵示例", "示例大学经济管理学院(虚构)", "industry", None, "太原市", "教授"),
        ("X02", "钱示例", "示例供应链研究院(虚构)", "industry", None, "太原市", "研究员"),
        ("X03", "孙示例", "示例物流协会(虚构)", "industry", None, "晋中市", "高级经济师"),
        ("X04", "李示例", "示例农业大学(虚构)", "industry", None, "晋中市", "副教授"),
        ("X05", "周示例", "示例会计师事务所(虚构)", "industry", None, "太原市", "注册会计师"),
        ("X06", "吴示例", "示例省直部门甲(虚构)", "official", None, "太原市", "处长"),
        ("X07", "郑示例", "示例省直部门乙(虚构)", "official", None, "太原市", "副处长"),
        ("X08", "王示例", _PANEL_BANKS[0], "bank", _PANEL_BANKS[0], "太原市", "高级信贷审查员"),
        ("X09", "冯示例", _PANEL_BANKS[1], "bank", _PANEL_BANKS[1], "太原市", "授信审批经理"),
    ]
    df = pd.DataFrame(
        rows, columns=["expert_id", "name", "employer", "kind", "bank", "city", "title"]
    )
    df["phone"] = [f"0351-0002{1000 + 37 * i}" for i in range(len(df))]
    df["note"] = NOTE
    return df


def _scores(
    rng: np.random.Generator,
    candidates: pd.DataFrame,
    experts: pd.DataFrame,
    q: np.ndarray,
    recused: set[tuple[str, str]],
) -> pd.DataFrame:
    n = len(candidates)
    region = (candidates["kind"] == "region").to_numpy()
    agri = (candidates["enterprise_type"] == "农业企业").to_numpy()
    # latent level per candidate and criterion (the defense set: 0-100), partly shared, partly specific
    defense = criteria_set("defense")
    keys, (lo, hi) = defense.keys, defense.scale
    spec = rng.normal(0, 1, (n, len(keys)))
    latent = {
        "strength": 72 + 9 * (0.85 * q + 0.5 * spec[:, 0]),
        "market": 72 + 9 * (0.6 * q + 0.8 * spec[:, 1]),
        "risk": 45 - 8 * (0.6 * q + 0.8 * spec[:, 2]),
        "poverty": 68 + 8 * (0.3 * q + 0.9 * spec[:, 3]) + 8 * region + 4 * agri,
        "demonstration": 70 + 9 * (0.7 * q + 0.7 * spec[:, 4]) + 3 * region,
    }
    leniency = np.array([0.0, 3.0, -2.0, 1.0, -4.0, 2.0, 6.0, -7.0, -1.0])
    spread = np.array([1.0, 0.9, 1.1, 1.0, 0.8, 1.2, 0.7, 1.0, 1.3])
    rows = []
    for i, pid in enumerate(candidates["project_id"]):
        for e, eid in enumerate(experts["expert_id"]):
            if (pid, eid) in recused:
                continue
            for c in keys:
                base = latent[c][i]
                centre = 45.0 if c == "risk" else 72.0
                sign = -1 if c == "risk" else 1
                s = centre + spread[e] * (base - centre) + sign * leniency[e] + rng.normal(0, 4.5)
                rows.append((pid, eid, c, int(np.clip(np.rint(s), lo, hi))))
    return pd.DataFrame(rows, columns=["project_id", "expert_id", "criterion", "score"])


def generate(seed: int = SEED) -> DemoData:
    """Generate the demo tables from ``seed`` (same seed, same tables).

    Returns
    -------
    DemoData
        ``candidates`` (50 rows: 44 enterprise, 6 region), ``experts`` (9), ``scores`` (long,
        integers 0-100, the recused pair absent), ``conflicts`` (expert_id, project_id, rule,
        reason, note).
    """
    rng = np.random.default_rng(seed)
    candidates, q = _candidates(rng)
    experts = _experts()
    conflicts = []
    for _, ex in experts[experts["kind"] == "bank"].iterrows():
        for pid in candidates.loc[candidates["lender_bank"] == ex["bank"], "project_id"]:
            conflicts.append(
                (ex["expert_id"], pid, "lender_bank", "专家所属银行为该项目贷款银行，回避", NOTE)
            )
    for _, ex in experts.iterrows():
        for pid in candidates.loc[candidates["name"] == ex["employer"], "project_id"]:
            conflicts.append(
                (ex["expert_id"], pid, "same_employer", "专家与申报单位为同一单位，回避", NOTE)
            )
    conflicts_df = pd.DataFrame(
        conflicts, columns=["expert_id", "project_id", "rule", "reason", "note"]
    )
    recused = set(zip(conflicts_df["project_id"], conflicts_df["expert_id"], strict=True))
    scores = _scores(rng, candidates, experts, q, recused)
    return DemoData(candidates, experts, scores, conflicts_df)


def write_demo(folder: str | os.PathLike[str] = DEMO_DIR, seed: int = SEED) -> list[Path]:
    """Write ``candidates.csv``, ``experts.csv``, ``scores.csv``, ``conflicts.csv`` to ``folder``.

    UTF-8 with BOM, English canonical headers. Returns the written paths.
    """
    from .io import write_table

    data = generate(seed)
    out = Path(folder)
    paths = []
    for name in ("candidates", "experts", "scores", "conflicts"):
        paths.append(write_table(getattr(data, name), out / f"{name}.csv", headers="en"))
    return paths


def load_demo(folder: str | os.PathLike[str] = DEMO_DIR) -> DemoData:
    """Read the committed demo files through :mod:`scoring.io` (checked like any import)."""
    from .io import read_candidates, read_experts, read_scores, read_table

    folder = Path(folder)
    candidates = read_candidates(folder / "candidates.csv")
    experts = read_experts(folder / "experts.csv")
    scores = read_scores(
        folder / "scores.csv", projects=candidates["project_id"], experts=experts["expert_id"]
    )
    conflicts = read_table(folder / "conflicts.csv")
    return DemoData(candidates, experts, scores, conflicts)
